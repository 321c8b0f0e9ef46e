package checklist

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cieaudit/cieaudit/internal/golden"
)

// testScale is P 1-3 × I 1-3 with four bands, parziale worth half, and
// mitigation capped at 90%.
func testScale() RiskScale {
	return RiskScale{
		Probability: []ScaleLevel{{Value: 1}, {Value: 2}, {Value: 3}},
		Impact:      []ScaleLevel{{Value: 1}, {Value: 2}, {Value: 3}},
		Bands: []Band{
			{ID: "basso", Label: "Basso", Max: 2},
			{ID: "medio", Label: "Medio", Max: 4},
			{ID: "alto", Label: "Alto", Max: 6},
			{ID: "critico", Label: "Critico", Max: 9},
		},
		PartialFactor: 0.5,
		MaxMitigation: 90,
	}
}

// builtinBands is testScale with the built-in catalogue's bands: up to 3,
// 6, 9, 16, as in the examples of docs/rischio.md.
func builtinBands() RiskScale {
	scale := testScale()
	scale.Bands = []Band{{ID: "basso", Max: 3}, {ID: "medio", Max: 6}, {ID: "alto", Max: 9}, {ID: "critico", Max: 16}}
	return scale
}

func outcomeItem(id string, kind ScopeKind, cat Category, lvl Level, links ...ThreatLink) Item {
	return Item{ID: id, Category: cat, Scope: kind, Level: lvl, Short: "Misura " + id, Threats: links}
}

// testCatalogue is small enough to compute every figure by hand:
//
//	T1 (3×3 = 9): E1 ente 40%, E2 ente 50%, S1 sede 30%, P1 postazione 20%
//	T2 (2×2 = 4): P1 60%, P2 50%, P3 80% (all postazione)
//	T3 (1×3 = 3): C1 postazione choice 40%
//	X1 (ente) and N1 (number) counter nothing.
func testCatalogue() *Catalogue {
	return &Catalogue{
		ID: "prova-rischio", Version: "1", Risk: testScale(),
		Threats: []Threat{
			{ID: "T1", Name: "Accesso fisico", Probability: 3, Impact: 3},
			{ID: "T2", Name: "Furto", Probability: 2, Impact: 2},
			{ID: "T3", Name: "Divulgazione", Probability: 1, Impact: 3},
		},
		Sections: []Section{
			{ID: "ORG", Items: []Item{
				outcomeItem("E1", ScopeEnte, CategoryOrganisational, LevelMinimum, ThreatLink{"T1", 40}),
				outcomeItem("E2", ScopeEnte, CategoryOrganisational, LevelStandard, ThreatLink{"T1", 50}),
				outcomeItem("X1", ScopeEnte, CategoryOrganisational, LevelMinimum),
				{ID: "N1", Category: CategoryOrganisational, Scope: ScopeEnte, Level: LevelHigh, Answer: AnswerSpec{Kind: KindNumber}},
			}},
			{ID: "FIS", Items: []Item{
				outcomeItem("S1", ScopeSede, CategoryPhysical, LevelMinimum, ThreatLink{"T1", 30}),
			}},
			{ID: "TEC", Items: []Item{
				outcomeItem("P1", ScopePostazione, CategoryTechnical, LevelMinimum, ThreatLink{"T1", 20}, ThreatLink{"T2", 60}),
				outcomeItem("P2", ScopePostazione, CategoryTechnical, LevelStandard, ThreatLink{"T2", 50}),
				outcomeItem("P3", ScopePostazione, CategoryTechnical, LevelHigh, ThreatLink{"T2", 80}),
				{ID: "C1", Category: CategoryTechnical, Scope: ScopePostazione, Level: LevelStandard,
					Answer: AnswerSpec{Kind: KindChoice, Choices: []Choice{
						{ID: "buono", Outcome: OutcomeYes},
						{ID: "medio", Outcome: OutcomePartial},
						{ID: "nessuno", Outcome: OutcomeNo},
						{ID: "altro", Label: "Altro"},
					}},
					Threats: []ThreatLink{{"T3", 40}}},
			}},
		},
	}
}

