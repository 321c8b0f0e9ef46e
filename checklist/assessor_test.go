package checklist

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/cieaudit/cieaudit/internal/golden"
)

// assessorCases are audits over three catalogues, interleaved the way a
// batch export meets them, with overrides, unanswered and unknown values.
func assessorCases() []*Snapshot {
	rng := rand.New(rand.NewPCG(21, 22))
	cats := []*Catalogue{randomCatalogue(rng, 30, 6), randomCatalogue(rng, 15, 3), workedCatalogue(testScale())}
	var out []*Snapshot
	for i := range 15 {
		c := cats[i%len(cats)]
		s := randomSnapshot(rng, c, randomAudit(1+rng.IntN(2), rng.IntN(4)+1))
		s.Audit.ID = fmt.Sprintf("A%02d", i)
		if i%4 == 1 && len(c.Threats) > 0 {
			s.Overrides = map[string]RiskOverride{c.Threats[0].ID: {Probability: 3, Impact: 2, Reason: "prova"}}
		}
		if i%5 == 2 && len(s.Answers) > 0 {
			s.Answers[0].Value = "forse" // a value the catalogue does not know
		}
		out = append(out, s)
	}
	return out
}

// TestAssessorMatchesAssess checks that an Assessor reused over many audits
// and catalogues gives exactly what a fresh Assess gives for each, and
// that both give what the engine gave before the Assessor existed (the
// golden file was written by the engine without per-catalogue reuse).
func TestAssessorMatchesAssess(t *testing.T) {
	as := NewAssessor()
	var all []json.RawMessage
	for _, s := range assessorCases() {
		want := Assess(s)
		got := as.Assess(s)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("audit %s: the reused Assessor differs from Assess", s.Audit.ID)
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b)
	}
	b, err := json.MarshalIndent(all, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/risk/assessor.golden.json", append(b, '\n'))
}

// BenchmarkAssessor is BenchmarkAssess with the catalogue's structures and
// the scratch indexes reused across audits, as the batch export does.
func BenchmarkAssessor(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	c := randomCatalogue(rng, 300, 17)
	s := randomSnapshot(rng, c, randomAudit(3, 10))
	as := NewAssessor()
	b.ReportAllocs()
	for b.Loop() {
		as.Assess(s)
	}
}
