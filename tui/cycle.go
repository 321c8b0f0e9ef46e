package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cieaudit/cieaudit/checklist"
)

// CycleStore is what the yearly-cycle page writes; *storage.Store has it.
// Each call commits before it returns, and the page reloads the audit
// before it says "Salvato".
type CycleStore interface {
	SavePlan(auditID string, c checklist.PlanChange, author string) (checklist.Plan, bool, error)
	AddOperator(auditID string, o checklist.Operator, author string) (checklist.Operator, error)
	RevokeOperator(auditID, id, day, author string) (checklist.Operator, error)
	AddEvent(auditID string, e checklist.SecurityEvent, author string) (checklist.SecurityEvent, error)
	CloseEvent(auditID, id, day, note, author string) (checklist.SecurityEvent, error)
}

// cycleTab is one tab of the cycle page.
type cycleTab int

const (
	tabPlan cycleTab = iota
	tabOperators
	tabEvents
	tabDeadlines
)

var cycleTabNames = []string{"Piano", "Operatori", "Eventi", "Scadenze"}

// CycleKeys are the keys of the plan and registers page.
type CycleKeys struct {
	NavKeys
	Next, Prev   key.Binding
	Edit         key.Binding
	Add          key.Binding
	Revoke       key.Binding
	CloseEvent   key.Binding
	PlanTab      key.Binding
	OperatorsTab key.Binding
	EventsTab    key.Binding
	DeadlineTab  key.Binding
}

func newCycleKeys() CycleKeys {
	return CycleKeys{
		NavKeys:      newNavKeys(),
		Next:         bind([]string{"tab", "right", "l"}, "tab", "scheda successiva"),
		Prev:         bind([]string{"shift+tab", "left", "h"}, "shift+tab", "scheda precedente"),
		Edit:         bind([]string{"e"}, "e", "modifica il piano"),
		Add:          bind([]string{"a"}, "a", "aggiungi"),
		Revoke:       bind([]string{"r"}, "r", "revoca operatore"),
		CloseEvent:   bind([]string{"x"}, "x", "chiudi evento"),
		PlanTab:      bind([]string{"1"}, "1", "piano"),
		OperatorsTab: bind([]string{"2"}, "2", "operatori"),
		EventsTab:    bind([]string{"3"}, "3", "eventi"),
		DeadlineTab:  bind([]string{"4"}, "4", "scadenze"),
	}
}

// cyclePage shows and edits the plan's edition and transmission, the
// operator and security-event registers, and the audit's deadlines.
type cyclePage struct {
	ctx    *Context
	keys   CycleKeys
	w, h   int
	tab    cycleTab
	cursor [4]int

	plan  planDraft
	op    operatorDraft
	ev    eventDraft
	close closeDraft
}

type planDraft struct {
	edition, number, adoptedAct, adoptedOn, protocol, protocolOn string
	sentOn, channel, receipt, outcome, outcomeOn, outcomeNote    string
}

type operatorDraft struct{ name, role, act, sco, delivered, verbale, trained, postazioni string }

type eventDraft struct{ at, scope, threat, description, areas, actions, notified string }

type closeDraft struct{ id, on, note string }

// cycleSavedMsg reports a write of the cycle page and carries the audit
// reloaded after it.
type cycleSavedMsg struct {
	done string
	snap *checklist.Snapshot
	err  error
}

func newCyclePage(ctx *Context) *cyclePage { return &cyclePage{ctx: ctx, keys: newCycleKeys()} }

func (p *cyclePage) Title() string    { return "Piano e registri" }
func (p *cyclePage) SetSize(w, h int) { p.w, p.h = w, h }
func (p *cyclePage) Init() tea.Cmd    { return nil }

func (p *cyclePage) ShortHelp() []key.Binding {
	k := p.keys
	switch p.tab {
	case tabPlan:
		return []key.Binding{k.Next, k.Edit}
	case tabOperators:
		return []key.Binding{k.Next, k.Add, k.Revoke}
	case tabEvents:
		return []key.Binding{k.Next, k.Add, k.CloseEvent}
	}
	return []key.Binding{k.Next}
}

func (p *cyclePage) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{
		{k.Next, k.Prev, k.PlanTab, k.OperatorsTab, k.EventsTab, k.DeadlineTab},
		{k.Up, k.Down, k.Edit, k.Add, k.Revoke, k.CloseEvent},
	}
}

