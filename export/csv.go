package export

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// Dialect is the flavour of CSV written.
type Dialect string

const (
	// DialectExcel is for Italian-locale spreadsheets: ';' separator and a
	// UTF-8 byte-order mark, which Excel needs to read accents correctly.
	DialectExcel Dialect = "excel"
	// DialectRFC4180 is plain RFC 4180 for programs: ',' and no BOM.
	DialectRFC4180 Dialect = "rfc4180"
)

// ParseDialect accepts "excel" (or "") and "rfc4180".
func ParseDialect(s string) (Dialect, error) {
	switch s {
	case "", string(DialectExcel):
		return DialectExcel, nil
	case string(DialectRFC4180):
		return DialectRFC4180, nil
	}
	return "", fmt.Errorf("dialetto CSV %q sconosciuto: usare excel o rfc4180", s)
}

const utf8BOM = "\uFEFF"

// tableWriter writes the header and rows of one table in one dialect,
// guarding every text cell with SafeCell.
type tableWriter struct {
	table   Table
	numeric []bool
	// dates marks the date columns; excel is the dialect for people, with
	// decimal commas and dates as spreadsheets read them; scratch holds
	// the converted row.
	dates   []bool
	excel   bool
	cols    []Column
	scratch []string
	buf     *bufio.Writer
	sep     byte
}

func newTableWriter(w io.Writer, t Table, d Dialect) (*tableWriter, error) {
	cols := t.Columns()
	tw := &tableWriter{table: t, cols: cols, numeric: make([]bool, len(cols)), dates: make([]bool, len(cols)), scratch: make([]string, len(cols)),
		buf: bufio.NewWriterSize(w, 64<<10), sep: ','}
	for i, c := range cols {
		tw.numeric[i], tw.dates[i] = c.Numeric, c.Date
	}
	if d != DialectRFC4180 {
		tw.excel = true
		tw.sep = ';'
		if _, err := tw.buf.WriteString(utf8BOM); err != nil {
			return nil, err
		}
	}
	// Machine names for programs, Italian headers for people.
	header := t.ColumnNames()
	if tw.excel {
		header = t.Headers()
	}
	tw.record(header, nil)
	return tw, nil
}

func (tw *tableWriter) write(row []string) error {
	if len(row) != len(tw.numeric) {
		return fmt.Errorf("tabella %s: riga di %d colonne, attese %d", tw.table, len(row), len(tw.numeric))
	}
	if tw.excel {
		for i, v := range row {
			tw.scratch[i] = tw.cell(i, v)
		}
		row = tw.scratch
	}
	tw.record(row, tw.numeric)
	return nil
}

// cell is the text column i carries for v in the writer's dialect, before
// quoting: in the excel dialect, the label for people, the decimal comma
// or the spreadsheet date; in rfc4180, v itself.
func (tw *tableWriter) cell(i int, v string) string {
	if !tw.excel {
		return v
	}
	switch {
	case tw.cols[i].Label != nil:
		return tw.cols[i].Label(v)
	case tw.numeric[i]:
		return strings.ReplaceAll(v, ".", ",")
	case tw.dates[i]:
		return spreadsheetDate(v)
	}
	return v
}

// quoteTriggers are the characters that get a field quoted, in both
// dialects: both separators, so that a reader splitting on the other one
// still sees one field, tab, line ends and the double quote itself.
const quoteTriggers = ",;\t\r\n\""

// record writes one record as RFC 4180 does (a field is quoted when needed,
// with its double quotes doubled; LF ends the record), except that fields
// are quoted for either dialect's separator and for tab. Text fields
// (numeric[i] false, or numeric nil for the header) pass through SafeCell.
// Write errors stay in the bufio.Writer until flush.
func (tw *tableWriter) record(fields []string, numeric []bool) {
	for i, f := range fields {
		if i > 0 {
			tw.buf.WriteByte(tw.sep)
		}
		if numeric == nil || !numeric[i] {
			f = SafeCell(f)
		}
		if f == "" || !hasClass(f, classQuote) && f[0] != ' ' {
			tw.buf.WriteString(f)
			continue
		}
		tw.buf.WriteByte('"')
		tw.buf.WriteString(strings.ReplaceAll(f, `"`, `""`))
		tw.buf.WriteByte('"')
	}
	tw.buf.WriteByte('\n')
}

func (tw *tableWriter) flush() error {
	return tw.buf.Flush()
}

// WriteCSV writes one table of one audit as CSV. assessment may be nil, in
// which case it is computed when the table needs it.
func WriteCSV(w io.Writer, t Table, snap *checklist.Snapshot, assessment *checklist.Assessment, d Dialect) error {
	tw, err := newTableWriter(w, t, d)
	if err != nil {
		return err
	}
	if assessment == nil && t.needsAssessment() {
		assessment = checklist.Assess(snap)
	}
	if err := writeRows(t, snap, assessment, tw.write); err != nil {
		return err
	}
	return tw.flush()
}

// EachFunc calls its argument with one snapshot after another, stopping at
// the first error; storage.Store.EachAudit is one.
type EachFunc func(fn func(*checklist.Snapshot) error) error

// WriteBatchCSV writes one table for every audit that each yields, in one
// CSV with a single header. Only one snapshot is held at a time, so memory
// stays flat however many audits there are.
func WriteBatchCSV(w io.Writer, t Table, each EachFunc, d Dialect, progress func(audits int)) error {
	return WriteBatchTables(map[Table]io.Writer{t: w}, each, d, progress)
}

// WriteBatchTables writes several tables in a single pass over the audits:
// writers maps each wanted table to its destination. progress, if not nil,
// is called after each audit with the number of audits written so far.
func WriteBatchTables(writers map[Table]io.Writer, each EachFunc, d Dialect, progress func(audits int)) error {
	var tables []Table
	tws := map[Table]*tableWriter{}
	assess := false
	for _, t := range Tables {
		w, ok := writers[t]
		if !ok {
			continue
		}
		tw, err := newTableWriter(w, t, d)
		if err != nil {
			return err
		}
		tables = append(tables, t)
		tws[t] = tw
		assess = assess || t.needsAssessment()
	}
	if len(tables) != len(writers) {
		return fmt.Errorf("tabella sconosciuta tra quelle richieste")
	}
	done := 0
	assessor := checklist.NewAssessor() // the catalogues' risk structures, computed once
	err := each(func(snap *checklist.Snapshot) error {
		var assessment *checklist.Assessment
		if assess {
			assessment = assessor.Assess(snap)
		}
		for _, t := range tables {
			if err := writeRows(t, snap, assessment, tws[t].write); err != nil {
				return fmt.Errorf("audit %s, tabella %s: %w", snap.Audit.ID, t, err)
			}
		}
		done++
		if progress != nil {
			progress(done)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range tables {
		if err := tws[t].flush(); err != nil {
			return err
		}
	}
	return nil
}

// sheetTime reads a date column's value: a day, a local time or an RFC
// 3339 instant, the last two in Italian time. clock is false for a day.
func sheetTime(v string) (t time.Time, clock, ok bool) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.In(rome), true, true
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", v, rome); err == nil {
		return t, true, true
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, rome); err == nil {
		return t, false, true
	}
	return time.Time{}, false, false
}

// spreadsheetDate writes a date as an Italian spreadsheet reads one,
// "09/03/2026" or "09/03/2026 11:50:00" in Italian time; anything else is
// left as it is.
func spreadsheetDate(v string) string {
	t, clock, ok := sheetTime(v)
	switch {
	case !ok:
		return v
	case clock:
		return t.Format("02/01/2006 15:04:05")
	}
	return t.Format("02/01/2006")
}
