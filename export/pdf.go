package export

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/cieaudit/cieaudit/checklist"
)

// DejaVu Sans (Bitstream Vera licence, see fonts/LICENSE) covers Italian
// accents, typographic quotes and the euro sign; fpdf embeds only the glyphs
// used.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// Page geometry in millimetres (A4 portrait).
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginLeft   = 18.0
	marginRight  = 18.0
	marginTop    = 22.0
	marginBottom = 18.0
	contentWidth = pageWidth - marginLeft - marginRight
	pageBottom   = pageHeight - marginBottom

	fontFamily = "DejaVu"
	bodySize   = 9.5
	bodyLine   = 4.6
	tableSize  = 8.2
	tableLine  = 3.8
	cellPad    = 1.2
)

type rgb struct{ r, g, b int }

var (
	colourInk     = rgb{26, 26, 26}
	colourMuted   = rgb{90, 90, 90}
	colourHead    = rgb{31, 58, 95}
	colourRule    = rgb{200, 206, 214}
	colourZebra   = rgb{244, 246, 249}
	colourSecret  = rgb{139, 26, 26}
	colourNo      = rgb{183, 28, 28}
	colourPartial = rgb{178, 106, 0}
	colourYes     = rgb{27, 94, 32}
	colourNote    = rgb{255, 247, 230}
)

// parseColour reads a "#rrggbb" catalogue colour; anything else is grey.
func parseColour(s string) rgb {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(s) != 6 {
		return rgb{150, 150, 150}
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return rgb{150, 150, 150}
	}
	return rgb{int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)}
}

// readableOn is black or white, whichever reads better on background c.
func readableOn(c rgb) rgb {
	lum := 0.299*float64(c.r) + 0.587*float64(c.g) + 0.114*float64(c.b)
	if lum > 150 {
		return colourInk
	}
	return rgb{255, 255, 255}
}

// pdfText makes user text printable: line breaks normalised, tabs and
// other control characters turned into spaces, and what fpdf cannot encode
// (invalid UTF-8, characters beyond the Basic Multilingual Plane such as
// emoji, on which fpdf v0.12.0 panics) replaced by U+FFFD.
func pdfText(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\r', r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		case r > 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}

// pdfDoc wraps fpdf with the layout primitives of the report: headings that
// keep with what follows, wrapped paragraphs, and tables whose rows size to
// their content and break across pages with the header repeated.
type pdfDoc struct {
	*fpdf.Fpdf
	rep *report
	// broken collects the words of table cells wider than their column,
	// which fpdf can only split mid-word (checked by the tests).
	broken []string
	// lastHeading is where the latest heading ended; lone collects the
	// headings a page ended right after, with nothing of theirs below
	// (checked by the tests).
	lastHeading struct {
		page  int
		y     float64
		title string
	}
	lone []string
}

// WritePDF writes the report as an A4 PDF with embedded fonts. The creation
// and modification dates are the audit's last change, so the same audit
// always gives the same bytes. assessment may be nil, in which case it is
// computed.
func WritePDF(w io.Writer, snap *checklist.Snapshot, assessment *checklist.Assessment) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("composizione del PDF non riuscita: %v", r)
		}
	}()
	d, err := renderPDF(snap, assessment)
	if err != nil {
		return err
	}
	return d.Output(w)
}

// renderPDF lays the report out; the document is ready for Output.
func renderPDF(snap *checklist.Snapshot, assessment *checklist.Assessment) (d *pdfDoc, err error) {
	// fpdf panics on some inputs; pdfText avoids the known ones, and this
	// turns any other into an error rather than a crash of the TUI or the
	// SSH server.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("composizione del PDF non riuscita: %v", r)
		}
	}()
	if assessment == nil {
		assessment = checklist.Assess(snap)
	}
	rep := buildReport(snap, assessment)
	f := fpdf.New("P", "mm", "A4", "")
	d = &pdfDoc{Fpdf: f, rep: rep}
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, marginBottom)
	f.SetCellMargin(cellPad)
	f.AliasNbPages("{nb}")
	changed := snap.LastChange()
	f.SetCreationDate(changed)
	f.SetModificationDate(changed)
	f.SetCatalogSort(true)
	f.SetTitle(pdfText(rep.Title+" — "+rep.Ente.Name), true)
	f.SetSubject("Audit di sicurezza delle postazioni CIE "+strconv.Itoa(rep.Year), true)
	f.SetAuthor(pdfText(strings.Join(rep.Auditors, ", ")), true)
	f.SetCreator("cieaudit", true)
	f.SetLang("it-IT")
	f.SetHeaderFunc(d.header)
	f.SetFooterFunc(d.footer)

	d.cover()
	d.normative()
	d.organisation()
	d.perimeter()
	d.outcome()
	// The comparison with the previous audit ("Confronto con l'audit
	// precedente") belongs here, after the esito and before the detail.
	d.comparison()
	d.currentState()
	d.riskAnalysis()
	d.actions()
	d.monitoring(d.rep.ActionsNumber + 1)
	d.validation(d.rep.ActionsNumber + 2)
	d.annexes(d.rep.ActionsNumber + 3)
	d.register()

	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("composizione del PDF: %w", err)
	}
	return d, nil
}

func (d *pdfDoc) colour(c rgb) { d.SetTextColor(c.r, c.g, c.b) }
func (d *pdfDoc) fill(c rgb)   { d.SetFillColor(c.r, c.g, c.b) }
func (d *pdfDoc) draw(c rgb)   { d.SetDrawColor(c.r, c.g, c.b) }
func (d *pdfDoc) font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	d.SetFont(fontFamily, style, size)
}

func (d *pdfDoc) header() {
	if d.rep.Draft {
		d.draftMark()
	}
	d.SetY(9)
	d.font(false, 7.5)
	d.colour(colourMuted)
	d.CellFormat(contentWidth*0.7, 4, pdfText(d.rep.Ente.Name+" — "+d.rep.Title+" "+strconv.Itoa(d.rep.Year)), "", 0, "L", false, 0, "")
	d.font(true, 7.5)
	d.colour(colourSecret)
	d.CellFormat(contentWidth*0.3, 4, runningMark(d.rep.Draft), "", 1, "R", false, 0, "")
	d.draw(colourRule)
	d.SetLineWidth(0.2)
	d.Line(marginLeft, 14, pageWidth-marginRight, 14)
	d.SetY(marginTop)
	d.colour(colourInk)
}

