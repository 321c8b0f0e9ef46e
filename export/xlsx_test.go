package export

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// Every column of every table has an Italian header, distinct within its
// table, and docs/export.md lists each machine name beside it once.
func TestPeopleHeaders(t *testing.T) {
	doc, err := os.ReadFile("../docs/export.md")
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(doc, []byte("### Headers for people"))
	if start < 0 {
		t.Fatal("docs/export.md has no section Headers for people")
	}
	section := doc[start:]
	if end := bytes.Index(section[4:], []byte("\n#")); end >= 0 {
		section = section[:end+4]
	}
	for _, table := range append(slices.Clone(Tables), TableMeasures) {
		seen := map[string]string{}
		for _, c := range table.Columns() {
			h, ok := peopleHeaders[c.Name]
			if !ok || h == "" {
				t.Errorf("%s: column %s has no Italian header in peopleHeaders", table, c.Name)
				continue
			}
			if other, dup := seen[h]; dup {
				t.Errorf("%s: columns %s and %s both have header %q", table, other, c.Name, h)
			}
			seen[h] = c.Name
			if row := "| `" + c.Name + "` | " + h + " |"; !bytes.Contains(section, []byte(row)) {
				t.Errorf("docs/export.md, Headers for people: no row %q", row)
			}
		}
	}
}

// sheetXML is the part of a worksheet's XML the tests read.
type sheetXML struct {
	Cols []struct {
		Min   int     `xml:"min,attr"`
		Max   int     `xml:"max,attr"`
		Width float64 `xml:"width,attr"`
	} `xml:"cols>col"`
	Rows []struct {
		Cells []struct {
			Ref   string `xml:"r,attr"`
			Type  string `xml:"t,attr"`
			Style int    `xml:"s,attr"`
			F     string `xml:"f"`
			V     string `xml:"v"`
			IS    string `xml:"is>t"`
		} `xml:"c"`
	} `xml:"sheetData>row"`
}

type stylesXML struct {
	Xfs []struct {
		QuotePrefix string `xml:"quotePrefix,attr"`
	} `xml:"cellXfs>xf"`
}

func zipPart(t *testing.T, data []byte, name string, v any) {
	t.Helper()
	zr, err := zipReader(data)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// The worksheet XML itself, as other readers see it: <col> elements in
// ascending order without overlaps, number columns as number cells, text
// that starts like a formula as a plain string cell with no quotePrefix
// style (no apostrophe shown) and no formula anywhere.
func TestXLSXSheetXML(t *testing.T) {
	snap := fixtureSnapshot()
	assessment := checklist.Assess(snap)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, snap, assessment); err != nil {
		t.Fatal(err)
	}
	var styles stylesXML
	zipPart(t, buf.Bytes(), "xl/styles.xml", &styles)
	for i, xf := range styles.Xfs {
		if xf.QuotePrefix == "1" || xf.QuotePrefix == "true" {
			t.Errorf("cell style %d has quotePrefix: a visible apostrophe", i)
		}
	}
	for i, table := range Tables {
		t.Run(table.SheetName(), func(t *testing.T) {
			var sheet sheetXML
			zipPart(t, buf.Bytes(), "xl/worksheets/sheet"+strconv.Itoa(i+1)+".xml", &sheet)
			cols := table.Columns()
			if len(sheet.Cols) != len(cols) {
				t.Fatalf("%d <col> elements, want one per column (%d)", len(sheet.Cols), len(cols))
			}
			for j, c := range sheet.Cols {
				if c.Min != j+1 || c.Max != j+1 || c.Width <= 0 {
					t.Errorf("<col> %d is min=%d max=%d width=%v: want ascending, one per column", j, c.Min, c.Max, c.Width)
				}
			}
			if len(sheet.Rows) == 0 {
				t.Fatal("no rows")
			}
			numbers := 0
			for r, row := range sheet.Rows {
				for _, c := range row.Cells {
					if c.F != "" {
						t.Errorf("%s: formula %q", c.Ref, c.F)
					}
					col, _, err := excelize.CellNameToCoordinates(c.Ref)
					if err != nil {
						t.Fatal(err)
					}
					text := c.V
					if c.Type == "inlineStr" {
						text = c.IS
					}
					switch {
					case r == 0:
						if c.Type != "s" && c.Type != "inlineStr" && c.Type != "str" {
							t.Errorf("header %s has type %q", c.Ref, c.Type)
						}
					case cols[col-1].Numeric || cols[col-1].Date:
						if c.Type != "" && c.Type != "n" {
							t.Errorf("%s (%s) = %q has type %q, want a number cell", c.Ref, cols[col-1].Name, text, c.Type)
						}
						if _, err := strconv.ParseFloat(c.V, 64); err != nil {
							t.Errorf("%s (%s) = %q is not a number", c.Ref, cols[col-1].Name, c.V)
						}
						numbers++
					default:
						if c.Type != "s" && c.Type != "inlineStr" && c.Type != "str" {
							t.Errorf("%s (%s) has type %q, want a string cell", c.Ref, cols[col-1].Name, c.Type)
						}
						if c.Type == "inlineStr" && strings.HasPrefix(text, "'") {
							t.Errorf("%s = %q: apostrophe in the text", c.Ref, text)
						}
					}
				}
			}
			if table == TableRisks && numbers == 0 {
				t.Error("no number cell in the risk sheet")
			}
		})
	}
	// The payloads starting like formulas are string cells holding exactly
	// the text typed (shared strings carry no apostrophe either).
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := map[string]bool{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				if !slices.Contains(injectionPayloads, v) {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, err := f.GetCellType(sheet, cell)
				if err != nil || typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
					t.Errorf("%s!%s = %q: type %v (%v), want a string cell", sheet, cell, v, typ, err)
				}
				found[v] = true
			}
		}
	}
	for _, p := range injectionPayloads {
		if !found[p] {
			t.Errorf("payload %q not found as typed", p)
		}
	}
}

