package storage

import (
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

func sp(s string) *string { return &s }

func TestCycleRecords(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no", Author: "giulia"})

	// Refused input writes nothing, not even a history entry.
	before, _ := s.History(a.ID)
	if _, _, err := s.SavePlan(a.ID, checklist.PlanChange{SentOn: sp("2026-10-15")}, "giulia"); err == nil || !strings.Contains(err.Error(), "--edition") {
		t.Fatalf("transmission without edition: %v", err)
	}
	if _, err := s.AddOperator(a.ID, checklist.Operator{Name: "Eva", Role: "sindaco"}, "giulia"); err == nil {
		t.Fatal("bad role accepted")
	}
	if _, err := s.AddEvent(a.ID, checklist.SecurityEvent{At: "2026-11-03", Description: "x", Scope: checklist.Scope{Kind: checklist.ScopeSede, Name: "Altrove"}}, "giulia"); err == nil {
		t.Fatal("unknown scope accepted")
	}
	if after, _ := s.History(a.ID); len(after) != len(before) {
		t.Fatalf("refused writes left %d history entries", len(after)-len(before))
	}
	if snap, _ := s.Load(a.ID); snap.Plan != (checklist.Plan{}) || len(snap.Operators)+len(snap.Events)+len(snap.Baselines) != 0 {
		t.Fatalf("refused writes stored something: %+v", snap.Plan)
	}

	op, err := s.AddOperator(a.ID, checklist.Operator{Name: "Eva Neri", Role: "delegato", SCO: "SCO-1", SCODelivered: "2026-02-01", Postazioni: []string{"pg0991a01"}}, "giulia")
	if err != nil || op.ID != "op-1" || op.Postazioni[0] != "PG0991A01" {
		t.Fatalf("operator %+v %v", op, err)
	}
	plan, sent, err := s.SavePlan(a.ID, checklist.PlanChange{Edition: sp("beta"), SentOn: sp("15/10/2026"), Channel: sp("pec")}, "giulia")
	if err != nil || !sent || plan.SentOn != "2026-10-15" {
		t.Fatalf("plan %+v %v %v", plan, sent, err)
	}
	// Closing the audit does not close the registers.
	if _, err := s.SetStatus(a.ID, checklist.StatusClosed, "giulia", "", &checklist.SignOff{Place: "Valdoria", Date: "2026-11-20"}); err != nil {
		t.Fatal(err)
	}
	ev, err := s.AddEvent(a.ID, checklist.SecurityEvent{At: "2026-11-19T10:00", Description: "SCO smarrita", Scope: postA01, Areas: []checklist.ImpactArea{checklist.AreaConfidentiality}}, "giulia")
	if err != nil || ev.ID != "ev-1" {
		t.Fatalf("event %+v %v", ev, err)
	}
	if _, err := s.CloseEvent(a.ID, "EV-1", "2026-11-20", "SCO bloccata", "giulia"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CloseEvent(a.ID, "ev-9", "2026-11-20", "", "giulia"); err == nil || !strings.Contains(err.Error(), "non presente") {
		t.Fatalf("unknown event: %v", err)
	}
	if _, err := s.RevokeOperator(a.ID, "op-1", "2026-11-20", "giulia"); err != nil {
		t.Fatal(err)
	}

	snap, err := s.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Baselines) != 1 || len(snap.Baselines[0].Operators) != 1 || snap.Baselines[0].Operators[0].RevokedOn != "" {
		t.Fatalf("baseline %+v", snap.Baselines)
	}
	if b := snap.Baselines[0]; len(b.Outcomes) != 1 || b.Outcomes[0].Item != "ORG-01" || b.Outcomes[0].Outcome != checklist.OutcomeNo {
		t.Errorf("baseline outcomes %+v", b.Outcomes)
	}
	if snap.Events[0].Status != checklist.EventClosed || snap.Operators[0].RevokedOn != "2026-11-20" {
		t.Errorf("registers %+v %+v", snap.Events, snap.Operators)
	}
	kinds := map[checklist.ChangeKind]int{}
	for _, c := range snap.History {
		kinds[c.Kind]++
	}
	if kinds[checklist.ChangePlan] != 2 || kinds[checklist.ChangeOperator] != 2 || kinds[checklist.ChangeEvent] != 2 {
		t.Errorf("history kinds %v", kinds)
	}
	// The revocation came after the transmission: a variation.
	vs := checklist.Variations(snap)
	if len(vs) != 1 || vs[0].Area != checklist.VariationOperators {
		t.Errorf("variations %+v", vs)
	}
	if r, err := s.Check(); err != nil || len(r.Problems) > 0 {
		t.Errorf("check: %v %v", r.Problems, err)
	}
}

// RecordCycle stores a whole cycle in one transaction: a refused part
// leaves nothing of it.
func TestRecordCycleIsAtomic(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	c := checklist.CycleRecords{
		Operators: []checklist.Operator{{Name: "Eva Neri", Role: "ufficiale", SCO: "S1", SCODelivered: "2026-02-01"}},
		Plan:      []checklist.PlanChange{{Edition: sp("beta"), SentOn: sp("2026-10-15"), Channel: sp("pec")}},
		Events:    []checklist.SecurityEvent{{At: "2026-11-03", Description: "guasto"}},
		Closes:    []checklist.EventClose{{ID: "ev-9", On: "2026-11-04"}},
	}
	before, _ := s.History(a.ID)
	if err := s.RecordCycle(a.ID, c, "giulia"); err == nil || !strings.Contains(err.Error(), "ev-9") {
		t.Fatalf("closing an unknown event: %v", err)
	}
	snap, _ := s.Load(a.ID)
	if after, _ := s.History(a.ID); len(after) != len(before) || len(snap.Operators)+len(snap.Events)+len(snap.Baselines) != 0 {
		t.Fatalf("a refused cycle left %d history entries, %+v", len(after)-len(before), snap.Plan)
	}
	c.Closes[0].ID = "EV-1"
	if err := s.RecordCycle(a.ID, c, "giulia"); err != nil {
		t.Fatal(err)
	}
	snap, _ = s.Load(a.ID)
	if len(snap.Baselines) != 1 || len(snap.Baselines[0].Operators) != 1 || snap.Events[0].Status != checklist.EventClosed {
		t.Fatalf("cycle %+v %+v", snap.Baselines, snap.Events)
	}
	if vs := checklist.Variations(snap); len(vs) != 0 {
		t.Errorf("the cycle's own records are variations: %+v", vs)
	}
}
