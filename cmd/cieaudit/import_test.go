package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/export"
)

// zipEntry is one entry of a bundle's zip archive, for the tests that
// rewrite an archive.
type zipEntry struct {
	name string
	data []byte
	mode fs.FileMode
}

func readZip(t testing.TB, data []byte) []zipEntry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []zipEntry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, zipEntry{f.Name, b, f.Mode()})
	}
	return out
}

func writeZip(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// resum rewrites SHA256SUMS for the entries, so that a test can make one
// problem without also making a digest mismatch.
func resum(entries []zipEntry) []zipEntry {
	var lines []string
	for _, e := range entries {
		if e.name == export.FileSums || e.name == export.FileSignature {
			continue
		}
		sum := sha256.Sum256(e.data)
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+e.name+"\n")
	}
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) })
	out := slices.Clone(entries)
	for i := range out {
		if out[i].name == export.FileSums {
			out[i].data = []byte(strings.Join(lines, ""))
		}
	}
	return out
}

// demoWithEvidence is a demo audit (answers, history, plan, operators,
// events) with two evidence files attached and a third attached then
// removed, and a stemma, exported as a zip and as a folder.
func demoWithEvidence(t *testing.T, dir string) (id, zipPath, folder string) {
	t.Helper()
	db := filepath.Join(dir, "origine.db")
	id = strings.TrimSpace(mustRun(t, db, "demo"))
	mustRun(t, db, "evidence", "add", id, "--scope", "ente", "--item", "ORG-01", evidenceFixture(t, "armadio.png"), "--note", "armadio chiuso")
	mustRun(t, db, "evidence", "add", id, "--scope", "ente", "--item", "ORG-01", evidenceFixture(t, "relazione.odt"))
	mustRun(t, db, "evidence", "add", id, "--scope", "ente", "--item", "ORG-01", evidenceFixture(t, "verbale.pdf"))
	mustRun(t, db, "evidence", "remove", id, "al-2")
	logo, err := filepath.Abs(filepath.Join("..", "..", "testdata", "logo", "stemma.png"))
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, db, "audit", "set", id, "--logo", logo)
	zipPath = filepath.Join(dir, "origine.zip")
	mustRun(t, db, "export", id, "--zip", "--out", zipPath)
	folder = filepath.Join(dir, "origine")
	mustRun(t, db, "export", id, "--out", folder)
	return id, zipPath, folder
}

func TestCLIImportRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id, zipPath, folder := demoWithEvidence(t, dir)
	original, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	want := readZip(t, original)
	names := map[string]bool{}
	for _, e := range want {
		names[e.name] = true
	}
	for _, n := range []string{export.FileJSON, export.FileSums, "catalogo/" + builtinCatalogueFile(), "evidenze/al-1-", "evidenze/al-3-", "stemma.png"} {
		found := false
		for name := range names {
			found = found || strings.HasPrefix(name, n)
		}
		if !found {
			t.Fatalf("bundle has no %s*: %v", n, names)
		}
	}
	for _, tc := range []struct {
		name, src, stdin string
	}{
		{"zip", zipPath, ""},
		{"folder", folder, ""},
		{"zip on stdin", "-", string(original)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "vuoto.db")
			out := mustRunInput(t, db, tc.stdin, "import", tc.src)
			for _, w := range []string{"Importato l'audit " + id, "Comune di Valdoria", "3 operatori", "2 eventi", "2 allegati"} {
				if !strings.Contains(out, w) {
					t.Errorf("import output lacks %q:\n%s", w, out)
				}
			}
			again := filepath.Join(t.TempDir(), "di-nuovo.zip")
			mustRun(t, db, "export", id, "--zip", "--out", again)
			got, err := os.ReadFile(again)
			if err != nil {
				t.Fatal(err)
			}
			gotEntries := readZip(t, got)
			if len(gotEntries) != len(want) {
				t.Fatalf("re-export has %d files, the bundle %d", len(gotEntries), len(want))
			}
			for i, e := range gotEntries {
				if e.name != want[i].name || !bytes.Equal(e.data, want[i].data) {
					t.Errorf("re-exported %s differs from the bundle's %s", e.name, want[i].name)
				}
			}
			if !bytes.Equal(got, original) {
				t.Error("the re-exported zip is not byte-identical to the bundle")
			}
			// The evidence numbering goes on after the removed al-2.
			if n := strings.TrimSpace(mustRun(t, db, "evidence", "add", id, "--scope", "ente", "--item", "ORG-02", evidenceFixture(t, "armadio.png"))); n != "al-4" {
				t.Errorf("next evidence after import is %s, want al-4", n)
			}
			if r := runCLI(t, db, "doctor"); r.Code != 0 {
				t.Errorf("doctor after import: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
			}
			r := runCLIInput(t, db, tc.stdin, "import", tc.src)
			if r.Code != 1 || !strings.Contains(r.Stderr, "--merge") || !strings.Contains(r.Stderr, id) {
				t.Errorf("second import: exit %d, stderr %q, want 1 naming the audit and --merge", r.Code, r.Stderr)
			}
		})
	}

	// A bare audit.json of an audit with evidence cannot carry the files.
	r := runCLI(t, filepath.Join(t.TempDir(), "x.db"), "import", filepath.Join(folder, export.FileJSON))
	if r.Code != 1 || !strings.Contains(r.Stderr, "allegati") {
		t.Errorf("bare audit.json with evidence: exit %d, stderr %q", r.Code, r.Stderr)
	}
}

