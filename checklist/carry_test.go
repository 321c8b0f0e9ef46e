package checklist

import (
	"strings"
	"testing"
	"time"
)

var (
	carryAt  = time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	carryPos = Scope{Kind: ScopePostazione, Name: "CIE01"}
	carrySed = Scope{Kind: ScopeSede, Name: "Municipio"}
)

func carryCatalogue(version string, items ...Item) *Catalogue {
	return &Catalogue{ID: "c", Version: version, Sections: []Section{{ID: "S", Title: "Sezione", Items: items}}}
}

// carryPrev is a previous-year audit on catalogue v1.
func carryPrev() *Snapshot {
	choice := AnswerSpec{Kind: KindChoice, Choices: []Choice{{ID: "a", Label: "A", Outcome: OutcomeYes}, {ID: "b", Label: "B", Outcome: OutcomeNo}}}
	cat := carryCatalogue("1",
		Item{ID: "E-1", Short: "Nomina", Scope: ScopeEnte},
		Item{ID: "E-2", Short: "Vecchia", Scope: ScopeEnte},
		Item{ID: "S-1", Short: "Porta", Scope: ScopeSede},
		Item{ID: "P-1", Short: "Antivirus", Scope: ScopePostazione},
		Item{ID: "P-2", Short: "Ambito", Scope: ScopePostazione},
		Item{ID: "P-3", Short: "Tipo", Scope: ScopePostazione},
		Item{ID: "P-4", Short: "Scelta", Scope: ScopePostazione, Answer: choice},
		Item{ID: "P-5", Short: "Vuota", Scope: ScopePostazione},
	)
	return &Snapshot{
		Audit: Audit{ID: "prev0001", Year: 2025, Ente: Ente{Name: "Comune di Prova", ISTAT: "054001"},
			CatalogueID: "c", CatalogueVersion: "1", CatalogueDigest: "d1",
			Sedi:       []Sede{{Name: "Municipio", Address: "Piazza 1", Rooms: []string{"Anagrafe"}}},
			Postazioni: []Postazione{{Code: "CIE01", Sede: "Municipio", Hardware: Inventory{PC: "HP 1"}}}},
		Catalogue: cat,
		Answers: []Answer{
			{Scope: EnteScope, Item: "E-1", Value: "si", Note: "delibera 3", Author: "Rossi", At: carryAt, Rev: 3},
			{Scope: EnteScope, Item: "E-2", Value: "no", At: carryAt},
			{Scope: carrySed, Item: "S-1", Value: "parziale", At: carryAt},
			{Scope: carryPos, Item: "P-1", Value: "no", At: carryAt},
			{Scope: carryPos, Item: "P-2", Value: "si", At: carryAt},
			{Scope: carryPos, Item: "P-3", Value: "si", At: carryAt},
			{Scope: carryPos, Item: "P-4", Value: "b", At: carryAt},
			{Scope: carryPos, Item: "P-5", Value: "", Note: "", At: carryAt},
		},
		Evaluations: []Evaluation{{Scope: EnteScope, Section: "S", Text: "Buona"}},
		Actions: map[string]ActionPlan{
			"P-1": {Item: "P-1", Owner: "Bianchi", Status: ActionInProgress},
			"E-2": {Item: "E-2", Status: ActionToStart},
			"S-1": {Item: "S-1", Status: ActionDone},
		},
		Operators: []Operator{{ID: "op-1", Name: "Verdi", Role: RoleRegistrar}, {ID: "op-2", Name: "Neri", Role: RoleRegistrar, RevokedOn: "2025-06-01"}},
	}
}

