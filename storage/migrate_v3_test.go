package storage

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// regenFixtureV3 rewrites testdata/storage/schema-v3.db and its golden
// schema-v3.golden.json (what Load returned for every audit when the
// fixture was written):
//
//	go test ./storage -run TestMigrateV3Fixture -args -regen-fixture-v3
//
// It was written by the schema-3 code (JSON values); regenerating it with a
// later version would write that version's layout instead, so keep it.
var regenFixtureV3 = flag.Bool("regen-fixture-v3", false, "rewrite the schema v3 fixture database")

// writeV3Fixture builds a database of schema version 3 with every kind of
// per-audit record: answers with notes (one changed twice, one N/A, one
// emptied by a note-only save), evaluations, an action plan, a risk
// override, a closed audit with its sign-off, a deleted audit, UI state and
// an SSH user.
func writeV3Fixture(t *testing.T, path string) {
	s, err := Open(path, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: sedeMunicipio, Item: "FIS-01", Value: "si", Author: "giulia"})
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "no", Note: "Schermo visibile dalla fila", Author: "giulia"})
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "parziale", Note: "Filtro privacy ordinato — «in arrivo»", Author: "marco"})
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA02, Item: "FIS-03", Value: "na", Note: "Postazione di back office\nsenza pubblico", Author: "marco"})
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Author: "giulia"})
	if _, err := s.SaveNote(a.ID, checklist.EnteScope, "ORG-02", "Da verificare con il Sindaco", "giulia"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEvaluation(a.ID, checklist.Evaluation{Scope: checklist.EnteScope, Section: "ORG", Text: "Organizzazione adeguata.", Author: "giulia"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveActionPlan(a.ID, checklist.ActionPlan{Item: "FIS-03", Owner: "Ufficio tecnico", Due: "2027-03-31", Status: checklist.ActionInProgress}, "giulia"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRiskOverride(a.ID, checklist.RiskOverride{Threat: "T01", Probability: 3, Impact: 2, Reason: "Sportello su strada"}, "giulia"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveUIState("giulia", UIState{Audit: a.ID, Scope: postA01.String(), Item: "FIS-03"}); err != nil {
		t.Fatal(err)
	}
	cat := mustCatalogue(t, s, a.CatalogueKey())
	b := testAudit(cat)
	b.Ente.Name, b.Ente.ISTAT, b.Year = "Comune di Colleverde", "099002", 2025
	bb, err := s.CreateAudit(b, "marco")
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, bb.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no", Note: "Nessun piano", Author: "marco"})
	if _, err := s.SetStatus(bb.ID, checklist.StatusClosed, "marco", "", &checklist.SignOff{Auditors: []string{"Marco Ferrari"}, Place: "Colleverde", Date: "2025-12-01"}); err != nil {
		t.Fatal(err)
	}
	c := testAudit(cat)
	c.Ente.Name, c.Ente.ISTAT = "Comune da eliminare", "099003"
	cc, err := s.CreateAudit(c, "marco")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAudit(cc.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(User{Name: "giulia", Role: checklist.RoleAuditor, Keys: []UserKey{mustKey(t, newTestKey(t, "giulia"))}}, false); err != nil {
		t.Fatal(err)
	}
	golden := map[string]*checklist.Snapshot{}
	for _, id := range []string{a.ID, bb.ID} {
		snap, err := s.Load(id)
		if err != nil {
			t.Fatal(err)
		}
		snap.Catalogue = nil
		golden[id] = snap
	}
	data, err := json.MarshalIndent(golden, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "schema-v3.golden.json"), append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateV3Fixture opens the schema-3 fixture: it is migrated to
// schema 4 with a pre-migration backup, every audit loads as it did under
// schema 3, no per-audit value is JSON any more, the file is smaller than
// before, the integrity check passes and writes work.
func TestMigrateV3Fixture(t *testing.T) {
	fixture := filepath.Join("..", "testdata", "storage", "schema-v3.db")
	if *regenFixtureV3 {
		os.Remove(fixture)
		writeV3Fixture(t, fixture)
	}
	src, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatalf("%v (regenerate with -args -regen-fixture-v3)", err)
	}
	var golden map[string]*checklist.Snapshot
	if err := json.Unmarshal(readTestdata(t, "schema-v3.golden.json"), &golden); err != nil {
		t.Fatal(err)
	}
	for _, hold := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "cieaudit.db")
		if err := os.WriteFile(path, src, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, Options{Now: newClock().Now, Hold: hold})
		if err != nil {
			t.Fatalf("opening the v3 fixture (hold %v): %v", hold, err)
		}
		defer s.Close()
		rep, err := s.Check()
		if err != nil || rep.SchemaVersion != 4 || len(rep.Problems) > 0 {
			t.Fatalf("after migration: version %d, problems %v, err %v", rep.SchemaVersion, rep.Problems, err)
		}
		backups, _ := filepath.Glob(path + ".pre-v3-*")
		if len(backups) != 1 {
			t.Fatalf("want one pre-migration backup, got %v", backups)
		}
		if v := fileSchema(t, backups[0]); v != 3 {
			t.Errorf("pre-migration backup has schema %d, want 3", v)
		}
		list, err := s.ListAudits()
		if err != nil || len(list) != len(golden) {
			t.Fatalf("ListAudits: %d audits, want %d (%v)", len(list), len(golden), err)
		}
		for id, want := range golden {
			got, err := s.Load(id)
			if err != nil {
				t.Fatal(err)
			}
			got.Catalogue = nil
			sameRecord(t, got, want)
		}
		var order []string
		if err := s.EachAudit(func(snap *checklist.Snapshot) error { order = append(order, snap.Audit.Ente.Name); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(order) != 2 || order[0] != "Comune di Valdoria" {
			t.Errorf("EachAudit order %v, want oldest first", order)
		}
		if err := s.view(func(tx *boltTx) error { return assertNoJSON(t, tx) }); err != nil {
			t.Fatal(err)
		}
		for _, sum := range list {
			if sum.Status != checklist.StatusClosed {
				mustSave(t, s, sum.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no", Note: "Verificato", Author: "giulia"})
			}
		}
		if rep, err := s.Check(); err != nil || len(rep.Problems) > 0 {
			t.Errorf("after a write: %v, %v", rep.Problems, err)
		}
		// Opening again does not migrate again.
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s2, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s2.Close()
		if backups, _ := filepath.Glob(path + ".pre-v*"); len(backups) != 1 {
			t.Errorf("reopening made another backup: %v", backups)
		}
	}
}

// assertNoJSON fails the test for any per-audit value still stored as JSON.
func assertNoJSON(t *testing.T, tx *boltTx) error {
	t.Helper()
	return tx.Bucket(bucketAudits).ForEachBucket(func(id []byte) error {
		ab := tx.Bucket(bucketAudits).Bucket(id)
		for name := range auditRecords {
			b := ab.Bucket([]byte(name))
			if b == nil {
				continue
			}
			_ = b.ForEach(func(k, v []byte) error {
				if len(v) > 0 && v[0] == '{' {
					t.Errorf("audits/%s/%s/%q is still JSON", id, name, k)
				}
				return nil
			})
		}
		return nil
	})
}

// fileSchema reads the schema version of a database file with bbolt alone.
func fileSchema(t *testing.T, path string) int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.View(func(tx *bolt.Tx) error {
		var err error
		v, err = schemaVersion(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMigrateV3MarksOldFile: the file the 3→4 migration replaced is marked,
// so a process still holding it (here a hard link to it) never migrates or
// writes it again.
func TestMigrateV3MarksOldFile(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "storage", "schema-v3.db"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path, old := filepath.Join(dir, "cieaudit.db"), filepath.Join(dir, "vecchio.db")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(path, old); err != nil {
		t.Skipf("hard links not available: %v", err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if v := fileSchema(t, path); v != 4 {
		t.Fatalf("migrated file has schema %d", v)
	}
	if _, err := Open(old, Options{}); err == nil || !strings.Contains(err.Error(), "sostituito") {
		t.Fatalf("opening the replaced file: %v, want a refusal saying it was replaced", err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}
