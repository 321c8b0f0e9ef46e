package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/internal/userfile"
)

// overviewPage shows the ente, the scopes with their progress, and edits the
// ente, the sedi and the postazioni.
type overviewPage struct {
	ctx    *Context
	keys   OverviewKeys
	w, h   int
	cursor int
	offset int

	ente  enteDraft
	sede  sedeDraft
	post  postazioneDraft
	other string // name or code of the sede/postazione being edited, "" when new
	perim perimeterDraft
}

type enteDraft struct {
	name, istat, province, prefettura, population, sindaco, responsabile, referente string
	// logo is the path of a new stemma typed in the form (local mode),
	// or logoRemove; "" keeps the stemma as it is.
	logo string
}

type sedeDraft struct{ name, address, rooms string }

// perimeterDraft is the rename or removal of a sede or postazione.
type perimeterDraft struct {
	name    string // the new name or code
	confirm bool
}

type postazioneDraft struct {
	code, sede, room, office, os, notes                    string
	pc, impronte, smartcard, multifunzione, barcode, altro string
}

func newOverviewPage(ctx *Context) *overviewPage {
	return &overviewPage{ctx: ctx, keys: ctx.Keys.Overview}
}

func (p *overviewPage) Title() string {
	a := p.ctx.Audit.snap.Audit
	return fmt.Sprintf("%s %d", a.Ente.Name, a.Year)
}
func (p *overviewPage) SetSize(w, h int) { p.w, p.h = w, h }
func (p *overviewPage) Init() tea.Cmd    { return nil }

func (p *overviewPage) ShortHelp() []key.Binding {
	// Short words, the keys that build the audit first: all of them fit
	// 80 columns; ? shows them in full.
	k := p.keys
	return []key.Binding{short(k.Open, "apri"), short(k.NewSede, "sede+"), short(k.NewPostazione, "postazione+"),
		short(k.EditScope, "modifica"), short(k.EditEnte, "ente"), short(k.Risk, "rischi"), short(k.Export, "esporta"), short(k.Close, "chiudi")}
}

func (p *overviewPage) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Home, k.End, k.Open},
		{k.EditEnte, k.NewSede, k.NewPostazione, k.EditScope, k.RenameScope, k.RemoveScope},
		{k.Close, k.Risk, k.Export, k.Cycle},
	}
}

func (p *overviewPage) scopes() []checklist.Scope { return p.ctx.Audit.snap.Audit.Scopes() }

// focus runs when the page is on top again: another session may have
// removed scopes meanwhile.
func (p *overviewPage) focus() tea.Cmd {
	p.cursor = max(min(p.cursor, len(p.scopes())-1), 0)
	return nil
}

func (p *overviewPage) selectScope(sc checklist.Scope) {
	for i, s := range p.scopes() {
		if s == sc {
			p.cursor = i
		}
	}
}

func (p *overviewPage) Update(msg tea.Msg) (Component, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return p, p.handleKey(msg)
	case auditReloadedMsg, auditUpdatedMsg:
		p.cursor = max(min(p.cursor, len(p.scopes())-1), 0)
	}
	return p, nil
}