func (p *cyclePage) snap() *checklist.Snapshot { return p.ctx.Audit.snap }

func (p *cyclePage) today() string { return checklist.LocalDay(p.ctx.Now()) }

// rows is the number of selectable rows of the current tab.
func (p *cyclePage) rows() int {
	switch p.tab {
	case tabOperators:
		return len(p.snap().Operators)
	case tabEvents:
		return len(p.snap().Events)
	case tabDeadlines:
		return len(checklist.Deadlines(p.snap(), p.today()))
	}
	return 0
}

func (p *cyclePage) Update(msg tea.Msg) (Component, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return p, p.handleKey(msg)
	case cycleSavedMsg:
		if msg.err != nil {
			return p, setStatus(statusError, "NON salvato: "+msg.err.Error())
		}
		snap := msg.snap
		return p, tea.Sequence(func() tea.Msg { return auditReloadedMsg{snap: snap} }, setStatus(statusOK, msg.done))
	}
	return p, nil
}

func (p *cyclePage) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	cur := &p.cursor[p.tab]
	n := p.rows()
	switch {
	case key.Matches(msg, k.Next):
		p.tab = (p.tab + 1) % 4
	case key.Matches(msg, k.Prev):
		p.tab = (p.tab + 3) % 4
	case key.Matches(msg, k.PlanTab):
		p.tab = tabPlan
	case key.Matches(msg, k.OperatorsTab):
		p.tab = tabOperators
	case key.Matches(msg, k.EventsTab):
		p.tab = tabEvents
	case key.Matches(msg, k.DeadlineTab):
		p.tab = tabDeadlines
	case key.Matches(msg, k.Up):
		*cur = max(*cur-1, 0)
	case key.Matches(msg, k.Down):
		*cur = max(min(*cur+1, n-1), 0)
	case key.Matches(msg, k.Home):
		*cur = 0
	case key.Matches(msg, k.End):
		*cur = max(n-1, 0)
	case key.Matches(msg, k.Edit, k.Add, k.Revoke, k.CloseEvent):
		if !p.ctx.Role.CanEdit() {
			return setStatus(statusError, "Sola lettura: il ruolo «"+p.ctx.Role.Label()+"» non può modificare piano e registri")
		}
		cs := p.ctx.Store
		switch {
		case key.Matches(msg, k.Edit) && p.tab == tabPlan:
			return p.planForm(cs)
		case key.Matches(msg, k.Add) && p.tab == tabOperators:
			return p.operatorForm(cs)
		case key.Matches(msg, k.Add) && p.tab == tabEvents:
			return p.eventForm(cs)
		case key.Matches(msg, k.Revoke) && p.tab == tabOperators && n > 0:
			o := p.snap().Operators[min(*cur, n-1)]
			return p.dateForm(cs, "Revoca di "+o.ID+" ("+o.Name+")", o.ID, false)
		case key.Matches(msg, k.CloseEvent) && p.tab == tabEvents && n > 0:
			e := p.snap().Events[min(*cur, n-1)]
			return p.dateForm(cs, "Chiusura dell'evento "+e.ID, e.ID, true)
		}
	}
	return nil
}

// save runs a write of the cycle, then reloads the audit.
func (p *cyclePage) save(done string, write func(id, user string) error) tea.Cmd {
	store, id, user := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User
	return func() tea.Msg {
		if err := write(id, user); err != nil {
			return cycleSavedMsg{err: err}
		}
		snap, err := store.Load(id)
		return cycleSavedMsg{done: done, snap: snap, err: err}
	}
}

// validDate is the huh validation of an optional date field.
func validDate(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	_, err := checklist.NormaliseDate("data", s)
	return err
}

