package checklist

import (
	"encoding/json"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// copyAt is one copy of an audit being changed the way storage changes it:
// every write updates the record and appends its history entry.
type copyAt struct {
	t *testing.T
	s *Snapshot
}

var mergeT0 = time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC)

func minute(n int) time.Time { return mergeT0.Add(time.Duration(n) * time.Minute) }

func mergeBase(t *testing.T) *copyAt {
	a := Audit{ID: "k7m2p9qa", Ente: Ente{Name: "Comune di Prova"}, Year: 2026, Status: StatusInProgress,
		CatalogueID: "cie", CatalogueVersion: "1", CatalogueDigest: "d1",
		Sedi:       []Sede{{Name: "Municipio"}},
		Postazioni: []Postazione{{Code: "PG01", Sede: "Municipio"}},
		CreatedAt:  mergeT0, UpdatedAt: mergeT0}
	c := &copyAt{t: t, s: &Snapshot{Audit: a}}
	c.log(Change{At: mergeT0, Author: "anna", Kind: ChangeAudit, New: "audit creato"})
	c.answer(0, "anna", "ente", "ORG-01", "si", "")
	c.answer(1, "anna", "ente", "ORG-02", "no", "")
	c.answer(2, "anna", "postazione:PG01", "TEC-01", "parziale", "")
	return c
}

// fork is the other machine's copy: the same audit, its own slices.
func (c *copyAt) fork() *copyAt {
	data, err := json.Marshal(c.s)
	if err != nil {
		c.t.Fatal(err)
	}
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		c.t.Fatal(err)
	}
	return &copyAt{t: c.t, s: &s}
}

func (c *copyAt) log(ch Change) {
	ch.Seq = uint64(len(c.s.History) + 1)
	c.s.History = append(c.s.History, ch)
	if ch.At.After(c.s.Audit.UpdatedAt) {
		c.s.Audit.UpdatedAt = ch.At
	}
}

func (c *copyAt) answer(min int, author, scope, item, value, note string) {
	sc, err := ParseScope(scope)
	if err != nil {
		c.t.Fatal(err)
	}
	at := minute(min)
	old, ok := c.s.Answer(sc, item)
	i := slices.IndexFunc(c.s.Answers, func(a Answer) bool { return a.Scope == sc && a.Item == item })
	a := Answer{Scope: sc, Item: item, Value: value, Note: note, Author: author, At: at, Rev: old.Rev + 1}
	switch {
	case a.Blank() && i >= 0:
		c.s.Answers = slices.Delete(c.s.Answers, i, i+1)
	case i >= 0:
		c.s.Answers[i] = a
	case !a.Blank():
		c.s.Answers = append(c.s.Answers, a)
	}
	c.s.Reindex()
	if !ok || old.Value != value {
		c.log(Change{At: at, Author: author, Kind: ChangeAnswer, Scope: scope, Item: item, Old: old.Value, New: value})
	}
	if old.Note != note {
		c.log(Change{At: at, Author: author, Kind: ChangeNote, Scope: scope, Item: item, Old: old.Note, New: note})
	}
}

// renamePostazione renames a postazione as storage does: the perimeter, the
// keys of its answers, one perimetro entry (no answer entries).
func (c *copyAt) renamePostazione(min int, author, from, to string) {
	c.s.Audit.Postazioni[slices.IndexFunc(c.s.Audit.Postazioni, func(p Postazione) bool { return p.Code == from })].Code = to
	for i := range c.s.Answers {
		if c.s.Answers[i].Scope == (Scope{Kind: ScopePostazione, Name: from}) {
			c.s.Answers[i].Scope.Name = to
		}
	}
	c.s.Reindex()
	c.log(Change{At: minute(min), Author: author, Kind: ChangeScope, Scope: "postazione:" + to,
		Old: "Postazione " + from, New: "Postazione " + to + " (rinominata; 1 risposte e valutazioni spostate)"})
}

