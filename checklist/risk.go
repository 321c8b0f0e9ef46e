package checklist

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// TopRisks is how many risks Assessment.Top holds.
const TopRisks = 10

// Assessment is the risk picture of one audit, computed by Assess from a
// Snapshot. It is a value: recompute it after the answers change.
//
// The model is documented for auditors in docs/rischio.md.
type Assessment struct {
	// AuditID and CatalogueKey identify what was assessed.
	AuditID      string
	CatalogueKey string
	// Scale is the catalogue's risk scale the figures were computed with.
	Scale RiskScale
	// Risks holds one entry per scope × threat: scopes in Audit.Scopes
	// order, threats in catalogue order.
	Risks []ThreatRisk
	// Comune rolls each threat up to the comune: its risk at the scopes
	// that see every measure (see ThreatRisk.Partial), worst first within
	// the threat. One entry per threat, catalogue order.
	Comune []ComuneRisk
	// Top holds the TopRisks threats with the highest comune-level risk,
	// each at its worst complete scope (never a partial ente or sede row),
	// highest first; ties go to the higher inherent risk, then scope order,
	// then threat ID.
	Top []ThreatRisk
	// Actions holds one remediation action per measure answered no or
	// parziale somewhere, most urgent first.
	Actions []Action
	// Summary counts the answers and the compliance per category and level.
	Summary Summary
	// RiskModel is false for a plain compliance checklist (a catalogue
	// without threats): Risks, Comune and Top are then empty and reports
	// leave the risk parts out.
	RiskModel bool
	// Provisional is true when any risk is provisional.
	Provisional bool
	// Unverified and Expected count the verifications still to do and all
	// of them (one per item per scope it is answered at): how provisional
	// the picture is.
	Unverified, Expected int

	index map[riskKey]int
}

type riskKey struct {
	scope  Scope
	threat string
}

// ThreatRisk is the risk of one threat at one scope.
type ThreatRisk struct {
	Scope  Scope
	Threat *Threat
	// Probability and Impact are the threat's defaults or, when Overridden,
	// the per-audit override.
	Probability, Impact int
	Overridden          bool
	OverrideReason      string
	// Inherent is Probability × Impact: the risk with no measure in place.
	Inherent     float64
	InherentBand Band
	// Mitigation is the combined share of the risk removed by the measures
	// in place, 0..1, after the catalogue's cap.
	Mitigation float64
	// Uncapped is the combined mitigation before the cap; Capped reports
	// whether the cap lowered it.
	Uncapped float64
	Capped   bool
	// Residual is Inherent × (1 − Mitigation), classified by Band.
	Residual float64
	Band     Band
	// Provisional is true when some linked measure is not answered yet:
	// the residual then counts it as not implemented (the conservative
	// reading), so it can only fall as the audit is completed.
	Provisional bool
	// Missing lists the linked measures not answered yet, in catalogue order.
	Missing []*Item
	// Measures explains the mitigation: every measure linked to the threat
	// that applies to the scope, in catalogue order, counted or not.
	Measures []MeasureEffect
	// Partial is true for the ente, or a sede, when the audit has scopes
	// below it: the figure counts only the measures answered at that level
	// and its parents, not those of the postazioni where the CIE is issued,
	// so it is never the comune's risk and never a top risk.
	Partial bool
}

// ComuneRisk is one threat's risk for the whole comune, rolled up from the
// complete scopes (the postazioni, and any sede or ente without scopes
// below it).
type ComuneRisk struct {
	Threat *Threat
	// Worst is the risk at the complete scope with the highest residual.
	Worst ThreatRisk
	// Min is the lowest residual among the complete scopes.
	Min float64
	// Scopes counts the complete scopes, Provisional those of them whose
	// risk is provisional.
	Scopes, Provisional int
}

// MeasureEffect is the contribution of one measure to one ThreatRisk.
type MeasureEffect struct {
	Item *Item
	// At is the scope the measure is answered at: the risk's own scope, or
	// the sede or ente it inherits the answer from.
	At Scope
	// Outcome is what the answer means as a measure (OutcomeNone when the
	// item is not answered).
	Outcome Outcome
	// Link is the mitigation the catalogue gives the measure for the
	// threat when fully in place, in percent.
	Link int
	// Effective is the share of the risk this measure removes on its own,
	// 0..1: Link/100 for sì, Link/100 × PartialFactor for parziale, 0
	// otherwise.
	Effective float64
	// Counted reports whether the measure enters the combined mitigation
	// (sì and parziale).
	Counted bool
	// Reason is the Italian explanation of the figure, e.g.
	// "parziale: 50% di 40% = 20%".
	Reason string
}

