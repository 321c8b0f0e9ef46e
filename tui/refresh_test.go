package tui

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// A change made by another process shows on the next poll, with a note of
// what changed; a poll that finds nothing new reloads nothing.
func TestLiveRefreshShowsOtherProcessesChanges(t *testing.T) {
	t.Parallel()
	var tick atomic.Int64
	clock := func() time.Time { return testNow.Add(time.Duration(tick.Add(1)) * time.Second) }
	s := openTestStoreClock(t, clock)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id, Refresh: time.Hour}, 80, 24)
	p := h.openScope(postPG01)
	h.moveTo("TEC-02")
	h.send(refreshMsg{})
	if h.m.status != "" {
		t.Fatalf("a poll with nothing new said %q", h.m.status)
	}

	// The CLI, in another process, answers TEC-02.
	if _, err := s.SaveAnswer(id, checklist.Answer{Scope: postPG01, Item: "TEC-02", Value: "parziale", Author: "marco"}, -1); err != nil {
		t.Fatal(err)
	}
	h.send(refreshMsg{})
	if want := "Audit aggiornato da un altro processo: TEC-02 (Postazione PG01): Non verificato → Parziale, marco"; h.m.status != want {
		t.Fatalf("status = %q, want %q", h.m.status, want)
	}
	// At 80 columns the note takes two lines rather than being cut.
	h.requireScreen("Risposta: Parziale — marco", "verificato → Parziale, marco")
	if p.curID != "TEC-02" {
		t.Fatalf("the refresh moved the cursor to %s", p.curID)
	}
	// Its own saves do not count as someone else's.
	h.press("s")
	h.send(refreshMsg{})
	h.requireScreen("Salvato: risposta TEC-02")
}

// The first answer moves a draft audit to "In corso" on screen too, and the
// filter named in the header is the one the list applies, however fast f is
// pressed.
func TestHeaderAndStatusFollowTheState(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	a, err := s.CreateAudit(sampleAudit(), "preparatore")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{Store: s, AuditID: a.ID}, 80, 24)
	h.requireScreen("Bozza")
	h.openScope(checklist.EnteScope)
	h.press("s", "esc")
	h.requireScreen("In corso")

	h.openScope(checklist.EnteScope)
	// Bubble Tea runs each key's command in its own goroutine: their
	// statuses may arrive in any order, here the worst one.
	var cmds []tea.Cmd
	for range 5 {
		_, cmd := h.m.Update(keyMsg("f"))
		cmds = append(cmds, cmd)
	}
	slices.Reverse(cmds)
	for _, c := range cmds {
		h.run(c)
	}
	h.requireScreen("filtro: non conformi", "Filtro: non conformi")
}
