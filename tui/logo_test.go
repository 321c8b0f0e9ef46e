package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// TestEnteFormLogo: the ente form's stemma page takes a local path, saves
// the ente's data and the stemma together, refuses a file the rule refuses
// (saving nothing, the reason on the status line) and removes it with
// «nessuno»; over SSH it shows the command instead of a path field.
func TestEnteFormLogo(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 120, 40)
	png, err := filepath.Abs(filepath.Join("..", "testdata", "logo", "stemma.png"))
	if err != nil {
		t.Fatal(err)
	}
	fake := filepath.Join(t.TempDir(), "stemma.png")
	os.WriteFile(fake, []byte("testo, non un'immagine"), 0o644)

	toLogo := func() {
		h.press("a")
		h.press("enter", "enter", "enter", "enter", "enter", "enter", "enter") // the first page, sindaco, responsabile
		h.press("tab")                                                         // referente → stemma
		h.requireScreen("Stemma del comune: percorso del file", "Nessuno stemma caricato", "«nessuno» lo toglie")
	}
	toLogo()
	h.typeText(fake)
	h.press("enter")
	h.requireScreen("NON salvato", "stemma.png: il contenuto è di")
	if a, _ := s.Audit(id); a.Logo != nil {
		t.Fatalf("refused stemma stored: %+v", a.Logo)
	}

	toLogo()
	h.typeText(png)
	h.press("enter")
	h.requireScreen("Salvato: dati dell'ente e stemma")
	snap, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(png)
	if snap.Audit.Logo == nil || string(snap.LogoData) != string(data) {
		t.Fatalf("stemma after the form: %+v", snap.Audit.Logo)
	}

	h.press("a")
	h.press("enter", "enter", "enter", "enter", "enter", "enter", "enter", "tab")
	h.requireScreen("Stemma attuale: immagine PNG 240×300, 1,6 KiB")
	h.typeText("nessuno")
	h.press("enter")
	h.requireScreen("Salvato: dati dell'ente; stemma rimosso")
	if a, _ := s.Audit(id); a.Logo != nil {
		t.Fatalf("stemma not removed: %+v", a.Logo)
	}

	// Over SSH: no path of the server's files, the command to use instead.
	// The command names the server the client reached, as the evidence
	// page's does.
	r := newHarness(t, Options{Store: s, AuditID: id, ExportRoot: t.TempDir(), SSHAddr: "10.0.0.7:2222", Role: checklist.RoleAuditor}, 120, 40)
	r.press("a")
	r.press("enter", "enter", "enter", "enter", "enter", "enter", "enter", "tab")
	if scr := r.screen(); !strings.Contains(scr, "ssh -p 2222 10.0.0.7 audit set "+id+" --logo - < stemma.png") || strings.Contains(scr, "percorso del file") {
		t.Fatalf("SSH stemma page:\n%s", scr)
	}
}
