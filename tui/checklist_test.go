package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

func TestChecklistOneKeyAnswersAndAdvances(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want checklist.Outcome
	}{
		{"s", checklist.OutcomeYes},
		{"n", checklist.OutcomeNo},
		{"p", checklist.OutcomePartial},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			id := createSample(t, s)
			h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
			p := h.openScope(postPG01)
			h.moveTo("TEC-02")
			h.press(tc.key)

			got, ok := answerOf(t, s, id, postPG01, "TEC-02")
			if !ok || got.Value != string(tc.want) {
				t.Fatalf("stored answer = %+v (found %v), want %s", got, ok, tc.want)
			}
			if got.Author != "giulia" {
				t.Errorf("author = %q, want giulia", got.Author)
			}
			if p.curID != "TEC-03" {
				t.Errorf("cursor on %s after answering, want the next item TEC-03", p.curID)
			}
			h.requireScreen("Salvato: risposta TEC-02")
		})
	}
}

func TestChecklistAnswerKeepsExistingNote(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.openScope(sedeMunicipio)
	h.moveTo("FIS-01")
	h.press("s")
	got, _ := answerOf(t, s, id, sedeMunicipio, "FIS-01")
	if got.Value != "si" || got.Note != "Porta sempre aperta" {
		t.Fatalf("answer = %q note %q, want si with the previous note kept", got.Value, got.Note)
	}
}

func TestChecklistNotApplicableNeedsJustification(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	p := h.openScope(postPG01)
	h.moveTo("FIS-03")
	h.press("x")
	if h.m.form == nil {
		t.Fatal("x did not open the justification form")
	}
	h.press("enter") // empty: refused
	if h.m.form == nil {
		t.Fatal("empty justification was accepted")
	}
	if _, ok := answerOf(t, s, id, postPG01, "FIS-03"); ok {
		t.Fatal("an answer was saved without justification")
	}
	h.requireScreen("giustificazione")
	h.typeText("Sportello senza pubblico")
	h.press("enter")
	if h.m.form != nil {
		t.Fatalf("form still open:\n%s", h.screen())
	}
	got, ok := answerOf(t, s, id, postPG01, "FIS-03")
	if !ok || got.Value != "na" || got.Note != "Sportello senza pubblico" {
		t.Fatalf("stored %+v, want na with the justification", got)
	}
	if p.curID != "FIS-04" {
		t.Errorf("cursor on %s, want FIS-04", p.curID)
	}
}

func TestChecklistValueKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		scope  checklist.Scope
		item   string
		keys   []string
		text   string
		want   string
		errMsg string
	}{
		{name: "numero", scope: checklist.EnteScope, item: "ORG-02", keys: []string{"enter"}, text: "4", want: "4"},
		{name: "numero con virgola", scope: checklist.EnteScope, item: "ORG-02", keys: []string{"enter"}, text: "2,5", want: "2.5"},
		{name: "testo", scope: postPG01, item: "TEC-03", keys: []string{"enter"}, text: "Windows 11", want: "Windows 11"},
		{name: "data", scope: postPG01, item: "TEC-04", keys: []string{"enter"}, want: "2026-11-22"},
		{name: "scelta", scope: postPG01, item: "FIS-04", keys: []string{"enter", "down", "down"}, want: "mai"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			id := createSample(t, s)
			h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
			h.openScope(tc.scope)
			h.moveTo(tc.item)
			h.press(tc.keys...)
			if h.m.form == nil {
				t.Fatalf("no form opened for %s:\n%s", tc.item, h.screen())
			}
			h.typeText(tc.text)
			h.press("enter", "enter") // value, then the optional note
			if h.m.form != nil {
				t.Fatalf("form still open:\n%s", h.screen())
			}
			got, ok := answerOf(t, s, id, tc.scope, tc.item)
			if !ok || got.Value != tc.want {
				t.Fatalf("stored %q (found %v), want %q", got.Value, ok, tc.want)
			}
		})
	}
}

