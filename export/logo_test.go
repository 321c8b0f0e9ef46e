package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// logoSnapshot is the fixture with the stemma of testdata/logo/name.
func logoSnapshot(t *testing.T, name string) *checklist.Snapshot {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "logo", name))
	if err != nil {
		t.Fatal(err)
	}
	l, err := checklist.CheckLogo(name, data)
	if err != nil {
		t.Fatal(err)
	}
	snap := fixtureSnapshot()
	snap.Audit.Logo, snap.LogoData = &l, data
	return snap
}

// TestBundleLogo: the stemma is in the bundle as stemma.<ext>, listed in
// SHA256SUMS, and audit.json refers to it by the same SHA-256.
func TestBundleLogo(t *testing.T) {
	for _, c := range []struct{ fixture, file string }{{"stemma.png", "stemma.png"}, {"stemma.jpg", "stemma.jpg"}} {
		snap := logoSnapshot(t, c.fixture)
		out := filepath.Join(t.TempDir(), "b")
		if _, err := Bundle(snap, nil, out, Options{}); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(out, c.file))
		if err != nil || !bytes.Equal(got, snap.LogoData) {
			t.Fatalf("%s: %v, %d bytes", c.file, err, len(got))
		}
		sum := sha256.Sum256(got)
		sums, _ := os.ReadFile(filepath.Join(out, FileSums))
		if !strings.Contains(string(sums), hex.EncodeToString(sum[:])+"  "+c.file+"\n") {
			t.Fatalf("SHA256SUMS lacks %s:\n%s", c.file, sums)
		}
		var doc struct {
			Audit struct {
				Logo *checklist.Logo `json:"logo"`
			} `json:"audit"`
		}
		data, _ := os.ReadFile(filepath.Join(out, FileJSON))
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Audit.Logo == nil || doc.Audit.Logo.SHA256 != hex.EncodeToString(sum[:]) || doc.Audit.Logo.Size != int64(len(got)) {
			t.Fatalf("audit.json logo = %+v", doc.Audit.Logo)
		}
	}
	// Without its bytes the export fails rather than dropping the stemma.
	snap := logoSnapshot(t, "stemma.png")
	snap.LogoData = nil
	if _, err := Bundle(snap, nil, filepath.Join(t.TempDir(), "b"), Options{}); err == nil || !strings.Contains(err.Error(), "stemma") {
		t.Fatalf("bundle without the stemma's bytes: %v", err)
	}
}
