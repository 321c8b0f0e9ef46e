package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

func TestHomeEmptyOffersDemo(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	demoCalls := 0
	createDemo := func() (string, error) {
		demoCalls++
		a, err := s.CreateAudit(sampleAudit(), "demo")
		return a.ID, err
	}
	h := newHarness(t, Options{Store: s, CreateDemo: createDemo}, 80, 24)
	h.requireScreen("Nessun audit nel database", "audit dimostrativo")
	h.press("d")
	if demoCalls != 1 {
		t.Fatalf("CreateDemo called %d times, want 1", demoCalls)
	}
	if _, ok := h.m.top().(*overviewPage); !ok {
		t.Fatalf("after d the top page is %T, want the overview:\n%s", h.m.top(), h.screen())
	}
	h.requireScreen("Comune di Prova")
}

func TestHomeCreatesAudit(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	h := newHarness(t, Options{Store: s}, 100, 30)
	h.press("n")
	if h.m.form == nil {
		t.Fatalf("n did not open the form:\n%s", h.screen())
	}
	h.typeText("Comune di Assisi")
	h.press("enter")
	h.typeText("12345") // too short
	h.press("enter")
	h.requireScreen("non valido: servono 6 cifre")
	h.typeText("6")
	h.press("enter", "enter") // ISTAT, year (prefilled 2026)
	h.press("enter")          // auditor (prefilled with the user)
	h.press("enter")          // catalogue
	if h.m.form != nil {
		t.Fatalf("form still open:\n%s", h.screen())
	}
	audits, err := s.ListAudits()
	if err != nil {
		t.Fatal(err)
	}
	if len(audits) != 1 {
		t.Fatalf("%d audits stored, want 1", len(audits))
	}
	a := audits[0]
	if a.Ente != "Comune di Assisi" || a.ISTAT != "123456" || a.Year != 2026 {
		t.Fatalf("stored %+v", a)
	}
	full, err := s.Audit(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Auditors) != 1 || full.Auditors[0] != "giulia" {
		t.Errorf("auditors = %v, want [giulia]", full.Auditors)
	}
	h.requireScreen("Comune di Assisi 2026")
}

func TestHomeOpensAuditAndBackReloads(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	createSample(t, s)
	h := newHarness(t, Options{Store: s}, 80, 24)
	h.requireScreen("Comune di Prova", "In corso")
	h.press("enter")
	h.requireScreen("Ambito", "Postazione PG01 (Municipio)")
	h.press("esc")
	if _, ok := h.m.top().(*homePage); !ok || h.m.ctx.Audit != nil {
		t.Fatalf("esc did not go back home: %T", h.m.top())
	}
	h.press("q")
	if !h.quit {
		t.Fatal("q on the home page did not quit")
	}
}

func TestOverviewEditsEnteSedeAndPostazione(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)

	h.press("a")
	h.press("tab", "tab", "tab", "tab") // to popolazione
	for range 5 {
		h.press("backspace")
	}
	h.typeText("abc")
	h.press("enter")
	h.requireScreen(`la popolazione "abc" non è un numero intero`)
	for range 3 {
		h.press("backspace")
	}
	h.typeText("9876")
	h.press("enter", "enter", "enter", "enter", "enter") // sindaco, responsabile, referente, stemma (empty: unchanged)
	a, err := s.Audit(id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Ente.Population != 9876 || a.Ente.Name != "Comune di Prova" {
		t.Fatalf("ente = %+v", a.Ente)
	}

	h.press("S")
	h.typeText("Municipio")
	h.press("enter")
	h.requireScreen("esiste già una sede «Municipio»")
	h.typeText(" nuovo")
	h.press("enter")
	h.typeText("Via Roma 2")
	h.press("enter")
	h.typeText("Sportello, Archivio")
	h.press("enter")
	a, _ = s.Audit(id)
	sede := a.Sede("Municipio nuovo")
	if sede == nil || sede.Address != "Via Roma 2" || strings.Join(sede.Rooms, "|") != "Sportello|Archivio" {
		t.Fatalf("sede = %+v", sede)
	}

	h.press("P")
	h.typeText("PG09")
	h.press("enter", "enter") // code, sede (first)
	h.typeText("Anagrafe")
	h.press("enter", "down", "enter") // room, back office
	h.typeText("HP ProDesk")
	h.press("enter", "enter", "enter", "enter", "enter", "enter") // hardware
	h.typeText("Windows 11")
	h.press("enter", "enter")
	a, _ = s.Audit(id)
	ps := a.Postazione("PG09")
	if ps == nil || ps.Sede != "Municipio" || ps.Office != checklist.OfficeBack || ps.Hardware.PC != "HP ProDesk" || ps.OS != "Windows 11" {
		t.Fatalf("postazione = %+v", ps)
	}
	h.requireScreen("Postazione PG09 (Municipio)")
}

