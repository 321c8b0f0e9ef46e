package checklist

import (
	"bytes"
	"strings"
	"testing"
)

// TestCheckBuiltinKey: a catalogue may not take the id and version of one
// embedded in the binary with other content. A bundle carrying such a
// catalogue (its digest made consistent in audit.json) was imported into a
// fresh database, which then held a changed "cie-postazioni@2026.2": every
// later command that stores the built-in catalogues (catalog list, audit
// new) failed, and the audit read questions that are not the ministry's.
func TestCheckBuiltinKey(t *testing.T) {
	tampered := bytes.Replace(BuiltinSource, []byte("title: "), []byte("title: MODIFICATO "), 1)
	custom := bytes.Replace(BuiltinSource, []byte("id: cie-postazioni"), []byte("id: cie-comune"), 1)
	for _, tc := range []struct {
		name string
		src  []byte
		want string // in the error; "" accepted
	}{
		{"the built-in itself", BuiltinSource, ""},
		{"an older built-in version", BuiltinSources[0].Source, ""},
		{"built-in id and version, other content", tampered, "stesso ID e versione di un catalogo integrato"},
		{"another id", custom, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.src, "prova.yaml")
			if err != nil {
				t.Fatal(err)
			}
			err = CheckBuiltinKey(c)
			if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckBuiltinKey: %v, want %q", err, tc.want)
			}
		})
	}
}
