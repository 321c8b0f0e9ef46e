package checklist

import "testing"

// A threat belongs to the macroprocessi of the measures that counter it;
// each macroprocess names its highest comune-level risk.
func TestRiskByMacroprocess(t *testing.T) {
	s := testSnapshot(t)
	macro := map[string][]Macroprocess{}
	for _, it := range s.Catalogue.Items() {
		for _, l := range it.Threats {
			switch l.Threat {
			case "T1":
				macro[it.ID] = []Macroprocess{MacroIssue}
			case "T3":
				macro[it.ID] = []Macroprocess{MacroIssue, MacroUse}
			}
		}
	}
	for _, it := range s.Catalogue.Items() {
		it.Macroprocess = macro[it.ID]
	}
	a := Assess(s)
	got := a.RiskByMacroprocess(s.Catalogue)
	if len(got) != len(Macroprocesses) {
		t.Fatalf("%d macroprocessi, want %d", len(got), len(Macroprocesses))
	}
	worst := func(m MacroRisk) string {
		if m.Worst == nil {
			return ""
		}
		return m.Worst.Threat.ID
	}
	tests := []struct {
		macro   Macroprocess
		threats int
		worst   string
	}{
		{MacroRegistry, 0, ""},
		{MacroIssue, 3, "T1"}, // T1, T2 through P1 (it counters both), T3; T1 has the highest risk
		{MacroUse, 1, "T3"},
	}
	for i, tt := range tests {
		m := got[i]
		if m.Macro != tt.macro || m.Threats != tt.threats || worst(m) != tt.worst || m.Provisional > m.Threats {
			t.Errorf("%s: %d threats, worst %q, %d provisional; want %s %d %q", m.Macro, m.Threats, worst(m), m.Provisional, tt.macro, tt.threats, tt.worst)
		}
	}
	a.RiskModel = false
	if a.RiskByMacroprocess(s.Catalogue) != nil {
		t.Error("a plain checklist has no risk by macroprocess")
	}
}
