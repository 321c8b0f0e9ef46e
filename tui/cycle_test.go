package tui

import (
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

func (h *harness) cyclePage() *cyclePage {
	h.t.Helper()
	p, ok := h.m.top().(*cyclePage)
	if !ok {
		h.t.Fatalf("top page is %T, want the plan and registers page:\n%s", h.m.top(), h.screen())
	}
	return p
}

// TestCyclePlanTransmission: the plan form records the transmission, which
// fixes the baseline; a date that does not exist is refused in the form and
// nothing is saved.
func TestCyclePlanTransmission(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 120, 40)
	h.press("p")
	h.cyclePage()
	h.requireScreen("1 Piano", "Edizione", "non indicata", "non ancora registrata")

	h.press("e")
	if h.m.form == nil {
		t.Fatalf("e did not open the plan form:\n%s", h.screen())
	}
	h.press("down", "down", "enter") // edition: beta
	for range 5 {                    // number, act, adopted on, protocol, protocol on
		h.press("enter")
	}
	h.typeText("31/02/2026")
	h.press("enter")
	h.requireScreen("non valida")
	if snap, _ := s.Load(id); snap.Plan.SentOn != "" {
		t.Fatalf("an invalid date was saved: %+v", snap.Plan)
	}
	for range len("31/02/2026") {
		h.press("backspace")
	}
	h.typeText("20/11/2026")
	h.press("enter")
	h.press("down", "enter") // channel: PEC
	for h.m.form != nil {
		h.press("enter")
	}
	snap, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Plan.Edition != checklist.EditionBeta || snap.Plan.SentOn != "2026-11-20" || snap.Plan.Channel != checklist.ChannelPEC || len(snap.Baselines) != 1 {
		t.Fatalf("plan %+v, %d baselines", snap.Plan, len(snap.Baselines))
	}
	h.requireScreen("Salvato: piano di sicurezza", "versione beta", "Trasmesso il", "20/11/2026 (PEC)", "Termine di 30 giorni", "20/12/2026", "Trasmissioni: 1")
}

// TestCycleRegisters: an operator and an event are added from their forms,
// the delegate without act is flagged, the revocation and the closing are
// recorded, and the deadlines tab lists what is due.
func TestCycleRegisters(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 140, 40)
	h.press("p", "2")
	h.requireScreen("Nessun operatore registrato")
	h.press("a")
	h.typeText("Sara Gallo")
	h.press("enter")
	h.press("down", "enter") // delegato
	h.press("enter")         // no act
	h.typeText("SCO-7")
	h.press("enter")
	h.typeText("2026-01-15")
	h.press("enter", "enter", "enter") // verbale, training
	h.typeText("pg01")
	h.press("enter")
	h.requireScreen("Salvato: operatore Sara Gallo", "op-1", "Sara Gallo", "⚠ SCO assegnata a un delegato senza atto di delega")
	snap, _ := s.Load(id)
	if len(snap.Operators) != 1 || snap.Operators[0].Postazioni[0] != "PG01" {
		t.Fatalf("operators %+v", snap.Operators)
	}
	h.press("r", "enter")
	h.requireScreen("Salvato: operatore op-1 revocato", "revocato il 22/11/2026")

	h.press("3", "a")
	if h.m.form == nil {
		t.Fatalf("a did not open the event form:\n%s", h.screen())
	}
	h.press("enter", "enter") // today, ente
	h.typeText("SCO smarrita")
	for h.m.form != nil && !strings.Contains(h.screen(), "Aree colpite") {
		h.press("tab")
	}
	h.typeText("riservatezza")
	for h.m.form != nil {
		h.press("enter")
	}
	h.requireScreen("Salvato: evento di sicurezza", "ev-1", "SCO smarrita", "aperto", "Garante entro 72 ore")
	h.press("x", "enter")
	for h.m.form != nil {
		h.press("enter")
	}
	h.requireScreen("Salvato: evento ev-1 chiuso", "chiuso", "Chiuso il 22/11/2026")

	h.press("4")
	h.requireScreen("4 Scadenze", "Piano di sicurezza da adottare e trasmettere")
	snap, _ = s.Load(id)
	if len(snap.Events) != 1 || snap.Events[0].Status != checklist.EventClosed || snap.Operators[0].RevokedOn != "2026-11-22" {
		t.Fatalf("registers %+v %+v", snap.Events, snap.Operators)
	}
}

// TestCycleReadOnlyAndHomeDeadlines: a viewer sees the registers but
// cannot change them; the home page lists overdue deadlines.
func TestCycleReadOnlyAndHomeDeadlines(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	sent := "2026-10-01"
	if _, _, err := s.SavePlan(id, checklist.PlanChange{Edition: ptr("beta"), SentOn: &sent}, "preparatore"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{Store: s, Role: checklist.RoleViewer}, 120, 30)
	h.requireScreen("Comune di Prova", "Scadenze (", "31/10/2026", "SCADUTA", "Esito della Prefettura")
	h.press("enter", "p")
	h.requireScreen("SCADUTO senza esito")
	h.press("e")
	if h.m.form != nil {
		t.Fatal("a viewer opened the plan form")
	}
	h.requireScreen("Sola lettura")
}

func ptr[T any](v T) *T { return &v }
