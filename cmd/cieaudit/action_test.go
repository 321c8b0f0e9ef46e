package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// actionPlans reads the action plans of the audit's JSON export.
func actionPlans(t *testing.T, db, id string) map[string]checklist.ActionPlan {
	t.Helper()
	var doc struct {
		ActionPlans []checklist.ActionPlan `json:"action_plans"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "export", id, "--format", "json")), &doc); err != nil {
		t.Fatalf("export --format json: %v", err)
	}
	out := map[string]checklist.ActionPlan{}
	for _, p := range doc.ActionPlans {
		out[p.Item] = p
	}
	return out
}

// TestCLIActionSet: action set stores owner, due date and status through
// checklist.CheckActionPlan, keeps the fields not given, and refuses a bad
// status or date (exit 2) or an unknown measure (exit 1) with the same
// message as storage and the TUI form, writing nothing.
func TestCLIActionSet(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "a.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	out := mustRun(t, db, "action", "set", id, "FIS-03", "--owner", "Ufficio tecnico", "--due", "31/03/2027", "--status", "in_corso")
	if want := "Salvata l'azione FIS-03: responsabile Ufficio tecnico; scadenza 31/03/2027; stato In corso"; strings.TrimSpace(out) != want {
		t.Fatalf("output %q, want %q", out, want)
	}
	mustRun(t, db, "action", "set", id, "FIS-03", "--status", "completata")
	want := checklist.ActionPlan{Item: "FIS-03", Owner: "Ufficio tecnico", Due: "2027-03-31", Status: checklist.ActionDone}
	if got := actionPlans(t, db, id)["FIS-03"]; got != want {
		t.Fatalf("stored %+v, want %+v", got, want)
	}
	refusals := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"FIS-03", "--status", "fatto"}, 2, `azione FIS-03: stato "fatto" non valido: usare da_avviare, in_corso o completata`},
		{[]string{"FIS-03", "--due", "marzo"}, 2, `azione FIS-03: scadenza "marzo" non valida`},
		{[]string{"NOPE", "--owner", "x"}, 1, `misura "NOPE" non presente nel catalogo`},
	}
	for _, r := range refusals {
		res := runCLI(t, db, append([]string{"action", "set", id}, r.args...)...)
		if res.Code != r.code || !strings.Contains(res.Stderr, r.want) || strings.Count(strings.TrimSpace(res.Stderr), "\n") != 0 {
			t.Errorf("action set %v: exit %d, stderr %q; want exit %d and one line with %q", r.args, res.Code, res.Stderr, r.code, r.want)
		}
	}
	if got := actionPlans(t, db, id)["FIS-03"]; got != want {
		t.Fatalf("after the refusals stored %+v, want %+v unchanged", got, want)
	}
}
