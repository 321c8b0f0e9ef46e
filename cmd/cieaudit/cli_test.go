package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// buildBinary builds the real cieaudit binary once per test run and returns
// its path. End-to-end tests drive it as users do.
func buildBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "cieaudit-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "cieaudit")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("building cieaudit: %v", buildErr)
	}
	return binPath
}

type buildError struct {
	err    error
	output string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.output }

// cliResult is what one run of the binary produced.
type cliResult struct {
	Stdout, Stderr string
	Code           int
}

// runCLI runs the binary with --db db (when db is not empty) and the given
// arguments, as user "collaudo", and returns its output and exit code.
func runCLI(t testing.TB, db string, args ...string) cliResult {
	t.Helper()
	return runCLIInput(t, db, "", args...)
}

func runCLIInput(t testing.TB, db, stdin string, args ...string) cliResult {
	t.Helper()
	bin := buildBinary(t)
	if db != "" {
		args = append([]string{"--db", db}, args...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "CIEAUDIT_USER=collaudo", "CIEAUDIT_DB=", "NO_COLOR=1")
	cmd.Stdin = strings.NewReader(stdin)
	return runProcess(t, cmd)
}

// runProcess runs cmd and returns its output and exit code; only a failure
// to start it fails the test.
func runProcess(t testing.TB, cmd *exec.Cmd) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", cmd.Args, err)
	}
	return cliResult{stdout.String(), stderr.String(), code}
}

