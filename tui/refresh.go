package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// Live refresh. Over SSH the server tells the TUI when another session
// changed the audit (ChangedMsg); a local TUI shares the file with other
// processes (the CLI, another TUI), so it polls: every Options.Refresh it
// reads the audit index, one small record per audit, and reloads the audit
// only when its last change is newer than what the screen shows. The status
// line then says what changed.

// DefaultRefresh is how often a local TUI looks for changes made by other
// processes.
const DefaultRefresh = 2 * time.Second

type refreshMsg struct{}

// polledMsg carries the open audit's last change as the index has it.
type polledMsg struct {
	audit   string
	updated time.Time
	err     error
}

func (m *Model) refreshTick() tea.Cmd {
	if m.opts.Refresh <= 0 {
		return nil
	}
	return tea.Tick(m.opts.Refresh, func(time.Time) tea.Msg { return refreshMsg{} })
}

// poll reads the index entry of the open audit.
func (m *Model) poll() tea.Cmd {
	if m.ctx.Audit == nil {
		return m.refreshTick()
	}
	store, id := m.ctx.Store, m.ctx.Audit.id()
	return func() tea.Msg {
		list, err := store.ListAudits()
		if err != nil {
			return polledMsg{audit: id, err: err}
		}
		for _, s := range list {
			if s.ID == id {
				return polledMsg{audit: id, updated: s.UpdatedAt}
			}
		}
		return polledMsg{audit: id}
	}
}

// polled reloads the audit when someone else changed it, and schedules the
// next poll.
func (m *Model) polled(msg polledMsg) tea.Cmd {
	a := m.ctx.Audit
	if msg.err != nil || a == nil || a.id() != msg.audit || !msg.updated.After(a.stamp) {
		return m.refreshTick()
	}
	a.stamp = msg.updated
	return tea.Batch(m.reloadCmd(""), m.refreshTick())
}

// seen records that the screen shows the audit as of t.
func (s *auditSession) seen(t time.Time) {
	if t.After(s.stamp) {
		s.stamp = t
	}
}

// answerChanges describes the answers that differ between two snapshots of
// an audit, skipping those this session is saving: "FIS-09 (Postazione
// PG0991A01): Sì → Parziale".
func answerChanges(old, next *checklist.Snapshot, pending map[answerRef]string) []string {
	var out []string
	for _, a := range next.Answers {
		if _, mine := pending[answerRef{a.Scope, a.Item}]; mine {
			continue
		}
		prev, _ := old.Answer(a.Scope, a.Item)
		if prev.Value == a.Value && prev.Note == a.Note {
			continue
		}
		it := next.Catalogue.Item(a.Item)
		if it == nil {
			continue
		}
		what := historyValue(it, prev.Value) + " → " + historyValue(it, a.Value)
		if prev.Value == a.Value {
			what = "nota cambiata"
		}
		by := ""
		if a.Author != "" {
			by = ", " + a.Author
		}
		out = append(out, fmt.Sprintf("%s (%s): %s%s", a.Item, a.Scope.Label(), what, by))
	}
	for _, a := range old.Answers {
		if _, ok := next.Answer(a.Scope, a.Item); !ok && a.Value != "" {
			out = append(out, fmt.Sprintf("%s (%s): risposta tolta", a.Item, a.Scope.Label()))
		}
	}
	return out
}

// reloadNote is the status line after a reload that brought changes.
func reloadNote(author string, changes []string) string {
	who := "un altro processo"
	if author != "" {
		who = author
	}
	if len(changes) == 0 {
		return "Audit aggiornato da " + who
	}
	shown := changes[:min(len(changes), 2)]
	note := "Audit aggiornato da " + who + ": " + strings.Join(shown, "; ")
	if n := len(changes) - len(shown); n > 0 {
		note += fmt.Sprintf(" e altre %d", n)
	}
	return note
}
