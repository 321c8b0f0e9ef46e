package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
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

// summaryRecord is one entry of the audit index. It is stored in a compact
// binary form (see marshal): the list decodes it once per audit every time
// the home screen opens, and JSON decoding was nearly all of that cost.
type summaryRecord struct {
	V         int                `json:"v"`
	ID        string             `json:"id"`
	Ente      string             `json:"ente"`
	ISTAT     string             `json:"istat"`
	Year      int                `json:"year"`
	Status    checklist.Status   `json:"status"`
	Catalogue string             `json:"catalogue"`
	Progress  checklist.Progress `json:"progress"`
	UpdatedAt time.Time          `json:"updated_at"`
}

// indexFormat is the first byte of a binary index record; records written
// as JSON (the first days of schema 3) start with '{' and are still read.
const indexFormat = 2

func (r summaryRecord) marshal() []byte {
	b := make([]byte, 0, 96+len(r.Ente))
	b = append(b, indexFormat)
	for _, s := range []string{r.ID, r.Ente, r.ISTAT, string(r.Status), r.Catalogue} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	p := r.Progress
	for _, n := range []int{r.Year, p.Total, p.Answered, p.Yes, p.No, p.Partial, p.NotApplic, p.Unanswered} {
		b = binary.AppendVarint(b, int64(n))
	}
	return binary.AppendVarint(b, r.UpdatedAt.UnixNano())
}

func (r *summaryRecord) unmarshal(data []byte) error {
	if len(data) > 0 && data[0] == '{' {
		return json.Unmarshal(data, r)
	}
	if len(data) == 0 || data[0] != indexFormat {
		return errors.New("formato del record sconosciuto")
	}
	d := data[1:]
	bad := errors.New("record troncato")
	str := func() string {
		n, k := binary.Uvarint(d)
		if k <= 0 || uint64(len(d)-k) < n {
			d = nil
			return ""
		}
		v := string(d[k : k+int(n)])
		d = d[k+int(n):]
		return v
	}
	num := func() int64 {
		n, k := binary.Varint(d)
		if k <= 0 {
			d = nil
			return 0
		}
		d = d[k:]
		return n
	}
	r.ID, r.Ente, r.ISTAT, r.Status, r.Catalogue = str(), str(), str(), checklist.Status(str()), str()
	p := &r.Progress
	for _, f := range []*int{&r.Year, &p.Total, &p.Answered, &p.Yes, &p.No, &p.Partial, &p.NotApplic, &p.Unanswered} {
		*f = int(num())
	}
	r.UpdatedAt = time.Unix(0, num())
	if d == nil {
		return bad
	}
	return nil
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
	rec := summaryRecord{V: 1, ID: a.ID, Ente: a.Ente.Name, ISTAT: a.Ente.ISTAT, Year: a.Year,
		Status: a.Status, Catalogue: a.CatalogueKey(), UpdatedAt: a.UpdatedAt}
	var old summaryRecord
	if v := index.Get([]byte(a.ID)); v != nil && len(at.answered) > 0 && old.unmarshal(v) == nil {
		rec.Progress = old.Progress
		for _, change := range at.answered {
			it := cat.Item(change[1].Item)
			rec.Progress.Tally(it, change[0], -1)
			rec.Progress.Tally(it, change[1], 1)
		}
		// The record now counts them: a later save in the same transaction
		// must not apply them again.
		at.answered = at.answered[:0]
		return index.Put([]byte(a.ID), rec.marshal())
	}
	answers, err := readAnswers(at.b)
	if err != nil {
		return err
	}
	snap := checklist.Snapshot{Audit: at.audit, Catalogue: cat, Answers: answers}
	rec.Progress = snap.AuditProgress()
	at.answered = at.answered[:0]
	return index.Put([]byte(a.ID), rec.marshal())
}

// listSummaries reads the audit index.
func listSummaries(tx *bolt.Tx) ([]AuditSummary, error) {
	var out []AuditSummary
	err := tx.Bucket(bucketAuditIndex).ForEach(func(k, v []byte) error {
		var r summaryRecord
		if err := r.unmarshal(v); err != nil {
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