// Assess computes the risk picture of an audit: the inherent and residual
// risk of every threat at every scope, the remediation actions and the
// compliance summary. It does not modify s, so several goroutines may
// assess the same snapshot at once.
//
// To assess many audits one after another (a batch export), use an
// Assessor: it computes what depends only on the catalogue once.
func Assess(s *Snapshot) *Assessment { return new(Assessor).Assess(s) }

// Assessor assesses audits one after another, reusing across them what
// depends only on the catalogue (the measures linked to each threat with
// their explanations, the vulnerability groups, the items per scope kind)
// and its scratch indexes. Its results are exactly Assess's. Catalogues
// must not change while an Assessor is in use (stored catalogues are parsed
// once and shared read-only). The zero value is ready; an Assessor is not
// safe for concurrent use.
type Assessor struct {
	models map[*Catalogue]*riskModel
	e      engine
}

// NewAssessor returns an empty Assessor.
func NewAssessor() *Assessor { return new(Assessor) }

// Assess is the package's Assess, with the catalogue's structures reused.
func (as *Assessor) Assess(s *Snapshot) *Assessment {
	a := &Assessment{}
	if s == nil || s.Catalogue == nil {
		a.index = map[riskKey]int{}
		return a
	}
	a.AuditID, a.CatalogueKey = s.Audit.ID, s.Catalogue.Key()
	a.Scale = s.Catalogue.Risk
	a.RiskModel = s.Catalogue.HasRiskModel()
	e := as.engine(s)
	threats := s.Catalogue.Threats
	a.index = make(map[riskKey]int, len(e.scopes)*len(threats))
	a.Risks = make([]ThreatRisk, 0, len(e.scopes)*len(threats))
	// One backing array for every risk's measures, each risk's share capped
	// so that nothing appended to one spills into the next.
	slab := make([]MeasureEffect, 0, len(e.scopes)*e.m.links)
	for _, scope := range e.scopes {
		for ti := range threats {
			if !e.m.assessedAt(scope.Kind, ti) {
				continue
			}
			r := e.threatRisk(scope, &threats[ti], ti, slab[len(slab):len(slab):len(slab)+len(e.m.linked[ti])])
			slab = slab[:len(slab)+len(r.Measures)]
			r.Partial = e.hasChildren[scope]
			a.index[riskKey{scope, r.Threat.ID}] = len(a.Risks)
			a.Risks = append(a.Risks, r)
			a.Provisional = a.Provisional || r.Provisional
		}
	}
	a.Comune = e.m.rollUp(a.Risks)
	a.Top = topRisks(a.Comune, TopRisks, e.scopes)
	a.Actions = e.actions(a)
	a.Summary = e.summarise(a)
	a.Unverified, a.Expected = a.Summary.Total.Counts.Unanswered, a.Summary.Total.Counts.Total()
	return a
}

// rollUp builds Assessment.Comune from the complete (non-partial) risks.
func (m *riskModel) rollUp(risks []ThreatRisk) []ComuneRisk {
	pos := make([]int, len(m.threatIndex))
	for i := range pos {
		pos[i] = -1
	}
	var out []ComuneRisk
	for _, r := range risks {
		if r.Partial {
			continue
		}
		ti, ok := m.threatIndex[r.Threat.ID]
		if !ok {
			continue
		}
		i := pos[ti]
		if i < 0 {
			pos[ti] = len(out)
			out = append(out, ComuneRisk{Threat: r.Threat, Worst: r, Min: r.Residual})
			i = len(out) - 1
		} else {
			cr := &out[i]
			if cmpFloat(r.Residual, cr.Worst.Residual) > 0 {
				cr.Worst = r
			}
			cr.Min = min(cr.Min, r.Residual)
		}
		out[i].Scopes++
		if r.Provisional {
			out[i].Provisional++
		}
	}
	// Catalogue order, whatever order the scopes met the threats in.
	slices.SortStableFunc(out, func(x, y ComuneRisk) int {
		return cmp.Compare(m.threatOrder[x.Threat.ID], m.threatOrder[y.Threat.ID])
	})
	return out
}

// Spread describes the range of the residual over the complete scopes, as
// reports print it: "2,3–4,6 su 3 postazioni", "uguale su 3 postazioni",
// or "" when there is only one scope.
func (c *ComuneRisk) Spread() string {
	if c.Scopes < 2 {
		return ""
	}
	where := "ambiti"
	if c.Worst.Scope.Kind == ScopePostazione {
		where = "postazioni"
	}
	if FormatRisk(c.Min) == FormatRisk(c.Worst.Residual) {
		return fmt.Sprintf("uguale su %d %s", c.Scopes, where)
	}
	return fmt.Sprintf("%s–%s su %d %s", FormatRisk(c.Min), FormatRisk(c.Worst.Residual), c.Scopes, where)
}

