package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/cieaudit/cieaudit/checklist"
)

// CycleDoc is one of the quarterly documents of the yearly cycle.
type CycleDoc string

const (
	DocSheet       CycleDoc = checklist.DocumentSheet
	DocDeclaration CycleDoc = checklist.DocumentDeclaration
)

// FileName is the PDF's name for quarter q: scheda-2026Q4.pdf.
func (k CycleDoc) FileName(q checklist.Quarter) string { return string(k) + "-" + q.String() + ".pdf" }

// ErrDeclarationRefused is returned when the Sindaco's declaration may not
// be produced; the error lists every reason.
var ErrDeclarationRefused = errors.New("dichiarazione del Sindaco non consentita")

// RenderCycleDoc renders the PDF of kind for quarter q with its
// SHA256SUMS. day (AAAA-MM-GG) is the document's date: for the scheda the
// day it describes the quarter at, for the declaration the day it is
// signed. The same snapshot, quarter and day always give the same bytes.
func RenderCycleDoc(kind CycleDoc, snap *checklist.Snapshot, q checklist.Quarter, day string) ([]bundleFile, error) {
	var buf bytes.Buffer
	var err error
	switch kind {
	case DocSheet:
		err = WriteSheetPDF(&buf, snap, q, day)
	case DocDeclaration:
		err = WriteDeclarationPDF(&buf, snap, q, day)
	default:
		err = fmt.Errorf("documento %q sconosciuto", kind)
	}
	if err != nil {
		return nil, err
	}
	files := []bundleFile{{kind.FileName(q), buf.Bytes()}}
	return append(files, bundleFile{FileSums, checksums(files)}), nil
}

// WriteCycleDoc renders the document and writes it with its SHA256SUMS
// into the folder dir (which must not exist or be empty, unless
// opts.Force), or, when dir is "-", as a zip archive to stdout. It returns
// the paths written.
func WriteCycleDoc(kind CycleDoc, snap *checklist.Snapshot, q checklist.Quarter, day, dir string, stdout io.Writer, opts Options) ([]string, error) {
	files, err := RenderCycleDoc(kind, snap, q, day)
	if err != nil {
		return nil, err
	}
	if dir == "-" {
		return nil, writeZipArchive(stdout, files, docTime(day))
	}
	opts.Zip = false
	dest, err := resolve(dir, opts)
	if err != nil {
		return nil, err
	}
	return writeFiles(dest, files, opts)
}

// docTime is noon, Italian time, of the document's day: its PDF and zip
// timestamps.
func docTime(day string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, day, rome)
	if err != nil {
		return time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC)
	}
	return t.Add(12 * time.Hour)
}

// newCycleDoc starts an A4 document with the report's fonts, header and
// footer; title is in the header.
func newCycleDoc(snap *checklist.Snapshot, title, day string) *pdfDoc {
	f := fpdf.New("P", "mm", "A4", "")
	rep := &report{Title: title, Ente: snap.Audit.Ente, Year: checklist.QuarterOf(day).Year, Footer: title + " del " + checklist.ItalianDate(day)}
	d := &pdfDoc{Fpdf: f, rep: rep}
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, marginBottom)
	f.SetCellMargin(cellPad)
	f.AliasNbPages("{nb}")
	t := docTime(day)
	f.SetCreationDate(t)
	f.SetModificationDate(t)
	f.SetCatalogSort(true)
	f.SetTitle(pdfText(title+" — "+snap.Audit.Ente.Name), true)
	f.SetAuthor(pdfText(snap.Audit.Ente.Name), true)
	f.SetCreator("cieaudit", true)
	f.SetLang("it-IT")
	f.SetHeaderFunc(d.header)
	f.SetFooterFunc(d.footer)
	d.AddPage()
	return d
}

func (d *pdfDoc) finish(w io.Writer) error {
	if err := d.Error(); err != nil {
		return fmt.Errorf("composizione del PDF: %w", err)
	}
	return d.Output(w)
}

