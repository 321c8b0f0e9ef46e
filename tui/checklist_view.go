package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cieaudit/cieaudit/checklist"
)

// wideLayout reports whether the detail goes beside the list.
func (p *checklistPage) wideLayout() bool { return p.w >= 110 }

func (p *checklistPage) detailHeight() int {
	if p.wideLayout() {
		return 0
	}
	return min(max(p.h/2-1, 6), 10)
}

func (p *checklistPage) listHeight() int {
	h := p.h - 2 - p.detailHeight()
	if !p.wideLayout() {
		h-- // separator
	}
	return max(h, 3)
}

type displayRow struct {
	header  string // category or section title; styled only when drawn
	section bool
	item    *checklist.Item
	index   int
}

// rows interleaves category and section headers with the visible items.
func (p *checklistPage) rows() (rows []displayRow, cursorRow int) {
	var cat checklist.Category
	sec := ""
	cat = "-"
	snap := p.ctx.Audit.snap
	for i, it := range p.visible {
		if it.Category != cat {
			cat, sec = it.Category, ""
			rows = append(rows, displayRow{header: strings.ToUpper(cat.Label())})
		}
		if it.Section != sec {
			sec = it.Section
			title := sec
			if s := snap.Catalogue.Section(sec); s != nil {
				title = sec + " · " + s.Title
			}
			rows = append(rows, displayRow{header: " " + title, section: true})
		}
		if i == p.cursor {
			cursorRow = len(rows)
		}
		rows = append(rows, displayRow{item: it, index: i})
	}
	return rows, cursorRow
}

func (p *checklistPage) View() string {
	st := p.ctx.Styles
	if p.built != p.ctx.Audit.version {
		p.rebuild()
	}
	pr := p.ctx.Audit.snap.ScopeProgress(p.scope)
	head := st.Title.Render(p.scope.Label()) + st.Muted.Render(fmt.Sprintf(" · %d/%d risposte · filtro: %s", pr.Answered, pr.Total, p.filter.label()))
	if q := p.search.Value(); q != "" && !p.searching {
		head += st.Muted.Render(" · ricerca: ") + q
	}
	if p.searching {
		head = p.search.View()
	}
	var b strings.Builder
	b.WriteString(head + "\n")
	b.WriteString(st.Muted.Render(p.inheritedSummary()) + "\n")

	listW := p.w
	if p.wideLayout() {
		listW = p.w * 55 / 100
	}
	listH := p.listHeight()
	list := p.renderList(listW, listH)
	if p.wideLayout() {
		panelW := p.w - listW - 1
		detail := p.detailWindow(p.renderDetail(panelW-2), panelW-2, listH)
		// Joined by hand: lipgloss.JoinHorizontal measures every cell
		// again, and this runs on every keystroke.
		listLines, detailLines := strings.Split(list, "\n"), strings.Split(detail, "\n")
		bar := st.Separator.Render("│") + " "
		for i := range listLines {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(pad(listLines[i], listW) + " " + bar)
			if i < len(detailLines) {
				b.WriteString(detailLines[i])
			}
		}
		return b.String()
	}
	b.WriteString(list + "\n")
	b.WriteString(st.Separator.Render(strings.Repeat("─", p.w)) + "\n")
	b.WriteString(p.detailWindow(p.renderDetail(p.w), p.w, p.detailHeight()))
	return b.String()
}

// inheritedSummary is the line under the header of a sede or postazione:
// how many items it inherits, how they are answered, and the key that shows
// them.
func (p *checklistPage) inheritedSummary() string {
	if p.scope.Kind == checklist.ScopeEnte {
		return ""
	}
	var n, answered, bad int
	var from []string
	for _, it := range p.items {
		value, at, _ := p.effective(it)
		if at == p.scope {
			continue
		}
		n++
		if value != "" {
			answered++
		}
		if o := (checklist.Answer{Value: value}).Outcome(it); o == checklist.OutcomeNo || o == checklist.OutcomePartial {
			bad++
		}
		if l := at.Label(); !slices.Contains(from, l) {
			from = append(from, l)
		}
	}
	if n == 0 {
		return ""
	}
	state := checklist.Plural(n, "nascosta", "nascoste")
	if p.inherited {
		state = checklist.Plural(n, "mostrata", "mostrate")
	}
	return fmt.Sprintf("↑ %s %s (i): %d con risposta, %s — da %s",
		checklist.Count(n, "voce ereditata", "voci ereditate"), state, answered, checklist.Count(bad, "non conforme", "non conformi"), strings.Join(from, " e "))
}

