package storage

import (
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// The yearly cycle's per-audit buckets. They are created by the first write
// that needs them, so audits stored before they existed need no migration:
// a missing bucket reads as empty.
var (
	bucketPlan      = []byte("plan")      // keyCurrentPlan → checklist.Plan
	bucketBaselines = []byte("baselines") // uint64 BE seq → checklist.Baseline
	bucketOperators = []byte("operators") // id → checklist.Operator
	bucketEvents    = []byte("events")    // id → checklist.SecurityEvent

	keyCurrentPlan = []byte("current")
)

// writeCycle runs fn on an audit for a write to its cycle records. Unlike
// answers these are kept after the audit is closed: the plan is sent, the
// registers kept and the schede written after the audit ends.
func (s *Store) writeCycle(id string, fn func(at *auditTx) error) error {
	return s.editAudit(id, true, fn)
}

// today is the transaction's calendar day, in Italian time.
func (at *auditTx) today() string { return checklist.LocalDay(at.now) }

func (at *auditTx) cycleBucket(name []byte) (*bolt.Bucket, error) {
	return at.b.CreateBucketIfNotExists(name)
}

// SavePlan applies a change to the audit's plan (checklist.ApplyPlanChange)
// and records it in the history. A change that records a transmission also
// fixes the baseline: what the plan describes at that moment. sent reports
// that it did.
func (s *Store) SavePlan(auditID string, c checklist.PlanChange, author string) (plan checklist.Plan, sent bool, err error) {
	err = s.writeCycle(auditID, func(at *auditTx) (err error) {
		plan, sent, err = at.savePlan(c, author)
		return err
	})
	if err != nil {
		return checklist.Plan{}, false, fmt.Errorf("piano dell'audit %s: %w", auditID, err)
	}
	return plan, sent, nil
}

func (at *auditTx) savePlan(c checklist.PlanChange, author string) (plan checklist.Plan, sent bool, err error) {
	pb, err := at.cycleBucket(bucketPlan)
	if err != nil {
		return plan, false, err
	}
	var old checklist.Plan
	if _, err := planCodec.get(pb, keyCurrentPlan, &old); err != nil {
		return plan, false, err
	}
	plan, sent, err = checklist.ApplyPlanChange(old, c, at.today())
	if err != nil || plan == old {
		return plan, false, err
	}
	if err := planCodec.put(pb, keyCurrentPlan, &plan); err != nil {
		return plan, false, err
	}
	if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangePlan, Old: planSummary(old), New: planSummary(plan)}); err != nil {
		return plan, false, err
	}
	if sent {
		if err := at.fixBaseline(plan, author); err != nil {
			return plan, false, err
		}
	}
	return plan, sent, at.save()
}

// fixBaseline stores what the plan describes now as the plan sent.
func (at *auditTx) fixBaseline(plan checklist.Plan, author string) error {
	snap, err := loadSnapshot(at.tx, at.audit.ID)
	if err != nil {
		return err
	}
	bb, err := at.cycleBucket(bucketBaselines)
	if err != nil {
		return err
	}
	seq, err := bb.NextSequence()
	if err != nil {
		return err
	}
	base := checklist.MakeBaseline(snap, plan, at.now)
	base.Seq = int(seq)
	bb.FillPercent = appendOnlyFill
	if err := baselineCodec.put(bb, seqKey(seq), &base); err != nil {
		return err
	}
	return at.record(checklist.Change{Author: author, Kind: checklist.ChangePlan, Item: "trasmissione",
		New: fmt.Sprintf("piano %s trasmesso il %s (%s): fissato come riferimento per le variazioni", plan.EditionLabel(), plan.SentOn, plan.Channel.Label())})
}

func planSummary(p checklist.Plan) string {
	if p == (checklist.Plan{}) {
		return ""
	}
	parts := []string{}
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, label+" "+v)
		}
	}
	add("edizione", p.EditionLabel())
	add("atto di adozione", p.AdoptedAct)
	add("adottato il", p.AdoptedOn)
	add("protocollo", p.Protocol)
	add("protocollato il", p.ProtocolOn)
	add("trasmesso il", p.SentOn)
	if p.Channel != "" {
		add("canale", p.Channel.Label())
	}
	add("ricevuta", p.Receipt)
	if p.Outcome != "" {
		add("esito", p.Outcome.Label())
	}
	add("esito del", p.OutcomeOn)
	add("rilievi:", p.OutcomeNote)
	return strings.Join(parts, "; ")
}

