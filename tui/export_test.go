package tui

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// gatedStore is a real store whose Load, the first step of an export,
// waits for release and then fails with err, panics with panicWith, or
// reads the database.
type gatedStore struct {
	*storage.Store
	release   chan struct{}
	err       error
	panicWith any
}

func (g gatedStore) Load(id string) (*checklist.Snapshot, error) {
	if g.release != nil {
		<-g.release
	}
	if g.panicWith != nil {
		panic(g.panicWith)
	}
	if g.err != nil {
		return nil, g.err
	}
	return g.Store.Load(id)
}

// TestExportResultReachesUserAfterEsc: esc while an export runs keeps the
// page, and the result, success or failure, is shown when it comes.
func TestExportResultReachesUserAfterEsc(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantStatus string
		wantKind   statusKind
	}{
		{"success", nil, "Esportati ", statusOK},
		{"failure", errors.New("spazio su disco esaurito"), "Esportazione non riuscita: spazio su disco esaurito", statusError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			id := createSample(t, s)
			// The audit is opened through the real store; only the
			// export's Load is held and then answered as the case says.
			g := &gatedStore{Store: s}
			h := newHarness(t, Options{Store: g, AuditID: id}, 100, 30)
			h.press("E")
			p, ok := h.m.top().(*exportPage)
			if !ok {
				t.Fatalf("top page is %T, want the export page", h.m.top())
			}
			g.release, g.err = make(chan struct{}), tc.err

			_, start := h.m.Update(keyMsg("enter"))
			if !p.running {
				t.Fatal("export not started")
			}
			for _, k := range []string{"esc", "q"} {
				h.press(k)
				if h.m.top() != p {
					t.Fatalf("%s while exporting left the export page for %T", k, h.m.top())
				}
				if !strings.Contains(h.m.status, "Esportazione in corso") {
					t.Errorf("%s while exporting: status %q does not say the export is running", k, h.m.status)
				}
			}
			close(g.release)
			h.run(start)
			h.settle(func() bool { return !p.running }, 60*time.Second)
			if !strings.HasPrefix(h.m.status, tc.wantStatus) || h.m.statusKind != tc.wantKind {
				t.Fatalf("status %q (kind %d), want %q (kind %d)", h.m.status, h.m.statusKind, tc.wantStatus, tc.wantKind)
			}
			// Once it is over, esc goes back as usual.
			h.press("esc")
			if _, ok := h.m.top().(*exportPage); ok {
				t.Fatal("esc after the export did not leave the page")
			}
		})
	}
}

// TestExportPanicIsReportedNotFatal: a panic while exporting becomes the
// export's failure instead of ending the process (the whole SSH server).
func TestExportPanicIsReportedNotFatal(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	g := &gatedStore{Store: s}
	h := newHarness(t, Options{Store: g, AuditID: id}, 100, 30)
	h.press("E")
	p := h.m.top().(*exportPage)
	g.panicWith = "indice fuori dai limiti"
	h.press("enter")
	h.settle(func() bool { return !p.running }, 60*time.Second)
	if p.err == nil || !strings.Contains(p.err.Error(), "errore interno durante l'esportazione") ||
		!strings.Contains(p.err.Error(), "indice fuori dai limiti") {
		t.Fatalf("export error = %v, want the internal error with the panic", p.err)
	}
	if h.m.statusKind != statusError || !strings.HasPrefix(h.m.status, "Esportazione non riuscita: errore interno") {
		t.Fatalf("status %q (kind %d), want the internal error", h.m.status, h.m.statusKind)
	}
	h.requireScreen("Errore: errore interno durante l'esportazione")
}

// openExportPage opens the sample audit's export page.
func openExportPage(t *testing.T) (*harness, *exportPage) {
	t.Helper()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.press("E")
	return h, h.m.top().(*exportPage)
}

// TestExportHelpKeyNotTyped: ? opens the help on the export page and is not
// typed into the folder name; other printable keys (q, s, n) still edit it.
func TestExportHelpKeyNotTyped(t *testing.T) {
	t.Parallel()
	h, p := openExportPage(t)
	before := p.dir.Value()
	h.press("-", "q", "?")
	if !h.m.fullHelp {
		t.Fatal("? on the export page did not open the help")
	}
	h.requireScreen("aiuto")
	h.press("?")
	if h.m.fullHelp {
		t.Fatal("? again did not close the help")
	}
	h.press("s", "n")
	if got, want := p.dir.Value(), before+"-qsn"; got != want {
		t.Fatalf("folder %q, want %q (? not typed, other keys typed)", got, want)
	}
	if h.m.top() != p {
		t.Fatalf("top page %T, want the export page", h.m.top())
	}
}

