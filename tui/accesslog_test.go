package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// logSampleAccesses writes a few entries through the real access log API:
// a finished session, a refused key, a refused address and a session still
// open, one a few minutes after the other.
func logSampleAccesses(t testing.TB, s *storage.Store) {
	t.Helper()
	at := testNow.Add(-time.Hour)
	seq, err := s.LogAccess(storage.AccessEntry{At: at, User: "mario.rossi", Fingerprint: "SHA256:q8V3mM2nKcX1Rr7pLw0aTt5YbZ9uE4fGhJkLmNoPqRs",
		Remote: "10.0.0.12:52114", Accepted: true, Session: "tui"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EndAccess(seq, at.Add(42*time.Minute+5*time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, e := range []storage.AccessEntry{
		{At: at.Add(50 * time.Minute), Fingerprint: "SHA256:Zz1xYy2wVv3uTt4sRr5qPp6oOn7mMl8kKj9iIh0gGf", Remote: "192.0.2.7:40022",
			Reason: "chiave pubblica sconosciuta SHA256:Zz1xYy2wVv3uTt4sRr5qPp6oOn7mMl8kKj9iIh0gGf"},
		{At: at.Add(55 * time.Minute), User: "anna.bianchi", Fingerprint: "SHA256:Aa1bBc2cDd3eEf4fGg5hHi6iJj7kKl8lMm9nNo0oPp", Remote: "192.0.2.8:40100",
			Reason: "indirizzo di provenienza 192.0.2.8 non ammesso per l'utente anna.bianchi (reti consentite: 10.0.0.0/8)"},
		{At: at.Add(58 * time.Minute), User: "it.admin", Fingerprint: "SHA256:Ad1mMi2nNk3eEy4yYy5zZz6aAb7bBc8cCd9dDe0eEf", Remote: "10.0.0.2:60000",
			Accepted: true, Session: "tui"},
	} {
		if _, err := s.LogAccess(e); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAccessLogForAdmins(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	logSampleAccesses(t, s)
	h := newHarness(t, Options{Store: s, User: "it.admin", Role: checklist.RoleAdmin}, 120, 30)
	h.requireScreen("L registro accessi")
	h.press("L")
	if _, ok := h.m.top().(*accessLogPage); !ok {
		t.Fatalf("L opened %T:\n%s", h.m.top(), h.screen())
	}
	h.requireScreen(
		"Registro accessi", "Data/ora", "Utente", "Chiave", "Indirizzo", "Durata", "Esito",
		"22/11/2026 09:30", "mario.rossi", "q8V3mM2nKcX1…", "10.0.0.12 ", "42m5s", "accesso (tui)",
		"rifiutato: chiave pubblica",
		"rifiutato: indirizzo di provenienz",
		"in corso",
		"1 di 4 voci",
	)
	// Newest first.
	screen := h.screen()
	order := []string{"it.admin ", "anna.bianchi", "192.0.2.7", "mario.rossi"}
	last := -1
	for _, w := range order {
		i := strings.Index(screen, w)
		if i <= last {
			t.Fatalf("%q out of order (newest first):\n%s", w, screen)
		}
		last = i
	}
	// The selected entry is shown in full under the table.
	h.press("down", "down")
	h.requireScreen("3 di 4 voci", "utente sconosciuto da 192.0.2.7:40022", "Rifiutato: chiave pubblica sconosciuta SHA256:Zz1xYy2wVv3uTt4sRr5qPp6oOn7mMl8kKj9iIh0gGf")

	// Esc goes back; opening it again reads the log again.
	h.press("esc")
	if _, ok := h.m.top().(*homePage); !ok {
		t.Fatalf("esc left %T on top", h.m.top())
	}
	if _, err := s.LogAccess(storage.AccessEntry{At: testNow, User: "luca.verdi", Remote: "10.0.0.9:1000", Accepted: true, Session: "audit list --json"}); err != nil {
		t.Fatal(err)
	}
	h.press("L")
	h.requireScreen("luca.verdi", "accesso (audit list --json)", "1 di 5 voci")
}

func TestAccessLogScrolls(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	for i := range 60 {
		if _, err := s.LogAccess(storage.AccessEntry{At: testNow.Add(time.Duration(i) * time.Minute), User: fmt.Sprintf("utente%02d", i),
			Remote: "10.0.0.1:22", Accepted: true, Session: "tui"}); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, Options{Store: s, Role: checklist.RoleAdmin}, 80, 24)
	h.press("L")
	h.requireScreen("utente59", "1 di 60 voci")
	if strings.Contains(h.screen(), "utente00") {
		t.Fatal("the oldest entry is visible on the first page")
	}
	h.press("G")
	h.requireScreen("utente00", "60 di 60 voci")
	if strings.Contains(h.screen(), "utente59") {
		t.Fatal("the newest entry is still visible at the end")
	}
	h.press("g")
	h.requireScreen("utente59", "1 di 60 voci")
	if n := strings.Count(h.screen(), "\n") + 1; n != 24 {
		t.Fatalf("frame has %d lines, want 24", n)
	}
}

func TestAccessLogEmpty(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	h := newHarness(t, Options{Store: s, Role: checklist.RoleAdmin}, 80, 24)
	h.press("L")
	h.requireScreen("Registro accessi vuoto")
}

func TestAccessLogRefusedToNonAdmins(t *testing.T) {
	t.Parallel()
	for _, role := range []checklist.Role{checklist.RoleViewer, checklist.RoleAuditor} {
		t.Run(string(role), func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			logSampleAccesses(t, s)
			h := newHarness(t, Options{Store: s, Role: role}, 120, 30)
			if strings.Contains(h.screen(), "registro accessi") {
				t.Fatalf("home help offers the access log to a %s:\n%s", role, h.screen())
			}
			h.press("?")
			if strings.Contains(h.screen(), "registro accessi") {
				t.Fatalf("full help offers the access log to a %s:\n%s", role, h.screen())
			}
			h.press("?", "L")
			if _, ok := h.m.top().(*homePage); !ok {
				t.Fatalf("a %s opened %T", role, h.m.top())
			}
			h.requireScreen("✗ Solo un amministratore può consultare il registro degli accessi: il ruolo «" + role.Label() + "» non lo consente")
			if strings.Contains(h.screen(), "mario.rossi") {
				t.Fatal("access log entries shown to a non-admin")
			}
		})
	}
}

// TestAccessLogShowsNoControlCharacters: entries written before the server
// cleaned them may hold terminal escapes typed by a client; the page shows
// them as visible escapes and never sends them to the admin's terminal.
func TestAccessLogShowsNoControlCharacters(t *testing.T) {
	t.Parallel()
	const evil = "audit list \x1b]0;X\x07 \x1b[2J\nfalsa riga\u009b31m"
	const shown = `audit list \x1b]0;X\x07 \x1b[2J\x0afalsa riga\x9b31m`
	tests := []struct {
		name  string
		entry storage.AccessEntry
		want  string // in the table or in the detail under it
	}{
		{"session", storage.AccessEntry{User: "mario", Remote: "10.0.0.1:22", Accepted: true, Session: evil}, "accesso (" + shown},
		{"reason", storage.AccessEntry{User: "mario", Remote: "10.0.0.1:22", Reason: evil}, "Rifiutato: " + shown},
		{"user", storage.AccessEntry{User: "x\x1b[2Jy", Remote: "10.0.0.1:22", Accepted: true, Session: "tui"}, `x\x1b[2Jy da`},
		{"remote", storage.AccessEntry{User: "mario", Remote: "10.0.0.1\x1b[2J:22", Accepted: true, Session: "tui"}, `da 10.0.0.1\x1b[2J:22`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			tc.entry.At = testNow
			if _, err := s.LogAccess(tc.entry); err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, Options{Store: s, User: "it.admin", Role: checklist.RoleAdmin}, 200, 30)
			h.press("L")
			h.requireScreen("1 di 1 voci")
			raw := h.m.View().Content
			for _, bad := range []string{"\x1b]", "\x07", "\x1b[2J", "falsa riga\n", "\n" + "falsa riga", "\u009b"} {
				if strings.Contains(raw, bad) {
					t.Errorf("frame holds %q from the log entry", bad)
				}
			}
			if !strings.Contains(raw, tc.want) {
				t.Errorf("frame lacks %q:\n%s", tc.want, raw)
			}
		})
	}
}
