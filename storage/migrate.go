package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// SchemaVersion is the layout this binary reads and writes. Older files are
// migrated at Open; newer ones are refused.
const SchemaVersion = 4

// Bucket and key names of schema version 2 (see the package doc); version 3
// adds bucketAuditIndex.
var (
	bucketMeta          = []byte("meta")
	bucketCatalogues    = []byte("catalogues")
	bucketCatalogueInfo = []byte("catalogue_info")
	bucketAudits        = []byte("audits")
	bucketUIState       = []byte("uistate")
	bucketDeleted       = []byte("deleted_audits")

	keySchemaVersion = []byte("schema_version")
	keyCreatedBy     = []byte("created_by")
	keyCreatedAt     = []byte("created_at")

	keyInfo           = []byte("info")
	bucketAnswers     = []byte("answers")
	bucketHistory     = []byte("history")
	bucketEvaluations = []byte("evaluations")
	bucketActions     = []byte("actions")
	bucketOverrides   = []byte("overrides")
)

// topBuckets are created with every new or migrated file.
var topBuckets = [][]byte{bucketMeta, bucketCatalogues, bucketCatalogueInfo, bucketAudits, bucketAuditIndex, bucketUIState, bucketDeleted}

// auditBuckets are the nested buckets of audits/<id>.
var auditBuckets = [][]byte{bucketAnswers, bucketHistory, bucketEvaluations, bucketActions, bucketOverrides}

// createdBy is written in meta/created_by of new files.
const createdBy = "cieaudit"

// migrations[v] turns a file of schema version v into version v+1. They are
// kept forever: a file written years ago must still open.
var migrations = map[int]func(tx *bolt.Tx, now time.Time) error{
	1: migrateV1toV2,
	2: migrateV2toV3,
}

// schemaVersion reads meta/schema_version; 0 means an empty file.
func schemaVersion(tx *bolt.Tx) (int, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
		if empty {
			return 0, nil
		}
		return 0, fmt.Errorf("il file non contiene il bucket %q: non è un database cieaudit", bucketMeta)
	}
	if meta.Get(keySuperseded) != nil {
		return 0, errSuperseded
	}
	v := meta.Get(keySchemaVersion)
	if len(v) != 4 {
		return 0, fmt.Errorf("meta/%s illeggibile (%d byte invece di 4)", keySchemaVersion, len(v))
	}
	return int(binary.BigEndian.Uint32(v)), nil
}

func putSchemaVersion(tx *bolt.Tx, v int) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	return meta.Put(keySchemaVersion, binary.BigEndian.AppendUint32(nil, uint32(v)))
}

// prepare brings the file to SchemaVersion: it reads the version under a
// shared lock (the common case needs nothing else), then initialises or
// migrates it in one write transaction. A file that another process's
// migration replaced while this one waited for it is opened again.
func (s *Store) prepare() error {
	for range 5 {
		err := s.prepareOnce()
		if !errors.Is(err, errSuperseded) {
			return err
		}
		if err := s.reopenHeld(); err != nil {
			return err
		}
	}
	return fmt.Errorf("il database %s è stato sostituito più volte durante l'apertura: riprovare", s.path)
}

