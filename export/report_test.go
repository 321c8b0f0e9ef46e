package export

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// honestyCase is one audit state and what its report must and must not say.
type honestyCase struct {
	name    string
	mutate  func(*checklist.Snapshot)
	want    []string
	wantNot []string
	// draft is whether every PDF page must carry BOZZA.
	draft bool
}

// TestReportHonesty: the headline never shows compliance without coverage,
// a draft says so on every page, the signatures say what they attest, and
// no internal key or empty box reaches the Italian text.
func TestReportHonesty(t *testing.T) {
	always := []string{"copertura", "Con la firma attesta di aver svolto le verifiche", "Con la firma adotta il piano",
		"Stato Bozza → In corso", "Sede Municipio FIS", "Misure di sicurezza delle postazioni CIE, versione 2026.1",
		// The plan's structure: macroprocessi in the perimeter, annexes.
		"4.2 Macroprocessi", "MP2 Emissione", "Allegati", "SHA256SUMS", "Misura e domanda"}
	never := []string{"in_corso", "sede:", "postazione:", "cie-postazioni@", "Nessuna valutazione registrata", "Versione:"}
	cases := []honestyCase{
		{name: "in corso, con un override", draft: true,
			want:    []string{"dato provvisorio", "(provv.)", "* probabilità e impatto modificati per questo audit", "BOZZA", "Atto di adozione delibera di Giunta n. 7"},
			wantNot: []string{}},
		{name: "senza override", draft: true,
			mutate:  func(s *checklist.Snapshot) { s.Overrides = nil },
			want:    []string{"dato provvisorio"},
			wantNot: []string{"modificati per questo audit"}},
		{name: "chiuso",
			mutate:  func(s *checklist.Snapshot) { s.Audit.Status = checklist.StatusClosed },
			want:    []string{"Chiuso"},
			wantNot: []string{"BOZZA", "documento in bozza"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap := fixtureSnapshot()
			if tc.mutate != nil {
				tc.mutate(snap)
			}
			pages := pdfPages(t, snap)
			text := strings.Join(pages, " ")
			var html bytes.Buffer
			if err := WriteHTML(&html, snap, nil); err != nil {
				t.Fatal(err)
			}
			htmlText := html.String()
			for _, w := range append(always, tc.want...) {
				if !strings.Contains(text, w) {
					t.Errorf("PDF lacks %q", w)
				}
			}
			for _, w := range append(never, tc.wantNot...) {
				if strings.Contains(text, w) {
					t.Errorf("PDF says %q", w)
				}
				if strings.Contains(htmlText, w) {
					t.Errorf("HTML says %q", w)
				}
			}
			for i, p := range pages {
				if got := strings.Contains(p, "BOZZA"); got != tc.draft {
					t.Errorf("page %d: BOZZA printed %v, want %v", i+1, got, tc.draft)
				}
			}
			if got := strings.Contains(htmlText, `class="bozza"`); got != tc.draft {
				t.Errorf("HTML draft mark %v, want %v", got, tc.draft)
			}
			// The headline: compliance, then coverage, in both documents.
			head := headline(complianceView(checklist.Assess(snap).Summary.Total))
			if !strings.Contains(strings.Join(strings.Fields(text), " "), strings.Join(strings.Fields(head), " ")) || !strings.Contains(htmlText, head) {
				t.Errorf("headline %q missing", head)
			}
		})
	}
}

