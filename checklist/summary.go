package checklist

// Summary is the audit at a glance: how the measures were answered and how
// compliant the ente is, per category and per level, and how the risks
// spread over the bands.
type Summary struct {
	// ByCategory has one entry per Categories element, in that order.
	ByCategory []Compliance
	// ByLevel has one entry per Levels element, in that order.
	ByLevel []Compliance
	// ByMacroprocess has one entry per Macroprocesses element, in that
	// order: a measure of several macroprocessi counts in each.
	ByMacroprocess []Compliance
	// Total covers every measure.
	Total Compliance
	// ByBand counts the threats per band of their comune-level risk
	// (Assessment.Comune), one entry per band of the scale, from the lowest.
	ByBand []BandCount
}

// Compliance counts the answers of a group of measures and derives the
// compliance percentage.
//
// Every measure is counted once per scope it is answered at: an ente
// measure once, a sede measure once per sede, a postazione measure once
// per postazione (inherited answers are not counted again).
type Compliance struct {
	// Key is the category or level ("fisica", "minimo"...), empty for Total.
	Key    string
	Label  string
	Counts AnswerCounts
}

// AnswerCounts counts answers by outcome.
type AnswerCounts struct {
	Yes, No, Partial, NotApplicable int
	// Unanswered counts the measures not verified yet.
	Unanswered int
	// Informative counts answers that carry no outcome: numbers, texts,
	// dates and descriptive choices. They do not enter the compliance.
	Informative int
}

// Total is the number of measures counted.
func (c AnswerCounts) Total() int {
	return c.Yes + c.No + c.Partial + c.NotApplicable + c.Unanswered + c.Informative
}

// Assessed is the number of answers the compliance rests on: sì, no and
// parziale (answered, excluding non applicabile and informative answers).
func (c AnswerCounts) Assessed() int { return c.Yes + c.No + c.Partial }

// Percent is the compliance percentage, 0-100:
//
//	(sì + ½ · parziale) / (sì + no + parziale) × 100
//
// that is, over the answered measures excluding the non applicabile ones. ok
// is false when no measure has been assessed yet, and the percentage is
// then meaningless (not 0 and not 100).
func (c AnswerCounts) Percent() (pct float64, ok bool) {
	n := c.Assessed()
	if n == 0 {
		return 0, false
	}
	return (float64(c.Yes) + float64(c.Partial)/2) * 100 / float64(n), true
}

// Coverage is the share of measures verified so far, 0-100: every measure
// counted but the ones not verified yet. ok is false when nothing is
// counted. A compliance figure is provisional while Coverage is below 100.
func (c AnswerCounts) Coverage() (pct float64, ok bool) {
	n := c.Total()
	if n == 0 {
		return 0, false
	}
	return float64(n-c.Unanswered) * 100 / float64(n), true
}

// add counts one answer.
func (c *AnswerCounts) add(it *Item, a Answer, answered bool) {
	if !answered || a.Value == "" {
		c.Unanswered++
		return
	}
	o := a.Outcome(it)
	if it.Answer.Kind == KindChoice && it.Answer.Choice(a.Value) == nil {
		o = "?" // a choice the catalogue does not offer proves nothing
	}
	switch o {
	case OutcomeYes:
		c.Yes++
	case OutcomeNo:
		c.No++
	case OutcomePartial:
		c.Partial++
	case OutcomeNotApplicable:
		c.NotApplicable++
	case OutcomeNone:
		c.Informative++
	default:
		// A value the catalogue does not know proves nothing.
		c.Unanswered++
	}
}

// BandCount is how many threats' comune-level risks fall in one band.
type BandCount struct {
	Band Band
	// Inherent counts the risks whose inherent value falls in the band,
	// Residual those whose residual value does.
	Inherent, Residual int
}

func (e *engine) summarise(a *Assessment) Summary {
	var sum Summary
	cat := make(map[Category]*AnswerCounts, len(Categories))
	lvl := make(map[Level]*AnswerCounts, len(Levels))
	for _, c := range Categories {
		cat[c] = new(AnswerCounts)
	}
	for _, l := range Levels {
		lvl[l] = new(AnswerCounts)
	}
	mp := make(map[Macroprocess]*AnswerCounts, len(Macroprocesses))
	for _, m := range Macroprocesses {
		mp[m] = new(AnswerCounts)
	}
	for _, sc := range e.scopes {
		for _, it := range e.m.itemsFor[sc.Kind] {
			ans, ok := e.answer(sc, it.ID)
			sum.Total.Counts.add(it, ans, ok)
			if c := cat[it.Category]; c != nil {
				c.add(it, ans, ok)
			}
			if l := lvl[it.Level]; l != nil {
				l.add(it, ans, ok)
			}
			for _, m := range it.Macroprocess {
				if c := mp[m]; c != nil {
					c.add(it, ans, ok)
				}
			}
		}
	}
	for _, c := range Categories {
		sum.ByCategory = append(sum.ByCategory, Compliance{Key: string(c), Label: c.Label(), Counts: *cat[c]})
	}
	for _, l := range Levels {
		sum.ByLevel = append(sum.ByLevel, Compliance{Key: string(l), Label: l.Label(), Counts: *lvl[l]})
	}
	for _, m := range Macroprocesses {
		sum.ByMacroprocess = append(sum.ByMacroprocess, Compliance{Key: string(m), Label: m.Label(), Counts: *mp[m]})
	}
	sum.Total.Label = "Totale"

	bands := a.Scale.Bands
	sum.ByBand = make([]BandCount, len(bands))
	pos := make(map[string]int, len(bands))
	for i, b := range bands {
		sum.ByBand[i].Band = b
		pos[b.ID] = i
	}
	for _, c := range a.Comune {
		r := c.Worst
		if i, ok := pos[r.InherentBand.ID]; ok {
			sum.ByBand[i].Inherent++
		}
		if i, ok := pos[r.Band.ID]; ok {
			sum.ByBand[i].Residual++
		}
	}
	return sum
}
