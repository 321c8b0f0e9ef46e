package tui

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestRandomKeysNeverBreakTheScreen presses random keys everywhere (pages,
// forms, search) and checks after each one that the frame still fits the
// window exactly. A panic fails the test too.
func TestRandomKeysNeverBreakTheScreen(t *testing.T) {
	t.Parallel()
	keys := []string{"j", "k", "j", "j", "g", "G", "enter", "enter", "esc", "s", "n", "p", "x", "e", "u", "f", "/",
		"v", "a", "S", "P", "m", "c", "r", "E", "R", "tab", "?", "down", "up", "backspace", "z", "1", "q"}
	sizes := [][2]int{{80, 24}, {120, 40}, {60, 16}}
	for seed := range uint64(monkeySeeds) {
		size := sizes[seed%uint64(len(sizes))]
		t.Run(fmt.Sprintf("seme%d_%dx%d", seed, size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			id := createSample(t, s)
			h := newHarness(t, Options{Store: s, AuditID: id}, size[0], size[1])
			rng := rand.New(rand.NewPCG(seed, 42))
			var pressed []string
			for range 150 {
				k := keys[rng.IntN(len(keys))]
				pressed = append(pressed, k)
				h.press(k)
				if h.quit {
					break
				}
				frame := h.m.View().Content
				lines := strings.Split(frame, "\n")
				if len(lines) != size[1] {
					t.Fatalf("after %v: frame has %d lines, want %d:\n%s", pressed, len(lines), size[1], ansi.Strip(frame))
				}
				for _, l := range lines {
					if w := ansi.StringWidth(l); w > size[0] {
						t.Fatalf("after %v: line of %d cells in a %d-wide window: %q", pressed, w, size[0], ansi.Strip(l))
					}
				}
			}
		})
	}
}

// monkeySeeds is how many random sessions TestRandomKeysNeverBreakTheScreen
// plays.
var monkeySeeds = 3
