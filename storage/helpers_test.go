package storage

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// TestMain lets the crash and lock tests re-run this test binary as a child
// process that plays one role (see children_test.go).
func TestMain(m *testing.M) {
	if role := os.Getenv(childRoleEnv); role != "" {
		os.Exit(runChild(role))
	}
	os.Exit(m.Run())
}

// fakeClock ticks one second per call, so that every timestamp is
// predictable and distinct.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

var clockStart = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func newClock() *fakeClock { return &fakeClock{now: clockStart} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "storage", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// openTest opens a new database in a temporary folder with a fake clock.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	if opts.Now == nil {
		opts.Now = newClock().Now
	}
	s, err := Open(filepath.Join(t.TempDir(), "cieaudit.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

var (
	sedeMunicipio = checklist.Scope{Kind: checklist.ScopeSede, Name: "Municipio"}
	postA01       = checklist.Scope{Kind: checklist.ScopePostazione, Name: "PG0991A01"}
	postA02       = checklist.Scope{Kind: checklist.ScopePostazione, Name: "PG0991A02"}
)

func testAudit(cat *checklist.Catalogue) checklist.Audit {
	return checklist.Audit{
		Ente:             checklist.Ente{Name: "Comune di Valdoria", ISTAT: "099001", Province: "Perugia"},
		Year:             2026,
		Auditors:         []string{"Giulia Esposito"},
		StartDate:        "2026-11-16",
		CatalogueID:      cat.ID,
		CatalogueVersion: cat.Version,
		Sedi:             []checklist.Sede{{Name: "Municipio", Address: "Piazza della Libertà 1"}},
		Postazioni: []checklist.Postazione{
			{Code: "PG0991A01", Sede: "Municipio", Office: checklist.OfficeFront},
			{Code: "PG0991A02", Sede: "Municipio", Office: checklist.OfficeBack},
		},
	}
}

// seed stores catalogue v1 and creates the test audit.
func seed(t testing.TB, s *Store) checklist.Audit {
	t.Helper()
	cat, err := s.SaveCatalogue(readTestdata(t, "catalogue-v1.yaml"), "catalogue-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.CreateAudit(testAudit(cat), "giulia")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustSave(t testing.TB, s *Store, id string, a checklist.Answer) SaveResult {
	t.Helper()
	r, err := s.SaveAnswer(id, a, -1)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantErrIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want errors.Is %v", err, target)
	}
}
