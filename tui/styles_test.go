package tui

import (
	"regexp"
	"testing"
)

var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*[34]8;`)

func TestNoColorDrawsWithoutColours(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		noColor  bool
		isDark   bool
		wantColr bool
	}{
		{"NO_COLOR", true, true, false},
		{"scuro", false, true, true},
		{"chiaro", false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			id := createSample(t, s)
			h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
			h.m.noColor, h.m.isDark = tc.noColor, tc.isDark
			h.m.applyStyles()
			h.openScope(postPG01)
			got := colourSGR.MatchString(h.m.View().Content)
			if got != tc.wantColr {
				t.Fatalf("colour escapes present = %v, want %v", got, tc.wantColr)
			}
		})
	}
}

func TestLightAndDarkStylesDiffer(t *testing.T) {
	t.Parallel()
	dark, light := NewStyles(true, false), NewStyles(false, false)
	if dark.Title.Render("x") == light.Title.Render("x") {
		t.Fatal("title is drawn the same on dark and light backgrounds")
	}
}

func TestNewHonoursNoColorEnv(t *testing.T) {
	for _, env := range []string{"", "1"} {
		t.Setenv("NO_COLOR", env)
		m := New(Options{Store: openTestStore(t)})
		if m.noColor != (env != "") {
			t.Errorf("NO_COLOR=%q: noColor = %v", env, m.noColor)
		}
	}
}
