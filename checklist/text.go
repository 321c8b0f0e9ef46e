package checklist

import (
	"fmt"
	"strings"
)

// CleanText is free text as the audit keeps it: trimmed, and with control
// characters (other than line breaks and tabs in multi-line text) written
// as visible escapes such as \x1b. Notes and answers are shown on other
// auditors' terminals and printed in reports: an escape sequence typed into
// a note must not be able to repaint someone else's screen.
func CleanText(s string, multiline bool) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if !strings.ContainsFunc(s, func(r rune) bool { return isControl(r, multiline) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r, multiline) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune, multiline bool) bool {
	if multiline && (r == '\n' || r == '\t') {
		return false
	}
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
}
