package checklist

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Carrying an audit into the next year.
//
// The new audit starts from the previous one: the ente's data, the sedi,
// the postazioni with their inventory, the operators still in office, the
// section evaluations and the actions not done. Every answer is carried
// as a *previous* answer, not as an answer: it sits beside the audit's
// answers (Snapshot.Carried) and shows the value, note and date it had,
// while the item counts as not verified in compliance, progress and risk
// until the auditor confirms it as it is or answers it anew.

// ChangeCarry is the history entry of a carried audit's creation and of
// a carried answer confirmed as it was.
const ChangeCarry ChangeKind = "riporto"

// CarryRequest is what the auditor asks for: the year of the new audit,
// its auditors and the catalogue it uses (the predecessor's when nil).
type CarryRequest struct {
	Year      int
	Auditors  []string
	Catalogue *Catalogue
	// Today (AAAA-MM-GG) is the new audit's start date and the day the
	// operators' revocations are judged on.
	Today string
}

// CarryPlan is the new audit as carried from its predecessor, before it
// is stored.
type CarryPlan struct {
	Audit       Audit
	Carried     []Answer
	Evaluations []Evaluation
	Actions     []ActionPlan
	Operators   []Operator
	Report      UpgradeReport
}

// UpgradeReport says what moved from the previous audit into the new one,
// and what did not and why. It is shown before the audit is created and
// kept with it.
type UpgradeReport struct {
	// Predecessor is the ID of the audit carried from, PredecessorYear its year.
	Predecessor     string `json:"predecessor"`
	PredecessorYear int    `json:"predecessor_year"`
	// From and To are the catalogues, "id@version"; equal when not upgraded.
	From string `json:"from"`
	To   string `json:"to"`
	// Carried counts the answers carried to re-verify.
	Carried     int `json:"carried"`
	Evaluations int `json:"evaluations"`
	Actions     int `json:"actions"`
	Operators   int `json:"operators"`
	// Removed lists the items of the old catalogue that the new one no
	// longer has (with the answers that are therefore not carried), Added
	// the new items (they start unanswered), Changed the items whose
	// scope or answer kind changed, Dropped any other answer not carried.
	Removed []UpgradeItem `json:"removed"`
	Added   []UpgradeItem `json:"added"`
	Changed []UpgradeItem `json:"changed"`
	Dropped []UpgradeItem `json:"dropped"`
}

// UpgradeItem is one item named in an upgrade report.
type UpgradeItem struct {
	Item  string `json:"item"`
	Title string `json:"title"`
	// Answers counts the previous answers not carried because of it.
	Answers int    `json:"answers"`
	Reason  string `json:"reason,omitempty"`
}

// Upgraded reports whether the new audit uses another catalogue.
func (r UpgradeReport) Upgraded() bool { return r.From != r.To }

// Lines is the report in Italian, one line each, for the CLI and the TUI.
func (r UpgradeReport) Lines() []string {
	out := []string{fmt.Sprintf("Riporto dall'audit %s (anno %d), catalogo %s", r.Predecessor, r.PredecessorYear, r.From)}
	if r.Upgraded() {
		out[0] += " → " + r.To
	}
	out = append(out, fmt.Sprintf("  %s da verificare, %s, %s, %s",
		Risposte(r.Carried), Count(r.Evaluations, "valutazione", "valutazioni"),
		Count(r.Actions, "azione non completata", "azioni non completate"), Count(r.Operators, "operatore", "operatori")))
	list := func(head string, items []UpgradeItem) {
		if len(items) == 0 {
			return
		}
		out = append(out, fmt.Sprintf("  %s (%d):", head, len(items)))
		for _, it := range items {
			line := "    " + it.Item
			if it.Title != "" {
				line += " " + it.Title
			}
			if it.Answers > 0 {
				end := "e"
				if it.Answers == 1 {
					end = "a"
				}
				line += fmt.Sprintf(" (%s non riportat%s)", Risposte(it.Answers), end)
			}
			if it.Reason != "" {
				line += ": " + it.Reason
			}
			out = append(out, line)
		}
	}
	list("Voci rimosse dal nuovo catalogo, non riportate", r.Removed)
	list("Voci nuove, da rispondere", r.Added)
	list("Voci cambiate, non riportate", r.Changed)
	list("Altre risposte non riportate", r.Dropped)
	return out
}