// AddOperator adds an operator to the register and returns it with its id.
func (s *Store) AddOperator(auditID string, o checklist.Operator, author string) (checklist.Operator, error) {
	err := s.writeCycle(auditID, func(at *auditTx) (err error) {
		o, err = at.addOperator(o, author)
		return err
	})
	if err != nil {
		return checklist.Operator{}, fmt.Errorf("operatore: %w", err)
	}
	return o, nil
}

func (at *auditTx) addOperator(o checklist.Operator, author string) (checklist.Operator, error) {
	b, err := at.cycleBucket(bucketOperators)
	if err != nil {
		return o, err
	}
	o.ID = checklist.NextID("op", bucketKeys(b))
	if o, err = checklist.NormaliseOperator(o, &at.audit, at.today()); err != nil {
		return o, err
	}
	if err := operatorCodec.put(b, []byte(o.ID), &o); err != nil {
		return o, err
	}
	if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeOperator, Item: o.ID, New: checklist.OperatorSummary(o)}); err != nil {
		return o, err
	}
	return o, at.save()
}

// RevokeOperator records the revocation of an operator's SCO and role.
func (s *Store) RevokeOperator(auditID, id, day, author string) (checklist.Operator, error) {
	var o checklist.Operator
	err := s.writeCycle(auditID, func(at *auditTx) (err error) {
		o, err = at.revokeOperator(id, day, author)
		return err
	})
	if err != nil {
		return checklist.Operator{}, fmt.Errorf("operatore %s: %w", id, err)
	}
	return o, nil
}

func (at *auditTx) revokeOperator(id, day, author string) (checklist.Operator, error) {
	var o checklist.Operator
	b, key, err := registerEntry(at.b, bucketOperators, id, "operatore", operatorCodec, &o)
	if err != nil {
		return o, err
	}
	old := checklist.OperatorSummary(o)
	if o, err = checklist.RevokeOperator(o, &at.audit, day, at.today()); err != nil {
		return o, err
	}
	if err := operatorCodec.put(b, key, &o); err != nil {
		return o, err
	}
	if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeOperator, Item: o.ID, Old: old, New: checklist.OperatorSummary(o)}); err != nil {
		return o, err
	}
	return o, at.save()
}

// AddEvent adds a security event to the register and returns it with its id.
func (s *Store) AddEvent(auditID string, e checklist.SecurityEvent, author string) (checklist.SecurityEvent, error) {
	err := s.writeCycle(auditID, func(at *auditTx) (err error) {
		e, err = at.addEvent(e, author)
		return err
	})
	if err != nil {
		return checklist.SecurityEvent{}, fmt.Errorf("evento di sicurezza: %w", err)
	}
	return e, nil
}

func (at *auditTx) addEvent(e checklist.SecurityEvent, author string) (checklist.SecurityEvent, error) {
	b, err := at.cycleBucket(bucketEvents)
	if err != nil {
		return e, err
	}
	cat, err := at.catalogue()
	if err != nil {
		return e, err
	}
	e.ID = checklist.NextID("ev", bucketKeys(b))
	if e, err = checklist.NormaliseEvent(e, &at.audit, cat, at.today()); err != nil {
		return e, err
	}
	if err := eventCodec.put(b, []byte(e.ID), &e); err != nil {
		return e, err
	}
	if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeEvent, Scope: e.Scope.String(), Item: e.ID, New: checklist.EventSummary(e)}); err != nil {
		return e, err
	}
	return e, at.save()
}

// CloseEvent closes a security event on day, with an optional note.
func (s *Store) CloseEvent(auditID, id, day, note, author string) (checklist.SecurityEvent, error) {
	var e checklist.SecurityEvent
	err := s.writeCycle(auditID, func(at *auditTx) (err error) {
		e, err = at.closeEvent(id, day, note, author)
		return err
	})
	if err != nil {
		return checklist.SecurityEvent{}, fmt.Errorf("evento %s: %w", id, err)
	}
	return e, nil
}

func (at *auditTx) closeEvent(id, day, note, author string) (checklist.SecurityEvent, error) {
	var e checklist.SecurityEvent
	b, key, err := registerEntry(at.b, bucketEvents, id, "evento", eventCodec, &e)
	if err != nil {
		return e, err
	}
	cat, err := at.catalogue()
	if err != nil {
		return e, err
	}
	old := checklist.EventSummary(e)
	if e, err = checklist.CloseEvent(e, &at.audit, cat, day, note, at.today()); err != nil {
		return e, err
	}
	if err := eventCodec.put(b, key, &e); err != nil {
		return e, err
	}
	if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeEvent, Scope: e.Scope.String(), Item: e.ID, Old: old, New: checklist.EventSummary(e)}); err != nil {
		return e, err
	}
	return e, at.save()
}

