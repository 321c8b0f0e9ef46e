package storage

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// regenFixtureV2 rewrites testdata/storage/schema-v2.db:
//
//	go test ./storage -run TestMigrateV2Fixture -args -regen-fixture-v2
var regenFixtureV2 = flag.Bool("regen-fixture-v2", false, "rewrite the schema v2 fixture database")

// writeV2Fixture builds a database of schema version 2: the version 3
// layout without the audit index. Two audits, one answered in part.
func writeV2Fixture(t *testing.T, path string) {
	s, err := Open(path, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: sedeMunicipio, Item: "FIS-01", Value: "si", Author: "giulia"})
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "no", Note: "Schermo visibile", Author: "giulia"})
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA02, Item: "FIS-03", Value: "parziale", Author: "marco"})
	b := testAudit(mustCatalogue(t, s, a.CatalogueKey()))
	b.Ente.Name, b.Ente.ISTAT, b.Year = "Comune di Colleverde", "099002", 2025
	if _, err := s.CreateAudit(b, "marco"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketAuditIndex); err != nil {
			return err
		}
		return putSchemaVersion(tx, 2)
	}); err != nil {
		t.Fatal(err)
	}
}

func mustCatalogue(t *testing.T, s *Store, key string) *checklist.Catalogue {
	t.Helper()
	c, err := s.Catalogue(key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMigrateV2Fixture(t *testing.T) {
	fixture := filepath.Join("..", "testdata", "storage", "schema-v2.db")
	if *regenFixtureV2 {
		os.Remove(fixture)
		writeV2Fixture(t, fixture)
	}
	src, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatalf("%v (regenerate with -args -regen-fixture-v2)", err)
	}
	path := filepath.Join(t.TempDir(), "cieaudit.db")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}

	s, err := Open(path, Options{Now: newClock().Now})
	if err != nil {
		t.Fatalf("opening the v2 fixture: %v", err)
	}
	defer s.Close()
	rep, err := s.Check()
	if err != nil || rep.SchemaVersion != SchemaVersion || len(rep.Problems) > 0 {
		t.Fatalf("after migration: version %d, problems %v, err %v", rep.SchemaVersion, rep.Problems, err)
	}
	if backups, _ := filepath.Glob(path + ".pre-v2-*"); len(backups) != 1 {
		t.Errorf("want one pre-migration backup, got %v", backups)
	}

	// The index holds every audit, with the progress a full load computes.
	list, err := s.ListAudits()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("ListAudits after migration: %d audits, want 2", len(list))
	}
	byName := map[string]AuditSummary{}
	for _, sum := range list {
		snap, err := s.Load(sum.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Progress != snap.AuditProgress() || sum.Ente != snap.Audit.Ente.Name || sum.Status != snap.Audit.Status || !sum.UpdatedAt.Equal(snap.Audit.UpdatedAt) {
			t.Errorf("index record %+v disagrees with the audit (progress %+v)", sum, snap.AuditProgress())
		}
		byName[sum.Ente] = sum
	}
	if p := byName["Comune di Valdoria"].Progress; p.Answered != 3 || p.No != 1 || p.Partial != 1 {
		t.Errorf("Valdoria progress %+v: want 3 answered, 1 no, 1 parziale", p)
	}

	// New writes keep the index current.
	id := byName["Comune di Colleverde"].ID
	mustSave(t, s, id, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Author: "marco"})
	list, _ = s.ListAudits()
	for _, sum := range list {
		if sum.ID == id && (sum.Progress.Answered != 1 || sum.Status != checklist.StatusInProgress) {
			t.Errorf("index not updated by SaveAnswer: %+v", sum)
		}
	}
	if err := s.DeleteAudit(id, "admin"); err != nil {
		t.Fatal(err)
	}
	if list, _ = s.ListAudits(); len(list) != 1 {
		t.Errorf("deleted audit still listed: %+v", list)
	}
}

// TestAuditIndexMatchesRecount saves random answers and notes (new, changed,
// emptied by a note-only save, N/A) and checks after each step that the
// incrementally kept index agrees with a full recount of the audit.
func TestAuditIndexMatchesRecount(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	cat := mustCatalogue(t, s, a.CatalogueKey())
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 150 {
		sc := a.Scopes()[rng.IntN(len(a.Scopes()))]
		items := cat.ItemsFor(sc.Kind)
		if len(items) == 0 {
			continue
		}
		it := items[rng.IntN(len(items))]
		var err error
		if rng.IntN(4) == 0 {
			_, err = s.SaveNote(a.ID, sc, it.ID, fmt.Sprintf("nota %d", step), "giulia")
		} else {
			value := randomValue(rng, it)
			_, err = s.SaveAnswer(a.ID, checklist.Answer{Scope: sc, Item: it.ID, Value: value, Note: "giustificazione", Author: "giulia"}, -1)
		}
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		list, err := s.ListAudits()
		if err != nil {
			t.Fatal(err)
		}
		snap, err := s.Load(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if list[0].Progress != snap.AuditProgress() {
			t.Fatalf("step %d (%s %s): index %+v, recount %+v", step, sc, it.ID, list[0].Progress, snap.AuditProgress())
		}
	}
}

func randomValue(rng *rand.Rand, it *checklist.Item) string {
	switch it.Answer.Kind {
	case checklist.KindChoice:
		return it.Answer.Choices[rng.IntN(len(it.Answer.Choices))].ID
	case checklist.KindText:
		return "testo"
	case checklist.KindDate:
		return "2026-01-31"
	case checklist.KindNumber:
		return fmt.Sprint(rng.IntN(9))
	}
	return string(checklist.Outcomes[rng.IntN(len(checklist.Outcomes))])
}
