package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/internal/golden"
)

// riskJSON is the part of "cieaudit risk --json" the tests read.
type riskJSON struct {
	Audit       string `json:"audit"`
	Provisional bool   `json:"provisional"`
	Risks       []struct {
		Scope       string   `json:"scope"`
		Threat      string   `json:"threat"`
		Inherent    float64  `json:"inherent"`
		Residual    float64  `json:"residual"`
		Band        string   `json:"band"`
		Provisional bool     `json:"provisional"`
		Missing     []string `json:"missing"`
	} `json:"risks"`
	Actions []struct {
		Item     string `json:"item"`
		Priority string `json:"priority"`
		Status   string `json:"status"`
	} `json:"actions"`
}

func riskOf(t *testing.T, db, id string) riskJSON {
	t.Helper()
	var r riskJSON
	if err := json.Unmarshal([]byte(mustRun(t, db, "risk", id, "--json")), &r); err != nil {
		t.Fatalf("risk --json: %v", err)
	}
	return r
}

func residual(t *testing.T, r riskJSON, scope, threat string) (float64, bool) {
	t.Helper()
	for _, x := range r.Risks {
		if x.Scope == scope && x.Threat == threat {
			return x.Residual, x.Provisional
		}
	}
	t.Fatalf("risk --json has no %s/%s", scope, threat)
	return 0, false
}

// TestCLIRisk answers a measure linked to T01 at a workstation and watches
// the workstation's residual risk follow, through the real binary and file.
// The catalogue and its hand-computed figures: checklist/testdata/risk/cli.yaml.
func TestCLIRisk(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--year", "2026",
		"--auditor", "Rossi", "--catalog", "../../checklist/testdata/risk/cli.yaml"))
	mustRun(t, db, "workstation", "add", id, "--code", "PC01", "--sede", "Municipio")
	const pc = "postazione:PC01"

	steps := []struct {
		name        string
		answer      []string // scope item value
		residual    float64
		provisional bool // some measure linked to T01 is unanswered
		actions     int
	}{
		{"nothing answered", nil, 9, true, 0},
		{"TEC-01 sì halves T01", []string{pc, "TEC-01", "si"}, 4.5, true, 0},
		{"ORG-01 sì at the ente is inherited", []string{"ente", "ORG-01", "si"}, 2.7, true, 0},            // 9 × 0.6 × 0.5
		{"TEC-01 no brings it back up", []string{pc, "TEC-01", "no"}, 5.4, true, 1},                       // 9 × 0.6
		{"FIS-01 parziale at the sede", []string{"sede:Municipio", "FIS-01", "parziale"}, 4.59, false, 2}, // 9 × 0.6 × 0.85
	}
	for _, st := range steps {
		if st.answer != nil {
			mustRun(t, db, "answer", id, "--scope", st.answer[0], "--item", st.answer[1], "--value", st.answer[2])
		}
		r := riskOf(t, db, id)
		got, provisional := residual(t, r, pc, "T01")
		if math.Abs(got-st.residual) > 1e-4 || provisional != st.provisional {
			t.Errorf("%s: residual %v provisional %v, want %v %v", st.name, got, provisional, st.residual, st.provisional)
		}
		if !r.Provisional {
			t.Errorf("%s: TEC-02 is unanswered, the assessment must be provisional", st.name)
		}
		if len(r.Actions) != st.actions {
			t.Errorf("%s: %d actions, want %d", st.name, len(r.Actions), st.actions)
		}
	}
	// The ente does not see the workstation's measures.
	if got, _ := residual(t, riskOf(t, db, id), "ente", "T01"); math.Abs(got-5.4) > 1e-4 {
		t.Errorf("ente T01 residual %v, want 5.4 (ORG-01 only)", got)
	}

	text := mustRun(t, db, "risk", id)
	for _, want := range []string{
		"Analisi dei rischi — Comune di Prova",
		"Quadro provvisorio: ",
		"CONFORMITÀ",
		"RISCHIO PER IL COMUNE",
		"RISCHI PRINCIPALI",
		"TEC-01 Sessione chiusa quando l'operatore si allontana (Postazione PC01): no: non conta",
		"FIS-01 Locale ad accesso controllato (Sede Municipio): parziale: 50% di 30% = 15%",
		"AZIONI CORRETTIVE",
		"Da avviare",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("risk output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\x1b[") {
		t.Error("risk output to a pipe contains escape sequences")
	}
}