func (p *overviewPage) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	n := len(p.scopes())
	p.cursor = max(min(p.cursor, n-1), 0)
	switch {
	case key.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, k.Down):
		p.cursor = min(p.cursor+1, n-1)
	case key.Matches(msg, k.Home):
		p.cursor = 0
	case key.Matches(msg, k.End):
		p.cursor = n - 1
	case key.Matches(msg, k.Open):
		return push(newChecklistPage(p.ctx, p.scopes()[p.cursor], ""))
	case key.Matches(msg, k.Close):
		return push(newClosePage(p.ctx))
	case key.Matches(msg, k.Risk):
		return push(newRiskPage(p.ctx))
	case key.Matches(msg, k.Export):
		return push(newExportPage(p.ctx))
	case key.Matches(msg, k.Cycle):
		return push(newCyclePage(p.ctx))
	case key.Matches(msg, k.RenameScope, k.RemoveScope):
		if why := p.ctx.editRefusal(); why != "" {
			return setStatus(statusError, why)
		}
		sc := p.scopes()[p.cursor]
		if sc.Kind == checklist.ScopeEnte {
			return setStatus(statusError, "Selezionare una sede o una postazione: l'ente non si rinomina né si rimuove")
		}
		if key.Matches(msg, k.RenameScope) {
			return p.renameForm(sc)
		}
		return p.removeForm(sc)
	case key.Matches(msg, k.EditEnte, k.NewSede, k.NewPostazione, k.EditScope):
		if why := p.ctx.editRefusal(); why != "" {
			return setStatus(statusError, why)
		}
		switch {
		case key.Matches(msg, k.EditEnte):
			return p.enteForm()
		case key.Matches(msg, k.NewSede):
			return p.sedeForm(nil)
		case key.Matches(msg, k.NewPostazione):
			if len(p.ctx.Audit.snap.Audit.Sedi) == 0 {
				return setStatus(statusError, "Aggiungere prima una sede (S): ogni postazione appartiene a una sede")
			}
			return p.postazioneForm(nil)
		default:
			sc := p.scopes()[p.cursor]
			a := &p.ctx.Audit.snap.Audit
			switch sc.Kind {
			case checklist.ScopeSede:
				return p.sedeForm(a.Sede(sc.Name))
			case checklist.ScopePostazione:
				return p.postazioneForm(a.Postazione(sc.Name))
			}
			return p.enteForm()
		}
	}
	return nil
}

func (p *overviewPage) update(done string, fn func(*checklist.Audit) error) tea.Cmd {
	store, id, user := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User
	return func() tea.Msg {
		a, err := store.UpdateAudit(id, user, "", fn)
		return auditUpdatedMsg{audit: a, done: done, err: err}
	}
}

func (p *overviewPage) enteForm() tea.Cmd {
	e := p.ctx.Audit.snap.Audit.Ente
	pop := ""
	if e.Population > 0 {
		pop = strconv.Itoa(e.Population)
	}
	p.ente = enteDraft{e.Name, e.ISTAT, e.Province, e.Prefettura, pop, e.Sindaco, e.ResponsabileSicurezza, e.ReferenteCIE, ""}
	d := &p.ente
	form := huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Nome dell'ente").Value(&d.name).Validate(required("il nome dell'ente")),
		huh.NewInput().Title("Codice ISTAT").CharLimit(6).Value(&d.istat).Validate(validateISTAT),
		huh.NewInput().Title("Provincia").Value(&d.province),
		huh.NewInput().Title("Prefettura").Value(&d.prefettura),
		huh.NewInput().Title("Popolazione").Value(&d.population).Validate(validatePopulation),
	), huh.NewGroup(
		huh.NewInput().Title("Sindaco").Value(&d.sindaco),
		huh.NewInput().Title("Responsabile della sicurezza").Value(&d.responsabile),
		huh.NewInput().Title("Referente CIE").Value(&d.referente),
	), p.logoGroup(d))
	return openForm("Dati dell'ente", form, func() tea.Cmd {
		d := p.ente
		popN := 0
		if strings.TrimSpace(d.population) != "" {
			popN, _ = checklist.ParseCount("la popolazione", d.population)
		}
		fn := func(a *checklist.Audit) error {
			a.Ente = checklist.Ente{
				Name: strings.TrimSpace(d.name), ISTAT: strings.TrimSpace(d.istat), Province: strings.TrimSpace(d.province),
				Prefettura: strings.TrimSpace(d.prefettura), Population: popN, Sindaco: strings.TrimSpace(d.sindaco),
				ResponsabileSicurezza: strings.TrimSpace(d.responsabile), ReferenteCIE: strings.TrimSpace(d.referente),
			}
			return nil
		}
		path := strings.TrimSpace(d.logo)
		if path == "" {
			return p.update("Salvato: dati dell'ente", fn)
		}
		return p.editWithLogo(fn, path)
	})
}