// ComuneRisk returns the comune-level risk of the threat, or nil.
func (a *Assessment) ComuneRisk(threatID string) *ComuneRisk {
	for i := range a.Comune {
		if a.Comune[i].Threat.ID == threatID {
			return &a.Comune[i]
		}
	}
	return nil
}

// UnverifiedShare is Unverified / Expected, 0..1 (0 for an empty audit).
func (a *Assessment) UnverifiedShare() float64 {
	if a.Expected == 0 {
		return 0
	}
	return float64(a.Unverified) / float64(a.Expected)
}

// ProvisionalNote says in Italian how provisional the picture is, e.g.
// "Quadro provvisorio: 40 verifiche su 160 (25%) ancora da fare; le misure
// non verificate contano come non attuate." It is empty when every
// verification is done.
func (a *Assessment) ProvisionalNote() string {
	if a.Unverified == 0 {
		return ""
	}
	s := fmt.Sprintf("Quadro provvisorio: %s su %d (%s) ancora da fare", Count(a.Unverified, "verifica", "verifiche"), a.Expected, percentWhole(a.UnverifiedShare()))
	if len(a.Risks) > 0 {
		s += "; le misure non verificate contano come non attuate, quindi i rischi possono solo scendere"
	}
	return s + "."
}

// Risk returns the risk of the threat at the scope, or nil.
func (a *Assessment) Risk(scope Scope, threatID string) *ThreatRisk {
	i, ok := a.index[riskKey{scope, threatID}]
	if !ok {
		return nil
	}
	return &a.Risks[i]
}

// RisksAt returns the risks at one scope, threats in catalogue order. The
// slice aliases Risks.
func (a *Assessment) RisksAt(scope Scope) []ThreatRisk {
	start := -1
	for i := range a.Risks {
		if a.Risks[i].Scope == scope {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			return a.Risks[start:i]
		}
	}
	if start < 0 {
		return nil
	}
	return a.Risks[start:]
}

// riskModel is what the engine needs from a catalogue, computed once per
// catalogue by an Assessor.
type riskModel struct {
	c       *Catalogue
	scale   RiskScale
	partial float64
	cap     float64
	// items and itemsFor are Catalogue.Items and ItemsFor.
	items    []*Item
	itemsFor map[ScopeKind][]*Item
	// linked holds, per threat (index in c.Threats), the items that counter
	// it, in catalogue order, with the link's mitigation; links is the
	// total over all threats.
	linked [][]link
	links  int
	// kinds holds, per threat, the scope kinds of its linked measures.
	kinds []map[ScopeKind]bool
	// grouped is true for a threat with some linked measure on a named
	// vulnerability: only then can measures be correlated.
	grouped []bool
	// threatIndex maps a threat ID to its first index, threatOrder to its
	// last (as the maps built by ID over c.Threats did).
	threatIndex, threatOrder map[string]int
}

type link struct {
	item       *Item
	mitigation int
	// full is mitigation as a share; reasons explain a sì, parziale, no
	// and non applicabile answer (reason's text).
	full                            float64
	yes, partial, no, notApplicable string
}

func newRiskModel(c *Catalogue) *riskModel {
	m := &riskModel{
		c:           c,
		scale:       c.Risk,
		partial:     c.Risk.PartialFactor,
		cap:         float64(c.Risk.MaxMitigation) / 100,
		items:       c.Items(),
		itemsFor:    map[ScopeKind][]*Item{},
		linked:      make([][]link, len(c.Threats)),
		kinds:       make([]map[ScopeKind]bool, len(c.Threats)),
		grouped:     make([]bool, len(c.Threats)),
		threatIndex: make(map[string]int, len(c.Threats)),
		threatOrder: make(map[string]int, len(c.Threats)),
	}
	for ti := range c.Threats {
		id := c.Threats[ti].ID
		if _, ok := m.threatIndex[id]; !ok {
			m.threatIndex[id] = ti
		}
		m.threatOrder[id] = ti
	}
	byID := map[string][]link{}
	reasons := map[reasonKey]link{}
	for _, it := range m.items {
		m.itemsFor[it.Scope] = append(m.itemsFor[it.Scope], it)
		for _, l := range it.Threats {
			byID[l.Threat] = append(byID[l.Threat], m.newLink(it, l.Mitigation, reasons))
		}
	}
	for ti := range c.Threats {
		m.linked[ti] = byID[c.Threats[ti].ID]
		m.links += len(m.linked[ti])
		m.kinds[ti] = map[ScopeKind]bool{}
		for _, l := range m.linked[ti] {
			m.kinds[ti][l.item.Scope] = true
			m.grouped[ti] = m.grouped[ti] || l.item.Vulnerability != ""
		}
	}
	return m
}