// TestCLIRiskOverride sets, reads back and removes a per-audit override of
// probability and impact through the real binary and file.
func TestCLIRiskOverride(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--year", "2026",
		"--auditor", "Rossi", "--catalog", "../../checklist/testdata/risk/cli.yaml"))
	mustRun(t, db, "workstation", "add", id, "--code", "PC01", "--sede", "Municipio")
	out := mustRun(t, db, "risk", id, "--set", "T01", "--probability", "1", "--impact", "2", "--reason", "sportello al secondo piano, senza pubblico")
	if !strings.Contains(out, "Salvato: T01 probabilità 1 × impatto 2") {
		t.Errorf("--set printed %q", out)
	}
	if got, _ := residual(t, riskOf(t, db, id), "postazione:PC01", "T01"); math.Abs(got-2) > 1e-4 {
		t.Errorf("residual after the override %v, want 2 (1 × 2, nothing answered)", got)
	}
	if text := mustRun(t, db, "risk", id); !strings.Contains(text, "sportello al secondo piano, senza pubblico") || !strings.Contains(text, "1†") {
		t.Errorf("risk text lacks the override and its reason:\n%s", text)
	}
	mustRun(t, db, "risk", id, "--set", "T01", "--reset", "--reason", "torna al catalogo")
	if got, _ := residual(t, riskOf(t, db, id), "postazione:PC01", "T01"); math.Abs(got-9) > 1e-4 {
		t.Errorf("residual after --reset %v, want 9", got)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--set", "T01", "--probability", "7", "--impact", "2", "--reason", "x"}, 1, "probabilità 7 fuori scala: deve essere tra 1 e 3"},
		{[]string{"--set", "T01", "--probability", "2", "--impact", "2"}, 1, "richiede una motivazione"},
		{[]string{"--set", "T99", "--probability", "2", "--impact", "2", "--reason", "x"}, 1, `minaccia "T99" non presente`},
		{[]string{"--set", "T01", "--probability", "2", "--reason", "x"}, 2, "--set richiede --probability e --impact"},
		{[]string{"--probability", "2"}, 2, "--probability vale solo con --set"},
	} {
		r := runCLI(t, db, append([]string{"risk", id}, tt.args...)...)
		if r.Code != tt.code || !strings.Contains(r.Stderr, tt.want) {
			t.Errorf("risk %v: exit %d stderr %q, want %d and %q", tt.args, r.Code, r.Stderr, tt.code, tt.want)
		}
	}
	if h := mustRun(t, db, "risk", id, "--json"); strings.Contains(h, `"overridden": true`) {
		t.Error("a refused override changed the audit")
	}
}

func TestCLIRiskErrors(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "audit.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown audit", []string{"risk", "zzzzzzzz"}, 1, "non trovato"},
		{"no audit", []string{"risk"}, 2, "risk"},
		{"unknown flag", []string{"risk", "x", "--csv"}, 2, "csv"},
		{"override of an unknown audit", []string{"risk", "zzzzzzzz", "--set", "T01", "--probability", "1", "--impact", "1", "--reason", "x"}, 1, "non trovato"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, db, tt.args...)
			if r.Code != tt.code || !strings.Contains(r.Stderr, tt.want) || strings.Contains(r.Stderr, "panic") {
				t.Errorf("exit %d stderr %q: want exit %d and %q", r.Code, r.Stderr, tt.code, tt.want)
			}
		})
	}
}

// TestPrintRiskGolden pins the text layout of "cieaudit risk" on a small
// audit with an override, a planned action and an unanswered measure.
func TestPrintRiskGolden(t *testing.T) {
	t.Parallel()
	const catalogue = "../../checklist/testdata/risk/cli.yaml"
	src, err := os.ReadFile(catalogue)
	if err != nil {
		t.Fatal(err)
	}
	c, err := checklist.Parse(src, catalogue)
	if err != nil {
		t.Fatal(err)
	}
	snap := &checklist.Snapshot{
		Audit: checklist.Audit{
			ID: "abcd1234", Year: 2026, Ente: checklist.Ente{Name: "Comune di Prova"},
			Sedi:       []checklist.Sede{{Name: "Municipio"}},
			Postazioni: []checklist.Postazione{{Code: "PC01", Sede: "Municipio"}, {Code: "PC02", Sede: "Municipio"}},
		},
		Catalogue: c,
		Overrides: map[string]checklist.RiskOverride{"T02": {Threat: "T02", Probability: 1, Impact: 2, Reason: "apparati in armadio blindato"}},
		Actions:   map[string]checklist.ActionPlan{"TEC-01": {Item: "TEC-01", Owner: "Ufficio CED", Due: "2026-12-31", Status: checklist.ActionInProgress}},
	}
	for _, a := range []struct{ scope, item, value string }{
		{"ente", "ORG-01", "si"},
		{"sede:Municipio", "FIS-01", "parziale"},
		{"postazione:PC01", "TEC-01", "si"},
		{"postazione:PC01", "TEC-02", "si"},
		{"postazione:PC02", "TEC-01", "no"},
	} {
		sc, _ := checklist.ParseScope(a.scope)
		snap.Answers = append(snap.Answers, checklist.Answer{Scope: sc, Item: a.item, Value: a.value})
	}
	var out bytes.Buffer
	if err := printRisk(&out, snap, checklist.Assess(snap), true); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "../../checklist/testdata/risk/cli-text.golden", out.Bytes())
}
