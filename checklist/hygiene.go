package checklist

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Limits of a catalogue file. The built-in catalogue is about 90 KB with
// 120 measures, 17 threats and no text longer than 1,500 bytes.
const (
	MaxCatalogueBytes   = 4 << 20
	MaxCatalogueText    = 8000 // bytes of one text value
	MaxCatalogueItems   = 2000
	MaxCatalogueThreats = 500
)

// CatalogueIDPattern is what every identifier of a catalogue (its id and
// version, and the ids of threats, vulnerabilities, sections, measures and
// choices) must match: ASCII letters and digits, then also '.', '_' and
// '-', at most 64 characters. Identifiers end up in file names, keys and
// reports, so look-alike letters, invisible characters and path separators
// are kept out. docs/catalogue.md documents it.
var CatalogueIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// forbiddenRune reports the characters a catalogue may not contain: C0 and
// C1 controls and DEL (except tab and line ends), the bidirectional
// controls, the zero-width and other invisible format characters, and the
// line and paragraph separators. Terminals act on the first, and the others
// make text read differently from what it is (FIS​-01 is not FIS-01).
func forbiddenRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2060 && r <= 0x2069,
		r == 0x061c, r == 0x00ad, r == 0xfeff, r == 0x2028, r == 0x2029, r == 0x180e:
		return true
	}
	return false
}

func runeName(r rune) string {
	switch {
	case r == 0:
		return "il carattere NUL"
	case r < 0x20 || r >= 0x7f && r <= 0x9f:
		return fmt.Sprintf("il carattere di controllo U+%04X", r)
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return fmt.Sprintf("il carattere di direzione del testo U+%04X", r)
	}
	return fmt.Sprintf("il carattere invisibile U+%04X", r)
}

// checkSource looks at the raw bytes before YAML does, so that what YAML
// would report at 1:1 or silently accept is reported where it is: the size
// limit, invalid UTF-8, and forbidden characters (forbiddenRune) anywhere in
// the file, at their line and column. It reports whether parsing may go on.
func (v *validator) checkSource(src []byte) bool {
	if len(src) > MaxCatalogueBytes {
		v.add(position{1, 1}, "", fmt.Sprintf("file di %d KiB: un catalogo può essere al massimo di %d KiB", len(src)>>10, MaxCatalogueBytes>>10))
		return false
	}
	ok := true
	line, col := 1, 1
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			v.add(position{line, col}, "", fmt.Sprintf("byte 0x%02x non valido: il file deve essere in UTF-8", src[i]))
			return false
		case r == 0xfeff && i == 0:
			// A byte-order mark at the start is allowed.
		case forbiddenRune(r):
			v.add(position{line, col}, "", runeName(r)+" non è ammesso in un catalogo")
			ok = ok && r != 0
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return ok
}

// checkDocuments refuses a second YAML document in the file ("---"): it
// would be silently ignored.
func (v *validator) checkDocuments(src []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var first, second yaml.Node
	if dec.Decode(&first) != nil {
		return
	}
	err := dec.Decode(&second)
	if errors.Is(err, io.EOF) {
		return
	}
	p := position{1, 1}
	if err == nil && len(second.Content) > 0 {
		p = position{second.Content[0].Line, 1}
	}
	v.add(p, "", "il file contiene un secondo documento YAML (dopo ---): un file contiene un solo catalogo")
}

// checkTexts walks every value of the YAML tree: each at most
// MaxCatalogueText bytes and, once YAML escapes ("\0", "\u202e") are
// decoded, free of forbidden characters.
func (v *validator) checkTexts(n *yaml.Node, path string, depth int) {
	if n == nil || depth > 64 {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if len(n.Value) > MaxCatalogueText {
			v.add(position{n.Line, n.Column}, path, fmt.Sprintf("testo di %d byte: al massimo %d", len(n.Value), MaxCatalogueText))
		}
		for _, r := range n.Value {
			if forbiddenRune(r) {
				v.add(position{n.Line, n.Column}, path, runeName(r)+" non è ammesso in un catalogo")
				break
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			v.checkTexts(n.Content[i], path, depth+1)
			v.checkTexts(n.Content[i+1], join(path, n.Content[i].Value), depth+1)
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for i, c := range n.Content {
			p := path
			if n.Kind == yaml.SequenceNode {
				p = fmt.Sprintf("%s[%d]", path, i)
			}
			v.checkTexts(c, p, depth+1)
		}
	}
}

// checkIDs applies CatalogueIDPattern to every identifier, and the limits
// on the number of measures and threats.
func (v *validator) checkIDs(c *Catalogue) {
	id := func(field, value string) {
		if value != "" && !CatalogueIDPattern.MatchString(value) {
			v.at(field, "identificativo %q non valido: solo lettere ASCII, cifre, '.', '_' e '-', al massimo 64, iniziando con una lettera o una cifra", value)
		}
	}
	id("id", c.ID)
	id("version", c.Version)
	for i, t := range c.Threats {
		id(fmt.Sprintf("threats[%d].id", i), t.ID)
	}
	for i, vu := range c.Vulnerabilities {
		id(fmt.Sprintf("vulnerabilities[%d].id", i), vu.ID)
	}
	items := 0
	for si, s := range c.Sections {
		id(fmt.Sprintf("sections[%d].id", si), s.ID)
		for ii, it := range s.Items {
			items++
			ip := fmt.Sprintf("sections[%d].items[%d]", si, ii)
			id(ip+".id", it.ID)
			for ci, ch := range it.Answer.Choices {
				id(fmt.Sprintf("%s.answer.choices[%d].id", ip, ci), ch.ID)
			}
		}
	}
	if items > MaxCatalogueItems {
		v.at("sections", "%d misure: un catalogo può averne al massimo %d", items, MaxCatalogueItems)
	}
	if len(c.Threats) > MaxCatalogueThreats {
		v.at("threats", "%d minacce: un catalogo può averne al massimo %d", len(c.Threats), MaxCatalogueThreats)
	}
}

// shownKey is a YAML key as a message may quote it: a key that does not
// look like a field name is not repeated, since the file may not be a
// catalogue at all (a password file given by mistake) and its content must
// not end up on a screen or in a log.
func shownKey(k string) string {
	if len(k) <= 40 && CatalogueIDPattern.MatchString(k) {
		return k
	}
	return "(nome non valido)"
}
