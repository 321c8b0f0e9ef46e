package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

type diffOut struct {
	Old, New struct {
		ID   string
		Year int
	}
	Sections []struct {
		Scope      string
		ToReverify int `json:"to_reverify"`
		Unchanged  int
	}
	Items []struct {
		Scope, Item, Change, Old, New string
	}
	Perimeter []struct{ What, Old, New string }
	Operators []struct{ What string }
}

// demo → audit new --from → change exactly three answers and one
// postazione → audit diff --json lists exactly those; then a third year,
// and audits of different enti refused.
func TestAuditNewFromAndDiff(t *testing.T) {
	db := filepath.Join(t.TempDir(), "audit.db")
	prev := strings.TrimSpace(mustRun(t, db, "demo"))

	out := mustRun(t, db, "audit", "new", "--from", prev, "--year", "2027", "--auditor", "Bianchi")
	next := lastLine(out)
	if !strings.Contains(out, "Riporto dall'audit "+prev) || !strings.Contains(out, "\n  ") || !strings.Contains(out, "da verificare") || len(next) != 8 {
		t.Fatalf("audit new --from printed:\n%s", out)
	}
	type auditFields struct {
		Predecessor string
		Year        int
		Postazioni  []struct{ Code string }
	}
	var shown struct {
		auditFields
		Answers  []struct{ Scope, Item, Value string }
		Progress struct{ Answered int }
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "audit", "show", next, "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Predecessor != prev || shown.Year != 2027 || len(shown.Answers) != 0 || shown.Progress.Answered != 0 || len(shown.Postazioni) != 3 {
		t.Fatalf("carried audit = %+v", shown)
	}

	// Three items answered sì last year, answered no now; one postazione added.
	var old struct {
		Answers []struct{ Scope, Item, Value string }
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "audit", "show", prev, "--json")), &old); err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, a := range old.Answers {
		if a.Value == "si" && len(changed) < 3 {
			mustRun(t, db, "answer", next, "--scope", a.Scope, "--item", a.Item, "--value", "no")
			changed = append(changed, a.Scope+"/"+a.Item)
		}
	}
	if len(changed) != 3 {
		t.Fatalf("the demo has fewer than three sì answers: %v", changed)
	}
	mustRun(t, db, "workstation", "add", next, "--code", "PG0991A09", "--sede", "Municipio", "--room", "Archivio")

	raw := mustRun(t, db, "audit", "diff", prev, next, "--json")
	validateJSONOutput(t, "audit-diff", raw)
	var d diffOut
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, it := range d.Items {
		listed = append(listed, it.Scope+"/"+it.Item)
		if it.Old != "si" || it.New != "no" || (it.Change != "peggiorata" && it.Change != "migliorata") {
			t.Errorf("item %+v", it)
		}
	}
	slices.Sort(listed)
	slices.Sort(changed)
	if !slices.Equal(listed, changed) {
		t.Errorf("diff lists %v, want exactly %v", listed, changed)
	}
	if len(d.Perimeter) != 1 || d.Perimeter[0].What != "postazione:PG0991A09" || d.Perimeter[0].Old != "" {
		t.Errorf("perimeter = %+v", d.Perimeter)
	}
	if len(d.Operators) != 0 {
		t.Errorf("operators = %+v", d.Operators)
	}
	reverify := 0
	for _, s := range d.Sections {
		reverify += s.ToReverify
	}
	if reverify == 0 || d.Old.ID != prev || d.New.ID != next {
		t.Errorf("diff = %+v", d)
	}
	if text := mustRun(t, db, "audit", "diff", prev, next); !strings.Contains(text, "PG0991A09") || !strings.Contains(text, "da riverificare") {
		t.Errorf("text diff:\n%s", text)
	}

	// A chain: the third year from the second keeps what the second said.
	third := lastLine(mustRun(t, db, "audit", "new", "--from", next, "--year", "2028", "--auditor", "Verdi"))
	if err := json.Unmarshal([]byte(mustRun(t, db, "audit", "show", third, "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Predecessor != next || len(shown.Postazioni) != 4 {
		t.Fatalf("third year = %+v", shown.auditFields)
	}
	var d3 diffOut
	if err := json.Unmarshal([]byte(mustRun(t, db, "audit", "diff", prev, third, "--json")), &d3); err != nil {
		t.Fatal(err)
	}
	if len(d3.Items) != 0 || len(d3.Perimeter) != 1 {
		t.Errorf("first to third year: %d items (all still to re-verify), perimeter %+v", len(d3.Items), d3.Perimeter)
	}

	// Different enti: refused with one clear sentence, exit 1.
	other := strings.TrimSpace(mustRun(t, db, "audit", "new", "--ente", "Comune di Altrove", "--istat", "054002", "--year", "2027", "--auditor", "Rossi"))
	r := runCLI(t, db, "audit", "diff", prev, other)
	if r.Code != 1 || !strings.Contains(r.Stderr, "enti diversi") || r.Stdout != "" {
		t.Errorf("different enti: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	for _, bad := range [][]string{
		{"audit", "new", "--from", "nessuno9", "--year", "2027", "--auditor", "X"},
		{"audit", "new", "--from", prev, "--year", "2020", "--auditor", "X"},
	} {
		if r := runCLI(t, db, bad...); r.Code == 0 || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", bad, r.Code, r.Stderr)
		}
	}
}

// The built-in catalogue's next version: the upgrade report is printed
// before the audit is created and kept with it.
func TestAuditNewFromUpgradesTheCatalogue(t *testing.T) {
	db := filepath.Join(t.TempDir(), "audit.db")
	old := strings.TrimSpace(mustRun(t, db, "audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--year", "2025", "--auditor", "Rossi", "--catalog", "cie-postazioni@2026.1"))
	mustRun(t, db, "answer", old, "--scope", "ente", "--item", "ORG-01", "--value", "si")
	mustRun(t, db, "answer", old, "--scope", "ente", "--item", "PRO-13", "--value", "no")
	out := mustRun(t, db, "audit", "new", "--from", old, "--year", "2026", "--auditor", "Bianchi", "--catalog", "cie-postazioni@2026.2")
	for _, want := range []string{"cie-postazioni@2026.1 → cie-postazioni@2026.2", "1 risposta da verificare", "Voci rimosse dal nuovo catalogo, non riportate (1):\n    PRO-13", "(1 risposta non riportata)", "Voci nuove, da rispondere"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	next := lastLine(out)
	var d diffOut
	if err := json.Unmarshal([]byte(mustRun(t, db, "audit", "diff", old, next, "--json")), &d); err != nil {
		t.Fatal(err)
	}
	changes := map[string]int{}
	for _, it := range d.Items {
		changes[it.Change]++
	}
	if changes["rimossa"] != 1 || changes["nuova"] == 0 || changes["migliorata"]+changes["peggiorata"] != 0 {
		t.Errorf("diff across catalogues: %v", changes)
	}
}
