package checklist

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Problem is one thing wrong in a catalogue file, located at file:line:column.
type Problem struct {
	File    string
	Line    int
	Column  int
	Field   string // dotted path, e.g. "sections[2].items[4].threats[0].mitigation"
	Message string // Italian, says what is wrong and what is expected
}

func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", p.File, p.Line, p.Column, p.Field, p.Message)
}

// ValidationError lists every problem found in a catalogue file.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	noun := "errori"
	if len(e.Problems) == 1 {
		noun = "errore"
	}
	return fmt.Sprintf("catalogo non valido (%d %s):\n%s", len(e.Problems), noun, strings.Join(lines, "\n"))
}

// BuiltinSource is the YAML of the current catalogue embedded in the
// binary, the one new audits are pinned to.
//
//go:embed catalogues/cie-postazioni.yaml
var BuiltinSource []byte

// BuiltinFilename is the name BuiltinSource is reported under.
const BuiltinFilename = "cie-postazioni.yaml"

//go:embed catalogues/cie-postazioni-2026.1.yaml
var builtin2026_1 []byte

// EmbeddedCatalogue is one catalogue version shipped in the binary.
type EmbeddedCatalogue struct {
	Filename string
	Source   []byte
}

// BuiltinSources lists every catalogue version embedded in the binary,
// oldest first, the current one (BuiltinSource) last. Earlier versions stay
// embedded byte for byte so that audits pinned to them keep their meaning
// in a fresh database too (for example one restored from an export).
var BuiltinSources = []EmbeddedCatalogue{
	{"cie-postazioni-2026.1.yaml", builtin2026_1},
	{BuiltinFilename, BuiltinSource},
}

// IsBuiltinDigest reports whether digest is that of an embedded catalogue.
func IsBuiltinDigest(digest string) bool {
	for _, e := range BuiltinSources {
		if sha(e.Source) == digest {
			return true
		}
	}
	return false
}

func sha(b []byte) string { return digest(b) }

// builtinDigests maps the key (id@version) of every embedded catalogue to
// its digest, parsed once.
var builtinDigests = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	for _, e := range BuiltinSources {
		if c, err := Parse(e.Source, e.Filename); err == nil {
			out[c.Key()] = append(out[c.Key()], c.Digest)
		}
	}
	return out
})

// CheckBuiltinKey refuses a catalogue that takes the id and version of a
// catalogue embedded in the binary with other content: stored, it would
// stand in for the built-in one (whose questions are the ministry's) and
// the built-in could no longer be stored beside it. A changed catalogue
// gets its own id or version. Storage calls it before storing any
// catalogue; the import reader calls it to name the bundle's file.
func CheckBuiltinKey(c *Catalogue) error {
	digests, ok := builtinDigests()[c.Key()]
	if !ok || slices.Contains(digests, c.Digest) {
		return nil
	}
	return fmt.Errorf("stesso ID e versione di un catalogo integrato ma contenuto diverso (impronta %.12s…): un catalogo modificato deve cambiare id o version", c.Digest)
}