func (c *copyAt) action(min int, author, item, owner string) {
	if c.s.Actions == nil {
		c.s.Actions = map[string]ActionPlan{}
	}
	old := c.s.Actions[item]
	p := ActionPlan{Item: item, Owner: owner, Status: ActionInProgress}
	c.s.Actions[item] = p
	c.log(Change{At: minute(min), Author: author, Kind: ChangeAction, Item: item, Old: old.Owner, New: owner})
}

func (c *copyAt) operator(min int, author, name string) {
	o := Operator{ID: NextID("op", ids(c.s.Operators, func(o Operator) string { return o.ID })), Name: name, Role: RoleDelegate}
	c.s.Operators = append(c.s.Operators, o)
	c.log(Change{At: minute(min), Author: author, Kind: ChangeOperator, Item: o.ID, New: OperatorSummary(o)})
}

func (c *copyAt) event(min int, author, what string) {
	e := SecurityEvent{ID: NextID("ev", ids(c.s.Events, func(e SecurityEvent) string { return e.ID })), At: "2026-03-08",
		Scope: EnteScope, Description: what, Status: EventOpen}
	c.s.Events = append(c.s.Events, e)
	c.log(Change{At: minute(min), Author: author, Kind: ChangeEvent, Scope: "ente", Item: e.ID, New: EventSummary(e)})
}

// evidence attaches a file: the number comes from a sequence never reused,
// here the highest number in the history.
func (c *copyAt) evidence(min int, author, name, digest string) {
	n := 0
	for _, h := range c.s.History {
		if id := evidenceID(h); id != "" && idNumber(id) > n {
			n = idNumber(id)
		}
	}
	e := Evidence{ID: "al-" + strconv.Itoa(n+1), Scope: EnteScope, Item: "ORG-01", Name: name, Type: "image/jpeg", Size: 10,
		Digest: digest, Author: author, At: minute(min)}
	c.s.Evidence = append(c.s.Evidence, e)
	c.log(Change{At: e.At, Author: author, Kind: ChangeEvidence, Scope: "ente", Item: "ORG-01", New: e.ID + ": " + EvidenceSummary(e)})
}

func (c *copyAt) removeEvidence(min int, author, id string) {
	i := slices.IndexFunc(c.s.Evidence, func(e Evidence) bool { return e.ID == id })
	e := c.s.Evidence[i]
	c.s.Evidence = slices.Delete(c.s.Evidence, i, i+1)
	c.log(Change{At: minute(min), Author: author, Kind: ChangeEvidence, Scope: "ente", Item: "ORG-01", Old: e.ID + ": " + EvidenceSummary(e)})
}

func (c *copyAt) addPostazione(min int, author, code string) {
	c.s.Audit.Postazioni = append(c.s.Audit.Postazioni, Postazione{Code: code, Sede: "Municipio"})
	c.log(Change{At: minute(min), Author: author, Kind: ChangeScope, New: "postazione " + code + ".code: " + code + "; postazione " + code + ".sede: Municipio"})
}

func value(s *Snapshot, scope, item string) string {
	sc, _ := ParseScope(scope)
	a, ok := s.Answer(sc, item)
	if !ok {
		return "(nessuna)"
	}
	return a.Value
}

