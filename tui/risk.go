package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// riskPage shows the risk picture computed from the answers: the
// probability × impact matrix, the top risks with the explanation of the
// selected one, and the remediation actions with their editable plan.
type riskPage struct {
	ctx     *Context
	keys    RiskKeys
	w, h    int
	assess  *checklist.Assessment
	built   int
	actions bool // showing the action list instead of the risks
	cursor  int
	offset  int

	owner, due, status string
	// probability, impact and reason back the override form.
	probability, impact int
	reason              string
}

func newRiskPage(ctx *Context) *riskPage {
	p := &riskPage{ctx: ctx, keys: ctx.Keys.Risk, built: -1}
	p.refresh()
	return p
}

func (p *riskPage) refresh() {
	if p.built == p.ctx.Audit.version {
		return
	}
	p.assess = checklist.Assess(p.ctx.Audit.snap)
	p.built = p.ctx.Audit.version
	if !p.assess.RiskModel {
		// A plain compliance checklist has no risks to show: only the
		// actions, non-conformità first.
		p.actions = true
	}
	p.cursor = max(min(p.cursor, p.count()-1), 0)
}

func (p *riskPage) count() int {
	if p.actions {
		return len(p.assess.Actions)
	}
	return len(p.assess.Top)
}

func (p *riskPage) Title() string    { return "Rischi" }
func (p *riskPage) SetSize(w, h int) { p.w, p.h = w, h }
func (p *riskPage) Init() tea.Cmd    { return nil }

func (p *riskPage) ShortHelp() []key.Binding {
	if !p.assess.RiskModel {
		return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Edit}
	}
	if p.actions {
		return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Switch, p.keys.Edit}
	}
	if len(p.assess.Top) > 0 {
		return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Switch, p.keys.Override}
	}
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Switch}
}

func (p *riskPage) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.keys.Up, p.keys.Down, p.keys.Home, p.keys.End}, {p.keys.Switch, p.keys.Edit, p.keys.Override}}
}

func (p *riskPage) Update(msg tea.Msg) (Component, tea.Cmd) {
	p.refresh()
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		k := p.keys
		switch {
		case key.Matches(msg, k.Up):
			p.cursor = max(p.cursor-1, 0)
		case key.Matches(msg, k.Down):
			p.cursor = max(min(p.cursor+1, p.count()-1), 0)
		case key.Matches(msg, k.Home):
			p.cursor = 0
		case key.Matches(msg, k.End):
			p.cursor = max(p.count()-1, 0)
		case key.Matches(msg, k.Switch) && p.assess.RiskModel:
			p.actions = !p.actions
			p.cursor, p.offset = 0, 0
		case key.Matches(msg, k.Edit) && p.actions:
			return p, p.editAction()
		case key.Matches(msg, k.Override) && !p.actions:
			return p, p.editOverride()
		}
	}
	p.refresh()
	return p, nil
}

type actionSavedMsg struct {
	audit string
	plan  checklist.ActionPlan
	err   error
}

func (p *riskPage) editAction() tea.Cmd {
	if len(p.assess.Actions) == 0 {
		return nil
	}
	if why := p.ctx.editRefusal(); why != "" {
		return setStatus(statusError, why)
	}
	act := p.assess.Actions[p.cursor]
	cat := p.ctx.Audit.snap.Catalogue
	p.owner, p.due, p.status = act.Plan.Owner, act.Plan.Due, string(act.Plan.Status)
	if p.status == "" {
		p.status = string(checklist.ActionToStart)
	}
	var opts []huh.Option[string]
	for _, s := range checklist.ActionStatuses {
		opts = append(opts, huh.NewOption(s.Label(), string(s)))
	}
	form := huh.NewForm(huh.NewGroup(
		huh.NewNote().Title(act.Item.ID+" — "+act.Item.Title()),
		huh.NewInput().Title("Responsabile").Value(&p.owner),
		huh.NewInput().Title("Scadenza (AAAA-MM-GG o GG/MM/AAAA)").Value(&p.due).Validate(func(due string) error {
			_, err := checklist.CheckActionPlan(cat, checklist.ActionPlan{Item: act.Item.ID, Owner: p.owner, Due: due, Status: checklist.ActionStatus(p.status)})
			return err
		}),
		huh.NewSelect[string]().Title("Stato").Options(opts...).Value(&p.status),
	))
	item := act.Item.ID
	return openForm("Azione migliorativa "+item, form, func() tea.Cmd {
		plan := checklist.ActionPlan{Item: item, Owner: p.owner, Due: p.due, Status: checklist.ActionStatus(p.status)}
		store, id, user := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User
		return func() tea.Msg {
			return actionSavedMsg{audit: id, plan: plan, err: store.SaveActionPlan(id, plan, user)}
		}
	})
}

