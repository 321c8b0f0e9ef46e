package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	stdhtml "html"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// logoSnapshot is the fixture with the stemma of testdata/logo/name.
func logoSnapshot(t *testing.T, name string) *checklist.Snapshot {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "logo", name))
	if err != nil {
		t.Fatal(err)
	}
	l, err := checklist.CheckLogo(name, data)
	if err != nil {
		t.Fatal(err)
	}
	snap := fixtureSnapshot()
	snap.Audit.Logo, snap.LogoData = &l, data
	return snap
}

// TestBundleLogo: the stemma is in the bundle as stemma.<ext>, listed in
// SHA256SUMS, and audit.json refers to it by the same SHA-256.
func TestBundleLogo(t *testing.T) {
	for _, c := range []struct{ fixture, file string }{{"stemma.png", "stemma.png"}, {"stemma.jpg", "stemma.jpg"}} {
		snap := logoSnapshot(t, c.fixture)
		out := filepath.Join(t.TempDir(), "b")
		if _, err := Bundle(snap, nil, out, Options{}); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(out, c.file))
		if err != nil || !bytes.Equal(got, snap.LogoData) {
			t.Fatalf("%s: %v, %d bytes", c.file, err, len(got))
		}
		sum := sha256.Sum256(got)
		sums, _ := os.ReadFile(filepath.Join(out, FileSums))
		if !strings.Contains(string(sums), hex.EncodeToString(sum[:])+"  "+c.file+"\n") {
			t.Fatalf("SHA256SUMS lacks %s:\n%s", c.file, sums)
		}
		var doc struct {
			Audit struct {
				Logo *checklist.Logo `json:"logo"`
			} `json:"audit"`
		}
		data, _ := os.ReadFile(filepath.Join(out, FileJSON))
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Audit.Logo == nil || doc.Audit.Logo.SHA256 != hex.EncodeToString(sum[:]) || doc.Audit.Logo.Size != int64(len(got)) {
			t.Fatalf("audit.json logo = %+v", doc.Audit.Logo)
		}
	}
	// Without its bytes the export fails rather than dropping the stemma.
	snap := logoSnapshot(t, "stemma.png")
	snap.LogoData = nil
	if _, err := Bundle(snap, nil, filepath.Join(t.TempDir(), "b"), Options{}); err == nil || !strings.Contains(err.Error(), "stemma") {
		t.Fatalf("bundle without the stemma's bytes: %v", err)
	}
}

// TestCoverLogo: the stemma is on the cover of the three documents — an
// image object on the PDF's first page (pdfimages lists it when poppler is
// installed), the HTML's data: URI of the very bytes, the ODT's
// Pictures/stemma.<ext> listed in the manifest and drawn in content.xml —
// and absent without one.
func TestCoverLogo(t *testing.T) {
	for _, fixture := range []string{"stemma.png", "stemma.jpg"} {
		t.Run(fixture, func(t *testing.T) {
			snap := logoSnapshot(t, fixture)
			var pdf, html, odt bytes.Buffer
			if err := WritePDF(&pdf, snap, nil); err != nil {
				t.Fatal(err)
			}
			if err := WriteHTML(&html, snap, nil); err != nil {
				t.Fatal(err)
			}
			if err := WriteODT(&odt, snap, nil); err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(pdf.Bytes(), []byte("/Subtype /Image")); n < 1 {
				t.Fatalf("PDF has %d image objects", n)
			}
			if _, err := exec.LookPath("pdfimages"); err == nil {
				p := filepath.Join(t.TempDir(), "r.pdf")
				os.WriteFile(p, pdf.Bytes(), 0o644)
				out, err := exec.Command("pdfimages", "-f", "1", "-l", "1", "-list", p).Output()
				if err != nil {
					t.Fatal(err)
				}
				if !regexp.MustCompile(`(?m)^\s+1\s+0\s+image\s+240\s+300\s`).Match(out) {
					t.Fatalf("pdfimages does not list the 240×300 stemma on page 1:\n%s", out)
				}
			}
			uri := "data:" + snap.Audit.Logo.Type + ";base64," + base64.StdEncoding.EncodeToString(snap.LogoData)
			m := regexp.MustCompile(`<img class="stemma" src="([^"]*)"`).FindStringSubmatch(html.String())
			if m == nil || stdhtml.UnescapeString(m[1]) != uri {
				t.Fatal("HTML cover lacks the stemma's data: URI")
			}
			zr, err := zipReader(odt.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			entry := "Pictures/" + snap.Audit.Logo.FileName()
			files := map[string][]byte{}
			for _, f := range zr.File {
				rc, _ := f.Open()
				files[f.Name], _ = io.ReadAll(rc)
				rc.Close()
			}
			if !bytes.Equal(files[entry], snap.LogoData) {
				t.Fatalf("ODT %s: %d bytes", entry, len(files[entry]))
			}
			if !strings.Contains(string(files["META-INF/manifest.xml"]), `manifest:full-path="`+entry+`" manifest:media-type="`+snap.Audit.Logo.Type+`"`) {
				t.Fatalf("manifest lacks %s:\n%s", entry, files["META-INF/manifest.xml"])
			}
			if !strings.Contains(string(files["content.xml"]), `<draw:image xlink:href="`+entry+`"`) {
				t.Fatal("content.xml does not draw the stemma")
			}
		})
	}
	var pdf, html bytes.Buffer
	snap := fixtureSnapshot()
	_ = WritePDF(&pdf, snap, nil)
	_ = WriteHTML(&html, snap, nil)
	if bytes.Contains(pdf.Bytes(), []byte("/Subtype /Image")) || strings.Contains(html.String(), "data:image") {
		t.Fatal("a stemma printed for an audit without one")
	}
}

// TestODTLogoInLibreOffice: LibreOffice Writer opens the ODT with the
// stemma and prints it on the first page (pdfimages lists the 240×300
// image there). Skips without LibreOffice or poppler.
func TestODTLogoInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice not installed (CI installs libreoffice-writer-nogui)")
	}
	if _, err := exec.LookPath("pdfimages"); err != nil {
		t.Skip("pdfimages not installed (poppler-utils)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, FileODT)
	var odt bytes.Buffer
	if err := WriteODT(&odt, logoSnapshot(t, "stemma.jpg"), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, odt.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "pdf", "--outdir", dir, in).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	out, err := exec.Command("pdfimages", "-f", "1", "-l", "1", "-list", filepath.Join(dir, "piano-sicurezza-cie.pdf")).Output()
	if err != nil {
		t.Fatalf("pdfimages: %v", err)
	}
	if !regexp.MustCompile(`(?m)^\s+1\s+0\s+image\s+240\s+300\s`).Match(out) {
		t.Fatalf("LibreOffice's first page has no 240×300 stemma:\n%s", out)
	}
}

// TestLogoFit: the stemma keeps its shape within 40 × 28 mm, and a strip
// is still at least 1 mm a side.
func TestLogoFit(t *testing.T) {
	for _, c := range []struct {
		w, h         int
		wantW, wantH float64
	}{
		{240, 300, 22.4, 28}, {400, 100, 40, 10}, {100, 100, 28, 28}, {2048, 1, 40, 1}, {1, 2048, 1, 28},
	} {
		w, h := (&logoView{Width: c.w, Height: c.h}).fit()
		if math.Abs(w-c.wantW) > 0.01 || math.Abs(h-c.wantH) > 0.01 {
			t.Errorf("%d×%d px: %.2f×%.2f mm, want %.2f×%.2f", c.w, c.h, w, h, c.wantW, c.wantH)
		}
	}
}
