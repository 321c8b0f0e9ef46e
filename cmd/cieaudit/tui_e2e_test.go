package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tuiTerminal drives the real binary in a detached tmux session on its own
// server socket, as a user at a 100×30 terminal would.
type tuiTerminal struct {
	t      *testing.T
	socket string
	name   string
}

func (s *tuiTerminal) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

func (s *tuiTerminal) capture() string {
	out, err := s.tmux("capture-pane", "-p", "-t", s.name)
	if err != nil {
		return ""
	}
	return out
}

func (s *tuiTerminal) send(keys ...string) {
	s.t.Helper()
	if out, err := s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...); err != nil {
		s.t.Fatalf("tmux send-keys %v: %v %s", keys, err, out)
	}
}

// waitFor polls the screen until cond holds, failing with the last screen
// after the timeout.
func (s *tuiTerminal) waitFor(what string, cond func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		screen := s.capture()
		if cond(screen) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *tuiTerminal) waitText(text string) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q", text), func(screen string) bool { return strings.Contains(screen, text) })
}

var tuiCursorItem = regexp.MustCompile(`▸ ([A-Z]+-[0-9]+) `)

// TestTUIEndToEnd opens the demo audit in the real binary, answers two
// items of a postazione with single keys and checks them with audit show.
func TestTUIEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux non disponibile")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "e2e.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))

	s := &tuiTerminal{t: t, socket: filepath.Join(dir, "tmux.sock"), name: "e2e"}
	command := fmt.Sprintf("env CIEAUDIT_USER=e2e TERM=xterm-256color %s --db %s --audit %s", bin, db, id)
	if out, err := s.tmux("new-session", "-d", "-s", s.name, "-x", "100", "-y", "30", command); err != nil {
		t.Fatalf("tmux new-session: %v %s", err, out)
	}
	t.Cleanup(func() { s.tmux("kill-server") })

	s.waitText("Ambito")
	// Ente, the two sedi, then the first postazione.
	s.send("Down", "Down", "Down")
	s.waitText("▸ Postazione PG0991A01")
	s.send("Enter")
	s.waitText("risposte · filtro")

	answered := map[string]string{}
	for _, k := range []struct{ key, value string }{{"s", "si"}, {"n", "no"}} {
		for attempt := 0; ; attempt++ {
			if attempt > 10 {
				t.Fatal("no esito item found to answer")
			}
			m := tuiCursorItem.FindStringSubmatch(s.capture())
			if m == nil {
				t.Fatalf("no cursor on screen:\n%s", s.capture())
			}
			item := m[1]
			s.send(k.key)
			screen := s.waitFor("the answer saved, a value form or a refusal", func(screen string) bool {
				return strings.Contains(screen, "Salvato: risposta "+item) || strings.Contains(screen, item+" — risposta") ||
					strings.Contains(screen, item+" si risponde a livello")
			})
			if strings.Contains(screen, "Salvato: risposta "+item) {
				answered[item] = k.value
				break
			}
			if strings.Contains(screen, item+" — risposta") {
				// A numero/testo/data/scelta item: cancel.
				s.send("Escape")
				s.waitText("Modifica annullata")
			}
			// Go to the next item answered at this postazione.
			s.send("u")
			s.waitFor("the cursor to move", func(screen string) bool {
				m := tuiCursorItem.FindStringSubmatch(screen)
				return m != nil && m[1] != item
			})
		}
		s.waitFor("the cursor to leave the answered item", func(screen string) bool {
			m := tuiCursorItem.FindStringSubmatch(screen)
			return m != nil && answered[m[1]] == ""
		})
	}

	s.send("C-c")
	s.waitFor("the program to exit", func(string) bool {
		_, err := s.tmux("has-session", "-t", s.name)
		return err != nil
	})

	var shown struct {
		Answers []struct {
			Scope  string `json:"scope"`
			Item   string `json:"item"`
			Value  string `json:"value"`
			Author string `json:"author"`
		} `json:"answers"`
	}
	out := mustRun(t, db, "audit", "show", id, "--json")
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("audit show --json: %v\n%s", err, out)
	}
	for item, value := range answered {
		found := false
		for _, a := range shown.Answers {
			if a.Scope == "postazione:PG0991A01" && a.Item == item {
				found = true
				if a.Value != value || a.Author != "e2e" {
					t.Errorf("%s = %q by %q, want %q by e2e", item, a.Value, a.Author, value)
				}
			}
		}
		if !found {
			t.Errorf("answer to %s not stored", item)
		}
	}
	if len(answered) != 2 {
		t.Fatalf("answered %v, want two items", answered)
	}
	_ = os.Remove(db)
}
