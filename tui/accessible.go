package tui

import (
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
)

// Accessible mode (Options.Accessible, CIEAUDIT_ACCESSIBLE=1): forms are
// not drawn over the page but asked as plain prompts, one field after the
// other, which screen readers follow (huh's accessible mode). The TUI lends
// the terminal to the prompts and takes it back when they are answered;
// the answers are then saved exactly as from the drawn form.

// accessibleForm runs one form as prompts on the terminal bubbletea lends
// it (tea.Exec).
type accessibleForm struct {
	title string
	form  *huh.Form
	in    io.Reader
	out   io.Writer
}

func (f *accessibleForm) SetStdin(r io.Reader)  { f.in = r }
func (f *accessibleForm) SetStdout(w io.Writer) { f.out = w }
func (f *accessibleForm) SetStderr(io.Writer)   {}

func (f *accessibleForm) Run() error {
	fmt.Fprintf(f.out, "\n%s\n\n", f.title)
	return f.form.WithAccessible(true).WithInput(f.in).WithOutput(f.out).Run()
}

// accessibleDoneMsg is the end of an accessible form.
type accessibleDoneMsg struct {
	form formMsg
	err  error
}

// runAccessible asks msg's form as prompts, then submits it.
func (m *Model) runAccessible(msg formMsg) tea.Cmd {
	f := &accessibleForm{title: msg.title, form: msg.form}
	done := func(err error) tea.Msg { return accessibleDoneMsg{form: msg, err: err} }
	if m.execForm != nil {
		return m.execForm(f, done)
	}
	return tea.Exec(f, done)
}

func (m *Model) accessibleDone(msg accessibleDoneMsg) tea.Cmd {
	if msg.err != nil {
		m.say(statusError, "Modifica annullata, nulla è stato salvato: "+msg.err.Error())
		return nil
	}
	return msg.form.submit()
}
