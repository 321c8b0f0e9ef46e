package export

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// chainSnapshots builds three years of one ente: the fixture audit as the
// first, then two carried audits with some answers changed.
func chainSnapshots(t *testing.T) *checklist.Snapshot {
	t.Helper()
	first := fixtureSnapshot()
	next := func(prev *checklist.Snapshot, id string, year int, change func(s *checklist.Snapshot)) *checklist.Snapshot {
		p, err := checklist.PlanCarry(prev, checklist.CarryRequest{Year: year, Auditors: []string{"Bianchi"}, Today: "2027-11-30"})
		if err != nil {
			t.Fatal(err)
		}
		p.Audit.ID = id
		p.Audit.CreatedAt = prev.Audit.CreatedAt.AddDate(1, 0, 0)
		p.Audit.UpdatedAt = p.Audit.CreatedAt
		s := &checklist.Snapshot{Audit: p.Audit, Catalogue: prev.Catalogue, Carried: p.Carried, Evaluations: p.Evaluations,
			Operators: p.Operators, Actions: map[string]checklist.ActionPlan{}, Overrides: map[string]checklist.RiskOverride{}}
		for _, ap := range p.Actions {
			s.Actions[ap.Item] = ap
		}
		change(s)
		s.Previous = append([]*checklist.Snapshot{prev}, prev.Previous...)
		return s
	}
	at := time.Date(2027, 11, 30, 10, 0, 0, 0, time.UTC)
	second := next(first, "aud-2027-0001", 2027, func(s *checklist.Snapshot) {
		// Every carried "no" fixed, every "sì" confirmed.
		for _, c := range s.Carried {
			if c.Value == "no" || c.Value == "si" {
				s.Answers = append(s.Answers, checklist.Answer{Scope: c.Scope, Item: c.Item, Value: "si", Author: "Bianchi", At: at})
			}
		}
	})
	return next(second, "aud-2028-0001", 2028, func(s *checklist.Snapshot) {
		for i, c := range s.Carried {
			v := "si"
			if i == 0 {
				v = "no" // one worsened
			}
			s.Answers = append(s.Answers, checklist.Answer{Scope: c.Scope, Item: c.Item, Value: v, Author: "Verdi", At: at.AddDate(1, 0, 0)})
		}
		s.Audit.Postazioni = append(s.Audit.Postazioni, checklist.Postazione{Code: "NUOVA01", Sede: s.Audit.Sedi[0].Name})
	})
}

func TestComparisonInReports(t *testing.T) {
	snap := chainSnapshots(t)
	var html bytes.Buffer
	if err := WriteHTML(&html, snap, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5.4 Confronto con l'audit precedente", "audit aud-2027-0001 del 2027", "Peggiorate", "NUOVA01", "<th>2026</th><th>2027</th><th>2028</th>"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	var csv bytes.Buffer
	if err := WriteCSV(&csv, TableComparison, snap, nil, DialectExcel); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	worsened, perimeter := 0, 0
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "aud-2028-0001;aud-2027-0001;2027;") {
			t.Errorf("row %q", l)
		}
		worsened += strings.Count(l, ";peggiorata;")
		perimeter += strings.Count(l, ";perimetro;postazione:NUOVA01;")
	}
	if worsened != 1 || perimeter != 1 {
		t.Errorf("confronto.csv: %d worsened, %d perimeter rows\n%s", worsened, perimeter, csv.String())
	}
	pages := strings.Join(pdfPages(t, snap), "\n")
	for _, want := range []string{"5.4 Confronto con l'audit precedente", "Conformità per categoria negli anni", "Ancora aperte dalle azioni dell'anno precedente"} {
		if !strings.Contains(pages, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}

	// Without predecessors: no section, an empty table.
	plain := fixtureSnapshot()
	html.Reset()
	if err := WriteHTML(&html, plain, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html.String(), "Confronto con") {
		t.Error("a first audit has a comparison section")
	}
}