// RecordCycle records a whole cycle in one transaction, in the order a
// comune would: the operators, the plan changes (a transmission fixes
// them in the baseline), the events, then their closings. The demo uses
// it: either all of it is stored or nothing.
func (s *Store) RecordCycle(auditID string, c checklist.CycleRecords, author string) error {
	err := s.writeCycle(auditID, func(at *auditTx) error {
		for _, o := range c.Operators {
			if _, err := at.addOperator(o, author); err != nil {
				return fmt.Errorf("operatore %s: %w", o.Name, err)
			}
		}
		for _, p := range c.Plan {
			if _, _, err := at.savePlan(p, author); err != nil {
				return fmt.Errorf("piano: %w", err)
			}
		}
		for _, e := range c.Events {
			if _, err := at.addEvent(e, author); err != nil {
				return fmt.Errorf("evento del %s: %w", e.At, err)
			}
		}
		for _, cl := range c.Closes {
			if _, err := at.closeEvent(cl.ID, cl.On, cl.Note, author); err != nil {
				return fmt.Errorf("evento %s: %w", cl.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("piano e registri dell'audit %s: %w", auditID, err)
	}
	return nil
}

// RecordDocument notes in the history that the scheda or the declaration
// of q was produced, so that deadlines stop listing it.
func (s *Store) RecordDocument(auditID, kind string, q checklist.Quarter, what, author string) error {
	return s.writeCycle(auditID, func(at *auditTx) error {
		if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangePlan, Item: checklist.DocumentItem(kind, q), New: what}); err != nil {
			return err
		}
		return at.save()
	})
}

// registerEntry finds a register entry of audit b by id, ignoring case.
func registerEntry[T any](b *bolt.Bucket, name []byte, id, noun string, c *codec[T], v *T) (*bolt.Bucket, []byte, error) {
	b = b.Bucket(name)
	if b != nil {
		for _, k := range bucketKeys(b) {
			if checklist.SameID(k, id) {
				_, err := c.get(b, []byte(k), v)
				return b, []byte(k), err
			}
		}
	}
	return nil, nil, fmt.Errorf("%s %q non presente nel registro (vedere cieaudit %s list)", noun, id, map[string]string{"operatore": "operator", "evento": "event"}[noun])
}

func bucketKeys(b *bolt.Bucket) []string {
	var keys []string
	_ = b.ForEach(func(k, _ []byte) error {
		keys = append(keys, string(k))
		return nil
	})
	return keys
}

// readCycle fills the snapshot's plan, baselines and registers.
func readCycle(b *bolt.Bucket, snap *checklist.Snapshot) error {
	if pb := b.Bucket(bucketPlan); pb != nil {
		if _, err := planCodec.get(pb, keyCurrentPlan, &snap.Plan); err != nil {
			return fmt.Errorf("piano: %w", err)
		}
	}
	if err := forEachIn(b, bucketBaselines, baselineCodec, func(v checklist.Baseline) { snap.Baselines = append(snap.Baselines, v) }); err != nil {
		return fmt.Errorf("riferimenti del piano: %w", err)
	}
	if err := forEachIn(b, bucketOperators, operatorCodec, func(v checklist.Operator) { snap.Operators = append(snap.Operators, v) }); err != nil {
		return fmt.Errorf("operatori: %w", err)
	}
	if err := forEachIn(b, bucketEvents, eventCodec, func(v checklist.SecurityEvent) { snap.Events = append(snap.Events, v) }); err != nil {
		return fmt.Errorf("eventi: %w", err)
	}
	checklist.SortByNumber(snap.Operators, func(o checklist.Operator) string { return o.ID })
	checklist.SortByNumber(snap.Events, func(e checklist.SecurityEvent) string { return e.ID })
	return nil
}

// forEachIn is c.each on a nested bucket that may not exist yet.
func forEachIn[T any](b *bolt.Bucket, name []byte, c *codec[T], fn func(T)) error {
	if nb := b.Bucket(name); nb != nil {
		return c.each(nb, fn)
	}
	return nil
}