// mustRun runs the binary and fails the test unless it exits 0.
func mustRun(t testing.TB, db string, args ...string) string {
	t.Helper()
	r := runCLI(t, db, args...)
	if r.Code != 0 {
		t.Fatalf("cieaudit %v: exit %d\nstdout: %s\nstderr: %s", args, r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// newAuditWithWorkstation creates an audit with one workstation "PC01" in
// sede "Municipio" and returns its ID.
func newAuditWithWorkstation(t testing.TB, db string) string {
	t.Helper()
	id := strings.TrimSpace(mustRun(t, db, "audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--year", "2026", "--auditor", "Rossi"))
	mustRun(t, db, "workstation", "add", id, "--code", "PC01", "--sede", "Municipio", "--room", "Anagrafe")
	return id
}

type shownAudit struct {
	ID         string                `json:"id"`
	Status     string                `json:"status"`
	Ente       struct{ Name string } `json:"ente"`
	Sedi       []struct{ Name string }
	Postazioni []struct{ Code, Sede, Room string }
	Answers    []struct {
		Scope, Item, Value, Note, Author string
		Rev                              int
	} `json:"answers"`
	Progress struct{ Total, Answered int } `json:"progress"`
}

func showAudit(t testing.TB, db, id string) shownAudit {
	t.Helper()
	var s shownAudit
	if err := json.Unmarshal([]byte(mustRun(t, db, "audit", "show", id, "--json")), &s); err != nil {
		t.Fatalf("audit show --json: %v", err)
	}
	return s
}

func TestCLIAuditLifecycle(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "audit.db")
	id := newAuditWithWorkstation(t, db)
	if len(id) != 8 {
		t.Fatalf("audit id %q: want 8 characters", id)
	}

	mustRun(t, db, "answer", id, "--scope", "postazione:PC01", "--item", "TEC-01", "--value", "si")
	mustRun(t, db, "answer", id, "--scope", "postazione:PC01", "--item", "TEC-01", "--value", "parziale", "--note", "Una SCO è condivisa")
	mustRun(t, db, "answer", id, "--scope", "ente", "--item", "ORG-01", "--value", "no")

	got := showAudit(t, db, id)
	if got.ID != id || got.Ente.Name != "Comune di Prova" || len(got.Postazioni) != 1 || got.Postazioni[0].Sede != "Municipio" || len(got.Sedi) != 1 {
		t.Fatalf("audit show: %+v", got)
	}
	answers := map[string]string{}
	for _, a := range got.Answers {
		answers[a.Scope+"/"+a.Item] = a.Value + "|" + a.Note + "|" + a.Author
	}
	want := map[string]string{
		"postazione:PC01/TEC-01": "parziale|Una SCO è condivisa|collaudo",
		"ente/ORG-01":            "no||collaudo",
	}
	for k, v := range want {
		if answers[k] != v {
			t.Errorf("answer %s = %q, want %q", k, answers[k], v)
		}
	}
	if got.Progress.Answered != 2 || got.Status != "in_corso" {
		t.Errorf("progress %+v, status %q: want 2 answered, in_corso", got.Progress, got.Status)
	}

	list := mustRun(t, db, "audit", "list")
	if !strings.Contains(list, id) || !strings.Contains(list, "Comune di Prova") {
		t.Errorf("audit list does not show the audit:\n%s", list)
	}
	var doc struct {
		Audits []struct {
			ID       string `json:"id"`
			Answered int    `json:"answered"`
		} `json:"audits"`
	}
	err := json.Unmarshal([]byte(mustRun(t, db, "audit", "list", "--json")), &doc)
	if rows := doc.Audits; err != nil || len(rows) != 1 || rows[0].ID != id || rows[0].Answered != 2 {
		t.Errorf("audit list --json = %+v (%v)", rows, err)
	}
}

func TestCLIAnswerClears(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "audit.db")
	id := newAuditWithWorkstation(t, db)
	mustRun(t, db, "answer", id, "--scope", "ente", "--item", "ORG-01", "--value", "na", "--note", "Delega in corso")
	out := mustRun(t, db, "answer", id, "--scope", "ente", "--item", "ORG-01", "--value", "")
	if !strings.Contains(out, "ente ORG-01 riportata a Non verificato") {
		t.Fatalf("clearing said %q", out)
	}
	got := showAudit(t, db, id)
	for _, a := range got.Answers {
		if a.Item == "ORG-01" && (a.Value != "" || a.Note != "") {
			t.Fatalf("ORG-01 after clearing = %+v, want value and note empty", a)
		}
	}
	if got.Progress.Answered != 0 {
		t.Fatalf("answered = %d after clearing the only answer", got.Progress.Answered)
	}
}

func TestCLIRejectsBadInput(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "audit.db")
	id := newAuditWithWorkstation(t, db)
	tests := []struct {
		name     string
		args     []string
		code     int
		stderrIn string
	}{
		{"unknown value", []string{"answer", id, "--scope", "ente", "--item", "ORG-01", "--value", "forse"}, 1, `esito "forse" non valido`},
		{"na without note", []string{"answer", id, "--scope", "ente", "--item", "ORG-01", "--value", "na"}, 1, "giustificazione"},
		{"unknown item", []string{"answer", id, "--scope", "ente", "--item", "XYZ-99", "--value", "si"}, 1, "XYZ-99"},
		{"item at the wrong scope", []string{"answer", id, "--scope", "ente", "--item", "TEC-01", "--value", "si"}, 1, "TEC-01"},
		{"unknown workstation", []string{"answer", id, "--scope", "postazione:NOPE", "--item", "TEC-01", "--value", "si"}, 1, "NOPE"},
		{"malformed scope", []string{"answer", id, "--scope", "ufficio:1", "--item", "TEC-01", "--value", "si"}, 2, "ambito"},
		{"unknown audit", []string{"audit", "show", "zzzzzzzz"}, 1, "non trovato"},
		{"missing flag", []string{"answer", id, "--scope", "ente", "--item", "ORG-01"}, 2, "value"},
		{"unknown command", []string{"frobnicate"}, 2, "frobnicate"},
		{"bad istat", []string{"audit", "new", "--ente", "X", "--istat", "12", "--year", "2026", "--auditor", "Y"}, 2, "ISTAT"},
		{"missing argument", []string{"audit", "show"}, 2, "serve 1 argomento, ricevuti 0"},
		{"unquoted text with spaces", []string{"audit", "list", "di", "troppo"}, 2, "argomento inatteso"},
		{"bad flag value", []string{"audit", "new", "--ente", "X", "--istat", "054001", "--year", "duemila", "--auditor", "Y"}, 2, `valore "duemila" non valido per l'opzione "--year"`},
		{"duplicate workstation", []string{"workstation", "add", id, "--code", "PC01", "--sede", "Municipio"}, 1, "esiste già"},
		// The next three give the very sentence the TUI's form shows: both
		// call the same checklist rule.
		{"negative istat", []string{"audit", "new", "--ente", "X", "--istat=-12345", "--year", "2026", "--auditor", "Y"}, 2, ruleMessage(checklist.CheckISTAT("-12345"))},
		{"year before the decree", []string{"audit", "new", "--ente", "X", "--istat", "054001", "--year", "1999", "--auditor", "Y"}, 2, checklist.CheckYear(1999).Error()},
		{"case-variant duplicate workstation", []string{"workstation", "add", id, "--code", "pc01", "--sede", "municipio"}, 1,
			ruleMessage((&checklist.Audit{Postazioni: []checklist.Postazione{{Code: "PC01"}}}).CheckNewPostazione("pc01"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, db, tt.args...)
			if r.Code != tt.code || !strings.Contains(r.Stderr, tt.stderrIn) {
				t.Fatalf("exit %d, stderr %q: want exit %d and stderr containing %q", r.Code, r.Stderr, tt.code, tt.stderrIn)
			}
			if strings.Count(strings.TrimSpace(r.Stderr), "\n") > 1 || strings.Contains(r.Stderr, "panic") {
				t.Errorf("stderr should be one clear sentence, got %q", r.Stderr)
			}
		})
	}
	// Nothing of the refused answers reached the database.
	if got := showAudit(t, db, id); len(got.Answers) != 0 {
		t.Errorf("refused answers were stored: %+v", got.Answers)
	}
}

