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

// Next year's audit from the selected one (home, r): a form for the year,
// the auditor and the catalogue, the upgrade report to confirm, then the
// creation in one transaction. The rules are checklist.PlanCarry's.

type carryDraft struct {
	prev      checklist.AuditSummary
	year      string
	auditor   string
	catalogue string
	ok        bool
}

type carryPlanMsg struct {
	plan checklist.CarryPlan
	err  error
}

func (p *homePage) carryForm() tea.Cmd {
	if !p.ctx.Role.CanEdit() {
		return setStatus(statusError, "Sola lettura: il ruolo «"+p.ctx.Role.Label()+"» non può creare audit")
	}
	if len(p.audits) == 0 {
		return setStatus(statusInfo, "Nessun audit da cui partire: n crea un nuovo audit")
	}
	prev := p.audits[p.cursor]
	store := p.ctx.Store
	return func() tea.Msg {
		if _, err := store.EnsureBuiltin(); err != nil {
			return cataloguesMsg{err: err}
		}
		infos, err := store.Catalogues()
		return cataloguesMsg{infos: infos, err: err, carry: &prev}
	}
}

func (p *homePage) carryAuditForm(prev checklist.AuditSummary, infos []checklist.CatalogueInfo) tea.Cmd {
	p.carry = carryDraft{prev: prev, year: strconv.Itoa(prev.Year + 1), auditor: p.ctx.User, catalogue: prev.Catalogue}
	prevID, _, _ := strings.Cut(prev.Catalogue, "@")
	opts := []huh.Option[string]{huh.NewOption("Lo stesso dell'audit precedente ("+prev.Catalogue+")", prev.Catalogue)}
	for _, c := range infos {
		if k := c.ID + "@" + c.Version; c.ID == prevID && k != prev.Catalogue {
			label := fmt.Sprintf("%s (%s, %s)", c.Title, k, checklist.Voci(c.Items))
			if c.Current {
				label += " — integrato, attuale"
			}
			opts = append(opts, huh.NewOption(label, k))
		}
	}
	d := &p.carry
	form := huh.NewForm(huh.NewGroup(
		huh.NewNote().Title("Dall'audit "+prev.ID+" ("+prev.Ente+", "+strconv.Itoa(prev.Year)+")").
			Description("Si riportano ente, sedi, postazioni, operatori, valutazioni e azioni non completate; ogni risposta resta da verificare (y la conferma com'era)."),
		huh.NewInput().Title("Anno").CharLimit(4).Value(&d.year).Validate(validateYear),
		huh.NewInput().Title("Auditor").Value(&d.auditor).Validate(required("l'auditor")),
		huh.NewSelect[string]().Title("Catalogo").Options(opts...).Value(&d.catalogue),
	))
	return openForm("Nuovo audit dall'anno prima", form, p.planCarry)
}

func (p *homePage) carryRequest() (string, string, checklist.CarryRequest) {
	d := p.carry
	year, _ := checklist.ParseYear(d.year)
	cat := d.catalogue
	if cat == d.prev.Catalogue {
		cat = ""
	}
	return d.prev.ID, cat, checklist.CarryRequest{Year: year, Auditors: []string{strings.TrimSpace(d.auditor)}, Today: checklist.LocalDay(p.ctx.Now())}
}

// planCarry computes what would be carried, for the report shown before
// anything is created.
func (p *homePage) planCarry() tea.Cmd {
	prev, cat, req := p.carryRequest()
	store := p.ctx.Store
	return func() tea.Msg {
		plan, err := store.PlanCarry(prev, cat, req)
		return carryPlanMsg{plan: plan, err: err}
	}
}

func (p *homePage) confirmCarry(msg carryPlanMsg) tea.Cmd {
	if msg.err != nil {
		return setStatus(statusError, "Audit NON creato: "+msg.err.Error())
	}
	p.carry.ok = true
	lines := msg.plan.Report.Lines()
	form := huh.NewForm(huh.NewGroup(
		huh.NewNote().Title(lines[0]).Description(checklist.CleanText(strings.Join(lines[1:], "\n"), true)),
		huh.NewConfirm().Title("Creare l'audit?").Affirmative("Sì").Negative("No").Value(&p.carry.ok),
	))
	return openForm("Riporto: rapporto", form, p.createCarried)
}

