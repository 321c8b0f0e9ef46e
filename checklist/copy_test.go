package checklist

import (
	"strings"
	"testing"
)

func copySnapshot() *Snapshot {
	cat := &Catalogue{Sections: []Section{{ID: "S", Items: []Item{
		{ID: "P-1", Scope: ScopePostazione},
		{ID: "P-2", Scope: ScopePostazione},
		{ID: "P-3", Scope: ScopePostazione},
		{ID: "P-4", Scope: ScopePostazione, Answer: AnswerSpec{Kind: KindText}},
		{ID: "E-1", Scope: ScopeEnte},
	}}}}
	a1 := Scope{Kind: ScopePostazione, Name: "A1"}
	a2 := Scope{Kind: ScopePostazione, Name: "A2"}
	return &Snapshot{
		Audit:     Audit{Sedi: []Sede{{Name: "M"}}, Postazioni: []Postazione{{Code: "A1", Sede: "M"}, {Code: "A2", Sede: "M"}}},
		Catalogue: cat,
		Answers: []Answer{
			{Scope: a1, Item: "P-1", Value: "si"},
			{Scope: a1, Item: "P-2", Value: "no", Note: "rotto"},
			{Scope: a1, Item: "P-3", Value: "parziale"},
			{Scope: a2, Item: "P-2", Value: "no", Note: "rotto"},
			{Scope: a2, Item: "P-3", Value: "si"},
		},
	}
}

func TestPlanCopy(t *testing.T) {
	s := copySnapshot()
	a1 := Scope{Kind: ScopePostazione, Name: "A1"}
	a2 := Scope{Kind: ScopePostazione, Name: "A2"}
	p, err := PlanCopy(s, a1, a2)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Fill) != 1 || p.Fill[0].Item != "P-1" || len(p.Overwrite) != 1 || p.Overwrite[0].Item != "P-3" || p.Unchanged != 1 {
		t.Fatalf("plan = %+v", p)
	}
	if got := len(p.Answers(false)); got != 1 {
		t.Fatalf("answers without overwrite = %d", got)
	}
	if p.Reason != "copiata da Postazione A1" {
		t.Fatalf("reason %q", p.Reason)
	}
	for _, bad := range [][2]Scope{{a1, a1}, {EnteScope, EnteScope}, {a1, {Kind: ScopeSede, Name: "M"}}} {
		if _, err := PlanCopy(s, bad[0], bad[1]); err == nil {
			t.Errorf("PlanCopy(%v, %v) accepted", bad[0], bad[1])
		}
	}
	if got := CopySources(s.Audit, a2); len(got) != 1 || got[0] != a1 {
		t.Fatalf("sources = %v", got)
	}
}

func TestPlanBulk(t *testing.T) {
	s := copySnapshot()
	a2 := Scope{Kind: ScopePostazione, Name: "A2"}
	items := s.Catalogue.ItemsFor(ScopePostazione)
	p, err := PlanBulk(s, a2, items, OutcomeNo)
	if err != nil {
		t.Fatal(err)
	}
	// P-1 filled, P-3 overwritten, P-2 already no, P-4 (testo) left out.
	if len(p.Fill) != 1 || len(p.Overwrite) != 1 || p.Unchanged != 1 || !strings.Contains(p.Reason, "a 3 voci") {
		t.Fatalf("plan = %+v", p)
	}
	if _, err := PlanBulk(s, a2, items, OutcomeNotApplicable); err == nil {
		t.Fatal("bulk non applicabile accepted")
	}
}
