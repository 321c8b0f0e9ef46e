package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

func TestOpenCreatesCurrentSchema(t *testing.T) {
	s := openTest(t, Options{})
	rep, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	if rep.SchemaVersion != SchemaVersion || len(rep.Problems) != 0 {
		t.Fatalf("Check = %+v, want schema %d and no problems", rep, SchemaVersion)
	}
	// Opening again must not re-initialise or fail.
	s2, err := Open(s.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}

func TestOpenReadOnlyMissingFile(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nessuno.db"), Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "non esiste") {
		t.Fatalf("err = %v, want a 'non esiste' error", err)
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	ro, err := Open(s.Path(), Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Load(a.ID); err != nil {
		t.Fatalf("read-only Load: %v", err)
	}
	_, err = ro.SaveAnswer(a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"}, -1)
	wantErrIs(t, err, ErrReadOnly)
}

func TestSaveCatalogue(t *testing.T) {
	v1 := readTestdata(t, "catalogue-v1.yaml")
	changed := []byte(strings.Replace(string(v1), "Sicurezza fisica", "Sicurezza dei locali", 1))
	tests := []struct {
		name    string
		src     []byte
		wantErr string
	}{
		{"first store", v1, ""},
		{"same bytes again is a no-op", v1, ""},
		{"different bytes under the same version", changed, "già memorizzato con un contenuto diverso"},
		{"invalid catalogue", []byte("id: x\nversion: \"1\"\n"), "catalogo non valido"},
	}
	s := openTest(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.SaveCatalogue(tt.src, "prova.yaml")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Key() != "prova-archivio@1" {
				t.Fatalf("key = %s", c.Key())
			}
		})
	}
	infos, err := s.Catalogues()
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 || infos[0].Items != 7 || infos[0].Threats != 2 || infos[0].Builtin || infos[0].Digest != digestOf(v1) {
		t.Fatalf("Catalogues = %+v", infos)
	}
	got, err := s.Catalogue("prova-archivio@1")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.Catalogue("prova-archivio@1")
	if got != again {
		t.Error("Catalogue parsed the same stored catalogue twice: the cache is not used")
	}
	_, err = s.Catalogue("prova-archivio@9")
	wantErrIs(t, err, ErrNotFound)
}

func TestEnsureBuiltin(t *testing.T) {
	if _, err := checklist.Builtin(); err != nil {
		t.Skipf("builtin catalogue not ready yet: %v", err)
	}
	s := openTest(t, Options{})
	c, err := s.EnsureBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsureBuiltin(); err != nil {
		t.Fatalf("second EnsureBuiltin: %v", err)
	}
	infos, err := s.Catalogues()
	if err != nil {
		t.Fatal(err)
	}
	// Every embedded version is stored, the current one last; only it is
	// current, and EnsureBuiltin returns it.
	if len(infos) != len(checklist.BuiltinSources) {
		t.Fatalf("Catalogues = %+v, want the %d embedded versions", infos, len(checklist.BuiltinSources))
	}
	current := 0
	for _, info := range infos {
		if !info.Builtin || info.ID != c.ID {
			t.Errorf("catalogue %+v: want a built-in %s", info, c.ID)
		}
		if info.Current {
			current++
			if info.Version != c.Version {
				t.Errorf("current is %s, EnsureBuiltin returned %s", info.Version, c.Version)
			}
		}
	}
	if current != 1 || c.Version != "2026.2" {
		t.Errorf("%d current catalogues; EnsureBuiltin returned %s", current, c.Key())
	}
	// An audit pinned to 2026.1 still reads 2026.1's items (PRO-13 is gone
	// from 2026.2).
	old, err := s.Catalogue("cie-postazioni@2026.1")
	if err != nil || old.Item("PRO-13") == nil || c.Item("PRO-13") != nil {
		t.Errorf("2026.1 = %v, %v; PRO-13 in 2026.2: %v", old, err, c.Item("PRO-13") != nil)
	}
}

func TestCreateAuditValidation(t *testing.T) {
	s := openTest(t, Options{})
	cat, err := s.SaveCatalogue(readTestdata(t, "catalogue-v1.yaml"), "v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		edit    func(*checklist.Audit)
		wantErr string
	}{
		{"no ente name", func(a *checklist.Audit) { a.Ente.Name = " " }, "ente.name"},
		{"repeated sede", func(a *checklist.Audit) { a.Sedi = append(a.Sedi, a.Sedi[0]) }, "sedi[1].name"},
		{"postazione in unknown sede", func(a *checklist.Audit) { a.Postazioni[1].Sede = "Altrove" }, "postazioni[1].sede"},
		{"repeated postazione", func(a *checklist.Audit) { a.Postazioni[1].Code = a.Postazioni[0].Code }, "postazioni[1].code"},
		{"bad date", func(a *checklist.Audit) { a.StartDate = "16.11.2026" }, "start_date"},
		{"end before start", func(a *checklist.Audit) { a.EndDate = "2026-01-01" }, "end_date"},
		{"bad office", func(a *checklist.Audit) { a.Postazioni[0].Office = "retro" }, "postazioni[0].office"},
		{"catalogue not stored", func(a *checklist.Audit) { a.CatalogueVersion = "7" }, "non trovato"},
		{"no catalogue", func(a *checklist.Audit) { a.CatalogueID = "" }, "catalogo dell'audit non indicato"},
		{"digest mismatch", func(a *checklist.Audit) { a.CatalogueDigest = "abc" }, "non è quello indicato"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := testAudit(cat)
			tt.edit(&a)
			_, err := s.CreateAudit(a, "giulia")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	list, err := s.ListAudits()
	if err != nil || len(list) != 0 {
		t.Fatalf("refused audits were stored: %v %v", list, err)
	}
}

func TestCreateAudit(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	if len(a.ID) != idLength || strings.Trim(a.ID, idAlphabet) != "" {
		t.Errorf("ID %q is not %d characters of %q", a.ID, idLength, idAlphabet)
	}
	if a.Status != checklist.StatusDraft || a.CatalogueDigest != digestOf(readTestdata(t, "catalogue-v1.yaml")) || a.CreatedAt.IsZero() || !a.UpdatedAt.Equal(a.CreatedAt) {
		t.Errorf("created audit = %+v", a)
	}
	got, err := s.Audit(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.Ente.Name != a.Ente.Name || len(got.Postazioni) != 2 {
		t.Errorf("Audit = %+v", got)
	}
	h, err := s.History(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].Kind != checklist.ChangeAudit || h[0].Author != "giulia" || h[0].Seq != 1 {
		t.Errorf("History = %+v", h)
	}
	_, err = s.Audit("zzzzzzzz")
	wantErrIs(t, err, ErrNotFound)
}

func TestAuditIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		id, err := newAuditID()
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != idLength || strings.Trim(id, idAlphabet) != "" || seen[id] {
			t.Fatalf("bad or repeated ID %q", id)
		}
		seen[id] = true
	}
}

func TestSaveAnswerValidation(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	closed := seed(t, s)
	if _, err := s.SetStatus(closed.ID, checklist.StatusClosed, "giulia", "", &checklist.SignOff{Place: "Valdoria"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		audit   string
		ans     checklist.Answer
		wantIs  error
		wantErr string
	}{
		{"unknown audit", "zzzzzzzz", checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"}, ErrNotFound, ""},
		{"closed audit", closed.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"}, ErrAuditClosed, ""},
		{"unknown scope", a.ID, checklist.Answer{Scope: checklist.Scope{Kind: checklist.ScopeSede, Name: "Altrove"}, Item: "FIS-01", Value: "si"}, nil, `ambito "sede:Altrove" non presente`},
		{"unknown item", a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-99", Value: "si"}, nil, `misura "ORG-99" non presente nel catalogo`},
		{"item of another scope kind", a.ID, checklist.Answer{Scope: postA01, Item: "FIS-01", Value: "si"}, nil, "si valuta per ambito sede, non postazione"},
		{"bad outcome", a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "forse"}, nil, "non valido"},
		{"not applicable without note", a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "na"}, checklist.ErrNeedsJustification, ""},
		{"not a number", a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-02", Value: "tre"}, nil, "non è un numero"},
		{"unknown choice", a.ID, checklist.Answer{Scope: postA01, Item: "FIS-02", Value: "annuale"}, nil, "scelta \"annuale\" non valida"},
		{"bad date", a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "TEC-02", Value: "ieri"}, nil, "AAAA-MM-GG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SaveAnswer(tt.audit, tt.ans, -1)
			if err == nil {
				t.Fatal("saved an invalid answer")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	answers, err := s.Answers(a.ID)
	if err != nil || len(answers) != 0 {
		t.Fatalf("invalid answers were stored: %v %v", answers, err)
	}
	if got, _ := s.Audit(a.ID); got.Status != checklist.StatusDraft {
		t.Errorf("status = %s after refused answers, want bozza", got.Status)
	}
}

func TestSaveAnswer(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	events, stop := s.Subscribe()
	defer stop()

	r1 := mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "Sì", Author: "giulia"})
	if r1.Answer.Value != "si" || r1.Answer.Rev != 1 || r1.Previous != nil || r1.Conflict || r1.Answer.At.IsZero() {
		t.Fatalf("first save = %+v", r1)
	}
	got, _ := s.Audit(a.ID)
	if got.Status != checklist.StatusInProgress || !got.UpdatedAt.Equal(r1.Answer.At) {
		t.Errorf("after the first answer: status %s, updated %v, want in_corso at %v", got.Status, got.UpdatedAt, r1.Answer.At)
	}

	r2 := mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no", Note: " delibera mai adottata ", Author: "marco"})
	if r2.Answer.Rev != 2 || r2.Previous == nil || r2.Previous.Value != "si" || r2.Answer.Note != "delibera mai adottata" || !r2.Answer.At.After(r1.Answer.At) {
		t.Fatalf("second save = %+v", r2)
	}

	// Saving the same thing again changes nothing.
	r3 := mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "n", Note: "delibera mai adottata", Author: "marco"})
	if r3.Answer.Rev != 2 || !r3.Answer.At.Equal(r2.Answer.At) {
		t.Fatalf("identical save = %+v, want the stored answer unchanged", r3)
	}

	// A writer that read Rev 1 is told about the conflict, and still wins.
	r4, err := s.SaveAnswer(a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "parziale", Note: "delibera mai adottata", Author: "giulia"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !r4.Conflict || r4.Answer.Rev != 3 || r4.Answer.Value != "parziale" {
		t.Fatalf("conflicting save = %+v", r4)
	}
	r5, err := s.SaveAnswer(a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Note: "delibera mai adottata", Author: "giulia"}, 3)
	if err != nil || r5.Conflict {
		t.Fatalf("save at the current rev: %+v %v", r5, err)
	}

	// A postazione code typed in another case names the stored one.
	typed := postA01
	typed.Name = strings.ToLower(typed.Name)
	mustSave(t, s, a.ID, checklist.Answer{Scope: typed, Item: "FIS-02", Value: "Mensile", Author: "giulia"})
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-02", Value: "3,0", Author: "giulia"})

	answers, err := s.Answers(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ente\x00ORG-01": "si", "ente\x00ORG-02": "3", "postazione:PG0991A01\x00FIS-02": "mensile"}
	if len(answers) != len(want) {
		t.Fatalf("answers = %+v", answers)
	}
	for _, ans := range answers {
		if k := string(scopedKey(ans.Scope, ans.Item)); want[k] != ans.Value {
			t.Errorf("answer %q = %q, want %q", k, ans.Value, want[k])
		}
	}

	h, err := s.History(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		kind            checklist.ChangeKind
		author          string
		old, new, where string
	}
	wantHistory := []entry{
		{checklist.ChangeAudit, "giulia", "", "", ""},
		{checklist.ChangeAnswer, "giulia", "", "si", "ente/ORG-01"},
		{checklist.ChangeStatus, "giulia", "bozza", "in_corso", ""},
		{checklist.ChangeAnswer, "marco", "si", "no", "ente/ORG-01"},
		{checklist.ChangeNote, "marco", "", "delibera mai adottata", "ente/ORG-01"},
		{checklist.ChangeAnswer, "giulia", "no", "parziale", "ente/ORG-01"},
		{checklist.ChangeAnswer, "giulia", "parziale", "si", "ente/ORG-01"},
		{checklist.ChangeAnswer, "giulia", "", "mensile", "postazione:PG0991A01/FIS-02"},
		{checklist.ChangeAnswer, "giulia", "", "3", "ente/ORG-02"},
	}
	if len(h) != len(wantHistory) {
		t.Fatalf("history has %d entries, want %d: %+v", len(h), len(wantHistory), h)
	}
	for i, w := range wantHistory {
		c := h[i]
		where := ""
		if c.Item != "" {
			where = c.Scope + "/" + c.Item
		}
		if c.Seq != uint64(i+1) || c.Kind != w.kind || c.Author != w.author || (w.kind != checklist.ChangeAudit && (c.Old != w.old || c.New != w.new)) || where != w.where {
			t.Errorf("history[%d] = %+v, want %+v", i, c, w)
		}
	}

	// One event per history entry written after the subscription.
	var got2 []checklist.ChangeKind
	for len(events) > 0 {
		got2 = append(got2, (<-events).Kind)
	}
	if len(got2) != len(wantHistory)-1 {
		t.Errorf("events = %v, want %d", got2, len(wantHistory)-1)
	}
}

func TestSaveNote(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	r, err := s.SaveNote(a.ID, postA02, "FIS-03", "schermo verso la finestra", "marco")
	if err != nil {
		t.Fatal(err)
	}
	if r.Answer.Value != "" || r.Answer.Note != "schermo verso la finestra" || r.Answer.Rev != 1 || r.Previous != nil {
		t.Fatalf("SaveNote on an unanswered item = %+v", r)
	}
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA02, Item: "FIS-03", Value: "na", Note: "non c'è pubblico", Author: "marco"})
	_, err = s.SaveNote(a.ID, postA02, "FIS-03", "  ", "marco")
	wantErrIs(t, err, checklist.ErrNeedsJustification)
	r, err = s.SaveNote(a.ID, postA02, "FIS-03", "sportello chiuso al pubblico", "giulia")
	if err != nil {
		t.Fatal(err)
	}
	if r.Answer.Value != "na" || r.Answer.Rev != 3 || r.Answer.Author != "giulia" {
		t.Fatalf("SaveNote = %+v", r)
	}
	h, _ := s.History(a.ID)
	last := h[len(h)-1]
	if last.Kind != checklist.ChangeNote || last.Old != "non c'è pubblico" || last.New != "sportello chiuso al pubblico" {
		t.Errorf("last history entry = %+v", last)
	}
	_, err = s.SaveNote(a.ID, checklist.EnteScope, "FIS-03", "x", "marco")
	if err == nil {
		t.Error("SaveNote accepted an item of another scope kind")
	}
}

func TestEvaluationsActionsOverrides(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	steps := []struct {
		name     string
		do       func() error
		wantErr  string
		wantKind checklist.ChangeKind
		wantOld  string
		wantNew  string
	}{
		{"evaluation", func() error {
			return s.SaveEvaluation(a.ID, checklist.Evaluation{Scope: sedeMunicipio, Section: "FIS", Text: "Locali adeguati.", Author: "giulia"})
		}, "", checklist.ChangeEvaluation, "", "Locali adeguati."},
		{"evaluation changed", func() error {
			return s.SaveEvaluation(a.ID, checklist.Evaluation{Scope: sedeMunicipio, Section: "FIS", Text: "Chiavi senza registro.", Author: "giulia"})
		}, "", checklist.ChangeEvaluation, "Locali adeguati.", "Chiavi senza registro."},
		{"evaluation of unknown section", func() error {
			return s.SaveEvaluation(a.ID, checklist.Evaluation{Scope: sedeMunicipio, Section: "XXX", Text: "x"})
		}, `sezione "XXX" non presente`, "", "", ""},
		{"evaluation of unknown scope", func() error {
			return s.SaveEvaluation(a.ID, checklist.Evaluation{Scope: checklist.Scope{Kind: checklist.ScopeSede, Name: "X"}, Section: "FIS", Text: "x"})
		}, "non presente nell'audit", "", "", ""},
		{"action", func() error {
			return s.SaveActionPlan(a.ID, checklist.ActionPlan{Item: "FIS-01", Owner: "Ufficio tecnico", Due: "2027-03-31"}, "giulia")
		}, "", checklist.ChangeAction, "", "responsabile: Ufficio tecnico; scadenza: 2027-03-31; stato: Da avviare"},
		{"action progresses", func() error {
			return s.SaveActionPlan(a.ID, checklist.ActionPlan{Item: "FIS-01", Owner: "Ufficio tecnico", Due: "2027-03-31", Status: checklist.ActionDone}, "marco")
		}, "", checklist.ChangeAction, "responsabile: Ufficio tecnico; scadenza: 2027-03-31; stato: Da avviare", "responsabile: Ufficio tecnico; scadenza: 2027-03-31; stato: Completata"},
		{"action with bad date", func() error {
			return s.SaveActionPlan(a.ID, checklist.ActionPlan{Item: "FIS-01", Due: "marzo"}, "giulia")
		}, "scadenza \"marzo\"", "", "", ""},
		{"action with bad status", func() error {
			return s.SaveActionPlan(a.ID, checklist.ActionPlan{Item: "FIS-01", Status: "fatto"}, "giulia")
		}, "stato \"fatto\"", "", "", ""},
		{"action on unknown item", func() error {
			return s.SaveActionPlan(a.ID, checklist.ActionPlan{Item: "NOPE"}, "giulia")
		}, `misura "NOPE"`, "", "", ""},
		{"override", func() error {
			return s.SaveRiskOverride(a.ID, checklist.RiskOverride{Threat: "T01", Probability: 3, Impact: 3, Reason: "sportello su strada"}, "giulia")
		}, "", checklist.ChangeRisk, "probabilità 2 × impatto 3 (catalogo)", "probabilità 3 × impatto 3"},
		{"override without reason", func() error {
			return s.SaveRiskOverride(a.ID, checklist.RiskOverride{Threat: "T01", Probability: 1, Impact: 1}, "giulia")
		}, "richiede una motivazione", "", "", ""},
		{"override out of scale", func() error {
			return s.SaveRiskOverride(a.ID, checklist.RiskOverride{Threat: "T01", Probability: 4, Impact: 1, Reason: "x"}, "giulia")
		}, "probabilità 4 fuori scala", "", "", ""},
		{"override of unknown threat", func() error {
			return s.SaveRiskOverride(a.ID, checklist.RiskOverride{Threat: "T99", Probability: 1, Impact: 1, Reason: "x"}, "giulia")
		}, `minaccia "T99"`, "", "", ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before, _ := s.History(a.ID)
			err := st.do()
			after, _ := s.History(a.ID)
			if st.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), st.wantErr) {
					t.Fatalf("err = %v, want %q", err, st.wantErr)
				}
				if len(after) != len(before) {
					t.Fatal("a refused change was recorded in the history")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before)+1 {
				t.Fatalf("history grew by %d, want 1", len(after)-len(before))
			}
			c := after[len(after)-1]
			if c.Kind != st.wantKind || c.Old != st.wantOld || c.New != st.wantNew {
				t.Fatalf("history entry = %+v, want %s %q → %q", c, st.wantKind, st.wantOld, st.wantNew)
			}
		})
	}
	snap, err := s.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Evaluations) != 1 || snap.Evaluations[0].Text != "Chiavi senza registro." || snap.Evaluations[0].Author != "giulia" {
		t.Errorf("evaluations = %+v", snap.Evaluations)
	}
	if p := snap.Actions["FIS-01"]; p.Status != checklist.ActionDone || p.Owner != "Ufficio tecnico" {
		t.Errorf("actions = %+v", snap.Actions)
	}
	if o := snap.Overrides["T01"]; o.Probability != 3 || o.Reason != "sportello su strada" {
		t.Errorf("overrides = %+v", snap.Overrides)
	}

	// Removing: an empty evaluation and a zero override.
	if err := s.SaveEvaluation(a.ID, checklist.Evaluation{Scope: sedeMunicipio, Section: "FIS", Text: ""}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRiskOverride(a.ID, checklist.RiskOverride{Threat: "T01", Reason: "torna al catalogo"}, "giulia"); err != nil {
		t.Fatal(err)
	}
	snap, _ = s.Load(a.ID)
	if len(snap.Evaluations) != 0 || len(snap.Overrides) != 0 {
		t.Errorf("after removal: evaluations %+v overrides %+v", snap.Evaluations, snap.Overrides)
	}
}

