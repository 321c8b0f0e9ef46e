package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Schema 3 → 4 rewrites every per-audit record (auditRecords) from JSON to
// the binary codecs, adds created_at to the audit index, and compacts: bbolt
// never gives pages back to the file system, so rewriting values in place
// would leave the file as large as before. The migration therefore copies
// the whole database, converted, into a new file next to it, with full
// pages, and renames it over the old one. The old file is first copied to
// the pre-migration backup like every migration, and then marked superseded
// (meta/superseded) in the same write transaction that held it during the
// copy: a process that had opened the old file and waited for its lock sees
// the mark and opens the path again.

// keySuperseded marks a file replaced by a migration's rewritten copy.
var keySuperseded = []byte("superseded")

// errSuperseded is returned by schemaVersion for a superseded file.
var errSuperseded = errors.New("file sostituito da una migrazione: riaprire")

// rewriteBatch bounds the bytes copied in one transaction of the new file,
// so that the migration of a large database needs little memory.
const rewriteBatch = 16 << 20

// rewriteV4 copies the database as tx sees it into a new file in the
// schema-4 layout and renames that over s.path. tx must be the write
// transaction that holds the old file; the caller marks it superseded.
func (s *Store) rewriteV4(tx *bolt.Tx) error {
	return s.rewriteFile("v4", func(w *rewriter) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			switch {
			case bytes.Equal(name, bucketAudits):
				return w.audits(tx, b)
			case bytes.Equal(name, bucketAuditIndex):
				return w.index(tx, b)
			case bytes.Equal(name, bucketMeta):
				return w.flat(name, b, func(k, v []byte) ([]byte, error) {
					if bytes.Equal(k, keySchemaVersion) {
						return schemaVersionValue(4), nil
					}
					return v, nil
				})
			}
			return w.flat(name, b, nil)
		})
	})
}

// rewriteFile writes a new database file next to s.path through fill,
// syncs it and renames it over s.path (the schema-4 migration, the purge).
// The caller holds the old file in a write transaction and marks it
// superseded.
func (s *Store) rewriteFile(what string, fill func(w *rewriter) error) (err error) {
	tmp := filepath.Join(filepath.Dir(s.path), fmt.Sprintf(".%s.%s-%d.tmp", filepath.Base(s.path), what, time.Now().UnixNano()))
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		return fmt.Errorf("creazione della copia riscritta %s: %w", tmp, err)
	}
	defer func() {
		if dst != nil {
			_ = dst.Close()
		}
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	w := &rewriter{dst: dst}
	if err := fill(w); err != nil {
		return err
	}
	if err := w.commit(); err != nil {
		return err
	}
	if err := dst.Sync(); err != nil {
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	dst = nil
	if err := os.Rename(tmp, s.path); err != nil {
		return err
	}
	syncDir(filepath.Dir(s.path))
	return nil
}

// rewriter writes the new file in transactions of about rewriteBatch bytes.
type rewriter struct {
	dst     *bolt.DB
	tx      *bolt.Tx
	written int
	d       decoder
}

// begin returns the open transaction of the new file, committing the
// current one first when it has grown past rewriteBatch.
func (w *rewriter) begin() (*bolt.Tx, error) {
	if w.tx != nil && w.written < rewriteBatch {
		return w.tx, nil
	}
	if err := w.commit(); err != nil {
		return nil, err
	}
	tx, err := w.dst.Begin(true)
	if err != nil {
		return nil, err
	}
	w.tx, w.written = tx, 0
	return tx, nil
}

func (w *rewriter) commit() error {
	if w.tx == nil {
		return nil
	}
	err := w.tx.Commit()
	w.tx = nil
	return err
}

// copyBucket copies src into dst (nested buckets included), passing each
// value through conv when it is not nil.
func (w *rewriter) copyBucket(dst, src *bolt.Bucket, conv func(k, v []byte) ([]byte, error)) error {
	dst.FillPercent = appendOnlyFill
	if err := dst.SetSequence(src.Sequence()); err != nil {
		return err
	}
	return src.ForEach(func(k, v []byte) error {
		if v == nil {
			nb, err := dst.CreateBucket(k)
			if err != nil {
				return err
			}
			return w.copyBucket(nb, src.Bucket(k), nil)
		}
		if conv != nil {
			var err error
			if v, err = conv(k, v); err != nil {
				return fmt.Errorf("%q: %w", k, err)
			}
		}
		w.written += len(k) + len(v)
		return dst.Put(k, v)
	})
}

// flat copies a top-level bucket as it is, or through conv.
func (w *rewriter) flat(name []byte, src *bolt.Bucket, conv func(k, v []byte) ([]byte, error)) error {
	tx, err := w.begin()
	if err != nil {
		return err
	}
	dst, err := tx.CreateBucket(name)
	if err != nil {
		return err
	}
	if err := w.copyBucket(dst, src, conv); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// audits copies every audit, converting its records.
func (w *rewriter) audits(tx *bolt.Tx, src *bolt.Bucket) error {
	t, err := w.begin()
	if err != nil {
		return err
	}
	if _, err := t.CreateBucket(bucketAudits); err != nil {
		return err
	}
	return src.ForEachBucket(func(id []byte) error {
		t, err := w.begin()
		if err != nil {
			return err
		}
		parent := t.Bucket(bucketAudits)
		parent.FillPercent = appendOnlyFill
		ab, err := parent.CreateBucket(id)
		if err != nil {
			return err
		}
		sb := src.Bucket(id)
		return sb.ForEach(func(k, v []byte) error {
			if v != nil {
				w.written += len(k) + len(v)
				return ab.Put(k, v) // info stays JSON
			}
			nb, err := ab.CreateBucket(k)
			if err != nil {
				return err
			}
			var conv func(k, v []byte) ([]byte, error)
			if rt := auditRecords[string(k)]; rt != nil {
				conv = func(key, v []byte) ([]byte, error) { return rt.recode(key, v, &w.d) }
			}
			if err := w.copyBucket(nb, sb.Bucket(k), conv); err != nil {
				return fmt.Errorf("audit %s, %s: %w", id, k, err)
			}
			return nil
		})
	})
}

// index copies the audit index with each audit's creation time added.
func (w *rewriter) index(tx *bolt.Tx, src *bolt.Bucket) error {
	return w.flat(bucketAuditIndex, src, func(k, v []byte) ([]byte, error) {
		var r summaryRecord
		if err := indexCodec.decode(k, v, &r, &w.d); err != nil {
			return nil, err
		}
		_, a, err := readAudit(tx, string(k))
		if err != nil {
			return nil, err
		}
		r.CreatedAt = a.CreatedAt
		return indexCodec.encode(&r), nil
	})
}

// markSuperseded records in the old file that a rewritten copy replaced it.
func markSuperseded(tx *bolt.Tx, now time.Time) error {
	return tx.Bucket(bucketMeta).Put(keySuperseded, []byte(now.UTC().Format(time.RFC3339)))
}

func schemaVersionValue(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
