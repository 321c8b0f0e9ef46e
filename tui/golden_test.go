package tui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestGoldenScreens pins the main screens at the two reference sizes. Run
// with -update after an intended change and review the diff.
func TestGoldenScreens(t *testing.T) {
	t.Parallel()
	screens := []struct {
		name  string
		color bool
		drive func(h *harness)
	}{
		{name: "home", drive: func(h *harness) { h.press("esc") }},
		{name: "overview", drive: func(h *harness) { h.press("down", "down", "down") }},
		{name: "checklist", drive: func(h *harness) { h.openScope(postPG01); h.moveTo("TEC-01") }},
		{name: "checklist_colour", color: true, drive: func(h *harness) { h.openScope(postPG01); h.moveTo("FIS-01") }},
		{name: "close", drive: func(h *harness) { h.press("c") }},
		{name: "risk", drive: func(h *harness) { h.press("r") }},
		{name: "help", drive: func(h *harness) { h.openScope(postPG01); h.press("?") }},
		{name: "note_form", drive: func(h *harness) { h.openScope(postPG01); h.moveTo("TEC-01"); h.press("e") }},
	}
	sizes := [][2]int{{80, 24}, {120, 40}}
	for _, sc := range screens {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				t.Parallel()
				s := openTestStore(t)
				id := createSample(t, s)
				h := newHarness(t, Options{Store: s, AuditID: id}, size[0], size[1])
				if sc.color {
					h.m.noColor = false
					h.m.applyStyles()
				}
				sc.drive(h)
				golden.RequireEqual(t, []byte(h.m.View().Content))
			})
		}
	}
}
