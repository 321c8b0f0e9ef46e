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
		{name: "numero con virgola", scope: checklist.EnteScope, item: "ORG-02", keys: []string{"s"}, text: "2,5", want: "2.5"},
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
	if got, want := ids(), "FIS-02 FIS-03 FIS-04 TEC-02 TEC-03 TEC-04 ORG-02 ORG-03 ORG-04"; got != want {
		t.Errorf("non risposte = %s, want %s", got, want)
	}
	h.press("f")
	if got, want := ids(), "FIS-01 TEC-01"; got != want {
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
	if len(p.visible) != len(p.items) {
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
	if h.checklist() != p || len(p.visible) != len(p.items) {
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
			if h.m.form != nil {
				t.Fatal("a form opened although the key identifies one choice")
			}
			got, _ := answerOf(t, s, id, postPG01, "FIS-04")
			if got.Value != tc.want {
				t.Fatalf("stored %q, want %q", got.Value, tc.want)
			}
		})
	}
}
