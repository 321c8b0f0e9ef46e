package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// Evidence files of an audit (docs/evidence.md): the records in
// audits/<id>/evidence, keyed by their ID, and the contents in
// audits/<id>/evidence_data, keyed by their SHA-256 in hex, each stored once
// however many records name it. Both are created by the first attachment;
// missing, they read as empty.
var (
	bucketEvidence     = []byte("evidence")      // "al-N" → [x] checklist.Evidence
	bucketEvidenceData = []byte("evidence_data") // sha256 hex → [f] content
)

// evidenceContent is the stored content of one file.
type evidenceContent struct{ Data []byte }

var (
	evidenceCodec = &codec[checklist.Evidence]{name: "allegato", tag: 'x',
		fields: []field[checklist.Evidence]{
			scope(func(e *checklist.Evidence) *checklist.Scope { return &e.Scope }),
			symbol(func(e *checklist.Evidence) *string { return &e.Item }),
			text(func(e *checklist.Evidence) *string { return &e.Name }),
			text(func(e *checklist.Evidence) *string { return &e.Note }),
			symbol(func(e *checklist.Evidence) *string { return &e.Type }),
			integer(func(e *checklist.Evidence) *int64 { return &e.Size }),
			symbol(func(e *checklist.Evidence) *string { return &e.Digest }),
			symbol(func(e *checklist.Evidence) *string { return &e.Author }),
			moment(func(e *checklist.Evidence) *time.Time { return &e.At }),
		},
		fromKey: func(key []byte, e *checklist.Evidence) error { e.ID = string(key); return nil },
	}
	evidenceDataCodec = &codec[evidenceContent]{name: "contenuto di un allegato", tag: 'f',
		fields: []field[evidenceContent]{
			blob(func(c *evidenceContent) *[]byte { return &c.Data }),
		},
		fromKey: func(key []byte, c *evidenceContent) error {
			sum := sha256.Sum256(c.Data)
			if hex.EncodeToString(sum[:]) != string(key) {
				return fmt.Errorf("contenuto diverso dal suo SHA-256 %s", key)
			}
			return nil
		},
	}
)

// AddEvidence attaches data to item at scope (checklist.NewEvidence checks
// it) and records it in the history. The audit must be open.
func (s *Store) AddEvidence(auditID string, scope checklist.Scope, item, name, note string, data []byte, author string) (checklist.Evidence, error) {
	var e checklist.Evidence
	err := s.writeAudit(auditID, func(at *auditTx) error {
		cat, err := at.catalogue()
		if err != nil {
			return err
		}
		existing, err := readEvidence(at.b)
		if err != nil {
			return err
		}
		if e, err = checklist.NewEvidence(&at.audit, cat, scope, item, name, note, data, existing); err != nil {
			return err
		}
		rb, err := at.b.CreateBucketIfNotExists(bucketEvidence)
		if err != nil {
			return err
		}
		db, err := at.b.CreateBucketIfNotExists(bucketEvidenceData)
		if err != nil {
			return err
		}
		seq, err := rb.NextSequence()
		if err != nil {
			return err
		}
		e.ID = "al-" + strconv.FormatUint(seq, 10)
		e.Author, e.At = author, at.now
		if db.Get([]byte(e.Digest)) == nil {
			if err := evidenceDataCodec.put(db, []byte(e.Digest), &evidenceContent{data}); err != nil {
				return err
			}
		}
		if err := evidenceCodec.put(rb, []byte(e.ID), &e); err != nil {
			return err
		}
		if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeEvidence, Scope: e.Scope.String(), Item: e.Item,
			New: e.ID + ": " + checklist.EvidenceSummary(e)}); err != nil {
			return err
		}
		return at.save()
	})
	if err != nil {
		return checklist.Evidence{}, fmt.Errorf("allegato: %w", err)
	}
	return e, nil
}

