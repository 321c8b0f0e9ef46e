package storage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// catalogueRecord is catalogue_info/<id@version>.
type catalogueRecord struct {
	Digest   string    `json:"digest"`
	Filename string    `json:"filename,omitempty"`
	StoredAt time.Time `json:"stored_at"`
}

func digestOf(src []byte) string {
	sum := sha256.Sum256(src)
	return hex.EncodeToString(sum[:])
}

// parsedCatalogues caches parsed catalogues for the life of the process,
// keyed by "id@version\x00digest": the digest makes a stale entry
// impossible, and every audit Load would otherwise parse the YAML again.
// Cached catalogues are shared and must be treated as read-only.
var parsedCatalogues sync.Map

func cachedCatalogue(key, digest string) *checklist.Catalogue {
	if c, ok := parsedCatalogues.Load(key + "\x00" + digest); ok {
		return c.(*checklist.Catalogue)
	}
	return nil
}

// parseStored parses catalogue bytes read from the file, through the cache.
func parseStored(key string, src []byte) (*checklist.Catalogue, error) {
	digest := digestOf(src)
	if c := cachedCatalogue(key, digest); c != nil {
		return c, nil
	}
	c, err := checklist.Parse(src, key+".yaml")
	if err != nil {
		return nil, fmt.Errorf("catalogo memorizzato %s: %w", key, err)
	}
	if c.Key() != key {
		return nil, fmt.Errorf("catalogo memorizzato sotto %s ma il suo contenuto dichiara %s", key, c.Key())
	}
	actual, _ := parsedCatalogues.LoadOrStore(key+"\x00"+digest, c)
	return actual.(*checklist.Catalogue), nil
}

// readCatalogue returns the stored catalogue key, checking that its bytes
// still have the digest recorded when it was stored (and, when want is not
// empty, the digest an audit was pinned to).
func readCatalogue(tx *bolt.Tx, key, want string) (*checklist.Catalogue, error) {
	rec, err := catalogueInfo(tx, key)
	if err != nil {
		return nil, err
	}
	if want != "" && rec.Digest != want {
		return nil, fmt.Errorf("%w: il catalogo %s memorizzato ha impronta %.12s…, l'audit è vincolato a %.12s…", ErrCorrupt, key, rec.Digest, want)
	}
	if c := cachedCatalogue(key, rec.Digest); c != nil {
		return c, nil
	}
	src := tx.Bucket(bucketCatalogues).Get([]byte(key))
	if src == nil {
		return nil, fmt.Errorf("%w: catalogo %s registrato ma senza contenuto", ErrCorrupt, key)
	}
	if got := digestOf(src); got != rec.Digest {
		return nil, fmt.Errorf("%w: il contenuto del catalogo %s non corrisponde alla sua impronta (%.12s… invece di %.12s…)", ErrCorrupt, key, got, rec.Digest)
	}
	// src is only valid inside the transaction; Parse copies what it keeps.
	return parseStored(key, src)
}

func catalogueInfo(tx *bolt.Tx, key string) (catalogueRecord, error) {
	var rec catalogueRecord
	v := tx.Bucket(bucketCatalogueInfo).Get([]byte(key))
	if v == nil {
		return rec, fmt.Errorf("catalogo %s: %w (caricarlo creando un audit con cieaudit audit new --catalog FILE)", key, ErrNotFound)
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, fmt.Errorf("%w: catalogue_info/%s: %v", ErrCorrupt, key, err)
	}
	return rec, nil
}

// SaveCatalogue parses, validates and stores a catalogue snapshot under
// id@version; storing the same bytes again is a no-op, different bytes under
// an existing id@version are refused.
func (s *Store) SaveCatalogue(src []byte, filename string) (*checklist.Catalogue, error) {
	c, err := checklist.Parse(src, filename)
	if err != nil {
		return nil, err
	}
	key := c.Key()
	if err := checklist.CheckBuiltinKey(c); err != nil {
		return nil, fmt.Errorf("catalogo %s: %w", key, err)
	}
	// The common case, a catalogue stored long ago, is answered under a
	// shared lock: reading commands and read-only copies never write.
	stored := false
	err = s.view(func(tx *bolt.Tx) error {
		stored, err = sameCatalogue(tx, key, src)
		return err
	})
	if err == nil && !stored {
		err = s.update(func(tx *bolt.Tx) error {
			if stored, err := sameCatalogue(tx, key, src); err != nil || stored {
				return err
			}
			rec, err := json.Marshal(catalogueRecord{Digest: c.Digest, Filename: filename, StoredAt: s.opts.Now().UTC()})
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketCatalogues).Put([]byte(key), src); err != nil {
				return err
			}
			return tx.Bucket(bucketCatalogueInfo).Put([]byte(key), rec)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("salvataggio del catalogo %s: %w", key, err)
	}
	actual, _ := parsedCatalogues.LoadOrStore(key+"\x00"+c.Digest, c)
	return actual.(*checklist.Catalogue), nil
}

// sameCatalogue reports whether key is stored with exactly src, and refuses
// different content under the same key.
func sameCatalogue(tx *bolt.Tx, key string, src []byte) (bool, error) {
	old := tx.Bucket(bucketCatalogues).Get([]byte(key))
	switch {
	case old == nil:
		return false, nil
	case bytes.Equal(old, src):
		return true, nil
	}
	return false, fmt.Errorf("il catalogo %s è già memorizzato con un contenuto diverso: un catalogo modificato deve cambiare version (gli audit esistenti restano vincolati alla versione con cui sono iniziati)", key)
}

// EnsureBuiltin stores every catalogue version embedded in the binary
// unless it is already there, and returns the current one, which new audits
// are pinned to.
func (s *Store) EnsureBuiltin() (*checklist.Catalogue, error) {
	var c *checklist.Catalogue
	for _, e := range checklist.BuiltinSources {
		var err error
		if c, err = s.SaveCatalogue(e.Source, e.Filename); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Catalogue returns the stored catalogue "id@version".
func (s *Store) Catalogue(key string) (*checklist.Catalogue, error) {
	var c *checklist.Catalogue
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		c, err = readCatalogue(tx, key, "")
		return err
	})
	return c, err
}

// Catalogues lists the stored catalogues, by key.
func (s *Store) Catalogues() ([]CatalogueInfo, error) {
	var out []CatalogueInfo
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCatalogueInfo).ForEach(func(k, _ []byte) error {
			c, err := readCatalogue(tx, string(k), "")
			if err != nil {
				return err
			}
			out = append(out, CatalogueInfo{
				ID: c.ID, Version: c.Version, Title: c.Title, Digest: c.Digest,
				Items: len(c.Items()), Threats: len(c.Threats),
				Builtin: checklist.IsBuiltinDigest(c.Digest),
				Current: c.Digest == digestOf(checklist.BuiltinSource),
			})
			return nil
		})
	})
	return out, err
}
