package storage

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// lastTxFile is a database whose last transaction changed ORG-01 from "si" to "no".
func lastTxFile(t *testing.T) (src []byte, auditID string) {
	t.Helper()
	s := openTest(t, Options{})
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"})
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	return src, a.ID
}

// newestMeta is the index of the meta page with the higher transaction ID.
func newestMeta(b []byte, pageSize int) int {
	if binary.LittleEndian.Uint64(b[pageSize+16+48:]) > binary.LittleEndian.Uint64(b[16+48:]) {
		return 1
	}
	return 0
}

// lastTxSurvived opens path and reports whether the last transaction is
// there, and what Check says.
func lastTxSurvived(t *testing.T, path, auditID string) (survived bool, problems []string, openErr error) {
	t.Helper()
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		return false, nil, err
	}
	defer s.Close()
	rep, err := s.Check()
	if err != nil {
		return false, nil, err
	}
	answers, err := s.Answers(auditID)
	if err != nil {
		return false, rep.Problems, nil
	}
	for _, a := range answers {
		if a.Item == "ORG-01" && a.Value == "no" {
			return true, rep.Problems, nil
		}
	}
	return false, rep.Problems, nil
}

func TestDamagedMetaPage(t *testing.T) {
	const pageSize = 4096
	src, auditID := lastTxFile(t)
	newest := newestMeta(src, pageSize)
	tests := []struct {
		name     string
		page     int
		survives bool
		want     string
	}{
		{"newest", newest, false, "è la più recente"},
		{"older", 1 - newest, true, "è la precedente"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := append([]byte(nil), src...)
			b[tt.page*pageSize+16+16] ^= 0x55 // the root page number
			path := filepath.Join(t.TempDir(), "meta.db")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			survived, problems, err := lastTxSurvived(t, path, auditID)
			if err != nil {
				t.Fatal(err)
			}
			if survived != tt.survives {
				t.Fatalf("last transaction there: %v, want %v (bbolt falls back to the other meta page)", survived, tt.survives)
			}
			joined := strings.Join(problems, "\n")
			if !strings.Contains(joined, tt.want) {
				t.Fatalf("Check problems %q, want one saying %q", problems, tt.want)
			}
			if !tt.survives && !strings.Contains(joined, "l'ultima transazione potrebbe essere andata persa: ripristinare dal backup") {
				t.Fatalf("Check problems %q do not say the last transaction may be lost", problems)
			}
		})
	}
}

// TestRandomMetaDamageNeverGoesUnnoticed changes a few random bytes of the
// meta pages 200 times: whenever the last transaction is gone, Open or
// Check says so.
func TestRandomMetaDamageNeverGoesUnnoticed(t *testing.T) {
	const pageSize = 4096
	src, auditID := lastTxFile(t)
	rng := rand.New(rand.NewPCG(3, 4))
	dir := t.TempDir()
	lost, noticed := 0, 0
	for i := range 200 {
		b := append([]byte(nil), src...)
		page := rng.IntN(2)
		for range 1 + rng.IntN(4) {
			b[page*pageSize+16+rng.IntN(boltMetaSize)] = byte(rng.UintN(256))
		}
		path := filepath.Join(dir, "meta.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		survived, problems, err := lastTxSurvived(t, path, auditID)
		if err != nil || len(problems) > 0 {
			noticed++
		}
		if !survived {
			lost++
			if err == nil && len(problems) == 0 {
				t.Errorf("corruption %d (page %d): the last transaction vanished and nothing said so", i, page)
			}
		}
	}
	t.Logf("200 corruptions: %d lost the last transaction, %d reported", lost, noticed)
}
