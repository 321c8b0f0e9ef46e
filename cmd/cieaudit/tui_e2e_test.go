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

// quit presses ctrl+c and waits for the program to end.
func (s *tuiTerminal) quit() {
	s.t.Helper()
	s.send("C-c")
	s.waitFor("the program to exit", func(string) bool {
		_, err := s.tmux("has-session", "-t", s.name)
		return err != nil
	})
}

// waitFor polls the screen until cond holds, failing with the last screen
// after the timeout.
func (s *tuiTerminal) waitFor(what string, cond func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(minScreenWait)
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

// openDemoPostazione starts the real binary on a new demo database in a
// detached tmux session of w×h on its own server socket, as user e2e, and
// opens the first postazione's checklist. It skips without tmux.
func openDemoPostazione(t *testing.T, w, h int) (s *tuiTerminal, db, id string) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux non disponibile")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	db = filepath.Join(dir, "e2e.db")
	id = strings.TrimSpace(mustRun(t, db, "demo"))

	s = &tuiTerminal{t: t, socket: filepath.Join(dir, "tmux.sock"), name: "e2e"}
	command := fmt.Sprintf("env CIEAUDIT_USER=e2e TERM=xterm-256color %s --db %s --audit %s", bin, db, id)
	if out, err := s.tmux("new-session", "-d", "-s", s.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), command); err != nil {
		t.Fatalf("tmux new-session: %v %s", err, out)
	}
	t.Cleanup(func() { s.tmux("kill-server") })

	s.waitText("Ambito")
	// Ente, the two sedi, then the first postazione.
	s.send("Down", "Down", "Down")
	s.waitText("▸ Postazione PG0991A01")
	s.send("Enter")
	return s, db, id
}

// TestTUIEndToEnd opens the demo audit in the real binary, answers two
// items of a postazione with single keys and checks them with audit show.
func TestTUIEndToEnd(t *testing.T) {
	t.Parallel()
	s, db, id := openDemoPostazione(t, 100, 30)
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

	s.quit()

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

var (
	tuiProgress         = regexp.MustCompile(`Postazione PG0991A01 · (\d+)/(\d+) risposte`)
	tuiFirstRowSelected = regexp.MustCompile(`(?m)^FISICA\s*\n FIS · .*\n▸ `)
)

// TestTUIWalkPostazioneOneKeyPerItem walks a whole postazione of the demo in
// the real binary at 80×24: its checklist lists only its own items, and each
// esito item takes one key (s, n, p in turn), the cursor moving on to the
// next own item by itself. The one text item refuses s and is answered
// through its form. audit show --json must then hold every answer.
func TestTUIWalkPostazioneOneKeyPerItem(t *testing.T) {
	t.Parallel()
	s, db, id := openDemoPostazione(t, 80, 24)
	screen := s.waitText("voci ereditate nascoste")
	m := tuiProgress.FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no progress in the header:\n%s", screen)
	}
	total := m[2]
	s.send("g")
	s.waitFor("the cursor on the first item", func(screen string) bool {
		return tuiFirstRowSelected.MatchString(screen)
	})

	cursor := func(screen string) string {
		if m := tuiCursorItem.FindStringSubmatch(screen); m != nil {
			return m[1]
		}
		return ""
	}
	keys := []struct{ key, value string }{{"s", "si"}, {"n", "no"}, {"p", "parziale"}}
	answered := map[string]string{}
	esitoKeys, formItems := 0, 0
	noted := ""
	for n := 0; ; n++ {
		if n > 100 {
			t.Fatal("the walk does not end")
		}
		screen := s.capture()
		item := cursor(screen)
		if item == "" {
			t.Fatalf("no cursor on screen:\n%s", screen)
		}
		if _, done := answered[item]; done {
			break // the last item: the cursor stayed on it
		}
		k := keys[len(answered)%len(keys)]
		s.send(k.key)
		screen = s.waitFor("the answer saved or refused", func(screen string) bool {
			return strings.Contains(screen, "Salvato: risposta "+item) || strings.Contains(screen, item+" chiede")
		})
		if strings.Contains(screen, item+" chiede") {
			// A value item: s is refused, invio opens its form.
			formItems++
			s.send("Enter")
			s.waitText(item + " — risposta")
			s.send("C-u") // the form holds the current value
			// Value, invio, note, invio in one write, as fast typing
			// does: each must land in its own field.
			s.send("Windows 11", "Enter", "Aggiornato a novembre", "Enter")
			s.waitText("Salvato: risposta " + item)
			answered[item] = "Windows 11"
			noted = item
		} else {
			esitoKeys++
			answered[item] = k.value
		}
		s.waitFor("the cursor to move on or stay on the last item", func(screen string) bool {
			c := cursor(screen)
			return c != "" && (c != item || strings.Contains(screen, total+"/"+total+" risposte"))
		})
	}
	s.waitText(total + "/" + total + " risposte")
	if fmt.Sprint(len(answered)) != total || esitoKeys+formItems != len(answered) {
		t.Fatalf("answered %d items (%d with one key, %d through a form), the postazione has %s", len(answered), esitoKeys, formItems, total)
	}
	t.Logf("%d items: %d answered with one key each, %d through their form", len(answered), esitoKeys, formItems)

	s.quit()
	var shown struct {
		Answers []struct {
			Scope, Item, Value, Note, Author string
		} `json:"answers"`
	}
	out := mustRun(t, db, "audit", "show", id, "--json")
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("audit show --json: %v\n%s", err, out)
	}
	stored := map[string]string{}
	for _, a := range shown.Answers {
		if a.Scope == "postazione:PG0991A01" {
			stored[a.Item] = a.Value + " by " + a.Author
			if a.Item == noted && a.Note != "Aggiornato a novembre" {
				t.Errorf("%s note = %q, want the note typed after the value", a.Item, a.Note)
			}
		}
	}
	for item, value := range answered {
		// Giving an answer its current value again changes nothing, so
		// its author stays the demo's.
		if got := stored[item]; got != value+" by e2e" && got != value+" by demo" {
			t.Errorf("%s = %q, want %q", item, got, value)
		}
	}
	if len(stored) != len(answered) {
		t.Errorf("stored %d answers for the postazione, walked %d", len(stored), len(answered))
	}
}