// A complete audit's headline is not provisional; an unanswered one has
// no compliance yet but still its coverage.
func TestHeadline(t *testing.T) {
	tests := []struct {
		counts  checklist.AnswerCounts
		want    string
		wantNot string
	}{
		{checklist.AnswerCounts{Yes: 3, No: 1}, "Conformità 75% su 4 misure verificate di 4 (copertura 100%).", "provvisorio"},
		{checklist.AnswerCounts{Yes: 1, Unanswered: 3}, "Conformità 100% su 1 misura verificata di 4 (copertura 25%): dato provvisorio, 3 misure ancora da verificare.", ""},
		{checklist.AnswerCounts{Yes: 2, No: 1, Unanswered: 1}, "Conformità 66,7% su 3 misure verificate di 4 (copertura 75%): dato provvisorio, 1 misura ancora da verificare.", ""},
		{checklist.AnswerCounts{Informative: 1, Unanswered: 1}, "Conformità non ancora calcolabile: verificata 1 misura su 2 (copertura 50%).", ""},
		{checklist.AnswerCounts{Unanswered: 2}, "Conformità non ancora calcolabile: verificate 0 misure su 2 (copertura 0%).", ""},
		{checklist.AnswerCounts{}, "Nessuna misura da verificare.", ""},
	}
	for _, tt := range tests {
		got := headline(complianceView(checklist.Compliance{Counts: tt.counts}))
		if got != tt.want {
			t.Errorf("headline(%+v) = %q, want %q", tt.counts, got, tt.want)
		}
	}
}

// A plain checklist (no risk model) has no risk section, no matrix and
// no "Rischi principali".
func TestPlainChecklistHasNoRiskSection(t *testing.T) {
	src, err := os.ReadFile("../testdata/catalogues/good/dps-plain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := checklist.Parse(src, "dps-plain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	snap := &checklist.Snapshot{Audit: checklist.Audit{ID: "plain", Ente: checklist.Ente{Name: "Comune di Prova"}, Year: 2026,
		Status: checklist.StatusInProgress, CatalogueID: cat.ID, CatalogueVersion: cat.Version}, Catalogue: cat}
	text := strings.Join(pdfPages(t, snap), " ")
	var html bytes.Buffer
	if err := WriteHTML(&html, snap, nil); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"Analisi dei rischi", "Matrice", "Rischi principali", "Rischio residuo"} {
		if strings.Contains(text, bad) || strings.Contains(html.String(), bad) {
			t.Errorf("plain checklist report says %q", bad)
		}
	}
	if !strings.Contains(text, "BOZZA") || !strings.Contains(text, "copertura") {
		t.Errorf("plain checklist report lacks BOZZA or coverage")
	}
	if !strings.Contains(text, "vuoto: il catalogo non ha un modello di rischio") {
		t.Errorf("plain checklist's Allegati do not say rischi.csv is empty")
	}
}

// TestAnnexesAreBundleFiles: every file the Allegati list names is in the
// bundle, and every table of the bundle is listed.
func TestAnnexesAreBundleFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "b")
	if _, err := Bundle(fixtureSnapshot(), nil, out, Options{}); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, a := range annexList {
		listed[a[0]] = true
		if _, err := os.Stat(filepath.Join(out, a[0])); err != nil {
			t.Errorf("Allegati list %s, not in the bundle", a[0])
		}
	}
	for _, tb := range Tables {
		if name := string(tb) + ".csv"; !listed[name] {
			t.Errorf("Allegati do not list %s", name)
		}
	}
}