func (p *cyclePage) planForm(cs CycleStore) tea.Cmd {
	pl := p.snap().Plan
	num := ""
	if pl.Number > 0 {
		num = strconv.Itoa(pl.Number)
	}
	p.plan = planDraft{string(pl.Edition), num, pl.AdoptedAct, pl.AdoptedOn, pl.Protocol, pl.ProtocolOn,
		pl.SentOn, string(pl.Channel), pl.Receipt, string(pl.Outcome), pl.OutcomeOn, pl.OutcomeNote}
	d := &p.plan
	opt := func(label, v string) huh.Option[string] { return huh.NewOption(label, v) }
	form := huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().Title("Edizione").Options(opt("non indicata", ""), opt("alfa", "alfa"), opt("beta", "beta"), opt("aggiornamento", "aggiornamento")).Value(&d.edition),
		huh.NewInput().Title("Numero dell'aggiornamento").Value(&d.number).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return nil
			}
			_, err := checklist.ParseCount("il numero dell'aggiornamento", s)
			return err
		}),
		huh.NewInput().Title("Atto di adozione").Value(&d.adoptedAct),
		huh.NewInput().Title("Adottato il (AAAA-MM-GG o GG/MM/AAAA)").Value(&d.adoptedOn).Validate(validDate),
		huh.NewInput().Title("Protocollo").Value(&d.protocol),
		huh.NewInput().Title("Protocollato il").Value(&d.protocolOn).Validate(validDate),
	), huh.NewGroup(
		huh.NewInput().Title("Trasmesso alla Prefettura il").Description("Fissa il piano come inviato: le modifiche successive sono variazioni").Value(&d.sentOn).Validate(validDate),
		huh.NewSelect[string]().Title("Canale").Options(opt("non indicato", ""), opt("PEC", "pec"), opt("cartaceo", "cartaceo"), opt("altro", "altro")).Value(&d.channel),
		huh.NewInput().Title("Ricevuta").Value(&d.receipt),
		huh.NewSelect[string]().Title("Esito della Prefettura").Options(opt("non indicato", ""), opt("in attesa", "in-attesa"), opt("conforme", "conforme"), opt("con rilievi", "rilievi")).Value(&d.outcome),
		huh.NewInput().Title("Esito del").Value(&d.outcomeOn).Validate(validDate),
		newText().Title("Rilievi o note sull'esito").Value(&d.outcomeNote),
	))
	return openForm("Piano di sicurezza", form, func() tea.Cmd {
		d := p.plan
		c := checklist.PlanChange{Edition: &d.edition, AdoptedAct: &d.adoptedAct, AdoptedOn: &d.adoptedOn, Protocol: &d.protocol,
			ProtocolOn: &d.protocolOn, SentOn: &d.sentOn, Channel: &d.channel, Receipt: &d.receipt, Outcome: &d.outcome,
			OutcomeOn: &d.outcomeOn, OutcomeNote: &d.outcomeNote}
		n := 0
		if strings.TrimSpace(d.number) != "" {
			n, _ = checklist.ParseCount("il numero dell'aggiornamento", d.number)
		}
		c.Number = &n
		return p.save("Salvato: piano di sicurezza", func(id, user string) error {
			_, _, err := cs.SavePlan(id, c, user)
			return err
		})
	})
}

func (p *cyclePage) operatorForm(cs CycleStore) tea.Cmd {
	p.op = operatorDraft{role: string(checklist.RoleRegistrar)}
	d := &p.op
	form := huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Nome e cognome").Value(&d.name).Validate(required("il nome")),
		huh.NewSelect[string]().Title("Ruolo").Options(
			huh.NewOption(checklist.RoleRegistrar.Label(), string(checklist.RoleRegistrar)),
			huh.NewOption(checklist.RoleDelegate.Label(), string(checklist.RoleDelegate)),
		).Value(&d.role),
		huh.NewInput().Title("Atto di delega o di nomina").Value(&d.act),
		huh.NewInput().Title("Numero di serie della SCO").Value(&d.sco),
		huh.NewInput().Title("SCO consegnata il").Value(&d.delivered).Validate(validDate),
		huh.NewInput().Title("Verbale di consegna").Value(&d.verbale),
		huh.NewInput().Title("Formazione del").Value(&d.trained).Validate(validDate),
		huh.NewInput().Title("Postazioni usate (codici separati da virgola)").Value(&d.postazioni),
	))
	return openForm("Nuovo operatore", form, func() tea.Cmd {
		d := p.op
		o := checklist.Operator{Name: d.name, Role: checklist.OperatorRole(d.role), Act: d.act, SCO: d.sco, SCODelivered: d.delivered,
			Verbale: d.verbale, TrainedOn: d.trained, Postazioni: splitList(d.postazioni)}
		return p.save("Salvato: operatore "+strings.TrimSpace(d.name), func(id, user string) error {
			_, err := cs.AddOperator(id, o, user)
			return err
		})
	})
}

