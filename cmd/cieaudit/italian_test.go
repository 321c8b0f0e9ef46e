package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// englishCobra are fragments of the messages and help cobra and pflag write
// in English. None may reach a user of the Italian command line.
var englishCobra = []string{
	"Usage:", "Flags:", "Global Flags", "Available Commands", "Additional", "Aliases:", "Examples:",
	"for more information", "help for", "version for", "[flags]", "[command]", "[=true|false]",
	"(default", "Error:", "unknown", "Unknown", "flag", "required", "accepts", "arg(s)",
	"invalid argument", "Did you mean", "needs an argument", "bad flag syntax", "deprecated",
	"if any flags", "at least one of", "strconv.", "invalid syntax", "Run '",
}

// commandLines lists, for every command of the tree, command lines that are
// wrong in each way cobra or pflag can notice, plus its help.
func commandLines(t *testing.T) [][]string {
	t.Helper()
	var lines [][]string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := strings.Fields(c.CommandPath())[1:]
		with := func(extra ...string) []string { return append(append([]string{}, path...), extra...) }
		lines = append(lines,
			with("--help"),
			with("--senza-senso"),
			with("-Z"),
			with("---tre"),
			with("uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci"),
		)
		if c.Args != nil && c.Args(c, nil) != nil || hasRequiredFlag(c) {
			lines = append(lines, with()) // missing arguments or required flags
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			// Never a line that parses: the command would run (serve, the TUI).
			if f.Value.Type() != "bool" {
				lines = append(lines, with("--"+f.Name))
			}
			if f.Value.Type() != "string" {
				lines = append(lines, with("--"+f.Name+"=non-è-un-valore"))
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&app{}))
	return lines
}

func hasRequiredFlag(c *cobra.Command) bool {
	found := false
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		found = found || len(f.Annotations[cobra.BashCompOneRequiredFlag]) > 0
	})
	return found
}

func TestCLINoEnglishCobraText(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "mai-creato.db")
	lines := commandLines(t)
	if len(lines) < 100 {
		t.Fatalf("only %d command lines: the walk missed the tree", len(lines))
	}
	for _, args := range lines {
		r := runCLI(t, db, args...)
		out := r.Stdout + r.Stderr
		for _, english := range englishCobra {
			if strings.Contains(out, english) {
				t.Errorf("cieaudit %s prints %q (exit %d):\n%s", strings.Join(args, " "), english, r.Code, out)
			}
		}
		wantCode := 2
		if args[len(args)-1] == "--help" {
			wantCode = 0
		}
		if r.Code != wantCode {
			t.Errorf("cieaudit %s: exit %d, want %d; stderr %q", strings.Join(args, " "), r.Code, wantCode, r.Stderr)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a refused command line created the database %s", db)
	}
}

func TestCLIUsageErrorsAreItalian(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"audti"}, `comando sconosciuto "audti" per "cieaudit"; forse: audit`},
		{[]string{"audit", "lst"}, `comando sconosciuto "lst" per "cieaudit audit"; forse: list`},
		{[]string{"audit", "show"}, `serve 1 argomento, ricevuti 0 (uso: cieaudit audit show ID [opzioni])`},
		{[]string{"audit", "show", "a", "b"}, `argomento inatteso "b" per "cieaudit audit show": serve 1 argomento`},
		{[]string{"audit", "list", "di", "troppo"}, `argomento inatteso "di" per "cieaudit audit list": il comando non vuole argomenti`},
		{[]string{"audit", "new"}, "2 opzioni obbligatorie mancanti: --auditor, --year"},
		{[]string{"audit", "new", "--ente", "X", "--istat", "054001", "--year", "2026"}, "1 opzione obbligatoria mancante: --auditor"},
		{[]string{"audit", "new", "--year", "2026", "--auditor", "A"}, "--ente e --istat sono obbligatori"},
		{[]string{"audit", "new", "--from", "x", "--ente", "E", "--year", "2026", "--auditor", "A"}, "con --from l'ente è quello dell'audit precedente"},
		{[]string{"audit", "new", "--year", "duemila"}, `valore "duemila" non valido per l'opzione "--year": serve un numero intero`},
		{[]string{"answer", "x", "--scope"}, "l'opzione --scope richiede un valore"},
		{[]string{"audit", "--bogus"}, "opzione sconosciuta: --bogus (vedere cieaudit audit --help)"},
		{[]string{"-x"}, "opzione sconosciuta: -x (vedere cieaudit --help)"},
		{[]string{"export", "a", "b"}, `argomento inatteso "b" per "cieaudit export": al massimo 1 argomento`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.Code != 2 || !strings.Contains(r.Stderr, tt.want) || strings.Count(r.Stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q: want exit 2 and one line containing %q", r.Code, r.Stderr, tt.want)
			}
		})
	}
}

func TestFlagUsagesItalian(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.String("csv", "excel", "dialetto CSV")
	fs.Bool("zip", false, "scrive un archivio")
	fs.IntP("limit", "n", 0, "solo le ultime `N` voci")
	fs.Duration("idle", 0, "disconnette dopo")
	got := flagUsages(fs)
	want := "      --csv testo     dialetto CSV (predefinito: \"excel\")\n" +
		"      --idle durata   disconnette dopo\n" +
		"  -n, --limit N       solo le ultime N voci\n" +
		"      --zip           scrive un archivio\n"
	if got != want {
		t.Errorf("flagUsages:\n%s\nwant:\n%s", got, want)
	}
}
