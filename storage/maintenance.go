package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// Backup writes a consistent copy of the database to dst while it is in use
// and returns the file written: dst, or, when dst is an existing folder, a
// file in it named after the database and the time (cieaudit-20261201-
// 191500.db).
//
// The copy is made from one read transaction (writers are not blocked) into
// a temporary file next to the destination, synced, verified (verifyCopy)
// and renamed over it: the destination is either the old file or the
// complete, checked copy, never a half-written one.
func (s *Store) Backup(dst string) (string, error) {
	if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
		base := filepath.Base(s.path)
		ext := filepath.Ext(base)
		if ext == "" {
			ext = ".db"
		}
		dst = filepath.Join(dst, strings.TrimSuffix(base, filepath.Ext(base))+"-"+s.opts.Now().UTC().Format("20060102-150405")+ext)
	}
	if same, _ := samePath(s.path, dst); same {
		return "", fmt.Errorf("backup: la destinazione %s è il database stesso", dst)
	}
	if fi, err := os.Lstat(dst); err == nil && !fi.Mode().IsRegular() {
		return "", fmt.Errorf("backup: %s esiste e non è un file regolare (%s): indicare un file o una cartella", dst, checklist.FileKind(fi.Mode()))
	}
	tmp, err := s.verifiedCopy(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("backup in %s: %w", dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("backup in %s: %w", dst, err)
	}
	syncDir(filepath.Dir(dst))
	return dst, nil
}

// BackupTo writes a consistent copy of the database to w (standard output,
// an SSH session) and returns the bytes written. The copy is first made and
// verified in a temporary file next to the database, then streamed: w never
// receives a copy that failed its check, but a failure while streaming
// leaves w with a partial file, which the caller must discard.
func (s *Store) BackupTo(w io.Writer) (int64, error) {
	tmp, err := s.verifiedCopy(filepath.Dir(s.path), "."+filepath.Base(s.path)+".backup-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp)
	f, err := os.Open(tmp)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(w, f)
}

// verifiedCopy writes a consistent copy of the database, from one read
// transaction, to a new file in dir named after pattern (os.CreateTemp),
// syncs it and verifies it; it returns the file's path, or removes it and
// says what is wrong.
func (s *Store) verifiedCopy(dir, pattern string) (path string, err error) {
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := s.view(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(tmp)
		return err
	}); err != nil {
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := verifyCopy(tmp.Name()); err != nil {
		return "", fmt.Errorf("la copia non ha superato la verifica (%w): nulla è stato scritto; eseguire cieaudit doctor sul database", err)
	}
	return tmp.Name(), nil
}

// verifyCopy checks a backup before it is called done: both meta pages are
// sound, it opens as a bbolt file whose page structure passes tx.Check, and
// it holds cieaudit's meta bucket. It does not depend on the schema
// version, so that the copy taken before a migration is checked too.
func verifyCopy(path string) error {
	if p := checkMetaPages(path); len(p) > 0 {
		return errors.New(p[0])
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return fmt.Errorf("struttura del file: %w", err)
		}
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("manca il bucket meta di cieaudit")
		}
		return nil
	})
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
	rep.Problems = append(rep.Problems, s.checkMeta()...)
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
			if _, err := readLogo(b, &a); err != nil {
				problem("audit %s: %v", k, err)
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

// checkMeta checks both meta pages (meta.go) while no commit can rewrite
// them: another process cannot commit while this one holds the file, and on
// a held file a write transaction, begun and rolled back, keeps this
// process's own writers out.
func (s *Store) checkMeta() []string {
	var problems []string
	err := s.withDB(true, func(db *bolt.DB) error {
		if s.opts.Hold && !s.opts.ReadOnly {
			tx, err := db.Begin(true)
			if err != nil {
				return err
			}
			defer tx.Rollback()
		}
		problems = checkMetaPages(s.path)
		return nil
	})
	if err != nil {
		// The file does not even open: the meta pages may say why.
		return checkMetaPages(s.path)
	}
	return problems
}
