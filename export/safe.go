package export

import "strings"

// formulaTriggers are the characters that make Excel or LibreOffice read the
// start of a cell as a formula or a DDE command (OWASP "CSV Injection").
const formulaTriggers = "=+-@\t\r\x00"

// cellBreaks are the characters at which some reader may start a new cell:
// the separators of both dialects, tab (which spreadsheets also offer as a
// separator) and line ends. A reader that picks another separator than the
// file's splits a text at these, and a quote in the middle of what it takes
// for a field does not protect anything.
const cellBreaks = ",;\t\r\n"

// SafeCell neutralises spreadsheet formula injection (OWASP "CSV Injection",
// ASVS 1.2.10) in a CSV text cell, whatever separator the reader picks: the
// text, and every piece of it that follows one of cellBreaks, gets an
// apostrophe in front when its first character other than spaces and double
// quotes is one of formulaTriggers. Spreadsheets show the apostrophe's cell
// as plain text; text that cannot start a formula is returned unchanged.
//
// XLSX cells do not need it: they are typed strings, never formulas.
func SafeCell(s string) string {
	if !hasClass(s, classFormula) {
		return s
	}
	// Most cells holding a trigger are harmless (a date's '-', a '-' in a
	// sentence): copy only from the first piece that starts a formula.
	first := -1
	piece := true // s[i] starts a piece
	for i := 0; i < len(s); i++ {
		if piece && startsFormula(s[i:]) {
			first = i
			break
		}
		piece = cellClass[s[i]]&classBreak != 0
	}
	if first < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	b.WriteString(s[:first])
	piece = true
	for i := first; i < len(s); i++ {
		if piece && startsFormula(s[i:]) {
			b.WriteByte('\'')
		}
		b.WriteByte(s[i])
		piece = cellClass[s[i]]&classBreak != 0
	}
	return b.String()
}

// Classes of the bytes a CSV cell is checked for, in cellClass.
const (
	classFormula = 1 << iota // one of formulaTriggers
	classBreak               // one of cellBreaks
	classQuote               // one of quoteTriggers (csv.go)
)

// cellClass maps every byte to its classes: one table look-up per byte
// instead of strings.ContainsAny, which builds its set on every call (18%
// of the five-table export's CPU before this table).
var cellClass = func() (t [256]uint8) {
	for _, set := range []struct {
		chars string
		class uint8
	}{{formulaTriggers, classFormula}, {cellBreaks, classBreak}, {quoteTriggers, classQuote}} {
		for i := 0; i < len(set.chars); i++ {
			t[set.chars[i]] |= set.class
		}
	}
	return t
}()

// hasClass reports whether some byte of s is in class.
func hasClass(s string, class uint8) bool {
	for i := 0; i < len(s); i++ {
		if cellClass[s[i]]&class != 0 {
			return true
		}
	}
	return false
}

// startsFormula reports whether a spreadsheet would evaluate a cell that
// begins with s: its first character after spaces and double quotes is a
// formula trigger.
func startsFormula(s string) bool {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '"') {
		i++
	}
	return i < len(s) && cellClass[s[i]]&classFormula != 0
}
