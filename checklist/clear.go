package checklist

import "strings"

// Clearing an answer. An empty value takes an item back to "Non verificato",
// whatever its answer kind: the answer then holds only its note, if one is
// given (a note on an item still to verify is allowed), and nothing at all
// otherwise. The history keeps every step, so a cleared answer can always be
// traced and restored.

// IsClearing reports whether raw, given as the value of an answer, clears it.
func IsClearing(raw string) bool { return strings.TrimSpace(raw) == "" }

// NormaliseAnswer is NormaliseValue for a value given to an answer from any
// front end (CLI, TUI, storage): an empty value clears the answer, anything
// else must be a valid value for the item.
func NormaliseAnswer(it *Item, raw, note string) (string, error) {
	if err := CheckTextLength("nota", note); err != nil {
		return "", err
	}
	if IsClearing(raw) {
		return "", nil
	}
	return NormaliseValue(it, raw, note)
}

// Blank reports whether an answer says nothing: no value and no note. A
// blank answer shows as "Non verificato" with no author or time.
func (a Answer) Blank() bool { return a.Value == "" && strings.TrimSpace(a.Note) == "" }