type overrideSavedMsg struct {
	audit    string
	override checklist.RiskOverride
	err      error
}

// editOverride opens the form that changes the selected threat's
// probability and impact for this audit, with the reason the history
// keeps. Choosing the catalogue's own values removes the override.
func (p *riskPage) editOverride() tea.Cmd {
	if len(p.assess.Top) == 0 {
		return nil
	}
	if why := p.ctx.editRefusal(); why != "" {
		return setStatus(statusError, why)
	}
	cat := p.ctx.Audit.snap.Catalogue
	r := p.assess.Top[p.cursor]
	t := r.Threat
	p.probability, p.impact, p.reason = r.Probability, r.Impact, r.OverrideReason
	levels := func(ls []checklist.ScaleLevel, def int) []huh.Option[int] {
		var opts []huh.Option[int]
		for _, l := range ls {
			label := fmt.Sprintf("%d %s", l.Value, l.Label)
			if l.Value == def {
				label += " (catalogo)"
			}
			opts = append(opts, huh.NewOption(label, l.Value))
		}
		return opts
	}
	check := func(string) error {
		_, err := checklist.CheckRiskOverride(cat, checklist.RiskOverride{Threat: t.ID, Probability: p.probability, Impact: p.impact, Reason: p.reason})
		return err
	}
	form := huh.NewForm(huh.NewGroup(
		huh.NewNote().Title(t.ID+" — "+t.Name).Description(fmt.Sprintf("Valori del catalogo: probabilità %d × impatto %d. La modifica vale per questo audit e per tutti gli ambiti.", t.Probability, t.Impact)),
		huh.NewSelect[int]().Title("Probabilità").Options(levels(cat.Risk.Probability, t.Probability)...).Value(&p.probability),
		huh.NewSelect[int]().Title("Impatto").Options(levels(cat.Risk.Impact, t.Impact)...).Value(&p.impact),
		huh.NewInput().Title("Motivazione (obbligatoria, resta nello storico)").Value(&p.reason).Validate(check),
	))
	id := t.ID
	return openForm("Probabilità e impatto "+id, form, func() tea.Cmd {
		o := checklist.RiskOverride{Threat: id, Probability: p.probability, Impact: p.impact, Reason: strings.TrimSpace(p.reason)}
		if o.Probability == t.Probability && o.Impact == t.Impact {
			o.Probability, o.Impact = 0, 0 // back to the catalogue
		}
		store, aid, user := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User
		return func() tea.Msg {
			return overrideSavedMsg{audit: aid, override: o, err: store.SaveRiskOverride(aid, o, user)}
		}
	})
}

