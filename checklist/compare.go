package checklist

// Comparison is what a report says about the previous year: the diff with
// the predecessor, what improved and worsened, last year's actions still
// open and, along a chain of audits, the compliance per category year by
// year.
type Comparison struct {
	Diff               AuditDiff
	Improved, Worsened []ItemDiff
	OpenActions        []Action
	ToReverify         int
	// Years holds this audit and its predecessors, oldest first.
	Years []YearCompliance
}

// YearCompliance is one audit's compliance per category.
type YearCompliance struct {
	AuditID    string
	Year       int
	ByCategory []Compliance
	Total      Compliance
}

// Compare builds the comparison of snap with its predecessors
// (Snapshot.Previous, nearest first); nil when it has none.
func Compare(snap *Snapshot) (*Comparison, error) {
	if len(snap.Previous) == 0 {
		return nil, nil
	}
	prev := snap.Previous[0]
	d, err := Diff(prev, snap)
	if err != nil {
		return nil, err
	}
	c := &Comparison{Diff: d, OpenActions: OpenActions(prev, snap), ToReverify: snap.ToReverify()}
	for _, it := range d.Items {
		switch it.Change {
		case ItemImproved:
			c.Improved = append(c.Improved, it)
		case ItemWorsened:
			c.Worsened = append(c.Worsened, it)
		}
	}
	for i := len(snap.Previous) - 1; i >= -1; i-- {
		s := snap
		if i >= 0 {
			s = snap.Previous[i]
		}
		sum := Assess(s).Summary
		c.Years = append(c.Years, YearCompliance{AuditID: s.Audit.ID, Year: s.Audit.Year, ByCategory: sum.ByCategory, Total: sum.Total})
	}
	return c, nil
}

// Chart reports whether the comparison has enough years for a chart: the
// audit and at least two predecessors.
func (c *Comparison) Chart() bool { return c != nil && len(c.Years) >= 3 }