func TestUpdateAudit(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA02, Item: "FIS-03", Value: "si"})

	got, err := s.UpdateAudit(a.ID, "marco", "dati dal sopralluogo", func(a *checklist.Audit) error {
		a.Ente.Sindaco = "Maria Bianchi"
		a.Year = 2027
		a.Postazioni[0].OS = "Windows 11"
		a.Postazioni = append(a.Postazioni, checklist.Postazione{Code: "PG0991B01", Sede: "Municipio"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Ente.Sindaco != "Maria Bianchi" || len(got.Postazioni) != 3 || !got.UpdatedAt.After(a.UpdatedAt) {
		t.Fatalf("UpdateAudit = %+v", got)
	}
	h, _ := s.History(a.ID)
	general, perimeter := h[len(h)-2], h[len(h)-1]
	if general.Kind != checklist.ChangeAudit || general.Old != "anno: 2026" || general.New != "anno: 2027; ente.sindaco: Maria Bianchi" || general.Reason != "dati dal sopralluogo" {
		t.Errorf("audit change = %+v", general)
	}
	if perimeter.Kind != checklist.ChangeScope || perimeter.Old != "" ||
		perimeter.New != "postazione PG0991A01.os: Windows 11; postazione PG0991B01.code: PG0991B01; postazione PG0991B01.sede: Municipio" {
		t.Errorf("perimeter change = %+v", perimeter)
	}

	refused := []struct {
		name    string
		edit    func(*checklist.Audit) error
		wantErr string
	}{
		{"fn error", func(*checklist.Audit) error { return errors.New("annullato") }, "annullato"},
		{"invalid data", func(a *checklist.Audit) error { a.Ente.Name = ""; return nil }, "ente.name"},
		{"status", func(a *checklist.Audit) error { a.Status = checklist.StatusClosed; return nil }, "Firma e chiusura"},
		{"catalogue", func(a *checklist.Audit) error { a.CatalogueVersion = "2"; return nil }, "catalogo di un audit non si può cambiare"},
		{"ID", func(a *checklist.Audit) error { a.ID = "x"; return nil }, "ID"},
		{"remove answered postazione", func(a *checklist.Audit) error { a.Postazioni = a.Postazioni[:1]; return nil }, "Postazione PG0991A02 ha già risposte"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.UpdateAudit(a.ID, "marco", "", tt.edit)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	// An unanswered postazione can go, and nothing-changed records nothing.
	if _, err := s.UpdateAudit(a.ID, "marco", "", func(a *checklist.Audit) error { a.Postazioni = a.Postazioni[:2]; return nil }); err != nil {
		t.Fatal(err)
	}
	n := len(mustHistory(t, s, a.ID))
	if _, err := s.UpdateAudit(a.ID, "marco", "", func(*checklist.Audit) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if len(mustHistory(t, s, a.ID)) != n {
		t.Error("an UpdateAudit that changed nothing was recorded")
	}
}

func mustHistory(t *testing.T, s *Store, id string) []checklist.Change {
	t.Helper()
	h, err := s.History(id)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSetStatus(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	steps := []struct {
		name    string
		to      checklist.Status
		reason  string
		signOff *checklist.SignOff
		wantErr string
	}{
		{"same status", checklist.StatusDraft, "", nil, "già nello stato"},
		{"unknown status", "finito", "", nil, "non valido"},
		{"start", checklist.StatusInProgress, "", nil, ""},
		{"back to draft", checklist.StatusDraft, "", nil, "non torna in bozza"},
		{"close without sign-off", checklist.StatusClosed, "", nil, "dati di chiusura"},
		{"close with bad date", checklist.StatusClosed, "", &checklist.SignOff{Place: "Valdoria", Date: "ieri"}, "AAAA-MM-GG"},
		{"close", checklist.StatusClosed, "", &checklist.SignOff{Place: "Valdoria"}, ""},
		{"reopen without reason", checklist.StatusInProgress, " ", nil, "motivazione"},
		{"reopen to draft", checklist.StatusDraft, "errore", nil, "si riapre"},
		{"reopen", checklist.StatusInProgress, "manca la postazione B01", nil, ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got, err := s.SetStatus(a.ID, st.to, "giulia", st.reason, st.signOff)
			if st.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), st.wantErr) {
					t.Fatalf("err = %v, want %q", err, st.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != st.to {
				t.Fatalf("status = %s, want %s", got.Status, st.to)
			}
			if st.to == checklist.StatusClosed {
				if got.SignOff == nil || got.SignOff.Date != "2026-11-20" || len(got.SignOff.Auditors) != 1 {
					t.Fatalf("sign-off = %+v, want today's date and the audit's auditors", got.SignOff)
				}
				// Every write is refused while closed.
				for name, err := range map[string]error{
					"answer":     errOf(s.SaveAnswer(a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"}, -1)),
					"note":       errOf(s.SaveNote(a.ID, checklist.EnteScope, "ORG-01", "x", "g")),
					"evaluation": s.SaveEvaluation(a.ID, checklist.Evaluation{Scope: checklist.EnteScope, Section: "ORG", Text: "x"}),
					"action":     s.SaveActionPlan(a.ID, checklist.ActionPlan{Item: "ORG-01"}, "g"),
					"override":   s.SaveRiskOverride(a.ID, checklist.RiskOverride{Threat: "T01", Probability: 1, Impact: 1, Reason: "x"}, "g"),
					"update":     errOf(s.UpdateAudit(a.ID, "g", "", func(a *checklist.Audit) error { a.Year = 2030; return nil })),
				} {
					if !errors.Is(err, ErrAuditClosed) {
						t.Errorf("%s on a closed audit: err = %v, want ErrAuditClosed", name, err)
					}
				}
			}
			if st.to == checklist.StatusInProgress && st.reason != "" && got.SignOff != nil {
				t.Error("reopening kept the sign-off")
			}
		})
	}
	h := mustHistory(t, s, a.ID)
	var status []string
	for _, c := range h {
		if c.Kind == checklist.ChangeStatus {
			status = append(status, c.Old+"→"+c.New+"|"+c.Reason)
		}
	}
	want := []string{"bozza→in_corso|", "in_corso→chiuso (firmato da Giulia Esposito, Valdoria, 2026-11-20)|", "chiuso→in_corso|manca la postazione B01"}
	if strings.Join(status, "\n") != strings.Join(want, "\n") {
		t.Errorf("status history:\n%s\nwant:\n%s", strings.Join(status, "\n"), strings.Join(want, "\n"))
	}
}

func errOf[T any](_ T, err error) error { return err }

func TestDeleteAudit(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	keep := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"})
	if err := s.DeleteAudit(a.ID, "giulia"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(a.ID)
	wantErrIs(t, err, ErrNotFound)
	wantErrIs(t, s.DeleteAudit(a.ID, "giulia"), ErrNotFound)
	list, err := s.ListAudits()
	if err != nil || len(list) != 1 || list[0].ID != keep.ID {
		t.Fatalf("ListAudits after delete = %+v %v", list, err)
	}
}

func TestUIState(t *testing.T) {
	s := openTest(t, Options{})
	st, err := s.UIState("giulia")
	if err != nil || st != (UIState{}) {
		t.Fatalf("UIState before save = %+v %v", st, err)
	}
	want := UIState{Audit: "abcdefgh", Scope: "postazione:PG0991A01", Item: "FIS-02"}
	if err := s.SaveUIState("giulia", want); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.UIState("giulia"); st != want {
		t.Errorf("UIState = %+v, want %+v", st, want)
	}
	if st, _ := s.UIState("marco"); st != (UIState{}) {
		t.Errorf("another user's UIState = %+v", st)
	}
	if err := s.SaveUIState("", want); err == nil {
		t.Error("SaveUIState accepted an empty user")
	}
}

func TestListAuditsAndEachAudit(t *testing.T) {
	s := openTest(t, Options{})
	first := seed(t, s)
	second := seed(t, s)
	mustSave(t, s, first.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no"})
	mustSave(t, s, first.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "si"})
	mustSave(t, s, first.ID, checklist.Answer{Scope: postA02, Item: "FIS-02", Value: "mai"})

	list, err := s.ListAudits()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != first.ID || list[1].ID != second.ID {
		t.Fatalf("ListAudits order = %+v, want the most recently changed first", list)
	}
	// 3 ente items + 1 sede item + 2×3 postazione items.
	p := list[0].Progress
	if p.Total != 10 || p.Answered != 3 || p.Yes != 1 || p.No != 2 || list[1].Progress.Answered != 0 {
		t.Errorf("progress = %+v / %+v", p, list[1].Progress)
	}
	if list[0].Status != checklist.StatusInProgress || list[0].Catalogue != "prova-archivio@1" || list[0].Ente != "Comune di Valdoria" {
		t.Errorf("summary = %+v", list[0])
	}

	var order []string
	err = s.EachAudit(func(snap *checklist.Snapshot) error {
		order = append(order, snap.Audit.ID)
		if snap.Catalogue == nil || snap.Catalogue.Key() != "prova-archivio@1" {
			t.Errorf("snapshot without its catalogue: %+v", snap.Audit)
		}
		// Writing from inside the walk must not deadlock.
		return s.SaveUIState("walker", UIState{Audit: snap.Audit.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != first.ID+","+second.ID {
		t.Errorf("EachAudit order = %v, want oldest first", order)
	}
	stop := errors.New("stop")
	if err := s.EachAudit(func(*checklist.Snapshot) error { return stop }); err != stop {
		t.Errorf("EachAudit error = %v, want fn's error", err)
	}
}

func TestPinnedCatalogue(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "si"})
	v2, err := s.SaveCatalogue(readTestdata(t, "catalogue-v2.yaml"), "catalogue-v2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := s.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Catalogue.Version != "1" || snap.Catalogue.Item("FIS-03") == nil || snap.Catalogue.Item("ORG-03") != nil ||
		snap.Catalogue.Item("ORG-01").Question != "Esiste un piano di sicurezza comunale CIE adottato?" {
		t.Fatalf("Load gave catalogue %s, want the pinned version 1", snap.Catalogue.Key())
	}
	// Answers are still checked against version 1.
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA02, Item: "FIS-03", Value: "no"})
	if _, err := s.SaveAnswer(a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-03", Value: "si"}, -1); err == nil {
		t.Error("an item of version 2 was accepted in an audit pinned to version 1")
	}
	// A new audit on version 2 answers version 2.
	b := testAudit(v2)
	b2, err := s.CreateAudit(b, "giulia")
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, b2.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-03", Value: "si"})
	if _, err := s.SaveAnswer(b2.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "si"}, -1); err == nil {
		t.Error("an item removed in version 2 was accepted")
	}
}

func TestSubscribe(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	// Started first, so that each save below is exactly one event.
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"})
	fast, stopFast := s.Subscribe()
	slow, stopSlow := s.Subscribe()
	defer stopSlow()
	n := subscriberBuffer + 10
	for i := range n {
		mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-02", Value: strconv.Itoa(i)})
		if i < 3 {
			e := <-fast
			if e.AuditID != a.ID || e.Item != "ORG-02" || e.Scope != "ente" || e.Kind != checklist.ChangeAnswer {
				t.Fatalf("event = %+v", e)
			}
		}
	}
	// The slow subscriber never read: it lost events but writers went on.
	if len(slow) != subscriberBuffer {
		t.Errorf("slow subscriber holds %d events, want a full buffer of %d", len(slow), subscriberBuffer)
	}
	stopFast()
	for range fast {
	}
	stopFast() // idempotent
	s.Close()
	for range slow {
	}
}

func TestTimestampsUseTheClock(t *testing.T) {
	clock := newClock()
	s := openTest(t, Options{Now: clock.Now})
	a := seed(t, s)
	r := mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"})
	if r.Answer.At.Before(clockStart) || r.Answer.At.After(clockStart.Add(time.Hour)) {
		t.Errorf("answer time %v does not come from Options.Now", r.Answer.At)
	}
}

// TestControlCharactersInTextAreEscaped: a note or text typed with escape
// sequences is stored with them made visible, so that it cannot repaint
// another auditor's terminal.
func TestControlCharactersInTextAreEscaped(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	res := mustSave(t, s, a.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "no", Note: "schermo\x1b[2J visibile\nseconda riga", Author: "giulia"})
	if res.Answer.Note != `schermo\x1b[2J visibile`+"\nseconda riga" {
		t.Errorf("note stored as %q", res.Answer.Note)
	}
	if err := s.SaveEvaluation(a.ID, checklist.Evaluation{Scope: checklist.EnteScope, Section: "ORG", Text: "\x07ok", Author: "giulia"}); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Evaluations) != 1 || snap.Evaluations[0].Text != `\x07ok` {
		t.Errorf("evaluation stored as %+v", snap.Evaluations)
	}
}

// TestEnsureBuiltinOnAReadOnlyCopy: once the built-in catalogue is stored,
// asking for it again only reads, so it works on a read-only copy (and a
// viewer's commands over SSH do not write).
func TestEnsureBuiltinOnAReadOnlyCopy(t *testing.T) {
	s := openTest(t, Options{})
	if _, err := s.EnsureBuiltin(); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if c, err := ro.EnsureBuiltin(); err != nil || len(c.Items()) < 70 {
		t.Fatalf("EnsureBuiltin on a read-only store: %v", err)
	}
}

// TestSaveValueKeepsTheStoredNote: a value saved alone keeps the note saved
// before it, even if the caller still holds an older note.
func TestSaveValueKeepsTheStoredNote(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "no", Author: "giulia"})
	if _, err := s.SaveNote(a.ID, postA01, "FIS-03", "Schermo verso la fila", "giulia"); err != nil {
		t.Fatal(err)
	}
	res, err := s.SaveValue(a.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "si", Note: "", Author: "giulia"}, -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Answer.Value != "si" || res.Answer.Note != "Schermo verso la fila" {
		t.Fatalf("SaveValue stored %q with note %q, want si with the stored note", res.Answer.Value, res.Answer.Note)
	}
	// N/A needs a justification: the stored note serves as one.
	if res, err := s.SaveValue(a.ID, checklist.Answer{Scope: postA01, Item: "FIS-03", Value: "na", Author: "giulia"}, -1); err != nil || res.Answer.Note == "" {
		t.Fatalf("SaveValue na with a stored note: %+v, %v", res.Answer, err)
	}
}

// TestCreateAudits: a batch is stored whole, with answers, changed answers in
// the history, evaluations and actions; a batch with one bad entry stores
// nothing.
func TestCreateAudits(t *testing.T) {
	s := openTest(t, Options{})
	cat, err := s.SaveCatalogue(readTestdata(t, "catalogue-v1.yaml"), "catalogue-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string) NewAudit {
		a := checklist.Audit{Ente: checklist.Ente{Name: name}, Year: 2026, CatalogueID: cat.ID, CatalogueVersion: cat.Version}
		return NewAudit{Audit: a,
			Answers: []checklist.Answer{
				{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no", Author: "g"},
				{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Note: "corretto", Author: "g"},
			},
			Actions: []checklist.ActionPlan{{Item: "ORG-01", Owner: "Ufficio", Due: "2027-01-31"}},
		}
	}
	ids, err := s.CreateAudits([]NewAudit{mk("Comune A"), mk("Comune B")}, "gen")
	if err != nil || len(ids) != 2 {
		t.Fatalf("CreateAudits: %v, %v", ids, err)
	}
	snap, err := s.Load(ids[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Answers) != 1 || snap.Answers[0].Value != "si" || snap.Answers[0].Rev != 2 || len(snap.Actions) != 1 {
		t.Errorf("stored audit: answers %+v, actions %+v", snap.Answers, snap.Actions)
	}
	// audit, stato, risposta, risposta, nota, azione
	if len(snap.History) != 6 {
		t.Errorf("history has %d entries, want 6: %+v", len(snap.History), snap.History)
	}
	list, _ := s.ListAudits()
	for _, l := range list {
		if l.Progress.Answered != 1 || l.Status != checklist.StatusInProgress {
			t.Errorf("index of %s: %+v", l.ID, l)
		}
	}
	bad := mk("Comune C")
	bad.Answers = append(bad.Answers, checklist.Answer{Scope: checklist.EnteScope, Item: "NOPE", Value: "si"})
	if _, err := s.CreateAudits([]NewAudit{mk("Comune D"), bad}, "gen"); err == nil {
		t.Fatal("a batch with an unknown item was stored")
	}
	if list, _ := s.ListAudits(); len(list) != 2 {
		t.Errorf("after a refused batch %d audits, want 2", len(list))
	}
}

// TestEveryAuditWriteIsPublished: each kind of write to an audit reaches a
// subscriber once committed, close and reopen included, and a refused
// write publishes nothing.
func TestEveryAuditWriteIsPublished(t *testing.T) {
	s := openTest(t, Options{})
	events, stop := s.Subscribe()
	defer stop()
	a := seed(t, s)
	next := func(what string, kind checklist.ChangeKind) {
		t.Helper()
		select {
		case e := <-events:
			if e.AuditID != a.ID || e.Kind != kind {
				t.Fatalf("%s: event %+v, want audit %s kind %s", what, e, a.ID, kind)
			}
		default:
			t.Fatalf("%s: no event published", what)
		}
	}
	next("create", checklist.ChangeAudit)
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"})
	next("answer", checklist.ChangeAnswer)
	next("answer: bozza → in_corso", checklist.ChangeStatus)
	if _, err := s.UpdateAudit(a.ID, "giulia", "", func(au *checklist.Audit) error { au.Ente.Sindaco = "Anna Neri"; return nil }); err != nil {
		t.Fatal(err)
	}
	next("update", checklist.ChangeAudit)
	if closed, err := s.SetStatus(a.ID, checklist.StatusClosed, "giulia", "", &checklist.SignOff{Place: "Valdoria", Date: "20/11/2026"}); err != nil || closed.SignOff.Date != "2026-11-20" {
		t.Fatalf("close: %v, sign-off %+v (want the date stored as 2026-11-20)", err, closed.SignOff)
	}
	next("close", checklist.ChangeStatus)
	if _, err := s.SetStatus(a.ID, checklist.StatusInProgress, "giulia", "", nil); err == nil {
		t.Fatal("reopened without a reason")
	}
	if _, err := s.SetStatus(a.ID, checklist.StatusInProgress, "giulia", "verbale da correggere", nil); err != nil {
		t.Fatal(err)
	}
	next("reopen", checklist.ChangeStatus)
	if err := s.DeleteAudit(a.ID, "giulia"); err != nil {
		t.Fatal(err)
	}
	next("delete", checklist.ChangeAudit)
	select {
	case e := <-events:
		t.Fatalf("unexpected event %+v (the refused reopen published?)", e)
	default:
	}
}

// TestEachAuditParts: the walk yields every audit once, oldest first, across
// several batches, reads only the parts asked for, skips an audit deleted
// during the walk, and lets fn write to the store.
func TestEachAuditParts(t *testing.T) {
	old := eachBatchRecords
	eachBatchRecords = 5
	t.Cleanup(func() { eachBatchRecords = old })
	for _, hold := range []bool{false, true} {
		s := openTest(t, Options{Hold: hold})
		cat, err := s.SaveCatalogue(readTestdata(t, "catalogue-v1.yaml"), "catalogue-v1.yaml")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i := range 6 {
			a := checklist.Audit{Ente: checklist.Ente{Name: fmt.Sprintf("Comune %d", i)}, Year: 2026, CatalogueID: cat.ID, CatalogueVersion: cat.Version}
			got, err := s.CreateAudits([]NewAudit{{Audit: a, Answers: []checklist.Answer{{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Author: "g"}}}}, "gen")
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, got...)
		}
		var seen []string
		err = s.EachAuditParts(ReadAnswers, func(snap *checklist.Snapshot) error {
			seen = append(seen, snap.Audit.ID)
			if len(snap.Answers) != 1 || len(snap.History) != 0 {
				t.Errorf("audit %s: %d answers, %d history entries; want the answers only", snap.Audit.ID, len(snap.Answers), len(snap.History))
			}
			if len(seen) == 1 {
				// Writing from fn, and deleting an audit not walked yet.
				mustSave(t, s, snap.Audit.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no", Author: "g"})
				if err := s.DeleteAudit(ids[5], "admin"); err != nil {
					t.Fatal(err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(seen) != fmt.Sprint(ids[:5]) {
			t.Errorf("hold=%v: walked %v, want %v (oldest first, the deleted one skipped)", hold, seen, ids[:5])
		}
		n := 0
		if err := s.EachAudit(func(snap *checklist.Snapshot) error { n += len(snap.History); return nil }); err != nil || n == 0 {
			t.Errorf("EachAudit read no history (%v)", err)
		}
	}
}