// testSnapshot has sedi A and B, postazione PA in A and PB in B. answers are
// "scope item value" triples, e.g. "postazione:PA P1 si"; "scope item" is an
// answer with an empty value (a note saved before the answer).
func testSnapshot(t testing.TB, answers ...string) *Snapshot {
	t.Helper()
	s := &Snapshot{
		Audit: Audit{
			ID:         "test",
			Sedi:       []Sede{{Name: "A"}, {Name: "B"}},
			Postazioni: []Postazione{{Code: "PA", Sede: "A"}, {Code: "PB", Sede: "B"}},
		},
		Catalogue: testCatalogue(),
	}
	for _, a := range answers {
		f := strings.Fields(a)
		if len(f) == 2 {
			f = append(f, "")
		}
		if len(f) != 3 {
			t.Fatalf("bad test answer %q", a)
		}
		sc, err := ParseScope(f[0])
		if err != nil {
			t.Fatal(err)
		}
		s.Answers = append(s.Answers, Answer{Scope: sc, Item: f[1], Value: f[2]})
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func itemIDs(items []*Item) []string {
	ids := []string{}
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

func TestAssessThreatRisk(t *testing.T) {
	tests := []struct {
		name      string
		answers   []string
		overrides map[string]RiskOverride
		scope     string
		threat    string
		// want
		inherent, mitigation, residual float64
		band                           string
		provisional                    bool
		missing                        []string
		measures                       int // linked measures applying to the scope
	}{
		{
			name:    "single measure",
			answers: []string{"ente E1 si", "ente E2 no"},
			scope:   "ente", threat: "T1",
			inherent: 9, mitigation: 0.4, residual: 5.4, band: "alto", measures: 2,
		},
		{
			name:    "several measures combine as 1−∏(1−m)",
			answers: []string{"ente E1 si", "ente E2 si"},
			scope:   "ente", threat: "T1",
			// 1 − 0.6 × 0.5 = 0.7
			inherent: 9, mitigation: 0.7, residual: 2.7, band: "medio", measures: 2,
		},
		{
			name:    "parziale counts half",
			answers: []string{"ente E1 parziale", "ente E2 no"},
			scope:   "ente", threat: "T1",
			inherent: 9, mitigation: 0.2, residual: 7.2, band: "critico", measures: 2,
		},
		{
			name:    "non applicabile is excluded, not missing",
			answers: []string{"ente E1 si", "ente E2 na"},
			scope:   "ente", threat: "T1",
			inherent: 9, mitigation: 0.4, residual: 5.4, band: "alto", measures: 2,
		},
		{
			name:    "no counts nothing",
			answers: []string{"ente E1 no", "ente E2 no"},
			scope:   "ente", threat: "T1",
			inherent: 9, mitigation: 0, residual: 9, band: "critico", measures: 2,
		},
		{
			name:    "postazione inherits the ente",
			answers: []string{"ente E1 si", "ente E2 si", "sede:A S1 no", "postazione:PA P1 no"},
			scope:   "postazione:PA", threat: "T1",
			inherent: 9, mitigation: 0.7, residual: 2.7, band: "medio", measures: 4,
		},
		{
			name:    "postazione inherits its sede",
			answers: []string{"ente E1 no", "ente E2 no", "sede:A S1 si", "sede:B S1 no", "postazione:PA P1 si"},
			scope:   "postazione:PA", threat: "T1",
			// 1 − 0.7 × 0.8 = 0.44
			inherent: 9, mitigation: 0.44, residual: 5.04, band: "alto", measures: 4,
		},
		{
			name:    "postazione ignores another sede",
			answers: []string{"ente E1 no", "ente E2 no", "sede:A S1 no", "sede:B S1 si", "postazione:PA P1 no"},
			scope:   "postazione:PA", threat: "T1",
			inherent: 9, mitigation: 0, residual: 9, band: "critico", measures: 4,
		},
		{
			name:    "other postazione of the same answers sees sede B",
			answers: []string{"ente E1 no", "ente E2 no", "sede:A S1 si", "sede:B S1 no", "postazione:PB P1 si"},
			scope:   "postazione:PB", threat: "T1",
			inherent: 9, mitigation: 0.2, residual: 7.2, band: "critico", measures: 4,
		},
		{
			name:    "sede sees sede and ente measures only",
			answers: []string{"ente E1 si", "ente E2 no", "sede:A S1 si", "postazione:PA P1 si"},
			scope:   "sede:A", threat: "T1",
			// 1 − 0.6 × 0.7 = 0.58
			inherent: 9, mitigation: 0.58, residual: 3.78, band: "medio", measures: 3,
		},
		{
			name:    "mitigation is capped",
			answers: []string{"postazione:PA P1 si", "postazione:PA P2 si", "postazione:PA P3 si"},
			scope:   "postazione:PA", threat: "T2",
			// 1 − 0.4 × 0.5 × 0.2 = 0.96, capped at 0.9
			inherent: 4, mitigation: 0.9, residual: 0.4, band: "basso", measures: 3,
		},
		{
			name:    "unanswered measures make the result provisional",
			answers: []string{"ente E1 si"},
			scope:   "postazione:PA", threat: "T1",
			inherent: 9, mitigation: 0.4, residual: 5.4, band: "alto", measures: 4,
			provisional: true, missing: []string{"E2", "S1", "P1"},
		},
		{
			name:    "an empty value (note only) is unanswered",
			answers: []string{"ente E1 si", "ente E2", "sede:A S1 si", "postazione:PA P1 si"},
			scope:   "postazione:PA", threat: "T1",
			// 1 − 0.6 × 0.7 × 0.8 = 0.664
			inherent: 9, mitigation: 0.664, residual: 3.024, band: "medio", measures: 4,
			provisional: true, missing: []string{"E2"},
		},
		{
			name:    "an unknown choice is unanswered",
			answers: []string{"postazione:PA C1 boh"},
			scope:   "postazione:PA", threat: "T3",
			inherent: 3, mitigation: 0, residual: 3, band: "medio", measures: 1,
			provisional: true, missing: []string{"C1"},
		},
		{
			name:    "an unknown esito is unanswered",
			answers: []string{"ente E1 forse", "ente E2 si"},
			scope:   "ente", threat: "T1",
			inherent: 9, mitigation: 0.5, residual: 4.5, band: "alto", measures: 2,
			provisional: true, missing: []string{"E1"},
		},
		{
			name:      "override replaces probability and impact",
			answers:   []string{"ente E1 si", "ente E2 no"},
			overrides: map[string]RiskOverride{"T1": {Threat: "T1", Probability: 2, Impact: 2, Reason: "sportello chiuso al pubblico"}},
			scope:     "ente", threat: "T1",
			inherent: 4, mitigation: 0.4, residual: 2.4, band: "medio", measures: 2,
		},
		{
			name:    "choice counts through its outcome",
			answers: []string{"postazione:PA C1 medio"},
			scope:   "postazione:PA", threat: "T3",
			inherent: 3, mitigation: 0.2, residual: 2.4, band: "medio", measures: 1,
		},
		{
			name:    "descriptive choice counts nothing but is answered",
			answers: []string{"postazione:PA C1 altro"},
			scope:   "postazione:PA", threat: "T3",
			inherent: 3, mitigation: 0, residual: 3, band: "medio", measures: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSnapshot(t, tt.answers...)
			s.Overrides = tt.overrides
			sc, _ := ParseScope(tt.scope)
			a := Assess(s)
			r := a.Risk(sc, tt.threat)
			if r == nil {
				t.Fatalf("no risk for %s/%s", tt.scope, tt.threat)
			}
			if !near(r.Inherent, tt.inherent) || !near(r.Mitigation, tt.mitigation) || !near(r.Residual, tt.residual) || r.Band.ID != tt.band {
				t.Errorf("inherent %v mitigation %v residual %v band %q; want %v %v %v %q",
					r.Inherent, r.Mitigation, r.Residual, r.Band.ID, tt.inherent, tt.mitigation, tt.residual, tt.band)
			}
			if r.Provisional != tt.provisional || !slices.Equal(itemIDs(r.Missing), append([]string{}, tt.missing...)) {
				t.Errorf("provisional %v missing %v; want %v %v", r.Provisional, itemIDs(r.Missing), tt.provisional, tt.missing)
			}
			if r.Provisional && !a.Provisional {
				t.Error("assessment not provisional although a risk is")
			}
			if len(r.Measures) != tt.measures {
				t.Errorf("%d measures explained, want %d", len(r.Measures), tt.measures)
			}
			if o, ok := tt.overrides[tt.threat]; ok != r.Overridden || r.OverrideReason != o.Reason {
				t.Errorf("overridden %v reason %q; want %v %q", r.Overridden, r.OverrideReason, ok, o.Reason)
			}
			// The explanation adds up to the figure.
			remaining := 1.0
			for _, m := range r.Measures {
				remaining *= 1 - m.Effective
				if m.Counted != (m.Effective > 0) {
					t.Errorf("%s: counted %v with effective %v", m.Item.ID, m.Counted, m.Effective)
				}
			}
			if got := min(1-remaining, 0.9); !near(got, r.Mitigation) {
				t.Errorf("measures combine to %v, risk says %v", got, r.Mitigation)
			}
		})
	}
}

func TestMeasureEffectExplains(t *testing.T) {
	s := testSnapshot(t, "ente E1 parziale", "ente E2 na", "sede:A S1 no", "postazione:PA C1 altro")
	r := Assess(s).Risk(Scope{ScopePostazione, "PA"}, "T1")
	want := map[string]struct {
		at, reason string
		effective  float64
	}{
		"E1": {"ente", "parziale: 50% di 40% = 20%", 0.2},
		"E2": {"ente", "non applicabile: escluso", 0},
		"S1": {"sede:A", "no: non conta", 0},
		"P1": {"postazione:PA", "non verificato: non conta (risultato provvisorio)", 0},
	}
	if len(r.Measures) != len(want) {
		t.Fatalf("%d measures, want %d", len(r.Measures), len(want))
	}
	for _, m := range r.Measures {
		w := want[m.Item.ID]
		if m.At.String() != w.at || m.Reason != w.reason || !near(m.Effective, w.effective) {
			t.Errorf("%s: at %s reason %q effective %v; want %s %q %v", m.Item.ID, m.At, m.Reason, m.Effective, w.at, w.reason, w.effective)
		}
	}
	c := Assess(s).Risk(Scope{ScopePostazione, "PA"}, "T3").Measures[0]
	if c.Reason != "risposta senza esito (Altro): non conta" {
		t.Errorf("descriptive choice reason %q", c.Reason)
	}
	s = testSnapshot(t, "ente E1 si")
	if m := Assess(s).Risk(EnteScope, "T1").Measures[0]; m.Reason != "sì: 40%" {
		t.Errorf("sì reason %q", m.Reason)
	}
}

func TestAssessLayout(t *testing.T) {
	a := Assess(testSnapshot(t))
	// T1 has measures at every level: assessed at the 5 scopes. T2 and T3
	// are countered only by postazione measures: assessed at the 2
	// postazioni only. Scopes in audit order, threats in catalogue order.
	if len(a.Risks) != 9 {
		t.Fatalf("%d risks, want 9", len(a.Risks))
	}
	var got []string
	for _, r := range a.Risks[:5] {
		got = append(got, r.Scope.String()+"/"+r.Threat.ID)
	}
	if want := []string{"ente/T1", "sede:A/T1", "sede:B/T1", "postazione:PA/T1", "postazione:PA/T2"}; !slices.Equal(got, want) {
		t.Errorf("risk order %v, want %v", got, want)
	}
	pa := a.RisksAt(Scope{ScopePostazione, "PA"})
	if len(pa) != 3 || pa[0].Scope.Name != "PA" || pa[2].Threat.ID != "T3" {
		t.Errorf("RisksAt(PA) = %d risks", len(pa))
	}
	if a.RisksAt(Scope{ScopePostazione, "ZZ"}) != nil || a.Risk(EnteScope, "T9") != nil {
		t.Error("unknown scope or threat should give nothing")
	}
	if a.Risk(EnteScope, "T2") != nil || a.Risk(Scope{ScopeSede, "A"}, "T3") != nil {
		t.Error("a threat no measure of the ente (or sede) counters must not be assessed there")
	}
	if !a.Provisional {
		t.Error("an unanswered audit must be provisional")
	}
	if empty := Assess(&Snapshot{}); len(empty.Risks) != 0 || empty.Provisional {
		t.Error("a snapshot without catalogue should give an empty assessment")
	}
}

func TestTopRisks(t *testing.T) {
	// Residuals: every T1 is 9 except PA (P1 si → 7.2); T2 is assessed only
	// at the postazioni: 4 at PB, 4 × 0.4 × 0.5 = 0.8 at PA; T3 is 3 at both.
	a := Assess(testSnapshot(t, "postazione:PA P1 si", "postazione:PA P2 si"))
	var got []string
	for _, r := range a.Top {
		got = append(got, r.Scope.String()+"/"+r.Threat.ID)
	}
	// One row per threat, at its worst postazione: the ente and sede rows
	// (9, counting only their own measures) are partial and never listed.
	want := []string{
		"postazione:PB/T1", // 9 (PA 7.2)
		"postazione:PB/T2", // 4 (PA 0.8)
		"postazione:PA/T3", // 3 at both: scope order
	}
	if !slices.Equal(got, want) {
		t.Errorf("top\n got %v\nwant %v", got, want)
	}
	for _, r := range a.Risks {
		if r.Partial != (r.Scope.Kind != ScopePostazione) {
			t.Errorf("%s/%s: partial %v", r.Scope, r.Threat.ID, r.Partial)
		}
	}
	t1 := a.ComuneRisk("T1")
	if t1 == nil || t1.Worst.Scope.Name != "PB" || !near(t1.Min, 7.2) || t1.Scopes != 2 || t1.Provisional != 2 {
		t.Errorf("comune T1 = %+v", t1)
	}
	if a.Unverified == 0 || a.Expected != a.Summary.Total.Counts.Total() || !strings.HasPrefix(a.ProvisionalNote(), "Quadro provvisorio: ") {
		t.Errorf("unverified %d of %d: %q", a.Unverified, a.Expected, a.ProvisionalNote())
	}
}

// TestTopRisksWithoutPostazioni: an audit that lists only sedi (or only
// the ente) rolls the threat up from the sedi (or the ente), the most
// complete scopes it has.
func TestTopRisksWithoutPostazioni(t *testing.T) {
	s := testSnapshot(t, "sede:A S1 si")
	s.Audit.Postazioni = nil
	a := Assess(s)
	if len(a.Top) != 1 || a.Top[0].Scope.Kind != ScopeSede || a.Top[0].Scope.Name != "B" || a.Top[0].Partial {
		t.Errorf("top %+v", a.Top)
	}
	s.Audit.Sedi = nil
	if a := Assess(s); len(a.Top) != 1 || a.Top[0].Scope != EnteScope {
		t.Errorf("ente only: top %+v", a.Top)
	}
}

func TestTopRisksTieOnResidualPrefersInherent(t *testing.T) {
	// Equal residuals: higher inherent first, then scope order, then threat ID.
	risks := []ComuneRisk{
		{Worst: ThreatRisk{Scope: EnteScope, Threat: &Threat{ID: "T3"}, Inherent: 3, Residual: 3}},
		{Worst: ThreatRisk{Scope: EnteScope, Threat: &Threat{ID: "T2"}, Inherent: 4, Residual: 3}},
		{Worst: ThreatRisk{Scope: Scope{ScopeSede, "A"}, Threat: &Threat{ID: "T1"}, Inherent: 4, Residual: 3}},
		{Worst: ThreatRisk{Scope: EnteScope, Threat: &Threat{ID: "T0"}, Inherent: 4, Residual: 3}},
	}
	var got []string
	for _, r := range topRisks(risks, 3, []Scope{EnteScope, {ScopeSede, "A"}}) {
		got = append(got, r.Scope.String()+"/"+r.Threat.ID)
	}
	if want := []string{"ente/T0", "ente/T2", "sede:A/T1"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestAssessmentJSON(t *testing.T) {
	s := testSnapshot(t, "ente E1 parziale", "ente E2 na", "sede:A S1 no", "postazione:PA P1 si")
	s.Overrides = map[string]RiskOverride{"T3": {Threat: "T3", Probability: 2, Impact: 3, Reason: "dati sanitari"}}
	s.Actions = map[string]ActionPlan{"S1": {Item: "S1", Owner: "Economato", Due: "2027-01-31", Status: ActionInProgress}}
	b, err := json.MarshalIndent(Assess(s), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "testdata/risk/assessment.json", b)
}

// assertGolden compares got with the golden file at path (internal/golden).
func assertGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Assert(t, path, got)
}

// randomCatalogue builds a catalogue of n items over threats threats, with
// random scopes, kinds, links and mitigations.
func randomCatalogue(rng *rand.Rand, n, threats int) *Catalogue {
	c := &Catalogue{ID: "casuale", Version: "1", Risk: testScale()}
	for i := range threats {
		c.Threats = append(c.Threats, Threat{ID: fmt.Sprintf("T%02d", i+1), Probability: 1 + rng.IntN(3), Impact: 1 + rng.IntN(3)})
	}
	sec := Section{ID: "S"}
	for i := range n {
		it := Item{
			ID:       fmt.Sprintf("M%03d", i+1),
			Category: Categories[rng.IntN(len(Categories))],
			Scope:    ScopeKinds[rng.IntN(len(ScopeKinds))],
			Level:    Levels[rng.IntN(len(Levels))],
		}
		if rng.IntN(5) == 0 {
			it.Answer = AnswerSpec{Kind: KindChoice, Choices: []Choice{
				{ID: "a", Outcome: OutcomeYes}, {ID: "b", Outcome: OutcomePartial}, {ID: "c", Outcome: OutcomeNo}, {ID: "d", Label: "D"},
			}}
		} else if rng.IntN(6) == 0 {
			it.CompliantAnswer = OutcomeNo // a negative question
		}
		if g := rng.IntN(6); g < 2 {
			it.Vulnerability = fmt.Sprintf("V%d", g+1) // correlated measures
		}
		for _, ti := range rng.Perm(threats)[:rng.IntN(4)] {
			it.Threats = append(it.Threats, ThreatLink{c.Threats[ti].ID, 5 + rng.IntN(91)})
		}
		sec.Items = append(sec.Items, it)
	}
	c.Sections = []Section{sec}
	return c
}

// randomAudit has sedi sedi and postazioni postazioni spread over them.
func randomAudit(sedi, postazioni int) Audit {
	var a Audit
	for i := range sedi {
		a.Sedi = append(a.Sedi, Sede{Name: fmt.Sprintf("Sede %d", i+1)})
	}
	for i := range postazioni {
		a.Postazioni = append(a.Postazioni, Postazione{Code: fmt.Sprintf("%06d", i+1), Sede: a.Sedi[i%sedi].Name})
	}
	return a
}

// randomValue is a random answer to it, "" meaning unanswered.
func randomValue(rng *rand.Rand, it *Item) string {
	if it.Answer.Kind == KindChoice {
		i := rng.IntN(len(it.Answer.Choices) + 1)
		if i == 0 {
			return ""
		}
		return it.Answer.Choices[i-1].ID
	}
	return []string{"", "si", "no", "parziale", "na"}[rng.IntN(5)]
}

// randomSnapshot answers every (scope, item) pair of the audit at random.
func randomSnapshot(rng *rand.Rand, c *Catalogue, audit Audit) *Snapshot {
	s := &Snapshot{Audit: audit, Catalogue: c}
	for _, sc := range audit.Scopes() {
		for _, it := range c.ItemsFor(sc.Kind) {
			if v := randomValue(rng, it); v != "" {
				s.Answers = append(s.Answers, Answer{Scope: sc, Item: it.ID, Value: v})
			}
		}
	}
	return s
}

// setAnswer sets (or, with value "", removes) the answer to item at scope.
func setAnswer(s *Snapshot, scope Scope, item, value string) {
	s.Answers = slices.DeleteFunc(slices.Clone(s.Answers), func(a Answer) bool { return a.Scope == scope && a.Item == item })
	if value != "" {
		s.Answers = append(s.Answers, Answer{Scope: scope, Item: item, Value: value})
	}
	s.Reindex()
}

// better is the next step of implementation of an answer value:
// unanswered or no → parziale → sì ("" when there is no better step).
func better(it *Item, value string) string {
	if it.Answer.Kind == KindChoice {
		switch value {
		case "", "c":
			return "b"
		case "b":
			return "a"
		}
		return ""
	}
	yes, no := "si", "no"
	if it.Negative() {
		yes, no = "no", "si"
	}
	switch value {
	case "", no:
		return "parziale"
	case "parziale":
		return yes
	}
	return ""
}

func TestPropertyMoreMeasuresNeverRaiseRisk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		c := randomCatalogue(rng, 40, 6)
		s := randomSnapshot(rng, c, randomAudit(2, 4))
		before := Assess(s)
		scopes := s.Audit.Scopes()
		sc := scopes[rng.IntN(len(scopes))]
		items := c.ItemsFor(sc.Kind)
		it := items[rng.IntN(len(items))]
		old, _ := s.Answer(sc, it.ID)
		next := better(it, old.Value)
		if next == "" {
			continue
		}
		setAnswer(s, sc, it.ID, next)
		after := Assess(s)
		for i := range before.Risks {
			b, a := before.Risks[i], after.Risks[i]
			if a.Residual > b.Residual+1e-9 {
				t.Fatalf("round %d: %s %q → %q at %s raised %s/%s from %v to %v",
					round, it.ID, old.Value, next, sc, a.Scope, a.Threat.ID, b.Residual, a.Residual)
			}
		}
	}
}

func TestPropertyUnrelatedAnswerNeverChangesRisk(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		c := randomCatalogue(rng, 40, 6)
		s := randomSnapshot(rng, c, randomAudit(2, 4))
		before := Assess(s)
		scopes := s.Audit.Scopes()
		sc := scopes[rng.IntN(len(scopes))]
		items := c.ItemsFor(sc.Kind)
		it := items[rng.IntN(len(items))]
		setAnswer(s, sc, it.ID, randomValue(rng, it))
		after := Assess(s)
		for i := range before.Risks {
			b, a := before.Risks[i], after.Risks[i]
			if slices.ContainsFunc(it.Threats, func(l ThreatLink) bool { return l.Threat == b.Threat.ID }) {
				continue
			}
			if a.Residual != b.Residual || a.Provisional != b.Provisional || !slices.Equal(itemIDs(a.Missing), itemIDs(b.Missing)) {
				t.Fatalf("round %d: answering %s (not linked to %s) at %s changed %s/%s: %v → %v",
					round, it.ID, b.Threat.ID, sc, b.Scope, b.Threat.ID, b.Residual, a.Residual)
			}
		}
	}
}

