package export

import (
	"strconv"

	"github.com/cieaudit/cieaudit/checklist"
)

// TableComparison is the comparison with the previous audit of the same
// ente (audit new --from): one row per item that changed, per perimeter
// or inventory change and per operator change. Empty for an audit without
// predecessor (or exported without its chain).
const TableComparison Table = "confronto"

var comparisonColumns = []Column{
	auditIDColumn,
	{Name: "previous_audit_id", Doc: "ID of the previous audit (`predecessor` in audit.json)."},
	{Name: "previous_year", Numeric: true, Doc: "Year of the previous audit."},
	{Name: "kind", Doc: "`voce` (a measure), `perimetro` (a sede or postazione added, removed or changed, inventory included) or `operatore`."},
	{Name: "scope", Doc: "Scope of the measure (`ente`, `sede:NAME`, `postazione:CODE`); for the other kinds, what changed (e.g. `postazione:CODE pc`)."},
	{Name: "section_id", Doc: "Catalogue section of the measure."},
	{Name: "item_id", Doc: "Catalogue item ID."},
	{Name: "item_title", Doc: "Short Italian title of the measure."},
	{Name: "change", Doc: "`migliorata`, `peggiorata`, `modificata`, `nuova` (in the newer catalogue only), `rimossa` (in the older only); for the other kinds `aggiunta`, `rimossa` or `modificata`."},
	{Name: "old_value", Doc: "Value in the previous audit (canonical, empty when unanswered or absent)."},
	{Name: "old_label", Doc: "Its Italian rendering."},
	{Name: "new_value", Doc: "Value in this audit."},
	{Name: "new_label", Doc: "Its Italian rendering."},
}

func comparisonRows(snap *checklist.Snapshot, emit rowWriter) error {
	c, err := checklist.Compare(snap)
	if err != nil || c == nil {
		return err
	}
	id, prev, year := snap.Audit.ID, c.Diff.Old.ID, strconv.Itoa(c.Diff.Old.Year)
	for _, it := range c.Diff.Items {
		if err := emit([]string{id, prev, year, "voce", it.Scope.String(), it.Section, it.Item, it.Title, string(it.Change),
			it.Old, it.OldLabel, it.New, it.NewLabel}); err != nil {
			return err
		}
	}
	for _, part := range []struct {
		kind string
		rows []checklist.FieldDiff
	}{{"perimetro", c.Diff.Perimeter}, {"operatore", c.Diff.Operators}} {
		for _, f := range part.rows {
			change := "modificata"
			switch {
			case f.Old == "":
				change = "aggiunta"
			case f.New == "":
				change = "rimossa"
			}
			if err := emit([]string{id, prev, year, part.kind, f.What, "", "", "", change, f.Old, f.Old, f.New, f.New}); err != nil {
				return err
			}
		}
	}
	return nil
}
