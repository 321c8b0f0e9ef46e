package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	shlex "github.com/anmitsu/go-shlex"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// Files the evidence tests attach: a PDF and a text, recognised by their
// content.
var (
	samplePDF  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	sampleText = []byte("Verbale di sopralluogo: armadio chiuso a chiave, registro presente.\n")
)

// attachSampleEvidence attaches two files to FIS-01 of Sede Municipio of
// the only audit of s, the second with a note.
func attachSampleEvidence(t *testing.T, s *storage.Store) {
	t.Helper()
	list, err := s.ListAudits()
	if err != nil || len(list) != 1 {
		t.Fatalf("ListAudits: %v %v", list, err)
	}
	for _, f := range []struct {
		name, note string
		data       []byte
	}{
		{"verbale-sopralluogo.pdf", "", samplePDF},
		{"nota-armadio.txt", "Armadio delle CIE chiuso a chiave; chiave al responsabile", sampleText},
	} {
		if _, err := s.AddEvidence(list[0].ID, sedeMunicipio, "FIS-01", f.name, f.note, f.data, "preparatore"); err != nil {
			t.Fatalf("AddEvidence %s: %v", f.name, err)
		}
	}
}

func evidenceOf(t testing.TB, s Store, auditID string) []checklist.Evidence {
	t.Helper()
	snap, err := s.Load(auditID)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return snap.Evidence
}

// TestEvidenceCountInRows: the checklist row of an item with files shows
// how many, at both sizes, in ASCII; a shows them, name, type, size and
// digest, and the cursor moves through them.
func TestEvidenceCountInRows(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		s := openTestStore(t)
		id := createSample(t, s)
		attachSampleEvidence(t, s)
		h := newHarness(t, Options{Store: s, AuditID: id}, size[0], size[1])
		h.openScope(sedeMunicipio)
		h.moveTo("FIS-02")
		var row string
		for _, l := range strings.Split(h.screen(), "\n") {
			if strings.Contains(l, "FIS-01") {
				row = l
			}
		}
		if !strings.Contains(row, " [2]") || !strings.Contains(strings.ToLower(row), "no") {
			t.Fatalf("%dx%d: FIS-01's row lacks the count [2] before the answer: %q", size[0], size[1], row)
		}
		h.moveTo("FIS-01")
		h.press("a")
		h.requireScreen("Allegati di FIS-01", "Sede Municipio · 2 file", "verbale-sopralluogo.pdf", "documento PDF", "nota-armadio.txt", "testo")
		files := evidenceOf(t, s, id)
		h.press("down")
		h.requireScreen("SHA-256: "+files[1].Digest, "Nota: Armadio delle CIE chiuso a chiave", "Allegato da preparatore il 22/11/2026 10:30",
			checklist.FormatBytes(files[1].Size))
		if p := h.m.top().(*evidencePage); p.cursor != 1 {
			t.Fatalf("cursor %d after down, want 1", p.cursor)
		}
		h.press("esc")
		if _, ok := h.m.top().(*checklistPage); !ok {
			t.Fatalf("esc did not go back to the checklist:\n%s", h.screen())
		}
	}
}

// addEvidenceHarness is a local session on the sample audit, on FIS-01 of
// Sede Municipio's file list, with dir as the working and home folder.
func addEvidenceHarness(t *testing.T, dir string) (*harness, *storage.Store, string) {
	t.Helper()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 80, 24)
	h.m.ctx.workDir, h.m.ctx.homeDir = dir, dir
	h.openScope(sedeMunicipio)
	h.moveTo("FIS-01")
	h.press("a")
	h.requireScreen("Nessun allegato per questa voce: a aggiunge un file")
	return h, s, id
}