func (p *riskPage) View() string {
	p.refresh()
	st := p.ctx.Styles
	var b strings.Builder
	a := p.assess
	if a.RiskModel {
		tabs := []string{"Rischi", "Azioni migliorative"}
		for i, t := range tabs {
			if (i == 1) == p.actions {
				tabs[i] = st.Selected.Render(" " + t + " ")
			} else {
				tabs[i] = st.Muted.Render(" " + t + " ")
			}
		}
		b.WriteString(strings.Join(tabs, " ") + st.Muted.Render("  (tab per cambiare)"))
	} else {
		b.WriteString(st.Selected.Render(" Azioni migliorative ") + st.Muted.Render("  checklist di conformità senza modello di rischio"))
	}
	if a.Unverified > 0 {
		b.WriteString(st.Partial.Render(fmt.Sprintf("  provvisorio: %s su %d da fare", checklist.Count(a.Unverified, "verifica", "verifiche"), a.Expected)))
	}
	b.WriteString("\n\n")
	if p.actions {
		b.WriteString(p.actionsView(p.h - 2))
		return b.String()
	}
	cellW := 5
	if p.w >= 110 {
		cellW = 7
	}
	matrix := p.matrixView(cellW)
	mw := lipgloss.Width(matrix)
	top := p.topView(p.w - mw - 3)
	b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, matrix, "   ", top))
	b.WriteString("\n\n" + p.explain(p.w))
	return b.String()
}

// matrixView draws probability (rows, highest first) × impact (columns);
// each cell shows how many threats sit there, coloured by the band of its
// inherent risk.
func (p *riskPage) matrixView(cellW int) string {
	st := p.ctx.Styles
	a := p.assess
	scale := a.Scale
	// A threat has the same probability and impact at every scope: count
	// each threat once.
	counts := map[[2]int]int{}
	seen := map[string]bool{}
	for _, r := range a.Risks {
		if !seen[r.Threat.ID] {
			seen[r.Threat.ID] = true
			counts[[2]int{r.Probability, r.Impact}]++
		}
	}
	var b strings.Builder
	b.WriteString(st.Subtitle.Render("Probabilità × impatto") + "\n")
	for i := len(scale.Probability) - 1; i >= 0; i-- {
		pl := scale.Probability[i]
		b.WriteString(pad(fmt.Sprintf("%d %s", pl.Value, pl.Label), 13))
		for _, il := range scale.Impact {
			v := float64(pl.Value * il.Value)
			band := scale.Band(v)
			cell := "·"
			if n := counts[[2]int{pl.Value, il.Value}]; n > 0 {
				cell = fmt.Sprint(n)
			}
			b.WriteString(p.bandStyle(band).Render(centre(cell, cellW)))
		}
		b.WriteString("\n")
	}
	b.WriteString(pad("", 13))
	for _, il := range scale.Impact {
		b.WriteString(centre(fmt.Sprint(il.Value), cellW))
	}
	b.WriteString("\n" + pad("", 13) + st.Muted.Render("impatto →") + "\n")
	var legend []string
	for i, band := range scale.Bands {
		legend = append(legend, st.bandStyle(band.Colour, i, len(scale.Bands)).Render(" "+band.Label+" "))
	}
	b.WriteString(strings.Join(legend, " "))
	return b.String()
}

func (p *riskPage) bandStyle(b checklist.Band) lipgloss.Style {
	for i, x := range p.assess.Scale.Bands {
		if x.ID == b.ID {
			return p.ctx.Styles.bandStyle(b.Colour, i, len(p.assess.Scale.Bands))
		}
	}
	return lipgloss.NewStyle()
}

func centre(s string, w int) string {
	left := (w - lipgloss.Width(s)) / 2
	return pad(strings.Repeat(" ", max(left, 0))+s, w)
}