// carryNext is catalogue v2: E-2 removed, P-2 moved to the sede, P-3 now a
// number, P-4 lost choice b, N-1 new.
func carryNext() *Catalogue {
	return carryCatalogue("2",
		Item{ID: "E-1", Short: "Nomina", Scope: ScopeEnte},
		Item{ID: "S-1", Short: "Porta", Scope: ScopeSede},
		Item{ID: "P-1", Short: "Antivirus", Scope: ScopePostazione},
		Item{ID: "P-2", Short: "Ambito", Scope: ScopeSede},
		Item{ID: "P-3", Short: "Tipo", Scope: ScopePostazione, Answer: AnswerSpec{Kind: KindNumber}},
		Item{ID: "P-4", Short: "Scelta", Scope: ScopePostazione, Answer: AnswerSpec{Kind: KindChoice, Choices: []Choice{{ID: "a", Label: "A", Outcome: OutcomeYes}}}},
		Item{ID: "N-1", Short: "Nuova", Scope: ScopeEnte},
	)
}

func TestPlanCarry(t *testing.T) {
	ids := func(as []Answer) string {
		var out []string
		for _, a := range as {
			out = append(out, a.Scope.String()+"/"+a.Item)
		}
		return strings.Join(out, " ")
	}
	items := func(us []UpgradeItem) string {
		var out []string
		for _, u := range us {
			out = append(out, u.Item)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name                             string
		cat                              *Catalogue
		carried                          string
		removed, added, changed, dropped string
		reasonOf, reason                 string
	}{
		{name: "same catalogue", carried: "ente/E-1 ente/E-2 sede:Municipio/S-1 postazione:CIE01/P-1 postazione:CIE01/P-2 postazione:CIE01/P-3 postazione:CIE01/P-4"},
		{name: "upgrade", cat: carryNext(), carried: "ente/E-1 sede:Municipio/S-1 postazione:CIE01/P-1",
			removed: "E-2 P-5", added: "N-1", changed: "P-2 P-3", dropped: "P-4",
			reasonOf: "P-2", reason: "ambito cambiato da Postazione a Sede"},
		{name: "compliant answer inverted", cat: carryCatalogue("3",
			Item{ID: "E-1", Scope: ScopeEnte, CompliantAnswer: OutcomeNo}),
			carried: "", removed: "E-2 S-1 P-1 P-2 P-3 P-4 P-5", changed: "E-1", reasonOf: "E-1", reason: "risposta conforme invertita"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prev := carryPrev()
			p, err := PlanCarry(prev, CarryRequest{Year: 2026, Auditors: []string{" Bianchi "}, Catalogue: tc.cat, Today: "2026-11-30"})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Carried); got != tc.carried {
				t.Errorf("carried = %q, want %q", got, tc.carried)
			}
			r := p.Report
			for _, c := range [][3]string{{"removed", items(r.Removed), tc.removed}, {"added", items(r.Added), tc.added},
				{"changed", items(r.Changed), tc.changed}, {"dropped", items(r.Dropped), tc.dropped}} {
				if c[1] != c[2] {
					t.Errorf("%s = %q, want %q", c[0], c[1], c[2])
				}
			}
			if tc.reasonOf != "" {
				found := false
				for _, u := range append(r.Changed, r.Dropped...) {
					if u.Item == tc.reasonOf {
						found = strings.Contains(u.Reason, tc.reason)
						if u.Answers != 1 {
							t.Errorf("%s lost %d answers, want 1", u.Item, u.Answers)
						}
					}
				}
				if !found {
					t.Errorf("no reason %q for %s in %+v", tc.reason, tc.reasonOf, r)
				}
			}
			if r.Carried != len(p.Carried) || r.Predecessor != "prev0001" || r.PredecessorYear != 2025 {
				t.Errorf("report = %+v", r)
			}
			a := p.Audit
			if a.Predecessor != "prev0001" || a.Year != 2026 || a.Ente != prev.Audit.Ente || len(a.Auditors) != 1 || a.Auditors[0] != "Bianchi" ||
				a.StartDate != "2026-11-30" || len(a.Postazioni) != 1 || a.Postazioni[0].Hardware.PC != "HP 1" || a.Sedi[0].Rooms[0] != "Anagrafe" {
				t.Errorf("audit = %+v", a)
			}
			// The copy is deep: editing the new perimeter leaves the old one.
			a.Sedi[0].Rooms[0] = "X"
			a.Postazioni[0].Hardware.PC = "Y"
			if prev.Audit.Sedi[0].Rooms[0] != "Anagrafe" || prev.Audit.Postazioni[0].Hardware.PC != "HP 1" {
				t.Error("carry shares the perimeter with the predecessor")
			}
			for _, c := range p.Carried {
				if c.Rev != 0 {
					t.Errorf("%s carried with rev %d", c.Item, c.Rev)
				}
			}
			if len(p.Operators) != 1 || p.Operators[0].ID != "op-1" {
				t.Errorf("operators = %+v (the revoked one is not carried)", p.Operators)
			}
			var acts []string
			for _, ap := range p.Actions {
				acts = append(acts, ap.Item)
			}
			wantActs := "E-2 P-1" // S-1 is done
			if tc.cat != nil {
				wantActs = "P-1"
				if tc.cat.Version == "3" {
					wantActs = ""
				}
			}
			if got := strings.Join(acts, " "); got != wantActs {
				t.Errorf("actions = %q, want %q", got, wantActs)
			}
			if len(p.Evaluations) != 1 {
				t.Errorf("evaluations = %+v", p.Evaluations)
			}
			if got := strings.Join(r.Lines(), "\n"); !strings.Contains(got, "prev0001") {
				t.Errorf("lines = %s", got)
			}
		})
	}
}

func TestPlanCarryRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  CarryRequest
		want string
	}{
		{"earlier year", CarryRequest{Year: 2024, Auditors: []string{"A"}}, "precedente"},
		{"no auditor", CarryRequest{Year: 2026, Auditors: []string{" "}}, "auditor"},
		{"bad year", CarryRequest{Year: 1999, Auditors: []string{"A"}}, CheckYear(1999).Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PlanCarry(carryPrev(), tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// A carried answer counts as not verified until confirmed or changed.
func TestCarriedCountsAsUnverified(t *testing.T) {
	prev := carryPrev()
	p, err := PlanCarry(prev, CarryRequest{Year: 2026, Auditors: []string{"A"}, Today: "2026-11-30"})
	if err != nil {
		t.Fatal(err)
	}
	next := &Snapshot{Audit: p.Audit, Catalogue: prev.Catalogue, Carried: p.Carried, Actions: map[string]ActionPlan{}}
	if pr := next.AuditProgress(); pr.Answered != 0 {
		t.Fatalf("progress counts carried answers: %+v", pr)
	}
	if s := Assess(next).Summary.Total.Counts; s.Assessed() != 0 || s.Unanswered != s.Total() {
		t.Fatalf("compliance counts carried answers: %+v", s)
	}
	if n := next.ToReverify(); n != len(p.Carried) {
		t.Fatalf("to re-verify = %d, want %d", n, len(p.Carried))
	}
	c, ok := next.CarriedAnswer(EnteScope, "E-1")
	if !ok || c.Value != "si" || c.Note != "delibera 3" || !c.At.Equal(carryAt) {
		t.Fatalf("carried E-1 = %+v %v", c, ok)
	}
	if got := CarriedLabel(next.Catalogue.Item("E-1"), c); got != "da verificare (prima: Sì, 12/03/2026)" {
		t.Fatalf("label %q", got)
	}
	at := carryAt.AddDate(1, 0, 0)
	conf := Confirm(c, "Bianchi", at)
	next.Answers = append(next.Answers, conf)
	next.Reindex()
	if _, ok := next.CarriedAnswer(EnteScope, "E-1"); ok {
		t.Fatal("confirmed answer still to re-verify")
	}
	if conf.Value != "si" || conf.Note != "delibera 3" || conf.Author != "Bianchi" || !conf.At.Equal(at) {
		t.Fatalf("confirmed = %+v", conf)
	}
	if s := Assess(next).Summary.Total.Counts; s.Yes != 1 {
		t.Fatalf("confirmed answer not counted: %+v", s)
	}
	if n := next.ToReverify(); n != len(p.Carried)-1 {
		t.Fatalf("to re-verify = %d", n)
	}
}

func TestDiff(t *testing.T) {
	prev := carryPrev()
	p, err := PlanCarry(prev, CarryRequest{Year: 2026, Auditors: []string{"A"}, Catalogue: carryNext(), Today: "2026-11-30"})
	if err != nil {
		t.Fatal(err)
	}
	p.Audit.ID = "next0001"
	p.Audit.Postazioni[0].Hardware.PC = "Dell 2"
	p.Audit.Postazioni = append(p.Audit.Postazioni, Postazione{Code: "CIE02", Sede: "Municipio"})
	p.Operators = append(p.Operators, Operator{ID: "op-2", Name: "Gialli", Role: RoleRegistrar})
	next := &Snapshot{Audit: p.Audit, Catalogue: carryNext(), Carried: p.Carried, Operators: p.Operators, Actions: map[string]ActionPlan{}}
	next.Answers = []Answer{
		{Scope: carryPos, Item: "P-1", Value: "si"}, // no → sì
		{Scope: carrySed, Item: "S-1", Value: "no"}, // parziale → no
		Confirm(p.Carried[0], "A", carryAt),         // E-1 sì → sì
		{Scope: carryPos, Item: "P-3", Value: "4"},  // sì → 4 (kind changed)
	}
	d, err := Diff(prev, next)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ItemChange{}
	for _, it := range d.Items {
		got[it.Scope.String()+"/"+it.Item] = it.Change
	}
	want := map[string]ItemChange{
		"postazione:CIE01/P-1": ItemImproved,
		"sede:Municipio/S-1":   ItemWorsened,
		"postazione:CIE01/P-3": ItemChanged,
		"ente/E-2":             ItemRemoved,
		"ente/N-1":             ItemNew,
		"sede:Municipio/P-2":   ItemNew,
		"postazione:CIE01/P-2": ItemRemoved,
		"postazione:CIE01/P-5": ItemRemoved,
		"postazione:CIE01/P-4": ItemChanged, // b no longer offered: not carried, now unanswered
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("items = %v", got)
	}
	if n := d.Count(ItemUnchanged); n != 1 {
		t.Errorf("unchanged = %d, want 1 (E-1)", n)
	}
	if n := d.Count(ItemReverify); n != 0 {
		t.Errorf("to re-verify = %d", n) // P-4 was dropped, the rest answered
	}
	per := map[string]bool{}
	for _, f := range d.Perimeter {
		per[f.What] = true
	}
	if !per["postazione:CIE01 pc"] || !per["postazione:CIE02"] || len(d.Perimeter) != 2 {
		t.Errorf("perimeter = %+v", d.Perimeter)
	}
	if len(d.Operators) != 2 { // Neri gone (revoked, not carried), Gialli new
		t.Errorf("operators = %+v", d.Operators)
	}
	if d.Old.Year != 2025 || d.New.Year != 2026 || len(d.ByCategory) != len(Categories) || len(d.ByLevel) != len(Levels) {
		t.Errorf("diff = %+v", d)
	}

	other := carryPrev()
	other.Audit.ID, other.Audit.Ente.ISTAT, other.Audit.Ente.Name = "altro001", "054002", "Comune di Altrove"
	if _, err := Diff(other, next); err == nil || !strings.Contains(err.Error(), "enti diversi") {
		t.Fatalf("different enti: %v", err)
	}
}

func TestOpenActions(t *testing.T) {
	prev := carryPrev()
	p, _ := PlanCarry(prev, CarryRequest{Year: 2026, Auditors: []string{"A"}, Today: "2026-11-30"})
	next := &Snapshot{Audit: p.Audit, Catalogue: prev.Catalogue, Carried: p.Carried, Actions: map[string]ActionPlan{}}
	next.Answers = []Answer{{Scope: carryPos, Item: "P-1", Value: "si"}}
	var got []string
	for _, a := range OpenActions(prev, next) {
		got = append(got, a.Item.ID)
	}
	// P-1 solved this year, S-1 done last year; E-2 and P-4 still open.
	if strings.Join(got, " ") != "E-2 P-4" {
		t.Fatalf("open = %v", got)
	}
}
