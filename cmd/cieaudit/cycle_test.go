package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// pdfToText re-reads a PDF with pdftotext, whitespace collapsed.
func pdfToText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (CI installs poppler-utils)")
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func wantText(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s does not contain %q:\n%s", what, p, text)
		}
	}
}

// cycleToday is the day the binary works with (it runs on the real clock).
func cycleToday() (string, checklist.Quarter) {
	today := checklist.LocalDay(time.Now())
	return today, checklist.QuarterOf(today)
}

// TestCLICycleDeclaration is the story on the real binary: the
// demo's transmitted plan gives a declaration a Sindaco can sign; a new
// transmission still does; an event after it makes the declaration refused,
// naming the event, and the scheda shows the event.
func TestCLICycleDeclaration(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	today, q := cycleToday()

	out1 := filepath.Join(dir, "dich1")
	mustRun(t, db, "declaration", id, "--quarter", q.String(), "--out", out1, "--date", today)
	sha256Check(t, out1)
	pdf := filepath.Join(out1, "dichiarazione-"+q.String()+".pdf")
	text := pdfToText(t, pdf)
	wantText(t, "declaration", text, "Maria Bianchi", "Sindaco del Comune di Valdoria", q.Label(), "versione beta",
		"trasmesso a codesta Prefettura il 20/03/2026", "non ha subito variazioni", "Valdoria, "+checklist.ItalianDate(today))

	// Same data and date: the same bytes.
	out1b := filepath.Join(dir, "dich1b")
	mustRun(t, db, "declaration", id, "--quarter", q.String(), "--out", out1b, "--date", today)
	a, _ := os.ReadFile(pdf)
	b, _ := os.ReadFile(filepath.Join(out1b, "dichiarazione-"+q.String()+".pdf"))
	if !bytes.Equal(a, b) {
		t.Error("two declarations of the same quarter on the same date differ")
	}

	// A new edition transmitted today.
	r := mustRun(t, db, "plan", "set", id, "--edition", "aggiornamento", "--number", "1", "--sent-on", today, "--channel", "pec")
	wantText(t, "plan set", r, "Trasmissione registrata", "aggiornamento n. 1")
	out2 := filepath.Join(dir, "dich2")
	mustRun(t, db, "declaration", id, "--quarter", q.String(), "--out", out2, "--date", today)
	wantText(t, "declaration after the update", pdfToText(t, filepath.Join(out2, "dichiarazione-"+q.String()+".pdf")), "aggiornamento n. 1")

	// An event after it: refused, naming it, and nothing written.
	evID := strings.TrimSpace(mustRun(t, db, "event", "add", id, "--at", today+"T08:30", "--scope", "postazione:pg0991a01",
		"--description", "Tentativo di accesso con credenziali altrui", "--areas", "riservatezza", "--notified", "prefettura"))
	if evID != "ev-3" {
		t.Fatalf("event id %q, want ev-3", evID)
	}
	out3 := filepath.Join(dir, "dich3")
	res := runCLI(t, db, "declaration", id, "--quarter", q.String(), "--out", out3, "--date", today)
	if res.Code != 1 || !strings.Contains(res.Stderr, "ev-3") || !strings.Contains(res.Stderr, "cieaudit sheet --quarter "+q.String()) {
		t.Fatalf("declaration after an event: exit %d\n%s", res.Code, res.Stderr)
	}
	if _, err := os.Stat(out3); !os.IsNotExist(err) {
		t.Errorf("a refused declaration left %s behind: %v", out3, err)
	}
	out4 := filepath.Join(dir, "scheda")
	mustRun(t, db, "sheet", id, "--quarter", q.String(), "--out", out4, "--date", today)
	sha256Check(t, out4)
	sheet := pdfToText(t, filepath.Join(out4, "scheda-"+q.String()+".pdf"))
	wantText(t, "scheda", sheet, "Scheda di attuazione e monitoraggio", "Comune di Valdoria", q.Label(), "aggiornamento n. 1",
		"ev-3", "Tentativo di accesso con credenziali altrui", "Garante", "Il Sindaco", "Il responsabile della sicurezza")

	// Deadlines show the scheda of the quarter (the declaration no longer
	// holds) and the delegate without act.
	var dl struct {
		Schema    string               `json:"schema"`
		Deadlines []checklist.Deadline `json:"deadlines"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "deadlines", "--json")), &dl); err != nil || dl.Schema != "cieaudit.deadlines/v1" {
		t.Fatalf("deadlines JSON %v %q", err, dl.Schema)
	}
	kinds := map[string]bool{}
	for _, d := range dl.Deadlines {
		kinds[d.Kind] = true
	}
	for _, k := range []string{"operatore", "evento"} {
		if !kinds[k] {
			t.Errorf("deadlines lack %q: %+v", k, dl.Deadlines)
		}
	}
}

// TestCLICycleChangedOutcome: a measure's outcome changed after the
// transmission is a variation: the declaration is refused naming it, and
// the scheda shows old → new; the zip on stdout carries the PDF and its sum.
func TestCLICycleChangedOutcome(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	today, q := cycleToday()
	mustRun(t, db, "answer", id, "--scope", "ente", "--item", "ORG-01", "--value", "no")
	res := runCLI(t, db, "declaration", id, "--quarter", q.String(), "--out", "-", "--date", today)
	if res.Code != 1 || !strings.Contains(res.Stderr, "ORG-01") || !strings.Contains(res.Stderr, "Sì → No") || res.Stdout != "" {
		t.Fatalf("declaration after a changed outcome: exit %d, %d bytes on stdout\n%s", res.Code, len(res.Stdout), res.Stderr)
	}
	res = runCLI(t, db, "sheet", id, "--quarter", q.String(), "--out", "-", "--date", today)
	if res.Code != 0 {
		t.Fatalf("sheet to stdout: exit %d\n%s", res.Code, res.Stderr)
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(res.Stdout)), int64(len(res.Stdout)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	name := "scheda-" + q.String() + ".pdf"
	sum := sha256.Sum256(files[name])
	if want := hex.EncodeToString(sum[:]) + "  " + name + "\n"; string(files["SHA256SUMS"]) != want {
		t.Fatalf("zip holds %d files; SHA256SUMS %q, want %q", len(files), files["SHA256SUMS"], want)
	}
	pdf := filepath.Join(dir, name)
	os.WriteFile(pdf, files[name], 0o600)
	wantText(t, "scheda", pdfToText(t, pdf), "ORG-01", "Sì → No", "esito di una misura")
}

// TestCLICycleBadInput: usage mistakes exit 2, data the audit refuses exit
// 1, each with one Italian sentence naming the field, and nothing is
// written either way.
func TestCLICycleBadInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	planBefore := mustRun(t, db, "plan", "show", id, "--json")
	history := func() int {
		return len(mustRun(t, db, "operator", "list", id, "--json")) + len(mustRun(t, db, "event", "list", id, "--json"))
	}
	before := history()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"plan", "set", id, "--sent-on", "31/02/2026"}, 2, "--sent-on"},
		{[]string{"plan", "set", id, "--channel", "fax"}, 2, "--channel"},
		{[]string{"plan", "set", id, "--edition", "gamma"}, 2, "--edition"},
		{[]string{"plan", "set", id}, 2, "almeno un dato"},
		{[]string{"plan", "set", id, "--outcome", "rilievi"}, 1, "--outcome-note"},
		{[]string{"plan", "set", id, "--sent-on", "2026-01-01"}, 1, "--sent-on"}, // before the adoption
		{[]string{"plan", "set", "nessuno", "--edition", "beta"}, 1, "non trovato"},
		{[]string{"operator", "add", id, "--name", "X", "--role", "sindaco"}, 2, "--role"},
		{[]string{"operator", "add", id, "--name", "X", "--role", "ufficiale", "--postazione", "ZZ99"}, 1, "--postazione"},
		{[]string{"operator", "add", id, "--name", "X", "--role", "ufficiale", "--sco-delivered", "ieri"}, 2, "--sco-delivered"},
		{[]string{"operator", "revoke", id, "op-9", "--on", "2026-11-01"}, 1, "op-9"},
		{[]string{"event", "add", id, "--at", "2026-13-01", "--description", "x"}, 2, "--at"},
		{[]string{"event", "add", id, "--at", "2026-11-01", "--description", "x", "--scope", "sede:Altrove"}, 1, "--scope"},
		{[]string{"event", "add", id, "--at", "2026-11-01", "--description", "x", "--areas", "privacy"}, 2, "--areas"},
		{[]string{"event", "add", id, "--at", "2026-11-01", "--description", "x", "--notified", "sindaco"}, 2, "--notified"},
		{[]string{"event", "add", id, "--at", "2026-11-01", "--description", "x", "--threat", "T99"}, 1, "--threat"},
		{[]string{"event", "add", id, "--at", "2100-01-01", "--description", "x"}, 1, "--at"},
		{[]string{"event", "close", id, "ev-1", "--on", "2026-06-01"}, 1, "già chiuso"},
		{[]string{"sheet", id, "--quarter", "2026Q5", "--out", filepath.Join(dir, "x")}, 2, "--quarter"},
		{[]string{"declaration", id, "--quarter", "2026Q3", "--out", filepath.Join(dir, "y")}, 1, "ev-2"},
	}
	for _, tt := range tests {
		r := runCLI(t, db, tt.args...)
		msg := strings.TrimSpace(r.Stderr)
		if r.Code != tt.code || !strings.Contains(msg, tt.want) || strings.Count(msg, "\n") > 0 || !strings.HasPrefix(msg, "cieaudit: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d naming %q in one line", tt.args, r.Code, msg, tt.code, tt.want)
		}
	}
	if after := mustRun(t, db, "plan", "show", id, "--json"); after != planBefore {
		t.Errorf("refused plan changes changed the plan:\n%s\n%s", planBefore, after)
	}
	if history() != before {
		t.Error("refused register changes changed the registers")
	}
	for _, p := range []string{"x", "y"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !os.IsNotExist(err) {
			t.Errorf("refused document left %s", p)
		}
	}
}

// TestCLIRenameUpdatesRegisters: workstation rename and sede rename carry
// the new name into the operator register (postazioni used) and the
// security-event register (scope), as the lists show them.
func TestCLIRenameUpdatesRegisters(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	if got := strings.TrimSpace(mustRun(t, db, "workstation", "rename", id, "pg0991b01", "PG0991B09")); got != "postazione:PG0991B09" {
		t.Fatalf("workstation rename printed %q", got)
	}
	if got := strings.TrimSpace(mustRun(t, db, "sede", "rename", id, "municipio", "Palazzo comunale")); got != "sede:Palazzo comunale" {
		t.Fatalf("sede rename printed %q", got)
	}
	var ops struct {
		Operators []struct {
			ID         string   `json:"id"`
			Postazioni []string `json:"postazioni"`
		} `json:"operators"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "operator", "list", id, "--json")), &ops); err != nil {
		t.Fatal(err)
	}
	wantOps := map[string]string{"op-1": "PG0991A01,PG0991A02", "op-2": "PG0991A01,PG0991B09", "op-3": "PG0991B09"}
	for _, o := range ops.Operators {
		if got := strings.Join(o.Postazioni, ","); got != wantOps[o.ID] {
			t.Errorf("operator %s postazioni %s, want %s", o.ID, got, wantOps[o.ID])
		}
	}
	var evs struct {
		Events []struct {
			ID    string `json:"id"`
			Scope string `json:"scope"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "event", "list", id, "--json")), &evs); err != nil {
		t.Fatal(err)
	}
	wantEvs := map[string]string{"ev-1": "postazione:PG0991B09", "ev-2": "sede:Palazzo comunale"}
	for _, e := range evs.Events {
		if e.Scope != wantEvs[e.ID] {
			t.Errorf("event %s scope %s, want %s", e.ID, e.Scope, wantEvs[e.ID])
		}
	}
	if len(ops.Operators) != 3 || len(evs.Events) != 2 {
		t.Fatalf("%d operators and %d events, want the demo's 3 and 2", len(ops.Operators), len(evs.Events))
	}
}
