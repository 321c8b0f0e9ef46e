package tui

import (
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// TestTextLimitValidate: the note and evaluation fields refuse what the
// store would refuse (checklist.CheckTextLength), with its message.
func TestTextLimitValidate(t *testing.T) {
	tests := []struct {
		text string
		want string // "" accepted
	}{
		{"", ""},
		{strings.Repeat("a", checklist.MaxTextBytes), ""},
		{"  " + strings.Repeat("a", checklist.MaxTextBytes) + "\n", ""}, // trimmed as stored
		{strings.Repeat("a", checklist.MaxTextBytes+1), "nota: testo troppo lungo (65537 byte)"},
	}
	for _, tt := range tests {
		err := textLimit("nota")(tt.text)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("textLimit(%d bytes) = %v, want %q", len(tt.text), err, tt.want)
		}
	}
}
