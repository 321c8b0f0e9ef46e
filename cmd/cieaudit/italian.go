package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The command line speaks Italian without translating cobra's English text:
// the positional-argument checks are ours (noArgs, exactArgs, maxArgs), the
// flag errors are rebuilt from pflag's typed errors (flagError), required
// flags are checked before cobra would (checkRequiredFlags) and the flag
// list in the help is rendered here (flagUsages). Any error a future cobra
// check produces is replaced by a generic Italian sentence, never shown.

// noArgs refuses any positional argument. On a command with subcommands the
// word is a mistyped command, and cobra's suggestions are offered.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasAvailableSubCommands() {
		return unknownCommand(cmd, args[0])
	}
	return usagef("argomento inatteso %q per %q: il comando non vuole argomenti (un testo con spazi va tra virgolette)", args[0], cmd.CommandPath())
}

// exactArgs wants exactly n positional arguments.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < n:
			return usagef("argomenti mancanti per %q: %s, ricevuti %d (uso: %s)", cmd.CommandPath(), wantArgs(n), len(args), cmd.UseLine())
		case len(args) > n:
			return usagef("argomento inatteso %q per %q: %s (un testo con spazi va tra virgolette)", args[n], cmd.CommandPath(), wantArgs(n))
		}
		return nil
	}
}

// maxArgs wants at most n positional arguments.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("argomento inatteso %q per %q: al massimo %s (un testo con spazi va tra virgolette)", args[n], cmd.CommandPath(), checklist.Count(n, "argomento", "argomenti"))
		}
		return nil
	}
}

func wantArgs(n int) string {
	if n == 1 {
		return "serve 1 argomento"
	}
	return fmt.Sprintf("servono %d argomenti", n)
}

func unknownCommand(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("comando sconosciuto %q per %q", name, cmd.CommandPath())
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		msg += "; forse: " + strings.Join(s, ", ")
	}
	return usagef("%s (vedere %s --help)", msg, cmd.CommandPath())
}

// flagError turns pflag's parse errors into one Italian sentence; it is the
// root's flag error function, which every command below inherits.
func flagError(cmd *cobra.Command, err error) error {
	var (
		notExist *pflag.NotExistError
		noValue  *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
		msg      string
	)
	switch {
	case errors.As(err, &notExist):
		switch name, sh := notExist.GetSpecifiedName(), notExist.GetSpecifiedShortnames(); {
		case sh == name:
			msg = "opzione sconosciuta: -" + name
		case sh != "":
			msg = fmt.Sprintf("opzione sconosciuta: -%s (in -%s)", name, sh)
		default:
			msg = "opzione sconosciuta: --" + notExist.GetSpecifiedName()
		}
	case errors.As(err, &noValue):
		msg = fmt.Sprintf("l'opzione %s richiede un valore", flagName(noValue.GetFlag()))
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		msg = fmt.Sprintf("valore %q non valido per l'opzione %q: %s", invalid.GetValue(), flagName(f), expectedValue(f))
	case errors.As(err, &syntax):
		msg = fmt.Sprintf("opzione scritta male: %q (si scrive --nome o --nome=valore)", syntax.GetSpecifiedFlag())
	default:
		msg = "opzioni non valide"
	}
	return usagef("%s (vedere %s --help)", msg, cmd.CommandPath())
}

func flagName(f *pflag.Flag) string {
	if f == nil {
		return "indicata"
	}
	return "--" + f.Name
}

// expectedValue says what a flag of f's type accepts.
func expectedValue(f *pflag.Flag) string {
	if f == nil {
		return "valore del tipo sbagliato"
	}
	switch f.Value.Type() {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "serve un numero intero"
	case "float32", "float64":
		return "serve un numero"
	case "bool":
		return "usare true o false"
	case "duration":
		return "serve una durata, es. 30s, 15m, 2h"
	}
	return "valore del tipo sbagliato"
}

// checkRequiredFlags reports the flags marked required and not given, before
// cobra's own (English) check runs.
func checkRequiredFlags(cmd *cobra.Command) error {
	var missing []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if req, ok := f.Annotations[cobra.BashCompOneRequiredFlag]; ok && len(req) > 0 && req[0] == "true" && !f.Changed {
			missing = append(missing, "--"+f.Name)
		}
	})
	if len(missing) == 0 {
		return nil
	}
	return usagef("%s: %s (vedere %s --help)", checklist.Count(len(missing), "opzione obbligatoria mancante", "opzioni obbligatorie mancanti"),
		strings.Join(missing, ", "), cmd.CommandPath())
}

// typeWords names, in Italian, the kind of value a flag wants in the help.
var typeWords = map[string]string{
	"string": "testo", "int": "numero", "int64": "numero", "uint": "numero", "float64": "numero",
	"duration": "durata", "stringSlice": "testi", "stringArray": "testo", "intSlice": "numeri",
}

// flagUsages renders a flag list like pflag's FlagUsages, in Italian:
// "(predefinito: excel)" instead of `(default "excel")`, no "[=true|false]"
// after switches, Italian names for the value kinds.
func flagUsages(fs *pflag.FlagSet) string {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		varname, usage := pflag.UnquoteUsage(f)
		if f.Value.Type() != "bool" && varname != "" {
			if w, ok := typeWords[varname]; ok {
				varname = w
			}
			left += " " + varname
		}
		if f.NoOptDefVal != "" && f.Value.Type() != "bool" {
			left += "[=" + f.NoOptDefVal + "]"
		}
		if !isZeroDefault(f) {
			if f.Value.Type() == "string" {
				usage += fmt.Sprintf(" (predefinito: %s)", strconv.Quote(f.DefValue))
			} else {
				usage += fmt.Sprintf(" (predefinito: %s)", f.DefValue)
			}
		}
		if f.Deprecated != "" {
			usage += " (DEPRECATA: " + f.Deprecated + ")"
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.left)
		b.WriteString(strings.Repeat(" ", width-len(r.left)+3))
		b.WriteString(r.usage)
		b.WriteByte('\n')
	}
	return b.String()
}

func isZeroDefault(f *pflag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "[]", "0s", "<nil>", "map[]":
		return true
	}
	return false
}

// groupCommand makes a command that only holds subcommands refuse an unknown
// one (cobra would print the help and exit 0) and print its help otherwise.
func groupCommand(c *cobra.Command) {
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return unknownCommand(cmd, args[0])
		}
		return cmd.Help()
	}
}