// ruleMessage is the message of a checklist rule's error.
func ruleMessage(_ any, err error) string { return err.Error() }

func TestCLIDemoIsIdempotent(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "audit.db")
	first := strings.TrimSpace(mustRun(t, db, "demo"))
	second := strings.TrimSpace(mustRun(t, db, "demo"))
	if first == "" || first != second {
		t.Fatalf("demo ids %q then %q: want the same audit", first, second)
	}
	got := showAudit(t, db, first)
	if len(got.Sedi) != 2 || len(got.Postazioni) != 3 {
		t.Errorf("demo has %d sedi and %d postazioni, want 2 and 3", len(got.Sedi), len(got.Postazioni))
	}
	pct := float64(got.Progress.Answered) / float64(got.Progress.Total)
	if pct < 0.3 || pct > 0.7 {
		t.Errorf("demo is %.0f%% answered, want about half", pct*100)
	}
	values := map[string]int{}
	notes := 0
	for _, a := range got.Answers {
		values[a.Value]++
		if a.Note != "" {
			notes++
		}
	}
	for _, v := range []string{"si", "no", "parziale", "na"} {
		if values[v] == 0 {
			t.Errorf("demo has no %q answers", v)
		}
	}
	if notes == 0 {
		t.Error("demo has no notes")
	}
}

func TestCLICatalogValidate(t *testing.T) {
	t.Parallel()
	good := mustRun(t, "", "catalog", "validate", "../../testdata/catalogues/good/base.yaml")
	if !strings.Contains(good, "valido") {
		t.Errorf("validate good: %q", good)
	}
	r := runCLI(t, "", "catalog", "validate", "../../testdata/catalogues/bad/bad-enums.yaml")
	if r.Code != 1 {
		t.Fatalf("validate bad: exit %d, want 1", r.Code)
	}
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "../../testdata/catalogues/bad/bad-enums.yaml:30:13: threats[1].source:") {
		t.Errorf("validate bad printed:\n%s", r.Stdout)
	}
	if !strings.Contains(r.Stderr, "5 problemi") {
		t.Errorf("stderr %q", r.Stderr)
	}
	if r := runCLI(t, "", "catalog", "validate", "/nonexistent.yaml"); r.Code != 1 || !strings.Contains(r.Stderr, "nonexistent.yaml") {
		t.Errorf("missing file: exit %d stderr %q", r.Code, r.Stderr)
	}
}

