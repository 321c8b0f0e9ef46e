package storage

import (
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// An empty value takes an answer back to "Non verificato"; the history keeps
// what was cleared, and clearing an item never answered records nothing.
func TestSaveAnswerEmptyValueClears(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "na", Note: "Delega in corso", Author: "giulia"})
	before, _ := s.History(a.ID)

	r := mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: " ", Author: "marco"})
	if r.Answer.Value != "" || r.Answer.Note != "" || r.Answer.Rev != 2 || r.Previous == nil || r.Previous.Value != "na" {
		t.Fatalf("clear = %+v", r)
	}
	hist, _ := s.History(a.ID)
	var got []string
	for _, c := range hist[len(before):] {
		got = append(got, string(c.Kind)+":"+c.Old+"→"+c.New+":"+c.Author)
	}
	if want := "risposta:na→:marco nota:Delega in corso→:marco"; joinStrings(got) != want {
		t.Fatalf("history of the clear = %q, want %q", joinStrings(got), want)
	}
	snap, err := s.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p := snap.ScopeProgress(checklist.EnteScope); p.Answered != 0 {
		t.Fatalf("answered after clearing = %d", p.Answered)
	}

	// Clearing with a note keeps only the note; clearing what was never
	// answered changes nothing.
	r = mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "", Note: "Da verificare con il segretario"})
	if r.Answer.Value != "" || r.Answer.Note != "Da verificare con il segretario" {
		t.Fatalf("clear with note = %+v", r)
	}
	n := len(hist) + 1
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "TEC-02", Value: ""})
	if hist, _ = s.History(a.ID); len(hist) != n {
		t.Fatalf("clearing an unanswered item wrote %d history entries", len(hist)-n+1)
	}
	if answers, _ := s.Answers(a.ID); len(answers) != 1 {
		t.Fatalf("answers = %+v, want only ORG-01", answers)
	}
}

func joinStrings(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
