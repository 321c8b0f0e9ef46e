package checklist

import (
	_ "embed"
	"fmt"
	"strings"
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

// BuiltinSource is the YAML of the catalogue embedded in the binary.
//
//go:embed catalogues/cie-postazioni.yaml
var BuiltinSource []byte

// BuiltinFilename is the name BuiltinSource is reported under.
const BuiltinFilename = "cie-postazioni.yaml"