// TestEvidenceAddByPath attaches real files by a relative path, a ~ path
// and an absolute one: stored with their name, type, size and note, and
// "Salvato" on screen once committed.
func TestEvidenceAddByPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "scansioni"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "verbale.pdf"), samplePDF, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scansioni", "nota.txt"), sampleText, 0o600); err != nil {
		t.Fatal(err)
	}
	h, s, id := addEvidenceHarness(t, dir)

	h.press("a")
	h.requireScreen("FIS-01 — aggiungi allegato", "Percorso del file", dir)
	h.typeText("verbale.pdf")
	h.press("enter", "enter") // path, default name
	h.typeText("Verbale del sopralluogo")
	h.press("enter")
	h.requireScreen("Salvato: allegato al-1 «verbale.pdf» a FIS-01 (documento PDF, "+checklist.FormatBytes(int64(len(samplePDF)))+")",
		"Sede Municipio · 1 file", "Nota: Verbale del sopralluogo")

	h.press("a")
	h.typeText("~/scansioni/nota.txt")
	h.press("enter")
	h.typeText("armadio.txt")
	h.press("enter", "enter")
	h.requireScreen("Salvato: allegato al-2 «armadio.txt»", "2 file")
	if p := h.m.top().(*evidencePage); p.cursor != 1 {
		t.Fatalf("the cursor is on file %d, not on the one just attached", p.cursor)
	}

	h.press("a")
	h.typeText("'" + filepath.Join(dir, "verbale.pdf") + "'") // as a terminal pastes a dropped file
	h.press("enter", "enter", "enter")
	h.requireScreen("Salvato: allegato al-3 «verbale.pdf»", "3 file")

	files := evidenceOf(t, s, id)
	want := []struct{ name, note, typ string }{
		{"verbale.pdf", "Verbale del sopralluogo", "application/pdf"},
		{"armadio.txt", "", "text/plain"},
		{"verbale.pdf", "", "application/pdf"},
	}
	if len(files) != len(want) {
		t.Fatalf("%d files stored, want %d: %+v", len(files), len(want), files)
	}
	for i, w := range want {
		f := files[i]
		if f.Name != w.name || f.Note != w.note || f.Type != w.typ || f.Scope != sedeMunicipio || f.Item != "FIS-01" || f.Author != "giulia" {
			t.Errorf("file %d: %+v, want %+v", i, f, w)
		}
	}
	h.press("esc")
	h.requireScreen("[3]")
}

// TestEvidenceAddRefused: a file over the limit, a folder, a FIFO and a
// missing file are refused in the form with the CLI's Italian sentence and
// nothing is stored; a file of a kind not accepted is refused at the
// commit, the reason shown whole on the page.
func TestEvidenceAddRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "grande.pdf")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(checklist.MaxEvidenceBytes + 1); err != nil { // sparse: nothing written
		t.Fatal(err)
	}
	f.Close()
	if err := syscall.Mkfifo(filepath.Join(dir, "coda"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "cartella"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ typed, want string }{
		{"grande.pdf", "il file da allegare " + big + " supera il limite di 10240 KiB"},
		{"cartella", "il file da allegare " + filepath.Join(dir, "cartella") + " non è un file regolare ma una cartella: indicare un file"},
		{"coda", "non è un file regolare ma una FIFO"},
		{"/dev/zero", "il file da allegare /dev/zero non è un file regolare ma un dispositivo a caratteri"},
		{"manca.pdf", "manca.pdf non esiste"},
		{"", "indicare il percorso del file da allegare"},
	} {
		t.Run(tc.typed, func(t *testing.T) {
			t.Parallel()
			h, s, id := addEvidenceHarness(t, dir)
			h.m.ctx.Width = 200 // the whole sentence on one line
			h.send(h.m.formSize())
			h.press("a")
			h.typeText(tc.typed)
			h.press("enter")
			h.requireScreen("Percorso del file")
			if !strings.Contains(strings.Join(strings.Fields(h.screen()), " "), tc.want) {
				t.Fatalf("the form does not say %q:\n%s", tc.want, h.screen())
			}
			if h.m.form == nil {
				t.Fatal("the form closed on a refused path")
			}
			h.press("esc")
			if n := len(evidenceOf(t, s, id)); n != 0 {
				t.Fatalf("%d files stored", n)
			}
		})
	}

	t.Run("kind", func(t *testing.T) {
		t.Parallel()
		if err := os.WriteFile(filepath.Join(dir, "pagina.html"), []byte("<!DOCTYPE html><html><script>x</script></html>"), 0o600); err != nil {
			t.Fatal(err)
		}
		h, s, id := addEvidenceHarness(t, dir)
		h.press("a")
		h.typeText("pagina.html")
		h.press("enter", "enter", "enter")
		h.requireScreen("✗ NON allegato pagina.html: il motivo è sotto l'elenco")
		if want := `✗ NON allegato pagina.html: tipo di file "text/html" non ammesso: ammessi immagini JPEG`; !strings.Contains(strings.Join(strings.Fields(h.screen()), " "), want) {
			t.Fatalf("the page does not say %q:\n%s", want, h.screen())
		}
		if n := len(evidenceOf(t, s, id)); n != 0 {
			t.Fatalf("%d files stored", n)
		}
		// a again: the path typed is still there, to correct.
		h.press("a")
		if p := h.m.top().(*evidencePage); p.pathDraft != "pagina.html" || h.m.form == nil {
			t.Fatalf("the form reopened with path %q", p.pathDraft)
		}
		h.press("esc")
		h.press("esc") // hides the refusal first
		h.requireScreen("Nessun allegato per questa voce")
		if _, ok := h.m.top().(*evidencePage); !ok {
			t.Fatal("esc left the page instead of hiding the refusal")
		}
	})
}

