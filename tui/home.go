package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// homePage lists the audits and creates new ones.
type homePage struct {
	ctx    *Context
	keys   HomeKeys
	w, h   int
	audits []checklist.AuditSummary
	loaded bool
	err    error
	cursor int
	offset int
	// deadlines are the most pressing deadlines of the most recent audits
	// (homeDeadlines), loaded after the list.
	deadlines []checklist.Deadline

	draft newAuditDraft
	carry carryDraft
}

// newAuditDraft holds the fields of the "new audit" form.
type newAuditDraft struct {
	ente, istat, year, auditor, catalogue string
}

type cataloguesMsg struct {
	infos []checklist.CatalogueInfo
	err   error
	// carry, when set, asks for the form of next year's audit from it.
	carry *checklist.AuditSummary
}

func newHomePage(ctx *Context) *homePage {
	return &homePage{ctx: ctx, keys: ctx.Keys.Home}
}

func (p *homePage) Title() string    { return "Audit" }
func (p *homePage) SetSize(w, h int) { p.w, p.h = w, h }
func (p *homePage) Init() tea.Cmd    { return p.load() }
func (p *homePage) focus() tea.Cmd   { return p.load() }

func (p *homePage) ShortHelp() []key.Binding {
	b := []key.Binding{p.keys.Open, p.keys.New}
	if p.ctx.CreateDemo != nil {
		b = append(b, p.keys.Demo)
	}
	if p.ctx.Role.CanAdminister() {
		b = append(b, p.keys.AccessLog)
	}
	return b
}

func (p *homePage) FullHelp() [][]key.Binding {
	more := []key.Binding{p.keys.New, p.keys.FromPrevious, p.keys.Diff, p.keys.Demo, p.keys.Reload}
	if p.ctx.Role.CanAdminister() {
		more = append(more, p.keys.AccessLog)
	}
	return [][]key.Binding{
		{p.keys.Up, p.keys.Down, p.keys.Home, p.keys.End, p.keys.Open},
		more,
	}
}

func (p *homePage) load() tea.Cmd {
	store := p.ctx.Store
	return func() tea.Msg {
		audits, err := store.ListAudits()
		return auditsLoadedMsg{audits: audits, err: err}
	}
}

func (p *homePage) Update(msg tea.Msg) (Component, tea.Cmd) {
	switch msg := msg.(type) {
	case auditsLoadedMsg:
		p.loaded, p.err = true, msg.err
		if msg.err == nil {
			p.audits = msg.audits
		}
		p.cursor = max(min(p.cursor, len(p.audits)-1), 0)
		if msg.err != nil {
			return p, setStatus(statusError, "Impossibile leggere gli audit: "+msg.err.Error())
		}
		return p, homeDeadlinesCmd(p.ctx.Store, p.audits, checklist.LocalDay(p.ctx.Now()))
	case deadlinesLoadedMsg:
		p.deadlines = msg.deadlines
		return p, nil
	case cataloguesMsg:
		if msg.err != nil {
			return p, setStatus(statusError, "Impossibile leggere i cataloghi: "+msg.err.Error())
		}
		if msg.carry != nil {
			return p, p.carryAuditForm(*msg.carry, msg.infos)
		}
		return p, p.newAuditForm(msg.infos)
	case carryPlanMsg:
		return p, p.confirmCarry(msg)
	case diffLoadedMsg:
		if msg.err != nil {
			return p, setStatus(statusError, "Confronto non disponibile: "+msg.err.Error())
		}
		return p, push(newDiffPage(p.ctx, msg.diff))
	case tea.KeyPressMsg:
		return p, p.handleKey(msg)
	}
	return p, nil
}

