package checklist

import "time"

// Snapshot is everything known about one audit at one moment: the audit, the
// catalogue it is pinned to, and what was answered. Storage loads it in one
// read transaction; risk, progress, the TUI and the exports all work from it.
type Snapshot struct {
	Audit       Audit
	Catalogue   *Catalogue
	Answers     []Answer
	Evaluations []Evaluation
	History     []Change
	// Actions holds the editable part of remediation actions, by item ID.
	Actions map[string]ActionPlan
	// Overrides holds per-audit probability/impact overrides, by threat ID.
	Overrides map[string]RiskOverride

	// The yearly cycle: the plan's current edition and transmission, the
	// baselines fixed at each transmission (oldest first), the operator and
	// security-event registers.
	Plan      Plan
	Baselines []Baseline
	Operators []Operator
	Events    []SecurityEvent

	// Carried holds the predecessor's answers carried into this audit (see
	// PlanCarry); one stops counting once its item is answered here.
	// Upgrade is what the carry moved and left out, nil for an audit not
	// carried from another.
	Carried []Answer
	Upgrade *UpgradeReport
	// Previous holds the audits this one follows (Audit.Predecessor and
	// theirs), nearest first; filled only by readers that compare years
	// (storage.LoadChain), empty otherwise.
	Previous []*Snapshot

	// Evidence lists the files attached to items, by ID order; the bytes
	// stay in the store (see Evidence).
	Evidence []Evidence
	// LogoData is the content of the stemma Audit.Logo refers to (nil
	// without one), for the covers and the bundle's stemma file.
	LogoData []byte

	answers map[answerKey]int
}

type answerKey struct {
	scope Scope
	item  string
}

// Answer returns the answer given to item at exactly this scope.
func (s *Snapshot) Answer(scope Scope, item string) (Answer, bool) {
	if s.answers == nil {
		s.answers = make(map[answerKey]int, len(s.Answers))
		for i, a := range s.Answers {
			s.answers[answerKey{a.Scope, a.Item}] = i
		}
	}
	i, ok := s.answers[answerKey{scope, item}]
	if !ok {
		return Answer{}, false
	}
	return s.Answers[i], true
}

// Reindex must be called after Answers is modified in place.
func (s *Snapshot) Reindex() { s.answers = nil }

// AnsweringScope is the scope at which an item applying to scope is answered:
// the scope itself for items of its own kind, the sede of a postazione for
// sede items, the ente for ente items. ok is false when the item cannot apply
// to the scope (e.g. a postazione item seen from the ente).
func (s *Snapshot) AnsweringScope(scope Scope, it *Item) (Scope, bool) {
	if it.Scope == scope.Kind {
		return scope, true
	}
	for _, p := range s.Audit.Parents(scope) {
		if p.Kind == it.Scope {
			return p, true
		}
	}
	return Scope{}, false
}

// Resolve returns the answer that holds for item at scope, following
// inheritance: where the item is answered at a wider scope (the sede or the
// ente), that answer is returned together with the scope it was given at.
func (s *Snapshot) Resolve(scope Scope, it *Item) (Answer, Scope, bool) {
	at, ok := s.AnsweringScope(scope, it)
	if !ok {
		return Answer{}, Scope{}, false
	}
	a, ok := s.Answer(at, it.ID)
	return a, at, ok
}

// ApplicableItems returns the items that apply to scope, own and inherited,
// in catalogue order.
func (s *Snapshot) ApplicableItems(scope Scope) []*Item {
	var items []*Item
	for _, it := range s.Catalogue.Items() {
		if _, ok := s.AnsweringScope(scope, it); ok {
			items = append(items, it)
		}
	}
	return items
}

// LastChange is the time of the newest change to the audit, used as the
// "generated at" of exports so that they are deterministic.
func (s *Snapshot) LastChange() time.Time {
	t := s.Audit.UpdatedAt
	for _, a := range s.Answers {
		if a.At.After(t) {
			t = a.At
		}
	}
	for _, c := range s.History {
		if c.At.After(t) {
			t = c.At
		}
	}
	return t
}

// Progress counts the answers of the items answered at one scope.
type Progress struct {
	Total      int
	Answered   int
	Yes        int
	No         int
	Partial    int
	NotApplic  int
	Unanswered int
}

// Percent is the share of answered items, 0-100.
func (p Progress) Percent() float64 {
	if p.Total == 0 {
		return 100
	}
	return float64(p.Answered) * 100 / float64(p.Total)
}

// Tally adds (delta 1) or removes (delta -1) the answer to one item from
// the counts; Total is not touched. An answer with an empty value is not
// answered yet.
func (p *Progress) Tally(it *Item, a Answer, delta int) {
	if a.Value == "" {
		p.Unanswered += delta
		return
	}
	p.Answered += delta
	switch a.Outcome(it) {
	case OutcomeYes:
		p.Yes += delta
	case OutcomeNo:
		p.No += delta
	case OutcomePartial:
		p.Partial += delta
	case OutcomeNotApplicable:
		p.NotApplic += delta
	}
}

// ScopeProgress counts the answers of the items answered at scope itself
// (not the inherited ones).
func (s *Snapshot) ScopeProgress(scope Scope) Progress {
	var p Progress
	for _, it := range s.Catalogue.ItemsFor(scope.Kind) {
		p.Total++
		a, _ := s.Answer(scope, it.ID)
		p.Tally(it, a, 1)
	}
	return p
}

// AuditProgress sums ScopeProgress over every scope of the audit.
func (s *Snapshot) AuditProgress() Progress {
	var t Progress
	for _, sc := range s.Audit.Scopes() {
		p := s.ScopeProgress(sc)
		t.Total += p.Total
		t.Answered += p.Answered
		t.Yes += p.Yes
		t.No += p.No
		t.Partial += p.Partial
		t.NotApplic += p.NotApplic
		t.Unanswered += p.Unanswered
	}
	return t
}