func (p *checklistPage) renderList(w, h int) string {
	st := p.ctx.Styles
	if len(p.visible) == 0 {
		msg := "Nessuna voce"
		switch {
		case p.filter != filterAll:
			msg += " con il filtro «" + p.filter.label() + "»"
			if q := p.search.Value(); q != "" {
				msg += " e la ricerca «" + q + "»"
			}
			msg += ": premere f per cambiare filtro, esc per mostrare tutte le voci."
		case p.search.Value() != "":
			msg += " per la ricerca «" + p.search.Value() + "» (codice, testo, guida e note): premere esc per toglierla."
		case !p.inherited:
			msg += " di " + p.scope.Label() + ": premere i per le voci ereditate."
		}
		return fit(st.Muted.Render(wrap(msg, w)), w, h)
	}
	rows, cursorRow := p.rows()
	p.offset = scrollWindow(p.offset, cursorRow, h, len(rows))
	// Keep the section header of the cursor in view when there is room.
	if cursorRow-p.offset < 2 && p.offset > 0 && cursorRow < p.offset+h-2 {
		p.offset = max(cursorRow-2, 0)
	}
	idW := 8
	markW := 6
	titleW := max(w-2-idW-1-markW-1, 8)
	lines := make([]string, 0, h)
	for r := p.offset; r < min(p.offset+h, len(rows)); r++ {
		row := rows[r]
		if row.item == nil {
			if row.section {
				lines = append(lines, st.Muted.Render(pad(row.header, w)))
			} else {
				lines = append(lines, st.Subtitle.Render(pad(row.header, w)))
			}
			continue
		}
		it := row.item
		value, at, state := p.effective(it)
		flag := " "
		switch {
		case state == statePending:
			flag = "…"
		case state == stateFailed:
			flag = st.Unsaved.Render("!")
		case at != p.scope:
			flag = st.Inherited.Render("↑")
		case value == "":
			if _, waiting := p.ctx.Audit.snap.CarriedAnswer(at, it.ID); waiting {
				flag = st.Inherited.Render("↻") // carried from last year, to re-verify
			}
		}
		mark := flag + st.outcomeMark(it, value)
		// The number of files, if any, takes the end of the title's room:
		// rows without files keep the whole title.
		title, files := pad(it.Title(), titleW), ""
		if n := p.ctx.Audit.snap.EvidenceCount(at, it.ID); n > 0 {
			title, files = pad(it.Title(), titleW-evidenceMarkW), evidenceMark(n)
		}
		text := pad(it.ID, idW) + " " + title
		if row.index == p.cursor {
			lines = append(lines, st.Cursor.Render("▸ ")+st.Selected.Render(text+files+" ")+mark)
		} else {
			if files != "" {
				files = st.Muted.Render(files)
			}
			lines = append(lines, "  "+text+files+" "+mark)
		}
	}
	return fit(strings.Join(lines, "\n"), w, h)
}

// renderDetail shows the selected item in full.
func (p *checklistPage) renderDetail(w int) string {
	st := p.ctx.Styles
	it := p.current()
	if it == nil {
		return ""
	}
	snap := p.ctx.Audit.snap
	var lines []string
	add := func(s string) { lines = append(lines, s) }
	addWrapped := func(label, text string) {
		if strings.TrimSpace(text) == "" {
			return
		}
		add(wrap(st.Label.Render(label)+text, w))
	}
	head := st.Bold.Render(it.ID) + st.Muted.Render(fmt.Sprintf(" · %s · livello %s · ambito %s", it.Category.Label(), it.Level.Label(), it.Scope.Label()))
	add(wrap(head, w))

	value, at, state := p.effective(it)
	answer := "Non verificato"
	if value != "" {
		answer = checklist.DisplayValue(it, value)
	}
	switch state {
	case statePending:
		answer += " (salvataggio in corso…)"
	case stateFailed:
		answer = st.Unsaved.Render(answer + " — NON SALVATO")
	}
	if prev, waiting := snap.CarriedAnswer(at, it.ID); waiting && value == "" && state == stateNone {
		answer = st.Inherited.Render(checklist.CarriedLabel(it, prev)) + st.Muted.Render(" — y conferma")
	}
	if a, ok := snap.Answer(at, it.ID); ok && state == stateSaved && a.Author != "" && value != "" {
		answer += st.Muted.Render(fmt.Sprintf(" — %s, %s", a.Author, a.At.Local().Format("02/01/2006 15:04")))
	}
	add(st.Label.Render("Risposta: ") + answer)
	if at != p.scope {
		add(st.Inherited.Render("Ereditata da " + at.Label() + ": invio per aprirla lì"))
	}
	if a, ok := snap.Answer(at, it.ID); ok {
		addWrapped("Nota: ", a.Note)
	}
	if prev, waiting := snap.CarriedAnswer(at, it.ID); waiting && value == "" {
		addWrapped("Nota dell'anno prima: ", prev.Note)
	}
	if n := snap.EvidenceCount(at, it.ID); n > 0 {
		var files []string
		for _, e := range snap.Evidence {
			if e.Scope == at && e.Item == it.ID {
				files = append(files, fmt.Sprintf("%s %s (%s, %s, sha256 %s…)", e.ID, checklist.CleanText(e.Name, false),
					checklist.EvidenceTypeLabel(e.Type), checklist.FormatBytes(e.Size), e.Digest[:min(12, len(e.Digest))]))
			}
		}
		addWrapped(fmt.Sprintf("Allegati (%d): ", n), strings.Join(files, "; "))
	}
	if p.showHistory {
		lines = append(lines, p.historyLines(it, at, w)...)
		return strings.Join(lines, "\n")
	}
	addWrapped("", it.Question)
	addWrapped("Guida: ", it.Guidance)
	addWrapped("Riferimento: ", it.Reference)
	addWrapped("Origine: ", it.OriginSummary())
	if it.Negative() {
		addWrapped("Risposta conforme: ", "No (domanda in negativo: «no» è la misura in atto)")
	}
	if len(it.Macroprocess) > 0 {
		addWrapped("Macroprocesso: ", it.MacroprocessLabel())
	}
	if len(it.Threats) > 0 {
		var ts []string
		for _, l := range it.Threats {
			name := l.Threat
			if t := snap.Catalogue.Threat(l.Threat); t != nil {
				name = t.Name
			}
			ts = append(ts, fmt.Sprintf("%s (%d%%)", name, l.Mitigation))
		}
		addWrapped("Contrasta: ", strings.Join(ts, "; "))
	}
	if e, ok := p.ctx.Audit.evaluation(p.scope, it.Section); ok && e.Text != "" {
		addWrapped("Valutazione sezione: ", e.Text)
	}
	return strings.Join(lines, "\n")
}