func (p *homePage) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	switch {
	case key.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, k.Down):
		p.cursor = max(min(p.cursor+1, len(p.audits)-1), 0)
	case key.Matches(msg, k.Home):
		p.cursor = 0
	case key.Matches(msg, k.End):
		p.cursor = max(len(p.audits)-1, 0)
	case key.Matches(msg, k.PageDown):
		p.cursor = max(min(p.cursor+p.listHeight(), len(p.audits)-1), 0)
	case key.Matches(msg, k.PageUp):
		p.cursor = max(p.cursor-p.listHeight(), 0)
	case key.Matches(msg, k.Reload):
		return p.load()
	case key.Matches(msg, k.AccessLog):
		if !p.ctx.Role.CanAdminister() {
			return setStatus(statusError, "Solo un amministratore può consultare il registro degli accessi: il ruolo «"+p.ctx.Role.Label()+"» non lo consente")
		}
		return push(newAccessLogPage(p.ctx))
	case key.Matches(msg, k.Open):
		if len(p.audits) == 0 {
			return nil
		}
		return loadAuditCmd(p.ctx.Store, p.audits[p.cursor].ID, openTarget{})
	case key.Matches(msg, k.New):
		if !p.ctx.Role.CanEdit() {
			return setStatus(statusError, "Sola lettura: il ruolo «"+p.ctx.Role.Label()+"» non può creare audit")
		}
		store := p.ctx.Store
		return func() tea.Msg {
			if _, err := store.EnsureBuiltin(); err != nil {
				return cataloguesMsg{err: err}
			}
			infos, err := store.Catalogues()
			return cataloguesMsg{infos: infos, err: err}
		}
	case key.Matches(msg, k.FromPrevious):
		return p.carryForm()
	case key.Matches(msg, k.Diff):
		return p.openDiff()
	case key.Matches(msg, k.Demo):
		if p.ctx.CreateDemo == nil {
			return nil
		}
		if !p.ctx.Role.CanEdit() {
			return setStatus(statusError, "Sola lettura: il ruolo «"+p.ctx.Role.Label()+"» non può creare l'audit dimostrativo")
		}
		create, store := p.ctx.CreateDemo, p.ctx.Store
		return tea.Sequence(setStatus(statusInfo, "Preparazione dell'audit dimostrativo…"), func() tea.Msg {
			id, err := create()
			if err != nil {
				return auditLoadedMsg{err: err, id: "dimostrativo"}
			}
			return loadAuditCmd(store, id, openTarget{})()
		})
	}
	return nil
}

func loadAuditCmd(store Store, id string, target openTarget) tea.Cmd {
	return func() tea.Msg {
		snap, err := store.Load(id)
		return auditLoadedMsg{snap: snap, target: target, err: err, id: id}
	}
}

// The form validators call checklist's rules, so a value gets the same
// message here as on the command line and from storage.

func validateISTAT(s string) error {
	_, err := checklist.CheckISTAT(s)
	return err
}

func validateYear(s string) error {
	_, err := checklist.ParseYear(s)
	return err
}

// textLimit is a form field's Validate for free text: the store's rule
// (checklist.CheckTextLength) on the text as it will be kept.
func textLimit(what string) func(string) error {
	return func(s string) error { return checklist.CheckTextLength(what, checklist.CleanText(s, true)) }
}

func required(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s è obbligatorio", what)
		}
		return nil
	}
}

func (p *homePage) newAuditForm(infos []checklist.CatalogueInfo) tea.Cmd {
	p.draft = newAuditDraft{year: strconv.Itoa(p.ctx.Now().Year()), auditor: p.ctx.User}
	var opts []huh.Option[string]
	for _, c := range infos {
		label := fmt.Sprintf("%s (%s@%s, %s)", c.Title, c.ID, c.Version, checklist.Voci(c.Items))
		switch {
		case c.Current:
			label += " — integrato, attuale"
		case c.Builtin:
			label += " — integrato, versione precedente"
		}
		opts = append(opts, huh.NewOption(label, c.ID+"@"+c.Version))
		if c.Current {
			p.draft.catalogue = c.ID + "@" + c.Version
		}
	}
	if len(opts) == 0 {
		return setStatus(statusError, "Nessun catalogo disponibile nel database")
	}
	d := &p.draft
	form := huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Ente").Placeholder("Comune di …").Value(&d.ente).Validate(required("il nome dell'ente")),
		huh.NewInput().Title("Codice ISTAT").Placeholder("054039").CharLimit(6).Value(&d.istat).Validate(validateISTAT),
		huh.NewInput().Title("Anno").CharLimit(4).Value(&d.year).Validate(validateYear),
		huh.NewInput().Title("Auditor").Value(&d.auditor).Validate(required("l'auditor")),
		huh.NewSelect[string]().Title("Catalogo").Options(opts...).Value(&d.catalogue),
	))
	return openForm("Nuovo audit", form, p.createAudit)
}

