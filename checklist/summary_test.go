package checklist

import "testing"

func TestSummary(t *testing.T) {
	s := testSnapshot(t,
		"ente E1 si", "ente E2 parziale", "ente X1 na", "ente N1 3",
		"sede:A S1 no",
		"postazione:PA P1 si", "postazione:PA P2 parziale", "postazione:PA C1 nessuno",
		"postazione:PB P1 si",
	)
	sum := Assess(s).Summary
	type counts struct{ yes, no, partial, na, unanswered, informative int }
	c := func(ac AnswerCounts) counts {
		return counts{ac.Yes, ac.No, ac.Partial, ac.NotApplicable, ac.Unanswered, ac.Informative}
	}
	tests := []struct {
		name   string
		got    Compliance
		want   counts
		pct    float64
		measOK bool
	}{
		// ente: E1 si, E2 parziale, X1 na, N1 informative.
		{"organizzativa", sum.ByCategory[2], counts{1, 0, 1, 1, 0, 1}, 75, true},
		// S1 at A no, at B unanswered.
		{"fisica", sum.ByCategory[0], counts{0, 1, 0, 0, 1, 0}, 0, true},
		// PA: P1 si, P2 parziale, P3 -, C1 no; PB: P1 si, rest unanswered.
		{"tecnica", sum.ByCategory[1], counts{2, 1, 1, 0, 4, 0}, 62.5, true},
		// minimo: E1 si, X1 na, S1 no + unanswered, P1 si ×2.
		{"minimo", sum.ByLevel[0], counts{3, 1, 0, 1, 1, 0}, 75, true},
		// standard: E2 parziale, P2 parziale + unanswered, C1 no + unanswered.
		{"standard", sum.ByLevel[1], counts{0, 1, 2, 0, 2, 0}, 100.0 / 3, true},
		// alto: N1 informative, P3 unanswered ×2.
		{"alto", sum.ByLevel[2], counts{0, 0, 0, 0, 2, 1}, 0, false},
		{"totale", sum.Total, counts{3, 2, 2, 1, 5, 1}, (3 + 1) * 100.0 / 7, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.Key != tt.name && tt.name != "totale" {
				t.Errorf("key %q", tt.got.Key)
			}
			if c(tt.got.Counts) != tt.want {
				t.Errorf("counts %+v, want %+v", c(tt.got.Counts), tt.want)
			}
			pct, ok := tt.got.Counts.Percent()
			if ok != tt.measOK || !near(pct, tt.pct) {
				t.Errorf("compliance %v %v, want %v %v", pct, ok, tt.pct, tt.measOK)
			}
			// Coverage counts every measure but the unverified ones.
			total := tt.want.yes + tt.want.no + tt.want.partial + tt.want.na + tt.want.unanswered + tt.want.informative
			cov, ok := tt.got.Counts.Coverage()
			if !ok || !near(cov, float64(total-tt.want.unanswered)*100/float64(total)) {
				t.Errorf("coverage %v %v over %d measures, %d unverified", cov, ok, total, tt.want.unanswered)
			}
		})
	}
	if _, ok := (AnswerCounts{}).Coverage(); ok {
		t.Error("coverage of nothing is defined")
	}
	// Every threat is counted once per band table, at its comune level.
	inh, res := 0, 0
	for _, b := range sum.ByBand {
		inh += b.Inherent
		res += b.Residual
	}
	if inh != 3 || res != 3 || len(sum.ByBand) != 4 {
		t.Errorf("band counts sum to %d inherent, %d residual over %d bands; want 3, 3, 4", inh, res, len(sum.ByBand))
	}
	// Inherent: T1 9 critico, T2 4 medio, T3 3 medio.
	if sum.ByBand[3].Inherent != 1 || sum.ByBand[1].Inherent != 2 {
		t.Errorf("inherent bands %+v", sum.ByBand)
	}
}
