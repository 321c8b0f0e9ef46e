package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// complete runs the real binary's completion entry point, as the shell
// scripts do, and returns the candidates (without descriptions) and the
// directive line.
func complete(t *testing.T, db string, words ...string) ([]string, string) {
	t.Helper()
	r := runCLI(t, db, append([]string{"__complete"}, words...)...)
	if r.Code != 0 {
		t.Fatalf("__complete %v: exit %d, %s", words, r.Code, r.Stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	var got []string
	for _, l := range lines[:len(lines)-1] {
		got = append(got, strings.SplitN(l, "\t", 2)[0])
	}
	return got, lines[len(lines)-1]
}

func TestCLICompletion(t *testing.T) {
	db := filepath.Join(t.TempDir(), "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	key := newSSHKey(t, t.TempDir(), "completion")
	mustRun(t, db, "user", "add", "mario.rossi", "--role", "viewer", "--key", key.pub)
	const noFileComp = ":4"
	tests := []struct {
		name      string
		words     []string
		want      []string // all of these, in this order
		wantNot   []string
		directive string
	}{
		{"audit ids", []string{"audit", "show", ""}, []string{id}, nil, noFileComp},
		{"audit ids for --audit", []string{"--audit", ""}, []string{id}, nil, noFileComp},
		{"audit ids of a cycle command", []string{"plan", "show", ""}, []string{id}, nil, noFileComp},
		{"no second audit", []string{"audit", "show", id, ""}, nil, []string{id}, noFileComp},
		{"scopes of the audit", []string{"answer", id, "--scope", ""}, []string{"ente", "sede:Municipio", "postazione:PG0991A01"}, nil, noFileComp},
		{"items at the scope's level", []string{"answer", id, "--scope", "postazione:PG0991A01", "--item", ""}, []string{"TEC-01"}, []string{"C30-02"}, noFileComp},
		{"all items without a scope", []string{"answer", id, "--item", ""}, []string{"TEC-01", "C30-02"}, nil, noFileComp},
		{"esito values", []string{"answer", id, "--item", "TEC-01", "--value", ""}, []string{"si", "no", "parziale", "na"}, nil, noFileComp},
		{"threats", []string{"risk", id, "--set", ""}, []string{"T01"}, nil, noFileComp},
		{"operators", []string{"operator", "revoke", id, ""}, []string{"op-1"}, nil, noFileComp},
		{"users", []string{"user", "remove", ""}, []string{"mario.rossi"}, nil, noFileComp},
		{"catalogues", []string{"catalog", "show", ""}, []string{"cie-postazioni@"}, nil, noFileComp},
		{"--csv", []string{"export", id, "--csv", ""}, []string{"excel", "rfc4180"}, nil, noFileComp},
		{"--format", []string{"export", "--format", ""}, []string{"bundle", "csv", "json"}, nil, noFileComp},
		{"--table", []string{"export", "--table", ""}, []string{"risposte", "postazioni", "rischi", "azioni", "storico"}, nil, noFileComp},
		{"user --role", []string{"user", "add", "x", "--role", ""}, []string{"viewer", "auditor", "admin"}, nil, noFileComp},
		{"operator --role", []string{"operator", "add", id, "--role", ""}, []string{"ufficiale", "delegato"}, nil, noFileComp},
		{"--office", []string{"workstation", "add", id, "--office", ""}, []string{"front", "back"}, nil, noFileComp},
		{"shells", []string{"completion", ""}, []string{"bash", "zsh", "fish", "powershell"}, nil, noFileComp},
		{"import --scope", []string{"catalog", "import", "x.yaml", "--scope", ""}, []string{"ente", "sede", "postazione"}, nil, noFileComp},
		{"import --format", []string{"catalog", "import", "--format", ""}, []string{"ciso-assistant"}, []string{"bundle"}, noFileComp},
		{"audits to compare", []string{"audit", "diff", id, ""}, []string{id}, nil, noFileComp},
		{"audit new --from", []string{"audit", "new", "--from", ""}, []string{id}, nil, noFileComp},
		{"sede names", []string{"sede", "rename", id, ""}, []string{"Municipio"}, nil, noFileComp},
		{"postazione codes", []string{"workstation", "remove", id, ""}, []string{"PG0991A01"}, nil, noFileComp},
		{"no new name", []string{"sede", "rename", id, "Municipio", ""}, nil, []string{"Municipio"}, noFileComp},
		{"event id after the audit", []string{"event", "close", id, ""}, []string{"ev-1"}, nil, noFileComp},
		{"catalog export --format", []string{"catalog", "export", "x", "--format", ""}, []string{"csv", "xlsx"}, []string{"bundle"}, noFileComp},
		{"files for backup", []string{"backup", ""}, nil, nil, ":0"},
		{"unknown audit gives nothing", []string{"answer", "zzzzzzzz", "--scope", ""}, nil, []string{"ente"}, noFileComp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, directive := complete(t, db, tt.words...)
			at := 0
			for _, w := range tt.want {
				i := slices.IndexFunc(got[at:], func(g string) bool { return strings.HasPrefix(g, w) })
				if i < 0 {
					t.Fatalf("completing %q: %v lacks %q (in order %v)", tt.words, got, w, tt.want)
				}
				at += i + 1
			}
			for _, w := range tt.wantNot {
				if slices.Contains(got, w) {
					t.Errorf("completing %q offers %q: %v", tt.words, w, got)
				}
			}
			if directive != tt.directive {
				t.Errorf("completing %q: directive %s, want %s", tt.words, directive, tt.directive)
			}
		})
	}
}

func TestCLICompletionNeverCreatesOrWaits(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nessuno.db")
	if got, _ := complete(t, missing, "audit", "show", ""); len(got) != 0 {
		t.Errorf("completion on a missing database offered %v", got)
	}
	if r := runCLI(t, missing, "doctor"); r.Code != 1 {
		t.Errorf("completion created the database (doctor exit %d)", r.Code)
	}
	// While the server holds the database, completion gives up instead of
	// waiting for the lock.
	requireTools(t, "ssh-keygen")
	db := filepath.Join(dir, "servito.db")
	mustRun(t, db, "demo")
	p := startServe(t, db)
	defer p.stop(t)
	if got, directive := complete(t, db, "audit", "show", ""); len(got) != 0 || directive != ":4" {
		t.Errorf("completion while serving: %v %s", got, directive)
	}
}