func TestCLIImportRefusesHostileBundles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, zipPath, _ := demoWithEvidence(t, dir)
	original, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	entries := readZip(t, original)
	evidence := ""
	for _, e := range entries {
		if strings.HasPrefix(e.name, export.DirEvidence+"/") {
			evidence = e.name
			break
		}
	}
	edit := func(fn func([]zipEntry) []zipEntry) []byte { return writeZip(t, fn(slices.Clone(entries))) }
	replace := func(name string, data []byte) func([]zipEntry) []zipEntry {
		return func(es []zipEntry) []zipEntry {
			for i := range es {
				if es[i].name == name {
					es[i].data = data
				}
			}
			return es
		}
	}
	jsonDoc := func() []byte {
		for _, e := range entries {
			if e.name == export.FileJSON {
				return e.data
			}
		}
		return nil
	}()
	cases := []struct {
		name   string
		bundle []byte
		want   string // in the message
	}{
		{"truncated", original[:len(original)*2/3], "troncato"},
		{"truncated entry", func() []byte {
			b := slices.Clone(original)
			// Damage the data of the first entry (the PDF), not the directory.
			for i := 200; i < 400; i++ {
				b[i] ^= 0x55
			}
			return b
		}(), export.FilePDF},
		{"tampered audit.json", edit(replace(export.FileJSON, bytes.Replace(jsonDoc, []byte("Valdoria"), []byte("Valdorio"), 1))), export.FileJSON},
		{"tampered evidence", edit(replace(evidence, []byte("\x89PNG\r\n\x1a\n manomesso"))), evidence},
		{"oversized evidence", edit(func(es []zipEntry) []zipEntry {
			return resum(replace(evidence, bytes.Repeat([]byte{0}, 11<<20))(es))
		}), evidence},
		{"oversized SHA256SUMS", edit(func(es []zipEntry) []zipEntry {
			return replace(export.FileSums, bytes.Repeat([]byte("a"), 2<<20))(es)
		}), export.FileSums},
		{"path traversal", edit(func(es []zipEntry) []zipEntry {
			return resum(append(es, zipEntry{name: "../fuori.txt", data: []byte("x")}))
		}), "../fuori.txt"},
		{"traversal inside a folder", edit(func(es []zipEntry) []zipEntry {
			return resum(append(es, zipEntry{name: "evidenze/../../fuori.txt", data: []byte("x")}))
		}), "evidenze/../../fuori.txt"},
		{"absolute path", edit(func(es []zipEntry) []zipEntry {
			return resum(append(es, zipEntry{name: "/etc/cron.d/x", data: []byte("x")}))
		}), "/etc/cron.d/x"},
		{"backslash", edit(func(es []zipEntry) []zipEntry {
			return resum(append(es, zipEntry{name: `evidenze\..\x.txt`, data: []byte("x")}))
		}), `voce "evidenze\..\x.txt" del fascicolo`},
		// A name is shown cleaned once (CleanText), not quoted again: the
		// control character as \x00, not \\x00.
		{"control character in a name", edit(func(es []zipEntry) []zipEntry {
			return resum(append(es, zipEntry{name: "a\x00b.txt", data: []byte("x")}))
		}), `voce "a\x00b.txt" del fascicolo: nome con caratteri non ammessi`},
		{"duplicate entry", edit(func(es []zipEntry) []zipEntry {
			return append(es, zipEntry{name: export.FileJSON, data: jsonDoc})
		}), "ripetuta"},
		{"symbolic link", edit(func(es []zipEntry) []zipEntry {
			return append(es, zipEntry{name: "collegamento", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777})
		}), "collegamento"},
		{"entry not in SHA256SUMS", edit(func(es []zipEntry) []zipEntry {
			return append(es, zipEntry{name: "extra.txt", data: []byte("x")})
		}), "extra.txt"},
		// Listed in SHA256SUMS but unknown to the format: an import would
		// drop it and export again without it, so it is refused.
		{"unknown file listed in SHA256SUMS", edit(func(es []zipEntry) []zipEntry {
			return resum(append(es, zipEntry{name: "verbale-firmato.pdf", data: []byte("%PDF-1.4 x")}))
		}), `voce "verbale-firmato.pdf" del fascicolo: file che il formato del fascicolo non prevede`},
		{"listed file missing", edit(func(es []zipEntry) []zipEntry {
			return slices.DeleteFunc(es, func(e zipEntry) bool { return e.name == "risposte.csv" })
		}), "risposte.csv"},
		// Names past the limit (checklist.MaxNameRunes): a sede of 40 000
		// characters made bbolt refuse the key ("key too large", in English,
		// from inside the write), an ente of 1 MiB an export of 5 GB.
		{"sede name too long", edit(func(es []zipEntry) []zipEntry {
			return resum(replace(export.FileJSON, bytes.ReplaceAll(jsonDoc, []byte("Municipio"), bytes.Repeat([]byte("M"), 40000)))(es))
		}), "sedi[0].name: nome della sede troppo lungo"},
		// The catalogue changed and its digest changed to match in
		// audit.json: under the built-in's id and version it was stored in
		// an empty database, which then refused to store the real one.
		{"built-in catalogue changed, digest consistent", edit(func(es []zipEntry) []zipEntry {
			for i := range es {
				if strings.HasPrefix(es[i].name, export.DirCatalogue+"/") {
					old := sha256.Sum256(es[i].data)
					es[i].data = bytes.Replace(es[i].data, []byte("title: "), []byte("title: MODIFICATO "), 1)
					sum := sha256.Sum256(es[i].data)
					es = replace(export.FileJSON, bytes.ReplaceAll(jsonDoc, []byte(hex.EncodeToString(old[:])), []byte(hex.EncodeToString(sum[:]))))(es)
					break
				}
			}
			return resum(es)
		}), "catalogo/cie-postazioni@2026.2.yaml: stesso ID e versione di un catalogo integrato"},
		{"ente name too long", edit(func(es []zipEntry) []zipEntry {
			return resum(replace(export.FileJSON, bytes.Replace(jsonDoc, []byte(`"name": "Comune di Valdoria"`), []byte(`"name": "`+strings.Repeat("E", 1<<20)+`"`), 1))(es))
		}), "ente.name: nome dell'ente troppo lungo"},
	}
	// A database that already holds an audit: a refused import leaves its
	// file byte for byte as it was.
	base := filepath.Join(dir, "esistente.db")
	mustRun(t, base, "audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--auditor", "Ada", "--year", "2026")
	before, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bundle := filepath.Join(t.TempDir(), "fascicolo.zip")
			if err := os.WriteFile(bundle, tc.bundle, 0o600); err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(t.TempDir(), "copia.db")
			if err := os.WriteFile(db, before, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, src := range []struct{ arg, stdin string }{{bundle, ""}, {"-", string(tc.bundle)}} {
				r := runCLIInput(t, db, src.stdin, "import", src.arg)
				t.Logf("import %s: %s", src.arg, r.Stderr)
				if r.Code != 1 || !strings.Contains(r.Stderr, tc.want) || strings.Count(strings.TrimSpace(r.Stderr), "\n") > 0 {
					t.Errorf("import %s: exit %d, stderr %q; want exit 1 and one line naming %q", src.arg, r.Code, r.Stderr, tc.want)
				}
				if r.Stdout != "" {
					t.Errorf("import %s printed %q", src.arg, r.Stdout)
				}
			}
			after, err := os.ReadFile(db)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, before) {
				t.Error("a refused import changed the database file")
			}
			empty := filepath.Join(t.TempDir(), "vuoto.db")
			if r := runCLI(t, empty, "import", bundle); r.Code != 1 {
				t.Errorf("import into an empty database: exit %d", r.Code)
			}
			var list struct {
				Audits []json.RawMessage `json:"audits"`
			}
			if err := json.Unmarshal([]byte(mustRun(t, empty, "audit", "list", "--json")), &list); err != nil || len(list.Audits) != 0 {
				t.Errorf("the empty database holds %d audits after a refused import (%v)", len(list.Audits), err)
			}
		})
	}
}

