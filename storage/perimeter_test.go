package storage

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// TestRenameAndRemoveScopes: a rename moves the answers with the scope and
// ignores case; a removal of a scope with answers needs a confirmation and
// then takes them; each is in the history and reaches the subscribers.
func TestRenameAndRemoveScopes(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "no", Author: "giulia"})
	events, stop := s.Subscribe()
	defer stop()

	if _, err := s.RenameScope(a.ID, checklist.Scope{Kind: checklist.ScopePostazione, Name: "pg0991a01"}, "pg0991a02", "giulia"); err == nil ||
		!strings.Contains(err.Error(), "esiste già una postazione PG0991A02") {
		t.Fatalf("rename onto another code in another case: %v", err)
	}
	got, err := s.RenameScope(a.ID, checklist.Scope{Kind: checklist.ScopePostazione, Name: "pg0991a01"}, "pg0991a09", "giulia")
	if err != nil {
		t.Fatal(err)
	}
	renamed := checklist.Scope{Kind: checklist.ScopePostazione, Name: "PG0991A09"}
	if !got.HasScope(renamed) || got.HasScope(postA01) {
		t.Fatalf("postazioni after the rename: %+v", got.Postazioni)
	}
	snap, err := s.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ans, ok := snap.Answer(renamed, "FIS-03"); !ok || ans.Value != "no" {
		t.Fatalf("the answer did not follow the rename: %+v %v", ans, ok)
	}
	if _, ok := snap.Answer(postA01, "FIS-03"); ok {
		t.Fatal("the answer is still under the old code")
	}
	if e := <-events; e.Kind != checklist.ChangeScope {
		t.Fatalf("event %+v", e)
	}

	_, _, err = s.RemoveScope(a.ID, renamed, "giulia", false)
	var nc *ErrNeedsConfirmation
	if !errors.As(err, &nc) || nc.Records != 1 {
		t.Fatalf("removal without confirmation: %v", err)
	}
	if _, _, err := s.RemoveScope(a.ID, sedeMunicipio, "giulia", true); err == nil || !strings.Contains(err.Error(), "ha ancora le postazioni") {
		t.Fatalf("removal of a sede with postazioni: %v", err)
	}
	got, n, err := s.RemoveScope(a.ID, renamed, "giulia", true)
	if err != nil || n != 1 || got.HasScope(renamed) {
		t.Fatalf("confirmed removal: n=%d err=%v postazioni %+v", n, err, got.Postazioni)
	}
	snap, _ = s.Load(a.ID)
	if len(snap.Answers) != 0 {
		t.Fatalf("answers left after the removal: %+v", snap.Answers)
	}
	hist, err := s.History(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var perimeter []string
	for _, h := range hist {
		if h.Kind == checklist.ChangeScope {
			perimeter = append(perimeter, h.Old+" → "+h.New)
		}
	}
	if want := "Postazione PG0991A01 → Postazione PG0991A09 (rinominata; 1 risposta o valutazione spostata)|Postazione PG0991A09 → rimossa con 1 risposta o valutazione"; strings.Join(perimeter, "|") != want {
		t.Fatalf("history of the perimeter:\n%s\nwant\n%s", strings.Join(perimeter, "\n"), want)
	}
}

// TestRenameUpdatesRegisters: renaming a postazione updates the operators
// that use it and the events at it; renaming a sede updates the events at
// that sede; each changed entry is in the history, in the same
// transaction as the rename (a refused rename changes none of them).
func TestRenameUpdatesRegisters(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	op := func(name string, postazioni ...string) checklist.Operator {
		o, err := s.AddOperator(a.ID, checklist.Operator{Name: name, Role: checklist.RoleDelegate, Postazioni: postazioni}, "giulia")
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	ev := func(sc checklist.Scope) checklist.SecurityEvent {
		e, err := s.AddEvent(a.ID, checklist.SecurityEvent{At: "2026-02-10", Description: "evento", Scope: sc}, "giulia")
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	both, other := op("Eva Neri", "PG0991A01", "PG0991A02"), op("Ugo Bassi", "PG0991A02")
	atPost, atSede, atEnte := ev(postA01), ev(sedeMunicipio), ev(checklist.EnteScope)
	historyLen := func() int {
		h, err := s.History(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(h)
	}
	before := historyLen()

	// Refused: nothing moves.
	if _, err := s.RenameScope(a.ID, postA01, "PG0991A02", "marco"); err == nil {
		t.Fatal("rename onto an existing code accepted")
	}
	if n := historyLen(); n != before {
		t.Fatalf("a refused rename added %d history entries", n-before)
	}

	if _, err := s.RenameScope(a.ID, checklist.Scope{Kind: checklist.ScopePostazione, Name: "pg0991a01"}, "PG0991A09", "marco"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RenameScope(a.ID, sedeMunicipio, "Palazzo comunale", "marco"); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantOps := map[string][]string{both.ID: {"PG0991A09", "PG0991A02"}, other.ID: {"PG0991A02"}}
	for _, o := range snap.Operators {
		if !slices.Equal(o.Postazioni, wantOps[o.ID]) {
			t.Errorf("operator %s postazioni %v, want %v", o.ID, o.Postazioni, wantOps[o.ID])
		}
	}
	wantEvents := map[string]checklist.Scope{
		atPost.ID: {Kind: checklist.ScopePostazione, Name: "PG0991A09"},
		atSede.ID: {Kind: checklist.ScopeSede, Name: "Palazzo comunale"},
		atEnte.ID: checklist.EnteScope,
	}
	for _, e := range snap.Events {
		if e.Scope != wantEvents[e.ID] {
			t.Errorf("event %s scope %v, want %v", e.ID, e.Scope, wantEvents[e.ID])
		}
	}
	hist, err := s.History(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hist[before:] {
		if h.Author != "marco" {
			t.Errorf("history entry by %q, want marco: %+v", h.Author, h)
		}
		got = append(got, string(h.Kind)+" "+h.Item)
	}
	want := []string{"perimetro ", "operatore " + both.ID, "evento " + atPost.ID, "perimetro ", "evento " + atSede.ID}
	if !slices.Equal(got, want) {
		t.Fatalf("history after the renames %v, want %v", got, want)
	}
	for _, h := range hist[before:] {
		if h.Item == atSede.ID && (!strings.Contains(h.Old, "Municipio") || !strings.Contains(h.New, "Palazzo comunale")) {
			t.Errorf("event history %q → %q does not show the sede's old and new name", h.Old, h.New)
		}
	}
}
