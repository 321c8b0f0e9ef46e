package checklist

import (
	"os"
	"slices"
	"testing"
)

func TestCitedActs(t *testing.T) {
	tests := []struct {
		ref  string
		want []string
	}{
		{"Circ. MI n. 53 del 4/10/2007 (versioni «alfa» e «beta» del piano)", []string{"Circolare n. 53/2007"}},
		{"circ. MI n. 53/2007", []string{"Circolare n. 53/2007"}},
		{"D.M. 2/8/2005 art. 8, come riportato dalla circ. MI n. 53/2007 (aggiornamento periodico)", []string{"D.M. 2 agosto 2005", "Circolare n. 53/2007"}},
		{"D.Lgs. 196/2003 (citato nelle premesse del D.M. 2/8/2005), art. 2-quaterdecies; Reg. UE 2016/679 art. 29", []string{"D.Lgs. n. 196/2003", "D.M. 2 agosto 2005", "Reg. (UE) 2016/679"}},
		{"L. 43/2005 art. 7-vicies ter c.2; D.M. 2/8/2005, premesse", []string{"L. n. 43/2005", "D.M. 2 agosto 2005"}},
		{"Foto del cittadino su supporto USB (prassi CIE 3.0)", nil},
		{"Guida alla console di sicurezza ANPR (ruoli ASC, APL, ALS, ALP)", nil},
		{"—", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, a := range CitedActs(tt.ref) {
			got = append(got, a.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("CitedActs(%q) = %q, want %q", tt.ref, got, tt.want)
		}
	}
}

// The built-in catalogue's quadro normativo: each act once, laws before
// decrees before EU regulations before circulars, the D.M. 2/8/2005 with
// its Allegato A, no guide or practice.
func TestNormativeActsBuiltIn(t *testing.T) {
	cat := builtInCatalogue(t)
	acts := NormativeActs(cat)
	seen := map[string]bool{}
	var names []string
	for i, a := range acts {
		if seen[a.Name] {
			t.Errorf("%s listed twice", a.Name)
		}
		seen[a.Name] = true
		names = append(names, a.Cited())
		if i > 0 && a.Kind < acts[i-1].Kind {
			t.Errorf("%s (kind %d) after %s", a.Name, a.Kind, acts[i-1].Name)
		}
		if len(a.Items) == 0 {
			t.Errorf("%s cited by no measure", a.Name)
		}
	}
	for _, w := range []string{"L. n. 43/2005", "D.M. 2 agosto 2005 e Allegato A", "D.M. 23 dicembre 2015", "Reg. (UE) 2016/679", "Circolare n. 4/2017", "Circolare n. 53/2007"} {
		if !slices.Contains(names, w) {
			t.Errorf("quadro normativo lacks %q: %q", w, names)
		}
	}
}

// Every macroprocess counts its measures at every scope, unanswered ones
// as not verified.
func TestSummaryByMacroprocess(t *testing.T) {
	cat := builtInCatalogue(t)
	snap := &Snapshot{Audit: Audit{ID: "x", Ente: Ente{Name: "Comune di Prova"}, Year: 2026}, Catalogue: cat}
	sum := Assess(snap).Summary
	if len(sum.ByMacroprocess) != len(Macroprocesses) {
		t.Fatalf("%d macroprocess rows", len(sum.ByMacroprocess))
	}
	for i, mp := range Macroprocesses {
		want := 0
		for _, it := range cat.ItemsFor(ScopeEnte) {
			if slices.Contains(it.Macroprocess, mp) {
				want++
			}
		}
		got := sum.ByMacroprocess[i]
		if got.Key != string(mp) || got.Counts.Total() != want || got.Counts.Unanswered != want || want == 0 {
			t.Errorf("%s: %+v, want %d unanswered", mp, got, want)
		}
	}
}

func builtInCatalogue(t *testing.T) *Catalogue {
	t.Helper()
	src, err := os.ReadFile("catalogues/cie-postazioni.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := Parse(src, "cie-postazioni.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