// detailWindow shows the part of the detail that fits h lines from the
// detail's scroll offset, with a marker when there is more above or below.
func (p *checklistPage) detailWindow(detail string, w, h int) string {
	lines := strings.Split(detail, "\n")
	if len(lines) <= h || h < 2 {
		p.detailOff = 0
		return fit(detail, w, h)
	}
	p.detailOff = max(min(p.detailOff, len(lines)-(h-1)), 0)
	st := p.ctx.Styles
	from := p.detailOff
	var out []string
	if from > 0 {
		from++ // the marker takes a line
		out = append(out, st.Muted.Render(fmt.Sprintf("▲ %d righe sopra ([ per risalire)", from)))
	}
	rest := h - len(out)
	if len(lines)-from > rest {
		out = append(out, lines[from:from+rest-1]...)
		out = append(out, st.Muted.Render(fmt.Sprintf("▼ %s (] per scorrere)", checklist.Plural(len(lines)-from-(rest-1), "un'altra riga", fmt.Sprintf("altre %d righe", len(lines)-from-(rest-1))))))
	} else {
		out = append(out, lines[from:]...)
	}
	return fit(strings.Join(out, "\n"), w, h)
}

// scrollDetail moves the detail by delta lines.
func (p *checklistPage) scrollDetail(delta int) { p.detailOff = max(p.detailOff+delta, 0) }

// historyLines lists the changes to the answer of it at scope at, newest
// first: when, who, what it was and what it became.
func (p *checklistPage) historyLines(it *checklist.Item, at checklist.Scope, w int) []string {
	st := p.ctx.Styles
	scope := at.String()
	var out []string
	hist := p.ctx.Audit.snap.History
	for i := len(hist) - 1; i >= 0; i-- {
		c := hist[i]
		if c.Scope != scope || c.Item != it.ID || (c.Kind != checklist.ChangeAnswer && c.Kind != checklist.ChangeNote) {
			continue
		}
		what := "risposta " + historyValue(it, c.Old) + " → " + historyValue(it, c.New)
		if c.Kind == checklist.ChangeNote {
			what = "nota " + historyNote(c.Old) + " → " + historyNote(c.New)
		}
		if c.Reason != "" {
			what += " (" + c.Reason + ")"
		}
		when := st.Muted.Render(c.At.Local().Format("02/01/2006 15:04") + " " + c.Author + ": ")
		out = append(out, wrap(when+what, w))
	}
	head := st.Label.Render("Storico di " + it.ID + " (" + at.Label() + "), dal più recente; h torna al dettaglio")
	if len(out) == 0 {
		return []string{wrap(head, w), "Nessuna modifica registrata."}
	}
	return append([]string{wrap(head, w)}, out...)
}

func historyValue(it *checklist.Item, v string) string {
	if v == "" {
		return "Non verificato"
	}
	return checklist.DisplayValue(it, v)
}

func historyNote(n string) string {
	if n == "" {
		return "(vuota)"
	}
	return "«" + n + "»"
}
