package storage

import (
	"errors"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// An audit carried from its predecessor (checklist.PlanCarry) keeps the
// predecessor's answers to re-verify in its own bucket, beside the answers,
// and the upgrade report; both are created by the carry and read as empty
// when missing, so other audits need neither.
var (
	bucketCarried = []byte("carried") // "scope\x00item" → [c] the previous answer
	bucketCarry   = []byte("carry")   // keyUpgrade → [u] checklist.UpgradeReport as JSON
	keyUpgrade    = []byte("report")
)

var (
	carriedCodec = &codec[checklist.Answer]{name: "risposta riportata", tag: 'c',
		fields:  answerCodec.fields[:4], // value, note, author, at: the previous answer as it was
		fromKey: answerCodec.fromKey,
	}
	upgradeCodec = &codec[checklist.UpgradeReport]{name: "rapporto di riporto", tag: 'u'}
)

// PlanCarry is the carry of prevID as it would be done now, for the
// report shown before the audit is created (CreateCarried computes it
// again in its own transaction). catalogue is "" for the predecessor's,
// or "id@version" of a stored catalogue.
func (s *Store) PlanCarry(prevID, catalogue string, req checklist.CarryRequest) (checklist.CarryPlan, error) {
	var plan checklist.CarryPlan
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		plan, err = planCarry(tx, prevID, catalogue, req)
		return err
	})
	return plan, err
}

func planCarry(tx *bolt.Tx, prevID, catalogue string, req checklist.CarryRequest) (checklist.CarryPlan, error) {
	prev, err := loadSnapshot(tx, prevID)
	if err != nil {
		return checklist.CarryPlan{}, err
	}
	if catalogue != "" && catalogue != prev.Catalogue.Key() {
		rec, err := catalogueInfo(tx, catalogue)
		if err != nil {
			return checklist.CarryPlan{}, err
		}
		if req.Catalogue, err = readCatalogue(tx, catalogue, rec.Digest); err != nil {
			return checklist.CarryPlan{}, err
		}
	}
	return checklist.PlanCarry(prev, req)
}

// CreateCarried creates the audit that follows prevID in one transaction:
// the audit linked to its predecessor, the carried answers, evaluations,
// actions not done and operators, the upgrade report and one history
// entry saying where it comes from. It exists complete or not at all.
func (s *Store) CreateCarried(prevID, catalogue string, req checklist.CarryRequest, author string) (checklist.Audit, checklist.UpgradeReport, error) {
	var a checklist.Audit
	var rep checklist.UpgradeReport
	now := s.opts.Now()
	if req.Today == "" {
		req.Today = checklist.LocalDay(now)
	}
	err := s.write(func(tx *bolt.Tx) ([]Event, error) {
		plan, err := planCarry(tx, prevID, catalogue, req)
		if err != nil {
			return nil, err
		}
		if err := validateAudit(&plan.Audit); err != nil {
			return nil, err
		}
		at, err := createAudit(tx, plan.Audit, author, now)
		if err != nil {
			return nil, err
		}
		cb, err := at.b.CreateBucket(bucketCarried)
		if err != nil {
			return nil, err
		}
		cb.FillPercent = appendOnlyFill // keys arrive in order
		for i := range plan.Carried {
			c := &plan.Carried[i]
			if err := carriedCodec.put(cb, scopedKey(c.Scope, c.Item), c); err != nil {
				return nil, err
			}
		}
		at.reason = fmt.Sprintf("riportata dall'audit %s (%d)", prevID, plan.Report.PredecessorYear)
		if l := plan.Audit.Logo; l != nil {
			if err := at.copyLogo(tx.Bucket(bucketAudits).Bucket([]byte(prevID)), &plan.Audit); err != nil {
				return nil, fmt.Errorf("stemma: %w", err)
			}
			if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeAudit, New: "stemma: " + l.Summary()}); err != nil {
				return nil, err
			}
		}
		for _, e := range plan.Evaluations {
			if err := at.saveEvaluation(e); err != nil {
				return nil, fmt.Errorf("valutazione della sezione %s (%s): %w", e.Section, e.Scope.String(), err)
			}
		}
		for _, p := range plan.Actions {
			if err := at.saveActionPlan(p, author); err != nil {
				return nil, fmt.Errorf("azione %s: %w", p.Item, err)
			}
		}
		if len(plan.Operators) > 0 {
			ob, err := at.cycleBucket(bucketOperators)
			if err != nil {
				return nil, err
			}
			for i := range plan.Operators {
				o := &plan.Operators[i]
				if err := operatorCodec.put(ob, []byte(o.ID), o); err != nil {
					return nil, err
				}
				if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeOperator, Item: o.ID, New: checklist.OperatorSummary(*o)}); err != nil {
					return nil, err
				}
			}
		}
		at.reason = ""
		ub, err := at.b.CreateBucket(bucketCarry)
		if err != nil {
			return nil, err
		}
		if err := upgradeCodec.put(ub, keyUpgrade, &plan.Report); err != nil {
			return nil, err
		}
		if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeCarry,
			New: strings.Join(plan.Report.Lines(), "\n")}); err != nil {
			return nil, err
		}
		if err := at.save(); err != nil {
			return nil, err
		}
		a, rep = at.audit, plan.Report
		return changeEvents(a.ID, at.changes), nil
	})
	if err != nil {
		return checklist.Audit{}, checklist.UpgradeReport{}, fmt.Errorf("creazione dell'audit dal precedente %s: %w", prevID, err)
	}
	return a, rep, nil
}

