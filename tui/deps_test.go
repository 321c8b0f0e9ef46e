package tui

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoPersistenceInTheImportGraph: the TUI and the domain never reach
// bbolt, so "the TUI never touches the database" holds by construction.
func TestNoPersistenceInTheImportGraph(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".", "../checklist/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "go.etcd.io/bbolt") || pkg == "github.com/cieaudit/cieaudit/storage" {
			t.Errorf("tui or checklist depends on %s", pkg)
		}
	}
}
