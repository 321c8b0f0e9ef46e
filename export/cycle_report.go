package export

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cieaudit/cieaudit/checklist"
)

// cycleView is the yearly cycle in the report: the operator register
// (organisation), the events and variations (monitoring), the plan's
// adoption and sending (validazione e invio). The PDF, the HTML and the
// ODT render the same rows.
type cycleView struct {
	Operators  tableView
	Events     tableView
	Variations tableView
	// Adoption is the plan's edition, adoption act and protocol; Sending
	// its transmission to the Prefettura, the receipt that proves it, the
	// outcome and the term for it.
	Adoption, Sending [][2]string
	Baselines         []string
}

// tableView is a table as text: header and rows of the same width.
type tableView struct {
	Headers []string
	Widths  []float64 // share of the PDF content width
	Rows    [][]string
}

func buildCycleView(snap *checklist.Snapshot) cycleView {
	v := cycleView{
		Operators: tableView{Headers: []string{"ID", "Operatore", "Ruolo e atto", "SCO", "Postazioni", "Rilievi"},
			Widths: []float64{0.07, 0.17, 0.25, 0.17, 0.14, 0.2}},
		Variations: tableView{Headers: []string{"ID", "Data", "Area", "Oggetto", "Prima", "Dopo"},
			Widths: []float64{0.08, 0.11, 0.15, 0.2, 0.23, 0.23}},
	}
	for _, o := range snap.Operators {
		role := o.Role.Label()
		if o.Act != "" {
			role += " — " + o.Act
		}
		sco := orDash(o.SCO)
		if o.SCODelivered != "" {
			sco += ", consegnata il " + checklist.ItalianDate(o.SCODelivered)
		}
		if o.Verbale != "" {
			sco += " (" + o.Verbale + ")"
		}
		if o.RevokedOn != "" {
			sco += "; revocata il " + checklist.ItalianDate(o.RevokedOn)
		}
		name := o.Name
		if o.TrainedOn != "" {
			name += " (formazione del " + checklist.ItalianDate(o.TrainedOn) + ")"
		}
		v.Operators.Rows = append(v.Operators.Rows, []string{o.ID, name, role, sco, orDash(strings.Join(o.Postazioni, ", ")), orDash(strings.Join(o.Findings(), "; "))})
	}
	v.Events = eventTable(snap.Events)
	for _, x := range checklist.Variations(snap) {
		what := x.Item
		if x.Scope != "" {
			what = strings.TrimSpace(what + " (" + scopeLabel(x.Scope) + ")")
		}
		v.Variations.Rows = append(v.Variations.Rows, []string{x.ID, checklist.ItalianDate(x.Day), x.Area.Label(), orDash(what), orDash(readableFields(x.Old)), orDash(readableFields(x.New))})
	}
	p := snap.Plan
	add := func(to *[][2]string, k, val string) {
		if val != "" {
			*to = append(*to, [2]string{k, val})
		}
	}
	add(&v.Adoption, "Edizione", orDash(p.EditionLabel()))
	add(&v.Adoption, "Atto di adozione", cmpOr(strings.TrimSpace(p.AdoptedAct+" "+dateOf(p.AdoptedOn)), "non ancora registrato"))
	add(&v.Adoption, "Protocollo", strings.TrimSpace(p.Protocol+" "+dateOf(p.ProtocolOn)))
	if p.Sent() {
		add(&v.Sending, "Trasmissione alla Prefettura", checklist.ItalianDate(p.SentOn)+", "+p.Channel.Label())
		add(&v.Sending, "Prova dell'invio (ricevuta)", cmpOr(p.Receipt, "non registrata"))
		outcome := p.Outcome.Label()
		if p.OutcomeOn != "" {
			outcome += " (" + checklist.ItalianDate(p.OutcomeOn) + ")"
		}
		if p.OutcomeNote != "" {
			outcome += ": " + p.OutcomeNote
		}
		add(&v.Sending, "Esito della Prefettura", outcome)
		add(&v.Sending, "Termine di verifica (30 giorni)", checklist.ItalianDate(p.TermEnds()))
	} else {
		add(&v.Sending, "Trasmissione alla Prefettura", "non ancora registrata")
	}
	for _, b := range snap.Baselines {
		v.Baselines = append(v.Baselines, strconv.Itoa(b.Seq)+". "+editionText(&b)+"; piano come inviato fissato il "+italianDateTime(b.FixedAt))
	}
	return v
}