func TestCLICustomCatalogueIsPinned(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--year", "2026", "--auditor", "Rossi", "--catalog", "../../testdata/catalogues/good/base.yaml"))
	mustRun(t, db, "answer", id, "--scope", "ente", "--item", "ORG-02", "--value", "4,0")
	// Same id@version, different content: refused, the audit keeps its meaning.
	src, _ := os.ReadFile("../../testdata/catalogues/good/base.yaml")
	changed := filepath.Join(dir, "changed.yaml")
	os.WriteFile(changed, bytes.Replace(src, []byte("Quanti operatori"), []byte("Quante persone"), 1), 0o600)
	r := runCLI(t, db, "audit", "new", "--ente", "Altro", "--istat", "054002", "--year", "2026", "--auditor", "Rossi", "--catalog", changed)
	if r.Code == 0 {
		t.Fatal("storing different content under the same id@version was accepted")
	}
	got := showAudit(t, db, id)
	if len(got.Answers) != 1 || got.Answers[0].Value != "4" {
		t.Errorf("answers %+v: want ORG-02 = 4", got.Answers)
	}
}

func TestCLIBackupAndDoctor(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	backup := filepath.Join(dir, "copia.db")
	mustRun(t, db, "backup", backup)
	if got := showAudit(t, backup, id); got.ID != id || len(got.Answers) == 0 {
		t.Fatalf("backup does not hold the demo audit: %+v", got)
	}
	out := mustRun(t, backup, "doctor")
	for _, want := range []string{"Integrità: OK", "Audit: 1", "Versione dello schema:"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}

	// A truncated file and a file of garbage get a clear error, not a panic.
	data, _ := os.ReadFile(backup)
	truncated := filepath.Join(dir, "troncato.db")
	os.WriteFile(truncated, data[:len(data)/3], 0o600)
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, bytes.Repeat([]byte("non è un database "), 500), 0o600)
	for _, f := range []string{truncated, garbage} {
		r := runCLI(t, f, "doctor")
		if r.Code != 1 || strings.Contains(r.Stderr, "panic") || !strings.HasPrefix(r.Stderr, "cieaudit: ") {
			t.Errorf("doctor on %s: exit %d stderr %q", filepath.Base(f), r.Code, r.Stderr)
		}
	}
}

func TestCLIAuditDelete(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "audit.db")
	keep := newAuditWithWorkstation(t, db)
	gone := strings.TrimSpace(mustRun(t, db, "audit", "new", "--ente", "Comune da eliminare", "--istat", "054002", "--year", "2025", "--auditor", "Rossi"))
	mustRun(t, db, "answer", gone, "--scope", "ente", "--item", "ORG-01", "--value", "si")

	if r := runCLI(t, db, "audit", "delete", gone); r.Code != 2 || !strings.Contains(r.Stderr, "--yes") {
		t.Fatalf("delete without --yes: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if got := showAudit(t, db, gone); got.ID != gone {
		t.Fatal("the audit was deleted without confirmation")
	}
	mustRun(t, db, "audit", "delete", gone, "--yes")
	if r := runCLI(t, db, "audit", "show", gone); r.Code != 1 || !strings.Contains(r.Stderr, "non trovato") {
		t.Errorf("deleted audit still shown: exit %d, stderr %q", r.Code, r.Stderr)
	}
	list := mustRun(t, db, "audit", "list")
	if strings.Contains(list, gone) || !strings.Contains(list, keep) {
		t.Errorf("audit list after delete:\n%s", list)
	}
	if r := runCLI(t, db, "audit", "delete", gone, "--yes"); r.Code != 1 {
		t.Errorf("deleting twice: exit %d", r.Code)
	}
}

func TestCLIHelpIsItalian(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"audit", "new", "--help"}, {"help", "risk"}} {
		out := mustRun(t, "", args...)
		for _, english := range []string{"Usage:", "Flags:", "Available Commands", "help for", "[flags]"} {
			if strings.Contains(out, english) {
				t.Errorf("cieaudit %v prints %q:\n%s", args, english, out)
			}
		}
		if !strings.Contains(out, "Uso:") || !strings.Contains(out, "Opzioni") {
			t.Errorf("cieaudit %v lacks the Italian usage:\n%s", args, out)
		}
	}
	if out := mustRun(t, "", "completion", "bash"); !strings.Contains(out, "cieaudit") {
		t.Errorf("completion bash printed %q", out)
	}
	if r := runCLI(t, "", "completion", "tcsh"); r.Code != 2 || !strings.Contains(r.Stderr, "non supportata") {
		t.Errorf("completion tcsh: exit %d stderr %q", r.Code, r.Stderr)
	}
}

