package storage

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

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

func TestMigrateV3Fixture(t *testing.T) {
	fixture := filepath.Join("..", "testdata", "storage", "schema-v3.db")
	if *regenFixtureV3 {
		os.Remove(fixture)
		writeV3Fixture(t, fixture)
	}
	if _, err := os.Stat(fixture); err != nil {
		t.Fatalf("%v (regenerate with -args -regen-fixture-v3)", err)
	}
}
