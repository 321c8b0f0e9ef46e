package export

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/checklist/demo"
)

// importSnapshot is the demo audit as stored: built-in catalogue, answers
// with authors and times, a history, an evidence file.
func importSnapshot(t testing.TB) (*checklist.Snapshot, map[string][]byte) {
	t.Helper()
	cat, err := checklist.Parse(checklist.BuiltinSource, checklist.BuiltinFilename)
	if err != nil {
		t.Fatal(err)
	}
	d := demo.Build(cat)
	when := time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC)
	a := d.Audit
	a.ID, a.Status, a.CreatedAt, a.UpdatedAt = "k7m9p2qx", checklist.StatusInProgress, when, when.Add(time.Hour)
	a.CatalogueID, a.CatalogueVersion, a.CatalogueDigest = cat.ID, cat.Version, cat.Digest
	snap := &checklist.Snapshot{Audit: a, Catalogue: cat, Actions: map[string]checklist.ActionPlan{}, Overrides: map[string]checklist.RiskOverride{}}
	for i, ans := range d.Answers {
		ans.Author, ans.At, ans.Rev = "Ada", when.Add(time.Duration(i)*time.Second), 1
		snap.Answers = append(snap.Answers, ans)
		snap.History = append(snap.History, checklist.Change{Seq: uint64(i + 1), At: ans.At, Author: "Ada", Kind: checklist.ChangeAnswer, Scope: ans.Scope.String(), Item: ans.Item, New: ans.Value})
	}
	png, err := os.ReadFile(filepath.Join("..", "testdata", "evidence", "armadio.png"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(png)
	e := checklist.Evidence{ID: "al-1", Scope: checklist.EnteScope, Item: "ORG-01", Name: "armadio.png", Type: "image/png",
		Size: int64(len(png)), Digest: hex.EncodeToString(sum[:]), Author: "Ada", At: when}
	snap.Evidence = []checklist.Evidence{e}
	return snap, map[string][]byte{e.Digest: png}
}

// smallSnapshot is a small audit on a small catalogue that is not
// built in (testdata/catalogues/good/base.yaml): cheap enough for the fuzzer
// to read thousands of times.
func smallSnapshot(t testing.TB) (*checklist.Snapshot, map[string][]byte) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "testdata", "catalogues", "good", "base.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := checklist.Parse(src, "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC)
	a := checklist.Audit{ID: "prova2345", Ente: checklist.Ente{Name: "Comune di Prova", ISTAT: "054001"}, Year: 2026,
		Auditors: []string{"Ada"}, Status: checklist.StatusDraft, CatalogueID: cat.ID, CatalogueVersion: cat.Version,
		CatalogueDigest: cat.Digest, Sedi: []checklist.Sede{{Name: "Municipio"}}, CreatedAt: when, UpdatedAt: when.Add(time.Minute)}
	sede := checklist.Scope{Kind: checklist.ScopeSede, Name: "Municipio"}
	snap := &checklist.Snapshot{Audit: a, Catalogue: cat, Actions: map[string]checklist.ActionPlan{}, Overrides: map[string]checklist.RiskOverride{},
		Answers: []checklist.Answer{
			{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Note: "delibera 12/2026", Author: "Ada", At: when, Rev: 1},
			{Scope: sede, Item: "FIS-01", Value: "parziale", Author: "Ada", At: when.Add(time.Second), Rev: 2},
		},
		History: []checklist.Change{
			{Seq: 1, At: when, Author: "Ada", Kind: checklist.ChangeAnswer, Scope: "ente", Item: "ORG-01", New: "si"},
			{Seq: 2, At: when.Add(time.Second), Author: "Ada", Kind: checklist.ChangeAnswer, Scope: sede.String(), Item: "FIS-01", New: "parziale"},
		},
	}
	txt := []byte("verbale di sopralluogo\n")
	sum := sha256.Sum256(txt)
	e := checklist.Evidence{ID: "al-1", Scope: sede, Item: "FIS-01", Name: "verbale.txt", Type: "text/plain",
		Size: int64(len(txt)), Digest: hex.EncodeToString(sum[:]), Author: "Ada", At: when}
	snap.Evidence = []checklist.Evidence{e}
	return snap, map[string][]byte{e.Digest: txt}
}

