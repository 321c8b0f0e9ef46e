package storage

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// TestSaveCatalogueRefusesBuiltinKey: in a database that has not stored the
// built-in catalogues yet, a changed catalogue under a built-in's id and
// version is refused, and the built-ins can still be stored afterwards.
func TestSaveCatalogueRefusesBuiltinKey(t *testing.T) {
	s := openTest(t, Options{})
	tampered := bytes.Replace(checklist.BuiltinSource, []byte("title: "), []byte("title: MODIFICATO "), 1)
	if _, err := s.SaveCatalogue(tampered, "cie-postazioni.yaml"); err == nil || !strings.Contains(err.Error(), "catalogo integrato") {
		t.Fatalf("SaveCatalogue of a changed built-in: %v", err)
	}
	if _, err := s.EnsureBuiltin(); err != nil {
		t.Fatalf("EnsureBuiltin after the refusal: %v", err)
	}
}
