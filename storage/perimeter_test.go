package storage

import (
	"errors"
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
	if want := "Postazione PG0991A01 → Postazione PG0991A09 (rinominata; 1 risposte e valutazioni spostate)|Postazione PG0991A09 → rimossa con 1 risposte e valutazioni"; strings.Join(perimeter, "|") != want {
		t.Fatalf("history of the perimeter:\n%s\nwant\n%s", strings.Join(perimeter, "\n"), want)
	}
}