// TestDateAnswersInItalian: a date answer reads GG/MM/AAAA in the stato
// attuale of the PDF, the HTML and the ODT, and no ISO date of the fixture
// reaches the documents' text.
func TestDateAnswersInItalian(t *testing.T) {
	snap := fixtureSnapshot()
	var html, odt bytes.Buffer
	if err := WriteHTML(&html, snap, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteODT(&odt, snap, nil); err != nil {
		t.Fatal(err)
	}
	zr, err := zipReader(odt.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var content []byte
	for _, f := range zr.File {
		if f.Name == "content.xml" {
			rc, _ := f.Open()
			content, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	docs := map[string]string{"HTML": html.String(), "ODT": string(content)}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		docs["PDF"] = strings.Join(pdfPages(t, snap), "\n")
	}
	iso := regexp.MustCompile(`\b20\d\d-[01]\d-[0-3]\d\b`)
	for name, text := range docs {
		if !strings.Contains(text, "15/01/2026") {
			t.Errorf("%s: the date answer 2026-01-15 is not written 15/01/2026", name)
		}
		if m := iso.FindString(text); m != "" {
			t.Errorf("%s: ISO date %s in the text", name, m)
		}
	}
}

// TestPDFNoWordSplit: no word of a PDF table cell is wider than its column
// (fpdf would split it mid-word, as the register's dates were: "01/12/202"
// / "6 22:11"); only unbreakable strings longer than any column may be.
func TestPDFNoWordSplit(t *testing.T) {
	// The plain catalogue's IDs ("CRED-01") are longer than the built-in
	// ones: its ID column was split "CRED-0" / "1".
	src, err := os.ReadFile("../testdata/catalogues/good/dps-plain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := checklist.Parse(src, "dps-plain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	plain := &checklist.Snapshot{Audit: checklist.Audit{ID: "plain", Ente: checklist.Ente{Name: "Comune di Prova"}, Year: 2026,
		Status: checklist.StatusInProgress, CatalogueID: cat.ID, CatalogueVersion: cat.Version,
		Sedi: []checklist.Sede{{Name: "Municipio"}}, Postazioni: []checklist.Postazione{{Code: "PS001A01", Sede: "Municipio"}}}, Catalogue: cat}
	for name, snap := range map[string]*checklist.Snapshot{"fixture": logoSnapshot(t, "stemma.png"), "plain": plain} {
		d, err := renderPDF(snap, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range d.broken {
			if len([]rune(w)) < 30 {
				t.Errorf("%s: word %q split mid-word in a table cell", name, w)
			}
		}
	}
}

// Every count in the report's sentences agrees with its number (no "1
// misure", "1 modifiche"), and the first of the month is "1°".
func TestReportSentencesAgree(t *testing.T) {
	tests := []struct{ got, want string }{
		{originNote(1, 0), "1 misura del catalogo è una buona pratica dedotta dall'esperienza e non un requisito di legge: nel documento è contrassegnata con «buona pratica»."},
		{originNote(0, 1), "1 misura poggia su una fonte normativa ma aggiunge requisiti dedotti: è contrassegnata con «in parte buona pratica»."},
		{originNote(2, 3), "2 misure del catalogo sono buone pratiche dedotte dall'esperienza e non requisiti di legge: nel documento sono contrassegnate con «buona pratica». 3 misure poggiano su una fonte normativa ma aggiungono requisiti dedotti: sono contrassegnate con «in parte buona pratica»."},
		{originNote(0, 0), "Tutte le misure del catalogo poggiano su una fonte normativa."},
		{reverifyNote(1), "1 risposta riportata dall'anno precedente è ancora da riverificare e conta come non verificata."},
		{reverifyNote(0), ""},
		{italianDate(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)), "1° dicembre 2026"},
		{italianDate(time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)), "9 marzo 2026"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var r report
	snap := fixtureSnapshot()
	snap.History = []checklist.Change{{Seq: 1, At: at, Kind: checklist.ChangeAudit}}
	buildHistory(&r, snap)
	if want := "1 modifica registrata il 1° dicembre 2026, ore 11:00; l'elenco completo è in storico.csv."; r.HistoryNote != want {
		t.Errorf("history note %q, want %q", r.HistoryNote, want)
	}
}

// The register and the variations show the ente's, a sede's and a
// postazione's fields by their Italian names, never the stored keys.
func TestReadableFields(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postazione PS001A01.code: PS001A01; postazione PS001A01.sede: Municipio; sede Municipio.name: Municipio",
			"postazione PS001A01, codice: PS001A01; postazione PS001A01, sede: Municipio; sede Municipio, nome: Municipio"},
		{"postazione PG01.hardware.lettore_smart_card: Bit4id; postazione PG01.office: back",
			"postazione PG01, lettore smart card: Bit4id; postazione PG01, tipo: Back office"},
		{"ente.responsabile_sicurezza: Dott. Luca Verdi; anno: 2026", "responsabile della sicurezza: Dott. Luca Verdi; anno: 2026"},
		{"sede Delegazione Frazione Colle.address: Via dei Mulini 14, 06099 Valdoria (PG)", "sede Delegazione Frazione Colle, indirizzo: Via dei Mulini 14, 06099 Valdoria (PG)"},
		{"D.M. 2/8/2005: art. 8", "D.M. 2/8/2005: art. 8"},
		{"stemma: immagine PNG 300×360", "stemma: immagine PNG 300×360"},
		{"Sì", "Sì"},
	}
	for _, tt := range tests {
		if got := readableFields(tt.in); got != tt.want {
			t.Errorf("readableFields(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// 5.3 never says "no non-conformity" as a final word while measures are
// unverified, and the totals line adds up to the measures counted.
func TestNoNonConformityAndTotals(t *testing.T) {
	tests := []struct {
		counts      checklist.AnswerCounts
		none, total string
	}{
		{checklist.AnswerCounts{Unanswered: 140}, "Nessuna misura è ancora verificata: le non conformità normative non sono ancora note.",
			"Sì 0, no 0, parziale 0, non applicabile 0, non verificato 140."},
		{checklist.AnswerCounts{Yes: 2, Informative: 1, Unanswered: 1}, "Nessuna misura prevista da una norma risulta mancante o parziale tra quelle verificate finora; 1 misura è ancora da verificare.",
			"Sì 2, no 0, parziale 0, non applicabile 0, risposte descrittive 1, non verificato 1."},
		{checklist.AnswerCounts{Yes: 3, NotApplicable: 1}, "Nessuna misura prevista da una norma risulta mancante o parziale.",
			"Sì 3, no 0, parziale 0, non applicabile 1, non verificato 0."},
	}
	for _, tt := range tests {
		row := complianceView(checklist.Compliance{Counts: tt.counts})
		if got := noNonConformity(row); got != tt.none {
			t.Errorf("noNonConformity(%+v) = %q, want %q", tt.counts, got, tt.none)
		}
		if got := totalsLine(row); got != tt.total {
			t.Errorf("totalsLine(%+v) = %q, want %q", tt.counts, got, tt.total)
		}
	}
}

// TestPDFNoLoneHeading: no page ends with a heading whose content is all
// overleaf (the demo's "Variazioni del piano dopo la trasmissione" sat at
// the foot of page 32, its table on 33). An event's description grows a
// line at a time so the later headings fall at every height of a page.
func TestPDFNoLoneHeading(t *testing.T) {
	base := fixtureSnapshot()
	for n := 0; n < 80; n++ {
		snap := fixtureSnapshot()
		// A postazione added after the transmission: a variation whose row
		// is several lines tall, as the demo's was.
		// It is the table's first row, so the whole row must fit under the
		// heading.
		snap.History = append([]checklist.Change{{Seq: 900, At: base.Baselines[0].FixedAt.Add(time.Second), Author: "root",
			Kind: checklist.ChangeScope, New: "postazione PG0991A03.code: PG0991A03; postazione PG0991A03.hardware.pc: Dell OptiPlex 7010; postazione PG0991A03.sede: Municipio"}}, snap.History...)
		e := base.Events[0]
		e.ID, e.Description = "ev-2", strings.Repeat("Guasto del lettore ", n+1)
		snap.Events = append(snap.Events, e)
		d, err := renderPDF(snap, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range d.lone {
			t.Errorf("event of %d words: heading %q alone at the foot of a page", 3*(n+1), h)
		}
	}
}

// Part 7 has the risk by macroprocess, in every format; a plain
// checklist has none (TestPlainChecklistHasNoRiskSection).
func TestRiskByMacroprocessInReports(t *testing.T) {
	snap := fixtureSnapshot()
	r := buildReport(snap, checklist.Assess(snap))
	if len(r.MacroRisks) != len(checklist.Macroprocesses) {
		t.Fatalf("%d macroprocess rows, want %d", len(r.MacroRisks), len(checklist.Macroprocesses))
	}
	var html bytes.Buffer
	if err := WriteHTML(&html, snap, nil); err != nil {
		t.Fatal(err)
	}
	pages := strings.Join(pdfPages(t, snap), "\n")
	for name, text := range map[string]string{"HTML": html.String(), "PDF": pages} {
		for _, want := range []string{"7.3 Rischio per macroprocesso", "7.4 Rischi principali", checklist.MacroIssue.Label()} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
}