// title is the document's big centred title with an optional subtitle.
func (d *pdfDoc) title(title, subtitle string) {
	d.font(true, 15)
	d.colour(colourHead)
	d.MultiCell(contentWidth, 7, pdfText(title), "", "C", false)
	if subtitle != "" {
		d.font(false, 9)
		d.colour(colourMuted)
		d.MultiCell(contentWidth, 4.5, pdfText(subtitle), "", "C", false)
	}
	d.colour(colourInk)
	d.SetY(d.GetY() + 5)
}

// editionText describes the edition in force in one line.
func editionText(b *checklist.Baseline) string {
	if b == nil {
		return "nessuna edizione trasmessa alla Prefettura"
	}
	s := fmt.Sprintf("%s, trasmessa alla Prefettura il %s", b.EditionLabel(), checklist.ItalianDate(b.SentOn))
	if b.Channel != "" {
		s += " (" + b.Channel.Label() + ")"
	}
	if b.Protocol != "" {
		s += ", protocollo n. " + b.Protocol
	}
	return s
}

// placeName is the comune's name as a place: "Comune di Valdoria" → "Valdoria".
func placeName(ente string) string {
	for _, p := range []string{"Comune di ", "Comune dell'", "Comune del ", "Comune della ", "Comune "} {
		if rest, ok := strings.CutPrefix(ente, p); ok {
			if strings.HasSuffix(p, "'") {
				return "L'" + rest
			}
			return rest
		}
	}
	return ente
}

