package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// errNothingToMerge rolls back a merge that would change nothing: a
// repeated import writes nothing at all, not even an empty commit.
var errNothingToMerge = errors.New("nessuna modifica")

// MergeAudit merges incoming, a copy of an audit this database holds
// (typically read from a bundle exported on another machine), into the
// stored audit with checklist.Merge, and writes the merged audit in one
// transaction: the merge and the write see the same state, and a merge
// that changes nothing writes nothing. blobs holds the contents of the
// incoming files by SHA-256 (the stemma's too); only those the database
// lacks are needed. The result lists what changed and every conflict.
func (s *Store) MergeAudit(incoming *checklist.Snapshot, blobs map[string][]byte, author string) (*checklist.MergeResult, error) {
	id := incoming.Audit.ID
	var res *checklist.MergeResult
	err := s.write(func(tx *bolt.Tx) ([]Event, error) {
		local, err := loadSnapshot(tx, id)
		if err != nil {
			return nil, err
		}
		if res, err = checklist.Merge(local, incoming); err != nil {
			return nil, err
		}
		if !res.Changed {
			return nil, errNothingToMerge
		}
		at, err := s.openAudit(tx, id, true)
		if err != nil {
			return nil, err
		}
		if blobs == nil {
			blobs = map[string][]byte{}
		}
		if res.Snapshot.LogoData != nil && res.Snapshot.Audit.Logo != nil {
			blobs[res.Snapshot.Audit.Logo.SHA256] = res.Snapshot.LogoData
		}
		if err := at.replaceContent(res.Snapshot, blobs); err != nil {
			return nil, err
		}
		return []Event{{AuditID: id, Kind: checklist.ChangeAudit, Author: author}}, nil
	})
	if errors.Is(err, errNothingToMerge) {
		return res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unione dell'audit %s: %w", id, err)
	}
	return res, nil
}

// replacedBuckets are the per-audit buckets replaceContent rewrites whole;
// the contents of files and of the stemma are kept and completed instead.
var replacedBuckets = [][]byte{bucketAnswers, bucketHistory, bucketEvaluations, bucketActions, bucketOverrides,
	bucketPlan, bucketBaselines, bucketOperators, bucketEvents, bucketCarried, bucketCarry, bucketEvidence}

// replaceContent makes the audit's records exactly snap's: info, answers,
// history (numbered as in snap), evaluations, actions, overrides, the
// yearly cycle, the carried answers and the files. A file's content is
// taken from the database when it has it, else from blobs (checked against
// its digest); contents no record names any more are deleted. The audit
// index is recounted.
func (at *auditTx) replaceContent(snap *checklist.Snapshot, blobs map[string][]byte) error {
	b := at.b
	var evidenceSeq uint64
	if eb := b.Bucket(bucketEvidence); eb != nil {
		evidenceSeq = eb.Sequence()
	}
	for _, name := range replacedBuckets {
		if b.Bucket(name) != nil {
			if err := b.DeleteBucket(name); err != nil {
				return err
			}
		}
	}
	for _, name := range auditBuckets {
		if _, err := b.CreateBucket(name); err != nil {
			return err
		}
	}
	nested := func(name []byte) (*bolt.Bucket, error) {
		nb, err := b.CreateBucketIfNotExists(name)
		if err == nil {
			nb.FillPercent = appendOnlyFill // filled in key order
		}
		return nb, err
	}
	for i := range snap.Answers {
		a := &snap.Answers[i]
		if err := answerCodec.put(b.Bucket(bucketAnswers), scopedKey(a.Scope, a.Item), a); err != nil {
			return err
		}
	}
	hb := b.Bucket(bucketHistory)
	hb.FillPercent = appendOnlyFill
	for i := range snap.History {
		c := &snap.History[i]
		if err := changeCodec.put(hb, seqKey(c.Seq), c); err != nil {
			return err
		}
		if c.Seq > hb.Sequence() {
			if err := hb.SetSequence(c.Seq); err != nil {
				return err
			}
		}
	}
	for i := range snap.Evaluations {
		e := &snap.Evaluations[i]
		if err := evaluationCodec.put(b.Bucket(bucketEvaluations), scopedKey(e.Scope, e.Section), e); err != nil {
			return err
		}
	}
	for k, p := range snap.Actions {
		if err := actionCodec.put(b.Bucket(bucketActions), []byte(k), &p); err != nil {
			return err
		}
	}
	for k, o := range snap.Overrides {
		if err := overrideCodec.put(b.Bucket(bucketOverrides), []byte(k), &o); err != nil {
			return err
		}
	}
	if snap.Plan != (checklist.Plan{}) {
		pb, err := nested(bucketPlan)
		if err != nil {
			return err
		}
		if err := planCodec.put(pb, keyCurrentPlan, &snap.Plan); err != nil {
			return err
		}
	}
	if err := putAll(nested, bucketBaselines, baselineCodec, snap.Baselines, func(v checklist.Baseline) []byte { return seqKey(uint64(v.Seq)) }); err != nil {
		return err
	}
	if err := putAll(nested, bucketOperators, operatorCodec, snap.Operators, func(v checklist.Operator) []byte { return []byte(v.ID) }); err != nil {
		return err
	}
	if err := putAll(nested, bucketEvents, eventCodec, snap.Events, func(v checklist.SecurityEvent) []byte { return []byte(v.ID) }); err != nil {
		return err
	}
	if err := putAll(nested, bucketCarried, carriedCodec, snap.Carried, func(v checklist.Answer) []byte { return scopedKey(v.Scope, v.Item) }); err != nil {
		return err
	}
	if snap.Upgrade != nil {
		ub, err := nested(bucketCarry)
		if err != nil {
			return err
		}
		if err := upgradeCodec.put(ub, keyUpgrade, snap.Upgrade); err != nil {
			return err
		}
	}
	if err := putAll(nested, bucketEvidence, evidenceCodec, snap.Evidence, func(v checklist.Evidence) []byte { return []byte(v.ID) }); err != nil {
		return err
	}
	if err := at.replaceEvidenceSequence(snap, evidenceSeq); err != nil {
		return err
	}
	var digests []string
	for _, e := range snap.Evidence {
		digests = append(digests, e.Digest)
	}
	if err := keepContents(b, bucketEvidenceData, digests, blobs, "allegato"); err != nil {
		return err
	}
	var logo []string
	if snap.Audit.Logo != nil {
		logo = []string{snap.Audit.Logo.SHA256}
	}
	if err := keepContents(b, bucketLogoData, logo, blobs, "stemma"); err != nil {
		return err
	}
	at.audit = snap.Audit
	if err := putJSON(b, keyInfo, at.audit); err != nil {
		return err
	}
	return at.writeSummary()
}

