package checklist

import "slices"

// Action is the remediation of one measure answered no or parziale at one or
// more scopes. There is one action per measure, because its editable plan
// (owner, due date, status) is kept per measure: one person puts the measure
// in place wherever it is missing.
type Action struct {
	Item *Item
	// Outcome is the worst finding: no if the measure is missing at some
	// scope, parziale otherwise.
	Outcome Outcome
	// Findings are the scopes where the measure is answered no or parziale,
	// in Audit.Scopes order.
	Findings []Finding
	// Scopes are every scope the findings affect: each finding's scope and
	// the scopes inheriting its answer, in Audit.Scopes order.
	Scopes []Scope
	// Reductions say, for every affected complete scope (not a partial
	// ente or sede row, see ThreatRisk.Partial) and every threat the
	// measure counters, the residual risk now and once the measure is fully
	// in place (sì) at that scope, in Scopes order then catalogue order.
	Reductions []Reduction
	// NonConformity is true when the measure rests only on normative
	// sources (Item.IsDuty): a no or parziale is a breach of a rule, not a
	// missing good practice. Non-conformities come first, whatever their
	// residual risk.
	NonConformity bool
	// PriorityValue is the highest current residual risk among Reductions,
	// and Priority its band; both are zero for a measure linked to no
	// threat. Actions are ordered by PriorityValue.
	Priority      Band
	PriorityValue float64
	// Plan is the editable part, from Snapshot.Actions; its Status defaults
	// to ActionToStart.
	Plan ActionPlan
}

// Finding is one scope where a measure is not (fully) in place.
type Finding struct {
	At      Scope
	Outcome Outcome // OutcomeNo or OutcomePartial
}

// Reduction is the effect of an action on one threat at one scope.
type Reduction struct {
	Scope  Scope
	Threat *Threat
	// Before is the residual risk now; After is the residual risk with the
	// measure answered sì and every other answer unchanged.
	Before, After float64
}

// Gain is the total residual risk the action removes over all its
// reductions.
func (a *Action) Gain() float64 {
	g := 0.0
	for _, r := range a.Reductions {
		g += r.Before - r.After
	}
	return g
}

// actions derives the remediation actions from the answers and the risks
// already computed in a.
func (e *engine) actions(a *Assessment) []Action {
	s := e.s
	scopes := e.scopes
	var out []Action
	for _, it := range e.m.items {
		act := Action{Item: it}
		for _, at := range scopes {
			if at.Kind != it.Scope {
				continue
			}
			ans, ok := e.answer(at, it.ID)
			if !ok {
				continue
			}
			o := ans.Outcome(it)
			if o != OutcomeNo && o != OutcomePartial {
				continue
			}
			act.Findings = append(act.Findings, Finding{At: at, Outcome: o})
			if act.Outcome != OutcomeNo {
				act.Outcome = o
			}
		}
		if len(act.Findings) == 0 {
			continue
		}
		for _, sc := range scopes {
			if at, ok := e.answeringScope(sc, it); ok && act.hasFinding(at) {
				act.Scopes = append(act.Scopes, sc)
			}
		}
		if len(it.Threats) > 0 {
			act.Reductions = make([]Reduction, 0, len(act.Scopes)*len(it.Threats))
		}
		for _, sc := range act.Scopes {
			for _, l := range it.Threats {
				r := a.Risk(sc, l.Threat)
				if r == nil || r.Partial {
					continue // a partial row is not the risk of any place; dangling links are refused by Parse
				}
				after := *r
				e.combine(&after, it.ID)
				act.Reductions = append(act.Reductions, Reduction{Scope: sc, Threat: r.Threat, Before: r.Residual, After: after.Residual})
				if len(act.Reductions) == 1 || r.Residual > act.PriorityValue {
					act.PriorityValue = r.Residual
				}
			}
		}
		if len(act.Reductions) == 0 {
			act.Reductions = nil // as when nothing was appended
		} else {
			act.Priority = e.scale.Band(act.PriorityValue)
		}
		act.NonConformity = it.IsDuty()
		act.Plan = s.Actions[it.ID]
		act.Plan.Item = it.ID
		if act.Plan.Status == "" {
			act.Plan.Status = ActionToStart
		}
		out = append(out, act)
	}
	// Non-conformities first, a missing duty (no) before a partial one;
	// then the most urgent; among equals the action removing more risk,
	// then catalogue order (the sort is stable).
	slices.SortStableFunc(out, func(x, y Action) int {
		if x.NonConformity != y.NonConformity {
			if x.NonConformity {
				return -1
			}
			return 1
		}
		if x.NonConformity && x.Outcome != y.Outcome {
			if x.Outcome == OutcomeNo {
				return -1
			}
			return 1
		}
		if c := cmpFloat(y.PriorityValue, x.PriorityValue); c != 0 {
			return c
		}
		return cmpFloat(y.Gain(), x.Gain())
	})
	return out
}

func (a *Action) hasFinding(at Scope) bool {
	return slices.ContainsFunc(a.Findings, func(f Finding) bool { return f.At == at })
}