func TestPropertyProvisionalNeverLooksSafer(t *testing.T) {
	// The provisional figure counts a missing measure as absent, so
	// answering it, whatever the answer, can only keep or lower the
	// residual: a half-done audit never looks safer than the finished one.
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 200 {
		c := randomCatalogue(rng, 40, 6)
		s := randomSnapshot(rng, c, randomAudit(2, 4))
		before := Assess(s)
		for _, r := range before.Risks {
			if !r.Provisional {
				continue
			}
			it := r.Missing[0]
			at, _ := s.AnsweringScope(r.Scope, it)
			v := randomValue(rng, it)
			if v == "" {
				continue
			}
			setAnswer(s, at, it.ID, v)
			got := Assess(s).Risk(r.Scope, r.Threat.ID)
			if got.Residual > r.Residual+1e-9 {
				t.Fatalf("round %d: answering missing %s = %s raised %s/%s from %v to %v", round, it.ID, v, r.Scope, r.Threat.ID, r.Residual, got.Residual)
			}
			break
		}
	}
}

// BenchmarkAssess measures a full assessment of a 300-item catalogue over an
// audit of 3 sedi and 10 postazioni with every measure answered.
func BenchmarkAssess(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	c := randomCatalogue(rng, 300, 17)
	s := randomSnapshot(rng, c, randomAudit(3, 10))
	b.ReportAllocs()
	for b.Loop() {
		Assess(s)
	}
}