// logoRemove, typed as the stemma's path, removes the stemma.
const logoRemove = "nessuno"

// logoGroup is the ente form's stemma page. Locally it asks for the path of
// a PNG or JPEG (read and checked when the form is saved); over SSH the
// server's files are not the user's, so it shows the command that sends
// one on standard input instead.
func (p *overviewPage) logoGroup(d *enteDraft) *huh.Group {
	a := p.ctx.Audit.snap.Audit
	current := "Nessuno stemma caricato."
	if l := a.Logo; l != nil {
		current = fmt.Sprintf("Stemma attuale: %s %d×%d, %s.", checklist.EvidenceTypeLabel(l.Type), l.Width, l.Height, checklist.FormatBytes(l.Size))
	}
	rule := fmt.Sprintf("Immagine PNG o JPEG (riconosciuta dal contenuto), al massimo %d KiB e %d×%d pixel; compare sul frontespizio di PDF, HTML e ODT.",
		checklist.MaxLogoBytes>>10, checklist.MaxLogoSide, checklist.MaxLogoSide)
	if p.ctx.remote {
		cmd := sshCommand(p.ctx.sshAddr, "audit set "+sshArg(a.ID), "--logo - < stemma.png")
		return huh.NewGroup(huh.NewNote().Title("Stemma del comune").Description(current + "\n" + rule +
			"\nVia SSH lo stemma si carica dal proprio computer:\n  " + checklist.CleanText(strings.Join(cmd, " "), false) + "\n(--no-logo lo toglie)."))
	}
	return huh.NewGroup(huh.NewInput().Title("Stemma del comune: percorso del file").
		Description(current + "\n" + rule + "\nVuoto: resta com'è; «" + logoRemove + "» lo toglie.").
		Placeholder("es. /home/utente/stemma.png").Value(&d.logo))
}

// editWithLogo saves the ente's data and the stemma read from path (or
// removed) in one transaction; a file the rule refuses saves nothing and
// the status line says why.
func (p *overviewPage) editWithLogo(fn func(*checklist.Audit) error, path string) tea.Cmd {
	store, id, user := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User
	return func() tea.Msg {
		change := checklist.LogoChange{Set: true}
		done := "Salvato: dati dell'ente; stemma rimosso"
		if !strings.EqualFold(path, logoRemove) {
			data, err := readLogoFile(path)
			if err != nil {
				return auditUpdatedMsg{err: err}
			}
			change.Name, change.Data = path, data
			done = "Salvato: dati dell'ente e stemma"
		}
		a, err := store.EditAudit(id, user, fn, change)
		return auditUpdatedMsg{audit: a, done: done, err: err}
	}
}

// readLogoFile reads a stemma from a local path: a regular file (a folder,
// FIFO or device is refused before reading), at most MaxLogoBytes.
func readLogoFile(path string) ([]byte, error) {
	return userfile.Read("lo stemma", path, checklist.MaxLogoBytes)
}

