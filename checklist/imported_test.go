package checklist

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// validImport is a small audit on testdata/catalogues/good/base.yaml that
// CheckImported accepts: answers at the ente and a sede, a history, an
// evidence file, an operator and an event.
func validImport(t *testing.T) *ImportedAudit {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "testdata", "catalogues", "good", "base.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := Parse(src, "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC)
	sede := Scope{Kind: ScopeSede, Name: "Municipio"}
	png, err := os.ReadFile(filepath.Join("..", "testdata", "evidence", "armadio.png"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(png)
	digest := hex.EncodeToString(sum[:])
	return &ImportedAudit{
		Snapshot: &Snapshot{
			Audit: Audit{ID: "prova2345", Ente: Ente{Name: "Comune di Prova", ISTAT: "054001"}, Year: 2026, Status: StatusInProgress,
				CatalogueID: cat.ID, CatalogueVersion: cat.Version, CatalogueDigest: cat.Digest,
				Sedi: []Sede{{Name: "Municipio"}}, CreatedAt: when, UpdatedAt: when.Add(time.Hour)},
			Catalogue: cat,
			Answers: []Answer{
				{Scope: EnteScope, Item: "ORG-01", Value: "si", Author: "Ada", At: when, Rev: 1},
				{Scope: sede, Item: "FIS-01", Value: "parziale", Note: "riga uno\nriga due", Author: "Ada", At: when, Rev: 3},
			},
			History: []Change{
				{Seq: 1, At: when, Author: "Ada", Kind: ChangeAnswer, Scope: "ente", Item: "ORG-01", New: "si"},
				{Seq: 2, At: when, Author: "Ada", Kind: ChangeEvidence, Scope: "ente", Item: "ORG-01", New: "al-1: armadio.png (…)"},
				{Seq: 5, At: when, Author: "Ada", Kind: ChangeEvidence, Scope: "ente", Item: "ORG-01", Old: "al-4: bozza.png (…)"},
			},
			Actions:   map[string]ActionPlan{"ORG-01": {Item: "ORG-01", Status: ActionInProgress}},
			Overrides: map[string]RiskOverride{},
			Operators: []Operator{{ID: "op-1", Name: "Ugo"}},
			Events:    []SecurityEvent{{ID: "ev-1", At: "2026-03-08", Scope: EnteScope, Description: "guasto"}},
			Evidence: []Evidence{{ID: "al-1", Scope: EnteScope, Item: "ORG-01", Name: "armadio.png", Type: "image/png",
				Size: int64(len(png)), Digest: digest, Author: "Ada", At: when}},
		},
		CatalogueSource: src,
		Evidence:        map[string][]byte{digest: png},
	}
}

func TestCheckImported(t *testing.T) {
	if err := CheckImported(validImport(t), importNow); err != nil {
		t.Fatalf("valid audit refused: %v", err)
	}
	tests := []struct {
		name string
		edit func(*ImportedAudit)
		want string
	}{
		{"bad ID", func(i *ImportedAudit) { i.Snapshot.Audit.ID = "../x" }, "audit.id"},
		{"unknown status", func(i *ImportedAudit) { i.Snapshot.Audit.Status = "finito" }, "audit.status"},
		{"other catalogue", func(i *ImportedAudit) { i.Snapshot.Audit.CatalogueDigest = strings.Repeat("0", 64) }, "audit.catalogue_digest"},
		{"catalogue source changed", func(i *ImportedAudit) { i.CatalogueSource = append([]byte("# x\n"), i.CatalogueSource...) }, "il testo non corrisponde"},
		{"answer outside the perimeter", func(i *ImportedAudit) {
			i.Snapshot.Answers[1].Scope = Scope{Kind: ScopeSede, Name: "Altrove"}
		}, "answers[1]"},
		{"answer at the wrong kind of scope", func(i *ImportedAudit) { i.Snapshot.Answers[0].Item = "FIS-01" }, "answers[0]"},
		{"answer twice", func(i *ImportedAudit) { i.Snapshot.Answers[1] = i.Snapshot.Answers[0] }, "seconda risposta"},
		{"value the item refuses", func(i *ImportedAudit) { i.Snapshot.Answers[0].Value = "forse" }, "answers[0].value"},
		{"history repeats a number", func(i *ImportedAudit) { i.Snapshot.History[1].Seq = 1 }, "history[1].seq"},
		{"action on an unknown item", func(i *ImportedAudit) {
			i.Snapshot.Actions = map[string]ActionPlan{"X-9": {Item: "X-9", Status: ActionToStart}}
		}, "action_plans (X-9)"},
		{"operator number", func(i *ImportedAudit) { i.Snapshot.Operators[0].ID = "op-0" }, "operators[0].id"},
		{"event number repeated", func(i *ImportedAudit) {
			i.Snapshot.Events = append(i.Snapshot.Events, i.Snapshot.Events[0])
		}, "events[1].id"},
		{"evidence content missing", func(i *ImportedAudit) { i.Evidence = nil }, "mancante"},
		{"evidence content of another size", func(i *ImportedAudit) { i.Snapshot.Evidence[0].Size++ }, "evidence[0] (al-1).size"},
		{"evidence type", func(i *ImportedAudit) { i.Snapshot.Evidence[0].Type = "application/pdf" }, "evidence[0] (al-1).type"},
		{"evidence over the limit", func(i *ImportedAudit) { i.Snapshot.Evidence[0].Size = MaxEvidenceBytes + 1 }, "limite di 10 MiB"},
		{"evidence name with a folder", func(i *ImportedAudit) { i.Snapshot.Evidence[0].Name = "../armadio.png" }, "evidence[0] (al-1).name"},
		{"content without a record", func(i *ImportedAudit) { i.Evidence["ab"] = []byte("x") }, "senza un allegato"},
		{"stemma without its bytes", func(i *ImportedAudit) {
			i.Snapshot.Audit.Logo = &Logo{SHA256: strings.Repeat("a", 64), Type: "image/png", Size: 1, Width: 1, Height: 1}
		}, "audit.logo"},
		{"terminal escape in a note", func(i *ImportedAudit) { i.Snapshot.Answers[1].Note = "ok\x1b]0;titolo\x07" }, "answers[1].note"},
		{"history dated 9999", func(i *ImportedAudit) {
			i.Snapshot.History[2].At = time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)
		}, "history[2].at: data 01/01/10000"},
		{"answer past the clock's tolerance", func(i *ImportedAudit) {
			i.Snapshot.Answers[1].At = importNow.Add(MaxClockSkew + time.Second)
		}, "answers[1].at: data 10/03/2026 11:00:01 nel futuro"},
		{"evaluation in the future", func(i *ImportedAudit) {
			i.Snapshot.Evaluations = []Evaluation{{Scope: EnteScope, Section: "ORG", Text: "ok", Author: "Ada", At: importNow.AddDate(3, 0, 0)}}
		}, "evaluations[0].at"},
		{"evidence in the future", func(i *ImportedAudit) { i.Snapshot.Evidence[0].At = importNow.AddDate(0, 0, 2) }, "evidence[0].at"},
		{"audit updated in the future", func(i *ImportedAudit) { i.Snapshot.Audit.UpdatedAt = importNow.AddDate(1, 0, 0) }, "audit.updated_at"},
		{"event on a future day", func(i *ImportedAudit) { i.Snapshot.Events[0].At = "2030-01-02T10:00" }, "events[0].at: giorno 02/01/2030 nel futuro (oggi è il 10/03/2026)"},
		{"operator revoked tomorrow", func(i *ImportedAudit) { i.Snapshot.Operators[0].RevokedOn = "2026-03-11" }, "operators[0].revoked_on"},
		{"plan adopted in the future", func(i *ImportedAudit) { i.Snapshot.Plan.AdoptedOn = "2027-01-01" }, "plan.adopted_on"},
		{"bidi override in an event", func(i *ImportedAudit) { i.Snapshot.Events[0].Description = "a\u202eb" }, "events[0].description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imp := validImport(t)
			tt.edit(imp)
			err := CheckImported(imp, importNow)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want one naming %q", err, tt.want)
			}
		})
	}
}

// TestCheckImportedClockTolerance: a record up to MaxClockSkew ahead of the
// importing machine's clock is accepted (a laptop's clock a little ahead).
func TestCheckImportedClockTolerance(t *testing.T) {
	imp := validImport(t)
	imp.Snapshot.Answers[0].At = importNow.Add(MaxClockSkew)
	imp.Snapshot.Audit.UpdatedAt = importNow.Add(MaxClockSkew)
	if err := CheckImported(imp, importNow); err != nil {
		t.Fatalf("record within the tolerance refused: %v", err)
	}
}

func TestEvidenceSequence(t *testing.T) {
	imp := validImport(t)
	// al-4 was removed: its number stays used.
	if n := EvidenceSequence(imp.Snapshot); n != 4 {
		t.Errorf("EvidenceSequence = %d, want 4", n)
	}
	if n := EvidenceSequence(&Snapshot{}); n != 0 {
		t.Errorf("EvidenceSequence of an audit without files = %d", n)
	}
}

// importNow is the importing machine's clock in these tests: a day after
// validImport's records.
var importNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