// WriteSheetPDF writes the quarterly scheda di attuazione e monitoraggio
// of q as known on day.
func WriteSheetPDF(w io.Writer, snap *checklist.Snapshot, q checklist.Quarter, day string) (err error) {
	defer recoverPDF(&err)
	s := checklist.BuildSheet(snap, q, day)
	d := newCycleDoc(snap, "Scheda di attuazione e monitoraggio", s.AsOf)
	e := snap.Audit.Ente
	d.title("Scheda di attuazione e monitoraggio", "Piano di sicurezza comunale CIE (D.M. Interno 2 agosto 2005) — "+q.Label())
	d.keyValue([][2]string{
		{"Ente", orDash(e.Name)},
		{"Prefettura", orDash(e.Prefettura)},
		{"Edizione in vigore", editionText(s.Edition)},
		{"Periodo", q.Label()},
		{"Situazione al", checklist.ItalianDate(s.AsOf)},
	}, 0.28)

	d.heading(1, "1. Stato di attuazione delle misure", 20)
	d.paragraph(fmt.Sprintf("Azioni pianificate: %d; completate: %d; scadute: %d.", s.Count(checklist.ActionPlanned), s.Count(checklist.ActionClosed), s.Count(checklist.ActionLate)))
	if len(s.Actions) > 0 {
		rows := make([][]cell, len(s.Actions))
		for i, a := range s.Actions {
			st := plain(string(a.State))
			if a.State == checklist.ActionLate {
				st = cell{text: string(a.State), bold: true, colour: &colourNo}
			}
			rows[i] = []cell{plain(a.Item), plain(a.Title), plain(orDash(a.Owner)), plain(orDash(checklist.ItalianDate(a.Due))), st}
		}
		d.table([]column{{"Misura", 0.11, "L"}, {"Azione", 0.45, "L"}, {"Responsabile", 0.18, "L"}, {"Scadenza", 0.12, "L"}, {"Stato", 0.14, "L"}}, rows)
	}
	d.heading(2, "Misure con esito cambiato nel periodo", 10)
	if len(s.Outcomes) == 0 {
		d.paragraph("Nessuna misura ha cambiato esito nel periodo.")
	} else {
		rows := make([][]cell, len(s.Outcomes))
		for i, v := range s.Outcomes {
			rows[i] = []cell{plain(v.ID), plain(checklist.ItalianDate(v.Day)), plain(v.Item), plain(scopeLabel(v.Scope)), plain(v.Old + " → " + v.New)}
		}
		d.table([]column{{"Variazione", 0.13, "L"}, {"Data", 0.13, "L"}, {"Misura", 0.14, "L"}, {"Ambito", 0.3, "L"}, {"Esito prima → dopo", 0.3, "L"}}, rows)
	}

	d.heading(1, "2. Monitoraggio: variazioni del piano", 20)
	if len(s.Variations) == 0 {
		d.paragraph("Nessuna variazione tecnica, logistica od organizzativa nel periodo rispetto al piano trasmesso.")
	} else {
		rows := make([][]cell, len(s.Variations))
		for i, v := range s.Variations {
			rows[i] = []cell{plain(v.ID), plain(checklist.ItalianDate(v.Day)), plain(v.Area.Label()), plain(orDash(v.Old)), plain(orDash(v.New))}
		}
		d.table([]column{{"Variazione", 0.12, "L"}, {"Data", 0.12, "L"}, {"Area", 0.16, "L"}, {"Prima", 0.3, "L"}, {"Dopo", 0.3, "L"}}, rows)
	}

	d.heading(1, "3. Monitoraggio: eventi di sicurezza", 20)
	if len(s.Events) == 0 {
		d.paragraph("Nessun evento di sicurezza nel periodo.")
	} else {
		d.eventTable(s.Events)
	}
	if len(s.OpenBefore) > 0 {
		d.heading(2, "Eventi di periodi precedenti ancora aperti all'inizio del periodo", 10)
		d.eventTable(s.OpenBefore)
	}
	if len(s.Operators) > 0 {
		d.heading(1, "4. Operatori con rilievi", 14)
		rows := make([][]cell, len(s.Operators))
		for i, o := range s.Operators {
			rows[i] = []cell{plain(o.ID), plain(o.Name), plain(o.Role.Label()), plain(orDash(o.SCO)), plain(strings.Join(o.Findings(), "; "))}
		}
		d.table([]column{{"ID", 0.08, "L"}, {"Operatore", 0.22, "L"}, {"Ruolo", 0.17, "L"}, {"SCO", 0.13, "L"}, {"Rilievo", 0.4, "L"}}, rows)
	}

	d.heading(1, "Dichiarazione semplificata", 14)
	if s.Verdict.Allowed() {
		d.paragraph("Nel periodo non risultano eventi di sicurezza né variazioni: il Sindaco può sostituire questa scheda con la dichiarazione semplificata (circ. 53/2007), prodotta da cieaudit declaration.")
	} else {
		d.paragraph("La dichiarazione semplificata del Sindaco non è possibile per il periodo:")
		for _, r := range s.Verdict.Reasons {
			d.paragraph("• " + r)
		}
	}
	d.rep.Signatures = []signature{{Role: "Il responsabile della sicurezza", Name: e.ResponsabileSicurezza}, {Role: "Il Sindaco", Name: e.Sindaco}}
	d.rep.Place = placeName(e.Name)
	d.signatures()
	return d.finish(w)
}

func scopeLabel(s string) string {
	if sc, err := checklist.ParseScope(s); err == nil {
		return sc.Label()
	}
	return s
}

func (d *pdfDoc) eventTable(events []checklist.SecurityEvent) {
	// An event row is tall: keep the header with a whole first row.
	d.ensure(45)
	d.tableOf(eventTable(events))
}

