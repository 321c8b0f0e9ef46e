package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// Importing a whole audit (cieaudit import, docs/export.md "Import"): an
// audit read from a bundle (export.ReadBundle) is written as it was, with
// its original history sequence numbers, authors and times, its register
// numbers and its evidence, in one write transaction. Nothing is recorded
// in the audit's own history, so that exporting the imported audit gives
// the same files as the bundle; the imports journal says who imported what
// and when.

// bucketImports is the journal of imports: uint64 BE seq → importRecord
// as JSON (append-only), created by the first import.
var bucketImports = []byte("imports")

// importRecord is one entry of the imports journal: counts, never content.
type importRecord struct {
	Audit     string                 `json:"audit"`
	ISTAT     string                 `json:"istat"`
	Year      int                    `json:"year"`
	Catalogue string                 `json:"catalogue"`
	Author    string                 `json:"author"`
	At        string                 `json:"at"`
	Replaced  bool                   `json:"replaced,omitempty"`
	Counts    checklist.ImportCounts `json:"counts"`
}

// ErrAuditExists is returned by ImportAudit when the database already has
// an audit with the imported audit's ID.
var ErrAuditExists = errors.New("audit già presente")

// existsError is ErrAuditExists with the sentence shown to the user.
type existsError struct{ msg string }

func (e existsError) Error() string        { return e.msg }
func (e existsError) Is(target error) bool { return target == ErrAuditExists }

// ImportAudit stores imp, an audit this database does not have, in one
// transaction: the catalogue if it is not stored yet (a different
// catalogue under the same id@version is refused), the audit's info,
// answers, history with its sequence numbers, authors and times,
// evaluations, actions, overrides, plan, baselines, operators, events,
// carried answers, upgrade report, evidence records and contents, stemma,
// and its entry in the audit index. checklist.CheckImported is applied
// again inside the transaction. An ID already stored is refused with
// ErrAuditExists (the merge of two copies is `import --merge`).
func (s *Store) ImportAudit(imp *checklist.ImportedAudit, author string) (checklist.Audit, error) {
	var a checklist.Audit
	err := s.write(func(tx *bolt.Tx) ([]Event, error) {
		id := imp.Snapshot.Audit.ID
		if tx.Bucket(bucketAudits).Bucket([]byte(id)) != nil {
			_, stored, err := readAudit(tx, id)
			if err != nil {
				return nil, err
			}
			return nil, existsError{fmt.Sprintf("l'audit %s (%s, %d) è già in questo database: non viene sostituito; per unire le due copie usare cieaudit import --merge", id, checklist.CleanText(stored.Ente.Name, false), stored.Year)}
		}
		var err error
		if a, err = s.putImported(tx, imp, author, false); err != nil {
			return nil, err
		}
		return []Event{{AuditID: id, Kind: checklist.ChangeAudit, Author: author}}, nil
	})
	if errors.Is(err, ErrAuditExists) {
		return checklist.Audit{}, err
	}
	if err != nil {
		return checklist.Audit{}, fmt.Errorf("importazione dell'audit %s: %w", imp.Snapshot.Audit.ID, err)
	}
	return a, nil
}

// ReplaceAudit rewrites a stored audit as a whole in one transaction: fn
// gets the audit as stored now (snapshot, catalogue and evidence contents)
// and returns what it must become (import --merge computes it with
// checklist.Merge); the old records are deleted and the new ones written
// as ImportAudit writes them, in the same transaction, so that the audit
// is replaced entirely or not at all. fn must not keep current.
func (s *Store) ReplaceAudit(id, author string, fn func(current *checklist.ImportedAudit) (*checklist.ImportedAudit, error)) (checklist.Audit, error) {
	var a checklist.Audit
	err := s.write(func(tx *bolt.Tx) ([]Event, error) {
		current, err := loadImported(tx, id)
		if err != nil {
			return nil, err
		}
		next, err := fn(current)
		if err != nil {
			return nil, err
		}
		if next.Snapshot.Audit.ID != id {
			return nil, fmt.Errorf("l'audit %s non si può sostituire con l'audit %s", id, next.Snapshot.Audit.ID)
		}
		if err := tx.Bucket(bucketAudits).DeleteBucket([]byte(id)); err != nil {
			return nil, err
		}
		if a, err = s.putImported(tx, next, author, true); err != nil {
			return nil, err
		}
		return []Event{{AuditID: id, Kind: checklist.ChangeAudit, Author: author}}, nil
	})
	if err != nil {
		return checklist.Audit{}, fmt.Errorf("sostituzione dell'audit %s: %w", id, err)
	}
	return a, nil
}