// draftMark writes BOZZA across the page, in a light colour under the
// text, until the audit is closed.
func (d *pdfDoc) draftMark() {
	d.TransformBegin()
	d.TransformRotate(45, pageWidth/2, pageHeight/2)
	d.font(true, 110)
	d.SetTextColor(236, 228, 228)
	w := d.GetStringWidth(DraftMark)
	d.Text(pageWidth/2-w/2, pageHeight/2+15, DraftMark)
	d.TransformEnd()
	d.colour(colourInk)
}

func (d *pdfDoc) footer() {
	if h := d.lastHeading; h.title != "" && h.page == d.PageNo() && d.GetY() == h.y {
		d.lone = append(d.lone, h.title)
	}
	d.SetY(pageHeight - 13)
	d.draw(colourRule)
	d.SetLineWidth(0.2)
	d.Line(marginLeft, pageHeight-14, pageWidth-marginRight, pageHeight-14)
	d.font(false, 7.5)
	d.colour(colourMuted)
	d.CellFormat(contentWidth/2, 4, pdfText(d.rep.Footer), "", 0, "L", false, 0, "")
	d.CellFormat(contentWidth/2, 4, fmt.Sprintf("Pagina %d di {nb}", d.PageNo()), "", 0, "R", false, 0, "")
	d.colour(colourInk)
}

// ensure starts a new page unless h millimetres are left on this one.
func (d *pdfDoc) ensure(h float64) {
	if d.GetY()+h > pageBottom {
		d.AddPage()
	}
}

// part starts a numbered part of the report: on a new page when newPage
// is set or when little room is left on the current one.
func (d *pdfDoc) part(title string, newPage bool) {
	if newPage || d.PageNo() == 1 {
		d.AddPage()
	} else {
		d.SetY(d.GetY() + 6)
		d.ensure(70)
	}
	d.Bookmark(title, 0, -1)
	d.font(true, 15)
	d.colour(colourHead)
	d.MultiCell(contentWidth, 7, pdfText(title), "", "L", false)
	d.draw(colourHead)
	d.SetLineWidth(0.6)
	y := d.GetY() + 0.5
	d.Line(marginLeft, y, pageWidth-marginRight, y)
	d.SetY(y + 4)
	d.colour(colourInk)
}

// heading is a sub-heading kept on the same page as at least need mm of
// what follows.
func (d *pdfDoc) heading(level int, title string, need float64) {
	size, gap := 12.0, 3.0
	if level > 1 {
		size, gap = 10.5, 2.0
	}
	d.ensure(need + 8 + gap)
	d.SetY(d.GetY() + gap)
	if level == 1 {
		d.Bookmark(pdfText(title), 1, -1)
	}
	d.font(true, size)
	d.colour(colourHead)
	d.MultiCell(contentWidth, size*0.5, pdfText(title), "", "L", false)
	d.SetY(d.GetY() + 1.2)
	d.colour(colourInk)
	d.lastHeading.page, d.lastHeading.y, d.lastHeading.title = d.PageNo(), d.GetY(), title
}

func (d *pdfDoc) paragraph(text string) {
	d.font(false, bodySize)
	d.colour(colourInk)
	d.MultiCell(contentWidth, bodyLine, pdfText(text), "", "L", false)
	d.SetY(d.GetY() + 1.5)
}

func (d *pdfDoc) muted(text string) {
	d.font(false, 8)
	d.colour(colourMuted)
	d.MultiCell(contentWidth, 3.8, pdfText(text), "", "L", false)
	d.SetY(d.GetY() + 1.5)
	d.colour(colourInk)
}

// boxed is a paragraph in a shaded box with a bold title, as the DPS show
// their "Valutazione".
func (d *pdfDoc) boxed(title, text string, bg rgb) {
	d.font(false, bodySize)
	lines := d.SplitText(pdfText(text), contentWidth-4)
	h := float64(len(lines)+1)*bodyLine + 3
	if h <= pageBottom-marginTop {
		d.ensure(h)
	}
	d.fill(bg)
	d.draw(colourHead)
	x, y := d.GetX(), d.GetY()
	if h <= pageBottom-y {
		d.Rect(x, y, contentWidth, h, "F")
		d.SetLineWidth(0.8)
		d.Line(x, y, x, y+h)
	}
	d.SetXY(x+2, y+1.5)
	d.font(true, bodySize)
	d.CellFormat(contentWidth-4, bodyLine, pdfText(title), "", 2, "L", false, 0, "")
	d.font(false, bodySize)
	d.SetX(x + 2)
	d.MultiCell(contentWidth-4, bodyLine, pdfText(text), "", "L", false)
	d.SetY(d.GetY() + 3.5)
}

// column of a pdf table.
type column struct {
	title string
	width float64 // share of the content width
	align string  // "L", "R", "C"
}

// cell is one table cell; zero fill means none.
type cell struct {
	text   string
	bold   bool
	colour *rgb
	fill   *rgb
	// badge draws text as a small coloured label, as the band chips of
	// the HTML report.
	badge bool
}

func plain(s string) cell { return cell{text: s} }

// table draws a table whose rows grow to fit wrapped text and continue on
// the next page, with the header row repeated, when they do not fit.
func (d *pdfDoc) table(cols []column, rows [][]cell) {
	widths := columnWidths(cols)
	// Keep the header with its whole first row (or a page of it). A
	// heading over a short table asks for the whole table (tableNeed).
	d.ensure(d.firstRowNeed(cols, rows))
	d.tableHeader(cols, widths)
	for i, row := range rows {
		var bg *rgb
		if i%2 == 1 {
			bg = &colourZebra
		}
		d.tableRow(cols, widths, row, bg)
	}
	d.SetY(d.GetY() + 3)
}

