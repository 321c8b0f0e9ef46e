package checklist

import (
	"slices"
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

// TestMergeSedeRenamedOnBothSides: the same sede renamed on each machine to
// a different name. Both names stayed, the postazione stayed in each
// side's own, no conflict was listed, and merging again changed nothing, so
// the machines never agreed. The newer rename wins, the other is listed as
// a conflict, and what the older name holds follows the newer one.
func TestMergeSedeRenamedOnBothSides(t *testing.T) {
	base := mergeBase(t)
	base.answer(3, "anna", "sede:Municipio", "FIS-01", "si", "")
	local, incoming := base.fork(), base.fork()
	renameSede(local, 5, "anna", "Municipio", "Sede L")
	renameSede(incoming, 7, "carla", "Municipio", "Sede J")

	res, err := Merge(local.s, incoming.s)
	if err != nil {
		t.Fatal(err)
	}
	check := func(s *Snapshot, when string) {
		t.Helper()
		if len(s.Audit.Sedi) != 1 || s.Audit.Sedi[0].Name != "Sede J" {
			t.Errorf("%s: sedi %+v, want only the newer name, Sede J", when, s.Audit.Sedi)
		}
		if p := s.Audit.Postazioni[0]; p.Sede != "Sede J" {
			t.Errorf("%s: postazione %s in %q", when, p.Code, p.Sede)
		}
		if v := value(s, "sede:Sede J", "FIS-01"); v != "si" {
			t.Errorf("%s: FIS-01 at Sede J = %s", when, v)
		}
	}
	check(res.Snapshot, "merged")
	if len(res.Conflicts) != 1 || res.Conflicts[0].Kind != ChangeScope || !res.Conflicts[0].IncomingWon {
		t.Errorf("conflicts %+v, want the two renames", res.Conflicts)
	}
	// Each machine receives the other's result, the winner's and the
	// loser's alike: the same perimeter, no new conflict, and then nothing
	// changes.
	for _, other := range []*copyAt{incoming, local} {
		back, err := Merge(other.s, res.Snapshot)
		if err != nil {
			t.Fatal(err)
		}
		check(back.Snapshot, "merged back")
		if len(back.Conflicts) != 0 {
			t.Errorf("merged back: conflicts %+v", back.Conflicts)
		}
		if again, err := Merge(res.Snapshot, back.Snapshot); err != nil || again.Changed {
			t.Errorf("merged again: changed=%v %v", again != nil && again.Changed, err)
		}
	}
}

// TestMergeSedeRenamedTwiceInTurn: a sede renamed, a new one created with
// the old name and renamed too, on one machine; the two renames of the
// same old name followed one another and both sedi stay.
func TestMergeSedeRenamedTwiceInTurn(t *testing.T) {
	local := mergeBase(t)
	incoming := local.fork()
	renameSede(incoming, 5, "anna", "Municipio", "Sede centrale")
	incoming.s.Audit.Sedi = append(incoming.s.Audit.Sedi, Sede{Name: "Municipio"})
	incoming.log(Change{At: minute(6), Author: "anna", Kind: ChangeScope, New: "sede Municipio.name: Municipio"})
	renameSede(incoming, 7, "anna", "Municipio", "Municipio vecchio")
	for _, m := range []struct{ local, incoming *Snapshot }{{local.s, incoming.s}, {incoming.s, local.s}} {
		res, err := Merge(m.local, m.incoming)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range res.Snapshot.Audit.Sedi {
			names = append(names, s.Name)
		}
		if !slices.Contains(names, "Sede centrale") || !slices.Contains(names, "Municipio vecchio") || len(res.Conflicts) != 0 {
			t.Errorf("sedi %q, conflicts %+v: want both renamed sedi, no conflict", names, res.Conflicts)
		}
	}
}

// renameSede renames a sede as storage does: the perimeter, its postazioni,
// the keys of its answers, one perimetro entry.
func renameSede(c *copyAt, min int, author, from, to string) {
	for i := range c.s.Audit.Sedi {
		if c.s.Audit.Sedi[i].Name == from {
			c.s.Audit.Sedi[i].Name = to
		}
	}
	for i := range c.s.Audit.Postazioni {
		if c.s.Audit.Postazioni[i].Sede == from {
			c.s.Audit.Postazioni[i].Sede = to
		}
	}
	for i := range c.s.Answers {
		if c.s.Answers[i].Scope == (Scope{Kind: ScopeSede, Name: from}) {
			c.s.Answers[i].Scope.Name = to
		}
	}
	c.s.Reindex()
	c.log(Change{At: minute(min), Author: author, Kind: ChangeScope, Scope: "sede:" + to,
		Old: Scope{Kind: ScopeSede, Name: from}.Label(), New: Scope{Kind: ScopeSede, Name: to}.Label() + " (rinominata; 1 risposte e valutazioni spostate)"})
}