// ErrNotCarried is returned when confirming an item with no carried answer
// waiting.
var ErrNotCarried = errors.New("nessuna risposta dell'audit precedente da confermare per questa voce")

// ConfirmCarried saves the carried answer of item at scope as the answer of
// the audit, as it was, and records where it comes from.
func (s *Store) ConfirmCarried(auditID string, scope checklist.Scope, item, author string) (checklist.SaveResult, error) {
	var res checklist.SaveResult
	err := s.writeAudit(auditID, func(at *auditTx) error {
		var prev checklist.Answer
		ok := false
		if cb := at.bucket(bucketCarried); cb != nil {
			var err error
			if ok, err = carriedCodec.get(cb, scopedKey(scope, item), &prev); err != nil {
				return err
			}
		}
		if !ok {
			return ErrNotCarried
		}
		at.reason = checklist.CarryReason(prev)
		defer func() { at.reason = "" }()
		var err error
		res, err = at.saveAnswer(checklist.Confirm(prev, author, at.now), -1, false)
		return err
	})
	if err != nil {
		return checklist.SaveResult{}, fmt.Errorf("conferma di %s (%s): %w", item, scope.String(), err)
	}
	return res, nil
}

// settleCarried removes the carried answer of an item once it is answered.
func (at *auditTx) settleCarried(a checklist.Answer) error {
	if a.Value == "" {
		return nil
	}
	if cb := at.bucket(bucketCarried); cb != nil {
		return cb.Delete(scopedKey(a.Scope, a.Item))
	}
	return nil
}

// readCarried fills the snapshot's carried answers and upgrade report.
func readCarried(b *bolt.Bucket, snap *checklist.Snapshot) error {
	if err := forEachIn(b, bucketCarried, carriedCodec, func(a checklist.Answer) { snap.Carried = append(snap.Carried, a) }); err != nil {
		return fmt.Errorf("risposte riportate: %w", err)
	}
	if ub := b.Bucket(bucketCarry); ub != nil {
		var r checklist.UpgradeReport
		ok, err := upgradeCodec.get(ub, keyUpgrade, &r)
		if err != nil {
			return fmt.Errorf("rapporto di riporto: %w", err)
		}
		if ok {
			snap.Upgrade = &r
		}
	}
	return nil
}

// LoadChain is Load with the audit's predecessors in Snapshot.Previous,
// nearest first, at most depth of them, read in the same transaction. A
// predecessor deleted since ends the chain.
func (s *Store) LoadChain(auditID string, depth int) (*checklist.Snapshot, error) {
	var snap *checklist.Snapshot
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		if snap, err = loadSnapshot(tx, auditID); err != nil {
			return err
		}
		seen := map[string]bool{auditID: true}
		for p := snap.Audit.Predecessor; p != "" && !seen[p] && len(snap.Previous) < depth; {
			seen[p] = true
			prev, err := loadSnapshot(tx, p)
			if errors.Is(err, ErrNotFound) {
				break
			}
			if err != nil {
				return err
			}
			snap.Previous = append(snap.Previous, prev)
			p = prev.Audit.Predecessor
		}
		return nil
	})
	return snap, err
}
