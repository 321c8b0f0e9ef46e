package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unitExecStart returns the arguments of the unit's ExecStart after
// "cieaudit serve", with its continuation lines joined.
func unitExecStart(t *testing.T, unit string) []string {
	t.Helper()
	joined := strings.ReplaceAll(unit, "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		if rest, ok := strings.CutPrefix(line, "ExecStart="); ok {
			f := strings.Fields(rest)
			if len(f) < 2 || !strings.HasSuffix(f[0], "/cieaudit") || f[1] != "serve" {
				t.Fatalf("ExecStart %q does not run cieaudit serve", rest)
			}
			return f[2:]
		}
	}
	t.Fatal("the unit has no ExecStart")
	return nil
}

// The unit's command line, with the example settings of the environment
// file in place of $CIEAUDIT_SERVE_ARGS, is one that serve accepts, and the
// paths the install steps create are the ones the unit names.
func TestSystemdUnitAndDefaults(t *testing.T) {
	unitSrc, err := os.ReadFile(filepath.Join("..", "..", "docs", "cieaudit.service"))
	if err != nil {
		t.Fatal(err)
	}
	defSrc, err := os.ReadFile(filepath.Join("..", "..", "docs", "cieaudit.default"))
	if err != nil {
		t.Fatal(err)
	}
	unit := string(unitSrc)
	for _, want := range []string{
		"EnvironmentFile=-/etc/default/cieaudit",
		"Documentation=file:///usr/local/share/doc/cieaudit/jump-host.md",
		"install -D -m 0644 docs/jump-host.md /usr/local/share/doc/cieaudit/jump-host.md",
		"install -m 0644 docs/cieaudit.default /etc/default/cieaudit",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("docs/cieaudit.service lacks %q", want)
		}
	}
	args := unitExecStart(t, unit)
	if args[len(args)-1] != "$CIEAUDIT_SERVE_ARGS" {
		t.Fatalf("$CIEAUDIT_SERVE_ARGS must come last, to override the defaults: %v", args)
	}
	var extra []string
	for _, line := range strings.Split(string(defSrc), "\n") {
		if v, ok := strings.CutPrefix(line, "#CIEAUDIT_SERVE_ARGS="); ok {
			extra = strings.Fields(v)
		}
	}
	if len(extra) == 0 {
		t.Fatal("docs/cieaudit.default has no CIEAUDIT_SERVE_ARGS example")
	}
	for name, line := range map[string][]string{
		"the unit alone":            args[:len(args)-1],
		"with the example settings": append(append([]string{}, args[:len(args)-1]...), extra...),
	} {
		root := newRootCmd(&app{})
		serve, _, err := root.Find([]string{"serve"})
		if err != nil {
			t.Fatal(err)
		}
		if err := serve.ParseFlags(line); err != nil {
			t.Errorf("%s: serve refuses %v: %v", name, line, err)
		}
		if name == "with the example settings" {
			if got := serve.Flags().Lookup("listen").Value.String(); got != "10.0.0.5:2222" {
				t.Errorf("the environment file's --listen does not override the unit's: %s", got)
			}
		}
	}
}