// bundleOf is a valid bundle of snap holding only what an import reads (audit.json, the catalogue, the evidence, SHA256SUMS): the
// rendered documents are only hashed, so they are left out to keep the
// fuzzer's inputs small.
func bundleOf(t testing.TB, snap *checklist.Snapshot, contents map[string][]byte) []bundleFile {
	t.Helper()
	var doc bytes.Buffer
	if err := WriteJSON(&doc, snap, nil); err != nil {
		t.Fatal(err)
	}
	files := []bundleFile{{FileJSON, doc.Bytes()}, {CatalogueFile(snap.Catalogue), snap.Catalogue.Raw}}
	for _, e := range snap.Evidence {
		files = append(files, bundleFile{EvidenceFile(e), contents[e.Digest]})
	}
	return append(files, bundleFile{FileSums, checksums(files)})
}

// minimalBundle is bundleOf the demo audit on the built-in catalogue.
func minimalBundle(t testing.TB) []bundleFile {
	t.Helper()
	snap, contents := importSnapshot(t)
	return bundleOf(t, snap, contents)
}

func zipOf(t testing.TB, files []bundleFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := writeZipArchive(&buf, files, time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadBundleForms(t *testing.T) {
	files := minimalBundle(t)
	data := zipOf(t, files)
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, "cartella", filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	zipPath := filepath.Join(dir, "fascicolo.zip")
	if err := os.WriteFile(zipPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	want, _ := importSnapshot(t)
	for _, tc := range []struct {
		name string
		read func() (*checklist.ImportedAudit, error)
	}{
		{"zip file", func() (*checklist.ImportedAudit, error) { return ReadBundle(zipPath, ReadOptions{}) }},
		{"zip stream", func() (*checklist.ImportedAudit, error) { return ReadBundleFrom(bytes.NewReader(data), ReadOptions{}) }},
		{"folder", func() (*checklist.ImportedAudit, error) {
			return ReadBundle(filepath.Join(dir, "cartella"), ReadOptions{})
		}},
		{"folder zipped by hand", func() (*checklist.ImportedAudit, error) {
			// As zip -r piano.zip piano/ makes it: one top folder, folder entries.
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			for _, d := range []string{"piano/", "piano/catalogo/", "piano/evidenze/"} {
				if _, err := zw.Create(d); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range files {
				w, err := zw.Create("piano/" + f.name)
				if err != nil {
					t.Fatal(err)
				}
				w.Write(f.data)
			}
			zw.Close()
			return ReadBundleFrom(&buf, ReadOptions{})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			imp, err := tc.read()
			if err != nil {
				t.Fatal(err)
			}
			s := imp.Snapshot
			if s.Audit.ID != want.Audit.ID || len(s.Answers) != len(want.Answers) || len(s.History) != len(want.History) || len(s.Evidence) != 1 {
				t.Fatalf("read %s with %d answers, %d changes, %d files", s.Audit.ID, len(s.Answers), len(s.History), len(s.Evidence))
			}
			if !bytes.Equal(imp.CatalogueSource, checklist.BuiltinSource) || len(imp.Evidence[s.Evidence[0].Digest]) != int(s.Evidence[0].Size) {
				t.Error("catalogue or evidence content not carried")
			}
			// What was read writes the same audit.json again.
			var again bytes.Buffer
			if err := WriteJSON(&again, s, nil); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Bytes(), files[0].data) {
				t.Error("audit.json written from the imported snapshot differs from the bundle's")
			}
		})
	}
}

// TestReadBundleRefuses covers what the CLI test does not: refusals found
// by the reader's own rules, each named in its message.
func TestReadBundleRefuses(t *testing.T) {
	files := minimalBundle(t)
	jsonDoc := string(files[0].data)
	withJSON := func(edit func(string) string) []byte {
		fs := slices.Clone(files)
		fs[0].data = []byte(edit(jsonDoc))
		fs[len(fs)-1] = bundleFile{FileSums, checksums(fs[:len(fs)-1])}
		return zipOf(t, fs)
	}
	lyingHeader := func() []byte {
		// An entry whose header claims 10 bytes and that inflates to 11 MiB.
		var raw bytes.Buffer
		zw := zip.NewWriter(&raw)
		w, _ := zw.Create("x")
		w.Write(bytes.Repeat([]byte{0}, 11<<20))
		zw.Close()
		zr, _ := zip.NewReader(bytes.NewReader(raw.Bytes()), int64(raw.Len()))
		compressed, _ := zr.File[0].OpenRaw()
		var out bytes.Buffer
		zw = zip.NewWriter(&out)
		h := &zip.FileHeader{Name: "evidenze/al-1-bomba.png", Method: zip.Deflate, CRC32: zr.File[0].CRC32, UncompressedSize64: 10, CompressedSize64: zr.File[0].CompressedSize64}
		cw, _ := zw.CreateRaw(h)
		buf := new(bytes.Buffer)
		buf.ReadFrom(compressed)
		cw.Write(buf.Bytes())
		zw.Close()
		return out.Bytes()
	}
	tooMany := func() []byte {
		fs := slices.Clone(files)
		for i := range MaxBundleEntries {
			fs = append(fs, bundleFile{"f" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "-" + hex.EncodeToString([]byte{byte(i), byte(i >> 8)}) + ".csv", []byte("x")})
		}
		return zipOf(t, fs)
	}
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"not a bundle", "né un audit.json", []byte("ciao")},
		{"bad JSON", "riga 1: JSON non valido", []byte("{ciao")},
		{"unknown field", "pippo", withJSON(func(s string) string { return strings.Replace(s, `"schema"`, `"pippo": 1, "schema"`, 1) })},
		{"other schema", "cieaudit.audit/v9", withJSON(func(s string) string { return strings.Replace(s, SchemaJSON, "cieaudit.audit/v9", 1) })},
		{"answer to an unknown item", "ORG-99", withJSON(func(s string) string { return strings.Replace(s, `"item": "ORG-01"`, `"item": "ORG-99"`, 1) })},
		{"history out of order", "history[1].seq", withJSON(func(s string) string { return strings.Replace(s, `"seq": 2,`, `"seq": 1,`, 1) })},
		{"evidence size lies", "evidence[0]", withJSON(func(s string) string {
			return strings.Replace(s, `"size": 69,`, `"size": 70,`, 1)
		})},
		{"evidence type lies", "evidence[0]", withJSON(func(s string) string {
			return strings.Replace(s, `"type": "image/png"`, `"type": "application/pdf"`, 1)
		})},
		{"catalogue digest lies", "catalogue", withJSON(func(s string) string {
			return strings.Replace(s, `"digest": "`, `"digest": "0`, 1)
		})},
		{"terminal escape in a text", "answers[0].author", withJSON(func(s string) string {
			return strings.Replace(s, `"author": "Ada"`, `"author": "Ada\u001b[2J"`, 1)
		})},
		{"header lies about the size", "evidenze/al-1-bomba.png", lyingHeader()},
		{"too many entries", "voci", tooMany()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadBundleFrom(bytes.NewReader(tc.data), ReadOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a refusal naming %q", err, tc.want)
			}
			t.Log(err)
		})
	}
}

