package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// TestHarnessIsDeterministic: the harness runs a slow command to the end
// (the old one dropped any command over 60 ms as if it were a timer) and
// leaves a timer running without waiting for it.
func TestHarnessIsDeterministic(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{Store: openTestStore(t)}, 80, 24)
	before := len(h.late)
	release := make(chan struct{})
	time.AfterFunc(150*time.Millisecond, func() { close(release) })
	h.run(func() tea.Msg {
		<-release
		return statusMsg{text: "lavoro lento finito", kind: statusOK}
	})
	if h.m.status != "lavoro lento finito" {
		t.Fatalf("status %q: the slow command's message was not fed back", h.m.status)
	}
	h.run(tea.Tick(time.Hour, func(time.Time) tea.Msg { return nil }))
	if len(h.late) != before+1 {
		t.Fatalf("%d timers left running, want %d", len(h.late), before+1)
	}
}
