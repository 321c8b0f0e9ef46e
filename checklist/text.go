package checklist

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CleanText is free text as cieaudit keeps and shows it: trimmed, and with
// everything a terminal would act on written as a visible escape such as
// \x1b: C0 and C1 control characters and DEL, the Unicode line and
// paragraph separators, the bidirectional overrides, and invalid UTF-8.
// Multi-line text keeps its line breaks and tabs. Notes, answers and what
// SSH clients send are shown on other people's terminals and printed in
// reports: none of it may repaint a screen, forge a log line or reverse
// text.
func CleanText(s string, multiline bool) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	unsafe := func(r rune) bool { return unsafeRune(r, multiline) }
	if utf8.ValidString(s) && !strings.ContainsFunc(s, unsafe) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafe(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func unsafeRune(r rune, multiline bool) bool {
	switch {
	case multiline && (r == '\n' || r == '\t'):
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c: // bidi controls
		return true
	}
	return false
}

// MaxTextBytes bounds every free text an audit holds (an answer's note or
// text, a section's evaluation, an evidence file's note, and on import
// every text of the bundle), wherever it is typed or imported: about 30
// pages of typed text, far more than a note needs, while a note of 100 MiB
// took 740 MB of memory to import and would reach every report. Bytes, not
// characters: memory and the database are what it protects.
const MaxTextBytes = 64 << 10

// CheckTextLength refuses a text longer than MaxTextBytes; what is the
// field's Italian name ("nota", "valutazione").
func CheckTextLength(what, s string) error { return checkTextBytes(what, s, MaxTextBytes) }

// MaxHistoryTextBytes bounds the old and new text of one history entry in
// an imported bundle: an entry holds texts bounded by MaxTextBytes, or the
// perimeter's change in one edit (every postazione added), which has no
// fixed bound but stays far below this.
const MaxHistoryTextBytes = 4 << 20

func checkTextBytes(what, s string, limit int) error {
	if len(s) > limit {
		unit := fmt.Sprintf("%d KiB", limit>>10)
		if limit%(1<<20) == 0 {
			unit = fmt.Sprintf("%d MiB", limit>>20)
		}
		return fmt.Errorf("%s: testo troppo lungo (%d byte), al massimo %d byte (%s)", what, len(s), limit, unit)
	}
	return nil
}