func (p *riskPage) topView(w int) string {
	st := p.ctx.Styles
	a := p.assess
	var b strings.Builder
	b.WriteString(st.Subtitle.Render("Rischi residui più alti") + "\n")
	if len(a.Top) == 0 {
		b.WriteString(st.Muted.Render("Nessun rischio calcolato."))
		return b.String()
	}
	n := min(len(a.Top), max(p.h/2-2, 3))
	p.offset = scrollWindow(p.offset, p.cursor, n, len(a.Top))
	for i := p.offset; i < min(p.offset+n, len(a.Top)); i++ {
		r := a.Top[i]
		band := p.bandStyle(r.Band).Render(pad(" "+r.Band.Label, 9))
		// The threat first: at 80 columns the place is what gets cut.
		row := fmt.Sprintf("%s %s → %s  %s · %s", band, checklist.FormatRisk(r.Inherent), checklist.FormatRisk(r.Residual), r.Threat.Name, r.Scope.Label())
		row = pad(row, w-2)
		if i == p.cursor {
			b.WriteString(st.Cursor.Render("▸ ") + row + "\n")
		} else {
			b.WriteString("  " + row + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// explain says how the selected risk was computed.
func (p *riskPage) explain(w int) string {
	st := p.ctx.Styles
	a := p.assess
	if len(a.Top) == 0 {
		return ""
	}
	r := a.Top[p.cursor]
	var lines []string
	lines = append(lines, st.Bold.Render(r.Threat.Name)+st.Muted.Render(" · "+r.Scope.Label()))
	head := fmt.Sprintf("Probabilità %d × impatto %d = %s; mitigazione %s", r.Probability, r.Impact, checklist.FormatRisk(r.Inherent), checklist.FormatPercent(r.Mitigation))
	if r.Capped {
		head += " (limitata al massimo del catalogo)"
	}
	head += "; residuo " + checklist.FormatRisk(r.Residual) + " (" + r.Band.Label + ")"
	if r.Overridden {
		head += ". Valori modificati: " + r.OverrideReason
	}
	lines = append(lines, wrap(head, w))
	for _, m := range r.Measures {
		line := fmt.Sprintf("  %s %s — %s", m.Item.ID, m.Item.Title(), m.Reason)
		if m.At != r.Scope {
			line += " (" + m.At.Label() + ")"
		}
		lines = append(lines, line)
	}
	if r.Provisional {
		note := "Provvisorio: " + checklist.Count(len(r.Missing), "misura non verificata conta come non attuata.", "misure non verificate contano come non attuate.")
		lines = append(lines, st.Partial.Render(note))
	}
	return strings.Join(lines, "\n")
}

func (p *riskPage) actionsView(h int) string {
	st := p.ctx.Styles
	acts := p.assess.Actions
	if len(acts) == 0 {
		return "Nessuna azione: nessuna misura è risultata non attuata o parziale."
	}
	ownerW, dueW, statusW, bandW := 16, 10, 10, 9
	titleW := max(p.w-2-8-bandW-ownerW-dueW-statusW-5, 12)
	var b strings.Builder
	b.WriteString(st.Label.Render("  "+pad("Voce", 8)+pad("Priorità", bandW)+" "+pad("Misura", titleW)+" "+pad("Responsabile", ownerW)+" "+pad("Scadenza", dueW)+" "+pad("Stato", statusW)) + "\n")
	listH := max(h-3, 1)
	p.offset = scrollWindow(p.offset, p.cursor, listH, len(acts))
	for i := p.offset; i < min(p.offset+listH, len(acts)); i++ {
		act := acts[i]
		band := pad("", bandW)
		switch {
		case act.NonConformity:
			band = st.No.Render(pad(" NC", bandW))
		case act.Priority.ID != "":
			band = p.bandStyle(act.Priority).Render(pad(" "+act.Priority.Label, bandW))
		}
		owner := act.Plan.Owner
		if owner == "" {
			owner = "—"
		}
		due := act.Plan.Due
		if due == "" {
			due = "—"
		}
		row := pad(act.Item.ID, 8) + band + " " + pad(act.Item.Title(), titleW) + " " + pad(owner, ownerW) + " " + pad(due, dueW) + " " + pad(act.Plan.Status.Label(), statusW)
		if i == p.cursor {
			b.WriteString(st.Cursor.Render("▸ ") + row + "\n")
		} else {
			b.WriteString("  " + row + "\n")
		}
	}
	b.WriteString(st.Muted.Render("  " + checklist.Count(len(acts), "azione", "azioni") + " · NC = non conformità normativa, in testa · invio per assegnare responsabile, scadenza e stato"))
	return b.String()
}