// loadImported reads a stored audit whole, as an import holds it.
func loadImported(tx *bolt.Tx, id string) (*checklist.ImportedAudit, error) {
	snap, err := loadSnapshot(tx, id)
	if err != nil {
		return nil, err
	}
	b := tx.Bucket(bucketAudits).Bucket([]byte(id))
	imp := &checklist.ImportedAudit{Snapshot: snap, Evidence: map[string][]byte{}}
	for _, e := range snap.Evidence {
		if imp.Evidence[e.Digest] == nil {
			if imp.Evidence[e.Digest], err = readContent(b, e.Digest); err != nil {
				return nil, err
			}
		}
	}
	if src := tx.Bucket(bucketCatalogues).Get([]byte(snap.Catalogue.Key())); src != nil {
		imp.CatalogueSource = append([]byte(nil), src...)
	}
	return imp, nil
}

// putImported writes imp as a new audit bucket (none may exist under its
// ID) and its index entry, and appends the imports journal entry.
func (s *Store) putImported(tx *bolt.Tx, imp *checklist.ImportedAudit, author string, replaced bool) (checklist.Audit, error) {
	if err := checklist.CheckImported(imp, s.opts.Now()); err != nil {
		return checklist.Audit{}, err
	}
	snap := imp.Snapshot
	a := snap.Audit
	if err := putImportedCatalogue(tx, imp, s.opts.Now()); err != nil {
		return checklist.Audit{}, err
	}
	b, err := tx.Bucket(bucketAudits).CreateBucket([]byte(a.ID))
	if err != nil {
		return checklist.Audit{}, err
	}
	for _, name := range auditBuckets {
		if _, err := b.CreateBucket(name); err != nil {
			return checklist.Audit{}, err
		}
	}
	if err := putJSON(b, keyInfo, a); err != nil {
		return checklist.Audit{}, err
	}
	if err := putRecords(b, imp); err != nil {
		return checklist.Audit{}, err
	}
	at := &auditTx{tx: tx, b: b, audit: a, now: s.opts.Now(), cat: snap.Catalogue}
	if err := at.writeSummary(); err != nil {
		return checklist.Audit{}, err
	}
	journal, err := tx.CreateBucketIfNotExists(bucketImports)
	if err != nil {
		return checklist.Audit{}, err
	}
	journal.FillPercent = appendOnlyFill
	seq, err := journal.NextSequence()
	if err != nil {
		return checklist.Audit{}, err
	}
	rec := importRecord{Audit: a.ID, ISTAT: a.Ente.ISTAT, Year: a.Year, Catalogue: a.CatalogueKey(), Author: authorOr(author),
		At: s.opts.Now().UTC().Format("2006-01-02T15:04:05Z"), Replaced: replaced, Counts: imp.Counts()}
	data, err := json.Marshal(rec)
	if err != nil {
		return checklist.Audit{}, err
	}
	return a, journal.Put(seqKey(seq), data)
}

// putImportedCatalogue stores the imported audit's catalogue unless the
// same bytes are stored already (different bytes under the same id@version
// are refused); without its source the catalogue must be stored with the
// audit's digest.
func putImportedCatalogue(tx *bolt.Tx, imp *checklist.ImportedAudit, now time.Time) error {
	cat := imp.Snapshot.Catalogue
	if err := checklist.CheckBuiltinKey(cat); err != nil {
		return fmt.Errorf("catalogo %s: %w", cat.Key(), err)
	}
	key := cat.Key()
	if imp.CatalogueSource == nil {
		_, err := readCatalogue(tx, key, cat.Digest)
		return err
	}
	stored, err := sameCatalogue(tx, key, imp.CatalogueSource)
	if err != nil || stored {
		return err
	}
	rec, err := json.Marshal(catalogueRecord{Digest: cat.Digest, Filename: key + ".yaml", StoredAt: now.UTC()})
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketCatalogues).Put([]byte(key), imp.CatalogueSource); err != nil {
		return err
	}
	return tx.Bucket(bucketCatalogueInfo).Put([]byte(key), rec)
}

