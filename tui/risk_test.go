package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
)

func TestRiskActionPlanIsSaved(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.press("r")
	h.requireScreen("Probabilità × impatto", "Rischi residui più alti", "Critico")
	h.press("tab")
	h.requireScreen("Azioni migliorative", "FIS-01", "TEC-01")
	rp := h.m.top().(*riskPage)
	item := rp.assess.Actions[0].Item.ID
	h.press("enter")
	h.typeText("Ufficio tecnico")
	h.press("enter")
	h.typeText("2027-13-01")
	h.press("enter")
	h.requireScreen(`scadenza "2027-13-01" non valida`)
	for range 5 {
		h.press("backspace")
	}
	h.typeText("03-31")
	h.press("enter", "down", "enter")
	snap, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	got := snap.Actions[item]
	want := checklist.ActionPlan{Item: item, Owner: "Ufficio tecnico", Due: "2027-03-31", Status: checklist.ActionInProgress}
	if got != want {
		t.Fatalf("stored plan %+v, want %+v", got, want)
	}
	h.requireScreen("Ufficio tecnico", "In corso")
}

func TestExportWritesBundle(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id, Role: checklist.RoleViewer}, 100, 30)
	h.press("E")
	p := h.m.top().(*exportPage)
	if want := "export-comune-di-prova-2026"; filepath.Base(p.dir.Value()) != want {
		t.Errorf("default folder %s, want …/%s", p.dir.Value(), want)
	}
	dir := filepath.Join(t.TempDir(), "rapporto")
	p.dir.SetValue(dir)
	h.press("enter")
	h.settle(func() bool { return !p.running }, 60*time.Second)
	if p.err != nil {
		t.Fatalf("export failed: %v", p.err)
	}
	for _, f := range []string{export.FilePDF, export.FileHTML, export.FileXLSX, export.FileJSON, export.FileSums} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("bundle lacks %s: %v", f, err)
		}
	}
	h.requireScreen("Esportazione completata", dir)

	// Exporting again into the same folder is refused with a clear message.
	h.press("enter")
	h.settle(func() bool { return !p.running }, 60*time.Second)
	h.requireScreen("esiste già")
}

func TestSlug(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"Comune di Valdoria":       "comune-di-valdoria",
		"Comune d'Àosta – Città":   "comune-d-aosta-citta",
		"  ":                       "audit",
		"Sant'Angelo in Vado (PU)": "sant-angelo-in-vado-pu",
	}
	for in, want := range tests {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRiskOverrideForm: on the risks tab, enter opens the probability and
// impact form of the selected threat; the reason is required, and the
// saved override is on disk and in the figures.
func TestRiskOverrideForm(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 100, 30)
	h.press("r")
	h.requireScreen("Rischi residui più alti")
	rp := h.m.top().(*riskPage)
	threat := rp.assess.Top[0].Threat
	h.press("enter")
	h.requireScreen("Probabilità e impatto "+threat.ID, "(catalogo)")
	// First option of each select (g: to the top): probability 1, impact 1.
	h.press("g", "enter", "g", "enter", "enter")
	h.requireScreen("richiede una motivazione")
	h.typeText("postazione in ufficio chiuso al pubblico")
	h.press("enter")
	snap, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	want := checklist.RiskOverride{Threat: threat.ID, Probability: 1, Impact: 1, Reason: "postazione in ufficio chiuso al pubblico"}
	if got := snap.Overrides[threat.ID]; got != want {
		t.Fatalf("stored override %+v, want %+v", got, want)
	}
	h.requireScreen("Salvato: " + threat.ID + " probabilità 1 × impatto 1")
	if r := checklist.Assess(snap).ComuneRisk(threat.ID); r == nil || r.Worst.Inherent != 1 {
		t.Errorf("comune risk after the override %+v", r)
	}
}

// TestRiskPagePlainCatalogue: an audit on a catalogue without threats shows
// only its actions, and "no" to a negative question is no action.
func TestRiskPagePlainCatalogue(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	src, err := os.ReadFile("../testdata/catalogues/good/dps-plain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := s.SaveCatalogue(src, "dps-plain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := sampleAudit()
	a.CatalogueID, a.CatalogueVersion = cat.ID, cat.Version
	stored, err := s.CreateAudit(a, "preparatore")
	if err != nil {
		t.Fatal(err)
	}
	pg := checklist.Scope{Kind: checklist.ScopePostazione, Name: a.Postazioni[0].Code}
	for item, v := range map[string]string{"CRED-01": "no", "CRED-02": "si", "ORG-01": "parziale"} {
		sc := pg
		if item == "ORG-01" {
			sc = checklist.EnteScope
		}
		if _, err := s.SaveAnswer(stored.ID, checklist.Answer{Scope: sc, Item: item, Value: v, Author: "giulia"}, -1); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, Options{Store: s, AuditID: stored.ID}, 100, 30)
	h.press("r")
	h.requireScreen("senza modello di rischio", "NC", "ORG-01", "CRED-02")
	if strings.Contains(h.screen(), "CRED-01") || strings.Contains(h.screen(), "Probabilità × impatto") {
		t.Errorf("plain catalogue risk page:\n%s", h.screen())
	}
}