func (p *cyclePage) eventForm(cs CycleStore) tea.Cmd {
	p.ev = eventDraft{at: p.today(), scope: checklist.EnteScope.String()}
	d := &p.ev
	var scopes []huh.Option[string]
	for _, sc := range p.snap().Audit.Scopes() {
		scopes = append(scopes, huh.NewOption(sc.Label(), sc.String()))
	}
	today := p.today()
	form := huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Data e ora (AAAA-MM-GG[THH:MM])").Value(&d.at).Validate(func(s string) error {
			_, err := checklist.ParseMoment("data", s, today)
			return err
		}),
		huh.NewSelect[string]().Title("Ambito").Options(scopes...).Value(&d.scope),
		newText().Title("Descrizione").Value(&d.description).Validate(required("la descrizione")),
		huh.NewInput().Title("Minaccia del catalogo (ID, facoltativa)").Value(&d.threat),
	), huh.NewGroup(
		huh.NewInput().Title("Aree colpite: riservatezza, integrita, disponibilita").Value(&d.areas).Validate(func(s string) error {
			_, err := checklist.ParseAreas(s)
			return err
		}),
		newText().Title("Azioni intraprese").Value(&d.actions),
		huh.NewInput().Title("Notificato a: prefettura, helpdesk, forze-ordine, garante[@DATA]").Value(&d.notified).Validate(func(s string) error {
			at, err := checklist.ParseMoment("data", d.at, "")
			if err != nil {
				return nil // the date field says what is wrong
			}
			_, err = checklist.ParseNotices(s, at, today)
			return err
		}),
	))
	return openForm("Nuovo evento di sicurezza", form, func() tea.Cmd {
		d := p.ev
		sc, _ := checklist.ParseScope(d.scope)
		areas, _ := checklist.ParseAreas(d.areas)
		at, _ := checklist.ParseMoment("data", d.at, "")
		notices, _ := checklist.ParseNotices(d.notified, at, "")
		e := checklist.SecurityEvent{At: d.at, Scope: sc, Threat: d.threat, Description: d.description, Areas: areas, Actions: d.actions, Notified: notices}
		return p.save("Salvato: evento di sicurezza", func(id, user string) error {
			_, err := cs.AddEvent(id, e, user)
			return err
		})
	})
}

// dateForm asks the date (and, for an event, a note) of a revocation or a
// closing.
func (p *cyclePage) dateForm(cs CycleStore, title, id string, event bool) tea.Cmd {
	p.close = closeDraft{id: id, on: p.today()}
	d := &p.close
	fields := []huh.Field{huh.NewInput().Title("Data (AAAA-MM-GG o GG/MM/AAAA)").Value(&d.on).Validate(func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("la data è obbligatoria")
		}
		return validDate(s)
	})}
	if event {
		fields = append(fields, newText().Title("Nota di chiusura").Value(&d.note))
	}
	return openForm(title, huh.NewForm(huh.NewGroup(fields...)), func() tea.Cmd {
		d := p.close
		if event {
			return p.save("Salvato: evento "+d.id+" chiuso", func(auditID, user string) error {
				_, err := cs.CloseEvent(auditID, d.id, d.on, d.note, user)
				return err
			})
		}
		return p.save("Salvato: operatore "+d.id+" revocato", func(auditID, user string) error {
			_, err := cs.RevokeOperator(auditID, d.id, d.on, user)
			return err
		})
	})
}