func TestCloseAndReopen(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.press("c")
	h.requireScreen("Riepilogo dell'audit", "Non conformità")
	h.press("enter")
	h.press("enter", "enter", "enter") // auditors, place, date as proposed
	a, err := s.Audit(id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != checklist.StatusClosed || a.SignOff == nil || a.SignOff.Date != "2026-11-22" || a.SignOff.Place != "Municipio" {
		t.Fatalf("audit after sign-off: status %s, sign-off %+v", a.Status, a.SignOff)
	}
	h.requireScreen("Firmato", "Giulia Esposito")

	// Closed: answering is refused.
	h.press("esc")
	h.openScope(postPG01)
	h.moveTo("TEC-02")
	h.press("s")
	h.requireScreen("Audit chiuso")
	if _, ok := answerOf(t, s, id, postPG01, "TEC-02"); ok {
		t.Fatal("answer saved on a closed audit")
	}

	h.press("esc", "c", "R")
	h.press("enter")
	h.requireScreen("il motivo è obbligatorio")
	h.typeText("Rettifica richiesta dalla Prefettura")
	h.press("enter")
	a, _ = s.Audit(id)
	if a.Status == checklist.StatusClosed {
		t.Fatal("audit still closed after reopening")
	}
	hist, err := s.History(id)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range hist {
		if c.Reason == "Rettifica richiesta dalla Prefettura" {
			found = true
		}
	}
	if !found {
		t.Fatalf("reopening reason not in history: %+v", hist)
	}
}

func TestReopensWhereTheUserLeft(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s}, 100, 30)
	h.press("enter")
	h.openScope(postPG01)
	h.moveTo("TEC-02")
	h.press("s") // answers TEC-02 and moves to TEC-03
	h.press("q", "q", "q")
	if !h.quit {
		t.Fatal("q did not quit")
	}

	again := newHarness(t, Options{Store: s}, 100, 30)
	p := again.checklist()
	if p.scope != postPG01 || p.curID != "TEC-03" {
		t.Fatalf("reopened on %s/%s, want %s/TEC-03", p.scope, p.curID, postPG01)
	}
	if again.m.ctx.Audit.id() != id {
		t.Fatal("reopened another audit")
	}

	// Quitting with ctrl+c from the checklist also remembers the place.
	again.press("down", "ctrl+c")
	st, err := s.UIState("giulia")
	if err != nil {
		t.Fatal(err)
	}
	if st != (storage.UIState{Audit: id, Scope: postPG01.String(), Item: "TEC-04"}) {
		t.Fatalf("ui state = %+v", st)
	}
}

func TestChangedMsgReloadsKeepingCursor(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	p := h.openScope(postPG01)
	h.moveTo("TEC-03")
	if _, err := s.SaveAnswer(id, checklist.Answer{Scope: postPG01, Item: "TEC-02", Value: "no", Author: "marco"}, -1); err != nil {
		t.Fatal(err)
	}
	h.send(ChangedMsg{AuditID: id, Author: "marco"})
	h.requireScreen("Audit aggiornato da marco")
	if p.curID != "TEC-03" {
		t.Fatalf("cursor moved to %s", p.curID)
	}
	h.press("up")
	h.requireScreen("Risposta: No")
}

func TestShutdownAndIdleQuit(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	h := newHarness(t, Options{Store: s}, 80, 24)
	h.send(ShutdownMsg{})
	if !h.quit {
		t.Fatal("ShutdownMsg did not quit")
	}
	h.requireScreen("Il server si sta arrestando")

	now := testNow
	clock := func() time.Time { return now }
	idle := newHarness(t, Options{Store: s, Now: clock, IdleTimeout: 10 * time.Minute}, 80, 24)
	now = now.Add(5 * time.Minute)
	idle.press("j")
	now = now.Add(9 * time.Minute)
	idle.send(idleMsg{})
	if idle.quit {
		t.Fatal("quit after 9 minutes idle with a 10 minute timeout")
	}
	now = now.Add(2 * time.Minute)
	idle.send(idleMsg{})
	if !idle.quit {
		t.Fatal("did not quit after 11 minutes idle")
	}
	idle.requireScreen("senza attività")
}

