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

// SaveAnswers writes a copy in one transaction with its reason in the
// history; with onlyUnanswered an item answered meanwhile is kept.
func TestSaveAnswersRecordsTheReason(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA02, Item: "TEC-01", Value: "no", Author: "marco"})
	res, err := s.SaveAnswers(a.ID, []checklist.Answer{
		{Scope: postA02, Item: "FIS-03", Value: "si", Author: "giulia"},
		{Scope: postA02, Item: "TEC-01", Value: "si", Author: "giulia"},
	}, "copiata da Postazione PG0991A01", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Answer.Value != "si" || res[1].Answer.Value != "no" {
		t.Fatalf("results = %+v", res)
	}
	hist, _ := s.History(a.ID)
	last := hist[len(hist)-1]
	if last.Item != "FIS-03" || last.Reason != "copiata da Postazione PG0991A01" || last.Author != "giulia" {
		t.Fatalf("last change = %+v", last)
	}
	// All or none: one invalid answer writes nothing.
	if _, err := s.SaveAnswers(a.ID, []checklist.Answer{
		{Scope: postA02, Item: "TEC-01", Value: "Linux"},
		{Scope: postA02, Item: "FIS-03", Value: "forse"},
	}, "x", false); err == nil {
		t.Fatal("an invalid batch was accepted")
	}
	if got, _ := answerAt(s, a.ID, postA02, "TEC-01"); got != "no" {
		t.Fatalf("answers after the refused batch: %+v", got)
	}
}

func answerAt(s *Store, id string, sc checklist.Scope, item string) (string, error) {
	snap, err := s.Load(id)
	if err != nil {
		return "", err
	}
	a, _ := snap.Answer(sc, item)
	return a.Value, nil
}