// eventTable lists security events: what happened, the areas hit, the
// actions and what GDPR art. 33 asks, who was notified, the status.
func eventTable(events []checklist.SecurityEvent) tableView {
	t := tableView{Headers: []string{"ID", "Data", "Ambito", "Descrizione e azioni", "Notificato a", "Stato"},
		Widths: []float64{0.07, 0.12, 0.13, 0.36, 0.16, 0.16}}
	for _, e := range events {
		what := e.Description
		if e.Threat != "" {
			what += " (minaccia " + e.Threat + ")"
		}
		if areas := e.AreasLabel(); areas != "" {
			what += "\nAree: " + areas
		}
		if e.Actions != "" {
			what += "\nAzioni: " + e.Actions
		}
		if note := e.GDPRNote(); note != "" {
			what += "\n" + note
		}
		status := string(e.Status)
		if e.ClosedOn != "" {
			status += " il " + checklist.ItalianDate(e.ClosedOn)
			if e.CloseNote != "" {
				status += ": " + e.CloseNote
			}
		}
		t.Rows = append(t.Rows, []string{e.ID, checklist.ItalianDate(e.At), e.Scope.Label(), what, orDash(e.NoticesLabel()), status})
	}
	return t
}

func dateOf(day string) string {
	if day == "" {
		return ""
	}
	return "del " + checklist.ItalianDate(day)
}

// tableOf draws a tableView in the PDF.
func (d *pdfDoc) tableOf(t tableView) {
	d.table(t.pdf())
}

// pdf is the table as the PDF's columns and cells.
func (t tableView) pdf() ([]column, [][]cell) {
	cols := make([]column, len(t.Headers))
	for i, h := range t.Headers {
		cols[i] = column{h, t.Widths[i], "L"}
	}
	rows := make([][]cell, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]cell, len(r))
		for j, c := range r {
			rows[i][j] = plain(c)
		}
	}
	return cols, rows
}

// operators is the operator register, in the organisation part.
func (d *pdfDoc) operators() {
	d.heading(1, "Operatori e smart card operatore (SCO)", 20)
	if len(d.rep.Cycle.Operators.Rows) == 0 {
		d.paragraph("Nessun operatore registrato (cieaudit operator add).")
		return
	}
	d.muted("La SCO è personale e spetta agli ufficiali d'anagrafe o ai loro delegati formali (circ. 4/2017).")
	d.tableOf(d.rep.Cycle.Operators)
}

// monitoring is the part with the security events and the variations.
func (d *pdfDoc) monitoring(n int) {
	c := d.rep.Cycle
	d.part(strconv.Itoa(n)+". Monitoraggio: eventi di sicurezza e variazioni", false)
	// A heading over a table asks for the table's first rows (the whole
	// of a short one), so it is never left alone at a page's foot.
	titled := func(title string, t tableView, none string) {
		if len(t.Rows) == 0 {
			d.heading(1, title, 20)
			d.paragraph(none)
			return
		}
		cols, rows := t.pdf()
		d.heading(1, title, d.tableNeed(cols, rows)+2)
		d.table(cols, rows)
	}
	titled("Eventi di sicurezza", c.Events, "Nessun evento di sicurezza registrato.")
	titled("Variazioni del piano dopo la trasmissione", c.Variations,
		"Nessuna variazione del perimetro, dell'inventario, dell'organizzazione, degli operatori o dell'esito delle misure dopo la trasmissione.")
}

// validation is the part "Validazione e invio" (domain reference §4.2,
// point 10): the adoption with the signatures that validate the plan, then
// its sending to the Prefettura with the proof of it and the outcome.
func (d *pdfDoc) validation(n int) {
	r := d.rep
	c := r.Cycle
	d.part(strconv.Itoa(n)+". "+validationTitle, false)
	d.paragraph(r.ValidationIntro())
	d.heading(1, fmt.Sprintf("%d.1 %s", n, adoptionTitle), 40)
	d.keyValue(c.Adoption, 0.34)
	d.signatures()
	d.heading(1, fmt.Sprintf("%d.2 %s", n, sendingTitle), 30)
	d.keyValue(c.Sending, 0.34)
	if len(c.Baselines) > 0 {
		d.heading(2, "Trasmissioni registrate", 10)
		for _, b := range c.Baselines {
			d.paragraph(b)
		}
	}
}