func (s *Store) prepareOnce() error {
	var version int
	var err error
	if _, serr := os.Stat(s.path); serr == nil {
		err = s.view(func(tx *bolt.Tx) error {
			var err error
			version, err = schemaVersion(tx)
			return err
		})
	}
	if err != nil {
		if isStoreError(err) || errors.Is(err, errSuperseded) {
			return err
		}
		return s.corrupt(err)
	}
	switch {
	case version == SchemaVersion:
		return nil
	case version > SchemaVersion:
		return fmt.Errorf("%w: %s ha lo schema versione %d, questo programma conosce fino alla %d; aggiornare cieaudit", ErrSchemaTooNew, s.path, version, SchemaVersion)
	case s.opts.ReadOnly && version == 0:
		return fmt.Errorf("il database %s è vuoto: non si può inizializzare in sola lettura", s.path)
	case s.opts.ReadOnly:
		return fmt.Errorf("il database %s ha lo schema versione %d e va aggiornato alla %d: aprirlo una volta senza sola lettura", s.path, version, SchemaVersion)
	}
	if version > 0 {
		if _, err := s.Backup(backupName(s.path, version, s.opts.Now())); err != nil {
			return fmt.Errorf("copia di sicurezza prima dell'aggiornamento dello schema: %w", err)
		}
	}
	replaced := false
	err = s.update(func(tx *bolt.Tx) error {
		replaced = false
		// Another process may have done the work since we looked.
		v, err := schemaVersion(tx)
		if err != nil {
			return err
		}
		if v == 0 {
			return initSchema(tx, s.opts.Now())
		}
		for ; v < SchemaVersion; v++ {
			if v == 3 {
				// The last step writes a new, compacted file (see
				// migrate_v4.go); this one is only marked as replaced.
				if err := s.rewriteV4(tx); err != nil {
					return fmt.Errorf("aggiornamento dello schema dalla versione 3 alla 4: %w", err)
				}
				replaced = true
				return markSuperseded(tx, s.opts.Now())
			}
			m := migrations[v]
			if m == nil {
				return fmt.Errorf("nessuna migrazione dallo schema versione %d", v)
			}
			if err := m(tx, s.opts.Now()); err != nil {
				return fmt.Errorf("aggiornamento dello schema dalla versione %d alla %d: %w", v, v+1, err)
			}
			if err := putSchemaVersion(tx, v+1); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && replaced {
		return s.reopenHeld()
	}
	return err
}

// reopenHeld opens the file again when the Store holds it: after a
// migration replaced the file, the held handle is on the old one.
func (s *Store) reopenHeld() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	_ = s.db.Close()
	s.db = nil
	db, err := s.openBolt(s.opts.ReadOnly)
	if err != nil {
		return err
	}
	s.db = db
	return nil
}

// isStoreError reports errors that already say what is wrong with the file.
func isStoreError(err error) bool {
	for _, e := range []error{ErrLocked, ErrCorrupt, ErrClosed, os.ErrNotExist, os.ErrPermission} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func initSchema(tx *bolt.Tx, now time.Time) error {
	for _, name := range topBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bucketMeta)
	if err := meta.Put(keyCreatedBy, []byte(createdBy)); err != nil {
		return err
	}
	if err := meta.Put(keyCreatedAt, []byte(now.UTC().Format(time.RFC3339))); err != nil {
		return err
	}
	return putSchemaVersion(tx, SchemaVersion)
}

// Schema version 1 (cieaudit before the nested layout) kept everything flat:
//
//	meta        schema_version → uint32 BE 1
//	catalogues  "id@version"   → YAML
//	audits      id             → checklist.Audit
//	answers     "audit\x00scope\x00item" → checklist.Answer
//	journal     uint64 BE seq  → v1JournalEntry, one sequence for all audits
var (
	v1BucketAudits  = []byte("audits")
	v1BucketAnswers = []byte("answers")
	v1BucketJournal = []byte("journal")
	// v1Orphans keeps v1 answers and journal entries whose audit no longer
	// existed, so that the migration never drops data.
	v1Orphans = []byte("legacy_v1_orphans")
)

// v1JournalEntry is a history entry of schema 1: a Change tagged with its
// audit.
type v1JournalEntry struct {
	Audit string `json:"audit"`
	checklist.Change
}

func migrateV1toV2(tx *bolt.Tx, now time.Time) error {
	oldAudits := tx.Bucket(v1BucketAudits)
	oldAnswers := tx.Bucket(v1BucketAnswers)
	oldJournal := tx.Bucket(v1BucketJournal)

	// The v1 audits bucket has the v2 name; move its content aside first.
	infos := map[string][]byte{}
	if oldAudits != nil {
		if err := oldAudits.ForEach(func(k, v []byte) error {
			if v == nil {
				return fmt.Errorf("audits/%q: atteso un valore, trovato un bucket", k)
			}
			infos[string(k)] = bytes.Clone(v)
			return nil
		}); err != nil {
			return err
		}
		if err := tx.DeleteBucket(v1BucketAudits); err != nil {
			return err
		}
	}
	for _, name := range topBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bucketMeta).Put(keyCreatedBy, []byte(createdBy)); err != nil {
		return err
	}
	audits := tx.Bucket(bucketAudits)
	for id, info := range infos {
		var a checklist.Audit
		if err := json.Unmarshal(info, &a); err != nil {
			return fmt.Errorf("audit %s: %w", id, err)
		}
		b, err := audits.CreateBucket([]byte(id))
		if err != nil {
			return fmt.Errorf("audit %s: %w", id, err)
		}
		for _, name := range auditBuckets {
			if _, err := b.CreateBucket(name); err != nil {
				return err
			}
		}
		if err := b.Put(keyInfo, info); err != nil {
			return err
		}
	}

	var orphans *bolt.Bucket
	orphan := func(kind string, k, v []byte) error {
		if orphans == nil {
			var err error
			if orphans, err = tx.CreateBucketIfNotExists(v1Orphans); err != nil {
				return err
			}
		}
		return orphans.Put(append([]byte(kind+"\x00"), k...), v)
	}

	if oldAnswers != nil {
		if err := oldAnswers.ForEach(func(k, v []byte) error {
			id, rest, ok := bytes.Cut(k, []byte{0})
			ab := audits.Bucket(id)
			if !ok || ab == nil {
				return orphan("answers", k, v)
			}
			return ab.Bucket(bucketAnswers).Put(bytes.Clone(rest), v)
		}); err != nil {
			return err
		}
		if err := tx.DeleteBucket(v1BucketAnswers); err != nil {
			return err
		}
	}
	if oldJournal != nil {
		// Journal keys are one global sequence, so iterating in key order
		// appends each audit's entries in their original order.
		if err := oldJournal.ForEach(func(k, v []byte) error {
			var e v1JournalEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("journal/%x: %w", k, err)
			}
			ab := audits.Bucket([]byte(e.Audit))
			if ab == nil {
				return orphan("journal", k, v)
			}
			_, err := appendChange(ab.Bucket(bucketHistory), e.Change)
			return err
		}); err != nil {
			return err
		}
		if err := tx.DeleteBucket(v1BucketJournal); err != nil {
			return err
		}
	}

	// v1 kept catalogue bytes only; v2 records their digest beside them.
	cats := tx.Bucket(bucketCatalogues)
	info := tx.Bucket(bucketCatalogueInfo)
	return cats.ForEach(func(k, v []byte) error {
		if info.Get(k) != nil {
			return nil
		}
		rec, err := json.Marshal(catalogueRecord{Digest: digestOf(v), StoredAt: now.UTC()})
		if err != nil {
			return err
		}
		return info.Put(k, rec)
	})
}

// appendChange gives c the next sequence number of the history bucket and
// stores it. History entries are never rewritten.
func appendChange(h *bolt.Bucket, c checklist.Change) (checklist.Change, error) {
	seq, err := h.NextSequence()
	if err != nil {
		return c, err
	}
	c.Seq = seq
	h.FillPercent = appendOnlyFill
	return c, changeCodec.put(h, seqKey(seq), &c)
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// backupName is where Open copies a file of schema version before migrating
// it.
func backupName(path string, version int, now time.Time) string {
	return filepath.Join(filepath.Dir(path), fmt.Sprintf("%s.pre-v%d-%s.bak", filepath.Base(path), version, now.UTC().Format("20060102T150405")))
}