func (d *pdfDoc) tableHeader(cols []column, widths []float64) {
	d.font(true, tableSize)
	lines := make([][]string, len(cols))
	n := 1
	for i, c := range cols {
		lines[i] = d.SplitText(pdfText(c.title), widths[i])
		n = max(n, len(lines[i]))
	}
	h := float64(n)*tableLine + 2*cellPad
	x, y := marginLeft, d.GetY()
	d.fill(colourHead)
	d.draw(colourRule)
	d.SetLineWidth(0.2)
	d.SetTextColor(255, 255, 255)
	for i := range cols {
		d.Rect(x, y, widths[i], h, "FD")
		for j, l := range lines[i] {
			d.SetXY(x, y+cellPad+float64(j)*tableLine)
			d.CellFormat(widths[i], tableLine, l, "", 0, cols[i].align, false, 0, "")
		}
		x += widths[i]
	}
	d.SetXY(marginLeft, y+h)
	if d.lastHeading.page == d.PageNo() && d.lastHeading.y == y {
		// A table's header row right under a heading is still the heading
		// for the test of lone headings: content is a table's rows.
		d.lastHeading.y = y + h
	}
	d.colour(colourInk)
}

func (d *pdfDoc) tableRow(cols []column, widths []float64, row []cell, zebra *rgb) {
	lines := make([][]string, len(cols))
	for i := range cols {
		if i >= len(row) {
			continue
		}
		d.font(row[i].bold, tableSize)
		text := pdfText(row[i].text)
		lines[i] = d.SplitText(text, widths[i])
		for _, w := range strings.Fields(text) {
			if d.GetStringWidth(w) > widths[i]-2*cellPad {
				d.broken = append(d.broken, w)
			}
		}
	}
	for {
		need := 1
		for _, l := range lines {
			need = max(need, len(l))
		}
		avail := pageBottom - d.GetY()
		fit := int(math.Floor((avail - 2*cellPad) / tableLine))
		if fit >= need {
			d.drawRow(cols, widths, row, lines, need, zebra)
			return
		}
		// A row taller than what is left: move it to a new page if it
		// fits there, else print what fits and continue overleaf.
		full := int(math.Floor((pageBottom - marginTop - 2*cellPad - 12) / tableLine))
		if need <= full || fit < 3 {
			d.AddPage()
			d.tableHeader(cols, widths)
			continue
		}
		head := make([][]string, len(lines))
		for i, l := range lines {
			head[i] = l[:min(fit, len(l))]
			lines[i] = l[min(fit, len(l)):]
		}
		d.drawRow(cols, widths, row, head, fit, zebra)
		d.AddPage()
		d.tableHeader(cols, widths)
		if len(row) > 0 && len(lines[0]) == 0 {
			// Say which row continues, as its key cell is already printed.
			d.font(row[0].bold, tableSize)
			lines[0] = d.SplitText(pdfText(row[0].text+" (segue)"), widths[0])
		}
	}
}

func (d *pdfDoc) drawRow(cols []column, widths []float64, row []cell, lines [][]string, n int, zebra *rgb) {
	h := float64(n)*tableLine + 2*cellPad
	x, y := marginLeft, d.GetY()
	d.draw(colourRule)
	d.SetLineWidth(0.2)
	for i := range cols {
		var c cell
		if i < len(row) {
			c = row[i]
		}
		style := "D"
		switch {
		case c.fill != nil && !c.badge:
			d.fill(*c.fill)
			style = "FD"
		case zebra != nil:
			d.fill(*zebra)
			style = "FD"
		}
		d.Rect(x, y, widths[i], h, style)
		d.font(c.bold, tableSize)
		switch {
		case c.fill != nil:
			d.colour(readableOn(*c.fill))
		case c.colour != nil:
			d.colour(*c.colour)
		default:
			d.colour(colourInk)
		}
		if c.badge && c.fill != nil && len(lines[i]) > 0 {
			w := 0.0
			for _, l := range lines[i] {
				w = max(w, d.GetStringWidth(l))
			}
			d.fill(*c.fill)
			d.Rect(x+cellPad*0.6, y+cellPad*0.6, min(w+2*cellPad*0.8, widths[i]-cellPad*1.2), float64(len(lines[i]))*tableLine+cellPad*0.8, "F")
		}
		for j, l := range lines[i] {
			d.SetXY(x, y+cellPad+float64(j)*tableLine)
			d.CellFormat(widths[i], tableLine, l, "", 0, cols[i].align, false, 0, "")
		}
		x += widths[i]
	}
	d.colour(colourInk)
	d.SetXY(marginLeft, y+h)
}

// keyValue is a two-column table without header, for facts.
func (d *pdfDoc) keyValue(rows [][2]string, keyShare float64) {
	cols := []column{{"", keyShare, "L"}, {"", 1 - keyShare, "L"}}
	widths := []float64{keyShare * contentWidth, (1 - keyShare) * contentWidth}
	for _, r := range rows {
		d.tableRow(cols, widths, []cell{{text: r[0], bold: true}, plain(r[1])}, nil)
	}
	d.SetY(d.GetY() + 3)
}

func (d *pdfDoc) cover() {
	r := d.rep
	d.AddPage()
	d.Bookmark("Frontespizio", 0, -1)
	d.logo()
	d.SetY(55)
	d.font(true, 10)
	d.colour(colourSecret)
	d.CellFormat(contentWidth, 6, strings.ToUpper(Confidential), "", 1, "L", false, 0, "")
	d.SetY(d.GetY() + 4)
	d.font(true, 15)
	d.colour(colourInk)
	ente := r.Ente.Name
	if r.Ente.Province != "" {
		ente += " (" + r.Ente.Province + ")"
	}
	d.MultiCell(contentWidth, 7.5, pdfText(ente), "", "L", false)
	d.SetY(d.GetY() + 6)
	d.font(true, 26)
	d.colour(colourHead)
	d.MultiCell(contentWidth, 12, pdfText(r.Title), "", "L", false)
	d.font(false, 11)
	d.colour(colourMuted)
	d.MultiCell(contentWidth, 5.5, "Audit di sicurezza delle postazioni di emissione della Carta d'Identità Elettronica", "", "L", false)
	d.draw(colourHead)
	d.SetLineWidth(0.8)
	d.Line(marginLeft, d.GetY()+4, marginLeft+60, d.GetY()+4)
	d.SetY(d.GetY() + 12)
	d.colour(colourInk)
	for _, f := range r.coverFacts() {
		d.font(false, 9.5)
		d.colour(colourMuted)
		y := d.GetY()
		d.CellFormat(45, 6, f[0], "", 0, "L", false, 0, "")
		d.font(true, 10)
		d.colour(colourInk)
		d.SetXY(marginLeft+45, y)
		d.MultiCell(contentWidth-45, 6, pdfText(f[1]), "", "L", false)
	}
	d.SetY(d.GetY() + 6)
	d.font(true, 10)
	d.colour(colourHead)
	d.MultiCell(contentWidth, 5.5, pdfText(r.Headline), "", "L", false)
	d.colour(colourInk)
	d.SetY(max(d.GetY()+4, 245))
	d.muted("Questo documento contiene informazioni sulla sicurezza delle postazioni di emissione della CIE: va custodito e trasmesso con riservatezza, ai soli destinatari.")
}

