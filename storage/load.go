package storage

import (
	"encoding/json"
	"fmt"
	"sort"
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
	if snap.Answers, err = readAnswers(b); err != nil {
		return nil, fmt.Errorf("audit %s, risposte: %w", id, err)
	}
	if snap.History, err = readHistory(b); err != nil {
		return nil, fmt.Errorf("audit %s, cronologia: %w", id, err)
	}
	if err := evaluationCodec.each(b.Bucket(bucketEvaluations), func(e checklist.Evaluation) {
		snap.Evaluations = append(snap.Evaluations, e)
	}); err != nil {
		return nil, fmt.Errorf("audit %s, valutazioni: %w", id, err)
	}
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
	if err := readCycle(b, snap); err != nil {
		return nil, fmt.Errorf("audit %s, %w", id, err)
	}
	return snap, nil
}

// EachAudit calls fn with the snapshot of every audit, oldest first, each
// read in its own short transaction so that memory stays flat and writers
// are never blocked for long.
//
// An audit deleted while the walk is under way is skipped; fn may write to
// the store. The walk stops at the first error fn returns.
func (s *Store) EachAudit(fn func(*checklist.Snapshot) error) error {
	type entry struct {
		id      string
		created time.Time
	}
	var ids []entry
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAudits).ForEachBucket(func(k []byte) error {
			_, a, err := readAudit(tx, string(k))
			if err != nil {
				return err
			}
			ids = append(ids, entry{a.ID, a.CreatedAt})
			return nil
		})
	})
	if err != nil {
		return err
	}
	sort.SliceStable(ids, func(i, j int) bool {
		if !ids[i].created.Equal(ids[j].created) {
			return ids[i].created.Before(ids[j].created)
		}
		return ids[i].id < ids[j].id
	})
	for _, e := range ids {
		var snap *checklist.Snapshot
		err := s.view(func(tx *bolt.Tx) error {
			if tx.Bucket(bucketAudits).Bucket([]byte(e.id)) == nil {
				return nil
			}
			var err error
			snap, err = loadSnapshot(tx, e.id)
			return err
		})
		if err != nil {
			return err
		}
		if snap == nil {
			continue
		}
		if err := fn(snap); err != nil {
			return err
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
