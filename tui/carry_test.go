package tui

import (
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// carriedSample is next year's audit carried from the sample audit.
func carriedSample(t *testing.T) (Store, string, string) {
	t.Helper()
	s := openTestStore(t)
	prev := createSample(t, s)
	next, _, err := s.CreateCarried(prev, "", checklist.CarryRequest{Year: 2027, Auditors: []string{"Giulia"}}, "giulia")
	if err != nil {
		t.Fatal(err)
	}
	return s, prev, next.ID
}

// One key (y) keeps last year's answer and note as they were.
func TestChecklistConfirmsCarriedAnswerWithOneKey(t *testing.T) {
	t.Parallel()
	s, _, id := carriedSample(t)
	h := newHarness(t, Options{Store: s, AuditID: id}, 120, 40)
	h.openScope(sedeMunicipio)
	h.moveTo("FIS-01")
	h.requireScreen("da verificare (prima: No,", "Nota dell'anno prima: Porta sempre aperta")
	if _, ok := answerOf(t, s, id, sedeMunicipio, "FIS-01"); ok {
		t.Fatal("a carried answer is stored as an answer before it is confirmed")
	}
	h.press("y")
	got, ok := answerOf(t, s, id, sedeMunicipio, "FIS-01")
	if !ok || got.Value != "no" || got.Note != "Porta sempre aperta" || got.Author != "giulia" {
		t.Fatalf("confirmed answer = %+v (found %v)", got, ok)
	}
	h.requireScreen("Salvato: risposta FIS-01")
	snap, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, waiting := snap.CarriedAnswer(sedeMunicipio, "FIS-01"); waiting || snap.ToReverify() != 2 {
		t.Fatalf("still to re-verify: %d", snap.ToReverify())
	}
	// Nothing carried on the item now: y says so and saves nothing.
	h.moveTo("FIS-01")
	h.press("y")
	h.requireScreen("nessuna risposta dell'audit precedente da confermare")
}

// The filter shows only what is still to re-verify.
func TestChecklistFilterToReverify(t *testing.T) {
	t.Parallel()
	s, _, id := carriedSample(t)
	h := newHarness(t, Options{Store: s, AuditID: id}, 120, 40)
	p := h.openScope(postPG01)
	h.press("f", "f", "f")
	if p.filter != filterCarried {
		t.Fatalf("filter = %v after three f", p.filter)
	}
	if len(p.visible) != 1 || p.visible[0].ID != "TEC-01" {
		var ids []string
		for _, it := range p.visible {
			ids = append(ids, it.ID)
		}
		t.Fatalf("to re-verify at PG01: %v, want TEC-01", ids)
	}
	h.requireScreen("da riverificare")
	h.press("s") // answered anew: no longer to re-verify
	if len(p.visible) != 0 {
		t.Fatalf("TEC-01 still listed after answering")
	}
}

// Home: r starts next year's audit from the selected one, the report is
// shown before creating; D compares an audit with its predecessor.
func TestHomeCarryAndDiff(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	prev := createSample(t, s)
	h := newHarness(t, Options{Store: s}, 120, 40)
	h.press("r")
	if h.m.form == nil {
		t.Fatal("r did not open the form")
	}
	h.requireScreen("Nuovo audit dall'anno prima", "2027")
	h.press("enter", "enter", "enter")
	h.requireScreen("Riporto dall'audit "+prev, "3 risposte da verificare")
	h.press("enter") // Sì
	list, err := s.ListAudits()
	if err != nil || len(list) != 2 {
		t.Fatalf("audits after the carry: %d (%v)", len(list), err)
	}
	var next string
	for _, a := range list {
		if a.ID != prev {
			next = a.ID
		}
	}
	snap, _ := s.Load(next)
	if snap.Audit.Predecessor != prev || snap.Audit.Year != 2027 || len(snap.Carried) != 3 {
		t.Fatalf("carried audit %+v, carried %d", snap.Audit, len(snap.Carried))
	}

	h.press("esc") // back from the new audit's overview to the list
	home, ok := h.m.top().(*homePage)
	if !ok {
		t.Fatalf("esc did not go back to the list: %T", h.m.top())
	}
	for i, a := range home.audits {
		if a.ID == next {
			home.cursor = i
		}
	}
	h.press("D")
	screen := h.screen()
	if !strings.Contains(screen, "Audit "+prev+" (2026) → "+next+" (2027)") || !strings.Contains(screen, "da riverificare 3") {
		t.Fatalf("diff view:\n%s", screen)
	}
}
