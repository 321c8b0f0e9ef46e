package checklist

import (
	"os"
	"testing"
)

func parseFixture(t *testing.T, name string) *Catalogue {
	t.Helper()
	path := "../testdata/catalogues/good/" + name
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(src, path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPlainCatalogueNegativeQuestions: a DPS-style catalogue without a risk
// model validates; "no" to a negative question is compliant and raises no
// action, "sì" is the non-conformity.
func TestPlainCatalogueNegativeQuestions(t *testing.T) {
	c := parseFixture(t, "dps-plain.yaml")
	if c.HasRiskModel() {
		t.Fatal("a catalogue without threats has a risk model")
	}
	cred1, cred3 := c.Item("CRED-01"), c.Item("CRED-03")
	if !cred1.Negative() || cred3.Negative() {
		t.Fatalf("CRED-01 negative %v, CRED-03 negative %v", cred1.Negative(), cred3.Negative())
	}
	if cred1.OriginClass() != ClassNormative || c.Item("CRED-02").OriginClass() != ClassPartlyInferred {
		t.Errorf("origin classes %s, %s", cred1.OriginClass(), c.Item("CRED-02").OriginClass())
	}
	if got := cred3.MacroprocessLabel(); got != "MP1 Anagrafe (INA/ANPR), MP2 Emissione" {
		t.Errorf("MacroprocessLabel = %q", got)
	}
	pc := Scope{ScopePostazione, "PC01"}
	audit := Audit{ID: "dps", Sedi: []Sede{{Name: "Municipio"}}, Postazioni: []Postazione{{Code: "PC01", Sede: "Municipio"}}}
	tests := []struct {
		cred01, cred02 string
		actions        []string
		yes, no        int
	}{
		{"no", "no", nil, 2, 0},
		{"si", "no", []string{"CRED-01"}, 1, 1},
		{"si", "parziale", []string{"CRED-01", "CRED-02"}, 0, 1},
	}
	for _, tt := range tests {
		s := &Snapshot{Audit: audit, Catalogue: c}
		setAnswer(s, pc, "CRED-01", tt.cred01)
		setAnswer(s, pc, "CRED-02", tt.cred02)
		a := Assess(s)
		if len(a.Risks) != 0 || len(a.Top) != 0 || a.Provisional {
			t.Errorf("plain catalogue assessed %d risks, provisional %v", len(a.Risks), a.Provisional)
		}
		var ids []string
		for _, act := range a.Actions {
			ids = append(ids, act.Item.ID)
			if act.Item.ID == "CRED-01" && (act.Outcome != OutcomeNo || act.Item.FindingLabel(act.Outcome) != "Sì (non conforme)") {
				t.Errorf("CRED-01 answered sì: action outcome %q (%s), want no (not in place), shown as the answer given", act.Outcome, act.Item.FindingLabel(act.Outcome))
			}
		}
		if len(ids) != len(tt.actions) || (len(ids) > 0 && ids[0] != tt.actions[0]) {
			t.Errorf("CRED-01 %s, CRED-02 %s: actions %v, want %v", tt.cred01, tt.cred02, ids, tt.actions)
		}
		if n := a.Summary.Total.Counts; n.Yes != tt.yes || n.No != tt.no {
			t.Errorf("CRED-01 %s, CRED-02 %s: compliant %d, non-compliant %d; want %d and %d", tt.cred01, tt.cred02, n.Yes, n.No, tt.yes, tt.no)
		}
	}
}

// TestVulnerabilityStrongestCounts: measures on the same vulnerability do
// not multiply; the group's strongest counts and groups combine as
// independent measures.
func TestVulnerabilityStrongestCounts(t *testing.T) {
	c := parseFixture(t, "vulnerabilities.yaml")
	audit := Audit{ID: "v", Sedi: []Sede{{Name: "Municipio"}}, Postazioni: []Postazione{{Code: "PC01", Sede: "Municipio"}}}
	tests := []struct {
		org1, org2, org3 string
		residual         float64
	}{
		{"si", "si", "si", 6 * 0.5 * 0.7}, // V-PIANO counts 50% (not 1 − 0.5 × 0.6), ORG-03 30%
		{"no", "si", "no", 6 * 0.6},       // only ORG-02: 40%
		{"parziale", "si", "", 6 * 0.6},   // ORG-02 40% beats ORG-01 parziale 25%
		{"si", "no", "parziale", 6 * 0.5 * 0.85},
	}
	for _, tt := range tests {
		s := &Snapshot{Audit: audit, Catalogue: c}
		setAnswer(s, EnteScope, "ORG-01", tt.org1)
		setAnswer(s, EnteScope, "ORG-02", tt.org2)
		setAnswer(s, EnteScope, "ORG-03", tt.org3)
		r := Assess(s).Risk(Scope{ScopePostazione, "PC01"}, "T17")
		if !near(r.Residual, tt.residual) {
			t.Errorf("%s/%s/%s: residual %v, want %v", tt.org1, tt.org2, tt.org3, r.Residual, tt.residual)
		}
		counted := 0
		for _, m := range r.Measures {
			if m.Counted && m.Item.Vulnerability != "" {
				counted++
			}
		}
		if counted > 1 {
			t.Errorf("%s/%s/%s: %d measures of one vulnerability counted", tt.org1, tt.org2, tt.org3, counted)
		}
	}
}