// Risposte is "1 risposta" or "n risposte".
func Risposte(n int) string { return Count(n, "risposta", "risposte") }

// CarryReason is the reason kept in the history when a carried answer is
// confirmed as it was.
func CarryReason(prev Answer) string {
	return "confermata la risposta dell'audit precedente del " + ItalianDate(LocalDay(prev.At))
}

// itemChange says why an answer to the old item cannot stand for the new
// one, or "" when it can.
func itemChange(old, new *Item) string {
	var why []string
	if old.Scope != new.Scope {
		why = append(why, fmt.Sprintf("ambito cambiato da %s a %s", old.Scope.Label(), new.Scope.Label()))
	}
	ok, nk := old.Answer.Kind, new.Answer.Kind
	if ok == "" {
		ok = KindOutcome
	}
	if nk == "" {
		nk = KindOutcome
	}
	if ok != nk {
		why = append(why, fmt.Sprintf("tipo di risposta cambiato da %s a %s", ok, nk))
	}
	if old.Negative() != new.Negative() {
		why = append(why, "risposta conforme invertita")
	}
	return strings.Join(why, "; ")
}

// PlanCarry builds the audit that follows prev: the rules of what is
// carried, and the upgrade report when the catalogue changes. Answers are
// matched by item ID; an item removed, or whose scope, answer kind or
// compliant answer changed, is listed and not carried; a value the new
// item no longer accepts (a choice removed) is listed and not carried.
func PlanCarry(prev *Snapshot, req CarryRequest) (CarryPlan, error) {
	old := prev.Catalogue
	cat := req.Catalogue
	if cat == nil {
		cat = old
	}
	if err := CheckYear(req.Year); err != nil {
		return CarryPlan{}, err
	}
	if req.Year < prev.Audit.Year {
		return CarryPlan{}, fmt.Errorf("anno %d precedente a quello dell'audit %s (%d): il nuovo audit segue il precedente", req.Year, prev.Audit.ID, prev.Audit.Year)
	}
	var auditors []string
	for _, a := range req.Auditors {
		if a = strings.TrimSpace(a); a != "" {
			auditors = append(auditors, a)
		}
	}
	if len(auditors) == 0 {
		return CarryPlan{}, fmt.Errorf("auditor del nuovo audit non indicato")
	}
	pa := prev.Audit
	a := Audit{
		Ente:             pa.Ente,
		Year:             req.Year,
		Auditors:         auditors,
		StartDate:        req.Today,
		CatalogueID:      cat.ID,
		CatalogueVersion: cat.Version,
		Predecessor:      pa.ID,
		Logo:             pa.Logo,
		Sedi:             make([]Sede, len(pa.Sedi)),
		Postazioni:       slices.Clone(pa.Postazioni),
	}
	if cat == old {
		a.CatalogueDigest = pa.CatalogueDigest
	}
	for i, s := range pa.Sedi {
		s.Rooms = slices.Clone(s.Rooms)
		a.Sedi[i] = s
	}
	p := CarryPlan{Audit: a, Report: UpgradeReport{
		Predecessor: pa.ID, PredecessorYear: pa.Year, From: old.Key(), To: cat.Key(),
		Removed: []UpgradeItem{}, Added: []UpgradeItem{}, Changed: []UpgradeItem{}, Dropped: []UpgradeItem{},
	}}

	// Answers, by item ID.
	lost := map[string]int{}
	dropped := map[string]string{}
	// The predecessor's answers, and what it still had to re-verify: in a
	// chain of years an item never re-verified keeps its last known answer.
	var sources []Answer
	for _, a := range prev.Answers {
		if _, waiting := prev.CarriedAnswer(a.Scope, a.Item); !waiting {
			sources = append(sources, a) // a note alone does not settle a carried answer
		}
	}
	for _, c := range prev.Carried {
		if _, waiting := prev.CarriedAnswer(c.Scope, c.Item); waiting {
			sources = append(sources, c)
		}
	}
	for _, ans := range sources {
		if ans.Blank() {
			continue
		}
		oi, ni := old.Item(ans.Item), cat.Item(ans.Item)
		switch {
		case oi == nil || ni == nil:
			lost[ans.Item]++
			continue
		case itemChange(oi, ni) != "":
			lost[ans.Item]++
			continue
		case ans.Value != "":
			if v, err := NormaliseValue(ni, ans.Value, ans.Note); err != nil || v != ans.Value {
				lost[ans.Item]++
				if err != nil {
					dropped[ans.Item] = "valore " + ans.Value + " non più ammesso: " + err.Error()
				} else {
					dropped[ans.Item] = "valore " + ans.Value + " non più nella forma del catalogo"
				}
				continue
			}
		}
		ans.Rev = 0
		p.Carried = append(p.Carried, ans)
	}
	p.Report.Carried = len(p.Carried)
	for _, oi := range old.Items() {
		ni := cat.Item(oi.ID)
		switch {
		case ni == nil:
			p.Report.Removed = append(p.Report.Removed, UpgradeItem{Item: oi.ID, Title: oi.Short, Answers: lost[oi.ID]})
		case itemChange(oi, ni) != "":
			p.Report.Changed = append(p.Report.Changed, UpgradeItem{Item: oi.ID, Title: ni.Short, Answers: lost[oi.ID], Reason: itemChange(oi, ni)})
		case dropped[oi.ID] != "":
			p.Report.Dropped = append(p.Report.Dropped, UpgradeItem{Item: oi.ID, Title: ni.Short, Answers: lost[oi.ID], Reason: dropped[oi.ID]})
		}
	}
	for _, ni := range cat.Items() {
		if old.Item(ni.ID) == nil {
			p.Report.Added = append(p.Report.Added, UpgradeItem{Item: ni.ID, Title: ni.Short})
		}
	}

	for _, e := range prev.Evaluations {
		if cat.Section(e.Section) != nil && strings.TrimSpace(e.Text) != "" {
			p.Evaluations = append(p.Evaluations, e)
		}
	}
	p.Report.Evaluations = len(p.Evaluations)
	for _, item := range slices.Sorted(mapKeys(prev.Actions)) {
		ap := prev.Actions[item]
		if ap.Status != ActionDone && cat.Item(item) != nil {
			p.Actions = append(p.Actions, ap)
		}
	}
	p.Report.Actions = len(p.Actions)
	for _, o := range prev.Operators {
		if o.Active(req.Today) {
			o.Postazioni = slices.Clone(o.Postazioni)
			p.Operators = append(p.Operators, o)
		}
	}
	p.Report.Operators = len(p.Operators)
	return p, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// CarriedAnswer returns the previous answer carried to item at exactly
// this scope and not re-verified yet: none once the item is answered.
func (s *Snapshot) CarriedAnswer(scope Scope, item string) (Answer, bool) {
	if a, ok := s.Answer(scope, item); ok && a.Value != "" {
		return Answer{}, false
	}
	for _, c := range s.Carried {
		if c.Scope == scope && c.Item == item {
			return c, true
		}
	}
	return Answer{}, false
}

// ToReverify counts the carried answers not re-verified yet.
func (s *Snapshot) ToReverify() int {
	n := 0
	for _, c := range s.Carried {
		if _, waiting := s.CarriedAnswer(c.Scope, c.Item); waiting {
			n++
		}
	}
	return n
}

// Confirm turns a carried answer into the answer of the new audit, as it
// was: the same value and note, by author at at.
func Confirm(prev Answer, author string, at time.Time) Answer {
	return Answer{Scope: prev.Scope, Item: prev.Item, Value: prev.Value, Note: prev.Note, Author: author, At: at}
}

// CarriedLabel is how a carried answer is shown while it waits: "da
// verificare (prima: Sì, 12/03/2026)".
func CarriedLabel(it *Item, prev Answer) string {
	v := "—"
	if prev.Value != "" {
		v = DisplayValue(it, prev.Value)
	}
	return fmt.Sprintf("da verificare (prima: %s, %s)", v, ItalianDate(LocalDay(prev.At)))
}
