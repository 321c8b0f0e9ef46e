package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
	"github.com/cieaudit/cieaudit/storage"
)

// firstAtIn rewrites the first "at" of audit.json's list section to at.
func firstAtIn(t *testing.T, doc []byte, section, at string) []byte {
	t.Helper()
	start := bytes.Index(doc, []byte(`"`+section+`": [`))
	loc := regexp.MustCompile(`"at": "[^"]*"`).FindIndex(doc[start:])
	if start < 0 || loc == nil {
		t.Fatalf("audit.json has no %s with a time", section)
	}
	out := append([]byte(nil), doc[:start+loc[0]]...)
	out = append(out, `"at": "`+at+`"`...)
	return append(out, doc[start+loc[1]:]...)
}

// bundleWithJSON is the bundle entries with audit.json replaced by doc and
// SHA256SUMS written again to match.
func bundleWithJSON(t *testing.T, entries []zipEntry, doc []byte) []byte {
	t.Helper()
	out := make([]zipEntry, len(entries))
	copy(out, entries)
	for i := range out {
		if out[i].name == export.FileJSON {
			out[i].data = doc
		}
	}
	return writeZip(t, resum(out))
}

// TestCLIImportRefusesFutureTimes: a bundle with a record dated in the
// future (which would win every merge) is refused by import and by import
// --merge into the database that holds the audit, naming the field and the
// time, and the database file is left byte for byte as it was.
func TestCLIImportRefusesFutureTimes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, zipPath, _ := demoWithEvidence(t, dir)
	original, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	entries := readZip(t, original)
	var doc []byte
	for _, e := range entries {
		if e.name == export.FileJSON {
			doc = e.data
		}
	}
	cases := []struct {
		name, section, at, want string
	}{
		{"history in 9999", "history", "9999-12-31T12:00:00Z", "history[0].at: data 31/12/9999 13:00:00 nel futuro"},
		{"answer in 2099", "answers", "2099-06-01T10:00:00Z", "answers[0].at: data 01/06/2099 12:00:00 nel futuro"},
		{"evaluation next year", "evaluations", "2099-01-01T00:00:00Z", "evaluations[0].at"},
		{"event in 2099", "events", "2099-05-06T09:15", "events[0].at: giorno 06/05/2099 nel futuro"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bundle := filepath.Join(t.TempDir(), "futuro.zip")
			if err := os.WriteFile(bundle, bundleWithJSON(t, entries, firstAtIn(t, doc, tc.section, tc.at)), 0o600); err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(t.TempDir(), "origine.db")
			src, err := os.ReadFile(filepath.Join(dir, "origine.db"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(db, src, 0o600); err != nil {
				t.Fatal(err)
			}
			empty := filepath.Join(t.TempDir(), "vuoto.db")
			for _, run := range []struct {
				db   string
				args []string
			}{
				{empty, []string{"import", bundle}},
				{db, []string{"import", "--merge", bundle}},
			} {
				r := runCLI(t, run.db, run.args...)
				if r.Code != 1 || !strings.Contains(r.Stderr, tc.want) || r.Stdout != "" {
					t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 naming %q", run.args, r.Code, r.Stdout, r.Stderr, tc.want)
				}
			}
			if after, err := os.ReadFile(db); err != nil || !bytes.Equal(after, src) {
				t.Errorf("a refused merge changed the database file (%v)", err)
			}
		})
	}
}

