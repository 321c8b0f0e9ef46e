package tui

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

func TestMain(m *testing.M) {
	// Goldens show answer times: render them the same everywhere.
	time.Local = time.UTC
	os.Exit(m.Run())
}

// testNow is the fixed clock of every test.
var testNow = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

// openTestStore opens a real database in a temporary folder holding the test
// catalogue.
// The real store satisfies the TUI's interface.
var _ Store = (*storage.Store)(nil)

func openTestStore(t testing.TB) *storage.Store {
	t.Helper()
	return openTestStoreClock(t, fixedClock)
}

// openTestStoreClock is openTestStore with the store's clock.
func openTestStoreClock(t testing.TB, now func() time.Time) *storage.Store {
	t.Helper()
	s, err := storage.Open(filepath.Join(t.TempDir(), "audit.db"), storage.Options{Now: now})
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	src, err := os.ReadFile(filepath.Join("..", "testdata", "tui", "catalogue.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveCatalogue(src, "catalogue.yaml"); err != nil {
		t.Fatalf("SaveCatalogue: %v", err)
	}
	return s
}

// sampleAudit is the audit most tests work on: a comune with two sedi and
// two postazioni.
func sampleAudit() checklist.Audit {
	return checklist.Audit{
		Ente: checklist.Ente{
			Name: "Comune di Prova", ISTAT: "054039", Province: "Perugia", Population: 12000,
			Sindaco: "Maria Bianchi", ResponsabileSicurezza: "Luca Verdi", ReferenteCIE: "Anna Russo",
		},
		Year:             2026,
		Auditors:         []string{"Giulia Esposito"},
		StartDate:        "2026-11-20",
		CatalogueID:      "tui-test",
		CatalogueVersion: "1",
		Sedi: []checklist.Sede{
			{Name: "Municipio", Address: "Piazza Grande 1", Rooms: []string{"Anagrafe"}},
			{Name: "Frazione", Address: "Via dei Mulini 4"},
		},
		Postazioni: []checklist.Postazione{
			{Code: "PG01", Sede: "Municipio", Room: "Anagrafe", Office: checklist.OfficeFront,
				Hardware: checklist.Inventory{PC: "Dell OptiPlex", LettoreImpronte: "Crossmatch"}, OS: "Windows 11"},
			{Code: "PG02", Sede: "Frazione", Office: checklist.OfficeBack},
		},
	}
}

// createSample stores the sample audit with a few answers.
func createSample(t testing.TB, s *storage.Store) string {
	t.Helper()
	a, err := s.CreateAudit(sampleAudit(), "preparatore")
	if err != nil {
		t.Fatalf("CreateAudit: %v", err)
	}
	for _, ans := range []checklist.Answer{
		{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Note: "Delibera n. 12/2024"},
		{Scope: checklist.Scope{Kind: checklist.ScopeSede, Name: "Municipio"}, Item: "FIS-01", Value: "no", Note: "Porta sempre aperta"},
		{Scope: checklist.Scope{Kind: checklist.ScopePostazione, Name: "PG01"}, Item: "TEC-01", Value: "parziale"},
	} {
		ans.Author = "preparatore"
		if _, err := s.SaveAnswer(a.ID, ans, -1); err != nil {
			t.Fatalf("SaveAnswer %s: %v", ans.Item, err)
		}
	}
	return a.ID
}

// harness drives the root model the way a tea.Program would, but
// synchronously: every command is run to completion and its message fed
// back before the next key, except timers (cursor blink, idle check, the
// delayed UI-state save), which are recognised by where their goroutine
// waits (see isTimer) and left running: settle feeds them when they fire.
// Nothing depends on how fast the machine is.
type harness struct {
	t    testing.TB
	m    *Model
	quit bool
	// late holds the results of the timers still running.
	late []chan tea.Msg
}

// settle feeds the timers' results as they fire until cond holds. The
// deadline only stops a test that would otherwise hang.
func (h *harness) settle(cond func() bool, deadline time.Duration) {
	h.t.Helper()
	stop := time.After(deadline)
	for !cond() {
		if len(h.late) == 0 {
			h.t.Fatalf("condition not met and nothing left to wait for:\n%s", h.screen())
		}
		cases := make([]reflect.SelectCase, 0, len(h.late)+1)
		for _, ch := range h.late {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
		}
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(stop)})
		i, v, _ := reflect.Select(cases)
		if i == len(h.late) {
			h.t.Fatalf("condition not met after %s:\n%s", deadline, h.screen())
		}
		h.late = append(h.late[:i], h.late[i+1:]...)
		if msg, ok := v.Interface().(tea.Msg); ok {
			h.feed(msg)
		}
	}
}

