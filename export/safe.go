package export

// SafeCell neutralises spreadsheet formula injection (OWASP "CSV Injection",
// ASVS 1.2.10): text whose first character would make Excel or LibreOffice
// read it as a formula or a DDE command (=, +, -, @, tab, carriage return or
// NUL) gets a leading apostrophe, which spreadsheets show as plain text.
//
// Both the CSV and the XLSX writers pass every text cell through it, so the
// two formats always agree.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', 0:
		return "'" + s
	}
	return s
}