// newLink explains the link once per mitigation value and question
// polarity (the texts depend on nothing else), memoised in reasons.
func (m *riskModel) newLink(it *Item, mitigation int, reasons map[reasonKey]link) link {
	k := reasonKey{mitigation, it.Negative()}
	l, ok := reasons[k]
	if !ok {
		l = link{mitigation: mitigation, full: float64(mitigation) / 100}
		l.yes = "sì: " + percent(l.full)
		l.partial = fmt.Sprintf("parziale: %s di %s = %s", percent(m.partial), percent(l.full), percent(l.full*m.partial))
		l.no = "no: non conta"
		l.notApplicable = "non applicabile: escluso"
		if k.negative {
			l.yes = "no (risposta conforme): " + percent(l.full)
			l.no = "sì (risposta non conforme): non conta"
		}
		reasons[k] = l
	}
	l.item = it
	return l
}

type reasonKey struct {
	mitigation int
	negative   bool
}

// engine holds what Assess computes once per snapshot, over the
// catalogue's riskModel. An Assessor reuses its maps from one audit to the
// next.
type engine struct {
	s *Snapshot
	m *riskModel
	// scale, partial and cap are the catalogue's (m's).
	scale   RiskScale
	partial float64
	cap     float64
	scopes  []Scope
	// parents caches Audit.Parents for every scope.
	parents map[Scope][]Scope
	// answers indexes s.Answers (the last answer to a key wins, as in
	// Snapshot.Answer) without touching the snapshot's own lazy index.
	answers map[answerKey]*Answer
	// hasChildren marks the scopes other scopes of the audit inherit from.
	hasChildren map[Scope]bool
	// strongest is combine's scratch list of vulnerability groups.
	strongest []groupEffect
}

// engine prepares the Assessor's engine for s.
func (as *Assessor) engine(s *Snapshot) *engine {
	m := as.models[s.Catalogue]
	if m == nil {
		if as.models == nil {
			as.models = map[*Catalogue]*riskModel{}
		}
		m = newRiskModel(s.Catalogue)
		as.models[s.Catalogue] = m
	}
	e := &as.e
	if e.answers == nil {
		e.answers = make(map[answerKey]*Answer, len(s.Answers))
		e.parents = map[Scope][]Scope{}
		e.hasChildren = map[Scope]bool{}
	} else {
		clear(e.answers)
		clear(e.parents)
		clear(e.hasChildren)
	}
	e.s, e.m = s, m
	e.scale, e.partial, e.cap = m.scale, m.partial, m.cap
	for i := range s.Answers {
		a := &s.Answers[i]
		e.answers[answerKey{a.Scope, a.Item}] = a
	}
	e.scopes = s.Audit.Scopes()
	for _, sc := range e.scopes {
		e.parents[sc] = s.Audit.Parents(sc)
		for _, p := range e.parents[sc] {
			e.hasChildren[p] = true
		}
	}
	return e
}

// assessedAt reports whether threat ti is assessed at scopes of this kind. A
// postazione, the unit the plan protects, inherits every measure and
// assesses every threat. The ente and a sede assess only the threats that
// at least one of their own measures counters: otherwise a physical threat
// would show at the ente at its full inherent risk although nothing there
// could counter it, crowding the top risks with figures that mean nothing.
func (m *riskModel) assessedAt(kind ScopeKind, ti int) bool {
	return kind == ScopePostazione || m.kinds[ti][kind]
}

// threatRisk computes the risk of threat t (index ti) at scope from the
// answers, appending its measures to buf.
func (e *engine) threatRisk(scope Scope, t *Threat, ti int, buf []MeasureEffect) ThreatRisk {
	r := ThreatRisk{Scope: scope, Threat: t, Probability: t.Probability, Impact: t.Impact}
	if o, ok := e.s.Overrides[t.ID]; ok {
		r.Probability, r.Impact = o.Probability, o.Impact
		r.Overridden, r.OverrideReason = true, o.Reason
	}
	r.Inherent = float64(r.Probability * r.Impact)
	r.InherentBand = e.scale.Band(r.Inherent)
	r.Measures = buf
	for i := range e.m.linked[ti] {
		l := &e.m.linked[ti][i]
		at, applies := e.answeringScope(scope, l.item)
		if !applies {
			continue // e.g. a postazione measure seen from the ente
		}
		ans, answered := e.answers[answerKey{at, l.item.ID}]
		m, missing := e.effect(l, at, ans, answered)
		if missing {
			r.Provisional = true
			r.Missing = append(r.Missing, l.item)
		}
		r.Measures = append(r.Measures, m)
	}
	if e.m.grouped[ti] {
		markWeaker(r.Measures)
	}
	e.combine(&r, "")
	return r
}

