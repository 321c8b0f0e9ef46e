package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestBarNeverPanicsAndFitsItsWidth(t *testing.T) {
	tests := []struct {
		done, total, width, full int
	}{
		{0, 10, 10, 0},
		{5, 10, 10, 5},
		{10, 10, 10, 10},
		{2412, 124, 12, 12}, // a count past its total draws a full bar
		{-3, 10, 10, 0},
		{3, 0, 8, 8},
		{3, 10, 0, 0},
	}
	var s Styles
	for _, tt := range tests {
		got := ansi.Strip(s.bar(tt.done, tt.total, tt.width))
		if n := strings.Count(got, "█"); n != tt.full || len([]rune(got)) != max(tt.width, 0) {
			t.Errorf("bar(%d, %d, %d) = %q: want %d full cells of %d", tt.done, tt.total, tt.width, got, tt.full, tt.width)
		}
	}
}