// putRecords writes every per-audit record of imp into the audit's new
// bucket b, under the keys the audit had, and sets the buckets' sequences
// so that new history entries, baselines and evidence numbers continue
// after the imported ones. Buckets that only some audits have are created
// only when there is something to put in them, as the writes that fill
// them do.
func putRecords(b *bolt.Bucket, imp *checklist.ImportedAudit) error {
	snap := imp.Snapshot
	scoped := func(a *checklist.Answer) []byte { return scopedKey(a.Scope, a.Item) }
	for _, put := range []func() error{
		func() error {
			return putList(b, bucketHistory, changeCodec, snap.History, func(c *checklist.Change) []byte { return seqKey(c.Seq) })
		},
		func() error { return putList(b, bucketAnswers, answerCodec, snap.Answers, scoped) },
		func() error {
			return putList(b, bucketEvaluations, evaluationCodec, snap.Evaluations, func(e *checklist.Evaluation) []byte { return scopedKey(e.Scope, e.Section) })
		},
		func() error {
			return putList(b, bucketActions, actionCodec, slices.Collect(maps.Values(snap.Actions)), func(p *checklist.ActionPlan) []byte { return []byte(p.Item) })
		},
		func() error {
			return putList(b, bucketOverrides, overrideCodec, slices.Collect(maps.Values(snap.Overrides)), func(o *checklist.RiskOverride) []byte { return []byte(o.Threat) })
		},
		func() error {
			return putList(b, bucketBaselines, baselineCodec, snap.Baselines, func(x *checklist.Baseline) []byte { return seqKey(uint64(x.Seq)) })
		},
		func() error {
			return putList(b, bucketOperators, operatorCodec, snap.Operators, func(o *checklist.Operator) []byte { return []byte(o.ID) })
		},
		func() error {
			return putList(b, bucketEvents, eventCodec, snap.Events, func(e *checklist.SecurityEvent) []byte { return []byte(e.ID) })
		},
		func() error { return putList(b, bucketCarried, carriedCodec, snap.Carried, scoped) },
	} {
		if err := put(); err != nil {
			return err
		}
	}
	if n := len(snap.History); n > 0 {
		if err := b.Bucket(bucketHistory).SetSequence(snap.History[n-1].Seq); err != nil {
			return err
		}
	}
	if n := len(snap.Baselines); n > 0 {
		if err := b.Bucket(bucketBaselines).SetSequence(uint64(snap.Baselines[n-1].Seq)); err != nil {
			return err
		}
	}
	if snap.Plan != (checklist.Plan{}) {
		if err := putOne(b, bucketPlan, planCodec, keyCurrentPlan, &snap.Plan); err != nil {
			return err
		}
	}
	if snap.Upgrade != nil {
		if err := putOne(b, bucketCarry, upgradeCodec, keyUpgrade, snap.Upgrade); err != nil {
			return err
		}
	}
	if err := putEvidence(b, imp); err != nil {
		return err
	}
	if snap.LogoData != nil {
		return putOne(b, bucketLogoData, evidenceDataCodec, []byte(snap.Audit.Logo.SHA256), &evidenceContent{snap.LogoData})
	}
	return nil
}

// putList stores list in the nested bucket name of b (created if needed,
// only when list is not empty), each record under key(record). The
// buckets whose keys only grow are filled full, as their writers do.
func putList[T any](b *bolt.Bucket, name []byte, c *codec[T], list []T, key func(*T) []byte) error {
	if len(list) == 0 {
		return nil
	}
	nb, err := b.CreateBucketIfNotExists(name)
	if err != nil {
		return err
	}
	if bytes.Equal(name, bucketHistory) || bytes.Equal(name, bucketBaselines) {
		nb.FillPercent = appendOnlyFill
	}
	for i := range list {
		if err := c.put(nb, key(&list[i]), &list[i]); err != nil {
			return err
		}
	}
	return nil
}

// putOne stores one record v under key in the nested bucket name of b.
func putOne[T any](b *bolt.Bucket, name []byte, c *codec[T], key []byte, v *T) error {
	nb, err := b.CreateBucketIfNotExists(name)
	if err != nil {
		return err
	}
	return c.put(nb, key, v)
}

// putEvidence writes the evidence records and contents; the records'
// sequence continues after the highest number the audit ever used
// (checklist.EvidenceSequence), removed files included.
func putEvidence(b *bolt.Bucket, imp *checklist.ImportedAudit) error {
	snap := imp.Snapshot
	seq := checklist.EvidenceSequence(snap)
	if seq == 0 {
		return nil
	}
	rb, err := b.CreateBucket(bucketEvidence)
	if err != nil {
		return err
	}
	if err := rb.SetSequence(seq); err != nil {
		return err
	}
	if len(snap.Evidence) == 0 {
		return nil
	}
	db, err := b.CreateBucket(bucketEvidenceData)
	if err != nil {
		return err
	}
	for i := range snap.Evidence {
		e := &snap.Evidence[i]
		if err := evidenceCodec.put(rb, []byte(e.ID), e); err != nil {
			return err
		}
		if db.Get([]byte(e.Digest)) == nil {
			if err := evidenceDataCodec.put(db, []byte(e.Digest), &evidenceContent{imp.Evidence[e.Digest]}); err != nil {
				return err
			}
		}
	}
	return nil
}
