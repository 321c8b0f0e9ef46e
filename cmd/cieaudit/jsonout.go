package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
)

// Every --json output is one JSON object whose first field is "schema":
// "cieaudit.<name>/v1", documented by docs/schema/<name>.schema.json. The
// version changes only when a field is removed or changes meaning.

// withSchema encodes v, which must encode as a JSON object, with a leading
// "schema" field: the object's own fields follow in their order.
type withSchema struct {
	schema string
	v      any
}

func (w withSchema) MarshalJSON() ([]byte, error) {
	body, err := json.Marshal(w.v)
	if err != nil {
		return nil, err
	}
	body = bytes.TrimSpace(body)
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("schema %s: the output is not a JSON object", w.schema)
	}
	name, _ := json.Marshal(w.schema)
	out := append([]byte(`{"schema":`), name...)
	if rest := bytes.TrimSpace(body[1:]); len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, body[1:]...), nil
}

// writeSchemaJSON prints v, indented, as the document of schema name
// ("audit-list" gives "cieaudit.audit-list/v1").
func writeSchemaJSON(w io.Writer, name string, v any) error {
	return writeJSON(w, withSchema{"cieaudit." + name + "/v1", v})
}

// newRecordListCmd is a "list AUDIT [--json]" command over one register of
// an audit (operators, events, evidence): it reads the audit once, then
// prints body as the document of schema name, or the table text writes.
func newRecordListCmd(a *app, short, name string, body func(*checklist.Snapshot) any, text func(io.Writer, *checklist.Snapshot) error) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list AUDIT",
		Short: short,
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			snap, err := a.loadAudit(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeSchemaJSON(a.stdout, name, body(snap))
			}
			return text(a.stdout, snap)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "stampa in JSON (schema cieaudit."+name+"/v1)")
	return cmd
}
