package demo

import (
	"encoding/json"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// TestSynthetic: the generator gives the same audit for the same number, a
// valid perimeter, every item of every scope answered (the last answer of an
// item wins), a justification on every na, and ISTAT codes never the demo's.
func TestSynthetic(t *testing.T) {
	cat, err := checklist.Parse(checklist.BuiltinSource, checklist.BuiltinFilename)
	if err != nil {
		t.Fatal(err)
	}
	a, b := Synthetic(cat, 7), Synthetic(cat, 7)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("Synthetic(7) differs between two calls")
	}
	for _, n := range []int{0, 1, 98_000, 899_999, 900_000} {
		sa := Synthetic(cat, n)
		if sa.Audit.Ente.ISTAT == ISTAT || len(sa.Audit.Ente.ISTAT) != 6 {
			t.Errorf("Synthetic(%d): ISTAT %q", n, sa.Audit.Ente.ISTAT)
		}
		want := 0
		for _, sc := range sa.Audit.Scopes() {
			want += len(cat.ItemsFor(sc.Kind))
		}
		last := map[string]checklist.Answer{}
		for _, ans := range sa.Answers {
			last[ans.Scope.String()+"/"+ans.Item] = ans
		}
		if len(last) != want {
			t.Errorf("Synthetic(%d): %d items answered, want %d", n, len(last), want)
		}
		for k, ans := range last {
			if ans.Value == string(checklist.OutcomeNotApplicable) && ans.Note == "" {
				t.Errorf("Synthetic(%d): %s is na without a note", n, k)
			}
		}
	}
}