// TestExportReplaceExistingFolder: exporting again into the same folder
// asks first, saying the folder exists and will be replaced; n keeps it as
// it is, s replaces it whole (a file left there by hand disappears).
func TestExportReplaceExistingFolder(t *testing.T) {
	t.Parallel()
	h, p := openExportPage(t)
	dest := p.dir.Value()
	if !strings.HasPrefix(dest, h.m.ctx.exportBase) {
		t.Fatalf("default folder %q not under the export base %q", dest, h.m.ctx.exportBase)
	}
	export := func() {
		h.press("enter")
		h.settle(func() bool { return !p.running }, 60*time.Second)
	}
	export()
	if p.err != nil || len(p.paths) == 0 {
		t.Fatalf("first export: err %v, paths %v", p.err, p.paths)
	}
	stale := filepath.Join(dest, "vecchio.txt")
	if err := os.WriteFile(stale, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name      string
		key       string
		wantAsk   bool
		wantStale bool
	}{
		{"keep", "n", false, true},
		{"keep with esc", "esc", false, true},
		{"replace", "s", false, false},
	}
	for _, st := range steps {
		export()
		if p.exists == "" {
			t.Fatalf("%s: second export into %s did not ask to replace it (err %v)", st.name, dest, p.err)
		}
		h.requireScreen("esiste già", "sostituirla?", "sostituisci la cartella")
		if !strings.Contains(h.m.status, "esiste già") {
			t.Errorf("%s: status %q does not say the folder exists", st.name, h.m.status)
		}
		h.press(st.key)
		h.settle(func() bool { return !p.running }, 60*time.Second)
		if h.m.top() != p {
			t.Fatalf("%s: %s left the export page", st.name, st.key)
		}
		if (p.exists != "") != st.wantAsk {
			t.Fatalf("%s: still asking = %v", st.name, p.exists != "")
		}
		if _, err := os.Stat(stale); (err == nil) != st.wantStale {
			t.Fatalf("%s: stale file present = %v, want %v", st.name, err == nil, st.wantStale)
		}
	}
	if p.err != nil || len(p.paths) == 0 || !strings.HasPrefix(h.m.status, "Esportati ") {
		t.Fatalf("replace: err %v, paths %v, status %q", p.err, p.paths, h.m.status)
	}
	if _, err := os.Stat(filepath.Join(dest, "SHA256SUMS")); err != nil {
		t.Fatalf("replaced folder has no SHA256SUMS: %v", err)
	}
}

func TestUserExportBase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		home string
		dirs []string // existing folders
		want string
	}{
		{"xdg documents", map[string]string{"XDG_DOCUMENTS_DIR": "/d/Docs"}, "/home/g", []string{"/home/g/Documenti"}, "/d/Docs/cieaudit"},
		{"relative xdg documents ignored", map[string]string{"XDG_DOCUMENTS_DIR": "Docs"}, "/home/g", nil, "/home/g/.local/share/cieaudit/esportazioni"},
		{"italian documents", nil, "/home/g", []string{"/home/g/Documenti", "/home/g/Documents"}, "/home/g/Documenti/cieaudit"},
		{"english documents", nil, "/home/g", []string{"/home/g/Documents"}, "/home/g/Documents/cieaudit"},
		{"xdg data home", map[string]string{"XDG_DATA_HOME": "/data"}, "/home/g", nil, "/data/cieaudit/esportazioni"},
		{"default data home", nil, "/home/g", nil, "/home/g/.local/share/cieaudit/esportazioni"},
		{"no home", nil, "", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := userExportBase(func(k string) string { return tc.env[k] }, tc.home,
				func(d string) bool { return slices.Contains(tc.dirs, d) })
			if got != filepath.FromSlash(tc.want) {
				t.Fatalf("userExportBase = %q, want %q", got, tc.want)
			}
		})
	}
}
