package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// The mouse, as in gh-dash and lazygit: the wheel moves through the list on
// screen (one row a notch, like the arrow keys), a click selects the row
// under it and a click on the row already selected opens it (invio). Forms
// and the full help take keys only.
//
// Every page draws its selected row with the cursor mark "▸" in the first
// column and keeps its own cursor and layout (section headings, wrapped
// details), so a click is turned into the arrow keys that bring the mark to
// the clicked line: the page moves exactly as with the keyboard.

// cursorMark starts the selected row of every list.
const cursorMark = "▸ "

// maxMouseSteps bounds the arrow keys one click may send.
const maxMouseSteps = 500

func (m *Model) handleMouse(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.form != nil || m.fullHelp || m.quitting != "" {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			return m.handleKey(tea.KeyPressMsg{Code: tea.KeyUp})
		case tea.MouseWheelDown:
			return m.handleKey(tea.KeyPressMsg{Code: tea.KeyDown})
		}
	case tea.MouseClickMsg:
		if msg.Button == tea.MouseLeft {
			return m, m.clickRow(msg.Y)
		}
	}
	return m, nil
}

// clickRow selects the row drawn on screen line y, or opens it when it is
// already selected. A click outside any list does nothing.
func (m *Model) clickRow(y int) tea.Cmd {
	lines := m.screenLines()
	line := cursorIn(lines)
	if line < 0 || y < 0 || y >= len(lines) {
		return nil
	}
	// Rows are indented by the width of the mark; headings, the header,
	// details and the help are not.
	if line != y && !strings.HasPrefix(lines[y], "  ") {
		return nil
	}
	if line == y {
		_, cmd := m.handleKey(tea.KeyPressMsg{Code: tea.KeyEnter})
		return cmd
	}
	step := tea.KeyPressMsg{Code: tea.KeyDown}
	if y < line {
		step = tea.KeyPressMsg{Code: tea.KeyUp}
	}
	var cmds []tea.Cmd
	for range maxMouseSteps {
		_, cmd := m.handleKey(step)
		cmds = append(cmds, cmd)
		next := m.cursorLine()
		// Stop on the clicked line, when the list ends (the mark stays),
		// or past the line when it is not a row (a section heading).
		if next == y || next == line || next < 0 || (step.Code == tea.KeyDown) != (next < y) {
			break
		}
		line = next
	}
	return tea.Batch(cmds...)
}

// cursorLine is the screen line holding the cursor mark, or -1.
func (m *Model) cursorLine() int { return cursorIn(m.screenLines()) }

func (m *Model) screenLines() []string { return strings.Split(ansi.Strip(m.render()), "\n") }

func cursorIn(lines []string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, cursorMark) {
			return i
		}
	}
	return -1
}