// TestAssessParsedCatalogue runs the engine on the catalogue of the CLI
// test, parsed as users load it, and checks the figures that test relies on.
func TestAssessParsedCatalogue(t *testing.T) {
	src, err := os.ReadFile("testdata/risk/cli.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(src, "testdata/risk/cli.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pc := Scope{ScopePostazione, "PC01"}
	audit := Audit{Sedi: []Sede{{Name: "Municipio"}}, Postazioni: []Postazione{{Code: "PC01", Sede: "Municipio"}}}
	tests := []struct {
		value    string
		residual float64
	}{
		{"", 9},            // provisional: nothing counts
		{"si", 4.5},        // 9 × (1 − 0.5)
		{"parziale", 6.75}, // 9 × (1 − 0.25)
		{"no", 9},
	}
	for _, tt := range tests {
		s := &Snapshot{Audit: audit, Catalogue: c}
		setAnswer(s, pc, "TEC-01", tt.value)
		r := Assess(s).Risk(pc, "T01")
		if !near(r.Residual, tt.residual) || !r.Provisional {
			t.Errorf("TEC-01 = %q: residual %v provisional %v, want %v true", tt.value, r.Residual, r.Provisional, tt.residual)
		}
	}
}

// workedCatalogue is the catalogue of docs/rischio.md §9.1 and §9.2.
func workedCatalogue(scale RiskScale) *Catalogue {
	return &Catalogue{ID: "esempio", Version: "1", Risk: scale,
		Threats: []Threat{{ID: "T01", Name: "Accesso fisico non autorizzato", Probability: 2, Impact: 3}},
		Sections: []Section{{ID: "FIS", Items: []Item{
			outcomeItem("FIS-01", ScopeSede, CategoryPhysical, LevelMinimum, ThreatLink{"T01", 40}),
			outcomeItem("FIS-02", ScopeSede, CategoryPhysical, LevelMinimum, ThreatLink{"T01", 30}),
			outcomeItem("FIS-03", ScopeSede, CategoryPhysical, LevelMinimum, ThreatLink{"T01", 25}),
		}}},
	}
}

// TestWorkedExample reproduces, figure by figure, the example of
// docs/rischio.md §9: if this test changes, the document must too.
func TestWorkedExample(t *testing.T) {
	// The built-in scale: P and I 1-4, bands up to 3, 6, 9, 16.
	scale := builtinBands()
	c := workedCatalogue(scale)
	pc := Scope{ScopePostazione, "001234"}
	sede := Scope{ScopeSede, "Municipio"}
	s := &Snapshot{Catalogue: c, Audit: Audit{Sedi: []Sede{{Name: "Municipio"}}, Postazioni: []Postazione{{Code: "001234", Sede: "Municipio"}}}}
	setAnswer(s, sede, "FIS-01", "si")
	setAnswer(s, sede, "FIS-02", "parziale")
	a := Assess(s)
	r := a.Risk(pc, "T01")
	if r.Inherent != 6 || r.InherentBand.ID != "medio" {
		t.Errorf("inherent %v %s, want 6 medio", r.Inherent, r.InherentBand.ID)
	}
	var reasons []string
	for _, m := range r.Measures {
		reasons = append(reasons, m.Reason)
	}
	want := []string{"sì: 40%", "parziale: 50% di 30% = 15%", "non verificato: non conta (risultato provvisorio)"}
	if !slices.Equal(reasons, want) {
		t.Errorf("reasons %q, want %q", reasons, want)
	}
	if !near(r.Mitigation, 0.49) || !near(r.Residual, 3.06) || r.Band.ID != "medio" || !r.Provisional || FormatRisk(r.Residual) != "3,1" {
		t.Errorf("mitigation %v residual %v (%s) band %s provisional %v; want 0.49, 3.06, medio, true", r.Mitigation, r.Residual, FormatRisk(r.Residual), r.Band.ID, r.Provisional)
	}
	act := a.Actions[0]
	var red *Reduction
	for i := range act.Reductions {
		if act.Reductions[i].Scope == pc {
			red = &act.Reductions[i]
		}
	}
	if act.Item.ID != "FIS-02" || red == nil || !near(red.Before, 3.06) || !near(red.After, 2.52) || act.Priority.ID != "medio" {
		t.Errorf("FIS-02 action %+v", act)
	}
	if pct, _ := a.Summary.Total.Counts.Percent(); !near(pct, 75) {
		t.Errorf("compliance %v, want 75", pct)
	}
	for _, tt := range []struct {
		value    string
		residual float64
		band     string
	}{{"si", 2.295, "basso"}, {"no", 3.06, "medio"}} {
		setAnswer(s, sede, "FIS-03", tt.value)
		if got := Assess(s).Risk(pc, "T01"); !near(got.Residual, tt.residual) || got.Band.ID != tt.band {
			t.Errorf("FIS-03 %s: residual %v %s, want %v %s", tt.value, got.Residual, got.Band.ID, tt.residual, tt.band)
		}
	}
}

// TestWorkedExampleComune reproduces docs/rischio.md §9.2: the comune's
// risk of T01 is its worst postazione, with the range over the others.
func TestWorkedExampleComune(t *testing.T) {
	scale := builtinBands()
	c := workedCatalogue(scale)
	s := &Snapshot{Catalogue: c, Audit: Audit{
		Sedi:       []Sede{{Name: "Municipio"}, {Name: "Frazione"}},
		Postazioni: []Postazione{{Code: "001234", Sede: "Municipio"}, {Code: "002001", Sede: "Frazione"}},
	}}
	for _, a := range []struct{ sede, item, value string }{
		{"Municipio", "FIS-01", "si"}, {"Municipio", "FIS-02", "parziale"},
		{"Frazione", "FIS-01", "no"}, {"Frazione", "FIS-02", "no"}, {"Frazione", "FIS-03", "si"},
	} {
		setAnswer(s, Scope{ScopeSede, a.sede}, a.item, a.value)
	}
	a := Assess(s)
	cr := a.ComuneRisk("T01")
	if cr == nil || cr.Worst.Scope != (Scope{ScopePostazione, "002001"}) || !near(cr.Worst.Residual, 4.5) || cr.Spread() != "3,1–4,5 su 2 postazioni" {
		t.Fatalf("comune T01 = %+v (%q)", cr, cr.Spread())
	}
	if len(a.Top) != 1 || a.Top[0].Scope.Kind != ScopePostazione || a.Risk(EnteScope, "T01") != nil {
		t.Errorf("top %+v; ente row %v", a.Top, a.Risk(EnteScope, "T01"))
	}
	if r := a.Risk(Scope{ScopeSede, "Frazione"}, "T01"); r == nil || !r.Partial || !near(r.Residual, 4.5) {
		t.Errorf("sede Frazione row %+v", r)
	}
}

// TestWorkedExampleVulnerability reproduces docs/rischio.md §9.3: measures
// on one vulnerability count once, with the strongest, and a duty answered
// no is a non-conformità heading the actions however low the residual.
func TestWorkedExampleVulnerability(t *testing.T) {
	scale := builtinBands()
	item := func(id string, o Origin, vuln string, m int) Item {
		it := outcomeItem(id, ScopeEnte, CategoryOrganisational, LevelMinimum, ThreatLink{"T17", m})
		it.Origin, it.Vulnerability = []Origin{o}, vuln
		return it
	}
	c := &Catalogue{ID: "esempio", Version: "1", Risk: scale,
		Threats:         []Threat{{ID: "T17", Name: "Piano non aggiornato o non conformità", Probability: 3, Impact: 2}},
		Vulnerabilities: []Vulnerability{{ID: "V-PIANO", Name: "Piano non aggiornato"}},
		Sections: []Section{{ID: "ORG", Items: []Item{
			item("ORG-01", OriginDecree, "V-PIANO", 50),
			item("ORG-08", OriginDecreeSummary, "V-PIANO", 40),
			item("ORG-09", OriginCircular, "", 30),
			item("ORG-20", OriginInferred, "", 10),
		}}},
	}
	pc := Scope{ScopePostazione, "001234"}
	s := &Snapshot{Catalogue: c, Audit: Audit{Sedi: []Sede{{Name: "Municipio"}}, Postazioni: []Postazione{{Code: "001234", Sede: "Municipio"}}}}
	for item, v := range map[string]string{"ORG-01": "si", "ORG-08": "no", "ORG-09": "si", "ORG-20": "no"} {
		setAnswer(s, EnteScope, item, v)
	}
	a := Assess(s)
	if r := a.Risk(pc, "T17"); !near(r.Residual, 2.1) || r.Band.ID != "basso" || FormatRisk(r.Residual) != "2,1" {
		t.Errorf("T17 residual %v %s, want 2.1 basso", r.Residual, r.Band.ID)
	}
	if len(a.Actions) != 2 || a.Actions[0].Item.ID != "ORG-08" || !a.Actions[0].NonConformity || a.Actions[1].NonConformity {
		t.Errorf("actions %+v", a.Actions)
	}
	setAnswer(s, EnteScope, "ORG-08", "si")
	if r := Assess(s).Risk(pc, "T17"); !near(r.Residual, 2.1) {
		t.Errorf("ORG-08 sì: residual %v, want still 2.1 (the group counts ORG-01's 50%%, not 1 − 0.5 × 0.6)", r.Residual)
	}
}

// TestAssessBuiltinInvariants assesses random audits on the built-in
// catalogue and checks what must hold for any answers: the residual lies
// between the capped floor and the inherent risk, its band is the scale's,
// and a risk is provisional exactly when it lists missing measures.
func TestAssessBuiltinInvariants(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	floor := 1 - float64(c.Risk.MaxMitigation)/100
	for range 20 {
		s := randomSnapshot(rng, c, randomAudit(2, 5))
		a := Assess(s)
		want := 0
		for _, sc := range s.Audit.Scopes() {
			for _, th := range c.Threats {
				if sc.Kind == ScopePostazione || countersAt(c, th.ID, sc.Kind) {
					want++
				}
			}
		}
		if len(a.Risks) != want {
			t.Fatalf("%d risks, want %d", len(a.Risks), want)
		}
		for _, r := range a.Risks {
			if r.Residual > r.Inherent+1e-9 || r.Residual < r.Inherent*floor-1e-9 {
				t.Errorf("%s/%s: residual %v outside [%v, %v]", r.Scope, r.Threat.ID, r.Residual, r.Inherent*floor, r.Inherent)
			}
			if r.Band != c.Risk.Band(r.Residual) || r.Provisional != (len(r.Missing) > 0) {
				t.Errorf("%s/%s: band %s provisional %v missing %d", r.Scope, r.Threat.ID, r.Band.ID, r.Provisional, len(r.Missing))
			}
		}
		for _, act := range a.Actions {
			for _, red := range act.Reductions {
				if red.After > red.Before+1e-9 {
					t.Errorf("action %s raises %s/%s", act.Item.ID, red.Scope, red.Threat.ID)
				}
			}
		}
	}
}

// TestAssessConcurrently lets several sessions (the SSH server) assess one
// snapshot at once; run with -race.
func TestAssessConcurrently(t *testing.T) {
	s := randomSnapshot(rand.New(rand.NewPCG(11, 12)), randomCatalogue(rand.New(rand.NewPCG(13, 14)), 50, 5), randomAudit(2, 3))
	want := Assess(s)
	var wg sync.WaitGroup
	results := make([]*Assessment, 4)
	for i := range results {
		wg.Go(func() { results[i] = Assess(s) })
	}
	wg.Wait()
	for _, got := range results {
		if len(got.Risks) != len(want.Risks) || got.Risks[len(got.Risks)-1].Residual != want.Risks[len(want.Risks)-1].Residual {
			t.Fatal("concurrent assessments differ")
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{FormatRisk(6 * 0.3825), "2,3"}, // 2.2949999… in binary
		{FormatRisk(3.825), "3,8"},
		{FormatRisk(3.06), "3,1"},
		{FormatRisk(3.04), "3,04"}, // not "3": that would read as the band ending at 3
		{FormatRisk(6.001), "6,001"},
		{FormatRisk(2.96), "3"},
		{FormatRisk(7.25), "7,3"},
		{FormatRisk(9), "9"},
		{FormatRisk(0.4), "0,4"},
		{FormatRisk(0), "0"},
		{FormatPercent(0.125), "12,5%"},
		{FormatPercent(0.49), "49%"},
		{FormatPercent(2.0 / 3), "66,7%"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// countersAt reports whether an item answered at kind counters threat.
func countersAt(c *Catalogue, threat string, kind ScopeKind) bool {
	for _, it := range c.ItemsFor(kind) {
		for _, l := range it.Threats {
			if l.Threat == threat {
				return true
			}
		}
	}
	return false
}