// RemoveEvidence detaches a file; its content goes when no other record
// names it. The history keeps what was removed (name, type, size, digest).
func (s *Store) RemoveEvidence(auditID, id, author string) (checklist.Evidence, error) {
	var e checklist.Evidence
	err := s.writeAudit(auditID, func(at *auditTx) error {
		rb := at.b.Bucket(bucketEvidence)
		key, err := evidenceKey(rb, id)
		if err != nil {
			return err
		}
		if _, err := evidenceCodec.get(rb, key, &e); err != nil {
			return err
		}
		if err := rb.Delete(key); err != nil {
			return err
		}
		all, err := readEvidence(at.b)
		if err != nil {
			return err
		}
		if !usesDigest(all, e.Digest) {
			if db := at.b.Bucket(bucketEvidenceData); db != nil {
				if err := db.Delete([]byte(e.Digest)); err != nil {
					return err
				}
			}
		}
		if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeEvidence, Scope: e.Scope.String(), Item: e.Item,
			Old: e.ID + ": " + checklist.EvidenceSummary(e)}); err != nil {
			return err
		}
		return at.save()
	})
	if err != nil {
		return checklist.Evidence{}, fmt.Errorf("allegato %s: %w", id, err)
	}
	return e, nil
}

// EvidenceContent returns a file's record and content, checked against its
// digest.
func (s *Store) EvidenceContent(auditID, id string) (checklist.Evidence, []byte, error) {
	var e checklist.Evidence
	var data []byte
	err := s.view(func(tx *bolt.Tx) error {
		b, _, err := readAudit(tx, auditID)
		if err != nil {
			return err
		}
		rb := b.Bucket(bucketEvidence)
		key, err := evidenceKey(rb, id)
		if err != nil {
			return err
		}
		if _, err := evidenceCodec.get(rb, key, &e); err != nil {
			return err
		}
		data, err = readContent(b, e.Digest)
		return err
	})
	if err != nil {
		return checklist.Evidence{}, nil, fmt.Errorf("allegato %s: %w", id, err)
	}
	return e, data, nil
}

// EvidenceContents returns every distinct content of an audit's files by
// digest, for the bundle.
func (s *Store) EvidenceContents(auditID string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := s.view(func(tx *bolt.Tx) error {
		b, _, err := readAudit(tx, auditID)
		if err != nil {
			return err
		}
		all, err := readEvidence(b)
		if err != nil {
			return err
		}
		for _, e := range all {
			if out[e.Digest] == nil {
				if out[e.Digest], err = readContent(b, e.Digest); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("allegati dell'audit %s: %w", auditID, err)
	}
	return out, nil
}

func readContent(b *bolt.Bucket, digest string) ([]byte, error) {
	return readBlob(b, bucketEvidenceData, "contenuto", digest)
}

// readBlob reads the content stored under digest in the nested bucket name
// (evidence_data, logo_data); what names it in the message.
func readBlob(b *bolt.Bucket, name []byte, what, digest string) ([]byte, error) {
	var c evidenceContent
	db := b.Bucket(name)
	if db == nil {
		return nil, fmt.Errorf("%w: %s %s mancante", ErrCorrupt, what, digest)
	}
	found, err := evidenceDataCodec.get(db, []byte(digest), &c)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: %s %s mancante", ErrCorrupt, what, digest)
	}
	// The value lives in the transaction's pages: copy it out.
	return append([]byte(nil), c.Data...), nil
}

// readEvidence lists the audit's file records in ID order (al-1, al-2, …).
func readEvidence(b *bolt.Bucket) ([]checklist.Evidence, error) {
	rb := b.Bucket(bucketEvidence)
	if rb == nil {
		return nil, nil
	}
	var out []checklist.Evidence
	err := evidenceCodec.each(rb, func(e checklist.Evidence) { out = append(out, e) })
	checklist.SortByNumber(out, func(e checklist.Evidence) string { return e.ID })
	return out, err
}

func usesDigest(all []checklist.Evidence, digest string) bool {
	for _, e := range all {
		if e.Digest == digest {
			return true
		}
	}
	return false
}

// evidenceKey finds a file's key, ignoring case ("AL-3" is al-3).
func evidenceKey(rb *bolt.Bucket, id string) ([]byte, error) {
	if rb != nil {
		for _, k := range bucketKeys(rb) {
			if checklist.SameID(k, strings.TrimSpace(id)) {
				return []byte(k), nil
			}
		}
	}
	return nil, fmt.Errorf("allegato %q non presente (vedere cieaudit evidence list)", id)
}
