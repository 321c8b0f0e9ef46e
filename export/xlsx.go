package export

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// WriteXLSX writes the five tables of one audit as the sheets of one
// workbook. Rows are streamed (excelize StreamWriter); every cell is a plain
// string or number, never a formula, so text is written as it is (no
// apostrophe: a typed string cell is never evaluated). The document properties carry the audit's last change, so
// the workbook is deterministic.
func WriteXLSX(w io.Writer, snap *checklist.Snapshot, assessment *checklist.Assessment) (err error) {
	if assessment == nil {
		assessment = checklist.Assess(snap)
	}
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	header, err := headerStyle(f)
	if err != nil {
		return err
	}
	for i, t := range Tables {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.SheetName()); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(t.SheetName()); err != nil {
			return err
		}
		if err := writeSheet(f, t, snap, assessment, header); err != nil {
			return fmt.Errorf("foglio %s: %w", t.SheetName(), err)
		}
	}
	f.SetActiveSheet(0)
	changed := snap.LastChange().UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          "Audit CIE — " + snap.Audit.Ente.Name,
		Subject:        "Audit di sicurezza delle postazioni CIE",
		Creator:        "cieaudit",
		LastModifiedBy: "cieaudit",
		Identifier:     snap.Audit.ID,
		Language:       "it-IT",
		Created:        changed,
		Modified:       changed,
	}); err != nil {
		return err
	}
	// excelize writes the sheets of stream writers in map order: repack the
	// archive with a fixed entry order so that the workbook is
	// byte-for-byte deterministic.
	var raw bytes.Buffer
	if err := f.Write(&raw); err != nil {
		return err
	}
	return repackZip(w, raw.Bytes(), snap.LastChange())
}

// repackZip copies a zip archive with its entries in a fixed order
// ("[Content_Types].xml" first, as Office writes it, then by name) and a
// fixed modification time.
func repackZip(w io.Writer, data []byte, modified time.Time) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int {
		const first = "[Content_Types].xml"
		if (a.Name == first) != (b.Name == first) {
			if a.Name == first {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	zw := zip.NewWriter(w)
	for _, f := range files {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: modified.UTC()})
		if err == nil {
			_, err = io.Copy(fw, rc)
		}
		rc.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// headerStyle is the style of the header row of every sheet.
func headerStyle(f *excelize.File) (int, error) {
	return f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3A5F"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
	})
}

func writeSheet(f *excelize.File, t Table, snap *checklist.Snapshot, assessment *checklist.Assessment, header int) error {
	rows := func(emit rowWriter) error { return writeRows(t, snap, assessment, emit) }
	return streamSheet(f, t.SheetName(), "Tabella"+t.SheetName(), t.Columns(), rows, header)
}

// streamSheet writes the sheet with a header row and the rows produced by
// rows, as a filterable table named table.
func streamSheet(f *excelize.File, sheet, table string, cols []Column, rows func(rowWriter) error, header int) error {
	// Print setup before streaming (the stream writer copies it): A4
	// landscape, every column on one page width, the header row on every
	// page.
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: new(true)}); err != nil {
		return err
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: new(9), Orientation: new("landscape"), FitToWidth: new(1), FitToHeight: new(0)}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!$1:$1", Scope: sheet}); err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14, CustomNumFmt: new("dd/mm/yyyy")})
	if err != nil {
		return err
	}
	timeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: new("dd/mm/yyyy hh:mm")})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	// excelize puts each new <col> before the ones already set, so the
	// widths are set from the last column to the first to come out in
	// ascending order (ECMA-376 requires it; some readers lose the widths
	// otherwise). TestXLSXSheetXML reads the XML back.
	for i, c := range slices.Backward(cols) {
		width := 14.0
		if !c.Numeric {
			width = 22
		}
		switch c.Name {
		case "note", "item_title", "threat_name", "old", "new", "reason", "scopes", "question", "guidance", "reference", "origin_label":
			width = 45
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: header, Value: c.Header()}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	rowNum := 1
	values := make([]any, len(cols))
	err = rows(func(row []string) error {
		if len(row) != len(cols) {
			return fmt.Errorf("riga di %d colonne, attese %d", len(row), len(cols))
		}
		for i, v := range row {
			values[i] = xlsxValue(cols[i].People(v), cols[i].Numeric)
			if cols[i].Date {
				if t, clock, ok := sheetTime(v); ok {
					// A spreadsheet date has no zone: the Italian
					// wall-clock time, as the documents show it.
					wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
					style := dateStyle
					if clock {
						style = timeStyle
					}
					values[i] = excelize.Cell{StyleID: style, Value: wall}
				}
			}
		}
		rowNum++
		cell, err := excelize.CoordinatesToCellName(1, rowNum)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, values)
	})
	if err != nil {
		return err
	}
	// The table gives every column a filter button; the range must span at
	// least one data row, which excelize adds itself when there is none.
	last, err := excelize.CoordinatesToCellName(len(cols), max(rowNum, 2))
	if err != nil {
		return err
	}
	noStripes := false
	if err := sw.AddTable(&excelize.Table{
		Range:          "A1:" + last,
		Name:           table,
		StyleName:      "TableStyleLight9",
		ShowRowStripes: &noStripes,
	}); err != nil {
		return err
	}
	return sw.Flush()
}

// xlsxValue is the cell value of one field: numbers for numeric columns,
// text for everything else. Text is written as a typed string cell, which
// no spreadsheet evaluates, so it needs no apostrophe (SafeCell is for CSV).
// An empty value leaves the cell empty (no empty string cell in a number
// or date column).
func xlsxValue(v string, numeric bool) any {
	if v == "" {
		return nil
	}
	if numeric {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return n
		}
	}
	return v
}
