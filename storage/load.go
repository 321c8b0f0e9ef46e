package storage

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// Load returns everything about one audit, read in one transaction.
//
// The snapshot's Catalogue is the one the audit is pinned to, shared with
// other callers through a per-process cache: treat it as read-only.
func (s *Store) Load(auditID string) (*checklist.Snapshot, error) {
	var snap *checklist.Snapshot
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		snap, err = loadSnapshot(tx, auditID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

func loadSnapshot(tx *bolt.Tx, id string) (*checklist.Snapshot, error) {
	return loadParts(tx, id, ReadAll)
}

// Parts selects what a reader needs of each audit besides its info and
// catalogue: a batch export of one table decodes only what it writes.
type Parts uint8

const (
	ReadAnswers Parts = 1 << iota
	ReadHistory
	ReadEvaluations
	// ReadActions reads the action plans and the risk overrides, what
	// checklist.Assess needs besides the answers.
	ReadActions
	// ReadCycle reads the plan, baselines and registers.
	ReadCycle
	// ReadEvidence reads the evidence records (not their contents).
	ReadEvidence
	// ReadLogo reads the bytes of the stemma (Snapshot.LogoData).
	ReadLogo
	ReadAll = ReadAnswers | ReadHistory | ReadEvaluations | ReadActions | ReadCycle | ReadEvidence | ReadLogo
)

// loadParts reads the audit with the parts asked for; the others are left
// empty in the snapshot.
func loadParts(tx *bolt.Tx, id string, parts Parts) (*checklist.Snapshot, error) {
	b, a, err := readAudit(tx, id)
	if err != nil {
		return nil, err
	}
	cat, err := readCatalogue(tx, a.CatalogueKey(), a.CatalogueDigest)
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", id, err)
	}
	snap := &checklist.Snapshot{
		Audit:     a,
		Catalogue: cat,
		Actions:   map[string]checklist.ActionPlan{},
		Overrides: map[string]checklist.RiskOverride{},
	}
	if parts&ReadAnswers != 0 {
		if snap.Answers, err = readAnswers(b); err != nil {
			return nil, fmt.Errorf("audit %s, risposte: %w", id, err)
		}
		if err := readCarried(b, snap); err != nil {
			return nil, fmt.Errorf("audit %s, %w", id, err)
		}
	}
	if parts&ReadHistory != 0 {
		if snap.History, err = readHistory(b); err != nil {
			return nil, fmt.Errorf("audit %s, cronologia: %w", id, err)
		}
	}
	if parts&ReadEvaluations != 0 {
		if err := evaluationCodec.each(b.Bucket(bucketEvaluations), func(e checklist.Evaluation) {
			snap.Evaluations = append(snap.Evaluations, e)
		}); err != nil {
			return nil, fmt.Errorf("audit %s, valutazioni: %w", id, err)
		}
	}
	if parts&ReadActions != 0 {
		if err := actionCodec.each(b.Bucket(bucketActions), func(p checklist.ActionPlan) {
			snap.Actions[p.Item] = p
		}); err != nil {
			return nil, fmt.Errorf("audit %s, azioni: %w", id, err)
		}
		if err := overrideCodec.each(b.Bucket(bucketOverrides), func(o checklist.RiskOverride) {
			snap.Overrides[o.Threat] = o
		}); err != nil {
			return nil, fmt.Errorf("audit %s, rischi: %w", id, err)
		}
	}
	if parts&ReadCycle != 0 {
		if err := readCycle(b, snap); err != nil {
			return nil, fmt.Errorf("audit %s, %w", id, err)
		}
	}
	if parts&ReadEvidence != 0 {
		if snap.Evidence, err = readEvidence(b); err != nil {
			return nil, fmt.Errorf("audit %s, allegati: %w", id, err)
		}
	}
	if parts&ReadLogo != 0 {
		if snap.LogoData, err = readLogo(b, &snap.Audit); err != nil {
			return nil, fmt.Errorf("audit %s, %w", id, err)
		}
	}
	return snap, nil
}

// EachAudit calls fn with the snapshot of every audit, oldest first.
//
// An audit deleted while the walk is under way is skipped; fn may write to
// the store. The walk stops at the first error fn returns.
func (s *Store) EachAudit(fn func(*checklist.Snapshot) error) error {
	return s.EachAuditParts(ReadAll, fn)
}

// eachBatchRecords bounds the answers and history entries read in one
// transaction of EachAuditParts: the snapshots of a batch are held in memory
// together, a few megabytes.
var eachBatchRecords = 16 << 10

// EachAuditParts is EachAudit reading only parts of each audit. The audits
// are taken from the audit index and read in batches: one transaction (in
// the default locking mode one opening of the file) for as many audits as
// hold about eachBatchRecords records, then fn is called for each of them
// outside the transaction. Memory stays flat whatever the size of the file,
// the file is opened a few dozen times for thousands of audits instead of
// once per audit, and a writer in another process waits at most one batch.
func (s *Store) EachAuditParts(parts Parts, fn func(*checklist.Snapshot) error) error {
	type entry struct {
		id      string
		created time.Time
	}
	var ids []entry
	err := s.view(func(tx *bolt.Tx) error {
		d := decoder{}
		return tx.Bucket(bucketAuditIndex).ForEach(func(k, v []byte) error {
			var r summaryRecord
			if err := indexCodec.decode(k, v, &r, &d); err != nil {
				return fmt.Errorf("%w: %s/%s: %v", ErrCorrupt, bucketAuditIndex, k, err)
			}
			ids = append(ids, entry{string(k), r.CreatedAt})
			return nil
		})
	})
	if err != nil {
		return err
	}
	slices.SortStableFunc(ids, func(a, b entry) int {
		return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.id, b.id))
	})
	var batch []*checklist.Snapshot
	for next := 0; next < len(ids); {
		batch = batch[:0]
		err := s.view(func(tx *bolt.Tx) error {
			audits := tx.Bucket(bucketAudits)
			for records := 0; next < len(ids) && records < eachBatchRecords; next++ {
				id := ids[next].id
				if audits.Bucket([]byte(id)) == nil {
					continue // deleted since the index was read
				}
				snap, err := loadParts(tx, id, parts)
				if err != nil {
					return err
				}
				records += 1 + len(snap.Answers) + len(snap.History)
				batch = append(batch, snap)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, snap := range batch {
			batch[i] = nil // let the audits already written go
			if err := fn(snap); err != nil {
				return err
			}
		}
	}
	return nil
}

// SaveUIState remembers where user left the TUI.
func (s *Store) SaveUIState(user string, st UIState) error {
	if strings.TrimSpace(user) == "" {
		return fmt.Errorf("stato dell'interfaccia: utente mancante")
	}
	return s.update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketUIState), []byte(user), st)
	})
}

// UIState returns where user left the TUI (zero value if never saved).
func (s *Store) UIState(user string) (UIState, error) {
	var st UIState
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketUIState).Get([]byte(user))
		if v == nil {
			return nil
		}
		if err := json.Unmarshal(v, &st); err != nil {
			// A lost cursor position is not worth refusing to start over.
			st = UIState{}
		}
		return nil
	})
	return st, err
}
