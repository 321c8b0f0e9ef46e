package tui

import (
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

var postPG02 = checklist.Scope{Kind: checklist.ScopePostazione, Name: "PG02"}

func TestCopyFromAnotherPostazione(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	for _, a := range []checklist.Answer{
		{Scope: postPG01, Item: "FIS-03", Value: "si"},
		{Scope: postPG01, Item: "TEC-02", Value: "no", Note: "Sessione aperta"},
		{Scope: postPG02, Item: "TEC-02", Value: "si"},
	} {
		a.Author = "preparatore"
		if _, err := s.SaveAnswer(id, a, -1); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, Options{Store: s, AuditID: id}, 80, 24)
	h.openScope(postPG02)
	h.press("c")
	h.requireScreen("Copiare le risposte in Postazione PG02 da:", "Postazione PG01 (3/6 risposte)")
	h.press("enter")
	h.requireScreen("Senza risposta: 2; con una risposta diversa: 1; già uguali: 0",
		"Sì, solo 2 voci ancora da verificare", "Sì, 3 voci, sostituendo anche 1 risposta diversa già data")
	h.press("enter")
	want := map[string]string{"FIS-03": "si", "TEC-01": "parziale", "TEC-02": "si"}
	for item, v := range want {
		if got, _ := answerOf(t, s, id, postPG02, item); got.Value != v {
			t.Errorf("%s = %q, want %q", item, got.Value, v)
		}
	}
	h.requireScreen("Salvato: 2 voci di Postazione PG02 (copiata da Postazione PG01); z annulla")
	hist, _ := s.History(id)
	if last := hist[len(hist)-1]; last.Scope != "postazione:PG02" || last.Reason != "copiata da Postazione PG01" || last.Author != "giulia" {
		t.Fatalf("last change = %+v", last)
	}
	h.moveTo("TEC-01")
	h.press("h")
	h.requireScreen("giulia: risposta Non verificato → Parziale (copiata da")

	// One z takes the whole copy back.
	h.press("z")
	for _, item := range []string{"FIS-03", "TEC-01"} {
		if got, _ := answerOf(t, s, id, postPG02, item); got.Value != "" {
			t.Errorf("%s = %q after z, want unanswered", item, got.Value)
		}
	}

	// Overwriting is the second choice, said with its count.
	h.press("c", "enter", "down", "enter")
	if got, _ := answerOf(t, s, id, postPG02, "TEC-02"); got.Value != "no" || got.Note != "Sessione aperta" {
		t.Fatalf("TEC-02 after copy with overwrite = %+v", got)
	}
}

func TestBulkAnswerOfASection(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 80, 24)
	h.openScope(sedeMunicipio)
	h.moveTo("FIS-02")
	h.press("b")
	h.requireScreen("Risposta in blocco per la sezione FIS di Sede Municipio")
	h.press("enter") // Sì
	h.requireScreen("Senza risposta: 1; con una risposta diversa: 1; già uguali: 0")
	h.press("enter") // only the one still to verify
	if got, _ := answerOf(t, s, id, sedeMunicipio, "FIS-02"); got.Value != "si" {
		t.Fatalf("FIS-02 = %q", got.Value)
	}
	if got, _ := answerOf(t, s, id, sedeMunicipio, "FIS-01"); got.Value != "no" {
		t.Fatalf("FIS-01 = %q, want its no kept", got.Value)
	}
	// The filtered selection: non risposte holds only ORG-04 now.
	h.press("f", "b")
	h.requireScreen("Risposta in blocco per le voci mostrate")
	h.press("down", "enter")
	h.requireScreen("Senza risposta: 1;", "in blocco a 1 voce")
	h.press("down", "enter") // "No, annulla"
	if got, _ := answerOf(t, s, id, sedeMunicipio, "ORG-04"); got.Value != "" {
		t.Fatalf("ORG-04 = %q after cancelling", got.Value)
	}
}
