package tui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// brokenPage panics on every key and when drawn, standing in for a bug.
type brokenPage struct{ drawPanics bool }

func (brokenPage) Init() tea.Cmd { return nil }
func (p *brokenPage) Update(msg tea.Msg) (Component, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		panic("index out of range")
	}
	return p, nil
}
func (p *brokenPage) View() string {
	if p.drawPanics {
		panic("nil map")
	}
	return "pagina"
}
func (brokenPage) SetSize(int, int)          {}
func (brokenPage) Title() string             { return "Rotta" }
func (brokenPage) ShortHelp() []key.Binding  { return nil }
func (brokenPage) FullHelp() [][]key.Binding { return nil }

// TestBugsDoNotEndTheSession: a panic while handling a key or drawing the
// screen is shown to the user; the program goes on.
func TestBugsDoNotEndTheSession(t *testing.T) {
	s := openTestStore(t)
	m := newModel(Options{Store: s, User: "giulia"}, true)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	page := &brokenPage{}
	m.pushPage(page)

	m.Update(keyMsg("j"))
	if !strings.Contains(m.status, "Errore interno (index out of range)") {
		t.Errorf("status after a panicking key: %q", m.status)
	}
	if v := m.View(); !strings.Contains(v.Content, "pagina") {
		t.Errorf("the session did not go on: %q", v.Content)
	}
	page.drawPanics = true
	if v := m.View(); !strings.Contains(v.Content, "Errore interno nel disegnare la schermata (nil map)") {
		t.Errorf("view after a panicking draw: %q", v.Content)
	}
}
