package export

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// FileODT is the plan as an editable OpenDocument text.
const FileODT = "piano-sicurezza-cie.odt"

// WriteODT writes the report as an OpenDocument text (ODF 1.3) editable in
// LibreOffice Writer: the same report model the PDF and HTML walk, with
// heading styles, tables with a repeated header row and page numbers in the
// footer. The archive is deterministic: fixed file order, and the audit's
// own dates as zip times and document dates. assessment may be nil.
//
// No well-kept Go ODF writer with styles and tables is known to us, so the
// XML is written here, every text escaped by odtEscape.
func WriteODT(w io.Writer, snap *checklist.Snapshot, assessment *checklist.Assessment) error {
	if assessment == nil {
		assessment = checklist.Assess(snap)
	}
	r := buildReport(snap, assessment)
	created, modified := snap.Audit.CreatedAt, snap.LastChange()
	if created.IsZero() || created.After(modified) {
		created = modified
	}
	files := []bundleFile{
		{"mimetype", []byte(odtMime)},
		{"META-INF/manifest.xml", odtManifest(r)},
		{"content.xml", odtContent(r)},
		{"styles.xml", odtStyles(r)},
		{"meta.xml", odtMeta(r, created, modified)},
	}
	if r.Logo != nil {
		files = append(files, bundleFile{odtPicture(r.Logo), r.Logo.Data})
	}
	bw := bufio.NewWriter(w)
	zw := zip.NewWriter(bw)
	zt := odtZipTime(modified)
	for i, f := range files {
		var fw io.Writer
		var err error
		if i == 0 {
			// ODF: mimetype first, stored, no extra field and no data
			// descriptor, so it reads as plain text at offset 38.
			d, t := msDosTime(zt)
			fw, err = zw.CreateRaw(&zip.FileHeader{Name: f.name, Method: zip.Store, ModifiedDate: d, ModifiedTime: t,
				CRC32: crc32.ChecksumIEEE(f.data), CompressedSize64: uint64(len(f.data)), UncompressedSize64: uint64(len(f.data))})
		} else {
			fw, err = zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: zt})
		}
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// msDosTime is t in the zip's MS-DOS date and time fields (2 s steps).
func msDosTime(t time.Time) (date, tm uint16) {
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, tm
}