func TestChecklistBadNumberIsRefusedInTheForm(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.openScope(checklist.EnteScope)
	h.moveTo("ORG-02")
	h.press("enter")
	h.typeText("quattro")
	h.press("enter")
	h.requireScreen(`"quattro" non è un numero`)
	if _, ok := answerOf(t, s, id, checklist.EnteScope, "ORG-02"); ok {
		t.Fatal("an invalid number was saved")
	}
	h.press("esc")
	h.requireScreen("Modifica annullata")
}

func TestChecklistNote(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.openScope(postPG01)
	h.moveTo("TEC-01")
	h.press("e")
	h.typeText("Firme ferme a ottobre")
	h.press("enter")
	got, _ := answerOf(t, s, id, postPG01, "TEC-01")
	if got.Note != "Firme ferme a ottobre" || got.Value != "parziale" {
		t.Fatalf("stored %+v, want the note on the parziale answer", got)
	}
	h.requireScreen("Salvato: nota TEC-01", "Nota: Firme ferme a ottobre")
}

func TestChecklistEvaluation(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.openScope(postPG01)
	h.moveTo("TEC-01")
	h.press("v")
	h.typeText("Postazione da mettere in sicurezza")
	h.press("enter")
	snap, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range snap.Evaluations {
		if e.Scope == postPG01 && e.Section == "TEC" && e.Text == "Postazione da mettere in sicurezza" && e.Author == "giulia" {
			found = true
		}
	}
	if !found {
		t.Fatalf("evaluation not stored: %+v", snap.Evaluations)
	}
}

func TestChecklistInheritedItems(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.openScope(postPG01)
	h.press("i")
	h.moveTo("FIS-01")
	h.requireScreen("Ereditata da Sede Municipio")
	h.press("s")
	h.requireScreen("FIS-01 si risponde a livello Sede Municipio")
	got, _ := answerOf(t, s, id, sedeMunicipio, "FIS-01")
	if got.Value != "no" {
		t.Fatalf("the inherited answer changed to %q", got.Value)
	}
	h.press("enter")
	p := h.checklist()
	if p.scope != sedeMunicipio || p.curID != "FIS-01" {
		t.Fatalf("enter went to %s/%s, want the sede on FIS-01", p.scope, p.curID)
	}
	h.press("s")
	got, _ = answerOf(t, s, id, sedeMunicipio, "FIS-01")
	if got.Value != "si" {
		t.Fatalf("answer at the sede = %q, want si", got.Value)
	}
	h.press("esc")
	h.requireScreen("Postazione PG01")
	if p := h.checklist(); p.scope != postPG01 {
		t.Fatalf("esc went to %s", p.scope)
	}
}

func TestChecklistFilterSearchAndNextUnanswered(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	p := h.openScope(postPG01)

	ids := func() string {
		var out []string
		for _, it := range p.visible {
			out = append(out, it.ID)
		}
		return strings.Join(out, " ")
	}
	h.press("f")
	if got, want := ids(), "FIS-03 FIS-04 TEC-02 TEC-03 TEC-04"; got != want {
		t.Errorf("non risposte = %s, want %s", got, want)
	}
	h.press("f")
	if got, want := ids(), "TEC-01"; got != want {
		t.Errorf("non conformi = %s, want %s", got, want)
	}
	h.press("f", "/")
	h.typeText("schermo")
	if got, want := ids(), "FIS-03 TEC-02"; got != want {
		t.Errorf("search schermo = %s, want %s", got, want)
	}
	h.press("enter")
	h.requireScreen("ricerca: schermo")
	h.press("/", "esc")
	if ids() != "FIS-03 FIS-04 TEC-01 TEC-02 TEC-03 TEC-04" {
		t.Errorf("esc did not clear the search: %s", ids())
	}
	h.press("g", "u")
	if p.curID != "FIS-03" {
		t.Errorf("u went to %s, want FIS-03 (first own unanswered item)", p.curID)
	}

	// esc first clears search and filter, then goes back.
	h.press("f", "/")
	h.typeText("antivirus")
	h.press("enter")
	if len(p.visible) != 0 {
		t.Fatalf("filter non risposte + antivirus = %s, want nothing", ids())
	}
	h.requireScreen("Nessuna voce con il filtro «non risposte» e la ricerca «antivirus»")
	h.press("esc")
	if h.checklist() != p || ids() != "FIS-03 FIS-04 TEC-01 TEC-02 TEC-03 TEC-04" {
		t.Fatalf("esc did not clear search and filter: %s", ids())
	}
	h.press("esc")
	if _, ok := h.m.top().(*overviewPage); !ok {
		t.Fatalf("second esc did not go back: %T", h.m.top())
	}
}

