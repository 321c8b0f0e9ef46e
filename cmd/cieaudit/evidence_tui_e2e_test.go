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

var evidenceTitle = regexp.MustCompile(`Allegati di ([A-Z]+-\d+)`)

// TestServeE2ETUIEvidenceHint: over SSH the TUI's evidence list shows the
// command that attaches a file from the user's computer; that command, as
// shown, pasted into a shell with the file, attaches it to the item the TUI
// was on, and the list on screen shows it.
func TestServeE2ETUIEvidenceHint(t *testing.T) {
	t.Parallel()
	requireTools(t, "sh")
	s := newE2ESetup(t)
	srv := startServe(t, s.db)
	ts := srv.tmuxSSH(t, s.auditor, "anna")
	ts.waitScreen(t, "Comune di Prova", 15*time.Second)
	ts.keys(t, "Enter")
	ts.waitScreen(t, "Avanzamento", 5*time.Second)
	ts.keys(t, "Enter") // the ente's checklist
	ts.waitScreen(t, "risposte", 5*time.Second)
	ts.keys(t, "a")
	m := evidenceTitle.FindStringSubmatch(ts.waitScreen(t, "Allegati di ", 5*time.Second))
	if m == nil {
		t.Fatalf("no evidence list on screen:\n%s", ts.screen(t))
	}
	item := m[1]
	ts.waitScreen(t, "0 file", 5*time.Second)
	ts.keys(t, "a")
	screen := ts.waitScreen(t, "evidence add", 5*time.Second)

	// The command as a user copies it: from "ssh -p" to the line without a
	// trailing backslash.
	var lines []string
	for _, l := range strings.Split(screen, "\n") {
		l = strings.TrimRight(l, " ")
		if len(lines) == 0 && !strings.HasPrefix(l, "ssh -p ") {
			continue
		}
		lines = append(lines, l)
		if !strings.HasSuffix(l, `\`) {
			break
		}
	}
	shown := strings.Join(lines, "\n")
	want := "ssh -p " + srv.port + " 127.0.0.1 evidence add " + s.audit + " --scope ente --item " + item + " - < FILE"
	if joined := strings.ReplaceAll(shown, " \\\n  ", " "); joined != want {
		t.Fatalf("the TUI shows\n%s\nwant\n%s", shown, want)
	}

	file := filepath.Join(s.dir, "verbale.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Pasted into a shell where ssh carries the test's key and options
	// (what a user's ~/.ssh/config does), FILE replaced by the file.
	opts := quoteAll(srv.sshArgs(s.auditor))
	script := "ssh() { command ssh " + strings.Join(opts, " ") + ` "$@"; }` + "\n" +
		strings.Replace(shown, "< FILE", "< "+quoteAll([]string{file})[0], 1) + "\n"
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = os.Environ()
	r := runProcess(t, cmd)
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != "al-1" {
		t.Fatalf("the shown command: exit %d, stdout %q, stderr %q\n%s", r.Code, r.Stdout, r.Stderr, script)
	}
	// The server tells the session; the list updates by itself.
	ts.waitScreen(t, "1 file", 5*time.Second)
	ts.waitScreen(t, "documento PDF", time.Second)

	list := srv.ssh(t, s.auditor, "anna", "evidence", "list", s.audit, "--json")
	if list.Code != 0 || !strings.Contains(list.Stdout, `"scope": "ente"`) || !strings.Contains(list.Stdout, `"item": "`+item+`"`) {
		t.Fatalf("evidence list: exit %d\n%s%s", list.Code, list.Stdout, list.Stderr)
	}
}

// TestTUIEvidenceAddByPathEndToEnd attaches a file by its path in the real
// binary at 80×24: a folder is refused in the form with the CLI's sentence,
// the file is attached with a note, and evidence list has it.
func TestTUIEvidenceAddByPathEndToEnd(t *testing.T) {
	t.Parallel()
	s, db, id := openDemoPostazione(t, 80, 24)
	m := tuiCursorItem.FindStringSubmatch(s.waitText("risposte · filtro"))
	if m == nil {
		t.Fatalf("no item under the cursor:\n%s", s.capture())
	}
	item := m[1]
	dir := t.TempDir()
	file := filepath.Join(dir, "foto.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.send("a")
	s.waitText("Allegati di " + item)
	s.send("a")
	s.waitText("Percorso del file")
	s.send("-l", dir)
	s.send("Enter")
	refusal := "il file da allegare " + dir + " non è un file regolare ma una cartella: indicare un file"
	s.waitFor(fmt.Sprintf("%q", refusal), func(screen string) bool {
		return strings.Contains(strings.Join(strings.Fields(screen), " "), refusal)
	})
	s.send("C-u")
	s.send("-l", file)
	s.send("Enter")
	s.waitText("Nome dell'allegato")
	s.send("Enter")
	s.send("-l", "porta chiusa")
	s.send("Enter")
	s.waitText("Salvato: allegato al-1 «foto.pdf» a " + item)
	s.waitText("Nota: porta chiusa")
	s.send("Escape")
	s.waitText("[1]")
	s.quit()

	var doc struct {
		Evidence []struct {
			Scope, Item, Name, Note, Type, Author string
		} `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "evidence", "list", id, "--json")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Evidence) != 1 {
		t.Fatalf("evidence: %+v", doc.Evidence)
	}
	e := doc.Evidence[0]
	if e.Scope != "postazione:PG0991A01" || e.Item != item || e.Name != "foto.pdf" || e.Note != "porta chiusa" || e.Type != "application/pdf" || e.Author != "e2e" {
		t.Fatalf("stored %+v", e)
	}
}