// markWeaker explains, for measures on the same vulnerability, that only
// the strongest counts: the others are marked not counted (the first in
// catalogue order wins a tie).
func markWeaker(ms []MeasureEffect) {
	for i := range ms {
		v := ms[i].Item.Vulnerability
		if v == "" || !ms[i].Counted {
			continue
		}
		best := i
		for j := range ms {
			if ms[j].Item.Vulnerability == v && ms[j].Counted && (ms[j].Effective > ms[best].Effective+1e-12 || (j < best && ms[j].Effective >= ms[best].Effective-1e-12)) {
				best = j
			}
		}
		if best != i {
			ms[i].Counted = false
			ms[i].Reason += fmt.Sprintf("; non si somma: sulla stessa vulnerabilità conta %s (%s)", ms[best].Item.ID, percent(ms[best].Effective))
		}
	}
}

// answer is Snapshot.Answer over the engine's own index.
func (e *engine) answer(scope Scope, item string) (Answer, bool) {
	if a, ok := e.answers[answerKey{scope, item}]; ok {
		return *a, true
	}
	return Answer{}, false
}

// answeringScope is Snapshot.AnsweringScope with the parents cached.
func (e *engine) answeringScope(scope Scope, it *Item) (Scope, bool) {
	if it.Scope == scope.Kind {
		return scope, true
	}
	for _, p := range e.parents[scope] {
		if p.Kind == it.Scope {
			return p, true
		}
	}
	return Scope{}, false
}

// effect is the contribution of the measure l, answered ans at scope at
// (ans is nil when the measure is not answered there). missing reports
// that the measure still has to be verified.
func (e *engine) effect(l *link, at Scope, ans *Answer, answered bool) (m MeasureEffect, missing bool) {
	m = MeasureEffect{Item: l.item, At: at, Link: l.mitigation}
	if !answered || ans.Value == "" {
		m.Reason = "non verificato: non conta (risultato provvisorio)"
		return m, true
	}
	m.Outcome = ans.Outcome(l.item)
	if l.item.Answer.Kind == KindChoice && l.item.Answer.Choice(ans.Value) == nil {
		m.Outcome = "?" // a choice the catalogue does not offer
	}
	switch m.Outcome {
	case OutcomeYes:
		m.Effective, m.Counted, m.Reason = l.full, true, l.yes
	case OutcomePartial:
		m.Effective, m.Counted, m.Reason = l.full*e.partial, true, l.partial
	case OutcomeNo:
		m.Reason = l.no
	case OutcomeNotApplicable:
		m.Reason = l.notApplicable
	case OutcomeNone:
		// A descriptive choice says nothing about the measure being in place.
		m.Reason = "risposta senza esito (" + DisplayValue(l.item, ans.Value) + "): non conta"
	default:
		// A value the catalogue does not know cannot prove anything: treat
		// the measure as still to be verified.
		m.Outcome = OutcomeNone
		m.Reason = fmt.Sprintf("risposta %q sconosciuta: non conta (risultato provvisorio)", ans.Value)
		return m, true
	}
	return m, false
}

// combine sets the mitigation, residual and band of r from its measures.
// If skip is not empty, that item is counted as fully in place (sì): this is
// how actions compute the residual after remediation.
//
// Measures on the same vulnerability are correlated: they fail together,
// so only the strongest of them counts. Independent measures and groups
// then combine as 1 − ∏(1 − effect).
func (e *engine) combine(r *ThreatRisk, skip string) {
	remaining := 1.0
	// strongest holds, per vulnerability in order of first appearance, the
	// strongest effect among its measures (a slice, so that the product is
	// computed in the same order every time).
	strongest := e.strongest[:0]
	for _, m := range r.Measures {
		eff := m.Effective
		if skip != "" && m.Item.ID == skip {
			eff = float64(m.Link) / 100
		}
		v := m.Item.Vulnerability
		if v == "" {
			remaining *= 1 - eff
			continue
		}
		if i := slices.IndexFunc(strongest, func(g groupEffect) bool { return g.vuln == v }); i >= 0 {
			strongest[i].eff = max(strongest[i].eff, eff)
		} else {
			strongest = append(strongest, groupEffect{v, eff})
		}
	}
	for _, g := range strongest {
		remaining *= 1 - g.eff
	}
	e.strongest = strongest[:0]
	r.Uncapped = 1 - remaining
	r.Mitigation = r.Uncapped
	if r.Mitigation > e.cap {
		r.Mitigation, r.Capped = e.cap, true
	}
	r.Residual = r.Inherent * (1 - r.Mitigation)
	r.Band = e.scale.Band(r.Residual)
}

