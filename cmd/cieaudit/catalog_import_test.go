package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var cisoFixture = filepath.Join("..", "..", "testdata", "catalogues", "ciso-assistant", "misure-esempio.yaml")

// A CISO Assistant framework becomes an audit that can be answered,
// assessed and exported.
func TestCLICatalogImportCISOAssistant(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	out := filepath.Join(dir, "misure.yaml")
	r := runCLI(t, "", "catalog", "import", "--format", "ciso-assistant", cisoFixture, "--out", out)
	if r.Code != 0 || !strings.Contains(r.Stderr, "Catalogo misure-esempio@2: 2 sezioni, 5 misure (minimo 3, standard 1, alto 1), senza minacce.") ||
		!strings.Contains(r.Stderr, "Omesso:") {
		t.Fatalf("import: exit %d\n%s", r.Code, r.Stderr)
	}
	if v := mustRun(t, "", "catalog", "validate", out); !strings.Contains(v, "valido (misure-esempio@2, checklist di conformità senza modello di rischio, 5 misure)") {
		t.Errorf("validate: %s", v)
	}
	// Standard output gives the same catalogue.
	if r := runCLI(t, "", "catalog", "import", "--format", "ciso-assistant", cisoFixture); r.Code != 0 {
		t.Errorf("import to stdout: %+v", r)
	} else if file, _ := os.ReadFile(out); r.Stdout != string(file) {
		t.Errorf("stdout and --out differ")
	}

	id := strings.TrimSpace(mustRun(t, db, "audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--year", "2026", "--auditor", "Rossi", "--catalog", out))
	mustRun(t, db, "answer", id, "--scope", "ente", "--item", "ES-1.1.1", "--value", "si")
	mustRun(t, db, "answer", id, "--scope", "ente", "--item", "ES-2.1.2", "--value", "no", "--note", "Nessuna copia offline")
	shown := showAudit(t, db, id)
	if shown.Progress.Total != 5 || shown.Progress.Answered != 2 {
		t.Errorf("progress %+v", shown.Progress)
	}
	if risk := mustRun(t, db, "risk", id); !strings.Contains(risk, "ES-2.1.2") {
		t.Errorf("the no answer is not an action in risk:\n%s", risk)
	}
	mustRun(t, db, "export", id, "--out", filepath.Join(dir, "piano"))
	if _, err := os.Stat(filepath.Join(dir, "piano", "piano-sicurezza-cie.pdf")); err != nil {
		t.Errorf("export of an imported catalogue's audit: %v", err)
	}
}

func TestCLICatalogImportRefuses(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "esiste.yaml")
	if err := os.WriteFile(existing, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	english := filepath.Join(dir, "en.yaml")
	src, _ := os.ReadFile(cisoFixture)
	if err := os.WriteFile(english, []byte(strings.Replace(string(src), "locale: it", "locale: en", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no format", []string{cisoFixture}, 2, "--format"},
		{"other format", []string{"--format", "oscal", cisoFixture}, 2, `--format "oscal" non valido`},
		{"missing file", []string{"--format", "ciso-assistant", filepath.Join(dir, "nessuno.yaml")}, 1, "nessuno.yaml"},
		{"a folder", []string{"--format", "ciso-assistant", dir}, 1, "non è un file"},
		{"english library", []string{"--format", "ciso-assistant", english}, 1, `en.yaml:6: la libreria è in lingua "en"`},
		{"existing output", []string{"--format", "ciso-assistant", cisoFixture, "--out", existing}, 1, "esiste già"},
		{"bad scope", []string{"--format", "ciso-assistant", cisoFixture, "--scope", "ufficio"}, 2, `--scope "ufficio" non valido`},
		{"bad group", []string{"--format", "ciso-assistant", cisoFixture, "--groups", "IG1"}, 2, `--groups "IG1" non valido`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"catalog", "import"}, tt.args...)...)
			if r.Code != tt.code || !strings.Contains(r.Stderr, tt.want) || r.Stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q: want exit %d and %q", r.Code, r.Stdout, r.Stderr, tt.code, tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "x" {
		t.Errorf("the existing file was changed")
	}
	if r := runCLI(t, "", "catalog", "import", "--format", "ciso-assistant", cisoFixture, "--out", existing, "--force"); r.Code != 0 {
		t.Errorf("--force: %+v", r)
	}
}