// odtZipTime is the zip entries' time: the audit's last change, or a fixed
// date for an audit without one (zip cannot store times before 1980).
func odtZipTime(t time.Time) time.Time {
	if t.Year() < 1980 {
		return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t.UTC().Truncate(time.Second)
}

const odtMime = "application/vnd.oasis.opendocument.text"

// odtManifest is META-INF/manifest.xml: the three XML parts and, with a
// stemma, its picture.
func odtManifest(r *report) []byte {
	picture := ""
	if r.Logo != nil {
		picture = fmt.Sprintf(` <manifest:file-entry manifest:full-path="%s" manifest:media-type="%s"/>`+"\n", odtPicture(r.Logo), r.Logo.Type)
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
` + picture + `</manifest:manifest>
`)
}

// odtPicture is the stemma's entry in the archive: Pictures/stemma.png or
// Pictures/stemma.jpg, the bytes as stored.
func odtPicture(l *logoView) string {
	return "Pictures/" + (&checklist.Logo{Type: l.Type}).FileName()
}

const odtNamespaces = ` xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3"`

// odtEscape is s as XML character data: the characters XML 1.0 forbids
// (most control characters, lone surrogates, U+FFFE/U+FFFF) are dropped,
// markup characters escaped.
func odtEscape(s string) string {
	var b strings.Builder
	for _, c := range strings.ToValidUTF8(s, "") {
		switch {
		case c == '\t' || c == '\n':
			b.WriteRune(c)
		case c < 0x20, c == 0x7f, c >= 0x80 && c < 0xa0, c == 0xfffe, c == 0xffff:
			// forbidden or invisible control character: dropped
		default:
			b.WriteRune(c)
		}
	}
	var out strings.Builder
	_ = xml.EscapeText(&out, []byte(b.String()))
	return strings.NewReplacer("&#xA;", "<text:line-break/>", "&#x9;", "<text:tab/>").Replace(out.String())
}

// odtDoc builds content.xml's body.
type odtDoc struct {
	b strings.Builder
	// cols holds the automatic styles of the columns of the tables given
	// widths; n numbers those tables.
	cols strings.Builder
	n    int
}

func (d *odtDoc) raw(s string) { d.b.WriteString(s) }

// part is a part's heading on a new page: the parts the PDF starts on a
// new page (2, 6, 7 and the actions); the others follow on the same page.
func (d *odtDoc) part(s string) {
	fmt.Fprintf(&d.b, `<text:h text:style-name="Heading_20_1_20_pagina" text:outline-level="1">%s</text:h>`, odtEscape(s))
}

func (d *odtDoc) heading(level int, s string) {
	fmt.Fprintf(&d.b, `<text:h text:style-name="Heading_20_%d" text:outline-level="%d">%s</text:h>`, level, level, odtEscape(s))
}

func (d *odtDoc) para(style, s string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	fmt.Fprintf(&d.b, `<text:p text:style-name="%s">%s</text:p>`, style, odtEscape(s))
}

func (d *odtDoc) p(s string) { d.para("Text_20_body", s) }

// lead is a paragraph that introduces a table: kept on the table's page,
// so that its heading is not left at the foot of the previous one.
func (d *odtDoc) lead(s string) { d.para("Testo_20_unito", s) }

func (d *odtDoc) bullets(items []string) {
	if len(items) == 0 {
		return
	}
	d.raw(`<text:list text:style-name="Bullets">`)
	for _, it := range items {
		fmt.Fprintf(&d.b, `<text:list-item><text:p text:style-name="List_20_Contents">%s</text:p></text:list-item>`, odtEscape(it))
	}
	d.raw(`</text:list>`)
}

// table writes a table whose header row (when headers is not empty) is
// repeated on every page the table spans.
func (d *odtDoc) table(headers []string, rows [][]string) { d.tableW(headers, nil, rows) }

// tableW is table with relative column widths (nil: equal columns).
func (d *odtDoc) tableW(headers []string, widths []int, rows [][]string) {
	cols := len(headers)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return
	}
	// A short table stays on one page, as the PDF keeps it; no row is
	// split across two pages (a row taller than a page still is).
	style := "Tabella"
	if size := tableText(rows); len(rows) <= 12 && size < 1500 {
		style = "TabellaUnita"
	}
	fmt.Fprintf(&d.b, `<table:table table:style-name="%s">`, style)
	if len(widths) == cols {
		d.n++
		sum := 0
		for _, w := range widths {
			sum += w
		}
		for i, w := range widths {
			name := fmt.Sprintf("T%dC%d", d.n, i)
			fmt.Fprintf(&d.cols, `<style:style style:name="%s" style:family="table-column"><style:table-column-properties style:column-width="%.2fcm" style:rel-width="%d*"/></style:style>`, name, 17*float64(w)/float64(sum), w)
			fmt.Fprintf(&d.b, `<table:table-column table:style-name="%s"/>`, name)
		}
	} else {
		fmt.Fprintf(&d.b, `<table:table-column table:number-columns-repeated="%d"/>`, cols)
	}
	cell := func(style, pstyle, s string) {
		fmt.Fprintf(&d.b, `<table:table-cell table:style-name="%s" office:value-type="string"><text:p text:style-name="%s">%s</text:p></table:table-cell>`, style, pstyle, odtEscape(s))
	}
	if len(headers) > 0 {
		d.raw(`<table:table-header-rows><table:table-row>`)
		for i := range cols {
			h := ""
			if i < len(headers) {
				h = headers[i]
			}
			cell("Intestazione", "Table_20_Heading", h)
		}
		d.raw(`</table:table-row></table:table-header-rows>`)
	}
	for _, r := range rows {
		d.raw(`<table:table-row table:style-name="Riga">`)
		for i := range cols {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			cell("Cella", "Table_20_Contents", v)
		}
		d.raw(`</table:table-row>`)
	}
	d.raw(`</table:table>`)
}

// keyValues is a two-column table of labels and values, without header.
func (d *odtDoc) keyValues(kv [][2]string) {
	rows := make([][]string, len(kv))
	for i, x := range kv {
		rows[i] = []string{x[0], x[1]}
	}
	d.tableW(nil, []int{34, 66}, rows)
}

// tableText is the number of bytes of text in rows.
func tableText(rows [][]string) int {
	n := 0
	for _, r := range rows {
		for _, c := range r {
			n += len(c)
		}
	}
	return n
}

func (d *odtDoc) cycleTable(t tableView, empty string) {
	if len(t.Rows) == 0 {
		d.p(empty)
		return
	}
	var widths []int
	for _, w := range t.Widths {
		widths = append(widths, max(1, int(w*1000)))
	}
	d.tableW(t.Headers, widths, t.Rows)
}

func (d *odtDoc) compliance(rows []complianceRow) {
	out := make([][]string, 0, len(rows))
	for _, c := range rows {
		out = append(out, []string{c.Label, strconv.Itoa(c.Yes), strconv.Itoa(c.No), strconv.Itoa(c.Partial),
			strconv.Itoa(c.NotApplicable), strconv.Itoa(c.Unanswered), c.Coverage, provisionalPercent(c)})
	}
	d.tableW([]string{"", "Sì", "No", "Parziale", "N/A", "Non verificato", "Copertura", "Conformità"}, []int{30, 7, 7, 9, 7, 12, 12, 16}, out)
}

func provisionalPercent(c complianceRow) string {
	if c.Provisional && c.HasPercent {
		return c.Percent + " (provv.)"
	}
	return c.Percent
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// odtContent is content.xml: the report in the order of the PDF and HTML.
func odtContent(r *report) []byte {
	var d odtDoc
	head := `<?xml version="1.0" encoding="UTF-8"?>` + "\n<office:document-content" + odtNamespaces + `><office:automatic-styles>` +
		`<style:style style:name="Tabella" style:family="table"><style:table-properties style:width="17cm" table:align="margins" fo:margin-top="0.2cm" fo:margin-bottom="0.3cm"/></style:style>` +
		`<style:style style:name="TabellaUnita" style:family="table"><style:table-properties style:width="17cm" table:align="margins" fo:margin-top="0.2cm" fo:margin-bottom="0.3cm" style:may-break-between-rows="false"/></style:style>` +
		`<style:style style:name="Riga" style:family="table-row"><style:table-row-properties fo:keep-together="always"/></style:style>` +
		`<style:style style:name="Intestazione" style:family="table-cell"><style:table-cell-properties fo:background-color="#e6e6e6" fo:padding="0.08cm" fo:border="0.5pt solid #808080"/></style:style>` +
		`<style:style style:name="Cella" style:family="table-cell"><style:table-cell-properties fo:padding="0.08cm" fo:border="0.5pt solid #808080"/></style:style>` +
		`</office:automatic-styles><office:body><office:text>`

	// 1. Frontespizio
	d.para("Riservato", Confidential)
	if r.Draft {
		d.para("Bozza", "BOZZA")
	}
	if l := r.Logo; l != nil {
		w, h := l.fit()
		fmt.Fprintf(&d.b, `<text:p text:style-name="Stemma"><draw:frame draw:name="Stemma" text:anchor-type="as-char" svg:width="%.2fcm" svg:height="%.2fcm" draw:z-index="0"><draw:image xlink:href="%s" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>`,
			w/10, h/10, odtPicture(l))
	}
	ente := r.Ente.Name
	if r.Ente.Province != "" {
		ente += " (" + r.Ente.Province + ")"
	}
	enteStyle := "Ente"
	if r.Logo != nil {
		enteStyle = "Ente_20_stemma" // closer to the stemma above it
	}
	d.para(enteStyle, ente)
	d.para("Title", r.Title)
	d.para("Subtitle", "Audit di sicurezza delle postazioni di emissione della Carta d'Identità Elettronica")
	var facts [][]string
	for _, f := range r.CoverFacts() {
		facts = append(facts, []string{f[0], f[1]})
	}
	d.table(nil, facts)
	d.para("Headline", r.Headline)

	// 2. Quadro normativo e metodo
	d.part("2. Quadro normativo e metodo")
	d.heading(2, "2.1 Riferimenti")
	d.p(r.NormativeIntro())
	for _, g := range r.Normative {
		d.heading(3, g.Label)
		var acts []string
		for _, a := range g.Acts {
			acts = append(acts, joinNonEmpty(" — ", a.Name, a.Items))
		}
		d.bullets(acts)
	}
	d.p(originNote(r.GoodPracticeItems, r.PartlyInferredItems))
	d.heading(2, "2.2 Metodo")
	const complianceMethod = "La conformità è (sì + ½ × parziale) ÷ (sì + no + parziale): le misure non applicabili e le risposte descrittive non entrano nel calcolo. Una misura prevista da una norma con esito no o parziale è una non conformità ed è elencata per prima tra le azioni."
	if !r.RiskModel {
		d.p("Il catalogo è una checklist di conformità senza modello di rischio: il documento riporta le risposte, la conformità e le azioni, non un'analisi dei rischi.")
		d.p(complianceMethod)
	} else {
		d.p(fmt.Sprintf("Ogni minaccia ha una probabilità e un impatto. Il rischio inerente è il prodotto probabilità × impatto (massimo %d). Ogni misura attuata riduce il rischio della percentuale indicata nel catalogo; una misura attuata parzialmente vale il %s della sua riduzione; le riduzioni si combinano in modo moltiplicativo e non superano complessivamente il %s. Il rischio residuo è il rischio inerente × (1 − mitigazione). Le misure non ancora verificate contano come non attuate.", r.Scale.MaxRisk, r.Scale.PartialFactor, r.Scale.MaxMitigation))
		d.p("Le misure che affrontano la stessa vulnerabilità non si sommano: conta la più forte. Il rischio per il Comune di una minaccia è il residuo più alto tra le postazioni, che ereditano le misure della sede e dell'ente.")
		d.p(complianceMethod)
		for _, sc := range []struct {
			title  string
			levels []checklist.ScaleLevel
		}{{"Probabilità", r.Scale.Probability}, {"Impatto", r.Scale.Impact}} {
			d.heading(3, sc.title)
			var rows [][]string
			for _, l := range sc.levels {
				rows = append(rows, []string{strconv.Itoa(l.Value), l.Label, l.Description})
			}
			d.tableW([]string{"Valore", "Livello", "Descrizione"}, []int{10, 20, 70}, rows)
		}
		d.heading(3, "Fasce di rischio")
		var bands [][]string
		for _, b := range r.Scale.Bands {
			bands = append(bands, []string{b.Label, b.Range})
		}
		d.table([]string{"Fascia", "Valori"}, bands)
	}

	// 3. Organizzazione
	d.heading(1, "3. Organizzazione e responsabilità")
	var roles [][]string
	for _, ro := range r.Roles {
		roles = append(roles, []string{ro.Role, ro.Name})
	}
	d.table([]string{"Ruolo", "Nominativo"}, roles)
	d.heading(2, "Operatori e smart card operatore (SCO)")
	if len(r.Cycle.Operators.Rows) > 0 {
		d.lead("La SCO è personale e spetta agli ufficiali d'anagrafe o ai loro delegati formali (circ. 4/2017).")
	}
	d.cycleTable(r.Cycle.Operators, "Nessun operatore registrato (cieaudit operator add).")

	// 4. Perimetro
	d.heading(1, "4. Perimetro")
	d.heading(2, "4.1 Sedi")
	if len(r.Sedi) == 0 {
		d.p("Nessuna sede registrata.")
	} else {
		var rows [][]string
		for _, s := range r.Sedi {
			rows = append(rows, []string{s.Name, s.Address, s.Rooms, strconv.Itoa(s.Postazioni)})
		}
		d.table([]string{"Sede", "Indirizzo", "Locali", "Postazioni"}, rows)
	}
	if len(r.Macroprocesses) > 0 {
		d.heading(2, "4.2 Macroprocessi")
		var rows [][]string
		for _, m := range r.Macroprocesses {
			rows = append(rows, []string{m.Label, m.Description, strconv.Itoa(m.Counted), m.Coverage, provisionalPercent(m.complianceRow)})
		}
		d.tableW([]string{"Macroprocesso", "Che cosa comprende", "Misure", "Copertura", "Conformità"}, []int{18, 46, 10, 12, 14}, rows)
	}
	d.heading(2, "4.3 Postazioni e inventario")
	if len(r.Postazioni) == 0 {
		d.p("Nessuna postazione registrata.")
	}
	for _, p := range r.Postazioni {
		d.heading(3, "Postazione "+p.Code)
		rows := [][]string{{"Sede", p.Sede}, {"Locale", p.Room}, {"Tipo", p.Office}, {"Sistema operativo", p.OS}}
		for _, h := range p.Hardware {
			rows = append(rows, []string{h.Label, h.Value})
		}
		if p.Notes != "" {
			rows = append(rows, []string{"Note", p.Notes})
		}
		d.table(nil, rows)
	}

	// 5. Esito
	d.heading(1, "5. Esito")
	d.heading(2, "5.1 Conformità per categoria")
	d.compliance(r.ComplianceByCategory)
	d.heading(2, "5.2 Conformità per livello")
	d.compliance(r.ComplianceByLevel)
	d.para("Headline", r.Headline)
	d.p(r.TotalsLine())
	d.heading(2, "5.3 Non conformità normative")
	if len(r.NonConformities) == 0 {
		d.p(r.NoNonConformity())
	} else {
		d.lead("Misure previste da una fonte normativa con esito no o parziale, con il riferimento che le prevede.")
		var rows [][]string
		for _, n := range r.NonConformities {
			rows = append(rows, []string{n.ItemID, n.Title, n.Outcome, n.Findings, n.Reference})
		}
		d.tableW([]string{"ID", "Misura", "Esito", "Dove", "Riferimento"}, []int{9, 33, 11, 22, 25}, rows)
	}
	if c := r.Comparison; c != nil {
		odtComparison(&d, c)
	}

	// 6. Stato attuale
	d.part("6. Stato attuale")
	for _, sc := range r.Scopes {
		d.heading(2, sc.Label)
		d.para("Sottotitolo", sc.Subtitle)
		for _, sec := range sc.Sections {
			d.heading(3, sec.ID+" — "+sec.Title)
			if len(sec.Items) > 0 {
				var rows [][]string
				for _, it := range sec.Items {
					rows = append(rows, []string{it.ID,
						joinNonEmpty("\n", joinNonEmpty(" — ", it.Title, it.Practice), it.Question),
						it.Outcome, joinNonEmpty("\n", orDash(it.Reference), it.Origin), it.Note})
				}
				d.tableW([]string{"ID", "Misura e domanda", "Risposta", "Riferimento e origine", "Note"}, []int{9, 34, 13, 24, 20}, rows)
			}
			if sec.Evaluation != "" {
				d.p("Valutazione: " + sec.Evaluation)
			}
		}
	}

	// 7. Analisi dei rischi
	if r.RiskModel {
		odtRisks(&d, r)
	}

	// Azioni, monitoraggio, validazione, allegati, registro e firme
	n := r.ActionsNumber
	d.part(fmt.Sprintf("%d. Azioni migliorative", n))
	if len(r.Actions) == 0 {
		d.p("Nessuna misura risulta mancante o parziale.")
	} else {
		var rows [][]string
		for _, a := range r.Actions {
			what := joinNonEmpty(" — ", a.ItemID+" "+a.Title, a.Practice)
			if a.NonConformity {
				what = joinNonEmpty("\n", what, a.Reference)
			}
			rows = append(rows, []string{strconv.Itoa(a.Rank), a.Priority, what, a.Findings, a.Owner, a.Due, a.Status})
		}
		d.tableW([]string{"N.", "Priorità", "Misura", "Dove", "Responsabile", "Scadenza", "Stato"}, []int{5, 11, 31, 17, 15, 11, 10}, rows)
	}
	d.heading(1, fmt.Sprintf("%d. Monitoraggio: eventi di sicurezza e variazioni", n+1))
	d.heading(2, "Eventi di sicurezza")
	d.cycleTable(r.Cycle.Events, "Nessun evento di sicurezza registrato.")
	d.heading(2, "Variazioni del piano dopo la trasmissione")
	d.cycleTable(r.Cycle.Variations, "Nessuna variazione del perimetro, dell'inventario, dell'organizzazione, degli operatori o dell'esito delle misure dopo la trasmissione.")
	d.heading(1, fmt.Sprintf("%d. %s", n+2, validationTitle))
	d.p(r.ValidationIntro())
	d.heading(2, fmt.Sprintf("%d.1 %s", n+2, adoptionTitle))
	d.keyValues(r.Cycle.Adoption)
	d.heading(3, "Firme")
	blank := "______________________"
	d.p("Luogo: " + cmpOr(r.Place, blank) + "    Data: " + cmpOr(r.SignDate, blank))
	for _, s := range r.Signatures {
		d.para("Firma", "\n\n"+blank+blank)
		d.p(joinNonEmpty(" — ", s.Role, s.Name))
		d.para("Sottotitolo", s.Sentence())
	}
	d.heading(2, fmt.Sprintf("%d.2 %s", n+2, sendingTitle))
	d.keyValues(r.Cycle.Sending)
	if len(r.Cycle.Baselines) > 0 {
		d.heading(3, "Trasmissioni registrate")
		d.bullets(r.Cycle.Baselines)
	}
	d.heading(1, fmt.Sprintf("%d. Allegati", n+3))
	d.lead("Allegati al piano, nel pacchetto esportato con questo documento:")
	var annex [][]string
	for _, a := range r.Annexes() {
		annex = append(annex, []string{a[0], a[1]})
	}
	d.tableW([]string{"File", "Contenuto"}, []int{30, 70}, annex)
	if len(r.Evidence) > 0 {
		d.heading(2, "Evidenze allegate alle misure")
		d.lead("I file allegati sono nella cartella evidenze/ del fascicolo; lo SHA-256 di ciascuno è anche in SHA256SUMS.")
		var rows [][]string
		for _, e := range r.Evidence {
			rows = append(rows, []string{e.ID, e.Where, joinNonEmpty("\n", e.Name, e.Note), e.Type, e.Size, joinNonEmpty("\n", e.File, e.Digest)})
		}
		d.table([]string{"ID", "Misura", "Nome", "Tipo", "Dimensione", "File e SHA-256"}, rows)
	}
	d.heading(1, fmt.Sprintf("%d. Registro delle modifiche", n+4))
	if r.HistoryTotal == 0 {
		d.p("Nessuna modifica registrata.")
	} else {
		d.lead(r.HistoryNote)
		var rows [][]string
		for _, h := range r.HistoryCounts {
			rows = append(rows, []string{h.Kind, strconv.Itoa(h.Count)})
		}
		d.table([]string{"Tipo", "Modifiche"}, rows)
		if len(r.HistoryKey) > 0 {
			d.heading(2, "Modifiche principali")
			rows = rows[:0]
			for _, h := range r.HistoryKey {
				rows = append(rows, []string{strconv.FormatUint(h.Seq, 10), h.At, h.Author, h.Kind, h.What, h.Change, h.Reason})
			}
			d.tableW([]string{"N.", "Data", "Autore", "Tipo", "Oggetto", "Modifica", "Motivazione"}, []int{5, 14, 9, 12, 12, 35, 13}, rows)
		}
	}
	d.para("Sottotitolo", "Generato da cieaudit il "+r.Generated)
	d.raw(`</office:text></office:body></office:document-content>`)
	return []byte(strings.Replace(head, `</office:automatic-styles>`, d.cols.String()+`</office:automatic-styles>`, 1) + d.b.String())
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func odtComparison(d *odtDoc, c *comparisonView) {
	d.heading(2, "5.4 Confronto con l'audit precedente")
	line := "Rispetto all'" + c.Previous + ": " + c.Counts + "."
	if n := reverifyNote(c.ToReverify); n != "" {
		line += " " + n
	}
	d.p(line)
	var rows [][]string
	for _, cat := range c.Categories {
		rows = append(rows, append([]string{cat.Label}, cat.Percent...))
	}
	head := []string{"Categoria"}
	for _, y := range c.Years {
		head = append(head, strconv.Itoa(y))
	}
	d.table(head, rows)
	for _, ch := range []struct {
		title, empty string
		rows         []diffRow
	}{{"Migliorate", "Nessuna misura migliorata.", c.Improved}, {"Peggiorate", "Nessuna misura peggiorata.", c.Worsened}} {
		d.heading(3, ch.title)
		if len(ch.rows) == 0 {
			d.p(ch.empty)
			continue
		}
		var rows [][]string
		for _, x := range ch.rows {
			rows = append(rows, []string{x.Scope, x.ItemID, x.Title, x.Old, x.New})
		}
		d.table([]string{"Ambito", "ID", "Misura", "Prima", "Ora"}, rows)
	}
	d.heading(3, "Ancora aperte dalle azioni dell'anno precedente")
	if len(c.Open) == 0 {
		d.p("Nessuna azione dell'anno precedente rimasta aperta.")
	} else {
		var rows [][]string
		for _, o := range c.Open {
			rows = append(rows, []string{o.ItemID, o.Title, o.Outcome, o.Owner, o.Due, o.Status})
		}
		d.table([]string{"ID", "Misura", "Esito", "Responsabile", "Scadenza", "Stato"}, rows)
	}
	if len(c.Perimeter) > 0 {
		d.heading(3, "Perimetro, inventario e operatori")
		d.bullets(c.Perimeter)
	}
}

func odtRisks(d *odtDoc, r *report) {
	d.part("7. Analisi dei rischi")
	d.para("Provvisorio", r.ProvisionalNote)
	d.heading(2, "7.1 Matrice probabilità × impatto")
	d.lead("Numero di minacce in ogni cella; tra parentesi la fascia del rischio inerente.")
	head := []string{"Impatto ↑ / Probabilità →"}
	for _, p := range r.Matrix.Probabilities {
		head = append(head, fmt.Sprintf("%d — %s", p.Value, p.Label))
	}
	var rows [][]string
	for _, m := range r.Matrix.Rows {
		row := []string{fmt.Sprintf("%d — %s", m.Impact.Value, m.Impact.Label)}
		for _, c := range m.Cells {
			row = append(row, fmt.Sprintf("%d (%s)", c.Count, c.Band))
		}
		rows = append(rows, row)
	}
	d.table(head, rows)
	d.heading(2, "7.2 Rischio residuo per il Comune")
	d.lead("Per ogni minaccia, il rischio residuo più alto tra le postazioni, che ereditano le misure della loro sede e dell'ente, e l'intervallo tra la postazione migliore e la peggiore.")
	rows = nil
	for _, c := range r.ComuneRisks {
		threat := c.ThreatID + " " + c.Threat
		if c.Overridden {
			threat += " *"
		}
		res := c.Residual
		if c.Provisional {
			res += " (provv.)"
		}
		rows = append(rows, []string{threat, strconv.Itoa(c.Probability), strconv.Itoa(c.Impact), c.Inherent, res, c.Band, joinNonEmpty("\n", c.Where, c.Spread)})
	}
	d.tableW([]string{"Minaccia", "P", "I", "Inerente", "Residuo", "Fascia", "Dove"}, []int{32, 5, 5, 10, 12, 12, 24}, rows)
	d.para("Sottotitolo", r.RiskFootnote())
	if len(r.MacroRisks) > 0 {
		d.heading(2, "7.3 Rischio per macroprocesso")
		d.lead(macroRiskIntro)
		var mrows [][]string
		for _, m := range r.MacroRisks {
			mrows = append(mrows, []string{m.Label, m.Threats, m.Residual, m.Band, m.Threat})
		}
		d.tableW([]string{"Macroprocesso", "Minacce", "Residuo più alto", "Fascia", "Minaccia"}, []int{22, 14, 16, 10, 38}, mrows)
	}
	d.heading(2, "7.4 Rischi principali")
	for _, t := range r.Top {
		d.heading(3, fmt.Sprintf("Rischio n. %d — %s (%s)", t.Rank, t.Threat, t.Scope))
		d.p(t.Description)
		line := fmt.Sprintf("Probabilità %d × impatto %d = %s; mitigazione %s; rischio residuo %s %s", t.Probability, t.Impact, t.Inherent, t.Mitigation, t.Residual, t.Band)
		if t.Provisional {
			line += " (provvisorio)"
		}
		d.p(line + ".")
		d.para("Sottotitolo", t.Override)
		if len(t.Measures) == 0 {
			d.bullets([]string{"Nessuna misura del catalogo contrasta questa minaccia in questo ambito."})
		} else {
			d.bullets(t.Measures)
		}
	}
}

// odtStyles is styles.xml: paragraph and heading styles, A4 page, and the
// running header and footer with the page number.
func odtStyles(r *report) []byte {
	header := r.Ente.Name + " — " + r.Title
	right := Confidential
	if r.Draft {
		right = "BOZZA — " + Confidential
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<office:document-styles" + odtNamespaces + `><office:font-face-decls><style:font-face style:name="Liberation Sans" svg:font-family="'Liberation Sans'" style:font-family-generic="swiss"/></office:font-face-decls><office:styles>`)
	b.WriteString(`<style:default-style style:family="paragraph"><style:paragraph-properties fo:hyphenation-ladder-count="no-limit"/><style:text-properties style:font-name="Liberation Sans" fo:font-size="10pt" fo:language="it" fo:country="IT" fo:hyphenate="false"/></style:default-style>`)
	para := func(name, display, parent, pprops, tprops string) {
		fmt.Fprintf(&b, `<style:style style:name="%s" style:display-name="%s" style:family="paragraph"`, name, display)
		if parent != "" {
			fmt.Fprintf(&b, ` style:parent-style-name="%s"`, parent)
		}
		fmt.Fprintf(&b, `><style:paragraph-properties %s/><style:text-properties %s/></style:style>`, pprops, tprops)
	}
	para("Standard", "Standard", "", `fo:margin-top="0cm" fo:margin-bottom="0cm"`, ``)
	para("Text_20_body", "Text body", "Standard", `fo:margin-top="0cm" fo:margin-bottom="0.21cm" fo:line-height="115%"`, ``)
	para("Heading", "Heading", "Standard", `fo:margin-top="0.42cm" fo:margin-bottom="0.21cm" fo:keep-with-next="always"`, `fo:font-weight="bold" fo:color="#1f3864"`)
	for lvl, size := range []string{"16pt", "13pt", "11pt"} {
		n := lvl + 1
		extra := ""
		if n == 1 {
			extra = ` fo:margin-top="0.8cm"`
		}
		fmt.Fprintf(&b, `<style:style style:name="Heading_20_%d" style:display-name="Heading %d" style:family="paragraph" style:parent-style-name="Heading" style:next-style-name="Text_20_body" style:default-outline-level="%d"><style:paragraph-properties%s/><style:text-properties fo:font-size="%s" fo:font-weight="bold"/></style:style>`, n, n, n, extra, size)
	}
	b.WriteString(`<style:style style:name="Heading_20_1_20_pagina" style:display-name="Heading 1 pagina" style:family="paragraph" style:parent-style-name="Heading_20_1" style:next-style-name="Text_20_body" style:default-outline-level="1"><style:paragraph-properties fo:break-before="page"/></style:style>`)
	para("Title", "Title", "Standard", `fo:text-align="center" fo:margin-top="1cm" fo:margin-bottom="0.4cm"`, `fo:font-size="24pt" fo:font-weight="bold" fo:color="#1f3864"`)
	para("Subtitle", "Subtitle", "Standard", `fo:text-align="center" fo:margin-bottom="1cm"`, `fo:font-size="12pt" fo:font-style="italic"`)
	para("Ente", "Ente", "Standard", `fo:text-align="center" fo:margin-top="3cm"`, `fo:font-size="16pt" fo:font-weight="bold"`)
	para("Ente_20_stemma", "Ente sotto lo stemma", "Ente", `fo:margin-top="0.4cm"`, ``)
	para("Stemma", "Stemma", "Standard", `fo:text-align="center" fo:margin-top="2cm"`, ``)
	para("Riservato", "Riservato", "Standard", `fo:text-align="end"`, `fo:font-size="9pt" fo:color="#8b1a1a" fo:font-weight="bold"`)
	para("Bozza", "Bozza", "Standard", `fo:text-align="center" fo:margin-top="0.5cm"`, `fo:font-size="28pt" fo:color="#c00000" fo:font-weight="bold"`)
	para("Testo_20_unito", "Text body with next", "Text_20_body", `fo:keep-with-next="always"`, ``)
	para("Headline", "Headline", "Text_20_body", `fo:margin-top="0.4cm"`, `fo:font-size="11pt" fo:font-weight="bold"`)
	para("Provvisorio", "Provvisorio", "Text_20_body", ``, `fo:color="#8b1a1a"`)
	para("Sottotitolo", "Nota", "Text_20_body", ``, `fo:font-size="8.5pt" fo:color="#5a5a5a"`)
	para("Firma", "Firma", "Text_20_body", `fo:margin-top="0.6cm"`, ``)
	para("Table_20_Contents", "Table Contents", "Standard", ``, `fo:font-size="8.5pt"`)
	para("Table_20_Heading", "Table Heading", "Table_20_Contents", ``, `fo:font-weight="bold"`)
	para("List_20_Contents", "List Contents", "Standard", `fo:margin-bottom="0.1cm"`, ``)
	b.WriteString(`<style:style style:name="Header" style:display-name="Header" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties><style:tab-stops><style:tab-stop style:position="17cm" style:type="right"/></style:tab-stops></style:paragraph-properties><style:text-properties fo:font-size="8pt" fo:color="#5a5a5a"/></style:style>`)
	para("Footer", "Footer", "Standard", `fo:text-align="center"`, `fo:font-size="8pt" fo:color="#5a5a5a"`)
	b.WriteString(`<text:list-style style:name="Bullets"><text:list-level-style-bullet text:level="1" text:bullet-char="•"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="0.6cm" fo:text-indent="-0.4cm" fo:margin-left="0.6cm"/></style:list-level-properties></text:list-level-style-bullet></text:list-style>`)
	b.WriteString(`</office:styles><office:automatic-styles><style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait" fo:margin-top="1.5cm" fo:margin-bottom="1.5cm" fo:margin-left="2cm" fo:margin-right="2cm"/><style:header-style><style:header-footer-properties fo:min-height="0cm" fo:margin-bottom="0.4cm"/></style:header-style><style:footer-style><style:header-footer-properties fo:min-height="0cm" fo:margin-top="0.4cm"/></style:footer-style></style:page-layout></office:automatic-styles>`)
	fmt.Fprintf(&b, `<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4"><style:header><text:p text:style-name="Header">%s<text:tab/>%s</text:p></style:header><style:footer><text:p text:style-name="Footer">%s — Pagina <text:page-number text:select-page="current">1</text:page-number> di <text:page-count>1</text:page-count></text:p></style:footer></style:master-page></office:master-styles></office:document-styles>`,
		odtEscape(header), odtEscape(right), odtEscape(r.Footer))
	return []byte(b.String())
}

// odtMeta is meta.xml, dated with the audit's own dates.
func odtMeta(r *report, created, modified time.Time) []byte {
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<office:document-meta"+odtNamespaces+`><office:meta><meta:generator>cieaudit</meta:generator><dc:title>%s</dc:title><dc:subject>%s</dc:subject><dc:language>it-IT</dc:language><meta:creation-date>%s</meta:creation-date><dc:date>%s</dc:date></office:meta></office:document-meta>`,
		odtEscape(r.Title+" — "+r.Ente.Name+" — "+strconv.Itoa(r.Year)), odtEscape(Confidential), ts(created), ts(modified))
}