func (p *cyclePage) View() string {
	st := p.ctx.Styles
	var b strings.Builder
	for i, name := range cycleTabNames {
		label := fmt.Sprintf(" %d %s ", i+1, name)
		if cycleTab(i) == p.tab {
			b.WriteString(st.Selected.Render(label))
		} else {
			b.WriteString(st.Muted.Render(label))
		}
	}
	b.WriteString("\n\n")
	var lines []string
	switch p.tab {
	case tabPlan:
		lines = p.planLines()
	case tabOperators:
		lines = p.operatorLines()
	case tabEvents:
		lines = p.eventLines()
	case tabDeadlines:
		lines = p.deadlineLines()
	}
	h := max(p.h-2, 1)
	if len(lines) > h {
		lines = lines[:h]
	}
	for _, l := range lines {
		b.WriteString(ansi.Truncate(l, max(p.w, 1), "…") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (p *cyclePage) planLines() []string {
	st := p.ctx.Styles
	s := p.snap()
	pl := s.Plan
	kv := func(k, v string) string { return st.Label.Render(pad(k, 26)) + " " + checklist.CleanText(v, false) }
	edition := pl.EditionLabel()
	if edition == "" {
		edition = "non indicata"
	}
	lines := []string{kv("Edizione", edition)}
	if pl.AdoptedAct != "" || pl.AdoptedOn != "" {
		lines = append(lines, kv("Atto di adozione", strings.TrimSpace(pl.AdoptedAct+" "+dateOf(pl.AdoptedOn))))
	}
	if pl.Protocol != "" {
		lines = append(lines, kv("Protocollo", strings.TrimSpace(pl.Protocol+" "+dateOf(pl.ProtocolOn))))
	}
	if !pl.Sent() {
		lines = append(lines, kv("Trasmissione", "non ancora registrata (e per registrarla)"))
	} else {
		lines = append(lines, kv("Trasmesso il", checklist.ItalianDate(pl.SentOn)+" ("+pl.Channel.Label()+")"))
		if pl.Receipt != "" {
			lines = append(lines, kv("Ricevuta", pl.Receipt))
		}
		outcome := pl.Outcome.Label()
		if pl.OutcomeOn != "" {
			outcome += " il " + checklist.ItalianDate(pl.OutcomeOn)
		}
		lines = append(lines, kv("Esito della Prefettura", outcome))
		if pl.OutcomeNote != "" {
			lines = append(lines, kv("Rilievi", pl.OutcomeNote))
		}
		term := kv("Termine di 30 giorni", checklist.ItalianDate(pl.TermEnds()))
		if pl.TermRunOut(p.today()) {
			term += " " + st.StatusError.Render("SCADUTO senza esito")
		}
		lines = append(lines, term)
	}
	lines = append(lines, "")
	vs := checklist.Variations(s)
	lines = append(lines, st.Label.Render(fmt.Sprintf("Trasmissioni: %d   Variazioni dopo la trasmissione: %d", len(s.Baselines), len(vs))))
	for i := len(vs) - 1; i >= 0 && i >= len(vs)-5; i-- {
		lines = append(lines, "  "+checklist.CleanText(vs[i].Label(), false))
	}
	return lines
}

func (p *cyclePage) marker(i int) string {
	if i == p.cursor[p.tab] {
		return p.ctx.Styles.Cursor.Render("▸ ")
	}
	return "  "
}

func (p *cyclePage) operatorLines() []string {
	st := p.ctx.Styles
	ops := p.snap().Operators
	if len(ops) == 0 {
		return []string{"Nessun operatore registrato: a per aggiungerne uno."}
	}
	lines := []string{st.Label.Render("  " + pad("ID", 6) + pad("Operatore", 22) + pad("Ruolo", 22) + pad("SCO", 16) + "Stato")}
	for i, o := range ops {
		state := "attivo"
		if o.RevokedOn != "" {
			state = "revocato il " + checklist.ItalianDate(o.RevokedOn)
		}
		row := pad(o.ID, 6) + pad(checklist.CleanText(o.Name, false), 22) + pad(o.Role.Label(), 22) + pad(checklist.CleanText(o.SCO, false), 16) + state
		if f := o.Findings(); len(f) > 0 {
			row += " " + st.StatusError.Render("⚠ "+f[0])
		}
		lines = append(lines, p.marker(i)+row)
	}
	o := ops[min(p.cursor[tabOperators], len(ops)-1)]
	lines = append(lines, "", st.Label.Render(o.ID+" — "+checklist.CleanText(o.Name, false)))
	detail := func(k, v string) {
		if v != "" {
			lines = append(lines, k+": "+checklist.CleanText(v, false))
		}
	}
	detail("Atto", o.Act)
	detail("SCO consegnata il", checklist.ItalianDate(o.SCODelivered))
	detail("Verbale", o.Verbale)
	detail("Formazione", checklist.ItalianDate(o.TrainedOn))
	detail("Postazioni", strings.Join(o.Postazioni, ", "))
	for _, f := range o.Findings() {
		lines = append(lines, st.StatusError.Render("⚠ "+f))
	}
	return lines
}

func (p *cyclePage) eventLines() []string {
	st := p.ctx.Styles
	evs := p.snap().Events
	if len(evs) == 0 {
		return []string{"Nessun evento di sicurezza registrato: a per registrarne uno."}
	}
	lines := []string{st.Label.Render("  " + pad("ID", 6) + pad("Data", 18) + pad("Stato", 12) + "Descrizione")}
	for i, e := range evs {
		status := string(e.Status)
		row := pad(e.ID, 6) + pad(checklist.ItalianDate(e.At), 18) + pad(status, 12) + checklist.CleanText(strings.ReplaceAll(e.Description, "\n", " "), false)
		lines = append(lines, p.marker(i)+row)
	}
	e := evs[min(p.cursor[tabEvents], len(evs)-1)]
	lines = append(lines, "", st.Label.Render(e.ID+" — "+e.Scope.Label()))
	if a := e.AreasLabel(); a != "" {
		lines = append(lines, "Aree: "+a)
	}
	if e.Actions != "" {
		lines = append(lines, "Azioni: "+checklist.CleanText(strings.ReplaceAll(e.Actions, "\n", " "), false))
	}
	if n := e.NoticesLabel(); n != "" {
		lines = append(lines, "Notificato a: "+n)
	}
	if note := e.GDPRNote(); note != "" {
		lines = append(lines, st.StatusError.Render(note))
	}
	if e.ClosedOn != "" {
		lines = append(lines, "Chiuso il "+checklist.ItalianDate(e.ClosedOn)+" "+checklist.CleanText(e.CloseNote, false))
	}
	return lines
}

func (p *cyclePage) deadlineLines() []string {
	ds := checklist.Deadlines(p.snap(), p.today())
	if len(ds) == 0 {
		return []string{"Nessuna scadenza."}
	}
	var lines []string
	for i, d := range ds {
		lines = append(lines, p.marker(i)+deadlineRow(p.ctx.Styles, d))
	}
	return lines
}

// deadlineRow is one deadline: due date, SCADUTA when overdue, what.
func deadlineRow(st Styles, d checklist.Deadline) string {
	due := "—"
	if d.Due != "" {
		due = checklist.ItalianDate(d.Due)
	}
	row := pad(due, 11)
	if d.Overdue {
		row += st.StatusError.Render("SCADUTA") + " "
	}
	return row + checklist.CleanText(d.What, false)
}

func dateOf(day string) string {
	if day == "" {
		return ""
	}
	return "del " + checklist.ItalianDate(day)
}

// Home deadlines: the most pressing deadlines of the most recently changed
// audits, read after the list in a tea.Cmd so that the first frame does
// not wait for them.
const (
	homeDeadlineAudits = 20 // audits read
	homeDeadlineRows   = 5  // rows shown
	homeDeadlineDays   = 30 // dated deadlines this close are shown
)

type deadlinesLoadedMsg struct{ deadlines []checklist.Deadline }

func homeDeadlinesCmd(store Store, audits []checklist.AuditSummary, today string) tea.Cmd {
	if store == nil || len(audits) == 0 {
		return nil
	}
	ids := make([]string, 0, homeDeadlineAudits)
	for _, a := range audits[:min(len(audits), homeDeadlineAudits)] {
		ids = append(ids, a.ID)
	}
	horizon := checklist.QuarterOf(today).End()
	if t, err := time.Parse(time.DateOnly, today); err == nil {
		horizon = t.AddDate(0, 0, homeDeadlineDays).Format(time.DateOnly)
	}
	return func() tea.Msg {
		var out []checklist.Deadline
		for _, id := range ids {
			snap, err := store.Load(id)
			if err != nil {
				continue // the list already says what is readable
			}
			for _, d := range checklist.Deadlines(snap, today) {
				if d.Due != "" && (d.Overdue || d.Due <= horizon) {
					out = append(out, d)
				}
			}
		}
		checklist.SortDeadlines(out)
		return deadlinesLoadedMsg{deadlines: out}
	}
}

func (p *homePage) deadlinesHeight() int {
	if len(p.deadlines) == 0 {
		return 0
	}
	return 2 + min(len(p.deadlines), homeDeadlineRows)
}

func (p *homePage) viewDeadlines(b *strings.Builder) {
	if len(p.deadlines) == 0 {
		return
	}
	st := p.ctx.Styles
	b.WriteString("\n" + st.Label.Render(fmt.Sprintf("Scadenze (%d)", len(p.deadlines))) + "\n")
	for _, d := range p.deadlines[:min(len(p.deadlines), homeDeadlineRows)] {
		b.WriteString(ansi.Truncate("  "+deadlineRow(st, d)+" — "+checklist.CleanText(d.Ente, false), max(p.w, 1), "…") + "\n")
	}
}
