package checklist

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// ItemChange is how one item moved from an older audit to a newer one of
// the same ente.
type ItemChange string

const (
	ItemImproved  ItemChange = "migliorata"
	ItemWorsened  ItemChange = "peggiorata"
	ItemChanged   ItemChange = "modificata" // another value with no better or worse (numbers, text, na)
	ItemUnchanged ItemChange = "invariata"
	ItemNew       ItemChange = "nuova"   // in the newer catalogue only
	ItemRemoved   ItemChange = "rimossa" // in the older catalogue only
	ItemReverify  ItemChange = "da_riverificare"
)

// ItemChanges lists the kinds in the order reports present them.
var ItemChanges = []ItemChange{ItemImproved, ItemWorsened, ItemChanged, ItemNew, ItemRemoved, ItemReverify, ItemUnchanged}

// Label is the Italian display name.
func (c ItemChange) Label() string {
	switch c {
	case ItemImproved:
		return "Migliorata"
	case ItemWorsened:
		return "Peggiorata"
	case ItemChanged:
		return "Modificata"
	case ItemUnchanged:
		return "Invariata"
	case ItemNew:
		return "Nuova"
	case ItemRemoved:
		return "Rimossa"
	case ItemReverify:
		return "Da riverificare"
	}
	return string(c)
}

// AuditDiff is the year-on-year picture of two audits of one ente.
type AuditDiff struct {
	Old, New DiffAudit
	// Sections counts the item changes per scope and section, scopes in
	// the newer audit's order (then those only in the older), sections in
	// catalogue order.
	Sections []SectionDiff
	// Items lists every item that is not unchanged and not still to
	// re-verify, in the order of Sections.
	Items []ItemDiff
	// Perimeter lists sedi and postazioni added, removed or changed
	// (inventory included), Operators the operator register's changes.
	Perimeter []FieldDiff
	Operators []FieldDiff
	// ByCategory and ByLevel put the compliance of both audits side by side.
	ByCategory []ComplianceDiff
	ByLevel    []ComplianceDiff
	Total      ComplianceDiff
}

// DiffAudit identifies one side of a diff.
type DiffAudit struct {
	ID        string `json:"id"`
	Year      int    `json:"year"`
	Catalogue string `json:"catalogue"`
}

// SectionDiff counts the changes of one section at one scope.
type SectionDiff struct {
	Scope   Scope
	Section string
	Title   string
	Counts  map[ItemChange]int
}

// ItemDiff is one item's change at one scope.
type ItemDiff struct {
	Scope    Scope
	Section  string
	Item     string
	Title    string
	Change   ItemChange
	Old, New string // the values as stored, "" for unanswered
	OldLabel string // Italian renderings
	NewLabel string
}

