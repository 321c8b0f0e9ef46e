package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
)

// bundleNames are the files of a full export, in the order printed.
var bundleNames = []string{
	export.FilePDF, export.FileHTML, export.FileODT, "risposte.csv", "postazioni.csv", "rischi.csv", "azioni.csv", "storico.csv", "eventi.csv", "operatori.csv", "variazioni.csv", "confronto.csv",
	export.FileXLSX, export.FileJSON, builtinCatalogueFile(), export.FileSums,
}

// builtinCatalogueFile is the base name of the current built-in catalogue's
// YAML in a bundle (catalogo/ID@VERSION.yaml).
func builtinCatalogueFile() string {
	c, err := checklist.Parse(checklist.BuiltinSource, checklist.BuiltinFilename)
	if err != nil {
		panic(err)
	}
	return path.Base(export.CatalogueFile(c))
}

func printedNames(t *testing.T, stdout string) []string {
	t.Helper()
	var names []string
	for _, p := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if !filepath.IsAbs(p) {
			t.Fatalf("printed path %q is not absolute", p)
		}
		names = append(names, filepath.Base(p))
	}
	return names
}

func sha256Check(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("sha256sum"); err != nil {
		return
	}
	cmd := exec.Command("sha256sum", "--strict", "-c", export.FileSums)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c in %s: %v\n%s", dir, err, out)
	}
}

func TestCLIExportBundle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))

	first := filepath.Join(dir, "piano")
	r := runCLI(t, db, "export", id, "--out", first)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("export: exit %d, stderr %q (a pipe gets no progress bar)", r.Code, r.Stderr)
	}
	if got := printedNames(t, r.Stdout); !slices.Equal(got, bundleNames) {
		t.Fatalf("printed %v, want %v", got, bundleNames)
	}
	sha256Check(t, first)

	// The same audit exported again gives identical files.
	second := filepath.Join(dir, "copia")
	mustRun(t, db, "export", id, "--out", second)
	a, _ := os.ReadFile(filepath.Join(first, export.FileSums))
	b, _ := os.ReadFile(filepath.Join(second, export.FileSums))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("two exports differ:\n%s\n%s", a, b)
	}

	// A non-empty destination is refused and left alone, unless --force.
	r = runCLI(t, db, "export", id, "--out", first)
	if r.Code != 1 || !strings.Contains(r.Stderr, "--force") {
		t.Fatalf("export over a bundle: exit %d stderr %q", r.Code, r.Stderr)
	}
	if c, _ := os.ReadFile(filepath.Join(first, export.FileSums)); !bytes.Equal(c, a) {
		t.Fatal("refused export touched the existing bundle")
	}
	mustRun(t, db, "export", id, "--out", first, "--force")
	sha256Check(t, first)

	// --zip, and an --out ending in .zip, write one archive.
	for _, args := range [][]string{{"--out", filepath.Join(dir, "a"), "--zip"}, {"--out", filepath.Join(dir, "b.zip")}} {
		out := mustRun(t, db, append([]string{"export", id}, args...)...)
		p := strings.TrimSpace(out)
		if !strings.HasSuffix(p, ".zip") {
			t.Fatalf("export %v printed %q", args, out)
		}
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
	}
	za, _ := os.ReadFile(filepath.Join(dir, "a.zip"))
	zb, _ := os.ReadFile(filepath.Join(dir, "b.zip"))
	if !bytes.Equal(za, zb) {
		t.Error("two zip exports of the same audit differ")
	}

	// No temporary folder is left next to the outputs.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

func parseCSV(t *testing.T, data string, comma rune) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(data, "\uFEFF")))
	r.Comma = comma
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parsing CSV: %v\n%s", err, data)
	}
	return recs
}

func TestCLIExportCSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	demo := strings.TrimSpace(mustRun(t, db, "demo"))
	other := newAuditWithWorkstation(t, db)
	mustRun(t, db, "answer", other, "--scope", "ente", "--item", "ORG-01", "--value", "no", "--note", "=HYPERLINK(\"http://x\")")
	demoAnswers := len(showAudit(t, db, demo).Answers)

	t.Run("all to stdout, excel dialect", func(t *testing.T) {
		r := runCLI(t, db, "export", "--all", "--format", "csv", "--out", "-")
		if r.Code != 0 || r.Stderr != "" {
			t.Fatalf("exit %d stderr %q", r.Code, r.Stderr)
		}
		if !strings.HasPrefix(r.Stdout, "\uFEFFID audit;Ambito (codice);") {
			t.Fatalf("want BOM and ';', got %.40q", r.Stdout)
		}
		recs := parseCSV(t, r.Stdout, ';')
		per := map[string]int{}
		for _, rec := range recs[1:] {
			per[rec[0]]++
		}
		if per[demo] != demoAnswers || per[other] != 1 || len(per) != 2 {
			t.Errorf("rows per audit %v, want %s:%d %s:1", per, demo, demoAnswers, other)
		}
		if !strings.Contains(r.Stdout, `'=HYPERLINK(""http://x"")`) {
			t.Error("formula payload not neutralised")
		}
	})

	t.Run("one audit to stdout without --out", func(t *testing.T) {
		recs := parseCSV(t, mustRun(t, db, "export", other, "--format", "csv"), ';')
		if len(recs) != 2 || recs[1][0] != other || recs[1][4] != "ORG-01" {
			t.Errorf("risposte of %s: %v", other, recs)
		}
	})

	t.Run("one audit, one table, rfc4180", func(t *testing.T) {
		out := mustRun(t, db, "export", demo, "--format", "csv", "--table", "postazioni", "--csv", "rfc4180", "--out", "-")
		recs := parseCSV(t, out, ',')
		if recs[0][0] != "audit_id" || recs[0][1] != "code" || len(recs) != 4 {
			t.Errorf("postazioni.csv: header %v, %d records (want 3 workstations)", recs[0], len(recs)-1)
		}
	})

	t.Run("all to a folder", func(t *testing.T) {
		target := filepath.Join(dir, "tabelle")
		out := mustRun(t, db, "export", "--all", "--out", target)
		want := []string{"risposte.csv", "postazioni.csv", "rischi.csv", "azioni.csv", "storico.csv", "eventi.csv", "operatori.csv", "variazioni.csv", "confronto.csv", export.FileSums}
		if got := printedNames(t, out); !slices.Equal(got, want) {
			t.Fatalf("printed %v, want %v", got, want)
		}
		sha256Check(t, target)
		data, _ := os.ReadFile(filepath.Join(target, "risposte.csv"))
		if n := len(parseCSV(t, string(data), ';')) - 1; n != demoAnswers+1 {
			t.Errorf("risposte.csv has %d rows, want %d", n, demoAnswers+1)
		}
	})
}

func TestCLIExportRejectsBadUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	out := filepath.Join(dir, "x")
	tests := []struct {
		name     string
		args     []string
		code     int
		stderrIn string
	}{
		{"no audit", []string{"export", "--out", out}, 2, "--all"},
		{"audit and --all", []string{"export", id, "--all", "--out", out}, 2, "non entrambi"},
		{"no --out", []string{"export", id}, 2, "--out"},
		{"bundle of all", []string{"export", "--all", "--format", "bundle", "--out", out}, 2, "--format csv"},
		{"bundle to stdout", []string{"export", id, "--format", "bundle", "--out", "-"}, 2, "--format csv"},
		{"unknown format", []string{"export", id, "--format", "ods", "--out", out}, 2, `"ods"`},
		{"unknown dialect", []string{"export", id, "--csv", "tsv", "--out", out}, 2, "tsv"},
		{"unknown table", []string{"export", id, "--format", "csv", "--table", "answers", "--out", "-"}, 2, "answers"},
		{"zip of csv", []string{"export", id, "--format", "csv", "--zip", "--out", out}, 2, "--zip"},
		{"unknown audit", []string{"export", "zzzzzzzz", "--out", out}, 1, "non trovato"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, db, tt.args...)
			if r.Code != tt.code || !strings.Contains(r.Stderr, tt.stderrIn) || strings.Contains(r.Stderr, "panic") {
				t.Fatalf("exit %d, stderr %q: want exit %d and stderr containing %q", r.Code, r.Stderr, tt.code, tt.stderrIn)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("a refused export wrote its destination")
			}
		})
	}
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	bar := &progressBar{w: &buf, total: 4}
	bar.set(1, "audit")
	if got := buf.String(); !strings.Contains(got, " 25% 1/4 audit") || !strings.HasPrefix(got, "\r") {
		t.Errorf("bar drew %q", got)
	}
	buf.Reset()
	bar.done()
	if buf.String() != "\r\x1b[2K" {
		t.Errorf("done drew %q, want the line cleared", buf.String())
	}
	// Not a terminal: no bar, and a nil bar is safe to use.
	a := &app{stderr: &buf}
	if b := a.progressBar(); b != nil {
		t.Fatal("progress bar on a non-terminal stderr")
	}
	var none *progressBar
	none.set(1, "x")
	none.audit(2)
	none.done()
}
