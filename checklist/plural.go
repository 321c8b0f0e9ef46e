package checklist

import "strconv"

// Count is n followed by the Italian form that agrees with it: Count(1,
// "evento", "eventi") is "1 evento", Count(3, "evento", "eventi") "3 eventi"
// (and "0 eventi"). one and many may be whole phrases ("misura verificata",
// "misure verificate"). Every count shown in a report, the CLI or the TUI
// goes through it or Plural, so no text says "1 eventi".
func Count(n int, one, many string) string {
	return strconv.Itoa(n) + " " + Plural(n, one, many)
}

// Plural is the form of a word or phrase that agrees with n, without the
// number: one when n is 1, many otherwise.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