// FieldDiff is one change of the perimeter or of the operator register:
// what (e.g. "postazione:CIE01 hardware.pc"), before and after ("" for
// added or removed).
type FieldDiff struct {
	What string `json:"what"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// ComplianceDiff is one group's compliance in both audits.
type ComplianceDiff struct {
	Key, Label string
	Old, New   AnswerCounts
}

// rank orders the outcomes of a measure: higher is better, 0 unranked.
func rank(o Outcome) int {
	switch o {
	case OutcomeYes:
		return 3
	case OutcomePartial:
		return 2
	case OutcomeNo:
		return 1
	}
	return 0
}

// SameEnte refuses two audits of different enti, naming both.
func SameEnte(a, b *Audit) error {
	same := a.Ente.ISTAT != "" && a.Ente.ISTAT == b.Ente.ISTAT
	if a.Ente.ISTAT == "" && b.Ente.ISTAT == "" {
		same = strings.EqualFold(strings.TrimSpace(a.Ente.Name), strings.TrimSpace(b.Ente.Name))
	}
	if !same {
		return fmt.Errorf("gli audit %s (%s, ISTAT %s) e %s (%s, ISTAT %s) riguardano enti diversi: il confronto vale solo tra audit dello stesso ente",
			a.ID, a.Ente.Name, a.Ente.ISTAT, b.ID, b.Ente.Name, b.Ente.ISTAT)
	}
	return nil
}

// Diff compares two audits of the same ente, old the earlier one.
func Diff(old, new *Snapshot) (AuditDiff, error) {
	if err := SameEnte(&old.Audit, &new.Audit); err != nil {
		return AuditDiff{}, err
	}
	d := AuditDiff{
		Old:       DiffAudit{old.Audit.ID, old.Audit.Year, old.Catalogue.Key()},
		New:       DiffAudit{new.Audit.ID, new.Audit.Year, new.Catalogue.Key()},
		Perimeter: []FieldDiff{}, Operators: []FieldDiff{}, Items: []ItemDiff{},
	}
	scopes := new.Audit.Scopes()
	for _, sc := range old.Audit.Scopes() {
		if !new.Audit.HasScope(sc) {
			scopes = append(scopes, sc)
		}
	}
	for _, sc := range scopes {
		inOld, inNew := old.Audit.HasScope(sc), new.Audit.HasScope(sc)
		if !inOld || !inNew {
			continue // the perimeter diff names it
		}
		d.diffScope(old, new, sc)
	}
	d.Perimeter = append(d.Perimeter, diffPerimeter(&old.Audit, &new.Audit)...)
	d.Operators = append(d.Operators, diffOperators(old.Operators, new.Operators)...)
	os, ns := Assess(old).Summary, Assess(new).Summary
	for i := range os.ByCategory {
		d.ByCategory = append(d.ByCategory, ComplianceDiff{os.ByCategory[i].Key, os.ByCategory[i].Label, os.ByCategory[i].Counts, ns.ByCategory[i].Counts})
	}
	for i := range os.ByLevel {
		d.ByLevel = append(d.ByLevel, ComplianceDiff{os.ByLevel[i].Key, os.ByLevel[i].Label, os.ByLevel[i].Counts, ns.ByLevel[i].Counts})
	}
	d.Total = ComplianceDiff{"", "Totale", os.Total.Counts, ns.Total.Counts}
	return d, nil
}

// sectionOf returns the section of an item in a catalogue.
func sectionOf(c *Catalogue, item string) *Section {
	for i := range c.Sections {
		for j := range c.Sections[i].Items {
			if c.Sections[i].Items[j].ID == item {
				return &c.Sections[i]
			}
		}
	}
	return nil
}

func (d *AuditDiff) diffScope(old, new *Snapshot, sc Scope) {
	// Items of the scope kind in the newer catalogue's order, then those
	// only in the older one (removed).
	var ids []string
	seen := map[string]bool{}
	for _, it := range new.Catalogue.ItemsFor(sc.Kind) {
		ids, seen[it.ID] = append(ids, it.ID), true
	}
	for _, it := range old.Catalogue.ItemsFor(sc.Kind) {
		if !seen[it.ID] {
			ids, seen[it.ID] = append(ids, it.ID), true
		}
	}
	var secs []*SectionDiff
	bySec := map[string]*SectionDiff{}
	for _, id := range ids {
		oi, ni := old.Catalogue.Item(id), new.Catalogue.Item(id)
		if oi != nil && oi.Scope != sc.Kind {
			oi = nil
		}
		if ni != nil && ni.Scope != sc.Kind {
			ni = nil
		}
		cat, it := new.Catalogue, ni
		if ni == nil {
			cat, it = old.Catalogue, oi
		}
		sec := sectionOf(cat, id)
		if sec == nil || it == nil {
			continue
		}
		sd := bySec[sec.ID]
		if sd == nil {
			sd = &SectionDiff{Scope: sc, Section: sec.ID, Title: sec.Title, Counts: map[ItemChange]int{}}
			bySec[sec.ID] = sd
			secs = append(secs, sd)
		}
		oa, oOK := old.Answer(sc, id)
		na, nOK := new.Answer(sc, id)
		ch := ItemUnchanged
		switch {
		case oi == nil:
			ch = ItemNew
		case ni == nil:
			ch = ItemRemoved
		case !nOK || na.Value == "":
			if _, carried := new.CarriedAnswer(sc, id); carried {
				ch = ItemReverify
			} else if oOK && oa.Value != "" {
				ch = ItemChanged
			}
		default:
			or, nr := rank(oa.Outcome(oi)), rank(na.Outcome(ni))
			switch {
			case !oOK || oa.Value == "":
				ch = ItemChanged
				if nr > 0 {
					ch = ItemImproved
				}
			case or > 0 && nr > 0 && nr > or:
				ch = ItemImproved
			case or > 0 && nr > 0 && nr < or:
				ch = ItemWorsened
			case oa.Value != na.Value:
				ch = ItemChanged
			}
		}
		sd.Counts[ch]++
		if ch == ItemUnchanged || ch == ItemReverify {
			continue
		}
		row := ItemDiff{Scope: sc, Section: sec.ID, Item: it.ID, Title: it.Short, Change: ch}
		if oi != nil { // oa is the zero answer when unanswered: "Non verificato"
			row.Old, row.OldLabel = oa.Value, valueLabel(oi, oa.Value)
		}
		if ni != nil {
			row.New, row.NewLabel = na.Value, valueLabel(ni, na.Value)
		}
		d.Items = append(d.Items, row)
	}
	for _, s := range secs {
		d.Sections = append(d.Sections, *s)
	}
}

func valueLabel(it *Item, v string) string {
	if v == "" {
		return OutcomeNone.Label()
	}
	return DisplayValue(it, v)
}

// diffPerimeter lists the sedi and postazioni added, removed or changed.
func diffPerimeter(old, new *Audit) []FieldDiff {
	var out []FieldDiff
	for _, s := range old.Sedi {
		if new.Sede(s.Name) == nil {
			out = append(out, FieldDiff{What: "sede:" + s.Name, Old: s.Address, New: ""})
		}
	}
	for _, s := range new.Sedi {
		o := old.Sede(s.Name)
		if o == nil {
			out = append(out, FieldDiff{What: "sede:" + s.Name, Old: "", New: s.Address})
			continue
		}
		out = append(out, fields("sede:"+s.Name, [][3]string{
			{"indirizzo", o.Address, s.Address},
			{"locali", strings.Join(o.Rooms, ", "), strings.Join(s.Rooms, ", ")},
		})...)
	}
	for _, p := range old.Postazioni {
		if new.Postazione(p.Code) == nil {
			out = append(out, FieldDiff{What: "postazione:" + p.Code, Old: postazioneLine(p), New: ""})
		}
	}
	for _, p := range new.Postazioni {
		o := old.Postazione(p.Code)
		if o == nil {
			out = append(out, FieldDiff{What: "postazione:" + p.Code, Old: "", New: postazioneLine(p)})
			continue
		}
		out = append(out, fields("postazione:"+p.Code, [][3]string{
			{"sede", o.Sede, p.Sede}, {"locale", o.Room, p.Room}, {"ufficio", string(o.Office), string(p.Office)},
			{"pc", o.Hardware.PC, p.Hardware.PC},
			{"lettore_impronte", o.Hardware.LettoreImpronte, p.Hardware.LettoreImpronte},
			{"lettore_smart_card", o.Hardware.LettoreSmartCard, p.Hardware.LettoreSmartCard},
			{"multifunzione", o.Hardware.Multifunzione, p.Hardware.Multifunzione},
			{"lettore_barcode", o.Hardware.LettoreBarcode, p.Hardware.LettoreBarcode},
			{"altro", o.Hardware.Altro, p.Hardware.Altro},
			{"sistema_operativo", o.OS, p.OS}, {"note", o.Notes, p.Notes},
		})...)
	}
	return out
}

func postazioneLine(p Postazione) string {
	parts := []string{"sede " + p.Sede}
	if p.Hardware.PC != "" {
		parts = append(parts, "PC "+p.Hardware.PC)
	}
	return strings.Join(parts, ", ")
}

func fields(prefix string, fs [][3]string) []FieldDiff {
	var out []FieldDiff
	for _, f := range fs {
		if f[1] != f[2] {
			out = append(out, FieldDiff{What: prefix + " " + f[0], Old: f[1], New: f[2]})
		}
	}
	return out
}

// diffOperators matches operators by ID (carried audits keep them), and
// by name when the ID differs.
func diffOperators(old, new []Operator) []FieldDiff {
	find := func(list []Operator, o Operator) *Operator {
		for i := range list {
			if SameID(list[i].ID, o.ID) && strings.EqualFold(list[i].Name, o.Name) {
				return &list[i]
			}
		}
		for i := range list {
			if strings.EqualFold(strings.TrimSpace(list[i].Name), strings.TrimSpace(o.Name)) {
				return &list[i]
			}
		}
		return nil
	}
	var out []FieldDiff
	for _, o := range old {
		if find(new, o) == nil {
			out = append(out, FieldDiff{What: "operatore " + o.Name, Old: OperatorSummary(o), New: ""})
		}
	}
	for _, n := range new {
		o := find(old, n)
		switch {
		case o == nil:
			out = append(out, FieldDiff{What: "operatore " + n.Name, Old: "", New: OperatorSummary(n)})
		case OperatorSummary(*o) != OperatorSummary(n):
			out = append(out, FieldDiff{What: "operatore " + n.Name, Old: OperatorSummary(*o), New: OperatorSummary(n)})
		}
	}
	return out
}

// Count sums one kind of change over every section.
func (d *AuditDiff) Count(c ItemChange) int {
	n := 0
	for _, s := range d.Sections {
		n += s.Counts[c]
	}
	return n
}

// OpenActions are last year's remediation actions not done, for items
// still not compliant in the newer audit (or still to re-verify).
func OpenActions(old, new *Snapshot) []Action {
	var out []Action
	done := map[string]bool{}
	for _, a := range Assess(old).Actions {
		if p, ok := old.Actions[a.Item.ID]; ok && p.Status == ActionDone {
			continue
		}
		if done[a.Item.ID] {
			continue
		}
		if p, ok := new.Actions[a.Item.ID]; ok && p.Status == ActionDone {
			continue
		}
		// Solved this year when every finding scope is now compliant.
		solved := true
		for _, f := range a.Findings {
			it := new.Catalogue.Item(a.Item.ID)
			if it == nil {
				continue
			}
			na, ok := new.Answer(f.At, it.ID)
			if !ok || na.Outcome(it) != OutcomeYes {
				solved = false
			}
		}
		if !solved {
			done[a.Item.ID] = true
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b Action) int { return cmp.Compare(a.Item.ID, b.Item.ID) })
	return out
}

// CountsLine sums up the item changes in Italian: "migliorata 2, peggiorata 1, …".
func (d *AuditDiff) CountsLine() string {
	var sums []string
	for _, c := range ItemChanges {
		if n := d.Count(c); n > 0 {
			sums = append(sums, fmt.Sprintf("%s %d", strings.ToLower(c.Label()), n))
		}
	}
	return strings.Join(sums, ", ")
}

// FieldPart is one titled list of field changes of a diff.
type FieldPart struct {
	Head string
	Rows []FieldDiff
}

// FieldParts are the perimeter and operator changes, the empty ones left out.
func (d *AuditDiff) FieldParts() []FieldPart {
	var out []FieldPart
	for _, p := range []FieldPart{{"Perimetro e inventario", d.Perimeter}, {"Operatori", d.Operators}} {
		if len(p.Rows) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// Groups are the compliance rows in report order: categories, levels, total.
func (d *AuditDiff) Groups() []ComplianceDiff {
	return append(append(append([]ComplianceDiff{}, d.ByCategory...), d.ByLevel...), d.Total)
}