func TestCLIInspectionNeverCreatesADatabase(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "refuso.db")
	for _, args := range [][]string{{"doctor"}, {"backup", filepath.Join(t.TempDir(), "copia.db")}} {
		r := runCLI(t, missing, args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, "non esiste") {
			t.Errorf("%v on a missing database: exit %d, stderr %q", args, r.Code, r.Stderr)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("inspecting a missing database created it")
	}
	if r := runCLI(t, "", "help", "bogus"); r.Code != 2 || !strings.Contains(r.Stderr, "comando sconosciuto") {
		t.Errorf("help bogus: exit %d, stderr %q", r.Code, r.Stderr)
	}
}

// TestRemoteCommandsNeverReadServerFiles: for an SSH session --catalog names
// a stored catalogue only, even when a file of that name exists where the
// server runs.
func TestRemoteCommandsNeverReadServerFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := storage.Open(filepath.Join(dir, "audit.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	file := "../../testdata/catalogues/good/base.yaml"
	local := &app{now: time.Now}
	if c, err := local.catalogueFor(s, file); err != nil || c.ID != "prova" {
		t.Fatalf("local --catalog FILE: %v, %v", c, err)
	}
	remote := &app{now: time.Now, remote: true}
	if c, err := remote.catalogueFor(s, file); err == nil {
		t.Fatalf("remote --catalog read the server's file %s: %s", file, c.Key())
	}
}

// TestCLIAuditTextsCannotCarryEscapes: names typed with terminal escape
// sequences are stored with them made visible, so that listing the audits
// cannot repaint anyone's terminal (a review finding).
func TestCLIAuditTextsCannotCarryEscapes(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "audit", "new", "--ente", "Comune\x1b]0;pwned\x07\x1b[31mX", "--istat", "054001", "--year", "2026", "--auditor", "Mario\x1b[2J"))
	for _, out := range []string{mustRun(t, db, "audit", "list"), mustRun(t, db, "audit", "show", id)} {
		if strings.ContainsAny(out, "\x1b\x07") {
			t.Errorf("output carries control characters: %q", out)
		}
		if !strings.Contains(out, `Comune\x1b]0;pwned\x07\x1b[31mX`) {
			t.Errorf("the name is not shown with its escapes made visible: %q", out)
		}
	}
}

func TestCLICatalogListAndShow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	list := mustRun(t, db, "catalog", "list")
	if !strings.Contains(list, "cie-postazioni@2026.1") {
		t.Fatalf("catalog list lacks the built-in catalogue:\n%s", list)
	}
	for _, ref := range []string{"cie-postazioni", "cie-postazioni@2026.1"} {
		show := mustRun(t, db, "catalog", "show", ref)
		for _, want := range []string{"T01", "ORG-01", "FIS-04", "TEC-18", "Sicurezza fisica"} {
			if !strings.Contains(show, want) {
				t.Errorf("catalog show %s lacks %q", ref, want)
			}
		}
	}
	if r := runCLI(t, db, "catalog", "show", "inesistente"); r.Code != 1 || !strings.Contains(r.Stderr, "non trovato") {
		t.Errorf("unknown catalogue: exit %d, stderr %q", r.Code, r.Stderr)
	}
	// Two versions of one catalogue: the bare ID is ambiguous.
	src, err := os.ReadFile("../../testdata/catalogues/good/base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v2 := filepath.Join(dir, "v2.yaml")
	os.WriteFile(v2, bytes.Replace(src, []byte(`version: "1"`), []byte(`version: "2"`), 1), 0o600)
	for _, f := range []string{"../../testdata/catalogues/good/base.yaml", v2} {
		mustRun(t, db, "audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--year", "2026", "--auditor", "Rossi", "--catalog", f)
	}
	if r := runCLI(t, db, "catalog", "show", "prova"); r.Code != 1 || !strings.Contains(r.Stderr, "più versioni") {
		t.Errorf("ambiguous catalogue: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if out := mustRun(t, db, "catalog", "show", "prova@2"); !strings.Contains(out, "prova@2") {
		t.Errorf("catalog show prova@2:\n%s", out)
	}
}

// TestCLICatalogShowCarriesOrigins: catalog show prints, for each measure,
// its reference, origin (partly inferred items said so), macroprocessi,
// vulnerability and threat links; the bare built-in ID is the current
// version, 2026.1 stays reachable by key.
func TestCLICatalogShowCarriesOrigins(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "audit.db")
	list := mustRun(t, db, "catalog", "list")
	if !strings.Contains(list, "cie-postazioni@2026.2") || !strings.Contains(list, "attuale") || !strings.Contains(list, "versione precedente") {
		t.Fatalf("catalog list:\n%s", list)
	}
	show := mustRun(t, db, "catalog", "show", "cie-postazioni")
	for _, want := range []string{
		"cie-postazioni@2026.2",
		"Riferimento: D.M. 2/8/2005 art. 8, come riportato dalla circ. MI n. 53/2007",
		"Origine: In parte buona pratica: Prassi CIE 3.0 + Buona pratica (dedotta)",
		"MP1 Anagrafe (INA/ANPR)",
		"Vulnerabilità: V-PIANO",
		"Contrasta: T17 Piano non aggiornato o non conformità 40%",
		"Risposta conforme: no (domanda in negativo)",
		"ANP-01", "USO-01", "PRO-16",
	} {
		if !strings.Contains(show, want) {
			t.Errorf("catalog show lacks %q", want)
		}
	}
	if strings.Contains(show, "PRO-13") {
		t.Error("2026.2 still lists PRO-13 (paper card for urgencies)")
	}
	if old := mustRun(t, db, "catalog", "show", "cie-postazioni@2026.1"); !strings.Contains(old, "PRO-13") {
		t.Error("2026.1 lost PRO-13")
	}
}