// TestEvidenceRemove: D asks first (Annulla is the default), then removes
// the file; the history keeps what it was.
func TestEvidenceRemove(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	attachSampleEvidence(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 80, 24)
	h.openScope(sedeMunicipio)
	h.moveTo("FIS-01")
	h.press("a", "down", "D")
	h.requireScreen("Togliere al-2 «nota-armadio.txt» da FIS-01?", "Lo storico conserva nome, tipo, dimensione e SHA-256")
	h.press("enter")
	h.requireScreen("Nessun allegato tolto", "2 file")
	h.press("D", "s")
	h.requireScreen("Salvato: tolto al-2 «nota-armadio.txt» da FIS-01 (lo storico lo conserva)", "1 file")
	snap, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Evidence) != 1 || snap.Evidence[0].ID != "al-1" {
		t.Fatalf("evidence after removal: %+v", snap.Evidence)
	}
	i := slices.IndexFunc(snap.History, func(c checklist.Change) bool {
		return c.Kind == checklist.ChangeEvidence && strings.HasPrefix(c.Old, "al-2: nota-armadio.txt")
	})
	if i < 0 || snap.History[i].Author != "giulia" {
		t.Fatalf("the removal is not in the history: %+v", snap.History)
	}
	// The confirm field's own help says y: y accepts too.
	h.press("D", "y")
	h.requireScreen("Salvato: tolto al-1", "0 file", "Nessun allegato per questa voce")
	if n := len(evidenceOf(t, s, id)); n != 0 {
		t.Fatalf("%d files left", n)
	}
}

// TestEvidenceReadOnly: a viewer and a closed audit list the files but
// neither adds nor removes.
func TestEvidenceReadOnly(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	attachSampleEvidence(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id, Role: checklist.RoleViewer}, 80, 24)
	h.openScope(sedeMunicipio)
	h.moveTo("FIS-01")
	h.press("a")
	h.requireScreen("2 file")
	for _, k := range []string{"a", "D"} {
		h.press(k)
		h.requireScreen("Sola lettura")
		if h.m.form != nil {
			t.Fatalf("%s opened a form for a viewer", k)
		}
	}
}

// TestEvidenceRemoteHint: over SSH a shows the command that attaches a file
// from the user's computer, with this server's address, the audit, the
// scope and the item; no form asks for a path of the server.
func TestEvidenceRemoteHint(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id, SSHAddr: "192.0.2.7:2222", ExportRoot: t.TempDir()}, 80, 24)
	h.openScope(sedeMunicipio)
	h.moveTo("FIS-01")
	h.press("a")
	h.requireScreen("a mostra il comando")
	h.press("a")
	if h.m.form != nil {
		t.Fatal("a form asks for a path over SSH")
	}
	want := "ssh -p 2222 192.0.2.7 evidence add " + id + " --scope sede:Municipio --item FIS-01 - < FILE"
	if got := joinShellLines(h.screen()); !strings.Contains(got, want) {
		t.Fatalf("the screen lacks %q:\n%s", want, h.screen())
	}
	h.requireScreen("Via SSH un percorso indicherebbe un file del server")
	h.press("esc")
	if _, ok := h.m.top().(*evidencePage); !ok || strings.Contains(h.screen(), "ssh -p") {
		t.Fatalf("esc did not just hide the command:\n%s", h.screen())
	}
}

// joinShellLines undoes the backslash continuations of the screen.
func joinShellLines(screen string) string {
	var b strings.Builder
	for _, l := range strings.Split(screen, "\n") {
		l = strings.TrimRight(l, " ")
		if cont, ok := strings.CutSuffix(l, " \\"); ok {
			b.WriteString(cont + " ")
			continue
		}
		b.WriteString(strings.TrimLeft(l, " ") + "\n")
	}
	return strings.ReplaceAll(b.String(), "\n  ", "\n")
}