func TestViewerCannotAnswer(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id, Role: checklist.RoleViewer}, 100, 30)
	h.openScope(postPG01)
	h.moveTo("TEC-02")
	for _, k := range []string{"s", "n", "p", "x", "e", "v"} {
		h.press(k)
		if h.m.form != nil {
			t.Fatalf("%s opened a form for a viewer", k)
		}
	}
	h.requireScreen("Sola lettura")
	if _, ok := answerOf(t, s, id, postPG01, "TEC-02"); ok {
		t.Fatal("a viewer's answer was saved")
	}
}

// failingStore is a real store whose answer saves fail, like a full disk.
type failingStore struct {
	*storage.Store
	err error
}

func (f failingStore) SaveAnswer(string, checklist.Answer, int) (storage.SaveResult, error) {
	return storage.SaveResult{}, f.err
}

func (f failingStore) SaveValue(string, checklist.Answer, int) (storage.SaveResult, error) {
	return storage.SaveResult{}, f.err
}

func TestChecklistFailedSaveStaysMarkedUnsaved(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	fs := failingStore{Store: s, err: errors.New("spazio su disco esaurito")}
	h := newHarness(t, Options{Store: fs, AuditID: id}, 100, 30)
	h.openScope(postPG01)
	h.moveTo("TEC-02")
	h.press("n")
	h.requireScreen("NON salvato TEC-02", "spazio su disco esaurito")
	if strings.Contains(h.screen(), "Salvato:") {
		t.Fatal("status says Salvato after a failed save")
	}
	h.press("up")
	h.requireScreen("NON SALVATO")
	if _, ok := answerOf(t, s, id, postPG01, "TEC-02"); ok {
		t.Fatal("answer reached the database")
	}
	if v := h.m.ctx.Audit.failed[answerRef{postPG01, "TEC-02"}]; v != "no" {
		t.Fatalf("failed value = %q, want no", v)
	}
}

func TestChecklistConflictIsReported(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.openScope(postPG01)
	h.moveTo("TEC-01")
	// Another session changes the same answer after this one loaded it.
	if _, err := s.SaveAnswer(id, checklist.Answer{Scope: postPG01, Item: "TEC-01", Value: "no", Author: "marco"}, -1); err != nil {
		t.Fatal(err)
	}
	h.press("s")
	h.requireScreen("marco aveva appena cambiato questa voce")
	got, _ := answerOf(t, s, id, postPG01, "TEC-01")
	if got.Value != "si" {
		t.Fatalf("stored %q, want si (the newer answer wins)", got.Value)
	}
}

// s, n and p on a choice item open the list on the choice with that
// meaning: one more invio confirms it.
func TestChecklistChoiceAnsweredByOutcomeKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want string
	}{
		{"s", "mensile"},
		{"p", "annuale"},
		{"n", "mai"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			id := createSample(t, s)
			h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
			h.openScope(postPG01)
			h.moveTo("FIS-04")
			h.press(tc.key)
			if h.m.form == nil {
				t.Fatal("the key picked a choice without showing it")
			}
			if _, ok := answerOf(t, s, id, postPG01, "FIS-04"); ok {
				t.Fatal("saved before the choice was confirmed")
			}
			h.press("enter", "enter") // the choice it opened on, then the optional note
			got, _ := answerOf(t, s, id, postPG01, "FIS-04")
			if got.Value != tc.want {
				t.Fatalf("stored %q, want %q", got.Value, tc.want)
			}
		})
	}
}

