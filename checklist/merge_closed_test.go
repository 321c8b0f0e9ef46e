package checklist

import (
	"strings"
	"testing"
)

// TestMergeIntoClosedCopy: a copy closed (signed off) on the other machine
// is merged here, where the audit is still open. The close attests what the
// copy holds; a result that is closed but carries answers, evaluations or
// perimeter changes made here, which the copy never had, would be a signed
// audit with content its signers did not see. Such a merge is refused, as
// the mirror case (closed here) is; changes the close does cover, or the
// registers, which still change after closing, merge.
func TestMergeIntoClosedCopy(t *testing.T) {
	closeAt := func(c *copyAt, min int) {
		c.s.Audit.Status = StatusClosed
		c.s.Audit.SignOff = &SignOff{Auditors: []string{"Carla"}, Place: "Prova", Date: "2026-03-09"}
		c.log(Change{At: minute(min), Author: "carla", Kind: ChangeStatus, Old: "in_corso", New: "chiuso"})
	}
	tests := []struct {
		name   string
		change func(local, incoming *copyAt)
		want   string // in the refusal; "" merges, closed
	}{
		{"nothing changed here", func(_, in *copyAt) {
			in.answer(10, "carla", "ente", "ORG-02", "si", "")
			closeAt(in, 11)
		}, ""},
		{"an answer here the copy lacks", func(l, in *copyAt) {
			l.answer(12, "anna", "ente", "ORG-01", "no", "rivisto in sede")
			in.answer(10, "carla", "ente", "ORG-02", "si", "")
			closeAt(in, 11)
		}, "la copia importata è chiusa"},
		{"an answer given here before the copy's newer one", func(l, in *copyAt) {
			l.answer(5, "anna", "ente", "ORG-02", "parziale", "")
			in.answer(10, "carla", "ente", "ORG-02", "si", "")
			closeAt(in, 11)
		}, ""},
		{"a postazione added here", func(l, in *copyAt) {
			l.addPostazione(12, "anna", "PG02")
			closeAt(in, 11)
		}, "la copia importata è chiusa"},
		{"only an operator added here", func(l, in *copyAt) {
			l.operator(12, "anna", "Rita Neri")
			closeAt(in, 11)
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local := mergeBase(t)
			incoming := local.fork()
			tt.change(local, incoming)
			res, err := Merge(local.s, incoming.s)
			switch {
			case tt.want != "":
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
			case err != nil:
				t.Fatal(err)
			case res.Snapshot.Audit.Status != StatusClosed:
				t.Fatalf("status %s, want the copy's close", res.Snapshot.Audit.Status)
			}
		})
	}
}
