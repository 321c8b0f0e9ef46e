package checklist

// MacroRisk is the risk analysis of one macroprocess (domain reference
// §4.2 point 6 by Allegato A's three macroprocessi): the threats countered
// by its measures and the highest of their risks for the comune.
type MacroRisk struct {
	Macro Macroprocess
	// Threats counts the threats at least one measure of the macroprocess
	// counters; Provisional those whose comune-level risk is provisional.
	Threats, Provisional int
	// Worst is the threat with the highest comune-level residual risk, nil
	// when no threat is linked to the macroprocess.
	Worst *ComuneRisk
}

// RiskByMacroprocess rolls the comune-level risks up to the macroprocessi,
// one entry per Macroprocesses element in that order. A threat belongs to
// every macroprocess of the measures that counter it. It is nil for a
// plain checklist (no risk model).
func (a *Assessment) RiskByMacroprocess(cat *Catalogue) []MacroRisk {
	if !a.RiskModel || cat == nil {
		return nil
	}
	of := map[string]map[Macroprocess]bool{}
	for _, it := range cat.Items() {
		for _, l := range it.Threats {
			for _, m := range it.Macroprocess {
				if of[l.Threat] == nil {
					of[l.Threat] = map[Macroprocess]bool{}
				}
				of[l.Threat][m] = true
			}
		}
	}
	out := make([]MacroRisk, len(Macroprocesses))
	for i, m := range Macroprocesses {
		out[i].Macro = m
		for j := range a.Comune {
			c := &a.Comune[j]
			if c.Threat == nil || !of[c.Threat.ID][m] {
				continue
			}
			out[i].Threats++
			if c.Worst.Provisional {
				out[i].Provisional++
			}
			if w := out[i].Worst; w == nil || c.Worst.Residual > w.Worst.Residual {
				out[i].Worst = c
			}
		}
	}
	return out
}