type groupEffect struct {
	vuln string
	eff  float64
}

// topRisks returns the n threats with the highest comune-level risk, each
// at its worst scope (see Assessment.Top).
func topRisks(comune []ComuneRisk, n int, scopes []Scope) []ThreatRisk {
	rank := make(map[Scope]int, len(scopes))
	for i, sc := range scopes {
		rank[sc] = i
	}
	top := make([]ThreatRisk, len(comune))
	for i := range comune {
		top[i] = comune[i].Worst
	}
	slices.SortFunc(top, func(a, b ThreatRisk) int {
		if c := cmpFloat(b.Residual, a.Residual); c != 0 {
			return c
		}
		if c := cmpFloat(b.Inherent, a.Inherent); c != 0 {
			return c
		}
		if c := cmp.Compare(rank[a.Scope], rank[b.Scope]); c != 0 {
			return c
		}
		return strings.Compare(a.Threat.ID, b.Threat.ID)
	})
	return slices.Clip(top[:min(n, len(top))])
}

// cmpFloat compares risk values, treating values within rounding noise
// (1e-9) as equal so that ties are decided by the documented rules.
func cmpFloat(a, b float64) int {
	if math.Abs(a-b) < 1e-9 {
		return 0
	}
	return cmp.Compare(a, b)
}

// percentWhole renders a share 0..1 as a whole Italian percentage: "25%".
func percentWhole(share float64) string { return formatDecimal(share*100, 0) + "%" }

// percent renders a share 0..1 as an Italian percentage: "40%", "12,5%".
func percent(share float64) string {
	return formatDecimal(share*100, 1) + "%"
}

// formatDecimal renders v with at most prec decimals and a decimal comma,
// dropping trailing zeros: 7,2 not 7,20.
func formatDecimal(v float64, prec int) string {
	// Round half away from zero on the decimal value the reader computes by
	// hand: 6 × 0.3825 is 2.2949999… in binary but 2,295 → 2,3 on paper.
	scale := math.Pow10(prec)
	v = math.Round(v*scale+math.Copysign(1e-6, v)) / scale
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return strings.Replace(s, ".", ",", 1)
}

// FormatRisk renders a risk value as a reviewer reads it: one decimal with
// a decimal comma, "7,2", "6", "0,4". A value just above a whole number
// keeps the decimals that show it is above (3,04 stays "3,04", not "3"),
// because bands end at whole numbers and "3" would read as the lower band.
func FormatRisk(v float64) string {
	for prec := 1; prec < 4; prec++ {
		scale := math.Pow10(prec)
		r := math.Round(v*scale+math.Copysign(1e-6, v)) / scale
		if !(r == math.Trunc(r) && v > r+1e-9) {
			return formatDecimal(v, prec)
		}
	}
	return formatDecimal(v, 4)
}

// FormatPercent renders a share 0..1 as an Italian percentage with up to one
// decimal: "40%", "12,5%".
func FormatPercent(share float64) string { return percent(share) }

// MarshalJSON encodes the assessment in the stable form documented in
// docs/rischio.md: snake_case keys, scopes as strings ("postazione:001234"),
// threats, items and bands by ID, "non_verificato" for an unanswered
// outcome, figures rounded to four decimals (shares 0..1, risks on the
// probability × impact scale).
func (a *Assessment) MarshalJSON() ([]byte, error) {
	return json.Marshal(a.jsonView())
}

type assessmentJSON struct {
	Audit       string       `json:"audit"`
	Catalogue   string       `json:"catalogue"`
	RiskModel   bool         `json:"risk_model"`
	Provisional bool         `json:"provisional"`
	Unverified  int          `json:"unverified"`
	Expected    int          `json:"expected"`
	Scale       scaleJSON    `json:"scale"`
	Summary     summaryJSON  `json:"summary"`
	Risks       []riskJSON   `json:"risks"`
	Comune      []comuneJSON `json:"comune"`
	Top         []riskJSON   `json:"top"`
	Actions     []actionJSON `json:"actions"`
}