func TestChecklistOwnItemsByDefault(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	p := h.openScope(postPG01)
	ids := func() string {
		var out []string
		for _, it := range p.visible {
			out = append(out, it.ID)
		}
		return strings.Join(out, " ")
	}
	if got, want := ids(), "FIS-03 FIS-04 TEC-01 TEC-02 TEC-03 TEC-04"; got != want {
		t.Fatalf("default rows = %s, want only the postazione's own %s", got, want)
	}
	h.requireScreen("↑ 6 voci ereditate nascoste (i): 2 con risposta, 1 non conforme — da Sede Municipio e Ente")
	h.press("i")
	if got, want := ids(), "FIS-01 FIS-02 FIS-03 FIS-04 TEC-01 TEC-02 TEC-03 TEC-04 ORG-01 ORG-02 ORG-03 ORG-04"; got != want {
		t.Fatalf("with i rows = %s, want %s", got, want)
	}
	h.requireScreen("↑ 6 voci ereditate mostrate (i)")
	h.press("i")
	if got := ids(); got != "FIS-03 FIS-04 TEC-01 TEC-02 TEC-03 TEC-04" {
		t.Fatalf("second i left %s", got)
	}
}

func TestChecklistAnswerMovesToNextAnswerable(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	p := h.openScope(sedeMunicipio)
	h.press("i") // FIS-01 FIS-02, then ORG-01..03 of the ente, then ORG-04
	h.moveTo("FIS-02")
	h.press("s")
	if p.curID != "ORG-04" {
		t.Fatalf("cursor on %s after answering FIS-02, want ORG-04 (the ente's items skipped)", p.curID)
	}
}

func TestChecklistNextUnansweredFromTheCursor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, from, want string
	}{
		{"the item under the cursor", "FIS-04", "FIS-04"},
		{"the next one", "TEC-01", "TEC-02"},
		{"wrapping", "TEC-04", "FIS-03"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			id := createSample(t, s)
			if _, err := s.SaveAnswer(id, checklist.Answer{Scope: postPG01, Item: "TEC-04", Value: "2026-01-01", Author: "x"}, -1); err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
			p := h.openScope(postPG01)
			h.moveTo(tc.from)
			h.press("u")
			if p.curID != tc.want {
				t.Fatalf("u from %s went to %s, want %s", tc.from, p.curID, tc.want)
			}
		})
	}
}

func TestChecklistClearAndUndo(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	p := h.openScope(sedeMunicipio)
	h.moveTo("FIS-01")
	h.press("0")
	got, _ := answerOf(t, s, id, sedeMunicipio, "FIS-01")
	if got.Value != "" || got.Note != "" {
		t.Fatalf("after 0: %+v, want value and note cleared", got)
	}
	h.requireScreen("FIS-01 (Sede Municipio) torna a «Non verificato»", "Risposta: Non verificato")
	if strings.Contains(h.screen(), "Non verificato —") {
		t.Fatalf("a cleared answer shows an author:\n%s", h.screen())
	}
	if p.curID != "FIS-01" {
		t.Errorf("0 moved the cursor to %s", p.curID)
	}
	// The history keeps what was cleared.
	hist, err := s.History(id)
	if err != nil {
		t.Fatal(err)
	}
	var cleared []string
	for _, c := range hist {
		if c.Item == "FIS-01" && c.New == "" {
			cleared = append(cleared, string(c.Kind)+":"+c.Old)
		}
	}
	if strings.Join(cleared, " ") != "risposta:no nota:Porta sempre aperta" {
		t.Fatalf("history of the clear = %v", cleared)
	}

	h.press("z")
	got, _ = answerOf(t, s, id, sedeMunicipio, "FIS-01")
	if got.Value != "no" || got.Note != "Porta sempre aperta" {
		t.Fatalf("after z: %+v, want no with its note back", got)
	}
	h.requireScreen("Annullata l'ultima modifica: FIS-01 (Sede Municipio) torna a No")

	// Undo goes back one change at a time, then says there is nothing left.
	h.moveTo("FIS-02")
	h.press("s", "z")
	if _, ok := answerOf(t, s, id, sedeMunicipio, "FIS-02"); ok {
		if a, _ := answerOf(t, s, id, sedeMunicipio, "FIS-02"); a.Value != "" {
			t.Fatalf("FIS-02 after s z = %q, want unanswered", a.Value)
		}
	}
	h.press("z")
	h.requireScreen("Nessuna modifica di questa sessione da annullare")
}

