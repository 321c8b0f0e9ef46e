package storage

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// bucketAuditIndex maps every audit ID to the little the audit list needs.
// Reading one flat bucket of small records is far cheaper than opening each
// audit's nested buckets and decoding its answers, so the home screen opens
// at once on a database with thousands of audits (schema version 3). Every
// write through auditTx.save rewrites the audit's record in the same
// transaction.
var bucketAuditIndex = []byte("audit_index")

// summaryRecord is one entry of the audit index. It is stored through
// indexCodec: the list decodes it once per audit every time the home screen
// opens, and JSON decoding was nearly all of that cost.
type summaryRecord struct {
	ID        string             `json:"id"`
	Ente      string             `json:"ente"`
	ISTAT     string             `json:"istat"`
	Year      int                `json:"year"`
	Status    checklist.Status   `json:"status"`
	Catalogue string             `json:"catalogue"`
	Progress  checklist.Progress `json:"progress"`
	UpdatedAt time.Time          `json:"updated_at"`
	// CreatedAt orders the batch export (schema 4; zero in records
	// written before).
	CreatedAt time.Time `json:"created_at"`
}

// indexCodec keeps the layout the index had since schema 3 (tag 2), with
// created_at appended in schema 4.
var indexCodec = &codec[summaryRecord]{name: "indice dell'audit", tag: 2,
	fields: []field[summaryRecord]{
		text(func(r *summaryRecord) *string { return &r.ID }),
		text(func(r *summaryRecord) *string { return &r.Ente }),
		text(func(r *summaryRecord) *string { return &r.ISTAT }),
		symbol(func(r *summaryRecord) *checklist.Status { return &r.Status }),
		symbol(func(r *summaryRecord) *string { return &r.Catalogue }),
		integer(func(r *summaryRecord) *int { return &r.Year }),
		integer(func(r *summaryRecord) *int { return &r.Progress.Total }),
		integer(func(r *summaryRecord) *int { return &r.Progress.Answered }),
		integer(func(r *summaryRecord) *int { return &r.Progress.Yes }),
		integer(func(r *summaryRecord) *int { return &r.Progress.No }),
		integer(func(r *summaryRecord) *int { return &r.Progress.Partial }),
		integer(func(r *summaryRecord) *int { return &r.Progress.NotApplic }),
		integer(func(r *summaryRecord) *int { return &r.Progress.Unanswered }),
		moment(func(r *summaryRecord) *time.Time { return &r.UpdatedAt }),
		moment(func(r *summaryRecord) *time.Time { return &r.CreatedAt }),
	},
}

func (r summaryRecord) summary() AuditSummary {
	return AuditSummary{ID: r.ID, Ente: r.Ente, ISTAT: r.ISTAT, Year: r.Year, Status: r.Status,
		Catalogue: r.Catalogue, Progress: r.Progress, UpdatedAt: r.UpdatedAt}
}

// writeSummary rewrites the audit's index record. When the transaction only
// replaced answers, the stored progress is adjusted by their difference:
// saving an answer then costs the same in an audit of ten answers or of a
// thousand. Anything else (a new audit, changed scopes) recounts.
func (at *auditTx) writeSummary() error {
	cat, err := at.catalogue()
	if err != nil {
		return err
	}
	a := &at.audit
	index := at.tx.Bucket(bucketAuditIndex)
	rec := summaryRecord{ID: a.ID, Ente: a.Ente.Name, ISTAT: a.Ente.ISTAT, Year: a.Year,
		Status: a.Status, Catalogue: a.CatalogueKey(), UpdatedAt: a.UpdatedAt, CreatedAt: a.CreatedAt}
	var old summaryRecord
	if v := index.Get([]byte(a.ID)); v != nil && len(at.answered) > 0 && indexCodec.decode(nil, v, &old, &decoder{}) == nil {
		rec.Progress = old.Progress
		for _, change := range at.answered {
			it := cat.Item(change[1].Item)
			rec.Progress.Tally(it, change[0], -1)
			rec.Progress.Tally(it, change[1], 1)
		}
		// The record now counts them: a later save in the same transaction
		// must not apply them again.
		at.answered = at.answered[:0]
		return indexCodec.put(index, []byte(a.ID), &rec)
	}
	answers, err := readAnswers(at.b)
	if err != nil {
		return err
	}
	snap := checklist.Snapshot{Audit: at.audit, Catalogue: cat, Answers: answers}
	rec.Progress = snap.AuditProgress()
	at.answered = at.answered[:0]
	return indexCodec.put(index, []byte(a.ID), &rec)
}

// listSummaries reads the audit index.
func listSummaries(tx *bolt.Tx) ([]AuditSummary, error) {
	index := tx.Bucket(bucketAuditIndex)
	out := make([]AuditSummary, 0, index.Stats().KeyN)
	d := decoder{symbols: map[string]string{}}
	err := index.ForEach(func(k, v []byte) error {
		var r summaryRecord
		if err := indexCodec.decode(k, v, &r, &d); err != nil {
			return fmt.Errorf("%w: %s/%s: %v", ErrCorrupt, bucketAuditIndex, k, err)
		}
		out = append(out, r.summary())
		return nil
	})
	return out, err
}

// migrateV2toV3 builds the audit index.
func migrateV2toV3(tx *bolt.Tx, now time.Time) error {
	if _, err := tx.CreateBucketIfNotExists(bucketAuditIndex); err != nil {
		return err
	}
	audits := tx.Bucket(bucketAudits)
	return audits.ForEachBucket(func(k []byte) error {
		b, a, err := readAudit(tx, string(k))
		if err != nil {
			return err
		}
		at := &auditTx{tx: tx, b: b, audit: a, now: now}
		return at.writeSummary()
	})
}