func TestSmallWindow(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	createSample(t, s)
	h := newHarness(t, Options{Store: s}, 50, 12)
	h.requireScreen("Finestra troppo piccola (50×12)", "60×16")
	h.press("enter")
	if _, ok := h.m.top().(*homePage); !ok {
		t.Fatal("keys acted on a window too small to show the result")
	}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.requireScreen("Comune di Prova")
	for _, line := range strings.Split(h.screen(), "\n") {
		if w := len([]rune(line)); w > 80 {
			t.Fatalf("line wider than the window (%d): %q", w, line)
		}
	}
	if n := strings.Count(h.screen(), "\n") + 1; n != 24 {
		t.Fatalf("frame has %d lines, want 24", n)
	}
}

func TestHelpIsContextual(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.press("?")
	h.requireScreen("nuova postazione", "rischi")
	h.press("?")
	h.openScope(postPG01)
	h.press("?")
	h.requireScreen("non applicabile", "valutazione", "ereditate")
	if strings.Contains(h.screen(), "nuova postazione") {
		t.Fatal("checklist help shows overview keys")
	}
}

func TestCursorPlaceIsSavedAfterAPause(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.openScope(postPG01)
	h.moveTo("TEC-03")
	h.settle(func() bool {
		st, err := s.UIState("giulia")
		return err == nil && st.Item == "TEC-03"
	}, 10*time.Second)
	st, _ := s.UIState("giulia")
	if st != (storage.UIState{Audit: id, Scope: postPG01.String(), Item: "TEC-03"}) {
		t.Fatalf("ui state = %+v", st)
	}
}

func TestChangedMsgWhenScopeRemoved(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.openScope(checklist.Scope{Kind: checklist.ScopePostazione, Name: "PG02"})
	_, err := s.UpdateAudit(id, "marco", "postazione dismessa", func(a *checklist.Audit) error {
		a.Postazioni = a.Postazioni[:1]
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.send(ChangedMsg{AuditID: id, Author: "marco"})
	if _, ok := h.m.top().(*overviewPage); !ok {
		t.Fatalf("top page is %T, want the overview", h.m.top())
	}
	h.requireScreen("Postazione PG02 non esiste più")
	if strings.Contains(h.screen(), "Postazione PG02 (Frazione)") {
		t.Fatal("the removed postazione is still listed")
	}
}

func TestViewerCannotEditAudit(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id, Role: checklist.RoleViewer}, 100, 30)
	for _, k := range []string{"a", "S", "P", "m"} {
		h.press(k)
		if h.m.form != nil {
			t.Fatalf("%s opened a form for a viewer", k)
		}
		h.requireScreen("Sola lettura")
	}
	h.press("c", "enter")
	if h.m.form != nil {
		t.Fatal("a viewer could open the sign-off form")
	}
	h.press("esc", "esc", "n")
	if h.m.form != nil {
		t.Fatal("a viewer could open the new audit form")
	}
}

// TestOverviewRenamesAndRemovesScopes: N renames a postazione (its answers
// follow), D asks before removing one with answers and says how many go.
func TestOverviewRenamesAndRemovesScopes(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	ov := h.m.top().(*overviewPage)
	ov.selectScope(postPG01)
	h.press("N")
	h.requireScreen("Nuovo codice della postazione")
	for range 4 {
		h.press("backspace")
	}
	h.typeText("pg02")
	h.press("enter")
	h.requireScreen("esiste già una postazione PG02")
	h.press("backspace")
	h.typeText("9")
	h.press("enter")
	h.requireScreen("Salvato: Postazione PG01 rinominata")
	renamed := checklist.Scope{Kind: checklist.ScopePostazione, Name: "PG09"}
	if ans, ok := answerOf(t, s, id, renamed, "TEC-01"); !ok || ans.Value != "parziale" {
		t.Fatalf("the answer did not follow the rename: %+v %v", ans, ok)
	}

	ov.selectScope(renamed)
	h.press("D")
	h.requireScreen("Rimuovere postazione PG09?", "Ha 1 risposta o valutazione: sarà eliminata")
	h.press("enter") // the default is Annulla
	h.requireScreen("Rimozione annullata")
	h.press("D", "h", "enter") // h moves to Rimuovi
	h.requireScreen("Salvato: Postazione PG09 rimossa")
	a, err := s.Audit(id)
	if err != nil || a.HasScope(renamed) {
		t.Fatalf("postazione still there: %+v %v", a.Postazioni, err)
	}
}