func TestChecklistAnswerKeysOnValueItemsAreRefused(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	p := h.openScope(postPG01)
	h.moveTo("TEC-03") // testo
	for _, k := range []string{"s", "n", "p", "x", "S"} {
		h.press(k)
		if h.m.form != nil {
			t.Fatalf("%s opened a form on a text item", k)
		}
		h.requireScreen("TEC-03 chiede un testo, non sì/no: premere invio per rispondere")
	}
	// The next keys still answer: nothing swallowed them.
	h.press("down", "s")
	if got, _ := answerOf(t, s, id, postPG01, "TEC-04"); got.Value != "" {
		t.Fatalf("TEC-04 (data) = %q", got.Value)
	}
	if p.curID != "TEC-04" {
		t.Fatalf("cursor on %s", p.curID)
	}
}

func TestChecklistAnswerWithNoteInOneGo(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	p := h.openScope(postPG01)
	h.moveTo("TEC-02")
	h.press("N")
	h.requireScreen("TEC-02 — no con nota", "Risposta: No")
	h.typeText("Sessione lasciata aperta")
	h.press("enter")
	got, _ := answerOf(t, s, id, postPG01, "TEC-02")
	if got.Value != "no" || got.Note != "Sessione lasciata aperta" || got.Rev != 1 {
		t.Fatalf("stored %+v, want no with its note in one commit", got)
	}
	if p.curID != "TEC-03" {
		t.Errorf("cursor on %s after N, want TEC-03", p.curID)
	}
	// esc saves nothing.
	h.moveTo("FIS-03")
	h.press("P", "esc")
	if _, ok := answerOf(t, s, id, postPG01, "FIS-03"); ok {
		t.Fatal("P then esc saved an answer")
	}
}

func TestChecklistNotApplicableFormStartsEmpty(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.openScope(sedeMunicipio)
	h.moveTo("FIS-01") // "no" with the note "Porta sempre aperta"
	h.press("x", "enter")
	if h.m.form == nil {
		t.Fatal("one invio recorded na with the note of the no")
	}
	if got, _ := answerOf(t, s, id, sedeMunicipio, "FIS-01"); got.Value != "no" {
		t.Fatalf("FIS-01 = %q", got.Value)
	}
	h.typeText("Locale dismesso")
	h.press("enter")
	h.moveTo("FIS-01")
	h.press("x") // already na: its justification is offered again
	h.requireScreen("Locale dismesso")
}

func TestChecklistSearchIgnoresAccentsAndReadsNotes(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	p := h.openScope(sedeMunicipio)
	ids := func() string {
		var out []string
		for _, it := range p.visible {
			out = append(out, it.ID)
		}
		return strings.Join(out, " ")
	}
	tests := []struct{ query, want string }{
		{"PORTA SEMPRE", "FIS-01"}, // the note of FIS-01
		{"serratura", "FIS-01"},    // its guidance
		{"fis-02", "FIS-02"},
	}
	for _, tc := range tests {
		h.press("/")
		h.typeText(tc.query)
		h.press("enter")
		if got := ids(); got != tc.want {
			t.Errorf("search %q = %q, want %q", tc.query, got, tc.want)
		}
		h.press("esc")
	}
	h.press("/")
	h.typeText("passaporto")
	h.press("enter")
	h.requireScreen("Nessuna voce per la ricerca «passaporto» (codice, testo, guida e note): premere esc per toglierla.")
}

// TestChecklistEvidenceCount: the detail pane shows how many files an item
// has at the scope, with name, type, size and the start of the digest.
func TestChecklistEvidenceCount(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	if _, err := s.AddEvidence(id, postPG01, "TEC-01", "firme.txt", "", []byte("registro firme\n"), "rossi"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{Store: s, AuditID: id}, 120, 40)
	h.openScope(postPG01)
	h.moveTo("TEC-01")
	h.requireScreen("Allegati (1): al-1 firme.txt (testo, 15 B, sha256")
}