func validatePopulation(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	_, err := checklist.ParseCount("la popolazione", s)
	return err
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// sedeForm adds a sede (existing == nil) or edits one. The name is the
// sede's identity in the answers, so it is fixed once the sede exists.
func (p *overviewPage) sedeForm(existing *checklist.Sede) tea.Cmd {
	audit := p.ctx.Audit.snap.Audit
	p.sede, p.other = sedeDraft{}, ""
	title := "Nuova sede"
	if existing != nil {
		p.sede = sedeDraft{existing.Name, existing.Address, strings.Join(existing.Rooms, ", ")}
		p.other = existing.Name
		title = "Sede " + existing.Name
	}
	d := &p.sede
	var fields []huh.Field
	if existing == nil {
		fields = append(fields, huh.NewInput().Title("Nome della sede").Value(&d.name).Validate(func(s string) error {
			_, err := audit.CheckNewSede(s)
			return err
		}))
	} else {
		fields = append(fields, huh.NewNote().Title("Sede "+existing.Name).Description("Il nome identifica la sede nelle risposte e non si può cambiare."))
	}
	fields = append(fields,
		huh.NewInput().Title("Indirizzo").Value(&d.address),
		huh.NewInput().Title("Locali (separati da virgola)").Value(&d.rooms),
	)
	form := huh.NewForm(huh.NewGroup(fields...))
	return openForm(title, form, func() tea.Cmd {
		d, name := p.sede, p.other
		if name == "" {
			name = checklist.NormaliseSedeName(d.name)
		}
		sede := checklist.Sede{Name: name, Address: strings.TrimSpace(d.address), Rooms: splitList(d.rooms)}
		isNew := p.other == ""
		return p.update("Salvato: sede "+name, func(a *checklist.Audit) error {
			if isNew {
				return a.AddSede(sede)
			}
			s := a.Sede(name)
			if s == nil {
				return fmt.Errorf("la sede «%s» non esiste più", name)
			}
			*s = sede
			return nil
		})
	})
}

// postazioneForm adds a postazione (existing == nil) or edits one; its
// Ministry code is its identity and is fixed once it exists.
func (p *overviewPage) postazioneForm(existing *checklist.Postazione) tea.Cmd {
	audit := p.ctx.Audit.snap.Audit
	p.post, p.other = postazioneDraft{office: string(checklist.OfficeFront)}, ""
	title := "Nuova postazione"
	if existing != nil {
		e := existing
		p.post = postazioneDraft{
			code: e.Code, sede: e.Sede, room: e.Room, office: string(e.Office), os: e.OS, notes: e.Notes,
			pc: e.Hardware.PC, impronte: e.Hardware.LettoreImpronte, smartcard: e.Hardware.LettoreSmartCard,
			multifunzione: e.Hardware.Multifunzione, barcode: e.Hardware.LettoreBarcode, altro: e.Hardware.Altro,
		}
		p.other = e.Code
		title = "Postazione " + e.Code
	}
	if p.post.sede == "" && len(audit.Sedi) > 0 {
		p.post.sede = audit.Sedi[0].Name
	}
	d := &p.post
	var sedi []huh.Option[string]
	for _, s := range audit.Sedi {
		sedi = append(sedi, huh.NewOption(s.Name, s.Name))
	}
	var first []huh.Field
	if existing == nil {
		first = append(first, huh.NewInput().Title("Codice della postazione (Ministero)").Value(&d.code).Validate(func(s string) error {
			_, err := audit.CheckNewPostazione(s)
			return err
		}))
	} else {
		first = append(first, huh.NewNote().Title("Postazione "+existing.Code).Description("Il codice identifica la postazione nelle risposte e non si può cambiare."))
	}
	first = append(first,
		huh.NewSelect[string]().Title("Sede").Options(sedi...).Value(&d.sede),
		huh.NewInput().Title("Locale").Value(&d.room),
		huh.NewSelect[string]().Title("Ufficio").Options(
			huh.NewOption(checklist.OfficeFront.Label(), string(checklist.OfficeFront)),
			huh.NewOption(checklist.OfficeBack.Label(), string(checklist.OfficeBack)),
		).Value(&d.office),
	)
	form := huh.NewForm(
		huh.NewGroup(first...),
		huh.NewGroup(
			huh.NewInput().Title("PC").Value(&d.pc),
			huh.NewInput().Title("Lettore impronte").Value(&d.impronte),
			huh.NewInput().Title("Lettore smart card").Value(&d.smartcard),
			huh.NewInput().Title("Multifunzione").Value(&d.multifunzione),
			huh.NewInput().Title("Lettore barcode").Value(&d.barcode),
			huh.NewInput().Title("Altro").Value(&d.altro),
		),
		huh.NewGroup(
			huh.NewInput().Title("Sistema operativo").Value(&d.os),
			newText().Title("Note").Value(&d.notes),
		),
	)
	return openForm(title, form, func() tea.Cmd {
		d, code := p.post, p.other
		if code == "" {
			code = checklist.NormalisePostazioneCode(d.code)
		}
		ps := checklist.Postazione{
			Code: code, Sede: d.sede, Room: strings.TrimSpace(d.room), Office: checklist.Office(d.office),
			OS: strings.TrimSpace(d.os), Notes: strings.TrimSpace(d.notes),
			Hardware: checklist.Inventory{
				PC: strings.TrimSpace(d.pc), LettoreImpronte: strings.TrimSpace(d.impronte), LettoreSmartCard: strings.TrimSpace(d.smartcard),
				Multifunzione: strings.TrimSpace(d.multifunzione), LettoreBarcode: strings.TrimSpace(d.barcode), Altro: strings.TrimSpace(d.altro),
			},
		}
		isNew := p.other == ""
		return p.update("Salvato: postazione "+code, func(a *checklist.Audit) error {
			if isNew {
				_, err := a.AddPostazione(ps, false)
				return err
			}
			cur := a.Postazione(code)
			if cur == nil {
				return fmt.Errorf("la postazione %s non esiste più", code)
			}
			*cur = ps
			return nil
		})
	})
}

func (p *overviewPage) View() string {
	p.cursor = max(min(p.cursor, len(p.scopes())-1), 0)
	st := p.ctx.Styles
	snap := p.ctx.Audit.snap
	a := snap.Audit
	var b strings.Builder
	e := a.Ente
	line1 := st.Title.Render(e.Name)
	if e.ISTAT != "" {
		line1 += st.Muted.Render(" · ISTAT " + e.ISTAT)
	}
	if e.Province != "" {
		line1 += st.Muted.Render(" · " + e.Province)
	}
	line1 += st.Muted.Render(fmt.Sprintf(" · %d · ", a.Year)) + st.Bold.Render(a.Status.Label())
	b.WriteString(line1 + "\n")
	total := snap.AuditProgress()
	b.WriteString(fmt.Sprintf("Risposte %d/%d (%s) · Catalogo %s\n", total.Answered, total.Total, percent(total.Percent()), a.CatalogueKey()))
	people := []string{"Auditor: " + strings.Join(a.Auditors, ", ")}
	if e.Sindaco != "" {
		people = append(people, "Sindaco: "+e.Sindaco)
	}
	if e.ResponsabileSicurezza != "" {
		people = append(people, "Resp. sicurezza: "+e.ResponsabileSicurezza)
	}
	if e.ReferenteCIE != "" {
		people = append(people, "Referente CIE: "+e.ReferenteCIE)
	}
	if e.Sindaco == "" && e.ResponsabileSicurezza == "" && e.ReferenteCIE == "" {
		people = append(people, "dati dell'ente incompleti: premere a per completarli")
	}
	b.WriteString(st.Muted.Render(strings.Join(people, " · ")) + "\n\n")

	barW := 12
	if p.w >= 110 {
		barW = 24
	}
	countsW := 20
	labelW := max(p.w-2-barW-8-countsW-2, 16)
	b.WriteString(st.Label.Render("  "+pad("Ambito", labelW)+" "+pad("Avanzamento", barW+8)+" "+"  No Parz Da ver") + "\n")
	scopes := p.scopes()
	// The scope list comes first; the detail of the selected scope gets
	// whatever room is left.
	listH := min(len(scopes), max(p.h-8, 3))
	p.offset = scrollWindow(p.offset, p.cursor, listH, len(scopes))
	for i := p.offset; i < min(p.offset+listH, len(scopes)); i++ {
		sc := scopes[i]
		pr := snap.ScopeProgress(sc)
		label := sc.Label()
		if sc.Kind == checklist.ScopePostazione {
			if ps := a.Postazione(sc.Name); ps != nil && ps.Sede != "" {
				label += " (" + ps.Sede + ")"
			}
		}
		counts := fmt.Sprintf("%4d %4d %6d", pr.No, pr.Partial, pr.Unanswered)
		row := pad(label, labelW) + " " + st.bar(pr.Answered, pr.Total, barW) + padLeft(fmt.Sprintf("%d/%d", pr.Answered, pr.Total), 8) + " " + counts
		if i == p.cursor {
			b.WriteString(st.Cursor.Render("▸ ") + st.Selected.Render(row) + "\n")
		} else {
			b.WriteString("  " + row + "\n")
		}
	}
	b.WriteString("\n" + p.scopeDetail(scopes[p.cursor]))
	return b.String()
}

// scopeDetail describes the selected scope under the list.
func (p *overviewPage) scopeDetail(sc checklist.Scope) string {
	st := p.ctx.Styles
	a := p.ctx.Audit.snap.Audit
	var lines []string
	switch sc.Kind {
	case checklist.ScopeEnte:
		lines = append(lines, st.Subtitle.Render("Ente")+st.Muted.Render(" — misure organizzative comuni a tutte le sedi"))
		if len(a.Sedi) == 0 {
			lines = append(lines, st.Inherited.Render("Audit ancora vuoto: S aggiunge la prima sede, poi P le sue postazioni."))
		} else if len(a.Postazioni) == 0 {
			lines = append(lines, st.Inherited.Render("Nessuna postazione: P aggiunge una postazione a una sede."))
		}
		if a.Ente.Prefettura != "" {
			lines = append(lines, "Prefettura: "+a.Ente.Prefettura)
		}
		if a.Ente.Population > 0 {
			lines = append(lines, fmt.Sprintf("Popolazione: %d abitanti", a.Ente.Population))
		}
	case checklist.ScopeSede:
		s := a.Sede(sc.Name)
		if s == nil {
			return ""
		}
		lines = append(lines, st.Subtitle.Render(sc.Label()))
		if s.Address != "" {
			lines = append(lines, "Indirizzo: "+s.Address)
		}
		if len(s.Rooms) > 0 {
			lines = append(lines, "Locali: "+strings.Join(s.Rooms, ", "))
		}
	case checklist.ScopePostazione:
		ps := a.Postazione(sc.Name)
		if ps == nil {
			return ""
		}
		head := "Postazione " + ps.Code
		if ps.Office != "" {
			head += " · " + ps.Office.Label()
		}
		lines = append(lines, st.Subtitle.Render(head))
		where := "Sede: " + ps.Sede
		if ps.Room != "" {
			where += " · Locale: " + ps.Room
		}
		if ps.OS != "" {
			where += " · SO: " + ps.OS
		}
		lines = append(lines, where)
		hw := ps.Hardware
		for _, f := range []struct{ label, value string }{
			{"PC", hw.PC}, {"Lettore impronte", hw.LettoreImpronte}, {"Lettore smart card", hw.LettoreSmartCard},
			{"Multifunzione", hw.Multifunzione}, {"Lettore barcode", hw.LettoreBarcode}, {"Altro", hw.Altro},
		} {
			if f.value != "" {
				lines = append(lines, st.Label.Render(f.label+": ")+f.value)
			}
		}
		if ps.Notes != "" {
			lines = append(lines, st.Label.Render("Note: ")+ps.Notes)
		}
	}
	return strings.Join(lines, "\n")
}

// renameForm renames the sede or postazione sc; checklist's rules check the
// new name as it is typed, and its answers follow it (storage.RenameScope).
func (p *overviewPage) renameForm(sc checklist.Scope) tea.Cmd {
	audit := p.ctx.Audit.snap.Audit
	p.perim = perimeterDraft{name: sc.Name}
	what := "Nuovo nome della sede"
	if sc.Kind == checklist.ScopePostazione {
		what = "Nuovo codice della postazione"
	}
	form := huh.NewForm(huh.NewGroup(
		huh.NewNote().Title(sc.Label()).Description("Le risposte, le valutazioni, le postazioni degli operatori e gli eventi di sicurezza seguono il nuovo nome; la modifica resta nello storico."),
		huh.NewInput().Title(what).Value(&p.perim.name).Validate(func(s string) error {
			_, err := renamed(audit, sc, s)
			return err
		}),
	))
	return openForm("Rinomina "+strings.ToLower(sc.Kind.Label())+" "+sc.Name, form, func() tea.Cmd {
		store, id, user, name := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User, p.perim.name
		return func() tea.Msg {
			a, err := store.RenameScope(id, sc, name, user)
			return reloadAfter(store, id, auditUpdatedMsg{audit: a, done: "Salvato: " + sc.Label() + " rinominata", err: err})
		}
	})
}

// reloadAfter follows a change of the perimeter, which moves or removes
// answers, with a fresh snapshot, then reports the change itself. It runs
// inside a command, never in Update.
func reloadAfter(store Store, id string, done auditUpdatedMsg) tea.Msg {
	if done.err != nil {
		return done
	}
	snap, err := store.Load(id)
	return tea.Sequence(
		func() tea.Msg { return auditReloadedMsg{snap: snap, err: err} },
		func() tea.Msg { return done },
	)()
}

// renamed applies the rename to a copy of the audit, for the form's check.
func renamed(a checklist.Audit, sc checklist.Scope, name string) (checklist.Scope, error) {
	a.Sedi, a.Postazioni = slices.Clone(a.Sedi), slices.Clone(a.Postazioni)
	var to checklist.Scope
	var err error
	if sc.Kind == checklist.ScopeSede {
		_, to, err = a.RenameSede(sc.Name, name)
	} else {
		_, to, err = a.RenamePostazione(sc.Name, name)
	}
	return to, err
}

// removeForm asks before removing the sede or postazione sc, saying how
// many answers and evaluations go with it.
func (p *overviewPage) removeForm(sc checklist.Scope) tea.Cmd {
	snap := p.ctx.Audit.snap
	a := snap.Audit
	a.Sedi, a.Postazioni = slices.Clone(a.Sedi), slices.Clone(a.Postazioni) // a check on a copy
	if _, err := a.RemoveScope(sc); err != nil {
		return setStatus(statusError, err.Error())
	}
	n := 0
	for _, ans := range snap.Answers {
		if ans.Scope == sc {
			n++
		}
	}
	for _, e := range snap.Evaluations {
		if e.Scope == sc {
			n++
		}
	}
	p.perim = perimeterDraft{}
	desc := "Non ha risposte né valutazioni."
	if n > 0 {
		desc = fmt.Sprintf("Ha %s: %s con la %s (la rimozione resta nello storico).", checklist.Count(n, "risposta o valutazione", "risposte e valutazioni"), checklist.Plural(n, "sarà eliminata", "saranno eliminate"), strings.ToLower(sc.Kind.Label()))
	}
	form := huh.NewForm(huh.NewGroup(
		huh.NewConfirm().Title("Rimuovere " + strings.ToLower(sc.Kind.Label()) + " " + sc.Name + "?").Description(desc).
			Affirmative("Rimuovi").Negative("Annulla").Value(&p.perim.confirm),
	))
	return openForm("Rimozione", form, func() tea.Cmd {
		if !p.perim.confirm {
			return setStatus(statusInfo, "Rimozione annullata")
		}
		store, id, user := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User
		return func() tea.Msg {
			a, _, err := store.RemoveScope(id, sc, user, true)
			return reloadAfter(store, id, auditUpdatedMsg{audit: a, done: "Salvato: " + sc.Label() + " rimossa", err: err})
		}
	})
}