// TestReadBundleUnknownFiles: a file listed in SHA256SUMS that the format
// does not know (an import would drop it) is refused naming it, in a zip
// and in a folder; SHA256SUMS.sig, not listed, is accepted and ignored.
func TestReadBundleUnknownFiles(t *testing.T) {
	files := minimalBundle(t)
	with := func(extra ...bundleFile) []bundleFile {
		fs := append(slices.Clone(files[:len(files)-1]), extra...)
		return append(fs, bundleFile{FileSums, checksums(fs)})
	}
	folder := func(fs []bundleFile) string {
		dir := t.TempDir()
		for _, f := range fs {
			p := filepath.Join(dir, filepath.FromSlash(f.name))
			if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	for _, tc := range []struct {
		name  string
		files []bundleFile
		want  string // "" accepted
	}{
		{"as exported", files, ""},
		{"signature, not listed", append(slices.Clone(files), bundleFile{FileSignature, []byte("-----BEGIN SSH SIGNATURE-----\n")}), ""},
		{"a report table", with(bundleFile{TableEvents.FileName(), []byte("x")}), ""},
		{"unknown file", with(bundleFile{"verbale.pdf", []byte("%PDF-1.4")}), `voce "verbale.pdf" del fascicolo: file che il formato del fascicolo non prevede`},
		{"unknown file, sorted first", with(bundleFile{"LEGGIMI.txt", []byte("x")}, bundleFile{"zeta.txt", []byte("x")}), `voce "LEGGIMI.txt"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for form, read := range map[string]func() (*checklist.ImportedAudit, error){
				"zip": func() (*checklist.ImportedAudit, error) {
					return ReadBundleFrom(bytes.NewReader(zipOf(t, tc.files)), ReadOptions{})
				},
				"folder": func() (*checklist.ImportedAudit, error) { return ReadBundleDir(folder(tc.files), ReadOptions{}) },
			} {
				_, err := read()
				switch {
				case tc.want == "" && err != nil:
					t.Errorf("%s refused: %v", form, err)
				case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
					t.Errorf("%s: got %v, want a refusal naming %q", form, err, tc.want)
				}
			}
		})
	}
}