// The coded columns of the tables for people carry the Italian label, the
// same in the XLSX and the excel dialect, while rfc4180 keeps the code;
// docs/export.md lists each such column in "Labels for people".
func TestPeopleLabels(t *testing.T) {
	doc, err := os.ReadFile("../docs/export.md")
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(doc, []byte("### Labels for people"))
	if start < 0 {
		t.Fatal("docs/export.md has no section Labels for people")
	}
	section := doc[start:]
	if end := bytes.Index(section[4:], []byte("\n#")); end >= 0 {
		section = section[:end+4]
	}
	labelled, coded := map[string]bool{}, map[string]bool{}
	for _, table := range append(slices.Clone(Tables), TableMeasures) {
		for _, c := range table.Columns() {
			if c.Label != nil {
				labelled[c.Name] = true
			} else {
				coded[c.Name] = true
			}
		}
	}
	for name := range coded {
		if !labelled[name] && bytes.Contains(section, []byte("| `"+name+"`")) {
			t.Errorf("docs/export.md, Labels for people: %s writes its code", name)
		}
	}
	for name := range labelled {
		if !bytes.Contains(section, []byte("| `"+name+"`")) {
			t.Errorf("docs/export.md, Labels for people: no row for %s", name)
		}
	}

	cells := []struct {
		table       Table
		column      string
		code, label string
	}{
		{TableAnswers, "origin_class", "buona_pratica", "Buona pratica"},
		{TableAnswers, "origin_class", "in_parte_buona_pratica", "In parte buona pratica"},
		{TableAnswers, "outcome", "si", "Sì"},
		{TableAnswers, "outcome", "na", "Non applicabile"},
		{TableAnswers, "outcome", "", ""},
		{TableAnswers, "good_practice", "no", "No"},
		{TableAnswers, "category", "organizzativa", "Organizzativa"},
		{TableAnswers, "level", "alto", "Alto"},
		{TableAnswers, "macroprocess", "mp1 | mp2", "MP1 Anagrafe (INA/ANPR) | MP2 Emissione"},
		{TableAnswers, "macroprocess", "", ""},
		{TableWorkstations, "office", "front", "Front office"},
		{TableRisks, "provisional", "si", "Sì"},
		{TableActions, "non_conformity", "si", "Sì"},
		{TableActions, "findings", "sede:Municipio=parziale | postazione:001235=no", "Sede Municipio: Parziale | Postazione 001235: No"},
		{TableActions, "findings", "sede:A=b=no", "Sede A=b: No"},
		{TableActions, "findings", "sede:A=x", "sede:A=x"},
		{TableEvents, "areas", "riservatezza | integrita", "riservatezza | integrità"},
		// A code no label function knows is written as it is.
		{TableAnswers, "origin_class", "x;=1+1", "x;=1+1"},
		// Columns marked "(codice)" keep the code beside their label.
		{TableAnswers, "value", "na", "na"},
		{TableActions, "status", "in_corso", "in_corso"},
	}
	for _, c := range cells {
		i := slices.IndexFunc(c.table.Columns(), func(col Column) bool { return col.Name == c.column })
		if i < 0 {
			t.Fatalf("%s has no column %s", c.table, c.column)
		}
		if got := c.table.Columns()[i].People(c.code); got != c.label {
			t.Errorf("%s.%s: %q is written %q for people, want %q", c.table, c.column, c.code, got, c.label)
		}
	}

	// The real files: the demo fixture's workbook and both CSV dialects.
	snap := fixtureSnapshot()
	assessment := checklist.Assess(snap)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, snap, assessment); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	files := []struct {
		table  Table
		column string
		people string // a value the column must hold for people
		code   string // the same value in rfc4180
	}{
		{TableAnswers, "origin_class", "Buona pratica", "buona_pratica"},
		{TableAnswers, "outcome", "Parziale", "parziale"},
		{TableWorkstations, "office", "Front office", "front"},
		{TableActions, "non_conformity", "Sì", "si"},
		{TableActions, "findings", "Ente: Parziale", "ente=parziale"},
	}
	for _, c := range files {
		i := slices.IndexFunc(c.table.Columns(), func(col Column) bool { return col.Name == c.column })
		rows, err := f.GetRows(c.table.SheetName())
		if err != nil {
			t.Fatal(err)
		}
		var sheet []string
		for _, r := range rows[1:] {
			sheet = append(sheet, r[i])
		}
		if !slices.Contains(sheet, c.people) || slices.Contains(sheet, c.code) {
			t.Errorf("XLSX %s, %s: %q, want %q and never %q", c.table.SheetName(), c.column, sheet, c.people, c.code)
		}
		for _, d := range []Dialect{DialectExcel, DialectRFC4180} {
			var out bytes.Buffer
			if err := WriteCSV(&out, c.table, snap, assessment, d); err != nil {
				t.Fatal(err)
			}
			want, never := c.people, c.code
			if d == DialectRFC4180 {
				want, never = c.code, c.people
			}
			records := readCSV(t, out.Bytes(), d)
			var column []string
			for _, r := range records[1:] {
				column = append(column, r[i])
			}
			if !slices.Contains(column, want) || slices.Contains(column, never) {
				t.Errorf("%s %s, %s: %q, want %q and never %q", d, c.table, c.column, column, want, never)
			}
		}
	}
}