// logo draws the stemma at the top left of the cover, above the ente's
// name, within logoMaxWidth × logoMaxHeight millimetres.
func (d *pdfDoc) logo() {
	l := d.rep.Logo
	if l == nil {
		return
	}
	data, err := pdfImage(l)
	if err != nil {
		d.SetError(fmt.Errorf("stemma: %w", err))
		return
	}
	d.RegisterImageOptionsReader("stemma", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(data))
	w, h := l.fit()
	d.ImageOptions("stemma", marginLeft, 24+(logoMaxHeight-h), w, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
}

// pdfImage is the stemma as an 8-bit, non-interlaced PNG, which fpdf
// embeds whatever the original (16-bit or interlaced PNG, JPEG in any
// colour model). The stemma was decoded in full when it was set
// (checklist.CheckLogo), within its size limits.
func pdfImage(l *logoView) ([]byte, error) {
	var src image.Image
	var err error
	if l.Type == "image/jpeg" {
		src, err = jpeg.Decode(bytes.NewReader(l.Data))
	} else {
		src, err = png.Decode(bytes.NewReader(l.Data))
	}
	if err != nil {
		return nil, err
	}
	dst := image.NewNRGBA(src.Bounds())
	draw.Draw(dst, dst.Bounds(), src, src.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, dst); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (d *pdfDoc) normative() {
	r := d.rep
	d.part("2. Quadro normativo e metodo", true)
	d.heading(1, "2.1 Riferimenti", 15)
	d.paragraph(normativeIntro(r))
	for _, g := range r.Normative {
		d.heading(2, g.Label, 12)
		for _, a := range g.Acts {
			d.SetX(marginLeft + 3)
			d.font(true, bodySize)
			d.MultiCell(contentWidth-3, bodyLine, pdfText("•  "+a.Name), "", "L", false)
			d.SetX(marginLeft + 7)
			d.font(false, 8)
			d.colour(colourMuted)
			d.MultiCell(contentWidth-7, 3.8, pdfText(a.Items), "", "L", false)
			d.colour(colourInk)
		}
	}
	d.SetY(d.GetY() + 2)
	d.paragraph(r.OriginNote)
	d.heading(1, "2.2 Metodo", 20)
	if !r.RiskModel {
		d.paragraph("Il catalogo è una checklist di conformità senza modello di rischio: il documento riporta le risposte, la conformità e le azioni, non un'analisi dei rischi.")
		d.paragraph("La conformità è (sì + ½ × parziale) ÷ (sì + no + parziale): le misure non applicabili e le risposte descrittive non entrano nel calcolo. Una misura prevista da una norma con esito no o parziale è una non conformità ed è elencata per prima tra le azioni.")
		return
	}
	d.paragraph(fmt.Sprintf("Ogni minaccia ha una probabilità e un impatto. Il rischio inerente è il prodotto probabilità × impatto (massimo %d). Ogni misura attuata riduce il rischio della percentuale indicata nel catalogo; una misura attuata parzialmente vale il %s della sua riduzione; le riduzioni si combinano in modo moltiplicativo e non superano complessivamente il %s. Il rischio residuo è il rischio inerente × (1 − mitigazione). Le misure non ancora verificate contano come non attuate.", r.Scale.MaxRisk, r.Scale.PartialFactor, r.Scale.MaxMitigation))
	d.paragraph("Le misure che affrontano la stessa vulnerabilità non si sommano: conta la più forte. Il rischio per il Comune di una minaccia è il residuo più alto tra le postazioni, che ereditano le misure della sede e dell'ente.")
	d.paragraph("La conformità è (sì + ½ × parziale) ÷ (sì + no + parziale): le misure non applicabili e le risposte descrittive non entrano nel calcolo. Una misura prevista da una norma con esito no o parziale è una non conformità ed è elencata per prima tra le azioni, qualunque sia il rischio residuo.")
	scaleTable := func(title string, levels []checklist.ScaleLevel) {
		d.heading(2, title, 15)
		rows := make([][]cell, len(levels))
		for i, l := range levels {
			rows[i] = []cell{plain(strconv.Itoa(l.Value)), {text: l.Label, bold: true}, plain(l.Description)}
		}
		d.table([]column{{"Valore", 0.1, "R"}, {"Livello", 0.25, "L"}, {"Descrizione", 0.65, "L"}}, rows)
	}
	scaleTable("Probabilità", r.Scale.Probability)
	scaleTable("Impatto", r.Scale.Impact)
	d.heading(2, "Fasce di rischio", 15)
	rows := make([][]cell, len(r.Scale.Bands))
	for i, b := range r.Scale.Bands {
		c := parseColour(b.Colour)
		rows[i] = []cell{{text: b.Label, bold: true, fill: &c, badge: true}, plain(b.Range)}
	}
	d.table([]column{{"Fascia", 0.3, "L"}, {"Valori del rischio", 0.7, "L"}}, rows)
}

func (d *pdfDoc) organisation() {
	d.part("3. Organizzazione e responsabilità", false)
	rows := make([][]cell, len(d.rep.Roles))
	for i, r := range d.rep.Roles {
		rows[i] = []cell{{text: r.Role, bold: true}, plain(r.Name)}
	}
	d.table([]column{{"Ruolo", 0.4, "L"}, {"Nominativo", 0.6, "L"}}, rows)
	d.operators()
}

func (d *pdfDoc) perimeter() {
	r := d.rep
	d.part("4. Perimetro", false)
	if len(r.Sedi) == 0 {
		d.heading(1, "4.1 Sedi", 15)
		d.paragraph("Nessuna sede registrata.")
	} else {
		rows := make([][]cell, len(r.Sedi))
		for i, s := range r.Sedi {
			rows[i] = []cell{{text: s.Name, bold: true}, plain(s.Address), plain(s.Rooms), plain(strconv.Itoa(s.Postazioni))}
		}
		cols := []column{{"Sede", 0.22, "L"}, {"Indirizzo", 0.38, "L"}, {"Locali", 0.28, "L"}, {"Postazioni", 0.12, "R"}}
		d.heading(1, "4.1 Sedi", d.tableNeed(cols, rows)+2)
		d.table(cols, rows)
	}
	d.macroprocesses()
	// With postazioni, the heading needs room for the first one's heading
	// and table (45 mm) too, or it is left alone at the foot of the page.
	need := 30.0
	if len(r.Postazioni) > 0 {
		need = 60
	}
	d.heading(1, "4.3 Postazioni e inventario", need)
	if len(r.Postazioni) == 0 {
		d.paragraph("Nessuna postazione registrata.")
	}
	for _, p := range r.Postazioni {
		d.heading(2, "Postazione "+p.Code, 45)
		facts := [][2]string{{"Sede", p.Sede}, {"Locale", p.Room}, {"Tipo", p.Office}, {"Sistema operativo", p.OS}}
		for _, h := range p.Hardware {
			facts = append(facts, [2]string{h.Label, h.Value})
		}
		if p.Notes != "" {
			facts = append(facts, [2]string{"Note", p.Notes})
		}
		d.keyValue(facts, 0.3)
	}
}

func (d *pdfDoc) outcome() {
	r := d.rep
	d.part("5. Esito", false)
	cols := []column{{"", 0.2, "L"}, {"Sì", 0.08, "R"}, {"No", 0.08, "R"}, {"Parziale", 0.11, "R"}, {"N/A", 0.08, "R"}, {"Non verificato", 0.15, "R"}, {"Copertura", 0.14, "R"}, {"Conformità", 0.16, "R"}}
	rowsOf := func(list []complianceRow) [][]cell {
		rows := make([][]cell, 0, len(list))
		for _, c := range list {
			pct := c.Percent
			if c.Provisional && c.HasPercent {
				pct += " (provv.)"
			}
			rows = append(rows, []cell{{text: c.Label, bold: true}, plain(strconv.Itoa(c.Yes)), plain(strconv.Itoa(c.No)),
				plain(strconv.Itoa(c.Partial)), plain(strconv.Itoa(c.NotApplicable)), plain(strconv.Itoa(c.Unanswered)), plain(c.Coverage), {text: pct, bold: true}})
		}
		return rows
	}
	d.heading(1, "5.1 Conformità per categoria", d.tableNeed(cols, rowsOf(r.ComplianceByCategory))+2)
	d.table(cols, rowsOf(r.ComplianceByCategory))
	d.heading(1, "5.2 Conformità per livello", d.tableNeed(cols, rowsOf(r.ComplianceByLevel))+2)
	d.table(cols, rowsOf(r.ComplianceByLevel))
	t := r.ComplianceTotal
	d.ensure(20)
	d.font(true, 11)
	d.MultiCell(contentWidth, 6, pdfText(r.Headline), "", "L", false)
	d.paragraph(totalsLine(t))
	bars := append([]complianceRow{}, r.ComplianceByCategory...)
	for _, c := range r.ComplianceByLevel {
		c.Label = "Livello " + strings.ToLower(c.Label)
		bars = append(bars, c)
	}
	if slices.ContainsFunc(bars, func(c complianceRow) bool { return c.HasPercent }) {
		// A chart of empty bars (nothing verified yet) says nothing and
		// took a page of its own.
		d.complianceBars(bars)
	}
	d.heading(1, "5.3 Non conformità normative", 20)
	if len(r.NonConformities) == 0 {
		d.paragraph(r.NoNonConformity())
		return
	}
	d.paragraph("Misure previste da una fonte normativa con esito no o parziale, con il riferimento che le prevede.")
	rows := make([][]cell, len(r.NonConformities))
	ids := make([]string, len(r.NonConformities))
	for i, nc := range r.NonConformities {
		rows[i] = []cell{{text: nc.ItemID, bold: true}, plain(nc.Title), {text: nc.Outcome, bold: true, colour: &colourNo}, plain(nc.Findings), plain(nc.Reference)}
		ids[i] = nc.ItemID
	}
	d.table(d.idColumns([]column{{"ID", 0.09, "L"}, {"Misura", 0.3, "L"}, {"Esito", 0.1, "L"}, {"Dove", 0.2, "L"}, {"Riferimento", 0.31, "L"}}, 1, ids), rows)
}

// complianceBars draws one horizontal bar per group: a quick picture of
// where the ente stands.
func (d *pdfDoc) complianceBars(rows []complianceRow) {
	d.heading(2, "Conformità in sintesi", float64(len(rows))*6+4)
	labelW, barW := 40.0, contentWidth-40-20
	d.font(false, 8.5)
	for _, c := range rows {
		y := d.GetY()
		d.colour(colourInk)
		d.SetXY(marginLeft, y)
		d.CellFormat(labelW, 5, pdfText(c.Label), "", 0, "L", false, 0, "")
		d.fill(colourZebra)
		d.Rect(marginLeft+labelW, y+0.8, barW, 3.4, "F")
		if c.HasPercent {
			d.fill(colourHead)
			d.Rect(marginLeft+labelW, y+0.8, barW*c.PercentValue/100, 3.4, "F")
		}
		d.SetXY(marginLeft+labelW+barW, y)
		d.CellFormat(20, 5, c.Percent, "", 0, "R", false, 0, "")
		d.SetY(y + 6)
	}
	d.SetY(d.GetY() + 2)
}

// idColumns widens cols[0], the ID column, to the widest of ids in bold
// (a catalogue's IDs may be longer than the built-in "ORG-01": "CRED-01"
// was split "CRED-0" / "1"), taking the room from cols[take].
func (d *pdfDoc) idColumns(cols []column, take int, ids []string) []column {
	d.font(true, tableSize)
	need := 0.0
	for _, id := range ids {
		need = max(need, d.GetStringWidth(pdfText(id)))
	}
	if f := (need + 2*cellPad + 0.5) / contentWidth; f > cols[0].width {
		cols[take].width -= f - cols[0].width
		cols[0].width = f
	}
	return cols
}

func (d *pdfDoc) currentState() {
	d.part("6. Stato attuale", true)
	var ids []string
	for _, sc := range d.rep.Scopes {
		for _, sec := range sc.Sections {
			for _, it := range sec.Items {
				ids = append(ids, it.ID)
			}
		}
	}
	cols := d.idColumns([]column{{"ID", 0.09, "L"}, {"Misura e domanda", 0.33, "L"}, {"Risposta", 0.12, "L"}, {"Riferimento e origine", 0.23, "L"}, {"Note", 0.23, "L"}}, 1, ids)
	for i, sc := range d.rep.Scopes {
		if i > 0 {
			d.SetY(d.GetY() + 2)
		}
		d.heading(1, sc.Label, 30)
		if sc.Subtitle != "" {
			d.muted(sc.Subtitle)
		}
		for _, sec := range sc.Sections {
			d.heading(2, sec.ID+" — "+sec.Title, 20)
			rows := make([][]cell, len(sec.Items))
			for j, it := range sec.Items {
				title := it.Title
				if it.Practice != "" {
					title += " [" + it.Practice + "]"
				}
				esito := cell{text: it.Outcome, bold: true}
				switch it.OutcomeKey {
				case string(checklist.OutcomeNo):
					esito.colour = &colourNo
				case string(checklist.OutcomePartial):
					esito.colour = &colourPartial
				case string(checklist.OutcomeYes):
					esito.colour = &colourYes
				default:
					esito.bold = false
				}
				if it.Question != "" {
					title += "\n" + it.Question
				}
				rows[j] = []cell{{text: it.ID, bold: true}, plain(title), esito, plain(orDash(it.Reference) + "\n" + it.Origin), plain(it.Note)}
			}
			if len(rows) > 0 {
				d.table(cols, rows)
			}
			if sec.Evaluation != "" {
				d.boxed("Valutazione", sec.Evaluation, colourZebra)
			}
		}
	}
}

func (d *pdfDoc) riskAnalysis() {
	r := d.rep
	if !r.RiskModel {
		return
	}
	d.part("7. Analisi dei rischi", true)
	if r.ProvisionalNote != "" {
		d.boxed("Risultato provvisorio", r.ProvisionalNote, colourNote)
	}
	d.heading(1, "7.1 Matrice probabilità × impatto", 70)
	d.paragraph("Numero di minacce in ogni cella; il colore è la fascia del rischio inerente.")
	d.matrix()
	d.heading(1, "7.2 Rischio residuo per il Comune", 30)
	d.paragraph("Per ogni minaccia, il rischio residuo più alto tra le postazioni, che ereditano le misure della loro sede e dell'ente, e l'intervallo tra la postazione migliore e la peggiore.")
	cols := []column{{"Minaccia", 0.29, "L"}, {"P", 0.04, "R"}, {"I", 0.04, "R"}, {"Inerente", 0.11, "R"}, {"Residuo", 0.12, "R"}, {"Fascia", 0.1, "L"}, {"Dove", 0.3, "L"}}
	rows := make([][]cell, len(r.ComuneRisks))
	for i, rk := range r.ComuneRisks {
		name := rk.ThreatID + " " + rk.Threat
		if rk.Overridden {
			name += " *"
		}
		residual := rk.Residual
		if rk.Provisional {
			residual += " (provv.)"
		}
		where := rk.Where
		if rk.Spread != "" {
			where += "\n" + rk.Spread
		}
		c := parseColour(rk.BandColour)
		rows[i] = []cell{plain(name), plain(strconv.Itoa(rk.Probability)), plain(strconv.Itoa(rk.Impact)),
			plain(rk.Inherent), {text: residual, bold: true}, {text: rk.Band, bold: true, fill: &c, badge: true}, plain(where)}
	}
	d.table(cols, rows)
	if note := riskFootnote(r); note != "" {
		d.muted(note)
	}
	if len(r.MacroRisks) > 0 {
		mcols := []column{{"Macroprocesso", 0.22, "L"}, {"Minacce", 0.14, "R"}, {"Residuo più alto", 0.19, "R"}, {"Fascia", 0.1, "L"}, {"Minaccia", 0.35, "L"}}
		mrows := make([][]cell, len(r.MacroRisks))
		for i, m := range r.MacroRisks {
			row := []cell{{text: m.Label, bold: true}, plain(m.Threats), {text: m.Residual, bold: true}, plain(m.Band), plain(m.Threat)}
			if m.BandColour != "" {
				c := parseColour(m.BandColour)
				row[3] = cell{text: m.Band, bold: true, fill: &c, badge: true}
			}
			mrows[i] = row
		}
		d.heading(1, "7.3 Rischio per macroprocesso", d.tableNeed(mcols, mrows)+12)
		d.paragraph(macroRiskIntro)
		d.table(mcols, mrows)
	}
	d.heading(1, "7.4 Rischi principali", 30)
	for _, t := range r.Top {
		d.heading(2, fmt.Sprintf("Rischio n. %d — %s (%s)", t.Rank, t.Threat, t.Scope), 25)
		if t.Description != "" {
			d.paragraph(t.Description)
		}
		line := fmt.Sprintf("Probabilità %d × impatto %d = %s; mitigazione %s; rischio residuo %s (%s)", t.Probability, t.Impact, t.Inherent, t.Mitigation, t.Residual, t.Band)
		if t.Provisional {
			line += ", provvisorio"
		}
		d.font(true, bodySize)
		d.MultiCell(contentWidth, bodyLine, pdfText(line+"."), "", "L", false)
		d.SetY(d.GetY() + 1)
		if t.Override != "" {
			d.muted(t.Override)
		}
		d.font(false, 8.5)
		measures := t.Measures
		if len(measures) == 0 {
			measures = []string{"Nessuna misura del catalogo contrasta questa minaccia in questo ambito."}
		}
		for _, m := range measures {
			d.SetX(marginLeft + 3)
			d.MultiCell(contentWidth-3, 4, pdfText("•  "+m), "", "L", false)
		}
		d.SetY(d.GetY() + 2)
	}
}

// matrix draws the probability × impact grid, highest impact on top.
func (d *pdfDoc) matrix() {
	m := d.rep.Matrix
	if len(m.Rows) == 0 || len(m.Probabilities) == 0 {
		d.paragraph("La scala di rischio del catalogo è vuota.")
		return
	}
	labelW := 38.0
	cellW := math.Min(22, (contentWidth-labelW)/float64(len(m.Probabilities)))
	cellH := 11.0
	d.ensure(float64(len(m.Rows))*cellH + 20)
	x0, y := marginLeft, d.GetY()
	d.SetLineWidth(0.3)
	d.draw(rgb{255, 255, 255})
	for _, row := range m.Rows {
		d.font(false, 8)
		d.colour(colourInk)
		d.SetXY(x0, y)
		d.CellFormat(labelW, cellH, pdfText(fmt.Sprintf("%d — %s", row.Impact.Value, row.Impact.Label)), "", 0, "R", false, 0, "")
		for j, c := range row.Cells {
			bg := parseColour(c.Colour)
			if c.Count == 0 {
				// Empty cells are washed out so the populated ones stand out.
				bg = rgb{(bg.r + 2*255) / 3, (bg.g + 2*255) / 3, (bg.b + 2*255) / 3}
			}
			d.fill(bg)
			cx := x0 + labelW + float64(j)*cellW
			d.Rect(cx, y, cellW, cellH, "FD")
			d.font(true, 12)
			d.colour(readableOn(bg))
			d.SetXY(cx, y)
			d.CellFormat(cellW, cellH, strconv.Itoa(c.Count), "", 0, "C", false, 0, "")
		}
		y += cellH
	}
	d.font(false, 7.5)
	d.colour(colourInk)
	for j, p := range m.Probabilities {
		cx := x0 + labelW + float64(j)*cellW
		d.SetXY(cx, y+1)
		d.MultiCell(cellW, 3.3, pdfText(fmt.Sprintf("%d\n%s", p.Value, p.Label)), "", "C", false)
	}
	d.SetXY(x0, y+1)
	d.CellFormat(labelW, 4, "Impatto ↑  Probabilità →", "", 0, "R", false, 0, "")
	d.SetY(y + 12)
	// Legend of the bands.
	d.font(false, 8)
	x := x0 + labelW
	ly := d.GetY()
	for _, b := range d.rep.Scale.Bands {
		c := parseColour(b.Colour)
		d.fill(c)
		d.Rect(x, ly+0.8, 3.5, 3.5, "F")
		label := pdfText(b.Label)
		w := d.GetStringWidth(label) + 2*cellPad + 1
		d.SetXY(x+4, ly)
		d.CellFormat(w, 5, label, "", 0, "L", false, 0, "")
		x += 4 + w + 3
	}
	d.SetY(ly + 9)
	d.draw(colourRule)
	d.SetLineWidth(0.2)
}

func (d *pdfDoc) actions() {
	r := d.rep
	d.part(fmt.Sprintf("%d. Azioni migliorative", r.ActionsNumber), true)
	if len(r.Actions) == 0 {
		d.paragraph("Nessuna misura risulta mancante o parziale.")
		return
	}
	if r.RiskModel {
		d.paragraph("Una azione per ogni misura risultata mancante o parziale. Prima le non conformità normative, poi le altre dalla più urgente: la priorità è la fascia del rischio residuo più alto che l'azione riduce.")
	} else {
		d.paragraph("Una azione per ogni misura risultata mancante o parziale, prima le non conformità normative.")
	}
	cols := []column{{"N.", 0.05, "R"}, {"Priorità", 0.13, "L"}, {"Misura", 0.27, "L"}, {"Dove", 0.19, "L"}, {"Responsabile", 0.15, "L"}, {"Scadenza", 0.11, "L"}, {"Stato", 0.10, "L"}}
	rows := make([][]cell, len(r.Actions))
	for i, a := range r.Actions {
		title := a.ItemID + " " + a.Title
		if a.Practice != "" {
			title += " [" + a.Practice + "]"
		}
		if a.NonConformity && a.Reference != "" {
			title += "\n" + a.Reference
		}
		pri := cell{text: a.Priority, bold: true}
		if a.PriorityColour != "" {
			c := parseColour(a.PriorityColour)
			pri.fill, pri.badge = &c, true
		}
		rows[i] = []cell{plain(strconv.Itoa(a.Rank)), pri, plain(title), plain(a.Findings), plain(a.Owner), plain(a.Due), plain(a.Status)}
	}
	d.table(cols, rows)
}

func (d *pdfDoc) register() {
	r := d.rep
	d.part(fmt.Sprintf("%d. Registro delle modifiche", r.ActionsNumber+4), false)
	if r.HistoryTotal == 0 {
		d.paragraph("Nessuna modifica registrata.")
	} else {
		d.paragraph(r.HistoryNote)
		rows := make([][]cell, len(r.HistoryCounts))
		for i, c := range r.HistoryCounts {
			rows[i] = []cell{plain(c.Kind), plain(strconv.Itoa(c.Count))}
		}
		d.table([]column{{"Tipo", 0.5, "L"}, {"Modifiche", 0.2, "R"}}, rows)
		if len(r.HistoryKey) > 0 {
			d.heading(1, "Modifiche principali", 20)
			// Modifica holds the long texts: the widest column, so a row is
			// a few lines, not a page (Motivazione is mostly empty).
			cols := []column{{"N.", 0.05, "R"}, {"Data", 0.14, "L"}, {"Autore", 0.09, "L"}, {"Tipo", 0.12, "L"}, {"Oggetto", 0.12, "L"}, {"Modifica", 0.35, "L"}, {"Motivazione", 0.13, "L"}}
			rows := make([][]cell, len(r.HistoryKey))
			for i, h := range r.HistoryKey {
				rows[i] = []cell{plain(strconv.FormatUint(h.Seq, 10)), plain(h.At), plain(h.Author), plain(h.Kind), plain(h.What), plain(h.Change), plain(h.Reason)}
			}
			d.table(cols, rows)
		}
	}
}

// evidenceIndex lists, in the Allegati part, the evidence files in
// evidenze/, only when files are attached.
func (d *pdfDoc) evidenceIndex() {
	r := d.rep
	if len(r.Evidence) == 0 {
		return
	}
	d.heading(1, "Evidenze allegate alle misure", 30)
	d.paragraph("I file allegati sono nella cartella evidenze/ del fascicolo; lo SHA-256 di ciascuno è anche in SHA256SUMS.")
	cols := []column{{"ID", 0.08, "L"}, {"Misura", 0.18, "L"}, {"Nome", 0.22, "L"}, {"Tipo", 0.14, "L"}, {"Dim.", 0.09, "R"}, {"File e SHA-256", 0.29, "L"}}
	rows := make([][]cell, len(r.Evidence))
	for i, e := range r.Evidence {
		name := e.Name
		if e.Note != "" {
			name += "\n" + e.Note
		}
		rows[i] = []cell{plain(e.ID), plain(e.Where), plain(name), plain(e.Type), plain(e.Size), plain(e.File + "\n" + e.Digest)}
	}
	d.table(cols, rows)
}

func (d *pdfDoc) signatures() {
	r := d.rep
	rowsNeeded := (len(r.Signatures) + 1) / 2
	d.heading(2, "Firme", float64(rowsNeeded)*34+14)
	place, date := r.Place, r.SignDate
	if place == "" {
		place = "______________________"
	}
	if date == "" {
		date = "______________________"
	}
	d.paragraph("Luogo: " + place + "        Data: " + date)
	d.SetY(d.GetY() + 4)
	colW := (contentWidth - 14) / 2
	for i := 0; i < len(r.Signatures); i += 2 {
		d.ensure(34)
		y := d.GetY()
		for j := 0; j < 2 && i+j < len(r.Signatures); j++ {
			s := r.Signatures[i+j]
			x := marginLeft + float64(j)*(colW+14)
			d.draw(colourInk)
			d.SetLineWidth(0.3)
			d.Line(x, y+14, x+colW, y+14)
			d.SetXY(x, y+15)
			d.font(false, 8.5)
			who := s.Role
			if s.Name != "" {
				who += " — " + s.Name
			}
			d.MultiCell(colW, 4, pdfText(who), "", "L", false)
			d.SetX(x)
			d.font(false, 7.5)
			d.colour(colourMuted)
			d.MultiCell(colW, 3.5, pdfText(signatureSentence(s)), "", "L", false)
			d.colour(colourInk)
		}
		d.SetY(y + 34)
	}
}

// macroprocesses is the perimeter's table of the three macroprocessi.
func (d *pdfDoc) macroprocesses() {
	r := d.rep
	if len(r.Macroprocesses) == 0 {
		return
	}
	rows := make([][]cell, len(r.Macroprocesses))
	for i, m := range r.Macroprocesses {
		pct := m.Percent
		if m.Provisional && m.HasPercent {
			pct += " (provv.)"
		}
		rows[i] = []cell{{text: m.Label, bold: true}, plain(m.Description), plain(strconv.Itoa(m.Counted)), plain(m.Coverage), {text: pct, bold: true}}
	}
	cols := []column{{"Macroprocesso", 0.2, "L"}, {"Che cosa comprende", 0.45, "L"}, {"Misure", 0.09, "R"}, {"Copertura", 0.12, "R"}, {"Conformità", 0.14, "R"}}
	d.heading(1, "4.2 Macroprocessi", 30)
	d.table(cols, rows)
}

// annexes lists the files of the bundle that go with the plan.
func (d *pdfDoc) annexes(n int) {
	d.part(strconv.Itoa(n)+". Allegati", false)
	d.paragraph("Allegati al piano, nel pacchetto esportato con questo documento:")
	annexes := d.rep.Annexes()
	rows := make([][]cell, len(annexes))
	for i, a := range annexes {
		rows[i] = []cell{{text: a[0], bold: true}, plain(a[1])}
	}
	d.table([]column{{"File", 0.3, "L"}, {"Contenuto", 0.7, "L"}}, rows)
	d.evidenceIndex()
}

// rowHeight is the height of the first of rows, at least one line.
func columnWidths(cols []column) []float64 {
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = c.width * contentWidth
	}
	return widths
}

// tableNeed is the room a heading asks for over a table: a short table
// (at most 8 rows, 80 mm) whole, as the HTML's table.keep, rather than its
// last rows alone overleaf; a longer one its header and first row.
func (d *pdfDoc) tableNeed(cols []column, rows [][]cell) float64 {
	widths := columnWidths(cols)
	need := d.rowHeight(cols, widths, rows)
	if len(rows) <= 8 {
		total := 0.0
		for i := range rows {
			total += d.rowHeight(cols, widths, rows[i:i+1])
		}
		if total <= 80 {
			need = total
		}
	}
	return min(need+tableLine+2*cellPad+2, pageBottom-marginTop-12)
}

// firstRowNeed is the room of a table's header and first row.
func (d *pdfDoc) firstRowNeed(cols []column, rows [][]cell) float64 {
	return min(d.rowHeight(cols, columnWidths(cols), rows)+tableLine+2*cellPad+2, pageBottom-marginTop-12)
}

func (d *pdfDoc) rowHeight(cols []column, widths []float64, rows [][]cell) float64 {
	n := 1
	if len(rows) > 0 {
		for i := range cols {
			if i < len(rows[0]) {
				d.font(rows[0][i].bold, tableSize)
				n = max(n, len(d.SplitText(pdfText(rows[0][i].text), widths[i])))
			}
		}
	}
	return float64(n)*tableLine + 2*cellPad
}
