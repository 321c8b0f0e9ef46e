package tui

import (
	"reflect"
	"runtime"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
)

// Why forms mixed fields under fast typing: huh moves the focus to the next
// field (or submits the form) not when it handles invio, but when the
// message returned by the command huh.NextField comes back through the
// program loop. Bubble Tea runs every command in a goroutine, so the keys
// typed right after invio, already queued, reach the old field first:
// "Ufficio tecnico⏎2027-03-31" typed at once gave "Ufficio tecnico2" and
// "027-03-31", and a key typed right after the last invio went into the
// note being saved.
//
// settleForm applies those focus moves at once, inside the Update that
// handled the key, so the next key always finds the field it was typed for.
// The moves are pure functions returning a message; every other command
// (the cursor blink, huh's own submit) still runs asynchronously.

// formMoves are huh's focus and group moves, by function name.
var formMoves = map[string]bool{
	"charm.land/huh/v2.NextField": true,
	"charm.land/huh/v2.PrevField": true,
	"charm.land/huh/v2.nextGroup": true,
	"charm.land/huh/v2.prevGroup": true,
}

// batchPrefix names the command tea.Batch returns for two or more commands.
const batchPrefix = "charm.land/bubbletea/v2.compactCmds["

func cmdName(cmd tea.Cmd) string {
	if f := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()); f != nil {
		return f.Name()
	}
	return ""
}

// settleForm feeds the focus moves found in cmd to the open form at once and
// returns the commands left to run.
func (m *Model) settleForm(cmd tea.Cmd, depth int) tea.Cmd {
	if cmd == nil || m.form == nil || depth > 16 {
		return cmd
	}
	name := cmdName(cmd)
	switch {
	case formMoves[name]:
		model, next := m.form.form.Update(cmd())
		if form, ok := model.(*huh.Form); ok {
			m.form.form = form
		}
		return m.settleForm(next, depth+1)
	case strings.HasPrefix(name, batchPrefix):
		msg := cmd()
		batch, ok := msg.(tea.BatchMsg)
		if !ok {
			// A sequence: keep its order, run as it is.
			return func() tea.Msg { return msg }
		}
		rest := make([]tea.Cmd, 0, len(batch))
		for _, c := range batch {
			rest = append(rest, m.settleForm(c, depth+1))
		}
		return tea.Batch(rest...)
	}
	return cmd
}
