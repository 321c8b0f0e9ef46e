package checklist

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Search folding: what the user types in a search box is compared with
// catalogue and answer texts without case or accents, so that "identita"
// finds "identità" and "CITTA" finds "città".

// FoldSearch returns s lowercased and without diacritics.
func FoldSearch(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// SearchMatches reports whether every word of query, folded, occurs in the
// folded text hay (FoldSearch(hay)). An empty query matches everything.
func SearchMatches(foldedHay, query string) bool {
	for _, w := range strings.Fields(FoldSearch(query)) {
		if !strings.Contains(foldedHay, w) {
			return false
		}
	}
	return true
}
