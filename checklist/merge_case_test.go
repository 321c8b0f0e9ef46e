package checklist

import (
	"strings"
	"testing"
)

// TestMergeSedeNamedInAnotherCase: the two machines each add the same new
// sede, typed in another case ("Sede Nuova", "sede nuova"). Sede names
// ignore case everywhere else, so the merged perimeter held the sede twice
// and every merge, in both directions, was refused ("sede ripetuta"). It is
// one sede: its postazioni and answers from both sides end under one name,
// and both machines settle on it.
func TestMergeSedeNamedInAnotherCase(t *testing.T) {
	addIn := func(c *copyAt, min int, author, sede, code string) {
		c.s.Audit.Sedi = append(c.s.Audit.Sedi, Sede{Name: sede})
		c.s.Audit.Postazioni = append(c.s.Audit.Postazioni, Postazione{Code: code, Sede: sede})
		c.log(Change{At: minute(min), Author: author, Kind: ChangeScope,
			New: "postazione " + code + ".code: " + code + "; postazione " + code + ".sede: " + sede + "; sede " + sede + ".name: " + sede})
	}
	local := mergeBase(t)
	incoming := local.fork()
	addIn(local, 5, "anna", "Sede Nuova", "PG02")
	local.answer(6, "anna", "sede:Sede Nuova", "FIS-01", "si", "")
	addIn(incoming, 7, "carla", "sede nuova", "PG03")
	incoming.answer(8, "carla", "sede:sede nuova", "FIS-02", "no", "")

	res, err := Merge(local.s, incoming.s)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Snapshot
	// The two spellings' additions are a conflict on the sede, named once.
	for _, c := range res.Conflicts {
		if s := c.Sentence(nil); strings.Contains(s, ", (") || strings.Contains(s, ",  (") {
			t.Errorf("conflict sentence with an empty item: %s", s)
		}
	}
	var names []string
	for _, s := range got.Audit.Sedi {
		names = append(names, s.Name)
	}
	if len(names) != 2 {
		t.Fatalf("sedi %q, want Municipio and one new sede", names)
	}
	kept := names[1]
	for _, p := range got.Audit.Postazioni {
		if p.Code != "PG01" && p.Sede != kept {
			t.Errorf("postazione %s in sede %q, want %q", p.Code, p.Sede, kept)
		}
	}
	for _, item := range []string{"FIS-01", "FIS-02"} {
		if value(got, "sede:"+kept, item) == "(nessuna)" {
			t.Errorf("%s at sede:%s lost", item, kept)
		}
	}
	// Merged back on the other machine: the same perimeter, and again
	// nothing changes.
	back, err := Merge(incoming.s, got)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(back.Snapshot.Audit.Sedi); n != 2 || back.Snapshot.Audit.Sedi[1].Name != kept {
		t.Errorf("merged back: sedi %+v, want Municipio and %q", back.Snapshot.Audit.Sedi, kept)
	}
	again, err := Merge(got, back.Snapshot)
	if err != nil || again.Changed {
		t.Errorf("merged again: %+v, %v", again, err)
	}
	if !strings.EqualFold(kept, "Sede Nuova") {
		t.Errorf("kept %q", kept)
	}
}
