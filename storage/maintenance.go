package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// Backup writes a consistent copy of the database to dst while it is in use.
//
// The copy is made from one read transaction (writers are not blocked) into
// a temporary file next to dst, synced, and renamed over dst: dst is either
// the old file or the complete copy, never a half-written one.
func (s *Store) Backup(dst string) error {
	if same, _ := samePath(s.path, dst); same {
		return fmt.Errorf("backup: la destinazione %s è il database stesso", dst)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup in %s: %w", dst, err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := s.BackupTo(tmp); err != nil {
		return fmt.Errorf("backup in %s: %w", dst, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("backup in %s: %w", dst, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("backup in %s: %w", dst, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("backup in %s: %w", dst, err)
	}
	done = true
	syncDir(filepath.Dir(dst))
	return nil
}

// BackupTo writes a consistent copy of the database to w (an SSH session,
// a zip entry) from one read transaction, and returns the bytes written.
// Unlike Backup it cannot make the destination atomic: a failed copy leaves
// w with a partial file, and the caller must discard it on error.
func (s *Store) BackupTo(w io.Writer) (int64, error) {
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

func samePath(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// syncDir makes a rename durable; failures only weaken durability and are
// ignored (not every platform can sync a directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Check verifies the file's integrity and counts what it holds.
//
// Problems lists what is wrong (bbolt page structure, unreadable values,
// catalogues whose bytes no longer match their digest, broken history); the
// error is only for a check that could not run at all, e.g. a file that
// cannot be opened.
func (s *Store) Check() (CheckReport, error) {
	rep := CheckReport{Path: s.path}
	if fi, err := os.Stat(s.path); err == nil {
		rep.SizeBytes = fi.Size()
	}
	problem := func(format string, args ...any) {
		rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...))
	}
	err := s.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			problem("struttura del file: %v", err)
		}
		if len(rep.Problems) > 0 {
			// Walking a damaged tree could fault; what is wrong is known.
			return nil
		}
		v, err := schemaVersion(tx)
		if err != nil {
			problem("versione dello schema: %v", err)
			return nil
		}
		rep.SchemaVersion = v
		if err := tx.Bucket(bucketCatalogueInfo).ForEach(func(k, _ []byte) error {
			rep.Catalogues++
			if _, err := readCatalogue(tx, string(k), ""); err != nil {
				problem("catalogo %s: %v", k, err)
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(bucketAudits).ForEachBucket(func(k []byte) error {
			rep.Audits++
			b, a, err := readAudit(tx, string(k))
			if err != nil {
				problem("audit %s: %v", k, err)
				return nil
			}
			if _, err := readCatalogue(tx, a.CatalogueKey(), a.CatalogueDigest); err != nil {
				problem("audit %s: catalogo vincolato: %v", k, err)
			}
			for _, name := range auditBuckets {
				if b.Bucket(name) == nil {
					problem("audit %s: bucket %s mancante", k, name)
				}
			}
			if ab := b.Bucket(bucketAnswers); ab != nil {
				var d decoder
				_ = ab.ForEach(func(key, v []byte) error {
					rep.Answers++
					var ans checklist.Answer
					if err := answerCodec.decode(key, v, &ans, &d); err != nil {
						problem("audit %s: risposta %q illeggibile: %v", k, key, err)
					} else if string(scopedKey(ans.Scope, ans.Item)) != string(key) {
						problem("audit %s: risposta %q registrata sotto la chiave sbagliata", k, key)
					}
					return nil
				})
			}
			if hb := b.Bucket(bucketHistory); hb != nil {
				var last uint64
				var d decoder
				_ = hb.ForEach(func(key, v []byte) error {
					rep.HistoryItems++
					var c checklist.Change
					switch {
					case len(key) != 8:
						problem("audit %s: chiave di cronologia %x non valida", k, key)
					case changeCodec.decode(key, v, &c, &d) != nil:
						problem("audit %s: voce di cronologia %d illeggibile", k, binary.BigEndian.Uint64(key))
					case c.Seq != binary.BigEndian.Uint64(key) || c.Seq <= last:
						problem("audit %s: voce di cronologia %d fuori sequenza", k, binary.BigEndian.Uint64(key))
					default:
						last = c.Seq
					}
					return nil
				})
			}
			for name, rt := range auditRecords {
				if nb := b.Bucket([]byte(name)); nb != nil && name != string(bucketAnswers) && name != string(bucketHistory) {
					if err := rt.check(nb); err != nil {
						problem("audit %s: %s: %v", k, name, err)
					}
				}
			}
			return nil
		})
	})
	if err != nil && !errors.Is(err, ErrCorrupt) {
		return rep, err
	}
	if err != nil {
		problem("%v", err)
	}
	return rep, nil
}
