package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// Copy from another scope (c) and bulk answers (b): both make a
// checklist.AnswerPlan, say how many items it changes, and commit it in one
// transaction once confirmed. The whole change is one step for z.

// batchSavedMsg reports the outcome of SaveAnswers.
type batchSavedMsg struct {
	audit   string
	seq     uint64
	refs    []answerRef
	reason  string
	what    string
	done    string
	results []checklist.SaveResult
	err     error
}

// copyFrom asks which sede or postazione to copy from.
func (p *checklistPage) copyFrom() tea.Cmd {
	if why := p.ctx.editRefusal(); why != "" {
		return setStatus(statusError, why)
	}
	sources := checklist.CopySources(p.ctx.Audit.snap.Audit, p.scope)
	if len(sources) == 0 {
		return setStatus(statusInfo, "Nessun'altra "+strings.ToLower(p.scope.Kind.Label())+" da cui copiare le risposte")
	}
	opts := make([]huh.Option[string], 0, len(sources))
	for _, sc := range sources {
		pr := p.ctx.Audit.snap.ScopeProgress(sc)
		opts = append(opts, huh.NewOption(fmt.Sprintf("%s (%d/%d risposte)", sc.Label(), pr.Answered, pr.Total), sc.String()))
	}
	p.valueDraft = sources[0].String()
	form := huh.NewForm(huh.NewGroup(huh.NewSelect[string]().
		Title("Copiare le risposte in " + p.scope.Label() + " da:").
		Description("Valori e note; prima di scrivere si vede quante voci cambiano.").
		Options(opts...).Value(&p.valueDraft)))
	return openForm("Copia da un altro ambito", form, func() tea.Cmd {
		from, err := checklist.ParseScope(p.valueDraft)
		if err != nil {
			return setStatus(statusError, err.Error())
		}
		plan, err := checklist.PlanCopy(p.ctx.Audit.snap, from, p.scope)
		if err != nil {
			return setStatus(statusError, err.Error())
		}
		return p.confirmPlan(plan, "da "+from.Label())
	})
}

// bulkAnswer answers many items at once: the items shown, when a filter or
// a search is on, else the section of the item under the cursor.
func (p *checklistPage) bulkAnswer() tea.Cmd {
	if why := p.ctx.editRefusal(); why != "" {
		return setStatus(statusError, why)
	}
	cur := p.current()
	if cur == nil {
		return setStatus(statusInfo, "Nessuna voce selezionata")
	}
	var items []*checklist.Item
	what := ""
	if p.filter != filterAll || p.search.Value() != "" {
		what = "le voci mostrate"
		for _, it := range p.visible {
			if p.own(it) {
				items = append(items, it)
			}
		}
	} else {
		what = "la sezione " + cur.Section
		for _, it := range p.items {
			if it.Section == cur.Section && p.own(it) {
				items = append(items, it)
			}
		}
	}
	p.valueDraft = string(checklist.OutcomeYes)
	form := huh.NewForm(huh.NewGroup(huh.NewSelect[string]().
		Title("Risposta in blocco per "+what+" di "+p.scope.Label()).
		Description("Solo le voci sì/no/parziale di questo ambito; le note restano. Prima di scrivere si vede quante voci cambiano.").
		Options(huh.NewOption("Sì", string(checklist.OutcomeYes)), huh.NewOption("No", string(checklist.OutcomeNo)),
			huh.NewOption("Parziale", string(checklist.OutcomePartial))).
		Value(&p.valueDraft)))
	return openForm("Risposta in blocco", form, func() tea.Cmd {
		plan, err := checklist.PlanBulk(p.ctx.Audit.snap, p.scope, items, checklist.Outcome(p.valueDraft))
		if err != nil {
			return setStatus(statusError, err.Error())
		}
		return p.confirmPlan(plan, "per "+what)
	})
}

// Choices of the confirmation of a plan.
const (
	planFill      = "fill"
	planOverwrite = "overwrite"
	planCancel    = "cancel"
)