type comuneJSON struct {
	Threat      string  `json:"threat"`
	Worst       string  `json:"worst_scope"`
	Residual    float64 `json:"residual"`
	Band        string  `json:"band"`
	Min         float64 `json:"min"`
	Scopes      int     `json:"scopes"`
	Provisional int     `json:"provisional_scopes"`
}

type scaleJSON struct {
	PartialFactor float64    `json:"partial_factor"`
	MaxMitigation int        `json:"max_mitigation"`
	MaxRisk       int        `json:"max_risk"`
	Bands         []bandJSON `json:"bands"`
}

type bandJSON struct {
	ID    string  `json:"id"`
	Label string  `json:"label"`
	Max   float64 `json:"max"`
}

type riskJSON struct {
	Scope              string        `json:"scope"`
	Threat             string        `json:"threat"`
	Probability        int           `json:"probability"`
	Impact             int           `json:"impact"`
	Overridden         bool          `json:"overridden"`
	OverrideReason     string        `json:"override_reason,omitempty"`
	Inherent           float64       `json:"inherent"`
	InherentBand       string        `json:"inherent_band"`
	Mitigation         float64       `json:"mitigation"`
	UncappedMitigation float64       `json:"uncapped_mitigation"`
	Capped             bool          `json:"capped"`
	Residual           float64       `json:"residual"`
	Band               string        `json:"band"`
	Provisional        bool          `json:"provisional"`
	Partial            bool          `json:"partial"`
	Missing            []string      `json:"missing"`
	Measures           []measureJSON `json:"measures"`
}

type measureJSON struct {
	Item      string  `json:"item"`
	At        string  `json:"at"`
	Outcome   string  `json:"outcome"`
	Link      int     `json:"link"`
	Effective float64 `json:"effective"`
	Counted   bool    `json:"counted"`
	Reason    string  `json:"reason"`
}

type actionJSON struct {
	Item          string          `json:"item"`
	NonConformity bool            `json:"non_conformity"`
	Reference     string          `json:"reference"`
	Outcome       string          `json:"outcome"`
	Findings      []findingJSON   `json:"findings"`
	Scopes        []string        `json:"scopes"`
	Reductions    []reductionJSON `json:"reductions"`
	Priority      string          `json:"priority"`
	PriorityValue float64         `json:"priority_value"`
	Gain          float64         `json:"gain"`
	Owner         string          `json:"owner"`
	Due           string          `json:"due"`
	Status        string          `json:"status"`
}

type findingJSON struct {
	At      string `json:"at"`
	Outcome string `json:"outcome"`
}

