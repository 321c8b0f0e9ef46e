package checklist

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestCatalogueHygiene plants one bad thing in the built-in catalogue and
// expects it refused at its own line.
func TestCatalogueHygiene(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           string
		line           int // expected line of the problem; 0: the line of old
	}{
		{"zero-width space in an item id", "id: FIS-01", "id: \"FIS\u200b-01\"", "invisibile U+200B", 0},
		{"RLO in an item id, escaped", "id: FIS-01", `id: "FIS\u202e-01"`, "direzione del testo U+202E", 0},
		{"Cyrillic look-alike id", "id: FIS-01", "id: FІS-01", "identificativo", 0},
		{"path as catalogue id", "id: cie-postazioni", "id: ../../etc/passwd", "identificativo", 0},
		{"escape sequence in the title", "title: Sicurezza delle postazioni di emissione CIE", `title: "\e[2J\e[31mSicurezza delle postazioni di emissione CIE"`, "controllo U+001B", 0},
		{"NUL escape", "id: FIS-01", `id: "FIS\0-01"`, "NUL", 0},
		{"raw NUL byte", "id: FIS-01", "id: FIS\x00-01", "NUL", 0},
		{"invalid UTF-8", "id: FIS-01", "id: FIS\xff-01", "UTF-8", 0},
		{"second document", "", "\n---\nid: altro\n", "secondo documento", -1},
		{"text too long", "title: Sicurezza delle postazioni", "title: " + strings.Repeat("x", MaxCatalogueText+1) + " Sicurezza delle postazioni", "al massimo", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := append([]byte(nil), BuiltinSource...)
			line := tt.line
			if tt.old == "" {
				line = bytes.Count(src, []byte("\n")) + 3
				src = append(src, tt.new...)
			} else {
				i := bytes.Index(src, []byte(tt.old))
				if i < 0 {
					t.Fatalf("%q not in the built-in catalogue", tt.old)
				}
				line = bytes.Count(src[:i], []byte("\n")) + 1
				src = append(src[:i:i], append([]byte(tt.new), src[i+len(tt.old):]...)...)
			}
			_, err := Parse(src, "prova.yaml")
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Parse: %v, want a ValidationError", err)
			}
			for _, p := range ve.Problems {
				if strings.Contains(p.Message, tt.want) {
					if p.Line != line {
						t.Fatalf("problem %q at line %d, want line %d", p, p.Line, line)
					}
					return
				}
			}
			t.Fatalf("no problem saying %q among %v", tt.want, ve.Problems)
		})
	}
}

func TestCatalogueSizeLimit(t *testing.T) {
	src := append([]byte("title: "), bytes.Repeat([]byte("x"), MaxCatalogueBytes)...)
	_, err := Parse(src, "enorme.yaml")
	if err == nil || !strings.Contains(err.Error(), "al massimo") {
		t.Fatalf("Parse of a %d-byte file: %v", len(src), err)
	}
}