// canon is a snapshot as comparable text (the answers index aside).
func canon(t *testing.T, s *Snapshot) string {
	t.Helper()
	x := *s
	x.answers = nil
	data, err := json.MarshalIndent(x, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestMerge(t *testing.T) {
	type want struct {
		answers      map[string]string // "scope item" → value
		added        int               // history entries added
		changed      int               // answers changed
		conflicts    []string          // "scope item kept/other"
		operators    []string          // "ID name"
		events       []string
		evidence     []string // "ID name"
		renumbered   []string // "from→to"
		actions      []string // "item owner"
		postazioni   int
		noChange     bool
		evidenceNeed int
	}
	tests := []struct {
		name   string
		change func(local, incoming *copyAt)
		want   want
	}{
		{
			name:   "identical copies",
			change: func(local, incoming *copyAt) {},
			want:   want{noChange: true, answers: map[string]string{"ente ORG-01": "si"}, postazioni: 1},
		},
		{
			name: "disjoint changes",
			change: func(local, incoming *copyAt) {
				local.answer(10, "bruno", "ente", "ORG-02", "si", "")
				incoming.answer(11, "carla", "postazione:PG01", "TEC-01", "si", "verificato")
				incoming.answer(12, "carla", "ente", "ORG-03", "no", "")
			},
			want: want{added: 3, changed: 2, postazioni: 1,
				answers: map[string]string{"ente ORG-02": "si", "postazione:PG01 TEC-01": "si", "ente ORG-03": "no", "ente ORG-01": "si"}},
		},
		{
			name: "same item changed on both sides, the incoming later",
			change: func(local, incoming *copyAt) {
				local.answer(10, "bruno", "ente", "ORG-01", "no", "")
				incoming.answer(20, "carla", "ente", "ORG-01", "parziale", "")
			},
			want: want{added: 1, changed: 1, postazioni: 1, answers: map[string]string{"ente ORG-01": "parziale"},
				conflicts: []string{"ente ORG-01 parziale(carla)/no(bruno) incoming"}},
		},
		{
			name: "same item changed on both sides, the local later",
			change: func(local, incoming *copyAt) {
				local.answer(30, "bruno", "ente", "ORG-01", "no", "")
				incoming.answer(20, "carla", "ente", "ORG-01", "parziale", "")
			},
			want: want{added: 1, changed: 0, postazioni: 1, answers: map[string]string{"ente ORG-01": "no"},
				conflicts: []string{"ente ORG-01 no(bruno)/parziale(carla) local"}},
		},
		{
			name: "same item changed to the same value on both sides",
			change: func(local, incoming *copyAt) {
				local.answer(10, "bruno", "ente", "ORG-02", "si", "")
				incoming.answer(20, "carla", "ente", "ORG-02", "si", "")
			},
			want: want{added: 1, postazioni: 1, answers: map[string]string{"ente ORG-02": "si"}},
		},
		{
			name: "cleared on the incoming side, unchanged locally",
			change: func(local, incoming *copyAt) {
				incoming.answer(10, "carla", "ente", "ORG-02", "", "")
			},
			want: want{added: 1, changed: 1, postazioni: 1, answers: map[string]string{"ente ORG-02": "(nessuna)", "ente ORG-01": "si"}},
		},
		{
			name: "cleared locally, changed later on the incoming side",
			change: func(local, incoming *copyAt) {
				local.answer(10, "bruno", "ente", "ORG-02", "", "")
				incoming.answer(20, "carla", "ente", "ORG-02", "parziale", "")
			},
			want: want{added: 1, changed: 1, postazioni: 1, answers: map[string]string{"ente ORG-02": "parziale"},
				conflicts: []string{"ente ORG-02 parziale(carla)/(bruno) incoming"}},
		},
		{
			name: "changed locally, cleared later on the incoming side",
			change: func(local, incoming *copyAt) {
				local.answer(10, "bruno", "ente", "ORG-02", "parziale", "")
				incoming.answer(20, "carla", "ente", "ORG-02", "", "")
			},
			want: want{added: 1, changed: 1, postazioni: 1, answers: map[string]string{"ente ORG-02": "(nessuna)"},
				conflicts: []string{"ente ORG-02 (carla)/parziale(bruno) incoming"}},
		},
		{
			name: "operators and events added on both sides take distinct numbers",
			change: func(local, incoming *copyAt) {
				local.operator(10, "bruno", "Mario Rossi")
				incoming.operator(11, "carla", "Luisa Verdi")
				incoming.operator(12, "carla", "Piero Neri")
				local.event(13, "bruno", "porta forzata")
				incoming.event(14, "carla", "PC rubato")
			},
			want: want{added: 3, postazioni: 1,
				operators:  []string{"op-1 Mario Rossi", "op-2 Piero Neri", "op-3 Luisa Verdi"},
				events:     []string{"ev-1 porta forzata", "ev-2 PC rubato"},
				renumbered: []string{"operatore op-1→op-3", "evento ev-1→ev-2"}},
		},
		{
			name: "evidence on both sides, one content shared",
			change: func(local, incoming *copyAt) {
				local.evidence(10, "bruno", "porta.jpg", "aaaa")
				incoming.evidence(11, "carla", "armadio.jpg", "bbbb")
				incoming.evidence(12, "carla", "porta-copia.jpg", "aaaa")
			},
			want: want{added: 2, postazioni: 1, evidenceNeed: 2,
				evidence:   []string{"al-1 porta.jpg", "al-2 porta-copia.jpg", "al-3 armadio.jpg"},
				renumbered: []string{"allegato al-1→al-3"}},
		},
		{
			name: "evidence removed on one side stays removed",
			change: func(local, incoming *copyAt) {
				local.evidence(10, "bruno", "porta.jpg", "aaaa")
				incoming.s = local.fork().s
				incoming.removeEvidence(20, "carla", "al-1")
			},
			want: want{added: 1, postazioni: 1, evidence: []string{}},
		},
		{
			name: "an action changed on both sides",
			change: func(local, incoming *copyAt) {
				local.action(10, "bruno", "ORG-02", "Rossi")
				incoming.action(20, "carla", "ORG-02", "Verdi")
				incoming.action(21, "carla", "TEC-01", "Neri")
			},
			want: want{added: 2, postazioni: 1, actions: []string{"ORG-02 Verdi", "TEC-01 Neri"},
				conflicts: []string{" ORG-02 Verdi(carla)/Rossi(bruno) incoming"}},
		},
		{
			name: "a postazione removed on one side stays removed",
			change: func(local, incoming *copyAt) {
				local.addPostazione(10, "bruno", "PG02")
				incoming.s = local.fork().s
				incoming.s.Audit.Postazioni = incoming.s.Audit.Postazioni[:1]
				incoming.log(Change{At: minute(20), Author: "carla", Kind: ChangeScope, Scope: "postazione:PG02", Old: "Postazione PG02", New: "rimossa con 0 risposte e valutazioni"})
				local.answer(21, "bruno", "ente", "ORG-03", "si", "")
			},
			want: want{added: 1, postazioni: 1, answers: map[string]string{"ente ORG-03": "si"}},
		},
		{
			name: "a postazione renamed on one side, answered at its old code on the other",
			change: func(local, incoming *copyAt) {
				incoming.renamePostazione(10, "carla", "PG01", "PG09")
				local.answer(20, "bruno", "postazione:PG01", "TEC-01", "no", "")
				local.answer(21, "bruno", "postazione:PG01", "TEC-02", "si", "")
			},
			want: want{added: 1, changed: 2, postazioni: 1,
				answers: map[string]string{"postazione:PG09 TEC-01": "no", "postazione:PG09 TEC-02": "si", "postazione:PG01 TEC-01": "(nessuna)"}},
		},
		{
			name: "postazioni added on both sides",
			change: func(local, incoming *copyAt) {
				local.addPostazione(10, "bruno", "PG02")
				incoming.addPostazione(11, "carla", "PG03")
				incoming.answer(12, "carla", "postazione:PG03", "TEC-01", "si", "")
			},
			want: want{added: 2, changed: 1, postazioni: 3, answers: map[string]string{"postazione:PG03 TEC-01": "si"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local := mergeBase(t)
			incoming := local.fork()
			tt.change(local, incoming)
			before := canon(t, local.s)
			inBefore := canon(t, incoming.s)
			res, err := Merge(local.s, incoming.s)
			if err != nil {
				t.Fatal(err)
			}
			if canon(t, local.s) != before || canon(t, incoming.s) != inBefore {
				t.Fatal("Merge modified its inputs")
			}
			w := tt.want
			if res.Changed == w.noChange {
				t.Errorf("Changed = %v", res.Changed)
			}
			if w.noChange && res.Snapshot != local.s {
				t.Error("a merge without changes must return the local snapshot")
			}
			got := res.Snapshot
			for k, v := range w.answers {
				scope, item, _ := strings.Cut(k, " ")
				if g := value(got, scope, item); g != v {
					t.Errorf("%s = %q, want %q", k, g, v)
				}
			}
			if res.HistoryAdded != w.added || res.AnswersChanged != w.changed {
				t.Errorf("added %d changed %d, want %d %d", res.HistoryAdded, res.AnswersChanged, w.added, w.changed)
			}
			var conflicts []string
			for _, c := range res.Conflicts {
				side := "local"
				if c.IncomingWon {
					side = "incoming"
				}
				conflicts = append(conflicts, c.Scope+" "+c.Item+" "+c.Kept.Value+"("+c.Kept.Author+")/"+c.Other.Value+"("+c.Other.Author+") "+side)
			}
			if !slices.Equal(conflicts, w.conflicts) {
				t.Errorf("conflicts %q, want %q", conflicts, w.conflicts)
			}
			if w.operators != nil {
				if g := ids(got.Operators, func(o Operator) string { return o.ID + " " + o.Name }); !slices.Equal(g, w.operators) {
					t.Errorf("operators %q, want %q", g, w.operators)
				}
			}
			if w.events != nil {
				if g := ids(got.Events, func(e SecurityEvent) string { return e.ID + " " + e.Description }); !slices.Equal(g, w.events) {
					t.Errorf("events %q, want %q", g, w.events)
				}
			}
			if w.evidence != nil {
				if g := ids(got.Evidence, func(e Evidence) string { return e.ID + " " + e.Name }); !slices.Equal(g, w.evidence) {
					t.Errorf("evidence %q, want %q", g, w.evidence)
				}
			}
			if w.actions != nil {
				var g []string
				for _, k := range slices.Sorted(maps.Keys(got.Actions)) {
					g = append(g, k+" "+got.Actions[k].Owner)
				}
				if !slices.Equal(g, w.actions) {
					t.Errorf("actions %q, want %q", g, w.actions)
				}
			}
			if len(res.EvidenceAdded) != w.evidenceNeed {
				t.Errorf("evidence added %d, want %d", len(res.EvidenceAdded), w.evidenceNeed)
			}
			var ren []string
			for _, r := range res.Renumbered {
				ren = append(ren, string(r.Kind)+" "+r.From+"→"+r.To)
			}
			if !slices.Equal(ren, w.renumbered) {
				t.Errorf("renumbered %q, want %q", ren, w.renumbered)
			}
			if n := len(got.Audit.Postazioni); n != w.postazioni {
				t.Errorf("%d postazioni, want %d", n, w.postazioni)
			}
			if res.Dropped != 0 {
				t.Errorf("%d records dropped", res.Dropped)
			}
			checkHistory(t, local.s, incoming.s, got)

			// Repeated import: merging the same copy again changes nothing.
			again, err := Merge(got, incoming.s)
			if err != nil {
				t.Fatal(err)
			}
			if again.Changed || canon(t, again.Snapshot) != canon(t, got) {
				t.Errorf("merging the same copy again changed something: %+v", again)
			}
			// The other machine then merges the result and reaches the same answers.
			back, err := Merge(incoming.s, got)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range got.Answers {
				if g := value(back.Snapshot, a.Scope.String(), a.Item); g != a.Value {
					t.Errorf("back on the other side %s %s = %q, want %q", a.Scope, a.Item, g, a.Value)
				}
			}
			if len(back.Snapshot.History) != len(got.History) {
				t.Errorf("back on the other side: %d history entries, want %d", len(back.Snapshot.History), len(got.History))
			}
			if len(back.Snapshot.Operators) != len(got.Operators) || len(back.Snapshot.Evidence) != len(got.Evidence) {
				t.Errorf("back on the other side: registers differ")
			}
		})
	}
}

// checkHistory: every entry of both sides is in the merged history once,
// with its time and author, numbered 1..n in time order.
func checkHistory(t *testing.T, local, incoming, got *Snapshot) {
	t.Helper()
	seen := map[string]int{}
	for i, c := range got.History {
		if c.Seq != uint64(i+1) {
			t.Fatalf("entry %d has seq %d", i, c.Seq)
		}
		if i > 0 && c.At.Before(got.History[i-1].At) {
			t.Fatalf("entry %d is older than the one before", c.Seq)
		}
		seen[changeIdentity(c)]++
	}
	for _, c := range local.History {
		if seen[changeIdentity(c)] != 1 {
			t.Errorf("local entry %+v appears %d times", c, seen[changeIdentity(c)])
		}
	}
	for _, c := range incoming.History {
		if c.Kind == ChangeOperator || c.Kind == ChangeEvent || c.Kind == ChangeEvidence {
			continue // may be renumbered
		}
		if seen[changeIdentity(c)] != 1 {
			t.Errorf("incoming entry %+v appears %d times", c, seen[changeIdentity(c)])
		}
	}
}

func TestMergeRefusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(local, incoming *copyAt)
		want   string
	}{
		{"another audit", func(_, in *copyAt) { in.s.Audit.ID = "zzzzzzzz" }, "solo due copie dello stesso audit"},
		{"another catalogue", func(_, in *copyAt) { in.s.Audit.CatalogueDigest = "d2" }, "cataloghi diversi"},
		{"closed locally", func(l, in *copyAt) {
			l.s.Audit.Status = StatusClosed
			l.log(Change{At: minute(5), Author: "anna", Kind: ChangeStatus, Old: "in_corso", New: "chiuso"})
			in.answer(10, "carla", "ente", "ORG-02", "si", "")
		}, "riaprirlo prima di unire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local := mergeBase(t)
			incoming := local.fork()
			tt.change(local, incoming)
			_, err := Merge(local.s, incoming.s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMergeHistoryOrder(t *testing.T) {
	local := mergeBase(t)
	incoming := local.fork()
	incoming.answer(10, "carla", "ente", "ORG-05", "si", "con nota")
	local.answer(20, "bruno", "ente", "ORG-06", "no", "")
	res, err := Merge(local.s, incoming.s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Snapshot.History[len(res.Snapshot.History)-3:] {
		got = append(got, string(c.Kind)+" "+c.Item+" "+c.Author)
	}
	want := []string{"risposta ORG-05 carla", "nota ORG-05 carla", "risposta ORG-06 bruno"}
	if !slices.Equal(got, want) {
		t.Errorf("last entries %q, want %q", got, want)
	}
	// The local answer read before the merge has an older revision.
	a, _ := res.Snapshot.Answer(EnteScope, "ORG-05")
	if a.Rev < 1 {
		t.Errorf("rev %d", a.Rev)
	}
}

// TestMergeRandom applies random changes to two copies (answers set and
// cleared, notes, operators, events, files attached and removed, actions)
// and checks what must hold for any of them: nothing of either history is
// lost or doubled, an answer changed on one side only is that side's, and
// merging again, or back on the other side, adds nothing new.
func TestMergeRandom(t *testing.T) {
	items := []string{"ORG-01", "ORG-02", "ORG-03", "ORG-04"}
	values := []string{"si", "no", "parziale", ""}
	conflicts, renumbered := 0, 0
	defer func() {
		// The seeds must exercise both: a change of seeds that lost them
		// would test much less.
		if conflicts == 0 || renumbered == 0 {
			t.Errorf("%d conflicts, %d renumbered entries over all seeds", conflicts, renumbered)
		}
	}()
	for seed := range uint64(60) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			local := mergeBase(t)
			incoming := local.fork()
			touched := map[*copyAt]map[string]bool{local: {}, incoming: {}}
			for step := range 30 {
				c, author := local, "bruno"
				if r.IntN(2) == 0 {
					c, author = incoming, "carla"
				}
				at := 10 + step // distinct times, interleaved between the sides
				switch r.IntN(6) {
				case 0, 1, 2:
					item := items[r.IntN(len(items))]
					note := ""
					if r.IntN(3) == 0 {
						note = "nota " + strconv.Itoa(step)
					}
					n := len(c.s.History)
					c.answer(at, author, "ente", item, values[r.IntN(len(values))], note)
					if len(c.s.History) > n { // the answer changed
						touched[c][item] = true
					}
				case 3:
					c.operator(at, author, "Operatore "+strconv.Itoa(step))
				case 4:
					c.evidence(at, author, "foto"+strconv.Itoa(step)+".jpg", strings.Repeat(strconv.Itoa(step%3), 4))
				case 5:
					if len(c.s.Evidence) > 0 {
						c.removeEvidence(at, author, c.s.Evidence[r.IntN(len(c.s.Evidence))].ID)
					} else {
						c.action(at, author, items[r.IntN(len(items))], "Resp "+strconv.Itoa(step))
					}
				}
			}
			res, err := Merge(local.s, incoming.s)
			if err != nil {
				t.Fatal(err)
			}
			conflicts += len(res.Conflicts)
			renumbered += len(res.Renumbered)
			got := res.Snapshot
			checkHistory(t, local.s, incoming.s, got)
			if n := len(local.s.History) + res.HistoryAdded; n != len(got.History) {
				t.Errorf("%d entries merged, want %d", len(got.History), n)
			}
			for _, item := range items {
				l, i := touched[local][item], touched[incoming][item]
				switch {
				case l && !i:
					if g, w := value(got, "ente", item), value(local.s, "ente", item); g != w {
						t.Errorf("%s changed locally only: %q, want %q", item, g, w)
					}
				case i && !l:
					if g, w := value(got, "ente", item), value(incoming.s, "ente", item); g != w {
						t.Errorf("%s changed on the incoming side only: %q, want %q", item, g, w)
					}
				}
			}
			ids := map[string]bool{}
			for _, o := range got.Operators {
				if ids[o.ID] {
					t.Errorf("operator %s twice", o.ID)
				}
				ids[o.ID] = true
			}
			if len(got.Operators) != len(local.s.Operators)+len(incoming.s.Operators)-countCommon(local.s.Operators, incoming.s.Operators) {
				t.Errorf("%d operators merged from %d and %d", len(got.Operators), len(local.s.Operators), len(incoming.s.Operators))
			}
			again, err := Merge(got, incoming.s)
			if err != nil || again.Changed {
				t.Fatalf("merging the same copy again: changed %v, %v", again != nil && again.Changed, err)
			}
			back, err := Merge(incoming.s, got)
			if err != nil {
				t.Fatal(err)
			}
			for _, item := range items {
				if g, w := value(back.Snapshot, "ente", item), value(got, "ente", item); g != w {
					t.Errorf("back on the other side %s = %q, want %q", item, g, w)
				}
			}
			if len(back.Snapshot.History) != len(got.History) || len(back.Snapshot.Operators) != len(got.Operators) || len(back.Snapshot.Evidence) != len(got.Evidence) {
				t.Errorf("back on the other side: %d/%d entries, %d/%d operators, %d/%d files",
					len(back.Snapshot.History), len(got.History), len(back.Snapshot.Operators), len(got.Operators), len(back.Snapshot.Evidence), len(got.Evidence))
			}
			if again, err := Merge(back.Snapshot, got); err != nil || again.Changed {
				t.Errorf("the two machines did not settle: %+v %v", again, err)
			}
		})
	}
}

// countCommon counts the operators both sides share (same number, same name).
func countCommon(a, b []Operator) int {
	n := 0
	for _, x := range a {
		if slices.ContainsFunc(b, func(y Operator) bool { return x.ID == y.ID && x.Name == y.Name }) {
			n++
		}
	}
	return n
}
