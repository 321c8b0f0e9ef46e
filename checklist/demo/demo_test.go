package demo

import (
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// TestBuildFollowsTheRules: the demo passes the same rules as what an
// auditor types, and every answer is already in its canonical form.
func TestBuildFollowsTheRules(t *testing.T) {
	cat, err := checklist.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	d := Build(cat)
	if err := d.Audit.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(d.Answers) == 0 || len(d.Evaluations) == 0 {
		t.Fatalf("demo has %d answers and %d evaluations", len(d.Answers), len(d.Evaluations))
	}
	for _, a := range d.Answers {
		it := cat.Item(a.Item)
		if it == nil || !d.Audit.HasScope(a.Scope) {
			t.Fatalf("answer %s at %s: item or scope not in the audit", a.Item, a.Scope)
		}
		v, err := checklist.NormaliseValue(it, a.Value, a.Note)
		if err != nil || v != a.Value {
			t.Errorf("answer %s at %s: %q normalises to %q, %v", a.Item, a.Scope, a.Value, v, err)
		}
	}
	if !Is(checklist.AuditSummary{ISTAT: ISTAT, Year: Year}) {
		t.Error("Is does not recognise the demo")
	}
}