// putAll writes list into the nested bucket name (created only when list
// has records).
func putAll[T any](nested func([]byte) (*bolt.Bucket, error), name []byte, c *codec[T], list []T, key func(T) []byte) error {
	if len(list) == 0 {
		return nil
	}
	nb, err := nested(name)
	if err != nil {
		return err
	}
	for i := range list {
		if err := c.put(nb, key(list[i]), &list[i]); err != nil {
			return err
		}
	}
	return nil
}

// replaceEvidenceSequence keeps file numbers from being reused: the
// sequence stays above every number the bucket gave and every number the
// merged records and history name.
func (at *auditTx) replaceEvidenceSequence(snap *checklist.Snapshot, seq uint64) error {
	for _, e := range snap.Evidence {
		seq = max(seq, evidenceNumber(e.ID))
	}
	for _, c := range snap.History {
		if c.Kind == checklist.ChangeEvidence {
			for _, t := range []string{c.New, c.Old} {
				if id, _, ok := strings.Cut(t, ": "); ok {
					seq = max(seq, evidenceNumber(id))
				}
			}
		}
	}
	if seq == 0 {
		return nil
	}
	eb, err := at.b.CreateBucketIfNotExists(bucketEvidence)
	if err != nil {
		return err
	}
	return eb.SetSequence(seq)
}

func evidenceNumber(id string) uint64 {
	n, err := strconv.ParseUint(strings.TrimPrefix(id, "al-"), 10, 64)
	if err != nil || !strings.HasPrefix(id, "al-") {
		return 0
	}
	return n
}

// keepContents makes the content bucket name hold exactly the digests
// named: those it lacks come from blobs, checked, and the others go.
func keepContents(b *bolt.Bucket, name []byte, digests []string, blobs map[string][]byte, what string) error {
	want := map[string]bool{}
	for _, d := range digests {
		want[d] = true
	}
	cb := b.Bucket(name)
	if cb == nil && len(want) == 0 {
		return nil
	}
	if cb == nil {
		var err error
		if cb, err = b.CreateBucket(name); err != nil {
			return err
		}
	}
	for _, k := range bucketKeys(cb) {
		if !want[k] {
			if err := cb.Delete([]byte(k)); err != nil {
				return err
			}
		}
	}
	for d := range want {
		if cb.Get([]byte(d)) != nil {
			continue
		}
		data, ok := blobs[d]
		if !ok {
			return fmt.Errorf("contenuto del file (%s) con sha256 %s mancante", what, d)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != d {
			return fmt.Errorf("contenuto del file (%s) diverso dal suo sha256 %s", what, d)
		}
		if err := evidenceDataCodec.put(cb, []byte(d), &evidenceContent{data}); err != nil {
			return err
		}
	}
	return nil
}
