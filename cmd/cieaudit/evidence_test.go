package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/export"
)

func mustRunInput(t testing.TB, db, stdin string, args ...string) string {
	t.Helper()
	r := runCLIInput(t, db, stdin, args...)
	if r.Code != 0 {
		t.Fatalf("cieaudit %v: exit %d\nstdout: %s\nstderr: %s", args, r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

func evidenceFixture(t testing.TB, name string) string { return testdataPath(t, "evidence", name) }

// testdataPath is the absolute path of testdata/dir/name.
func testdataPath(t testing.TB, dir, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type listedEvidence struct {
	Schema   string `json:"schema"`
	Evidence []struct {
		ID, Scope, Item, Name, Note, Type, SHA256, File string
		Size                                            int64
	} `json:"evidence"`
}

// TestCLIEvidence: attach, list, read back, export and remove files on the
// real binary and database.
func TestCLIEvidence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	id := newAuditWithWorkstation(t, db)
	png := evidenceFixture(t, "armadio.png")
	pdf, _ := os.ReadFile(evidenceFixture(t, "verbale.pdf"))

	if got := strings.TrimSpace(mustRun(t, db, "evidence", "add", id, "--scope", "sede:municipio", "--item", "FIS-01", png, "--note", "armadio chiuso")); got != "al-1" {
		t.Fatalf("first file got ID %q", got)
	}
	if got := strings.TrimSpace(mustRunInput(t, db, string(pdf), "evidence", "add", id, "--scope", "ente", "--item", "ORG-01", "--name", "../verbale firmato.pdf", "-")); got != "al-2" {
		t.Fatalf("second file got ID %q", got)
	}
	// The same photo on a workstation item: stored once, listed twice.
	mustRun(t, db, "evidence", "add", id, "--scope", "postazione:PC01", "--item", "FIS-04", png)

	var list listedEvidence
	if err := json.Unmarshal([]byte(mustRun(t, db, "evidence", "list", id, "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if list.Schema != "cieaudit.evidence-list/v1" || len(list.Evidence) != 3 {
		t.Fatalf("list: %+v", list)
	}
	e := list.Evidence[1]
	if e.Scope != "ente" || e.Name != "verbale firmato.pdf" || e.Type != "application/pdf" || e.Size != int64(len(pdf)) {
		t.Fatalf("second file listed as %+v", e)
	}
	if list.Evidence[0].Scope != "sede:Municipio" || list.Evidence[0].SHA256 != list.Evidence[2].SHA256 {
		t.Fatalf("the scope is not canonical or the digests differ: %+v", list.Evidence)
	}
	text := mustRun(t, db, "evidence", "list", id)
	if !strings.Contains(text, "documento PDF") || !strings.Contains(text, e.SHA256) {
		t.Fatalf("list:\n%s", text)
	}

	// Read back byte for byte, to a file and to stdout.
	out := filepath.Join(dir, "copia.pdf")
	mustRun(t, db, "evidence", "get", id, "AL-2", "--out", out)
	if got, _ := os.ReadFile(out); !bytes.Equal(got, pdf) {
		t.Fatal("evidence get --out wrote other bytes")
	}
	if got := mustRun(t, db, "evidence", "get", id, "al-2", "--out", "-"); got != string(pdf) {
		t.Fatal("evidence get --out - wrote other bytes")
	}

	// The bundle: evidenze/ with stable names, each in SHA256SUMS, the index in the report.
	bundle := filepath.Join(dir, "piano")
	mustRun(t, db, "export", id, "--out", bundle)
	sha256Check(t, bundle)
	sums, _ := os.ReadFile(filepath.Join(bundle, export.FileSums))
	for _, le := range list.Evidence {
		got, err := os.ReadFile(filepath.Join(bundle, le.File))
		if err != nil {
			t.Fatalf("bundle lacks %s: %v", le.File, err)
		}
		if !strings.Contains(string(sums), le.SHA256+"  "+le.File+"\n") {
			t.Fatalf("SHA256SUMS lacks %s:\n%s", le.File, sums)
		}
		if le.ID == "al-2" && !bytes.Equal(got, pdf) {
			t.Fatal("the bundle's copy differs")
		}
	}
	html, _ := os.ReadFile(filepath.Join(bundle, export.FileHTML))
	if !strings.Contains(string(html), `id="evidenze"`) || !strings.Contains(string(html), "verbale firmato.pdf") || !strings.Contains(string(html), list.Evidence[1].File) {
		t.Fatal("the report has no Allegati index naming the files")
	}
	if pdftotext, err := exec.LookPath("pdftotext"); err == nil {
		txt, err := exec.Command(pdftotext, filepath.Join(bundle, export.FilePDF), "-").Output()
		if err != nil || !strings.Contains(string(txt), "Evidenze allegate alle misure") || !strings.Contains(string(txt), "verbale firmato.pdf") {
			t.Fatalf("the PDF has no Allegati index (%v)", err)
		}
	}
	zipOut := filepath.Join(dir, "piano.zip")
	mustRun(t, db, "export", id, "--out", zipOut)

	// Remove: the shared content stays while another record names it; the
	// history keeps what went.
	if r := runCLI(t, db, "evidence", "remove", id, "al-1"); r.Code != 0 || !strings.Contains(r.Stdout, "armadio.png") {
		t.Fatalf("remove: %+v", r)
	}
	if got, want := mustRun(t, db, "evidence", "get", id, "al-3", "--out", "-"), mustReadFile(t, png); got != want {
		t.Fatal("removing al-1 lost the content al-3 shares")
	}
	mustRun(t, db, "evidence", "remove", id, "al-3")
	if r := runCLI(t, db, "evidence", "get", id, "al-1", "--out", "-"); r.Code != 1 || !strings.Contains(r.Stderr, "non presente") {
		t.Fatalf("get after remove: %+v", r)
	}
	hist := mustRun(t, db, "export", id, "--format", "csv", "--table", "storico", "--out", "-")
	if strings.Count(hist, "allegato") < 5 || !strings.Contains(hist, "armadio.png") {
		t.Fatalf("history does not keep the attachments and removals:\n%s", hist)
	}
	if got := strings.TrimSpace(mustRun(t, db, "evidence", "add", id, "--scope", "ente", "--item", "ORG-01", png)); got != "al-4" {
		t.Fatalf("an ID was reused: %q", got)
	}
	mustRun(t, db, "doctor")
}

func mustReadFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCLIEvidenceRefusals: what evidence add refuses, and that a refusal
// writes nothing.
func TestCLIEvidenceRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	id := newAuditWithWorkstation(t, db)
	png := evidenceFixture(t, "armadio.png")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"an executable", []string{"--scope", "ente", "--item", "ORG-01", evidenceFixture(t, "programma.exe")}, 1, "non ammesso"},
		{"a plain zip", []string{"--scope", "ente", "--item", "ORG-01", evidenceFixture(t, "archivio.zip")}, 1, "archivio zip non ammesso"},
		{"html", []string{"--scope", "ente", "--item", "ORG-01", evidenceFixture(t, "pagina.html")}, 1, "text/html"},
		{"a folder", []string{"--scope", "ente", "--item", "ORG-01", dir}, 1, "cartella"},
		{"unknown scope", []string{"--scope", "sede:Altrove", "--item", "FIS-01", png}, 1, "non presente nell'audit"},
		{"wrong scope kind", []string{"--scope", "ente", "--item", "FIS-01", png}, 1, "si valuta per ambito"},
		{"bad scope", []string{"--scope", "piano", "--item", "FIS-01", png}, 2, ""},
		{"no item", []string{"--scope", "ente", png}, 2, "item"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, db, append([]string{"evidence", "add", id}, tc.args...)...)
			if r.Code != tc.code || !strings.Contains(r.Stderr, tc.want) {
				t.Fatalf("exit %d stderr %q; want %d, %q", r.Code, r.Stderr, tc.code, tc.want)
			}
		})
	}
	if out := mustRun(t, db, "evidence", "list", id, "--json"); !strings.Contains(out, `"evidence": []`) {
		t.Fatalf("a refused file was stored:\n%s", out)
	}
}