type reductionJSON struct {
	Scope  string  `json:"scope"`
	Threat string  `json:"threat"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
}

type summaryJSON struct {
	Total      complianceJSON   `json:"total"`
	ByCategory []complianceJSON `json:"by_category"`
	ByLevel    []complianceJSON `json:"by_level"`
	ByBand     []bandCountJSON  `json:"by_band"`
}

type complianceJSON struct {
	Key           string `json:"key"`
	Label         string `json:"label"`
	Yes           int    `json:"si"`
	No            int    `json:"no"`
	Partial       int    `json:"parziale"`
	NotApplicable int    `json:"na"`
	Unanswered    int    `json:"non_verificato"`
	Informative   int    `json:"informative"`
	// Compliance is null while nothing has been assessed.
	Compliance *float64 `json:"compliance"`
}

type bandCountJSON struct {
	Band     string `json:"band"`
	Label    string `json:"label"`
	Inherent int    `json:"inherent"`
	Residual int    `json:"residual"`
}

func (a *Assessment) jsonView() assessmentJSON {
	v := assessmentJSON{
		Audit:       a.AuditID,
		Catalogue:   a.CatalogueKey,
		RiskModel:   a.RiskModel,
		Provisional: a.Provisional,
		Unverified:  a.Unverified,
		Expected:    a.Expected,
		Comune:      make([]comuneJSON, 0, len(a.Comune)),
		Scale: scaleJSON{
			PartialFactor: round4(a.Scale.PartialFactor),
			MaxMitigation: a.Scale.MaxMitigation,
			MaxRisk:       a.Scale.MaxRisk(),
			Bands:         []bandJSON{},
		},
		Risks:   make([]riskJSON, 0, len(a.Risks)),
		Top:     make([]riskJSON, 0, len(a.Top)),
		Actions: make([]actionJSON, 0, len(a.Actions)),
	}
	for _, b := range a.Scale.Bands {
		v.Scale.Bands = append(v.Scale.Bands, bandJSON{b.ID, b.Label, b.Max})
	}
	for i := range a.Risks {
		v.Risks = append(v.Risks, riskView(&a.Risks[i]))
	}
	for _, c := range a.Comune {
		v.Comune = append(v.Comune, comuneJSON{
			Threat: c.Threat.ID, Worst: c.Worst.Scope.String(), Residual: round4(c.Worst.Residual),
			Band: c.Worst.Band.ID, Min: round4(c.Min), Scopes: c.Scopes, Provisional: c.Provisional,
		})
	}
	for i := range a.Top {
		v.Top = append(v.Top, riskView(&a.Top[i]))
	}
	for i := range a.Actions {
		v.Actions = append(v.Actions, actionView(&a.Actions[i]))
	}
	v.Summary = summaryJSON{
		Total:      complianceView(a.Summary.Total),
		ByCategory: []complianceJSON{},
		ByLevel:    []complianceJSON{},
		ByBand:     []bandCountJSON{},
	}
	for _, c := range a.Summary.ByCategory {
		v.Summary.ByCategory = append(v.Summary.ByCategory, complianceView(c))
	}
	for _, c := range a.Summary.ByLevel {
		v.Summary.ByLevel = append(v.Summary.ByLevel, complianceView(c))
	}
	for _, b := range a.Summary.ByBand {
		v.Summary.ByBand = append(v.Summary.ByBand, bandCountJSON{b.Band.ID, b.Band.Label, b.Inherent, b.Residual})
	}
	return v
}

func riskView(r *ThreatRisk) riskJSON {
	v := riskJSON{
		Scope:              r.Scope.String(),
		Threat:             r.Threat.ID,
		Probability:        r.Probability,
		Impact:             r.Impact,
		Overridden:         r.Overridden,
		OverrideReason:     r.OverrideReason,
		Inherent:           round4(r.Inherent),
		InherentBand:       r.InherentBand.ID,
		Mitigation:         round4(r.Mitigation),
		UncappedMitigation: round4(r.Uncapped),
		Capped:             r.Capped,
		Residual:           round4(r.Residual),
		Band:               r.Band.ID,
		Provisional:        r.Provisional,
		Partial:            r.Partial,
		Missing:            make([]string, 0, len(r.Missing)),
		Measures:           make([]measureJSON, 0, len(r.Measures)),
	}
	for _, it := range r.Missing {
		v.Missing = append(v.Missing, it.ID)
	}
	for _, m := range r.Measures {
		v.Measures = append(v.Measures, measureJSON{
			Item:      m.Item.ID,
			At:        m.At.String(),
			Outcome:   outcomeKey(m.Outcome),
			Link:      m.Link,
			Effective: round4(m.Effective),
			Counted:   m.Counted,
			Reason:    m.Reason,
		})
	}
	return v
}

func actionView(a *Action) actionJSON {
	v := actionJSON{
		Item:          a.Item.ID,
		NonConformity: a.NonConformity,
		Reference:     a.Item.Reference,
		Outcome:       outcomeKey(a.Outcome),
		Findings:      make([]findingJSON, 0, len(a.Findings)),
		Scopes:        make([]string, 0, len(a.Scopes)),
		Reductions:    make([]reductionJSON, 0, len(a.Reductions)),
		Priority:      a.Priority.ID,
		PriorityValue: round4(a.PriorityValue),
		Gain:          round4(a.Gain()),
		Owner:         a.Plan.Owner,
		Due:           a.Plan.Due,
		Status:        string(a.Plan.Status),
	}
	for _, f := range a.Findings {
		v.Findings = append(v.Findings, findingJSON{f.At.String(), outcomeKey(f.Outcome)})
	}
	for _, sc := range a.Scopes {
		v.Scopes = append(v.Scopes, sc.String())
	}
	for _, r := range a.Reductions {
		v.Reductions = append(v.Reductions, reductionJSON{r.Scope.String(), r.Threat.ID, round4(r.Before), round4(r.After)})
	}
	return v
}

func complianceView(c Compliance) complianceJSON {
	v := complianceJSON{
		Key:           c.Key,
		Label:         c.Label,
		Yes:           c.Counts.Yes,
		No:            c.Counts.No,
		Partial:       c.Counts.Partial,
		NotApplicable: c.Counts.NotApplicable,
		Unanswered:    c.Counts.Unanswered,
		Informative:   c.Counts.Informative,
	}
	if pct, ok := c.Counts.Percent(); ok {
		pct = round4(pct)
		v.Compliance = &pct
	}
	return v
}

// outcomeKey is the JSON spelling of an outcome: its value, or
// "non_verificato" for OutcomeNone.
func outcomeKey(o Outcome) string {
	if o == OutcomeNone {
		return "non_verificato"
	}
	return string(o)
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