// confirmPlan says how many items a plan changes and commits it once
// confirmed: by default only the items still to verify.
func (p *checklistPage) confirmPlan(plan checklist.AnswerPlan, what string) tea.Cmd {
	nFill, nOver := len(plan.Fill), len(plan.Overwrite)
	if nFill+nOver == 0 {
		return setStatus(statusInfo, fmt.Sprintf("Nulla da cambiare %s: già uguali %d", what, plan.Unchanged))
	}
	var opts []huh.Option[string]
	if nFill > 0 {
		opts = append(opts, huh.NewOption("Sì, solo "+checklist.Voci(nFill)+" ancora da verificare", planFill))
	}
	if nOver > 0 {
		opts = append(opts, huh.NewOption(fmt.Sprintf("Sì, %s, sostituendo anche %s", checklist.Voci(nFill+nOver), checklist.Count(nOver, "risposta diversa già data", "risposte diverse già date")), planOverwrite))
	}
	opts = append(opts, huh.NewOption("No, annulla", planCancel))
	p.valueDraft = opts[0].Value
	desc := fmt.Sprintf("Senza risposta: %d; con una risposta diversa: %d; già uguali: %d. Lo storico registra «%s»; z annulla tutto insieme.",
		nFill, nOver, plan.Unchanged, plan.Reason)
	form := huh.NewForm(huh.NewGroup(huh.NewSelect[string]().
		Title("Quante voci cambiare in " + p.scope.Label() + " " + what + "?").
		Description(desc).Options(opts...).Value(&p.valueDraft)))
	return openForm("Conferma", form, func() tea.Cmd {
		switch p.valueDraft {
		case planFill:
			return p.saveBatch(plan.Fill, plan.Reason, true)
		case planOverwrite:
			return p.saveBatch(plan.Answers(true), plan.Reason, false)
		}
		return setStatus(statusInfo, "Modifica annullata: nulla è stato salvato")
	})
}

// saveBatch queues a plan's answers as one commit.
func (p *checklistPage) saveBatch(answers []checklist.Answer, reason string, onlyUnanswered bool) tea.Cmd {
	sess := p.ctx.Audit
	refs := make([]answerRef, 0, len(answers))
	for i := range answers {
		answers[i].Author, answers[i].At = p.ctx.User, p.ctx.Now()
		ref := answerRef{answers[i].Scope, answers[i].Item}
		refs = append(refs, ref)
		sess.pending[ref] = answers[i].Value
		delete(sess.failed, ref)
	}
	sess.version++
	what := checklist.Voci(len(answers)) + " di " + p.scope.Label()
	store, id := p.ctx.Store, sess.id()
	done := fmt.Sprintf("Salvato: %s (%s); z annulla", what, reason)
	seq, cmd := p.ctx.saves().enqueue(func(map[revKey]int) tea.Msg {
		res, err := store.SaveAnswers(id, answers, reason, onlyUnanswered)
		return batchSavedMsg{audit: id, refs: refs, reason: reason, what: what, done: done, results: res, err: err}
	}, func(err error) tea.Msg {
		return batchSavedMsg{audit: id, refs: refs, err: err}
	})
	for _, ref := range refs {
		sess.lastSent[ref] = seq
	}
	return func() tea.Msg {
		msg := cmd().(batchSavedMsg)
		msg.seq = seq
		return msg
	}
}

// applyBatchSaved records a committed batch in the open audit.
func (m *Model) applyBatchSaved(msg batchSavedMsg) {
	a := m.ctx.Audit
	if msg.err != nil {
		m.say(statusError, "NON salvato: "+msg.err.Error())
	}
	if a == nil || a.id() != msg.audit {
		return
	}
	for _, ref := range msg.refs {
		if a.lastSent[ref] == msg.seq {
			delete(a.pending, ref)
		}
		a.lastApplied[ref] = max(a.lastApplied[ref], msg.seq)
	}
	a.version++
	if msg.err != nil {
		return
	}
	// Undo puts back what the store replaced, as it was then: an item
	// another session answered meanwhile was left alone, and stays so.
	var prev []checklist.Answer
	for _, res := range msg.results {
		if res.Previous == nil || res.Previous.Rev != res.Answer.Rev {
			a.recordHistory(res.Previous, res.Answer, msg.reason)
			was := checklist.Answer{Scope: res.Answer.Scope, Item: res.Answer.Item}
			if res.Previous != nil {
				was.Value, was.Note = res.Previous.Value, res.Previous.Note
			}
			prev = append(prev, was)
		}
		a.applyAnswer(res.Answer)
		a.seen(res.Answer.At)
	}
	if len(prev) > 0 {
		a.remember(msg.what, prev...)
	}
	if a.snap.Audit.Status == checklist.StatusDraft {
		a.snap.Audit.Status = checklist.StatusInProgress
	}
	m.say(statusOK, msg.done)
}
