package checklist

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ActKind groups the acts a catalogue cites, in the order a plan's quadro
// normativo lists them.
type ActKind int

const (
	ActLaw      ActKind = iota // leggi e decreti legislativi
	ActDecree                  // decreti ministeriali
	ActEU                      // regolamenti dell'Unione europea
	ActCircular                // circolari del Ministero dell'Interno
)

// Label is the Italian heading of the group.
func (k ActKind) Label() string {
	switch k {
	case ActLaw:
		return "Leggi e decreti legislativi"
	case ActDecree:
		return "Decreti ministeriali"
	case ActEU:
		return "Regolamenti dell'Unione europea"
	case ActCircular:
		return "Circolari del Ministero dell'Interno"
	}
	return ""
}

// Act is one normative act cited by the catalogue's normative measures,
// however each reference spells it, with the measures citing it.
type Act struct {
	Kind ActKind
	// Name is the act as a plan cites it: "D.M. 2 agosto 2005",
	// "Circolare n. 4/2017", "Reg. (UE) 2016/679".
	Name string
	// Annex is true when a measure cites the act's Allegato A.
	Annex bool
	// Items are the IDs of the measures citing it, in catalogue order.
	Items []string

	year, number, month, day int
}

var (
	reLaw      = regexp.MustCompile(`\b(L|D\.\s?Lgs)\.\s*(?:n\.\s*)?(\d+)/(\d{4})`)
	reDecree   = regexp.MustCompile(`\bD\.\s?M\.(?:\s+(?:Interno|MI))?\s+(\d{1,2})/(\d{1,2})/(\d{4})`)
	reEU       = regexp.MustCompile(`\bReg\.\s*(?:\()?UE(?:\))?\s*(?:n\.\s*)?(\d{4})/(\d+)`)
	reCircular = regexp.MustCompile(`(?i)\bcirc(?:\.|olare)\s+(?:MI\s+)?(?:n\.\s*)?(\d+)(?:/(\d{4})|\s+del\s+\d{1,2}/\d{1,2}/(\d{4}))`)
	reAnnexA   = regexp.MustCompile(`(?i)allegato\s+A\b`)
)

var actMonths = [...]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
	"luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}

// CitedActs finds the acts in one reference text: "Circ. MI n. 53 del
// 4/10/2007" and "circ. MI n. 53/2007" are the same act. Text naming no
// act (a guide, a practice, a press note) gives none.
func CitedActs(ref string) []Act {
	var out []Act
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	for _, m := range reLaw.FindAllStringSubmatch(ref, -1) {
		a := Act{Kind: ActLaw, number: atoi(m[2]), year: atoi(m[3])}
		if m[1] == "L" {
			a.Name = fmt.Sprintf("L. n. %d/%d", a.number, a.year)
		} else {
			a.Name = fmt.Sprintf("D.Lgs. n. %d/%d", a.number, a.year)
		}
		out = append(out, a)
	}
	for _, m := range reDecree.FindAllStringSubmatch(ref, -1) {
		a := Act{Kind: ActDecree, day: atoi(m[1]), month: atoi(m[2]), year: atoi(m[3])}
		if a.month < 1 || a.month > 12 {
			continue
		}
		a.Name = fmt.Sprintf("D.M. %d %s %d", a.day, actMonths[a.month-1], a.year)
		out = append(out, a)
	}
	for _, m := range reEU.FindAllStringSubmatch(ref, -1) {
		a := Act{Kind: ActEU, year: atoi(m[1]), number: atoi(m[2])}
		a.Name = fmt.Sprintf("Reg. (UE) %d/%d", a.year, a.number)
		out = append(out, a)
	}
	for _, m := range reCircular.FindAllStringSubmatch(ref, -1) {
		a := Act{Kind: ActCircular, number: atoi(m[1]), year: atoi(m[2] + m[3])}
		a.Name = fmt.Sprintf("Circolare n. %d/%d", a.number, a.year)
		out = append(out, a)
	}
	return out
}

// NormativeActs is the catalogue's quadro normativo: every act cited by
// a measure with a normative origin, once, grouped by kind and in date
// order, with the measures citing it. Good practice measures cite no law,
// so their references are left out; so is the catalogue's own notice.
func NormativeActs(cat *Catalogue) []Act {
	byName := map[string]int{}
	var acts []Act
	for _, it := range cat.Items() {
		if !it.IsNormative() {
			continue
		}
		annex := reAnnexA.MatchString(it.Reference)
		for _, a := range CitedActs(it.Reference) {
			i, ok := byName[a.Name]
			if !ok {
				i = len(acts)
				byName[a.Name] = i
				acts = append(acts, a)
			}
			if !slices.Contains(acts[i].Items, it.ID) {
				acts[i].Items = append(acts[i].Items, it.ID)
			}
			// Allegato A belongs to the D.M. 2/8/2005, the only decree
			// with a security annex among the CIE acts.
			if annex && a.Kind == ActDecree && a.year == 2005 {
				acts[i].Annex = true
			}
		}
	}
	slices.SortStableFunc(acts, func(a, b Act) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.year, b.year), cmp.Compare(a.month, b.month),
			cmp.Compare(a.day, b.day), cmp.Compare(a.number, b.number))
	})
	return acts
}

// Cited is the act's name with its annex: "D.M. 2 agosto 2005 e
// Allegato A".
func (a Act) Cited() string {
	if a.Annex {
		return a.Name + " e Allegato A"
	}
	return a.Name
}

// ItemsLabel lists the citing measures: "misura ORG-01" or "misure
// ORG-01, FIS-02".
func (a Act) ItemsLabel() string {
	if len(a.Items) == 1 {
		return "misura " + a.Items[0]
	}
	return "misure " + strings.Join(a.Items, ", ")
}
