package tui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// closePage summarises the audit and signs it off, or reopens a closed
// audit with a reason that goes into the history.
type closePage struct {
	ctx  *Context
	keys CloseKeys
	w, h int

	auditors, place, date, reason string
}

func newClosePage(ctx *Context) *closePage {
	return &closePage{ctx: ctx, keys: ctx.Keys.Close}
}

func (p *closePage) Title() string    { return "Chiusura" }
func (p *closePage) SetSize(w, h int) { p.w, p.h = w, h }
func (p *closePage) Init() tea.Cmd    { return nil }
func (p *closePage) Update(msg tea.Msg) (Component, tea.Cmd) {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		return p, p.handleKey(msg)
	}
	return p, nil
}

func (p *closePage) closed() bool {
	return p.ctx.Audit.snap.Audit.Status == checklist.StatusClosed
}

func (p *closePage) ShortHelp() []key.Binding {
	if p.closed() {
		return []key.Binding{p.keys.Reopen}
	}
	return []key.Binding{p.keys.Sign}
}

func (p *closePage) FullHelp() [][]key.Binding { return [][]key.Binding{{p.keys.Sign, p.keys.Reopen}} }

func (p *closePage) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.Sign) && !p.closed():
		if !p.ctx.Role.CanEdit() {
			return setStatus(statusError, "Sola lettura: il ruolo «"+p.ctx.Role.Label()+"» non può chiudere l'audit")
		}
		return p.signForm()
	case key.Matches(msg, p.keys.Reopen) && p.closed():
		if !p.ctx.Role.CanEdit() {
			return setStatus(statusError, "Sola lettura: il ruolo «"+p.ctx.Role.Label()+"» non può riaprire l'audit")
		}
		return p.reopenForm()
	}
	return nil
}

// validateDate checks a date field with checklist.ParseDate; what names the
// field in the message. An optional field accepts an empty value.
func validateDate(what string, optional bool) func(string) error {
	return func(s string) error {
		if optional && strings.TrimSpace(s) == "" {
			return nil
		}
		_, err := checklist.ParseDate(what, s)
		return err
	}
}

func (p *closePage) signForm() tea.Cmd {
	a := p.ctx.Audit.snap.Audit
	p.auditors = strings.Join(a.Auditors, ", ")
	p.place = ""
	if len(a.Sedi) > 0 {
		p.place = a.Sedi[0].Name
	}
	p.date = p.ctx.Now().Format("2006-01-02")
	pr := p.ctx.Audit.snap.AuditProgress()
	warn := "Tutte le voci hanno una risposta."
	if pr.Unanswered > 0 {
		warn = "Attenzione: " + checklist.Count(pr.Unanswered, "voce non è verificata e resterà tale", "voci non sono verificate e resteranno tali") + " nel rapporto."
	}
	form := huh.NewForm(huh.NewGroup(
		huh.NewNote().Title("Firma e chiusura").Description(warn+" Un audit chiuso non si modifica finché non viene riaperto con una motivazione."),
		huh.NewInput().Title("Auditor (separati da virgola)").Value(&p.auditors).Validate(func(s string) error {
			if len(splitList(s)) == 0 {
				return errors.New("indicare almeno un auditor")
			}
			return nil
		}),
		huh.NewInput().Title("Luogo").Value(&p.place).Validate(required("il luogo")),
		huh.NewInput().Title("Data (AAAA-MM-GG o GG/MM/AAAA)").Value(&p.date).Validate(validateDate("data di chiusura", false)),
	))
	return openForm("Chiusura dell'audit", form, func() tea.Cmd {
		so := &checklist.SignOff{Auditors: splitList(p.auditors), Place: strings.TrimSpace(p.place), Date: strings.TrimSpace(p.date)}
		return p.setStatus(checklist.StatusClosed, "", so, "Audit chiuso e firmato")
	})
}

