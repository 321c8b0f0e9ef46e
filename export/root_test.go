package export

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

func TestLocalPathAndRoot(t *testing.T) {
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
		// Links are not looked at by LocalPath (it does no I/O): the
		// writes through os.Root refuse them (TestBundleInRootRefusesEscapes).
		{typed: f.outside, outside: true},
		{typed: filepath.Join(f.root, "rapporto"), outside: true}, // absolute, even inside
		{typed: "/tmp/x", outside: true},
		{typed: `\x`, outside: true},
		{typed: "../x", outside: true},
		{typed: "..", outside: true},
		{typed: "a/../../x", outside: true},
		{typed: "."},
		{typed: "   "},
	}
	for _, tt := range tests {
		got, err := LocalPath(f.root, tt.typed)
		switch {
		case tt.want != "":
			if err != nil || got != tt.want {
				t.Errorf("LocalPath(%q) = %q, %v; want %q", tt.typed, got, err, tt.want)
			}
		case err == nil:
			t.Errorf("LocalPath(%q) = %q, want a refusal", tt.typed, got)
		case tt.outside != errors.As(err, new(*OutsideRootError)):
			t.Errorf("LocalPath(%q): %v; outside the root = %v", tt.typed, err, tt.outside)
		}
	}
	f.requireUntouched(t)
}

// TestBundleInRootRefusesEscapes: links leading out of the root are
// refused by the writes through os.Root; one that stays inside is followed.
func TestBundleInRootRefusesEscapes(t *testing.T) {
	t.Parallel()
	f := newExportRootFixture(t)
	snap := fixtureSnapshot()
	for _, rel := range []string{"esce/rapporto", "esce", "pendente", "catena/x", "dentro/su/x", "risale/x"} {
		for _, zip := range []bool{false, true} {
			if zip && !strings.Contains(rel, "/") {
				continue // "esce.zip" is a new file inside the root
			}
			if _, err := Bundle(snap, nil, rel, Options{Root: f.root, Zip: zip}); !errors.As(err, new(*OutsideRootError)) {
				t.Errorf("Bundle(%q, zip %v) in the root: %v, want the refusal of a folder outside the root", rel, zip, err)
			}
		}
	}
	f.requireUntouched(t)

	paths, err := Bundle(snap, nil, filepath.Join("interno", "rapporto"), Options{Root: f.root})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(f.root, "interno", "rapporto"); filepath.Dir(paths[0]) != want {
		t.Errorf("written into %s, want %s", filepath.Dir(paths[0]), want)
	}
	if len(paths) == 0 {
		t.Fatal("no files reported")
	}
	for _, p := range paths {
		rel, _ := filepath.Rel(filepath.Join(f.root, "interno", "rapporto"), p)
		if _, err := os.Stat(filepath.Join(f.root, "dentro", "rapporto", rel)); err != nil {
			t.Errorf("%s not written through the inner link: %v", p, err)
		}
	}
	// No staging folder is left behind.
	entries, _ := os.ReadDir(filepath.Join(f.root, "dentro"))
	if len(entries) != 2 { // rapporto and the link "su"
		t.Errorf("inner folder holds %v", entries)
	}
}
