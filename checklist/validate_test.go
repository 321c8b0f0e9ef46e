package checklist

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseGoodCatalogues(t *testing.T) {
	files, _ := filepath.Glob("../testdata/catalogues/good/*.yaml")
	if len(files) == 0 {
		t.Fatal("no good catalogues found")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(src, f)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.Digest == "" || len(c.Items()) == 0 {
				t.Fatalf("parsed catalogue has digest %q and %d items", c.Digest, len(c.Items()))
			}
			for _, it := range c.Items() {
				if it.Answer.Kind == "" {
					t.Errorf("%s: answer kind not defaulted to esito", it.ID)
				}
				if c.Item(it.ID) != it || it.Section == "" {
					t.Errorf("%s: not indexed", it.ID)
				}
			}
		})
	}
}

func TestParseBadCatalogues(t *testing.T) {
	type want struct {
		line, col int
		field     string
		message   string // substring
	}
	tests := []struct {
		file string
		want []want
	}{
		{"unknown-field.yaml", []want{{44, 9, "sections[0].items[0].guidanse", `campo sconosciuto "guidanse"`}}},
		{"duplicate-ids.yaml", []want{
			{28, 9, "threats[1].id", `id di minaccia "T01" duplicato`},
			{49, 22, "sections[0].items[0].threats[1].threat", `minaccia "T02" non definita`},
			{75, 13, "sections[1].items[1].id", `id di misura "ORG-01" duplicato`},
		}},
		{"dangling-threat.yaml", []want{{49, 22, "sections[0].items[0].threats[1].threat", `minaccia "T99" non definita in threats`}}},
		{"mitigation-range.yaml", []want{
			{48, 39, "sections[0].items[0].threats[0].mitigation", "mitigazione 140% fuori intervallo"},
			{63, 39, "sections[0].items[1].threats[0].mitigation", "mitigazione -5% fuori intervallo"},
		}},
		{"missing-italian.yaml", []want{
			{36, 12, "sections[0].title", "titolo in italiano della sezione"},
			// The question key is gone: the problem points at the item.
			{67, 9, "sections[1].items[0].question", "domanda in italiano (question) mancante"},
		}},
		{"bad-enums.yaml", []want{
			{30, 13, "threats[1].source", `origine "alieni" non valida`},
			{39, 19, "sections[0].items[0].category", `categoria "logica" non valida`},
			{40, 16, "sections[0].items[0].scope", `ambito "ufficio" non valido`},
			{53, 16, "sections[0].items[1].level", `livello "massimo" non valido`},
			{74, 18, "sections[1].items[0].origin[0]", `origine "legge" non valida`},
		}},
		{"syntax.yaml", []want{{21, 1, "", "YAML non valido"}}},
		{"wrong-type.yaml", []want{{32, 18, "threats[1].probability", `atteso un numero intero, trovato "alta"`}}},
		// 60 sections × 60 items × 60 links from a 2 KB file: stopped early.
		{"alias-bomb.yaml", []want{{27, 25, "sections[17].items[32].threats[7].threat", "catalogo troppo grande"}}},
		{"number-with-threats.yaml", []want{{84, 11, "sections[1].items[1].threats", "non può mitigare minacce"}}},
		{"new-fields.yaml", []want{
			{6, 3, "risk.max_mitigation", "mitigazione massima (max_mitigation) mancante"},
			{16, 5, "threats[0].probability", "probabilità mancante"},
			{24, 5, "vulnerabilities[1].name", "nome in italiano della vulnerabilità (name) mancante"},
			{24, 9, "vulnerabilities[1].id", `id di vulnerabilità "V1" duplicato`},
			{35, 20, "sections[0].items[0].reference", "l'origine «norma» richiede il riferimento"},
			{37, 24, "sections[0].items[0].macroprocess[0]", `macroprocesso "mp4" non valido`},
			{38, 27, "sections[0].items[0].compliant_answer", `risposta conforme "forse" non valida`},
			{39, 24, "sections[0].items[0].vulnerability", `vulnerabilità "V9" non definita`},
			{41, 13, "sections[0].items[0].threats[0].mitigation", "mitigazione (mitigation) mancante"},
			{50, 23, "sections[0].items[1].macroprocess", "indicare almeno un macroprocesso"},
			{51, 27, "sections[0].items[1].compliant_answer", "compliant_answer vale solo per le risposte di tipo esito"},
		}},
		{"threats-without-risk.yaml", []want{
			{1, 1, "risk", "modello di rischio (risk) mancante"},
			{35, 22, "sections[0].items[1].threats[0].threat", `minaccia "T02" non definita in threats`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("..", "testdata", "catalogues", "bad", tt.file)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(src, tt.file)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Parse error = %v, want *ValidationError", err)
			}
			if len(ve.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ve.Problems), len(tt.want), err)
			}
			for i, w := range tt.want {
				p := ve.Problems[i]
				if p.File != tt.file || p.Line != w.line || p.Column != w.col || p.Field != w.field || !strings.Contains(p.Message, w.message) {
					t.Errorf("problem %d = %s\nwant %s:%d:%d: %s: …%s…", i, p, tt.file, w.line, w.col, w.field, w.message)
				}
			}
		})
	}
}

