package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
