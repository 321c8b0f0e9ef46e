package export

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHTMLPrintsWithoutBrokenWords prints the HTML report to A4 with
// headless Chromium, as a reviewer would, and re-reads the text: no word
// of the tables is split across lines ("Non verificat/o", "Parzial/e"),
// and every printed page of a draft says BOZZA. Skips without Chromium.
func TestHTMLPrintsWithoutBrokenWords(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "piano.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(f, fixtureSnapshot(), nil); err != nil {
		t.Fatal(err)
	}
	f.Close()
	pdf := filepath.Join(dir, "piano.pdf")
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
	if len(pages) < 5 {
		t.Fatalf("%d printed pages", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, "BOZZA") {
			t.Errorf("printed page %d lacks BOZZA", i+1)
		}
	}
	// Word stems that the old overflow-wrap: anywhere split in narrow
	// columns; a stem at a line end means the word was broken.
	for _, stem := range []string{"verificat", "Parzial", "Resp", "Respons", "Medi", "Conformit", "applicabil"} {
		for n, line := range strings.Split(string(out), "\n") {
			for _, field := range strings.Fields(line) {
				if field == stem {
					t.Errorf("line %d: %q split mid-word: %q", n+1, stem, strings.TrimSpace(line))
				}
			}
		}
	}
}
