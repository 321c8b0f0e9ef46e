package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cieaudit/cieaudit/checklist"
)

// bar draws a progress bar of width cells for done out of total.
func (s Styles) bar(done, total, width int) string {
	if width <= 0 {
		return ""
	}
	filled := width
	if total > 0 {
		// Clamped: a count past its total must draw a full bar, not panic.
		filled = min(max(done*width/total, 0), width)
	}
	return s.BarFull.Render(strings.Repeat("█", filled)) + s.BarEmpty.Render(strings.Repeat("░", width-filled))
}

// pad truncates or pads s (which may hold ANSI styles) to exactly w cells.
func pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if len(s) <= w && isASCII(s) {
		return s + strings.Repeat(" ", w-len(s))
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0x1b {
			return false
		}
	}
	return true
}

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw >= w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-sw) + s
}

// wrap word-wraps plain text to w cells.
func wrap(s string, w int) string {
	if w <= 0 {
		return s
	}
	return ansi.Wordwrap(s, w, "")
}

// scrollWindow returns the first visible row so that cursor stays inside a
// window of height rows.
func scrollWindow(offset, cursor, height, total int) int {
	if height <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+height {
		offset = cursor - height + 1
	}
	return max(min(offset, total-height), 0)
}

// outcomeMark is the short mark of an answer in a list row.
func (s Styles) outcomeMark(it *checklist.Item, value string) string {
	if value == "" {
		return s.marks[checklist.OutcomeNone]
	}
	switch it.Answer.Kind {
	case checklist.KindOutcome, "":
		if it.Negative() {
			if m, ok := s.marks[negativeMark(checklist.Outcome(value))]; ok {
				return m
			}
		}
		if m, ok := s.marks[checklist.Outcome(value)]; ok {
			return m
		}
	case checklist.KindChoice:
		a := checklist.Answer{Value: value}
		switch a.Outcome(it) {
		case checklist.OutcomeYes:
			return s.Yes.Render(pad(" "+checklist.DisplayValue(it, value), 5))
		case checklist.OutcomeNo:
			return s.No.Render(pad(" "+checklist.DisplayValue(it, value), 5))
		case checklist.OutcomePartial:
			return s.Partial.Render(pad(" "+checklist.DisplayValue(it, value), 5))
		}
	}
	return pad(" "+checklist.DisplayValue(it, value), 5)
}

// navigate moves a list cursor by the navigation keys: up, down, page up
// and down (page rows), home and end over n rows. ok is false when msg is
// not a navigation key.
func navigate(k NavKeys, msg tea.KeyPressMsg, cursor, n, page int) (_ int, ok bool) {
	last := max(n-1, 0)
	switch {
	case key.Matches(msg, k.Up):
		return max(cursor-1, 0), true
	case key.Matches(msg, k.Down):
		return min(cursor+1, last), true
	case key.Matches(msg, k.Home):
		return 0, true
	case key.Matches(msg, k.End):
		return last, true
	case key.Matches(msg, k.PageDown):
		return min(cursor+page, last), true
	case key.Matches(msg, k.PageUp):
		return max(cursor-page, 0), true
	}
	return cursor, false
}

// evidenceMarkW is the width of the evidence count in a checklist row.
const evidenceMarkW = 4

// evidenceMark is the number of files attached to an item in a checklist
// row, " [2]" ("99+" past 99), in ASCII so that it keeps its width in any
// terminal and font.
func evidenceMark(n int) string {
	if n > 99 {
		return padLeft("99+", evidenceMarkW)
	}
	return padLeft(fmt.Sprintf("[%d]", n), evidenceMarkW)
}

// percent formats a share with one decimal, Italian style.
func percent(p float64) string {
	return strings.Replace(fmt.Sprintf("%.0f%%", p), ".", ",", 1)
}