func (p *homePage) createAudit() tea.Cmd {
	d := p.draft
	year, _ := checklist.ParseYear(d.year)
	istat, _ := checklist.CheckISTAT(d.istat)
	id, version, _ := strings.Cut(d.catalogue, "@")
	a := checklist.Audit{
		Ente:             checklist.Ente{Name: strings.TrimSpace(d.ente), ISTAT: istat},
		Year:             year,
		Auditors:         []string{strings.TrimSpace(d.auditor)},
		StartDate:        p.ctx.Now().Format("2006-01-02"),
		CatalogueID:      id,
		CatalogueVersion: version,
	}
	store, user := p.ctx.Store, p.ctx.User
	return func() tea.Msg {
		created, err := store.CreateAudit(a, user)
		if err != nil {
			return statusMsg{text: "Audit NON creato: " + err.Error(), kind: statusError}
		}
		return loadAuditCmd(store, created.ID, openTarget{})()
	}
}

func (p *homePage) listHeight() int { return max(p.h-4-p.deadlinesHeight(), 1) }

func (p *homePage) View() string {
	st := p.ctx.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Audit nel database") + "\n\n")
	if !p.loaded {
		b.WriteString(st.Muted.Render("Caricamento…"))
		return b.String()
	}
	if p.err != nil {
		b.WriteString(st.StatusError.Render("Impossibile leggere gli audit: " + p.err.Error()))
		return b.String()
	}
	if len(p.audits) == 0 {
		b.WriteString("Nessun audit nel database.\n\n")
		if p.ctx.CreateDemo != nil {
			b.WriteString("Premere " + st.Bold.Render("d") + " per aprire l'audit dimostrativo\n(Comune di Valdoria: 2 sedi, 3 postazioni, metà delle risposte date)\n")
			b.WriteString("oppure " + st.Bold.Render("n") + " per creare un nuovo audit.")
		} else {
			b.WriteString("Premere " + st.Bold.Render("n") + " per creare un nuovo audit.")
		}
		return b.String()
	}
	barW := 10
	if p.w >= 100 {
		barW = 20
	}
	fixed := 2 + 1 + 4 + 1 + 8 + 1 + barW + 6
	enteW := max(p.w-fixed, 12)
	header := "  " + pad("Ente", enteW) + " " + pad("Anno", 4) + " " + pad("Stato", 8) + " " + "Avanzamento"
	b.WriteString(st.Label.Render(header) + "\n")
	h := p.listHeight()
	p.offset = scrollWindow(p.offset, p.cursor, h, len(p.audits))
	for i := p.offset; i < min(p.offset+h, len(p.audits)); i++ {
		a := p.audits[i]
		row := pad(a.Ente, enteW) + " " + pad(strconv.Itoa(a.Year), 4) + " " + pad(a.Status.Label(), 8) + " " +
			st.bar(a.Progress.Answered, a.Progress.Total, barW) + padLeft(percent(a.Progress.Percent()), 5)
		if i == p.cursor {
			b.WriteString(st.Cursor.Render("▸ ") + st.Selected.Render(row) + "\n")
		} else {
			b.WriteString("  " + row + "\n")
		}
	}
	if len(p.audits) > h {
		b.WriteString(st.Muted.Render(fmt.Sprintf("  %d di %d audit", p.cursor+1, len(p.audits))))
	}
	p.viewDeadlines(&b)
	return b.String()
}
