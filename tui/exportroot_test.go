package tui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
)

// exportRootFixture is an export root with, next to it, a folder outside
// it and links from inside the root to outside (the full set of escapes is
// tested in export's root_test.go).
type exportRootFixture struct {
	root, outside string
}

func newExportRootFixture(t *testing.T) exportRootFixture {
	t.Helper()
	base := t.TempDir()
	f := exportRootFixture{root: filepath.Join(base, "exports", "giulia"), outside: filepath.Join(base, "fuori")}
	for _, d := range []string{f.root, f.outside} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{"esce": f.outside, "pendente": filepath.Join(f.outside, "nuova")} {
		if err := os.Symlink(target, filepath.Join(f.root, name)); err != nil {
			t.Skipf("symbolic links not available: %v", err)
		}
	}
	return f
}

// requireUntouched fails if anything was written in the outside folder.
func (f exportRootFixture) requireUntouched(t *testing.T) {
	t.Helper()
	if entries, _ := os.ReadDir(f.outside); len(entries) > 0 {
		t.Fatalf("written outside the export root: %v", entries)
	}
}

func TestExportConfinedToRoot(t *testing.T) {
	t.Parallel()
	f := newExportRootFixture(t)
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id, Role: checklist.RoleViewer, ExportRoot: f.root}, 120, 30)
	h.press("E")
	p := h.m.top().(*exportPage)
	if want := "export-comune-di-prova-2026"; p.dir.Value() != want {
		t.Errorf("default folder %q, want %q (relative to the root)", p.dir.Value(), want)
	}
	h.requireScreen("cartella delle esportazioni sul server", f.root)

	for _, typed := range []string{
		filepath.Join(f.outside, "rapporto"),
		"../x",
		"../../fuori/x",
		"esce/rapporto",
		"esce",
		"pendente",
	} {
		p.dir.SetValue(typed)
		h.press("enter")
		if p.running {
			t.Fatalf("%q: export started", typed)
		}
		h.requireScreen("deve restare dentro la cartella delle esportazioni")
		if !errors.As(p.err, new(*export.OutsideRootError)) {
			t.Fatalf("%q: error %v", typed, p.err)
		}
	}
	f.requireUntouched(t)

	p.dir.SetValue("rapporti/2026")
	h.press("enter")
	h.settle(func() bool { return !p.running }, 60*time.Second)
	if p.err != nil {
		t.Fatalf("export failed: %v", p.err)
	}
	dest := filepath.Join(f.root, "rapporti", "2026")
	for _, name := range []string{export.FilePDF, export.FileHTML, export.FileXLSX, export.FileJSON, export.FileSums} {
		if _, err := os.Stat(filepath.Join(dest, name)); err != nil {
			t.Errorf("bundle lacks %s: %v", name, err)
		}
	}
	h.requireScreen("Esportazione completata in "+dest, export.FileSums, export.FileXLSX)
	if !strings.Contains(h.m.status, dest) {
		t.Errorf("status %q does not say where the files are", h.m.status)
	}
	f.requireUntouched(t)

	// The same folder again asks first; s replaces it inside the root.
	stale := filepath.Join(dest, "vecchio.txt")
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h.press("enter")
	h.settle(func() bool { return !p.running }, 60*time.Second)
	h.requireScreen("esiste già", "sostituirla?")
	h.press("s")
	h.settle(func() bool { return !p.running }, 60*time.Second)
	if p.err != nil || p.exists != "" {
		t.Fatalf("replace in the root: err %v, still asking %q", p.err, p.exists)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("the replaced folder still holds %s: %v", stale, err)
	}
	f.requireUntouched(t)
}

// TestExportRootCreatedLazily: the root need not exist before the first
// export.
func TestExportRootCreatedLazily(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "exports", "giulia")
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id, ExportRoot: root}, 100, 30)
	h.press("E")
	p := h.m.top().(*exportPage)
	h.press("enter")
	h.settle(func() bool { return !p.running }, 60*time.Second)
	if p.err != nil {
		t.Fatalf("export failed: %v", p.err)
	}
	if _, err := os.Stat(filepath.Join(root, "export-comune-di-prova-2026", export.FileSums)); err != nil {
		t.Fatal(err)
	}
}