func newHarness(t testing.TB, opts Options, w, h int) *harness {
	t.Helper()
	if opts.Now == nil {
		opts.Now = fixedClock
	}
	if opts.User == "" {
		opts.User = "giulia"
	}
	hs := &harness{t: t}
	hs.m = newModel(opts, true)
	// Exports (the monkey test presses E and enter) stay out of the tree.
	hs.m.ctx.exportBase = t.TempDir()
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.m.Init())
	return hs
}

func (h *harness) send(msgs ...tea.Msg) {
	for _, msg := range msgs {
		_, cmd := h.m.Update(msg)
		h.run(cmd)
	}
}

var cmdSliceType = reflect.TypeOf([]tea.Cmd(nil))

// timerFrames are the functions a timer command waits in (inlined calls
// appear as "caller.callee.funcN", so they are matched as suffixes):
// tea.Tick and tea.Every, the cursor blink of bubbles, the TUI's idle check.
var timerFrames = []string{".Tick.func", ".Every.func", ".Blink.func", ".idleAfter.func"}

// isTimer reports whether goroutine id is waiting in a timer.
func isTimer(id string) bool {
	buf := make([]byte, 1<<20)
	dump := string(buf[:runtime.Stack(buf, true)])
	i := strings.Index(dump, "goroutine "+id+" [")
	if i < 0 {
		return false
	}
	g := dump[i:]
	if end := strings.Index(g, "\n\n"); end >= 0 {
		g = g[:end]
	}
	if !strings.Contains(g, "[chan receive") && !strings.Contains(g, "[select") {
		return false
	}
	for _, f := range timerFrames {
		if strings.Contains(g, f) {
			return true
		}
	}
	return false
}

func goroutineID() string {
	buf := make([]byte, 64)
	f := strings.Fields(string(buf[:runtime.Stack(buf, false)]))
	return f[1]
}

// run executes cmd to completion and feeds its message back; a timer is
// left running (h.late).
func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	ch := make(chan tea.Msg, 1)
	ids := make(chan string, 1)
	go func() {
		ids <- goroutineID()
		ch <- cmd()
	}()
	id := <-ids
	stop := time.After(2 * time.Minute) // a hang, not a slow disk
	poll := time.NewTicker(time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case msg := <-ch:
			h.feed(msg)
			return
		case <-poll.C:
			if isTimer(id) {
				h.late = append(h.late, ch)
				return
			}
		case <-stop:
			h.t.Fatalf("a command still runs after 2 minutes:\n%s", h.screen())
		}
	}
}

// feed handles one command result like the program loop does.
func (h *harness) feed(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.QuitMsg:
		h.quit = true
		return
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
		return
	}
	// tea.Sequence's message type is unexported: run its commands in order.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().ConvertibleTo(cmdSliceType) {
		for _, c := range v.Convert(cmdSliceType).Interface().([]tea.Cmd) {
			h.run(c)
		}
		return
	}
	h.send(msg)
}

// press sends key presses: single characters, or names such as "enter",
// "esc", "down", "tab", "ctrl+c".
func (h *harness) press(keys ...string) {
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typeText types text one character at a time.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	if len(r) != 1 {
		panic("unknown key " + k)
	}
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// screen is the plain text of the current frame.
func (h *harness) screen() string { return ansi.Strip(h.m.View().Content) }

func (h *harness) requireScreen(want ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			h.t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func (h *harness) checklist() *checklistPage {
	h.t.Helper()
	p, ok := h.m.top().(*checklistPage)
	if !ok {
		h.t.Fatalf("top page is %T, want checklist:\n%s", h.m.top(), h.screen())
	}
	return p
}

// openScope goes from the overview to the checklist of the scope.
func (h *harness) openScope(sc checklist.Scope) *checklistPage {
	h.t.Helper()
	ov, ok := h.m.top().(*overviewPage)
	if !ok {
		h.t.Fatalf("top page is %T, want overview:\n%s", h.m.top(), h.screen())
	}
	ov.selectScope(sc)
	h.press("enter")
	return h.checklist()
}

// moveTo puts the checklist cursor on an item.
func (h *harness) moveTo(itemID string) {
	h.t.Helper()
	p := h.checklist()
	h.press("g")
	for i := 0; i < len(p.visible) && p.curID != itemID; i++ {
		h.press("down")
	}
	if p.curID != itemID {
		h.t.Fatalf("item %s not in the list", itemID)
	}
}

func answerOf(t testing.TB, s Store, auditID string, sc checklist.Scope, item string) (checklist.Answer, bool) {
	t.Helper()
	snap, err := s.Load(auditID)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return snap.Answer(sc, item)
}

var (
	sedeMunicipio = checklist.Scope{Kind: checklist.ScopeSede, Name: "Municipio"}
	postPG01      = checklist.Scope{Kind: checklist.ScopePostazione, Name: "PG01"}
)