// TestCLITextLimits: a note past checklist.MaxTextBytes is refused by
// answer, evidence add and import (naming the field), and nothing is saved.
func TestCLITextLimits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "note.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	long := strings.Repeat("n", checklist.MaxTextBytes+1)
	mustRun(t, db, "export", id, "--zip", "--out", filepath.Join(dir, "prima.zip"))
	entries := readZip(t, mustRead(t, filepath.Join(dir, "prima.zip")))
	var doc []byte
	for _, e := range entries {
		if e.name == export.FileJSON {
			doc = e.data
		}
	}
	// The first answer's note, or a note added to it.
	i := bytes.Index(doc, []byte(`"answers": [`))
	j := bytes.Index(doc[i:], []byte(`"author": `))
	noted := append(append(append([]byte(nil), doc[:i+j]...), `"note": "`+long+`", `...), doc[i+j:]...)
	bundle := filepath.Join(dir, "nota-lunga.zip")
	if err := os.WriteFile(bundle, bundleWithJSON(t, entries, noted), 0o600); err != nil {
		t.Fatal(err)
	}
	before := mustRead(t, db)
	cases := []struct {
		name string
		db   string
		args []string
		want string
	}{
		{"answer", db, []string{"answer", id, "--scope", "ente", "--item", "ORG-01", "--value", "si", "--note", long}, "nota: testo troppo lungo (65537 byte), al massimo 65536 byte (64 KiB)"},
		{"evidence add", db, []string{"evidence", "add", id, "--scope", "ente", "--item", "ORG-01", evidenceFixture(t, "armadio.png"), "--note", long}, "nota dell'allegato: testo troppo lungo"},
		{"import", filepath.Join(dir, "vuoto.db"), []string{"import", bundle}, "answers[0].note: testo troppo lungo (65537 byte)"},
		{"import --merge", db, []string{"import", "--merge", bundle}, "answers[0].note: testo troppo lungo"},
	}
	for _, tc := range cases {
		r := runCLI(t, tc.db, tc.args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, tc.want) || r.Stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %.300q; want exit 1 naming %q", tc.name, r.Code, r.Stdout, r.Stderr, tc.want)
		}
	}
	if !bytes.Equal(mustRead(t, db), before) {
		t.Error("a refused text changed the database file")
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServerImportSlots: the SSH server runs at most maxServerImports
// imports at once; a session beyond them is refused at once with an Italian
// sentence and exit 1, before reading its bundle, and a slot given back
// lets the next import run. In process, through the per-role SSH tree, with
// the slots held by the test instead of by running imports (no timing).
func TestServerImportSlots(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, zipPath, _ := demoWithEvidence(t, dir)
	bundle := mustRead(t, zipPath)
	store, err := storage.Open(filepath.Join(dir, "server.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	slots := make(chan struct{}, maxServerImports)
	session := func(role checklist.Role, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		a := &app{stdin: bytes.NewReader(bundle), stdout: &stdout, stderr: &stderr, now: time.Now, store: store,
			user: "ada", remote: true, importSlots: slots}
		code, refused := a.executeRemote(args, role, func() error { return nil })
		if refused != nil {
			t.Fatalf("%v refused by the SSH tree: %v", args, refused)
		}
		return code, stdout.String(), stderr.String()
	}
	for range maxServerImports {
		slots <- struct{}{} // imports running in other sessions
	}
	for _, tc := range []struct {
		role checklist.Role
		args []string
	}{
		{checklist.RoleAdmin, []string{"import", "-"}},
		{checklist.RoleAuditor, []string{"import", "--merge", "-"}},
	} {
		code, stdout, stderr := session(tc.role, tc.args...)
		if want := "un'altra importazione è in corso sul server (al massimo 2 alla volta), riprovare tra poco"; code != 1 || !strings.Contains(stderr, want) || stdout != "" {
			t.Errorf("%s %v with every slot taken: exit %d, stdout %q, stderr %q; want exit 1 and %q", tc.role, tc.args, code, stdout, stderr, want)
		}
	}
	if len(slots) != maxServerImports {
		t.Fatalf("a refused import changed the slots held: %d", len(slots))
	}
	if audits, err := store.ListAudits(); err != nil || len(audits) != 0 {
		t.Fatalf("a refused import wrote %d audits (%v)", len(audits), err)
	}
	<-slots // one import ends
	if code, stdout, stderr := session(checklist.RoleAdmin, "import", "-"); code != 0 || !strings.Contains(stdout, "Importato l'audit") {
		t.Fatalf("import with a free slot: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if len(slots) != maxServerImports-1 {
		t.Errorf("the import did not give its slot back: %d held", len(slots))
	}
}