func TestParseEmptyFile(t *testing.T) {
	_, err := Parse(nil, "vuoto.yaml")
	if err == nil || !strings.Contains(err.Error(), "vuoto.yaml:1:1: il file è vuoto") {
		t.Fatalf("err = %v", err)
	}
}

func TestBuiltinCatalogueIsValid(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Items()); n < 70 {
		t.Fatalf("builtin catalogue has %d items, want at least 70", n)
	}
	for _, it := range c.Items() {
		if it.Answer.Kind == KindOutcome && len(it.Threats) == 0 {
			t.Errorf("%s: esito item linked to no threat", it.ID)
		}
		if len(it.Macroprocess) == 0 {
			t.Errorf("%s: no macroprocess", it.ID)
		}
		// Honest sources: an item without a reference is inferred good
		// practice, and a duty always names the rule it rests on.
		if noReference(it.Reference) && (it.IsNormative() || !it.IsInferred()) {
			t.Errorf("%s: no reference but origin %v", it.ID, it.Origin)
		}
	}
	// The paper card may not be issued after 3 August 2026, not even for
	// urgencies (circ. 76/2025): 2026.2 drops 2026.1's PRO-13.
	if c.Version != "2026.2" || c.Item("PRO-13") != nil || c.Item("PRO-16") == nil {
		t.Errorf("current built-in %s still accepts paper cards", c.Key())
	}
	for _, mp := range Macroprocesses {
		n := 0
		for _, it := range c.Items() {
			if slices.Contains(it.Macroprocess, mp) && !slices.Equal(it.Macroprocess, Macroprocesses) {
				n++
			}
		}
		if n < 4 {
			t.Errorf("%s: %d items of its own, want at least 4", mp, n)
		}
	}
}

// TestEmbeddedVersionsAreFrozen: audits pinned to an earlier built-in
// version keep their meaning, so its bytes never change.
func TestEmbeddedVersionsAreFrozen(t *testing.T) {
	frozen := map[string]string{
		"cie-postazioni-2026.1.yaml": "c4dddd19a77986e40956901b3e9570e362e720b32ce643c1982e13c83028161e",
	}
	for _, e := range BuiltinSources {
		c, err := Parse(e.Source, e.Filename)
		if err != nil {
			t.Fatalf("%s: %v", e.Filename, err)
		}
		if want, ok := frozen[e.Filename]; ok && c.Digest != want {
			t.Errorf("%s changed (digest %s): publish changes as a new version instead", e.Filename, c.Digest)
		}
		if !IsBuiltinDigest(c.Digest) {
			t.Errorf("%s not recognised as built-in", e.Filename)
		}
	}
	if last := BuiltinSources[len(BuiltinSources)-1]; &last.Source[0] != &BuiltinSource[0] {
		t.Error("the current built-in must be the last embedded version")
	}
}

func TestNumberAnswersRejectNonFinite(t *testing.T) {
	it := &Item{ID: "N1", Answer: AnswerSpec{Kind: KindNumber}}
	for _, raw := range []string{"NaN", "Inf", "-Inf", "+inf", "1e400"} {
		if v, err := NormaliseValue(it, raw, ""); err == nil {
			t.Errorf("NormaliseValue(%q) = %q, want an error", raw, v)
		}
	}
	if v, err := NormaliseValue(it, "4,5", ""); err != nil || v != "4.5" {
		t.Errorf("NormaliseValue(4,5) = %q, %v", v, err)
	}
}
