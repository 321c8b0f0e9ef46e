package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func logoFixture(t testing.TB, name string) string { return testdataPath(t, "logo", name) }

// TestCLIAuditSetLogo: audit set --logo on the real binary and database —
// refusals say which file and why and store nothing, the stemma reaches the
// bundle (stemma.<ext> in SHA256SUMS, audit.logo in audit.json, the covers
// of the PDF, HTML and ODT), the history records it, --no-logo removes it.
func TestCLIAuditSetLogo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	id := newAuditWithWorkstation(t, db)
	png, jpg := logoFixture(t, "stemma.png"), logoFixture(t, "stemma.jpg")
	text := filepath.Join(dir, "stemma.png") // text renamed .png
	os.WriteFile(text, []byte("non sono un'immagine\n"), 0o644)
	big := filepath.Join(dir, "grande.png")
	os.WriteFile(big, make([]byte, 600<<10), 0o644)

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--logo", text}, 1, "stemma " + text + ": il contenuto è di tipo testo, non un'immagine PNG o JPEG"},
		{[]string{"--logo", big}, 1, "lo stemma " + big + " supera il limite di 512 KiB"},
		{[]string{"--logo", filepath.Join(dir, "manca.png")}, 1, "manca.png"},
		{[]string{"--logo", dir}, 1, dir},
		{[]string{"--logo", png, "--no-logo"}, 2, "--logo e --no-logo insieme"},
		{[]string{}, 2, "indicare almeno un dato da modificare"},
		{[]string{"--logo", png, "--istat", "12"}, 2, `codice ISTAT "12" non valido`},
		{[]string{"--logo", png, "--population", "molti"}, 2, `la popolazione "molti"`},
	} {
		r := runCLI(t, db, append([]string{"audit", "set", id}, c.args...)...)
		if r.Code != c.code || !strings.Contains(r.Stderr, c.msg) || strings.Count(strings.TrimSpace(r.Stderr), "\n") != 0 {
			t.Errorf("audit set %v: exit %d, stderr %q; want exit %d with %q", c.args, r.Code, r.Stderr, c.code, c.msg)
		}
	}
	if out := mustRun(t, db, "audit", "show", id); strings.Contains(out, "Stemma") {
		t.Fatalf("a refused stemma was stored:\n%s", out)
	}

	if got := mustRun(t, db, "audit", "set", id, "--logo", png, "--sindaco", "Anna Rossi"); got != "Salvato: dati dell'ente; stemma (immagine PNG 240×300, 1,6 KiB).\n" {
		t.Fatalf("audit set: %q", got)
	}
	// Standard input, as over SSH; JPEG replaces PNG.
	jpgData, _ := os.ReadFile(jpg)
	mustRunInput(t, db, string(jpgData), "audit", "set", id, "--logo", "-")
	if out := mustRun(t, db, "audit", "show", id); !strings.Contains(out, "Stemma: immagine JPEG 240×300, 8,4 KiB") {
		t.Fatalf("audit show:\n%s", out)
	}

	out := filepath.Join(dir, "fascicolo")
	mustRun(t, db, "export", id, "--out", out)
	got, err := os.ReadFile(filepath.Join(out, "stemma.jpg"))
	if err != nil || string(got) != string(jpgData) {
		t.Fatalf("stemma.jpg: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "stemma.png")); err == nil {
		t.Fatal("the replaced PNG is still in the bundle")
	}
	sum := sha256.Sum256(jpgData)
	digest := hex.EncodeToString(sum[:])
	sums, _ := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if !strings.Contains(string(sums), digest+"  stemma.jpg\n") {
		t.Fatalf("SHA256SUMS:\n%s", sums)
	}
	var doc struct {
		Audit struct {
			Logo struct {
				SHA256, Type  string
				Size          int64
				Width, Height int
			} `json:"logo"`
		} `json:"audit"`
		History []struct{ Kind, Old, New string } `json:"history"`
	}
	data, _ := os.ReadFile(filepath.Join(out, "audit.json"))
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if l := doc.Audit.Logo; l.SHA256 != digest || l.Type != "image/jpeg" || l.Size != int64(len(jpgData)) || l.Width != 240 || l.Height != 300 {
		t.Fatalf("audit.json logo = %+v", l)
	}
	var entries []string
	for _, h := range doc.History {
		if strings.HasPrefix(h.New, "stemma: ") || strings.HasPrefix(h.Old, "stemma: ") {
			entries = append(entries, h.Kind+"|"+h.Old[:min(len(h.Old), 20)]+"|"+h.New[:min(len(h.New), 20)])
		}
	}
	if len(entries) != 2 || entries[0] != "audit||stemma: immagine PNG" || entries[1] != "audit|stemma: immagine PNG|stemma: immagine JPE" {
		t.Fatalf("history entries of the stemma: %q", entries)
	}

	// The covers: an image on the PDF's first page, the ODT's picture.
	if _, err := exec.LookPath("pdfimages"); err == nil {
		list, err := exec.Command("pdfimages", "-f", "1", "-l", "1", "-list", filepath.Join(out, "piano-sicurezza-cie.pdf")).Output()
		if err != nil || !strings.Contains(string(list), " 240   300 ") {
			t.Fatalf("pdfimages: %v\n%s", err, list)
		}
	}
	zr, err := zip.OpenReader(filepath.Join(out, "piano-sicurezza-cie.odt"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	found := false
	for _, f := range zr.File {
		found = found || f.Name == "Pictures/stemma.jpg"
	}
	if !found {
		t.Fatal("the ODT has no Pictures/stemma.jpg")
	}
	html, _ := os.ReadFile(filepath.Join(out, "piano-sicurezza-cie.html"))
	if !strings.Contains(string(html), `<img class="stemma" src="data:image/jpeg;base64,`) {
		t.Fatal("the HTML cover has no stemma")
	}

	// Removed: gone from the audit and from the next bundle.
	if got := mustRun(t, db, "audit", "set", id, "--no-logo"); got != "Salvato: stemma rimosso.\n" {
		t.Fatalf("--no-logo: %q", got)
	}
	mustRun(t, db, "export", id, "--out", out, "--force")
	if _, err := os.Stat(filepath.Join(out, "stemma.jpg")); err == nil {
		t.Fatal("stemma.jpg still exported after --no-logo")
	}
	mustRun(t, db, "audit", "set", id, "--logo", png)
	if got := mustRun(t, db, "audit", "set", id, "--logo", ""); got != "Salvato: stemma rimosso.\n" {
		t.Fatalf(`--logo "": %q`, got)
	}
}