// TestCLICatalogExport exports the measures as CSV (stdout and file) and
// XLSX, through the real binary.
func TestCLICatalogExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	out := mustRun(t, db, "catalog", "export", "cie-postazioni", "--csv", "rfc4180")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 91 || rows[0][3] != "item_id" || rows[0][11] != "reference" || rows[0][13] != "origin_class" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[3]] = r
	}
	if r := byID["ORG-14"]; r[13] != "in_parte_buona_pratica" || r[10] != "mp2" || r[16] != "V-ELENCO-SCO" {
		t.Errorf("ORG-14 row %v", r)
	}
	if r := byID["PRO-17"]; r[15] != "no" {
		t.Errorf("PRO-17 compliant_answer %q, want no", r[15])
	}
	xlsx := filepath.Join(dir, "misure.xlsx")
	mustRun(t, db, "catalog", "export", "cie-postazioni@2026.1", "--format", "xlsx", "--out", xlsx)
	first, err := os.ReadFile(xlsx)
	if err != nil || !bytes.HasPrefix(first, []byte("PK")) {
		t.Fatalf("xlsx %d bytes, %v", len(first), err)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--format", "xlsx", "--out", xlsx}, 1, "usare --force"},
		{[]string{"--format", "xlsx"}, 2, "richiede --out"},
		{[]string{"--format", "pdf"}, 2, `formato "pdf" non valido`},
	} {
		r := runCLI(t, db, append([]string{"catalog", "export", "cie-postazioni"}, tt.args...)...)
		if r.Code != tt.code || !strings.Contains(r.Stderr, tt.want) {
			t.Errorf("catalog export %v: exit %d stderr %q", tt.args, r.Code, r.Stderr)
		}
	}
	mustRun(t, db, "catalog", "export", "cie-postazioni@2026.1", "--format", "xlsx", "--out", xlsx, "--force")
	if again, _ := os.ReadFile(xlsx); !bytes.Equal(again, first) {
		t.Error("exporting the same catalogue twice gave different workbooks")
	}
}

// Without a terminal the TUI says so in one Italian line and exits 1, with a
// piped stdin too (it would otherwise wait for keys that never come).
func TestTUIWithoutATerminal(t *testing.T) {
	db := filepath.Join(t.TempDir(), "audit.db")
	for _, stdin := range []string{"", "s\nn\n"} {
		r := runCLIInput(t, db, stdin)
		if r.Code != 1 || !strings.Contains(r.Stderr, "richiede un terminale interattivo") || strings.Count(strings.TrimSpace(r.Stderr), "\n") != 0 {
			t.Fatalf("stdin %q: exit %d, stderr %q", stdin, r.Code, r.Stderr)
		}
	}
}