// TestCLIImportCarriedChain: an audit carried from last year's (carried
// answers, upgrade report, predecessor link) comes back whole, and with its
// predecessor imported first its bundle, comparison with the previous year
// included, is the same byte for byte.
func TestCLIImportCarriedChain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "origine.db")
	prev := strings.TrimSpace(mustRun(t, db, "demo"))
	out := mustRun(t, db, "audit", "new", "--from", prev, "--year", "2027", "--auditor", "Ada")
	next := ""
	for _, f := range strings.Fields(out) {
		if len(f) == 8 && f != prev && strings.Trim(f, "23456789abcdefghjkmnpqrstuvwxyz") == "" {
			next = f
		}
	}
	if next == "" {
		t.Fatalf("no new audit ID in %q", out)
	}
	mustRun(t, db, "answer", next, "--scope", "ente", "--item", "ORG-01", "--value", "si")
	bundles := map[string]string{}
	for _, id := range []string{prev, next} {
		bundles[id] = filepath.Join(dir, id+".zip")
		mustRun(t, db, "export", id, "--zip", "--out", bundles[id])
	}
	target := filepath.Join(dir, "destinazione.db")
	mustRun(t, target, "import", bundles[prev])
	if got := mustRun(t, target, "import", bundles[next]); !strings.Contains(got, "risposte riportate da verificare") || strings.Contains(got, " 0 risposte riportate") {
		t.Errorf("import of the carried audit: %s", got)
	}
	again := filepath.Join(dir, "di-nuovo.zip")
	mustRun(t, target, "export", next, "--zip", "--out", again)
	a, _ := os.ReadFile(bundles[next])
	b, _ := os.ReadFile(again)
	if len(a) == 0 || !bytes.Equal(a, b) {
		want, got := readZip(t, a), readZip(t, b)
		for i := range min(len(want), len(got)) {
			if !bytes.Equal(want[i].data, got[i].data) {
				t.Errorf("%s differs after the import", want[i].name)
			}
		}
		t.Fatal("the carried audit's bundle is not byte-identical after the import")
	}
}
