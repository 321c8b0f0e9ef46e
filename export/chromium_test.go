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
	// Printed, the HTML is about as long as the PDF and each part starts
	// on about the same page: the print CSS uses the PDF's sizes and
	// margins and breaks where the PDF does.
	pdfText := pdfPages(t, fixtureSnapshot())
	if d := len(pages) - len(pdfText); d < -max(1, len(pdfText)/10) || d > max(1, len(pdfText)/10) {
		t.Errorf("printed HTML has %d pages, the PDF %d", len(pages), len(pdfText))
	}
	startPage := func(pages []string, title string) int {
		for i, p := range pages {
			for _, line := range strings.Split(p, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), title) {
					return i + 1
				}
			}
		}
		return 0
	}
	for _, part := range []string{"2. Quadro normativo", "4. Perimetro", "5. Esito", "6. Stato attuale", "7. Analisi dei rischi", "8. Azioni migliorative", "10. Validazione e invio", "12. Registro delle modifiche"} {
		h, p := startPage(pages, part), 0
		for i, text := range pdfText {
			if strings.Contains(text, part) && p == 0 {
				p = i + 1
			}
		}
		if h == 0 || p == 0 || h-p < -1 || h-p > 1 {
			t.Errorf("%q starts on printed page %d of the HTML, page %d of the PDF", part, h, p)
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
