package tui

import (
	"bytes"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// lineOf is the screen line whose text contains s.
func (h *harness) lineOf(s string) int {
	h.t.Helper()
	for i, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, s) {
			return i
		}
	}
	h.t.Fatalf("%q is not on screen:\n%s", s, h.screen())
	return -1
}

func (h *harness) click(y int) {
	h.send(tea.MouseClickMsg{X: 4, Y: y, Button: tea.MouseLeft})
}

func TestMouseSelectsAndOpensRows(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	if h.m.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("the TUI does not ask for mouse events")
	}
	// Overview: a click selects a scope, a second click opens it.
	y := h.lineOf("PG01")
	h.click(y)
	if got := h.m.cursorLine(); got != y {
		t.Fatalf("after the click the cursor is on line %d, want %d:\n%s", got, y, h.screen())
	}
	h.click(y)
	p := h.checklist()

	// Checklist: rows are grouped under section headings, so the click
	// moves the cursor over them to the item clicked.
	target := h.lineOf("TEC-02")
	h.click(target)
	if p.curID != "TEC-02" || h.m.cursorLine() != target {
		t.Fatalf("clicked TEC-02 on line %d, cursor on %s (line %d):\n%s", target, p.curID, h.m.cursorLine(), h.screen())
	}
	// The wheel moves one row a notch, like the arrow keys.
	h.send(tea.MouseWheelMsg{X: 4, Y: target, Button: tea.MouseWheelDown})
	after := p.curID
	h.send(tea.MouseWheelMsg{X: 4, Y: target, Button: tea.MouseWheelUp})
	if after == "TEC-02" || p.curID != "TEC-02" {
		t.Errorf("wheel down gave %s, wheel up %s: want the next item and back", after, p.curID)
	}
	// A click on a line that is no row (the header) changes nothing.
	h.click(0)
	if p.curID != "TEC-02" {
		t.Errorf("a click on the header moved the cursor to %s", p.curID)
	}
	// With a form open the mouse does nothing: the form takes keys only.
	h.press("e")
	h.click(target + 1)
	if h.m.form == nil || p.curID != "TEC-02" {
		t.Errorf("a click under the form closed it or moved the list")
	}
}

// In accessible mode a form is asked as prompts on the terminal and its
// answer saved as from the drawn form.
func TestAccessibleFormsArePrompts(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id, Accessible: true}, 100, 30)
	var out bytes.Buffer
	h.m.execForm = func(c tea.ExecCommand, done tea.ExecCallback) tea.Cmd {
		c.SetStdin(strings.NewReader("Firme ferme a ottobre\n"))
		c.SetStdout(&out)
		err := c.Run()
		return func() tea.Msg { return done(err) }
	}
	h.openScope(postPG01)
	h.moveTo("TEC-01")
	h.press("e")
	if h.m.form != nil {
		t.Fatal("accessible mode drew the form")
	}
	got, _ := answerOf(t, s, id, postPG01, "TEC-01")
	if got.Note != "Firme ferme a ottobre" {
		t.Fatalf("stored %+v, want the note typed at the prompt", got)
	}
	if !strings.Contains(out.String(), "Nota") {
		t.Errorf("the prompt did not name the field:\n%s", out.String())
	}
	h.requireScreen("Salvato: nota TEC-01")
}
