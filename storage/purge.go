package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// bucketPurges is the journal of purges: who purged which ente, when, and
// how many records went (counts only, never content).
var bucketPurges = []byte("purges")

// PurgeReport is what a purge removed, in counts, and the files that may
// still hold the ente's data.
type PurgeReport struct {
	ISTAT    string    `json:"istat"`
	Author   string    `json:"author"`
	At       time.Time `json:"at"`
	Audits   int       `json:"audits"`
	Answers  int       `json:"answers"`
	History  int       `json:"history"`
	Evidence int       `json:"evidence"`
	Events   int       `json:"events"`
	UIStates int       `json:"ui_states"`
	// Journal counts the deleted_audits and access-log entries naming
	// the ente's audits, removed too.
	Journal int `json:"journal"`
	// Backups are files next to the database that predate the purge
	// (migration and backup copies): they still hold the data.
	Backups []string `json:"-"`
}

// Purge removes every audit of the ente with ISTAT code istat and
// everything under them (answers, history, evidence, cycle records), the UI
// states pointing at them, the deleted_audits entries of the ente and the
// access-log entries naming its audits. bbolt does not zero freed pages, so
// the database is then rewritten, from the purging transaction's own view,
// into a new file with full pages, synced and renamed over the old one while
// that transaction still holds the lock; the old file is marked superseded,
// so any process waiting on it reopens the path. The purge itself is
// recorded (counts only) in the purges journal of the new file.
func (s *Store) Purge(istat, author string) (PurgeReport, error) {
	istat, err := checklist.CheckISTAT(istat)
	if err != nil {
		return PurgeReport{}, err
	}
	if author == "" {
		author = unknownAuthor
	}
	r := PurgeReport{ISTAT: istat, Author: author, At: s.opts.Now().UTC()}
	err = s.update(func(tx *bolt.Tx) error {
		r = PurgeReport{ISTAT: istat, Author: author, At: r.At}
		ids, names, err := auditsOfEnte(tx, istat)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return fmt.Errorf("nessun audit dell'ente con codice ISTAT %s: nulla da eliminare", istat)
		}
		audits := tx.Bucket(bucketAudits)
		for _, id := range ids {
			if b := audits.Bucket([]byte(id)); b != nil {
				r.Answers += countKeys(b.Bucket(bucketAnswers))
				r.History += countKeys(b.Bucket(bucketHistory))
				r.Evidence += countKeys(b.Bucket(bucketEvidence))
				r.Events += countKeys(b.Bucket(bucketEvents))
				if err := audits.DeleteBucket([]byte(id)); err != nil {
					return err
				}
			}
			if err := tx.Bucket(bucketAuditIndex).Delete([]byte(id)); err != nil {
				return err
			}
			r.Audits++
		}
		named := func(v []byte) bool {
			for _, id := range ids {
				if bytes.Contains(v, []byte(id)) {
					return true
				}
			}
			for _, n := range names {
				if n != "" && bytes.Contains(v, []byte(`"ente":`+quoteJSON(n))) {
					return true
				}
			}
			return false
		}
		if r.UIStates, err = deleteWhere(tx.Bucket(bucketUIState), named); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketDeleted, accessLogBucketName, bucketImports} {
			n, err := deleteWhere(tx.Bucket(name), named)
			if err != nil {
				return err
			}
			r.Journal += n
		}
		journal, err := tx.CreateBucketIfNotExists(bucketPurges)
		if err != nil {
			return err
		}
		journal.FillPercent = appendOnlyFill
		seq, err := journal.NextSequence()
		if err != nil {
			return err
		}
		if err := putJSON(journal, seqKey(seq), r); err != nil {
			return err
		}
		if err := s.rewriteCompact(tx); err != nil {
			return fmt.Errorf("riscrittura del database dopo l'eliminazione: %w", err)
		}
		return markSuperseded(tx, s.opts.Now())
	})
	if err != nil {
		return PurgeReport{}, fmt.Errorf("eliminazione dei dati dell'ente %s: %w", istat, err)
	}
	if err := s.reopenHeld(); err != nil {
		return r, err
	}
	r.Backups = siblingCopies(s.path)
	return r, nil
}

// auditsOfEnte lists the IDs and ente names of the audits with istat.
func auditsOfEnte(tx *bolt.Tx, istat string) (ids, names []string, err error) {
	d := decoder{}
	err = tx.Bucket(bucketAuditIndex).ForEach(func(k, v []byte) error {
		var rec summaryRecord
		if err := indexCodec.decode(k, v, &rec, &d); err != nil {
			return fmt.Errorf("%w: indice %q: %v", ErrCorrupt, k, err)
		}
		if rec.ISTAT == istat {
			ids = append(ids, string(k))
			names = append(names, rec.Ente)
		}
		return nil
	})
	return ids, names, err
}

func countKeys(b *bolt.Bucket) int {
	if b == nil {
		return 0
	}
	return b.Stats().KeyN
}

// deleteWhere deletes the values of b for which match holds.
func deleteWhere(b *bolt.Bucket, match func(v []byte) bool) (int, error) {
	if b == nil {
		return 0, nil
	}
	var keys [][]byte
	if err := b.ForEach(func(k, v []byte) error {
		if v != nil && match(v) {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// rewriteCompact copies the database as tx sees it, bucket by bucket with
// full pages, into a new file renamed over s.path. tx must be the write
// transaction holding the old file.
func (s *Store) rewriteCompact(tx *bolt.Tx) error {
	return s.rewriteFile("purge", func(w *rewriter) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return w.flat(name, b, nil) })
	})
}

// siblingCopies lists the files next to the database that are copies of it
// (pre-migration and backup copies named after it).
func siblingCopies(path string) []string {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return nil
	}
	base := filepath.Base(path)
	var out []string
	for _, e := range entries {
		n := e.Name()
		if n != base && strings.HasPrefix(n, base+".") && !strings.HasSuffix(n, ".tmp") && !strings.HasSuffix(n, ".lock") {
			out = append(out, filepath.Join(filepath.Dir(path), n))
		}
	}
	return out
}