func (p *closePage) reopenForm() tea.Cmd {
	p.reason = ""
	form := huh.NewForm(huh.NewGroup(
		newText().Title("Motivo della riapertura (obbligatorio)").
			Description("Resta nello storico dell'audit. Invio conferma, alt+invio va a capo.").
			Value(&p.reason).Validate(required("il motivo")),
	))
	return openForm("Riapertura dell'audit", form, func() tea.Cmd {
		return p.setStatus(checklist.StatusInProgress, strings.TrimSpace(p.reason), nil, "Audit riaperto")
	})
}

func (p *closePage) setStatus(s checklist.Status, reason string, so *checklist.SignOff, done string) tea.Cmd {
	store, id, user := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User
	return func() tea.Msg {
		a, err := store.SetStatus(id, s, user, reason, so)
		return auditUpdatedMsg{audit: a, done: done, err: err}
	}
}

// nonConformities counts the no and parziale answers per category and level.
func nonConformities(snap *checklist.Snapshot) map[checklist.Category]map[checklist.Level]int {
	out := map[checklist.Category]map[checklist.Level]int{}
	for _, a := range snap.Answers {
		it := snap.Catalogue.Item(a.Item)
		if it == nil {
			continue
		}
		if o := a.Outcome(it); o == checklist.OutcomeNo || o == checklist.OutcomePartial {
			if out[it.Category] == nil {
				out[it.Category] = map[checklist.Level]int{}
			}
			out[it.Category][it.Level]++
		}
	}
	return out
}

func (p *closePage) View() string {
	st := p.ctx.Styles
	snap := p.ctx.Audit.snap
	a := snap.Audit
	pr := snap.AuditProgress()
	var b strings.Builder
	b.WriteString(st.Title.Render("Riepilogo dell'audit") + st.Muted.Render(" · "+a.Status.Label()) + "\n\n")
	b.WriteString(fmt.Sprintf("Risposte: %d su %d (%s)\n", pr.Answered, pr.Total, percent(pr.Percent())))
	b.WriteString(fmt.Sprintf("Sì %d · No %d · Parziale %d · Non applicabile %d · Non verificate %d\n\n",
		pr.Yes, pr.No, pr.Partial, pr.NotApplic, pr.Unanswered))
	b.WriteString(st.Subtitle.Render("Non conformità (no e parziale) per categoria e livello") + "\n")
	colW := 10
	b.WriteString(st.Label.Render(pad("", 16)))
	for _, l := range checklist.Levels {
		b.WriteString(st.Label.Render(padLeft(l.Label(), colW)))
	}
	b.WriteString(st.Label.Render(padLeft("Totale", colW)) + "\n")
	nc := nonConformities(snap)
	grand := 0
	for _, c := range checklist.Categories {
		b.WriteString(pad(c.Label(), 16))
		sum := 0
		for _, l := range checklist.Levels {
			n := nc[c][l]
			sum += n
			b.WriteString(padLeft(fmt.Sprint(n), colW))
		}
		grand += sum
		b.WriteString(st.Bold.Render(padLeft(fmt.Sprint(sum), colW)) + "\n")
	}
	b.WriteString(pad("Totale", 16) + strings.Repeat(" ", colW*len(checklist.Levels)) + st.Bold.Render(padLeft(fmt.Sprint(grand), colW)) + "\n\n")

	if p.closed() {
		if so := a.SignOff; so != nil {
			b.WriteString(st.Subtitle.Render("Firmato") + "\n")
			b.WriteString(fmt.Sprintf("Auditor: %s\nLuogo: %s · Data: %s\n\n", strings.Join(so.Auditors, ", "), so.Place, so.Date))
		}
		b.WriteString("L'audit è chiuso e in sola lettura. Premere " + st.Bold.Render("R") + " per riaprirlo indicando il motivo.")
	} else {
		b.WriteString("Premere " + st.Bold.Render("invio") + " per firmare e chiudere l'audit.")
	}
	return b.String()
}