func (p *homePage) createCarried() tea.Cmd {
	if !p.carry.ok {
		return setStatus(statusInfo, "Audit non creato")
	}
	prev, cat, req := p.carryRequest()
	store, user := p.ctx.Store, p.ctx.User
	return func() tea.Msg {
		created, _, err := store.CreateCarried(prev, cat, req, user)
		if err != nil {
			return statusMsg{text: "Audit NON creato: " + err.Error(), kind: statusError}
		}
		return loadAuditCmd(store, created.ID, openTarget{})()
	}
}

// The diff view (home, D): the selected audit against its predecessor.

type diffLoadedMsg struct {
	diff checklist.AuditDiff
	err  error
}

func (p *homePage) openDiff() tea.Cmd {
	if len(p.audits) == 0 {
		return nil
	}
	id := p.audits[p.cursor].ID
	store := p.ctx.Store
	return func() tea.Msg {
		snap, err := store.Load(id)
		if err != nil {
			return diffLoadedMsg{err: err}
		}
		if snap.Audit.Predecessor == "" {
			return diffLoadedMsg{err: fmt.Errorf("l'audit %s non è stato creato da un audit precedente (r crea l'audit dell'anno dopo)", id)}
		}
		old, err := store.Load(snap.Audit.Predecessor)
		if err != nil {
			return diffLoadedMsg{err: fmt.Errorf("audit precedente %s: %w", snap.Audit.Predecessor, err)}
		}
		d, err := checklist.Diff(old, snap)
		return diffLoadedMsg{diff: d, err: err}
	}
}

// diffPage shows checklist.Diff as lines to scroll.
type diffPage struct {
	ctx    *Context
	keys   NavKeys
	w, h   int
	lines  []string
	offset int
}

func newDiffPage(ctx *Context, d checklist.AuditDiff) *diffPage {
	return &diffPage{ctx: ctx, keys: ctx.Keys.Home.NavKeys, lines: DiffLines(&d)}
}

// DiffLines is the diff as the TUI shows it, in Italian.
func DiffLines(d *checklist.AuditDiff) []string {
	pct := func(c checklist.AnswerCounts) string {
		if v, ok := c.Percent(); ok {
			return checklist.FormatPercent(v / 100)
		}
		return "—"
	}
	out := []string{fmt.Sprintf("Audit %s (%d) → %s (%d)", d.Old.ID, d.Old.Year, d.New.ID, d.New.Year), ""}
	out = append(out, fmt.Sprintf("%-22s %8d %8d", "Conformità", d.Old.Year, d.New.Year))
	for _, g := range d.Groups() {
		out = append(out, fmt.Sprintf("%-22s %8s %8s", g.Label, pct(g.Old), pct(g.New)))
	}
	out = append(out, "", "Voci: "+d.CountsLine())
	for _, it := range d.Items {
		out = append(out, fmt.Sprintf("  %s · %s %s: %s (%s → %s)", it.Scope.Label(), it.Item, it.Title, it.Change.Label(), it.OldLabel, it.NewLabel))
	}
	for _, part := range d.FieldParts() {
		out = append(out, "", part.Head+":")
		for _, f := range part.Rows {
			out = append(out, fmt.Sprintf("  %s: «%s» → «%s»", f.What, f.Old, f.New))
		}
	}
	for i := range out {
		out[i] = checklist.CleanText(out[i], false)
	}
	return out
}

func (p *diffPage) Title() string    { return "Confronto con l'audit precedente" }
func (p *diffPage) SetSize(w, h int) { p.w, p.h = w, h }
func (p *diffPage) Init() tea.Cmd    { return nil }
func (p *diffPage) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.PageDown}
}
func (p *diffPage) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.keys.Up, p.keys.Down, p.keys.PageUp, p.keys.PageDown, p.keys.Home, p.keys.End}}
}

func (p *diffPage) Update(msg tea.Msg) (Component, tea.Cmd) {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		k, h := p.keys, max(p.h, 1)
		last := max(len(p.lines)-h, 0)
		switch {
		case key.Matches(msg, k.Up):
			p.offset--
		case key.Matches(msg, k.Down):
			p.offset++
		case key.Matches(msg, k.PageUp):
			p.offset -= h
		case key.Matches(msg, k.PageDown):
			p.offset += h
		case key.Matches(msg, k.Home):
			p.offset = 0
		case key.Matches(msg, k.End):
			p.offset = last
		}
		p.offset = max(min(p.offset, last), 0)
	}
	return p, nil
}

func (p *diffPage) View() string {
	end := min(p.offset+max(p.h, 1), len(p.lines))
	return fit(strings.Join(p.lines[p.offset:end], "\n"), p.w, p.h)
}
