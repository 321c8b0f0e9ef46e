package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// The audit walk's shared machinery: saving one answer through the save
// queue, and undoing the last change this session made.

// undoStep is one change made in this session, as the answers it replaced:
// undoing it saves them back. A step may hold several answers (a copy or a
// bulk answer is undone at once).
type undoStep struct {
	what string // "TEC-02 (Postazione PG01)", for the status line
	prev []checklist.Answer
}

// maxUndo bounds the undo list of a session.
const maxUndo = 200

// shown returns the answer an item has on screen at exactly scope: the value
// being saved, or the committed one, with the committed note.
func (s *auditSession) shown(scope checklist.Scope, item string) checklist.Answer {
	a, _ := s.snap.Answer(scope, item)
	if v, ok := s.pending[answerRef{scope, item}]; ok {
		a.Value = v
	}
	a.Scope, a.Item = scope, item
	return a
}

// remember records the answers a change is about to replace, so that z can
// put them back.
func (s *auditSession) remember(what string, prev ...checklist.Answer) {
	s.undo = append(s.undo, undoStep{what: what, prev: prev})
	if len(s.undo) > maxUndo {
		s.undo = s.undo[len(s.undo)-maxUndo:]
	}
}

// saveAnswer queues one answer for the store; the row shows it as being
// saved until the commit returns. With keepNote only the value is saved and
// the stored note kept (storage.Store.SaveValue).
func (c *Context) saveAnswer(scope checklist.Scope, item, value, note string, keepNote bool) tea.Cmd {
	sess := c.Audit
	ref := answerRef{scope, item}
	expectRev := 0
	if cur, ok := sess.snap.Answer(scope, item); ok {
		expectRev = cur.Rev
	}
	ans := checklist.Answer{Scope: scope, Item: item, Value: value, Note: note, Author: c.User, At: c.Now()}
	sess.pending[ref] = value
	delete(sess.failed, ref)
	sess.version++
	store, id := c.Store, sess.id()
	key := revKey{id, ref}
	seq, cmd := c.saves().enqueue(func(revs map[revKey]int) tea.Msg {
		// An earlier save of this answer, committed just before, is what
		// this one replaces: expect its revision, not the screen's.
		saveFn := store.SaveAnswer
		if keepNote {
			saveFn = store.SaveValue
		}
		res, err := saveFn(id, ans, max(expectRev, revs[key]))
		if err == nil {
			revs[key] = res.Answer.Rev
		}
		return answerSavedMsg{audit: id, ref: ref, value: value, res: res, err: err}
	}, func(err error) tea.Msg {
		return answerSavedMsg{audit: id, ref: ref, value: value, err: err}
	})
	sess.lastSent[ref] = seq
	return func() tea.Msg {
		msg := cmd().(answerSavedMsg)
		msg.seq = seq
		return msg
	}
}

// undoLast puts back the answers the last change of this session replaced.
func (c *Context) undoLast() tea.Cmd {
	sess := c.Audit
	if len(sess.undo) == 0 {
		return setStatus(statusInfo, "Nessuna modifica di questa sessione da annullare")
	}
	if why := c.editRefusal(); why != "" {
		return setStatus(statusError, why)
	}
	step := sess.undo[len(sess.undo)-1]
	sess.undo = sess.undo[:len(sess.undo)-1]
	cmds := make([]tea.Cmd, 0, len(step.prev))
	for _, a := range step.prev {
		cmds = append(cmds, c.saveAnswer(a.Scope, a.Item, a.Value, a.Note, false))
	}
	back := "Non verificato"
	if len(step.prev) == 1 && step.prev[0].Value != "" {
		if it := sess.snap.Catalogue.Item(step.prev[0].Item); it != nil {
			back = checklist.DisplayValue(it, step.prev[0].Value)
		}
	}
	msg := fmt.Sprintf("Annullata l'ultima modifica: %s torna a %s", step.what, back)
	if len(step.prev) > 1 {
		msg = fmt.Sprintf("Annullata l'ultima modifica: %s tornano come prima", checklist.Voci(len(step.prev)))
	}
	for i := range cmds {
		cmds[i] = withDone(cmds[i], msg)
	}
	return tea.Batch(cmds...)
}

// withDone makes a queued save report done instead of the plain "Salvato".
func withDone(cmd tea.Cmd, done string) tea.Cmd {
	return func() tea.Msg {
		msg := cmd().(answerSavedMsg)
		msg.done = done
		return msg
	}
}

// recordHistory adds to the open audit's history what a committed save
// changed, as the store recorded it, so that the history pane is current
// without reloading the audit.
func (s *auditSession) recordHistory(prev *checklist.Answer, next checklist.Answer, reason string) {
	var old checklist.Answer
	if prev != nil {
		old = *prev
	}
	where := checklist.Change{At: next.At, Author: next.Author, Scope: next.Scope.String(), Item: next.Item, Reason: reason}
	if old.Value != next.Value {
		c := where
		c.Kind, c.Old, c.New = checklist.ChangeAnswer, old.Value, next.Value
		s.snap.History = append(s.snap.History, c)
	}
	if old.Note != next.Note {
		c := where
		c.Kind, c.Old, c.New = checklist.ChangeNote, old.Note, next.Note
		s.snap.History = append(s.snap.History, c)
	}
}
