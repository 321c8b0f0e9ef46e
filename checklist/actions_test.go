package checklist

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestActions(t *testing.T) {
	s := testSnapshot(t,
		"ente E1 no", "ente E2 si", "ente X1 no",
		"sede:A S1 si", "sede:B S1 si",
		"postazione:PA P1 parziale", "postazione:PB P1 no",
		"postazione:PA P2 si", "postazione:PB P2 si",
		"postazione:PA P3 si", "postazione:PB P3 si",
		"postazione:PA C1 buono", "postazione:PB C1 buono",
	)
	s.Actions = map[string]ActionPlan{"P1": {Item: "P1", Owner: "Ufficio CED", Due: "2026-12-31", Status: ActionInProgress}}
	a := Assess(s)
	type red struct {
		key           string
		before, after float64
	}
	want := []struct {
		item     string
		outcome  Outcome
		findings []string
		scopes   []string
		priority string
		value    float64
		status   ActionStatus
		owner    string
		red      []red
	}{
		{
			item: "E1", outcome: OutcomeNo, findings: []string{"ente=no"},
			scopes: []string{"ente", "sede:A", "sede:B", "postazione:PA", "postazione:PB"},
			// The ente and sede rows (4.5 and 3.15) count only their own
			// measures: neither the priority nor the reductions use them.
			priority: "medio", value: 3.15, status: ActionToStart,
			red: []red{
				{"postazione:PA/T1", 2.835, 1.701}, // 1−0.5×0.7×0.9 → 1−0.6×0.5×0.7×0.9 (P1 parziale)
				{"postazione:PB/T1", 3.15, 1.89},   // P1 no
			},
		},
		{
			item: "P1", outcome: OutcomeNo, findings: []string{"postazione:PA=parziale", "postazione:PB=no"},
			scopes:   []string{"postazione:PA", "postazione:PB"},
			priority: "medio", value: 3.15, status: ActionInProgress, owner: "Ufficio CED",
			red: []red{
				{"postazione:PA/T1", 2.835, 2.52},
				{"postazione:PA/T2", 0.4, 0.4}, // capped before and after
				{"postazione:PB/T1", 3.15, 2.52},
				{"postazione:PB/T2", 0.4, 0.4},
			},
		},
		{
			// A measure countering no threat still needs doing, last.
			item: "X1", outcome: OutcomeNo, findings: []string{"ente=no"},
			scopes:   []string{"ente", "sede:A", "sede:B", "postazione:PA", "postazione:PB"},
			priority: "", value: 0, status: ActionToStart,
		},
	}
	if len(a.Actions) != len(want) {
		t.Fatalf("%d actions, want %d", len(a.Actions), len(want))
	}
	for i, w := range want {
		got := a.Actions[i]
		if got.Item.ID != w.item {
			t.Fatalf("action %d is %s, want %s", i, got.Item.ID, w.item)
		}
		var findings, scopes []string
		for _, f := range got.Findings {
			findings = append(findings, f.At.String()+"="+string(f.Outcome))
		}
		for _, sc := range got.Scopes {
			scopes = append(scopes, sc.String())
		}
		if got.Outcome != w.outcome || !slices.Equal(findings, w.findings) || !slices.Equal(scopes, w.scopes) {
			t.Errorf("%s: outcome %s findings %v scopes %v", w.item, got.Outcome, findings, scopes)
		}
		if got.Priority.ID != w.priority || !near(got.PriorityValue, w.value) {
			t.Errorf("%s: priority %q %v, want %q %v", w.item, got.Priority.ID, got.PriorityValue, w.priority, w.value)
		}
		if got.Plan.Status != w.status || got.Plan.Owner != w.owner || got.Plan.Item != w.item {
			t.Errorf("%s: plan %+v", w.item, got.Plan)
		}
		if len(got.Reductions) != len(w.red) {
			t.Fatalf("%s: %d reductions, want %d", w.item, len(got.Reductions), len(w.red))
		}
		for j, r := range got.Reductions {
			key := r.Scope.String() + "/" + r.Threat.ID
			if key != w.red[j].key || !near(r.Before, w.red[j].before) || !near(r.After, w.red[j].after) {
				t.Errorf("%s: reduction %s %v → %v, want %s %v → %v", w.item, key, r.Before, r.After, w.red[j].key, w.red[j].before, w.red[j].after)
			}
		}
	}
}

// TestNonConformitiesFirst: a normative measure answered no or parziale is
// listed before any good-practice action, whatever the residual, a missing
// duty before a partial one.
func TestNonConformitiesFirst(t *testing.T) {
	s := testSnapshot(t, "ente E1 no", "ente X1 parziale", "ente E2 no", "postazione:PA P1 no")
	c := s.Catalogue
	for _, id := range []string{"X1", "E2"} {
		c.Item(id).Origin = []Origin{OriginDecreeSummary}
	}
	c.Item("E1").Origin = []Origin{OriginCIE30, OriginInferred} // in parte buona pratica: not a non-conformità
	var got []string
	for _, act := range Assess(s).Actions {
		got = append(got, fmt.Sprintf("%s:%v", act.Item.ID, act.NonConformity))
	}
	// E2 (no) before X1 (parziale, and countering no threat); then the
	// good-practice actions by residual.
	if want := []string{"E2:true", "X1:true", "E1:false", "P1:false"}; !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}

func TestCheckActionPlan(t *testing.T) {
	t.Parallel()
	c := testCatalogue()
	item := c.Items()[0].ID
	tests := []struct {
		name    string
		in      ActionPlan
		want    ActionPlan
		wantErr string
	}{
		{"defaults", ActionPlan{Item: item}, ActionPlan{Item: item, Status: ActionToStart}, ""},
		{"normalised", ActionPlan{Item: " " + item + " ", Owner: "  Ufficio\ttecnico ", Due: " 31/03/2027 ", Status: ActionInProgress},
			ActionPlan{Item: item, Owner: CleanText("  Ufficio\ttecnico ", false), Due: "2027-03-31", Status: ActionInProgress}, ""},
		{"iso date kept", ActionPlan{Item: item, Due: "2027-03-31", Status: ActionDone}, ActionPlan{Item: item, Due: "2027-03-31", Status: ActionDone}, ""},
		{"bad status", ActionPlan{Item: item, Status: "fatto"}, ActionPlan{}, `stato "fatto" non valido: usare da_avviare, in_corso o completata`},
		{"bad date", ActionPlan{Item: item, Due: "marzo"}, ActionPlan{}, "scadenza"},
		{"impossible date", ActionPlan{Item: item, Due: "2027-02-30"}, ActionPlan{}, "scadenza"},
		{"unknown item", ActionPlan{Item: "NOPE"}, ActionPlan{}, `misura "NOPE" non presente nel catalogo`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := CheckActionPlan(c, tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("CheckActionPlan = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
