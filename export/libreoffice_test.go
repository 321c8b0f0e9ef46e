package export

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// TestSpreadsheetNumbersInLibreOffice imports what people open in a
// spreadsheet with LibreOffice Calc headless, as an Italian user does: the
// excel-dialect CSV (';', it-IT, special numbers detected) and audit.xlsx,
// and the rfc4180 CSV as a program's reader would (',', en-US). Each is
// converted to XLSX by LibreOffice and read back with excelize: every
// non-empty number or date column must be a number cell holding the same
// value (5,67 must be 5.67, not text, not 567), and the header row must be
// the one of the dialect.
func TestSpreadsheetNumbersInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice not installed (CI installs libreoffice-calc-nogui)")
	}
	snap := fixtureSnapshot()
	assessment := checklist.Assess(snap)
	dir := t.TempDir()
	profile := "file://" + filepath.Join(dir, "profile")
	// convert has LibreOffice import the files with filter (none: by
	// extension) and save them as XLSX in outDir, all in one run.
	convert := func(t *testing.T, filter, outDir string, in ...string) {
		t.Helper()
		args := []string{"-env:UserInstallation=" + profile, "--headless"}
		if filter != "" {
			args = append(args, "--infilter="+filter)
		}
		args = append(append(args, "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", outDir), in...)
		if b, err := exec.Command(soffice, args...).CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, b)
		}
	}
	tables := []Table{TableAnswers, TableRisks, TableActions, TableHistory, TableWorkstations}

	var workbook bytes.Buffer
	if err := WriteXLSX(&workbook, snap, assessment); err != nil {
		t.Fatal(err)
	}
	xlsxIn := filepath.Join(dir, "audit.xlsx")
	if err := os.WriteFile(xlsxIn, workbook.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	convert(t, "", filepath.Join(dir, "xlsx"), xlsxIn)
	for _, table := range tables {
		t.Run("xlsx/"+table.SheetName(), func(t *testing.T) {
			checkImported(t, filepath.Join(dir, "xlsx", "audit.xlsx"), table.SheetName(), table, snap, assessment, table.Headers(), true)
		})
	}

	for _, d := range []struct {
		dialect Dialect
		filter  string // separator, ", UTF-8, first line, formats, language, quoted as text, detect special numbers
		header  func(Table) []string
		dates   bool // rfc4180 keeps ISO 8601 text for programs
	}{
		{DialectExcel, "CSV:59,34,76,1,,1040,false,true", Table.Headers, true},
		{DialectRFC4180, "CSV:44,34,76,1,,1033,false,true", Table.ColumnNames, false},
	} {
		var files []string
		for _, table := range tables {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, table, snap, assessment, d.dialect); err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(dir, string(d.dialect)+"-"+table.FileName())
			if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, in)
		}
		out := filepath.Join(dir, string(d.dialect))
		convert(t, d.filter, out, files...)
		for _, table := range tables {
			t.Run(string(d.dialect)+"/"+table.FileName(), func(t *testing.T) {
				checkImported(t, filepath.Join(out, string(d.dialect)+"-"+string(table)+".xlsx"), "", table, snap, assessment, d.header(table), d.dates)
			})
		}
	}
}

// checkImported reads a workbook written by LibreOffice and compares its
// sheet (the first one when sheet is empty) with the table: header row as
// given, and every number column (and date column, when dates) a number
// cell with the value of the table.
func checkImported(t *testing.T, path, sheet string, table Table, snap *checklist.Snapshot, assessment *checklist.Assessment, header []string, dates bool) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	var want [][]string
	if err := writeRows(table, snap, assessment, func(row []string) error {
		want = append(want, slices.Clone(row))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want)+1 || !slices.Equal(rows[0], header) {
		t.Fatalf("%d rows with header %q, want %d rows with %q", len(rows), rows[0], len(want)+1, header)
	}
	checked := 0
	for r, row := range want {
		for c, col := range table.Columns() {
			if row[c] == "" || !col.Numeric && !(dates && col.Date) {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			typ, err := f.GetCellType(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			got, perr := strconv.ParseFloat(raw, 64)
			if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset || perr != nil {
				t.Errorf("%s (%s) = %q imported as %v %q, want a number", cell, col.Name, row[c], typ, raw)
				continue
			}
			checked++
			if col.Numeric {
				if n, _ := strconv.ParseFloat(row[c], 64); math.Abs(got-n) > 1e-9 {
					t.Errorf("%s (%s) = %q imported as %v", cell, col.Name, row[c], got)
				}
				continue
			}
			// A date: the spreadsheet's serial day is the Italian wall-clock
			// time of the table's value.
			tm, clock, ok := sheetTime(row[c])
			if !ok {
				t.Fatalf("%s (%s) = %q is not a date", cell, col.Name, row[c])
			}
			layout := "02/01/2006"
			if clock {
				layout += " 15:04"
			}
			day, err := excelize.ExcelDateToTime(got, false)
			if err != nil || day.Format(layout) != tm.Format(layout) {
				t.Errorf("%s (%s) = %q imported as %s (%v)", cell, col.Name, row[c], day.Format(time.RFC3339), err)
			}
		}
	}
	if checked == 0 {
		t.Errorf("no number or date cell checked in %s", table)
	}
}
