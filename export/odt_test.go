package export

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

func renderODT(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteODT(&buf, fixtureSnapshot(), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestODTDeterministic: two exports of the same audit are the same bytes.
func TestODTDeterministic(t *testing.T) {
	if a, b := renderODT(t), renderODT(t); !bytes.Equal(a, b) {
		t.Fatal("two ODT exports of the same audit differ")
	}
}

// TestODTStructure checks the package as ODF requires it: mimetype first,
// stored and without extra field, then the manifest, content, styles and
// meta, each well-formed XML, with the styles the document relies on.
func TestODTStructure(t *testing.T) {
	data := renderODT(t)
	if !bytes.Equal(data[30:30+len("mimetype")], []byte("mimetype")) || !bytes.Equal(data[38:38+len(odtMime)], []byte(odtMime)) {
		t.Fatalf("the archive does not start with a bare mimetype entry: %q", data[:80])
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"mimetype", "META-INF/manifest.xml", "content.xml", "styles.xml", "meta.xml"}
	if len(zr.File) != len(want) {
		t.Fatalf("entries %d, want %v", len(zr.File), want)
	}
	text := map[string]string{}
	for i, f := range zr.File {
		if f.Name != want[i] {
			t.Errorf("entry %d is %s, want %s", i, f.Name, want[i])
		}
		if i > 0 && !f.Modified.Equal(fixtureSnapshot().LastChange().Truncate(1e9)) {
			t.Errorf("%s: modified %v, want the audit's last change", f.Name, f.Modified)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		text[f.Name] = string(b)
		if i == 0 {
			if f.Method != zip.Store || len(f.Extra) != 0 {
				t.Errorf("mimetype: method %d, extra %d bytes; want stored, none", f.Method, len(f.Extra))
			}
			continue
		}
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
		}
	}
	for _, c := range []struct{ file, want string }{
		{"styles.xml", `style:name="Heading_20_1"`},
		{"styles.xml", `style:name="Heading_20_2"`},
		{"styles.xml", `<text:page-number`},
		{"content.xml", `<table:table-header-rows>`},
		{"content.xml", `text:style-name="Heading_20_1"`},
		{"content.xml", `Comune di Sant&#39;Agata de&#39; Goti`},
		{"meta.xml", `<meta:creation-date>`},
	} {
		if !strings.Contains(text[c.file], c.want) {
			t.Errorf("%s lacks %s", c.file, c.want)
		}
	}
}

// TestODTEscape: markup is escaped and the characters XML 1.0 forbids are
// dropped, so any audit text gives a document Writer opens.
func TestODTEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a<b>&\"c\"", "a&lt;b&gt;&amp;&#34;c&#34;"},
		{"nul\x00 bell\x07 esc\x1b del\x7f c1\u0085 ok", "nul bell esc del c1 ok"},
		{"riga 1\nriga 2", "riga 1<text:line-break/>riga 2"},
		{"bad\xffutf8 \ufffe", "badutf8 "},
	} {
		if got := odtEscape(c.in); got != c.want {
			t.Errorf("odtEscape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestODTInLibreOffice converts the ODT with LibreOffice Writer and re-reads
// the text: the ente, a section heading and a measure's question.
func TestODTInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice not installed (CI installs libreoffice-writer-nogui)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, FileODT)
	if err := os.WriteFile(in, renderODT(t), 0o600); err != nil {
		t.Fatal(err)
	}
	profile := "file://" + filepath.Join(dir, "profile")
	if b, err := exec.Command(soffice, "-env:UserInstallation="+profile, "--headless",
		"--convert-to", "txt:Text (encoded):UTF8", "--outdir", dir, in).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	out, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(FileODT, ".odt")+".txt"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no text (is Writer installed?): %v", err)
	}
	got := string(out)
	snap := fixtureSnapshot()
	r := buildReport(snap, checklist.Assess(snap))
	var question string
	for _, sc := range r.Scopes {
		for _, sec := range sc.Sections {
			for _, it := range sec.Items {
				if question == "" && it.Question != "" {
					question = it.Question
				}
			}
		}
	}
	if question == "" {
		t.Fatal("the fixture has no question to look for")
	}
	for _, want := range []string{r.Ente.Name, "5. Esito", "6. Stato attuale", "5.3 Non conformità normative", question} {
		if !strings.Contains(got, want) {
			t.Errorf("the converted text lacks %q", want)
		}
	}
}
