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
	if !strings.ContainsAny(s, formulaTriggers) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	piece := true // s[i] starts a piece
	for i := 0; i < len(s); i++ {
		if piece && startsFormula(s[i:]) {
			b.WriteByte('\'')
		}
		b.WriteByte(s[i])
		piece = strings.IndexByte(cellBreaks, s[i]) >= 0
	}
	return b.String()
}

// startsFormula reports whether a spreadsheet would evaluate a cell that
// begins with s: its first character after spaces and double quotes is a
// formula trigger.
func startsFormula(s string) bool {
	t := strings.TrimLeft(s, ` "`)
	return t != "" && strings.IndexByte(formulaTriggers, t[0]) >= 0
}
