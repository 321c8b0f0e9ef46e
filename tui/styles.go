package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// Styles holds every lipgloss style of the TUI. It is a value built once per
// background (dark or light) so that sessions over SSH each get their own.
// With colour disabled (NO_COLOR) emphasis relies on bold, faint and reverse
// only, so every state stays readable on a monochrome terminal.
type Styles struct {
	NoColor bool

	Header     lipgloss.Style
	HeaderUser lipgloss.Style
	Title      lipgloss.Style
	Subtitle   lipgloss.Style
	Muted      lipgloss.Style
	Bold       lipgloss.Style
	Label      lipgloss.Style

	Selected lipgloss.Style
	Cursor   lipgloss.Style

	StatusOK    lipgloss.Style
	StatusError lipgloss.Style
	StatusInfo  lipgloss.Style

	Yes        lipgloss.Style
	No         lipgloss.Style
	Partial    lipgloss.Style
	NA         lipgloss.Style
	Unanswered lipgloss.Style
	Inherited  lipgloss.Style
	Unsaved    lipgloss.Style

	BarFull  lipgloss.Style
	BarEmpty lipgloss.Style

	Panel     lipgloss.Style
	Separator lipgloss.Style

	// marks are the rendered outcome marks of the checklist rows, built
	// once: rendering them per row per frame was most of a keystroke's cost.
	marks map[checklist.Outcome]string
}

func (s Styles) withMarks() Styles {
	s.marks = map[checklist.Outcome]string{
		checklist.OutcomeNone:          s.Unanswered.Render("  ·  "),
		checklist.OutcomeYes:           s.Yes.Render(" sì  "),
		checklist.OutcomeNo:            s.No.Render(" NO  "),
		checklist.OutcomePartial:       s.Partial.Render(" parz"),
		checklist.OutcomeNotApplicable: s.NA.Render(" n.a."),
		// A negative question (compliant_answer: no): "no" is compliant.
		negativeMark(checklist.OutcomeNo):  s.Yes.Render(" no  "),
		negativeMark(checklist.OutcomeYes): s.No.Render(" SÌ  "),
	}
	return s
}

// negativeMark is the marks key of an answer to a negative question.
func negativeMark(o checklist.Outcome) checklist.Outcome { return "!" + o }

// NewStyles builds the styles for a dark or light background.
func NewStyles(isDark, noColor bool) Styles {
	if noColor {
		return plainStyles().withMarks()
	}
	ld := lipgloss.LightDark(isDark)
	accent := ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#A78BFA"))
	muted := ld(lipgloss.Color("#6B6B6B"), lipgloss.Color("#8A8A8A"))
	green := ld(lipgloss.Color("#1B7F3B"), lipgloss.Color("#4ADE80"))
	red := ld(lipgloss.Color("#B42318"), lipgloss.Color("#F87171"))
	amber := ld(lipgloss.Color("#A15C00"), lipgloss.Color("#FBBF24"))
	blue := ld(lipgloss.Color("#1D4ED8"), lipgloss.Color("#60A5FA"))
	selBg := ld(lipgloss.Color("#E4DEFA"), lipgloss.Color("#3B2F6B"))
	fg := ld(lipgloss.Color("#1A1A1A"), lipgloss.Color("#EDEDED"))

	return Styles{
		Header:      lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(accentBg(isDark)),
		HeaderUser:  lipgloss.NewStyle().Foreground(lipgloss.Color("#FFFFFF")).Background(accentBg(isDark)),
		Title:       lipgloss.NewStyle().Bold(true).Foreground(accent),
		Subtitle:    lipgloss.NewStyle().Bold(true).Foreground(fg),
		Muted:       lipgloss.NewStyle().Foreground(muted),
		Bold:        lipgloss.NewStyle().Bold(true),
		Label:       lipgloss.NewStyle().Foreground(muted),
		Selected:    lipgloss.NewStyle().Bold(true).Background(selBg).Foreground(fg),
		Cursor:      lipgloss.NewStyle().Bold(true).Foreground(accent),
		StatusOK:    lipgloss.NewStyle().Foreground(green),
		StatusError: lipgloss.NewStyle().Bold(true).Foreground(red),
		StatusInfo:  lipgloss.NewStyle().Foreground(blue),
		Yes:         lipgloss.NewStyle().Foreground(green),
		No:          lipgloss.NewStyle().Bold(true).Foreground(red),
		Partial:     lipgloss.NewStyle().Foreground(amber),
		NA:          lipgloss.NewStyle().Foreground(muted),
		Unanswered:  lipgloss.NewStyle().Foreground(muted),
		Inherited:   lipgloss.NewStyle().Foreground(blue),
		Unsaved:     lipgloss.NewStyle().Bold(true).Foreground(red),
		BarFull:     lipgloss.NewStyle().Foreground(accent),
		BarEmpty:    lipgloss.NewStyle().Foreground(muted),
		Panel:       lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, false, true).BorderForeground(muted).PaddingLeft(1),
		Separator:   lipgloss.NewStyle().Foreground(muted),
	}.withMarks()
}

func accentBg(isDark bool) color.Color {
	return lipgloss.LightDark(isDark)(lipgloss.Color("#5A3FC0"), lipgloss.Color("#4C3A9E"))
}

func plainStyles() Styles {
	n := lipgloss.NewStyle
	return Styles{
		NoColor:     true,
		Header:      n().Bold(true).Reverse(true),
		HeaderUser:  n().Reverse(true),
		Title:       n().Bold(true),
		Subtitle:    n().Bold(true),
		Muted:       n().Faint(true),
		Bold:        n().Bold(true),
		Label:       n(),
		Selected:    n().Reverse(true),
		Cursor:      n().Bold(true),
		StatusOK:    n(),
		StatusError: n().Bold(true),
		StatusInfo:  n(),
		Yes:         n(),
		No:          n().Bold(true),
		Partial:     n(),
		NA:          n().Faint(true),
		Unanswered:  n().Faint(true),
		Inherited:   n().Italic(true),
		Unsaved:     n().Bold(true),
		BarFull:     n(),
		BarEmpty:    n().Faint(true),
		Panel:       n().Border(lipgloss.NormalBorder(), false, false, false, true).PaddingLeft(1),
		Separator:   n().Faint(true),
	}
}

// bandStyle colours a risk band from the catalogue's hex colour, falling
// back to the band's position when the catalogue gives none.
func (s Styles) bandStyle(hex string, index, total int) lipgloss.Style {
	if s.NoColor {
		if index >= total-1 && total > 1 {
			return lipgloss.NewStyle().Bold(true).Reverse(true)
		}
		return lipgloss.NewStyle()
	}
	if hex == "" {
		palette := []string{"#2E7D32", "#F9A825", "#EF6C00", "#C62828"}
		i := index
		if total > 1 {
			i = index * (len(palette) - 1) / (total - 1)
		}
		hex = palette[min(i, len(palette)-1)]
	}
	return lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color(hex))
}
