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

// exportRootFixture is an export root with, next to it, a folder outside it
// and links from inside the root to outside.
type exportRootFixture struct {
	root, outside string
}

func newExportRootFixture(t *testing.T) exportRootFixture {
	t.Helper()
	base := t.TempDir()
	f := exportRootFixture{root: filepath.Join(base, "exports", "giulia"), outside: filepath.Join(base, "fuori")}
	for _, d := range []string{f.root, f.outside, filepath.Join(f.root, "dentro")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"esce":      f.outside,                         // a folder outside
		"pendente":  filepath.Join(f.outside, "nuova"), // dangling, outside
		"interno":   "dentro",                          // stays inside
		"risale":    "../..",                           // relative, escapes
		"catena":    "esce",                            // link to a link that escapes
		"dentro/su": "../../..",                        // nested, escapes
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(f.root, name)); err != nil {
			t.Skipf("symbolic links not available: %v", err)
		}
	}
	return f
}

// requireUntouched fails if anything was written outside the root: the
// outside folder stays empty and the root's parents hold only the root.
func (f exportRootFixture) requireUntouched(t *testing.T) {
	t.Helper()
	if entries, _ := os.ReadDir(f.outside); len(entries) > 0 {
		t.Fatalf("written outside the export root: %v", entries)
	}
	base := filepath.Dir(filepath.Dir(f.root))
	entries, _ := os.ReadDir(base)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "exports,fuori" {
		t.Fatalf("written next to the export root: %v", names)
	}
	if entries, _ := os.ReadDir(filepath.Dir(f.root)); len(entries) != 1 {
		t.Fatalf("written next to the export root: %v", entries)
	}
}

func TestConfinedDir(t *testing.T) {
	t.Parallel()
	f := newExportRootFixture(t)
	tests := []struct {
		typed   string
		want    string // the cleaned relative folder; "" when refused
		outside bool   // refused as leaving the root
	}{
		{typed: "rapporto", want: "rapporto"},
		{typed: "  anno/2026/rapporto ", want: filepath.Join("anno", "2026", "rapporto")},
		{typed: "dentro/../rapporto", want: "rapporto"},
		{typed: "interno/rapporto", want: filepath.Join("interno", "rapporto")},
		{typed: "dentro", want: "dentro"},
		{typed: f.outside, outside: true},
		{typed: filepath.Join(f.root, "rapporto"), outside: true}, // absolute, even inside
		{typed: "/tmp/x", outside: true},
		{typed: `\x`, outside: true},
		{typed: "../x", outside: true},
		{typed: "..", outside: true},
		{typed: "a/../../x", outside: true},
		{typed: "esce", outside: true},
		{typed: "esce/rapporto", outside: true},
		{typed: "esce/a/b", outside: true},
		{typed: "pendente", outside: true},
		{typed: "risale/x", outside: true},
		{typed: "catena/x", outside: true},
		{typed: "dentro/su/x", outside: true},
		{typed: "."},
		{typed: "   "},
	}
	for _, tt := range tests {
		got, err := confinedDir(f.root, tt.typed)
		switch {
		case tt.want != "":
			if err != nil || got != tt.want {
				t.Errorf("confinedDir(%q) = %q, %v; want %q", tt.typed, got, err, tt.want)
			}
		case err == nil:
			t.Errorf("confinedDir(%q) = %q, want a refusal", tt.typed, got)
		case tt.outside != errors.As(err, new(errOutsideRoot)):
			t.Errorf("confinedDir(%q): %v; outside the root = %v", tt.typed, err, tt.outside)
		}
	}
	f.requireUntouched(t)
}

// TestBundleInRootRefusesEscapes skips the first check, as if a link had
// been swapped in after it: the writes through os.Root still stay inside.
func TestBundleInRootRefusesEscapes(t *testing.T) {
	t.Parallel()
	f := newExportRootFixture(t)
	s := openTestStore(t)
	snap, err := s.Load(createSample(t, s))
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"esce/rapporto", "esce", "pendente", "catena/x", "dentro/su/x"} {
		if _, _, err := bundleInRoot(snap, f.root, rel, export.Options{}); !errors.As(err, new(errOutsideRoot)) {
			t.Errorf("bundleInRoot(%q): %v, want the refusal of a folder outside the root", rel, err)
		}
	}
	f.requireUntouched(t)

	dest, paths, err := bundleInRoot(snap, f.root, filepath.Join("interno", "rapporto"), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(f.root, "interno", "rapporto"); dest != want {
		t.Errorf("written into %s, want %s", dest, want)
	}
	if len(paths) == 0 {
		t.Fatal("no files reported")
	}
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(f.root, "dentro", "rapporto", filepath.Base(p))); err != nil {
			t.Errorf("%s not written through the inner link: %v", p, err)
		}
	}
	// No staging folder is left behind.
	entries, _ := os.ReadDir(filepath.Join(f.root, "dentro"))
	if len(entries) != 2 { // rapporto and the link "su"
		t.Errorf("inner folder holds %v", entries)
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
		if !errors.As(p.err, new(errOutsideRoot)) {
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
	h.requireScreen("Esportazione completata in "+dest, filepath.Join(dest, export.FileSums))
	if !strings.Contains(h.m.status, dest) {
		t.Errorf("status %q does not say where the files are", h.m.status)
	}
	f.requireUntouched(t)

	// The same folder again is refused, and nothing changes.
	h.press("enter")
	h.settle(func() bool { return !p.running }, 60*time.Second)
	h.requireScreen("esiste già")
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
