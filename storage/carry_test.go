package storage

import (
	"errors"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

func TestCreateCarried(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no", Note: "manca la nomina", Author: "giulia"})
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "si", Author: "giulia"})
	mustSave(t, s, a.ID, checklist.Answer{Scope: sedeMunicipio, Item: "FIS-01", Value: "si", Author: "giulia"})
	if err := s.SaveActionPlan(a.ID, checklist.ActionPlan{Item: "ORG-01", Owner: "Sindaco", Status: checklist.ActionInProgress}, "giulia"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddOperator(a.ID, checklist.Operator{Name: "Eva Neri", Role: checklist.RoleRegistrar, Postazioni: []string{"PG0991A01"}}, "giulia"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveCatalogue(readTestdata(t, "catalogue-v2.yaml"), "catalogue-v2.yaml"); err != nil {
		t.Fatal(err)
	}
	req := checklist.CarryRequest{Year: 2027, Auditors: []string{"Marco"}}

	// The preview and the creation agree; the upgrade is by item ID.
	plan, err := s.PlanCarry(a.ID, "prova-archivio@2", req)
	if err != nil {
		t.Fatal(err)
	}
	next, rep, err := s.CreateCarried(a.ID, "prova-archivio@2", req, "marco")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Carried != plan.Report.Carried || rep.Carried != 2 || len(rep.Removed) != 1 || rep.Removed[0].Item != "FIS-03" || rep.Removed[0].Answers != 1 ||
		len(rep.Added) != 1 || rep.Added[0].Item != "ORG-03" {
		t.Fatalf("report = %+v", rep)
	}
	if next.Predecessor != a.ID || next.Year != 2027 || next.CatalogueKey() != "prova-archivio@2" || len(next.Postazioni) != 2 {
		t.Fatalf("audit = %+v", next)
	}
	snap, err := s.Load(next.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Answers) != 0 || len(snap.Carried) != 2 || snap.Upgrade == nil || snap.Upgrade.Removed[0].Item != "FIS-03" {
		t.Fatalf("snapshot answers %v carried %v upgrade %+v", snap.Answers, snap.Carried, snap.Upgrade)
	}
	if p := snap.Actions["ORG-01"]; p.Owner != "Sindaco" || len(snap.Operators) != 1 || snap.Operators[0].ID != "op-1" {
		t.Fatalf("actions %+v operators %+v", snap.Actions, snap.Operators)
	}
	list, _ := s.ListAudits()
	for _, sum := range list {
		if sum.ID == next.ID && sum.Progress.Answered != 0 {
			t.Fatalf("carried answers counted as answered: %+v", sum.Progress)
		}
	}

	// One confirmation saves the previous value and note; another answer
	// settles the other carried item; the history says where each came from.
	res, err := s.ConfirmCarried(next.ID, checklist.EnteScope, "ORG-01", "marco")
	if err != nil || res.Answer.Value != "no" || res.Answer.Note != "manca la nomina" || res.Answer.Author != "marco" {
		t.Fatalf("confirm = %+v %v", res, err)
	}
	if _, err := s.ConfirmCarried(next.ID, checklist.EnteScope, "ORG-01", "marco"); !errors.Is(err, ErrNotCarried) {
		t.Fatalf("second confirmation: %v", err)
	}
	mustSave(t, s, next.ID, checklist.Answer{Scope: sedeMunicipio, Item: "FIS-01", Value: "no", Author: "marco"})
	snap, _ = s.Load(next.ID)
	if len(snap.Carried) != 0 || snap.ToReverify() != 0 || len(snap.Answers) != 2 {
		t.Fatalf("after answering: carried %v answers %v", snap.Carried, snap.Answers)
	}
	var kinds []string
	confirmed := false
	for _, c := range snap.History {
		kinds = append(kinds, string(c.Kind))
		if c.Kind == checklist.ChangeAnswer && c.Item == "ORG-01" && strings.Contains(c.Reason, "confermata") {
			confirmed = true
		}
	}
	if !confirmed || !strings.Contains(strings.Join(kinds, " "), "riporto") {
		t.Fatalf("history kinds %v", kinds)
	}
	if rep, err := s.Check(); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check = %+v %v", rep, err)
	}

	// A chain: the third year follows the second.
	third, _, err := s.CreateCarried(next.ID, "", checklist.CarryRequest{Year: 2028, Auditors: []string{"Marco"}}, "marco")
	if err != nil || third.Predecessor != next.ID {
		t.Fatalf("third = %+v %v", third, err)
	}
	if snap3, _ := s.Load(third.ID); len(snap3.Carried) != 2 {
		t.Fatalf("third carried %v", snap3.Carried)
	}
	chain, err := s.LoadChain(third.ID, 10)
	if err != nil || len(chain.Previous) != 2 || chain.Previous[0].Audit.ID != next.ID || chain.Previous[1].Audit.ID != a.ID {
		t.Fatalf("chain of %s: %v", third.ID, err)
	}
	if short, _ := s.LoadChain(third.ID, 1); len(short.Previous) != 1 {
		t.Fatalf("depth 1 gave %d predecessors", len(short.Previous))
	}

	// Refused: nothing is created.
	before, _ := s.ListAudits()
	for _, bad := range []struct {
		prev, cat string
		req       checklist.CarryRequest
	}{
		{"nessuno1", "", req},
		{a.ID, "manca@9", req},
		{a.ID, "", checklist.CarryRequest{Year: 2020, Auditors: []string{"M"}}},
	} {
		if _, _, err := s.CreateCarried(bad.prev, bad.cat, bad.req, "marco"); err == nil {
			t.Errorf("CreateCarried(%q, %q, %+v) accepted", bad.prev, bad.cat, bad.req)
		}
	}
	if after, _ := s.ListAudits(); len(after) != len(before) {
		t.Fatalf("refused carries created %d audits", len(after)-len(before))
	}
}
