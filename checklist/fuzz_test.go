package checklist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCatalogue feeds catalogue files to the parser and validator, and what
// they accept to the risk engine with every item answered: no input may
// panic or hang, and an accepted catalogue must be usable.
func FuzzCatalogue(f *testing.F) {
	f.Add(BuiltinSource)
	// Small catalogues, good and bad: the built-in one (90 KB) makes every
	// execution and minimisation a hundred times slower, and the unit tests
	// cover it.
	seeds, _ := filepath.Glob("../testdata/catalogues/*/*.yaml")
	for _, path := range append(seeds, "testdata/risk/cli.yaml") {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("id: x\nversion: '1'\ntitle: t\n---\nid: y\n"))
	f.Add([]byte("id: \"\\0\"\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := Parse(src, "fuzz.yaml")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		s := &Snapshot{
			Audit: Audit{
				ID:         "fuzz",
				Sedi:       []Sede{{Name: "A"}},
				Postazioni: []Postazione{{Code: "P1", Sede: "A"}},
			},
			Catalogue: c,
		}
		outcomes := []string{"si", "no", "parziale"}
		for i, it := range c.Items() {
			sc := EnteScope
			switch it.Scope {
			case ScopeSede:
				sc = Scope{Kind: ScopeSede, Name: "A"}
			case ScopePostazione:
				sc = Scope{Kind: ScopePostazione, Name: "P1"}
			}
			v := outcomes[i%len(outcomes)]
			if it.Answer.Kind != KindOutcome && it.Answer.Kind != "" {
				v = ""
			}
			s.Answers = append(s.Answers, Answer{Scope: sc, Item: it.ID, Value: v})
		}
		Assess(s)
	})
}

// FuzzTextRules drives the rules every typed text goes through with the
// same input: CleanText, ParseScope and NormaliseValue (for items of every
// answer kind of the built-in catalogue).
//
// CleanText's result is valid UTF-8, holds nothing a terminal acts on, is
// stable under a second cleaning, and a single line stays one line. An
// accepted scope prints back to text that parses to the same scope. A value
// NormaliseValue accepts is accepted again unchanged (the canonical form is
// a fixed point).
func FuzzTextRules(f *testing.F) {
	c, err := Builtin()
	if err != nil {
		f.Fatal(err)
	}
	items := c.Items()
	for i, s := range []string{"", "testo", "\x1b[31mrosso\x1b[0m", "a\u202eb", "riga\nriga", "\xff\xfe", "\u2028", " spazi ",
		"ente", "sede:Municipio", "postazione:001234", "sede:", "x:y", "sede: a ", "postazione:a:b",
		"si", "Sì", "no", "parziale", "na", "n/a", "12", "1.234,5", "-3", "2026-03-09", "09/03/2026", "31/02/2026", "altro"} {
		f.Add(s, i%2 == 0, uint16(i*13))
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool, which uint16) {
		got := CleanText(s, multiline)
		if !utf8.ValidString(got) {
			t.Fatalf("CleanText(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if unsafeRune(r, multiline) {
				t.Fatalf("CleanText(%q) = %q keeps %U", s, got, r)
			}
		}
		if again := CleanText(got, multiline); again != got {
			t.Fatalf("CleanText not stable: %q -> %q -> %q", s, got, again)
		}
		if !multiline && strings.ContainsAny(got, "\n\r") {
			t.Fatalf("CleanText(%q, false) = %q spans lines", s, got)
		}

		if sc, err := ParseScope(s); err == nil {
			back, err := ParseScope(sc.String())
			if err != nil || back != sc {
				t.Fatalf("ParseScope(%q) = %+v, printed %q, parsed again %+v, %v", s, sc, sc.String(), back, err)
			}
		}

		note := ""
		if multiline {
			note = "nota"
		}
		for i := range 4 {
			it := items[(int(which)+i*37)%len(items)]
			v, err := NormaliseValue(it, s, note)
			if err != nil {
				continue
			}
			again, err := NormaliseValue(it, v, note)
			if err != nil || again != v {
				t.Fatalf("item %s (%s): %q -> %q -> %q, %v", it.ID, it.Answer.Kind, s, v, again, err)
			}
		}
	})
}