// TestSSHEvidenceCommandQuoting: the suggested command, as the user's shell
// splits it and the server splits the line ssh sends, gives the CLI the
// exact arguments, for scope names with spaces and quotes, and fits the
// screen in lines continued with a backslash.
func TestSSHEvidenceCommandQuoting(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	for _, tc := range []struct {
		addr  string
		scope checklist.Scope
	}{
		{"10.0.0.5:2222", checklist.EnteScope},
		{"10.0.0.5:22", checklist.Scope{Kind: checklist.ScopeSede, Name: "Municipio"}},
		{"[2001:db8::1]:2222", checklist.Scope{Kind: checklist.ScopeSede, Name: "Sala dell'Unione dei Comuni"}},
		{"jump.comune.example:2222", checklist.Scope{Kind: checklist.ScopeSede, Name: `Ufficio "Anagrafe" $HOME`}},
		{"10.0.0.5:2222", checklist.Scope{Kind: checklist.ScopeSede, Name: "Sala grande"}},
		{"10.0.0.5:2222", checklist.Scope{Kind: checklist.ScopePostazione, Name: "Ufficio!1"}},
		{"10.0.0.5:2222", checklist.Scope{Kind: checklist.ScopeSede, Name: `C'è \ "tutto" $x!`}},
	} {
		groups := sshEvidenceCommand(tc.addr, "1a2b3c4d", tc.scope, "FIS-01")
		for _, w := range []int{60, 80, 200} {
			lines := shellLines(groups, w)
			for _, l := range lines {
				// Only a group wider than the screen by itself may be.
				if one := strings.TrimSuffix(strings.TrimSpace(l), " \\"); len(l) > w && !slices.Contains(groups, one) {
					t.Errorf("line %q is wider than %d", l, w)
				}
			}
			cmd := strings.Join(lines, "\n")
			line, ok := strings.CutSuffix(cmd, " < FILE")
			if !ok {
				t.Fatalf("%q does not read the file from standard input", cmd)
			}
			out, err := exec.Command("sh", "-c", "set -- "+line+"\nprintf '%s\\000' \"$@\"").Output()
			if err != nil {
				t.Fatalf("sh: %v", err)
			}
			argv := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
			if argv[0] != "ssh" || argv[1] != "-p" {
				t.Fatalf("argv %q", argv)
			}
			// ssh joins the words after the host with spaces; the server
			// splits the line again (charm.land/ssh uses go-shlex).
			remote, err := shlex.Split(strings.Join(argv[4:], " "), true)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"evidence", "add", "1a2b3c4d", "--scope", tc.scope.String(), "--item", "FIS-01", "-"}
			if !slices.Equal(remote, want) {
				t.Errorf("%s: the server gets %q, want %q (command %s)", tc.scope, remote, want, cmd)
			}
		}
	}
}

// TestResolvePath: quotes of a dropped file, ~ and relative paths.
func TestResolvePath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"foto.jpg", "/lavoro/foto.jpg"},
		{"  ../foto.jpg ", "/foto.jpg"},
		{"~", "/home/giulia"},
		{"~/Scansioni/v.pdf", "/home/giulia/Scansioni/v.pdf"},
		{"~luca/v.pdf", "/lavoro/~luca/v.pdf"},
		{"/tmp/x.pdf", "/tmp/x.pdf"},
		{"'/tmp/con spazi.pdf'", "/tmp/con spazi.pdf"},
		{`"foto.jpg"`, "/lavoro/foto.jpg"},
	} {
		if got := resolvePath(tc.in, "/home/giulia", "/lavoro"); got != tc.want {
			t.Errorf("resolvePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestEvidenceListScrolls: with more files than rows the selected one stays
// in view, with its detail under the table.
func TestEvidenceListScrolls(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	for i := range 30 {
		if _, err := s.AddEvidence(id, sedeMunicipio, "FIS-01", fmt.Sprintf("foto-%02d.txt", i+1), "", sampleText, "preparatore"); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, Options{Store: s, AuditID: id}, 80, 24)
	h.openScope(sedeMunicipio)
	h.requireScreen("[30]")
	h.moveTo("FIS-01")
	h.press("a", "G")
	h.requireScreen("▸ al-30  foto-30.txt", "al-30 foto-30.txt · testo", "30 file")
	if strings.Contains(h.screen(), "foto-01.txt") {
		t.Fatalf("the first file is still shown with the cursor on the last:\n%s", h.screen())
	}
	h.press("g")
	h.requireScreen("▸ al-1   foto-01.txt")
}
