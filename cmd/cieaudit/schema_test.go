package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/spf13/cobra"
)

// schemaDir holds the JSON Schemas of every --json output (docs/schema).
var schemaDir = filepath.Join("..", "..", "docs", "schema")

// jsonSchemas maps each command with --json to the schema of its output.
// A new --json command without an entry here fails TestEveryJSONOutputHasASchema.
var jsonSchemas = map[string]string{
	"audit list":    "audit-list",
	"audit show":    "audit-show",
	"audit diff":    "audit-diff",
	"risk":          "risk",
	"user list":     "user-list",
	"log":           "access-log",
	"version":       "version",
	"plan show":     "plan",
	"operator list": "operator-list",
	"event list":    "event-list",
	"deadlines":     "deadlines",
	"evidence list": "evidence-list",
	"import":        "import-merge",
}

var (
	schemaMu       sync.Mutex
	schemaCompiler = jsonschema.NewCompiler()
	schemaCache    = map[string]*jsonschema.Schema{}
)

func compiledSchema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if s, ok := schemaCache[name]; ok {
		return s
	}
	path, err := filepath.Abs(filepath.Join(schemaDir, name+".schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := schemaCompiler.Compile(path)
	if err != nil {
		t.Fatalf("schema %s: %v", name, err)
	}
	schemaCache[name] = s
	return s
}

// schemaVersions are the layouts past their first version.
var schemaVersions = map[string]string{"audit": "v2"}

// validateJSONOutput checks that out is one JSON object whose first field
// is "schema": "cieaudit.<name>/v1" (or the version in schemaVersions) and
// that it satisfies docs/schema/<name>.schema.json.
func validateJSONOutput(t testing.TB, name, out string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s: output is not a JSON object (%v):\n%.300s", name, err, out)
	}
	key, _ := dec.Token()
	var value string
	version := cmp.Or(schemaVersions[name], "v1")
	if err := dec.Decode(&value); key != "schema" || err != nil || value != "cieaudit."+name+"/"+version {
		t.Fatalf("%s: first field %v = %q, want \"schema\": \"cieaudit.%s/%s\"", name, key, value, name, version)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := compiledSchema(t, name).Validate(inst); err != nil {
		t.Fatalf("%s: output does not match docs/schema/%s.schema.json: %v\n%.500s", name, name, err, out)
	}
}

func TestEveryJSONOutputHasASchema(t *testing.T) {
	var missing []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.LocalFlags().Lookup("json") != nil {
			path := strings.TrimPrefix(c.CommandPath(), "cieaudit ")
			name, ok := jsonSchemas[path]
			if !ok {
				missing = append(missing, path)
			} else if _, err := os.Stat(filepath.Join(schemaDir, name+".schema.json")); err != nil {
				missing = append(missing, path+" ("+name+".schema.json)")
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&app{}))
	if len(missing) > 0 {
		t.Errorf("--json without a schema in docs/schema (add it to jsonSchemas): %v", missing)
	}
	// Every schema file documents an output (common holds shared definitions).
	files, _ := filepath.Glob(filepath.Join(schemaDir, "*.schema.json"))
	used := append(slices.Collect(func(yield func(string) bool) {
		for _, n := range jsonSchemas {
			if !yield(n) {
				return
			}
		}
	}), "common", "audit")
	for _, f := range files {
		if n := strings.TrimSuffix(filepath.Base(f), ".schema.json"); !slices.Contains(used, n) {
			t.Errorf("%s documents no output", f)
		}
		compiledSchema(t, strings.TrimSuffix(filepath.Base(f), ".schema.json"))
	}
}

func TestJSONOutputsMatchTheirSchemas(t *testing.T) {
	db := filepath.Join(t.TempDir(), "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	empty := newAuditWithWorkstation(t, db)
	withEvidence := newAuditWithWorkstation(t, db)
	mustRunInput(t, db, "foto dell'armadio chiuso\n", "evidence", "add", withEvidence, "--scope", "ente", "--item", "ORG-01", "--name", "nota.txt", "-")
	key := newSSHKey(t, t.TempDir(), "schema")
	mustRun(t, db, "user", "add", "mario", "--role", "auditor", "--key", key.pub, "--allow-from", "10.0.0.0/8")

	runs := map[string][][]string{
		"audit-list":    {{"audit", "list", "--json"}},
		"audit-show":    {{"audit", "show", id, "--json"}, {"audit", "show", empty, "--json"}},
		"risk":          {{"risk", id, "--json"}, {"risk", empty, "--json"}},
		"user-list":     {{"user", "list", "--json"}},
		"access-log":    {{"log", "--json"}},
		"version":       {{"version", "--json"}},
		"plan":          {{"plan", "show", id, "--json"}, {"plan", "show", empty, "--json"}},
		"operator-list": {{"operator", "list", id, "--json"}},
		"event-list":    {{"event", "list", id, "--json"}},
		"deadlines":     {{"deadlines", "--json"}, {"deadlines", id, "--json"}},
		"evidence-list": {{"evidence", "list", id, "--json"}, {"evidence", "list", withEvidence, "--json"}},
	}
	for name, lines := range runs {
		for _, args := range lines {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				validateJSONOutput(t, name, mustRun(t, db, args...))
			})
		}
	}

	// import --merge --json: a copy changed elsewhere (a conflict on ORG-05,
	// a renumbered operator), then the same copy again (no change).
	laptop := filepath.Join(t.TempDir(), "laptop.db")
	mustRun(t, db, "backup", laptop)
	mustRun(t, db, "answer", id, "--scope", "ente", "--item", "ORG-05", "--value", "si")
	mustRun(t, db, "operator", "add", id, "--name", "Luca Server", "--role", "delegato")
	mustRun(t, laptop, "answer", id, "--scope", "ente", "--item", "ORG-05", "--value", "no", "--note", "manca l'atto")
	mustRun(t, laptop, "operator", "add", id, "--name", "Lia Portatile", "--role", "ufficiale")
	bundle := filepath.Join(t.TempDir(), "portatile.zip")
	mustRun(t, laptop, "export", id, "--out", bundle)
	for i := range 2 {
		out := mustRun(t, db, "import", "--merge", bundle, "--json")
		validateJSONOutput(t, "import-merge", out)
		if changed := strings.Contains(out, `"changed": true`); changed != (i == 0) || i == 0 && !strings.Contains(out, `"incoming_won": true`) {
			t.Errorf("import --merge run %d:\n%s", i+1, out)
		}
	}

	// export --all --format json: JSON Lines, each line an audit.json.
	out := mustRun(t, db, "export", "--all", "--format", "json")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("export --all --format json wrote %d lines, want 3 (one per audit)", len(lines))
	}
	for _, line := range lines {
		validateJSONOutput(t, "audit", line)
	}
	if one := mustRun(t, db, "export", id, "--format", "json", "--out", "-"); one != lines[0]+"\n" && one != lines[1]+"\n" {
		t.Errorf("export %s --format json differs from its line in --all", id)
	}
	// The bundle's audit.json is the same document.
	dir := filepath.Join(t.TempDir(), "piano")
	mustRun(t, db, "export", id, "--out", dir)
	bundled, err := os.ReadFile(filepath.Join(dir, "audit.json"))
	if err != nil {
		t.Fatal(err)
	}
	validateJSONOutput(t, "audit", string(bundled))
	var compact bytes.Buffer
	if err := json.Compact(&compact, bundled); err != nil || !slices.Contains(lines, compact.String()) {
		t.Errorf("the bundle's audit.json is not one of the JSON Lines (%v)", err)
	}
}