// WriteDeclarationPDF writes the Sindaco's declaration that the plan did
// not change in q, signed on day; it refuses (ErrDeclarationRefused, with
// every reason) when checklist.CheckDeclaration does.
func WriteDeclarationPDF(w io.Writer, snap *checklist.Snapshot, q checklist.Quarter, day string) (err error) {
	v := checklist.CheckDeclaration(snap, q)
	if !v.Allowed() {
		return fmt.Errorf("%w per il %s: %s; vedere la scheda trimestrale (cieaudit sheet --quarter %s)", ErrDeclarationRefused, q.Label(), strings.Join(v.Reasons, "; "), q)
	}
	if day < q.Start() {
		return fmt.Errorf("--date: la dichiarazione (%s) non può precedere l'inizio del periodo (%s)", checklist.ItalianDate(day), checklist.ItalianDate(q.Start()))
	}
	defer recoverPDF(&err)
	e := snap.Audit.Ente
	asOf := min(day, q.End())
	d := newCycleDoc(snap, "Dichiarazione del Sindaco", day)
	d.SetY(d.GetY() + 8)
	d.font(false, bodySize)
	to := "Alla Prefettura – Ufficio Territoriale del Governo"
	if p := strings.TrimSpace(e.Prefettura); strings.HasPrefix(strings.ToLower(p), "prefettura") {
		to = "Alla " + p
	} else if p != "" {
		to += " di " + p
	}
	d.MultiCell(contentWidth, bodyLine, pdfText(to), "", "R", false)
	d.SetY(d.GetY() + 8)
	d.title("DICHIARAZIONE DEL SINDACO", "Procedura semplificata prevista dalla circolare del Ministero dell'Interno n. 53 del 4 ottobre 2007")
	d.font(true, bodySize)
	d.MultiCell(contentWidth, bodyLine, pdfText("Oggetto: Piano di sicurezza comunale per la gestione delle postazioni di emissione della Carta d'Identità Elettronica (D.M. Interno 2 agosto 2005) – "+q.Label()+"."), "", "L", false)
	d.SetY(d.GetY() + 6)
	body := fmt.Sprintf("Il sottoscritto %s, Sindaco del %s", e.Sindaco, e.Name)
	if e.ISTAT != "" {
		body += " (codice ISTAT " + e.ISTAT + ")"
	}
	d.paragraph(body + ",")
	d.font(true, 11)
	d.MultiCell(contentWidth, 7, "DICHIARA", "", "C", false)
	d.SetY(d.GetY() + 2)
	b := v.Edition
	sent := fmt.Sprintf("trasmesso a codesta Prefettura il %s", checklist.ItalianDate(b.SentOn))
	if b.Channel != "" {
		sent += " a mezzo " + b.Channel.Label()
	}
	if b.Protocol != "" {
		sent += " (protocollo n. " + b.Protocol + ")"
	}
	d.paragraph(fmt.Sprintf("che il Piano di Sicurezza Comunale per la CIE, %s, %s, non ha subito variazioni alla data del %s: nel periodo dal %s al %s non si sono verificate modifiche tecniche, logistiche od organizzative delle postazioni di emissione, del loro perimetro e degli operatori, né eventi di sicurezza.",
		b.EditionLabel(), sent, checklist.ItalianDate(asOf), checklist.ItalianDate(q.Start()), checklist.ItalianDate(asOf)))
	d.paragraph("La presente dichiarazione sostituisce, per il periodo indicato, le schede di attuazione e monitoraggio.")
	d.SetY(d.GetY() + 8)
	d.paragraph(fmt.Sprintf("%s, %s", placeName(e.Name), checklist.ItalianDate(day)))
	d.SetY(d.GetY() + 10)
	x := marginLeft + contentWidth/2
	d.SetX(x)
	d.font(false, bodySize)
	d.MultiCell(contentWidth/2, bodyLine, "Il Sindaco", "", "C", false)
	d.SetX(x)
	d.MultiCell(contentWidth/2, bodyLine, pdfText(e.Sindaco), "", "C", false)
	y := d.GetY() + 14
	d.draw(colourInk)
	d.SetLineWidth(0.3)
	d.Line(x+8, y, x+contentWidth/2-8, y)
	d.SetXY(x, y+1)
	d.font(false, 8)
	d.colour(colourMuted)
	d.CellFormat(contentWidth/2, 4, "(firma)", "", 1, "C", false, 0, "")
	d.colour(colourInk)
	return d.finish(w)
}

func recoverPDF(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("composizione del PDF non riuscita: %v", r)
	}
}
