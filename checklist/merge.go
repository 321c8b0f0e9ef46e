package checklist

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Merging two copies of one audit: the one in this database (local) and
// one brought from another (incoming), typically a laptop used offline and
// the jump host. Merge is a pure function; storage writes its result in one
// transaction (docs/export.md, "Merge").
//
// The history is the ground truth. An entry is identified by its content
// (time, author, kind, scope, item, old, new, reason), never by its
// sequence number, which differs between databases. The entries of both
// sides are united, and an entry present on one side only is a change that
// side made since the history they share. For every record (an answer, an
// evaluation, an action, an override, an operator, an event, a file, a
// sede or postazione, the plan, the audit's general data):
//
//   - if only one side changed it since the shared history, that side's
//     record is kept;
//   - if both did and the records differ, it is a conflict: the side whose
//     latest change is newer wins (equal times: the larger entry content, so
//     both machines choose alike), the other value stays in the history,
//     and the conflict is listed;
//   - if neither did (records without history), the newer record wins where
//     records carry a time, a record present on one side only is kept, and
//     otherwise the local one stays.
//
// Clearing an answer is a change like any other: the clear competes by
// time with the other side's change.
//
// Registers numbered per audit (operators op-N, events ev-N, files al-N)
// can hold the same number for different entries on the two sides. An
// entry is identified by the history entry that created it; an incoming
// entry whose number is taken locally by another entry is given the next
// free number, and its history entries are renumbered with it, so that
// merging the same copy again finds it under its new number.
//
// Merging is idempotent: merging the result with the same incoming copy
// again changes nothing, and so does merging identical copies.

// MergeSide is one side of a conflict: the value (for an answer, its
// canonical value; for other records, the text of the side's last change
// as the history shows it), the note of an answer, and who changed it when.
type MergeSide struct {
	Value  string    `json:"value"`
	Note   string    `json:"note,omitempty"`
	Author string    `json:"author,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// MergeConflict is a record both sides changed to different values since
// their shared history.
type MergeConflict struct {
	Kind  ChangeKind `json:"kind"`
	Scope string     `json:"scope,omitempty"`
	Item  string     `json:"item,omitempty"`
	Kept  MergeSide  `json:"kept"`
	Other MergeSide  `json:"other"`
	// IncomingWon is true when the kept value is the incoming one.
	IncomingWon bool `json:"incoming_won"`
}

// Renumbering is an incoming register entry given a new number because its
// number was taken locally by another entry.
type Renumbering struct {
	Kind ChangeKind `json:"kind"`
	From string     `json:"from"`
	To   string     `json:"to"`
}

// MergeResult is what Merge produced and what it changed in the local copy.
type MergeResult struct {
	// Snapshot is the merged audit: the local one when nothing changed.
	Snapshot *Snapshot
	// Changed is false when the merged audit equals the local one: nothing
	// is to be written.
	Changed bool
	// HistoryAdded counts the incoming history entries not known locally.
	HistoryAdded int
	// AnswersChanged counts the answers that differ from the local ones
	// (set, changed or cleared); RecordsChanged the other records
	// (evaluations, actions, overrides, operators, events, files, the
	// perimeter, the plan and baselines, the audit's data).
	AnswersChanged int
	RecordsChanged int
	// EvidenceAdded are the incoming files the local copy did not have;
	// their contents must be written with the merged audit.
	EvidenceAdded []Evidence
	Conflicts     []MergeConflict
	Renumbered    []Renumbering
	// Dropped counts answers, evaluations and files left out because their
	// scope is no longer in the merged perimeter (they stay in the history).
	Dropped int
}

// Merge merges incoming into local, two copies of the same audit pinned to
// the same catalogue. Neither snapshot is modified.
func Merge(local, incoming *Snapshot) (*MergeResult, error) {
	la, ia := &local.Audit, &incoming.Audit
	if la.ID != ia.ID {
		return nil, fmt.Errorf("l'audit importato è %s, non %s: si possono unire solo due copie dello stesso audit", ia.ID, la.ID)
	}
	if la.CatalogueDigest != ia.CatalogueDigest {
		return nil, fmt.Errorf("l'audit %s importato è legato al catalogo %s (sha256 %s), quello nel database a %s (sha256 %s): non si possono unire copie con cataloghi diversi",
			la.ID, ia.CatalogueKey(), shortDigest(ia.CatalogueDigest), la.CatalogueKey(), shortDigest(la.CatalogueDigest))
	}
	m := &merger{local: local, res: &MergeResult{}}
	m.incoming = m.renumber(incoming)
	m.splitHistory()

	out := *local
	out.Answers, out.Evaluations, out.Evidence = nil, nil, nil
	out.answers = nil
	out.Previous = local.Previous
	m.out = &out

	m.mergeAudit()
	m.followRenames()
	m.mergeAnswers()
	m.mergeEvaluations()
	m.mergeActions()
	m.mergeOverrides()
	m.mergeRegisters()
	m.mergeEvidence()
	m.mergePlan()
	m.mergeCarried()
	m.mergeHistory()

	if err := out.Audit.Validate(); err != nil {
		return nil, fmt.Errorf("l'unione dell'audit %s darebbe un perimetro non valido: %w", la.ID, err)
	}
	if err := checkEvidenceLimits(out.Evidence); err != nil {
		return nil, fmt.Errorf("l'unione dell'audit %s: %w", la.ID, err)
	}
	res := m.res
	res.Changed = res.HistoryAdded > 0 || res.AnswersChanged > 0 || res.RecordsChanged > 0 || res.Dropped > 0
	if !res.Changed {
		res.Snapshot = local
		return res, nil
	}
	if la.Status == StatusClosed && m.closedTouched {
		return nil, fmt.Errorf("l'audit %s è chiuso in questo database: riaprirlo prima di unire risposte, valutazioni, azioni o perimetro", la.ID)
	}
	if out.Audit.Status == StatusClosed && la.Status != StatusClosed && m.localKept {
		// The copy's close would seal changes made here that its signers
		// never saw.
		return nil, fmt.Errorf("la copia importata è chiusa, ma in questo database l'audit %s ha risposte, valutazioni, azioni o perimetro che la copia non contiene e che la chiusura non comprende: riaprire l'audit sull'altra macchina, unirvi prima questo database e chiuderlo di nuovo", la.ID)
	}
	if ia.UpdatedAt.After(out.Audit.UpdatedAt) {
		out.Audit.UpdatedAt = ia.UpdatedAt
	}
	slices.SortFunc(res.Conflicts, func(a, b MergeConflict) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Scope, b.Scope), cmp.Compare(a.Item, b.Item))
	})
	res.Snapshot = &out
	return res, nil
}

func shortDigest(d string) string {
	if len(d) > 12 {
		return d[:12]
	}
	return d
}

func checkEvidenceLimits(all []Evidence) error {
	if len(all) > MaxEvidenceFiles {
		return fmt.Errorf("gli allegati sarebbero %d, oltre il massimo di %d", len(all), MaxEvidenceFiles)
	}
	total, seen := int64(0), map[string]bool{}
	for _, e := range all {
		if !seen[e.Digest] {
			seen[e.Digest] = true
			total += e.Size
		}
	}
	if total > MaxEvidenceAuditBytes {
		return fmt.Errorf("gli allegati supererebbero il limite di %d MiB per audit", MaxEvidenceAuditBytes>>20)
	}
	return nil
}

type merger struct {
	local, incoming *Snapshot
	out             *Snapshot
	res             *MergeResult
	// localOnly and incomingOnly are the entries one side has and the
	// other has not, in their side's order.
	localOnly, incomingOnly []Change
	// renames maps a sede or postazione one side renamed since the shared
	// history to its new name (followRenames).
	renames map[Scope]Scope
	// closedTouched is set when something a closed audit keeps fixed
	// (answers, evaluations, actions, overrides, perimeter, audit data)
	// would change.
	closedTouched bool
	// localKept is the mirror: a fixed record where this side's value,
	// which the incoming copy lacks, is kept.
	localKept bool
}

// changeIdentity is what makes two history entries the same entry.
func changeIdentity(c Change) string {
	return strings.Join([]string{strconv.FormatInt(c.At.UnixNano(), 10), c.Author, string(c.Kind), c.Scope, c.Item, c.Old, c.New, c.Reason}, "\x00")
}

// historyOrder returns the history sorted by sequence.
func historyOrder(h []Change) []Change {
	return slices.SortedStableFunc(slices.Values(h), func(a, b Change) int { return cmp.Compare(a.Seq, b.Seq) })
}

func (m *merger) splitHistory() {
	li, ii := map[string]bool{}, map[string]bool{}
	for _, c := range m.local.History {
		li[changeIdentity(c)] = true
	}
	for _, c := range m.incoming.History {
		ii[changeIdentity(c)] = true
	}
	for _, c := range historyOrder(m.local.History) {
		if !ii[changeIdentity(c)] {
			m.localOnly = append(m.localOnly, c)
		}
	}
	seen := map[string]bool{}
	for _, c := range historyOrder(m.incoming.History) {
		k := changeIdentity(c)
		if !li[k] && !seen[k] {
			seen[k] = true
			m.incomingOnly = append(m.incomingOnly, c)
		}
	}
}

// mergeHistory unites the histories: the local entries, then the incoming
// ones it lacks, ordered by time (entries of one transaction share their
// time and keep their order; between the two sides the local first), and
// numbered from 1.
func (m *merger) mergeHistory() {
	h := append(historyOrder(m.local.History), m.incomingOnly...)
	slices.SortStableFunc(h, func(a, b Change) int { return a.At.Compare(b.At) })
	renumbered := false
	for i := range h {
		if h[i].Seq != uint64(i+1) {
			renumbered = true
		}
		h[i].Seq = uint64(i + 1)
	}
	m.res.HistoryAdded = len(m.incomingOnly)
	if renumbered && m.res.HistoryAdded == 0 {
		// Only the numbering differs: nothing to write for it.
		h = m.local.History
	}
	m.out.History = h
}

// latest returns, for each key an entry touches, the newest entry of list.
func latest(list []Change, touches func(Change) []string) map[string]*Change {
	out := map[string]*Change{}
	for i := range list {
		c := &list[i]
		for _, k := range touches(*c) {
			if p := out[k]; p == nil || !c.At.Before(p.At) {
				out[k] = c
			}
		}
	}
	return out
}

// family describes one kind of keyed record for the generic merge.
type family[T any] struct {
	kind ChangeKind
	// touches returns the keys of the records an entry changes.
	touches func(Change) []string
	// same reports whether two records are identical (nothing to write);
	// sameValue whether they say the same (no conflict).
	same, sameValue func(a, b T) bool
	// at is the record's own time, zero when it has none.
	at func(T) time.Time
	// side describes a record for a conflict, given its side's last change.
	side func(r T, ok bool, c *Change) MergeSide
	// scope and item locate a conflict.
	locate func(key string) (scope, item string)
	// fixed marks records a closed audit keeps.
	fixed bool
	// answers counts changes as answers, not records.
	answers bool
}

type keyed[T any] struct {
	keys []string // local order, then incoming-only keys in their order
	rec  map[string]T
}

func index[T any](list []T, key func(T) string) keyed[T] {
	k := keyed[T]{rec: map[string]T{}}
	for _, r := range list {
		id := key(r)
		if _, dup := k.rec[id]; !dup {
			k.keys = append(k.keys, id)
		}
		k.rec[id] = r
	}
	return k
}

// merge returns the merged records in order (local order, then the
// incoming-only records) and counts the changes and conflicts.
func (f family[T]) merge(m *merger, local, incoming keyed[T]) []T {
	lc, ic := latest(m.localOnly, f.touches), latest(m.incomingOnly, f.touches)
	keys := slices.Clone(local.keys)
	for _, k := range incoming.keys {
		if _, ok := local.rec[k]; !ok {
			keys = append(keys, k)
		}
	}
	var out []T
	for _, k := range keys {
		lr, lok := local.rec[k]
		ir, iok := incoming.rec[k]
		win, winOK := lr, lok
		if lok != iok || (lok && !f.same(lr, ir)) {
			incomingWins, conflict := decide(lc[k], ic[k], lok, iok, f.recordAt(lr, lok), f.recordAt(ir, iok))
			if conflict && (lok != iok || !f.sameValue(lr, ir)) {
				c := MergeConflict{Kind: f.kind, IncomingWon: incomingWins}
				c.Scope, c.Item = f.locate(k)
				ls, is := f.side(lr, lok, lc[k]), f.side(ir, iok, ic[k])
				c.Kept, c.Other = ls, is
				if incomingWins {
					c.Kept, c.Other = is, ls
				}
				m.res.Conflicts = append(m.res.Conflicts, c)
			}
			if incomingWins {
				win, winOK = ir, iok
				if f.answers && (lok != iok || !f.sameValue(lr, ir)) {
					m.res.AnswersChanged++
				} else {
					m.res.RecordsChanged++
				}
				if f.fixed {
					m.closedTouched = true
				}
			} else if f.fixed && (lok != iok || !f.sameValue(lr, ir)) {
				m.localKept = true
			}
		}
		if winOK {
			out = append(out, win)
		}
	}
	return out
}

func (f family[T]) recordAt(r T, ok bool) time.Time {
	if !ok || f.at == nil {
		return time.Time{}
	}
	return f.at(r)
}

// decide says whether the incoming record replaces the local one, and
// whether both sides changed it since their shared history.
func decide(lc, ic *Change, lok, iok bool, lat, iat time.Time) (incomingWins, conflict bool) {
	switch {
	case lc == nil && ic == nil:
		if !lat.IsZero() && !iat.IsZero() {
			return iat.After(lat), false
		}
		return !lok && iok, false
	case lc == nil:
		return true, false
	case ic == nil:
		return false, false
	}
	if c := ic.At.Compare(lc.At); c != 0 {
		return c > 0, true
	}
	return changeIdentity(*ic) > changeIdentity(*lc), true
}

func changeSide(c *Change) MergeSide {
	if c == nil {
		return MergeSide{}
	}
	return MergeSide{Author: c.Author, At: c.At}
}

// lastChangeSide describes a non-answer record by its last change's text.
func lastChangeSide[T any](_ T, ok bool, c *Change) MergeSide {
	s := changeSide(c)
	if c != nil {
		s.Value = c.New
	}
	return s
}

func scopeItemKey(scope, item string) string { return scope + "\x00" + item }

func splitScopeItem(k string) (string, string) {
	s, i, _ := strings.Cut(k, "\x00")
	return s, i
}

func itemKey(k string) (string, string) { return "", k }

func (m *merger) mergeAnswers() {
	f := family[Answer]{
		kind: ChangeAnswer, fixed: true, answers: true,
		touches: func(c Change) []string {
			if c.Kind == ChangeAnswer || c.Kind == ChangeNote {
				return []string{scopeItemKey(m.renamedText(c.Scope), c.Item)}
			}
			return nil
		},
		same: func(a, b Answer) bool {
			return a.Value == b.Value && a.Note == b.Note && a.Author == b.Author && a.At.Equal(b.At)
		},
		sameValue: func(a, b Answer) bool { return a.Value == b.Value && a.Note == b.Note },
		at:        func(a Answer) time.Time { return a.At },
		side: func(a Answer, ok bool, c *Change) MergeSide {
			s := changeSide(c)
			if ok {
				s.Value, s.Note = a.Value, a.Note
			}
			return s
		},
		locate: splitScopeItem,
	}
	key := func(a Answer) string { return scopeItemKey(m.renamed(a.Scope).String(), a.Item) }
	local, incoming := index(m.local.Answers, key), index(m.incoming.Answers, key)
	merged := f.merge(m, local, incoming)
	for i := range merged {
		a := &merged[i]
		l, ok := local.rec[key(*a)]
		if to := m.renamed(a.Scope); to != a.Scope {
			// Follows a rename made on the other side.
			a.Scope = to
			if ok && f.same(l, *a) {
				m.res.AnswersChanged++
				m.closedTouched = true
			}
		}
		switch {
		case ok && !f.same(l, *a):
			// A writer that read the local answer must see it changed.
			a.Rev = max(a.Rev, l.Rev+1)
		case ok:
			// The same answer on both sides: the higher revision, so that
			// both machines end with the same.
			if i, ok := incoming.rec[key(*a)]; ok && f.same(i, *a) {
				a.Rev = max(a.Rev, i.Rev)
			}
		}
	}
	m.out.Answers = keepInPerimeter(m, merged, func(a Answer) Scope { return a.Scope })
}

// keepInPerimeter drops the records whose scope the merged audit lacks.
func keepInPerimeter[T any](m *merger, list []T, scope func(T) Scope) []T {
	out := list[:0:0]
	for _, r := range list {
		if m.out.Audit.HasScope(scope(r)) {
			out = append(out, r)
		} else {
			m.res.Dropped++
		}
	}
	return out
}

func (m *merger) mergeEvaluations() {
	f := family[Evaluation]{
		kind: ChangeEvaluation, fixed: true,
		touches: func(c Change) []string {
			if c.Kind == ChangeEvaluation {
				return []string{scopeItemKey(m.renamedText(c.Scope), c.Item)}
			}
			return nil
		},
		same: func(a, b Evaluation) bool {
			return a.Text == b.Text && a.Author == b.Author && a.At.Equal(b.At)
		},
		sameValue: func(a, b Evaluation) bool { return a.Text == b.Text },
		at:        func(e Evaluation) time.Time { return e.At },
		side: func(e Evaluation, ok bool, c *Change) MergeSide {
			s := changeSide(c)
			if ok {
				s.Value = e.Text
			}
			return s
		},
		locate: splitScopeItem,
	}
	key := func(e Evaluation) string { return scopeItemKey(m.renamed(e.Scope).String(), e.Section) }
	merged := f.merge(m, index(m.local.Evaluations, key), index(m.incoming.Evaluations, key))
	for i := range merged {
		merged[i].Scope = m.renamed(merged[i].Scope)
	}
	m.out.Evaluations = keepInPerimeter(m, merged, func(e Evaluation) Scope { return e.Scope })
}

func itemTouches(kind ChangeKind) func(Change) []string {
	return func(c Change) []string {
		if c.Kind == kind {
			return []string{c.Item}
		}
		return nil
	}
}

func equal[T comparable](a, b T) bool { return a == b }

func mapKeyed[T any](mp map[string]T) keyed[T] {
	k := keyed[T]{rec: mp}
	for id := range mp {
		k.keys = append(k.keys, id)
	}
	slices.Sort(k.keys)
	return k
}

func (m *merger) mergeActions() {
	m.out.Actions = mergeByItem(m, ChangeAction, m.local.Actions, m.incoming.Actions, func(p ActionPlan) string { return p.Item })
}

func (m *merger) mergeOverrides() {
	m.out.Overrides = mergeByItem(m, ChangeRisk, m.local.Overrides, m.incoming.Overrides, func(o RiskOverride) string { return o.Threat })
}

// mergeByItem merges records kept in a map by the item their history
// entries name (actions by item, overrides by threat).
func mergeByItem[T comparable](m *merger, kind ChangeKind, local, incoming map[string]T, key func(T) string) map[string]T {
	f := family[T]{kind: kind, fixed: true, touches: itemTouches(kind),
		same: equal[T], sameValue: equal[T], side: lastChangeSide[T], locate: itemKey}
	merged := f.merge(m, mapKeyed(local), mapKeyed(incoming))
	if len(merged) == 0 && local == nil {
		return nil
	}
	out := make(map[string]T, len(merged))
	for _, r := range merged {
		out[key(r)] = r
	}
	return out
}

func jsonEqual[T any](a, b T) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func (m *merger) mergeRegisters() {
	of := family[Operator]{kind: ChangeOperator, touches: itemTouches(ChangeOperator),
		same: jsonEqual[Operator], sameValue: jsonEqual[Operator], side: lastChangeSide[Operator], locate: itemKey}
	opKey := func(o Operator) string { return o.ID }
	m.out.Operators = of.merge(m, index(m.local.Operators, opKey), index(m.incoming.Operators, opKey))
	SortByNumber(m.out.Operators, opKey)

	ef := family[SecurityEvent]{kind: ChangeEvent, touches: itemTouches(ChangeEvent),
		same: jsonEqual[SecurityEvent], sameValue: jsonEqual[SecurityEvent], side: lastChangeSide[SecurityEvent], locate: itemKey}
	evKey := func(e SecurityEvent) string { return e.ID }
	m.out.Events = ef.merge(m, index(m.local.Events, evKey), index(m.incoming.Events, evKey))
	SortByNumber(m.out.Events, evKey)
	for from, to := range m.renames {
		r := ScopeRename{From: from, To: to}
		for i := range m.out.Operators {
			m.out.Operators[i], _ = r.Operator(m.out.Operators[i])
		}
		for i := range m.out.Events {
			m.out.Events[i], _ = r.Event(m.out.Events[i])
		}
	}
}

// followRenames finds the sedi and postazioni one side renamed since the
// shared history (the rename's perimetro entry: the new scope, the old
// one's label) and that the merged perimeter holds under the new name
// only: the other side's answers, evaluations, files, events, operators
// and postazioni naming the old one follow the new name, as the rename did
// on its own side.
func (m *merger) followRenames() {
	m.renames = map[Scope]Scope{}
	for _, list := range [][]Change{m.localOnly, m.incomingOnly} {
		for _, c := range list {
			to, ok := renameTarget(c)
			if !ok {
				continue
			}
			for _, a := range []*Audit{&m.local.Audit, &m.incoming.Audit} {
				for _, from := range a.Scopes()[1:] {
					if from.Kind == to.Kind && from != to && from.Label() == c.Old && !m.out.Audit.HasScope(from) {
						m.renames[from] = to
					}
				}
			}
		}
	}
	m.renamedOnBothSides()
	// A sede kept under another spelling of its name (mergeAudit unites
	// names that differ only in case) is a rename of the other spelling.
	for _, a := range []*Audit{&m.local.Audit, &m.incoming.Audit} {
		for _, sd := range a.Sedi {
			from := Scope{Kind: ScopeSede, Name: sd.Name}
			if _, ok := m.renames[from]; ok || m.out.Audit.HasScope(from) {
				continue
			}
			if kept := m.out.Audit.FindSede(sd.Name); kept != nil {
				m.renames[from] = Scope{Kind: ScopeSede, Name: kept.Name}
			}
		}
	}
	for from := range m.renames {
		if !m.out.Audit.HasScope(m.renamed(from)) {
			delete(m.renames, from)
		}
	}
	if len(m.renames) == 0 {
		return
	}
	for i := range m.out.Audit.Postazioni {
		p := &m.out.Audit.Postazioni[i]
		p.Sede = m.renamed(Scope{Kind: ScopeSede, Name: p.Sede}).Name
	}
}

// renameTarget is the scope a rename entry gave its new name to.
func renameTarget(c Change) (Scope, bool) {
	if c.Kind != ChangeScope || c.Scope == "" || !strings.Contains(c.New, "rinominata") {
		return Scope{}, false
	}
	to, err := ParseScope(c.Scope)
	return to, err == nil
}

// renamedOnBothSides settles a sede or postazione renamed on each side to
// a different name: the newer rename wins (an exact tie by the entries'
// content, so both machines choose alike), the other name is followed to
// it and leaves the perimeter, and the conflict is listed when the two
// renames meet for the first time. The machine whose rename lost, merging
// the winner's copy later, finds the two in its history and settles alike.
func (m *merger) renamedOnBothSides() {
	type rename struct {
		c    Change
		to   Scope
		side int // 0 shared, 1 local only, 2 incoming only
	}
	byOld := map[string][]rename{}
	for i, list := range [][]Change{m.local.History, m.incomingOnly} {
		localOnly := map[string]bool{}
		if i == 0 {
			for _, c := range m.localOnly {
				localOnly[changeIdentity(c)] = true
			}
		}
		for _, c := range list {
			to, ok := renameTarget(c)
			if !ok {
				continue
			}
			side := 2
			if i == 0 {
				side = 0
				if localOnly[changeIdentity(c)] {
					side = 1
				}
			}
			byOld[c.Old] = append(byOld[c.Old], rename{c, to, side})
		}
	}
	all := append(slices.Clone(m.local.History), m.incomingOnly...)
	// recreated reports whether the scope a rename took its name from was
	// created again between two renames: then they followed one another.
	recreated := func(kind ScopeKind, oldLabel string, from, to time.Time) bool {
		for _, name := range []string{strings.TrimPrefix(oldLabel, kind.Label()+" "), oldLabel} {
			if (Scope{Kind: kind, Name: name}).Label() != oldLabel {
				continue
			}
			field := strings.ToLower(kind.Label()) + " " + name + ".name: "
			if kind == ScopePostazione {
				field = strings.ToLower(kind.Label()) + " " + name + ".code: "
			}
			for _, c := range all {
				if c.Kind == ChangeScope && c.At.After(from) && c.At.Before(to) && strings.Contains(c.New, field) {
					return true
				}
			}
		}
		return false
	}
	out := &m.out.Audit
	for old, list := range byOld {
		win := &list[0]
		for i := range list[1:] {
			r := &list[i+1]
			if newer, _ := decide(&win.c, &r.c, true, true, time.Time{}, time.Time{}); newer {
				win = r
			}
		}
		for i := range list {
			lose := &list[i]
			if perimeterKey(lose.to) == perimeterKey(win.to) || lose.to.Kind != win.to.Kind || recreated(win.to.Kind, old, lose.c.At, win.c.At) {
				continue
			}
			m.renames[lose.to] = win.to
			had := out.HasScope(lose.to)
			if lose.to.Kind == ScopeSede {
				out.Sedi = slices.DeleteFunc(out.Sedi, func(s Sede) bool { return s.Name == lose.to.Name })
			} else {
				out.Postazioni = slices.DeleteFunc(out.Postazioni, func(p Postazione) bool { return p.Code == lose.to.Name })
			}
			if m.local.Audit.HasScope(lose.to) {
				// This side held the losing name: its perimeter changes.
				m.res.RecordsChanged++
				m.closedTouched = true
			} else if had {
				m.localKept = true
			}
			if win.side != 0 && lose.side != 0 && win.side != lose.side {
				m.res.Conflicts = append(m.res.Conflicts, MergeConflict{Kind: ChangeScope, Scope: win.to.String(), IncomingWon: win.side == 2,
					Kept:  MergeSide{Value: win.c.New, Author: win.c.Author, At: win.c.At},
					Other: MergeSide{Value: lose.c.New, Author: lose.c.Author, At: lose.c.At}})
			}
		}
	}
}

// renamed is sc under its latest name (renames can follow one another).
func (m *merger) renamed(sc Scope) Scope {
	for range len(m.renames) {
		to, ok := m.renames[sc]
		if !ok {
			break
		}
		sc = to
	}
	return sc
}

// renamedText is renamed for a scope in its text form.
func (m *merger) renamedText(s string) string {
	if len(m.renames) == 0 {
		return s
	}
	sc, err := ParseScope(s)
	if err != nil {
		return s
	}
	return m.renamed(sc).String()
}

// SortByNumber orders register entries (op-N, ev-N, al-N) by the number
// of their ID, so that op-2 comes before op-10; equal numbers by the ID.
func SortByNumber[T any](list []T, id func(T) string) {
	slices.SortStableFunc(list, func(a, b T) int {
		return cmp.Or(cmp.Compare(idNumber(id(a)), idNumber(id(b))), cmp.Compare(id(a), id(b)))
	})
}

func idNumber(id string) int {
	_, n, _ := strings.Cut(id, "-")
	k, err := strconv.Atoi(n)
	if err != nil {
		return 0
	}
	return k
}

// evidenceID is the file ID an allegato entry names ("al-3: …").
func evidenceID(c Change) string {
	for _, t := range []string{c.New, c.Old} {
		if id, _, ok := strings.Cut(t, ": "); ok && strings.HasPrefix(id, "al-") {
			return id
		}
	}
	return ""
}

func (m *merger) mergeEvidence() {
	f := family[Evidence]{kind: ChangeEvidence, fixed: true,
		touches: func(c Change) []string {
			if c.Kind == ChangeEvidence {
				if id := evidenceID(c); id != "" {
					return []string{id}
				}
			}
			return nil
		},
		same: func(a, b Evidence) bool {
			return a.ID == b.ID && a.Scope == b.Scope && a.Item == b.Item && a.Name == b.Name && a.Note == b.Note &&
				a.Type == b.Type && a.Size == b.Size && a.Digest == b.Digest && a.Author == b.Author && a.At.Equal(b.At)
		},
		side: func(e Evidence, ok bool, c *Change) MergeSide {
			s := changeSide(c)
			if ok {
				s.Value = EvidenceSummary(e)
			}
			return s
		},
		locate: itemKey,
	}
	f.sameValue = f.same
	key := func(e Evidence) string { return e.ID }
	local := index(m.local.Evidence, key)
	merged := f.merge(m, local, index(m.incoming.Evidence, key))
	for i := range merged {
		merged[i].Scope = m.renamed(merged[i].Scope)
	}
	merged = keepInPerimeter(m, merged, func(e Evidence) Scope { return e.Scope })
	SortByNumber(merged, key)
	for _, e := range merged {
		if _, ok := local.rec[e.ID]; !ok {
			m.res.EvidenceAdded = append(m.res.EvidenceAdded, e)
		}
	}
	m.out.Evidence = merged
}

func (m *merger) mergePlan() {
	f := family[Plan]{kind: ChangePlan,
		touches: func(c Change) []string {
			if c.Kind == ChangePlan {
				return []string{"piano"}
			}
			return nil
		},
		same: jsonEqual[Plan], sameValue: jsonEqual[Plan], side: lastChangeSide[Plan], locate: func(string) (string, string) { return "", "" },
	}
	one := func(p Plan) keyed[Plan] {
		return keyed[Plan]{keys: []string{"piano"}, rec: map[string]Plan{"piano": p}}
	}
	if merged := f.merge(m, one(m.local.Plan), one(m.incoming.Plan)); len(merged) == 1 {
		m.out.Plan = merged[0]
	}

	// Baselines are fixed once recorded: united by content, in the order
	// they were fixed, numbered from 1.
	bkey := func(b Baseline) string {
		x := b
		x.Seq = 0
		data, _ := json.Marshal(x)
		return string(data)
	}
	seen := map[string]bool{}
	var all []Baseline
	for _, b := range m.local.Baselines {
		seen[bkey(b)] = true
		all = append(all, b)
	}
	added := false
	for _, b := range m.incoming.Baselines {
		if k := bkey(b); !seen[k] {
			seen[k] = true
			all = append(all, b)
			added = true
		}
	}
	if !added {
		m.out.Baselines = m.local.Baselines
		return
	}
	slices.SortStableFunc(all, func(a, b Baseline) int { return a.FixedAt.Compare(b.FixedAt) })
	for i := range all {
		all[i].Seq = i + 1
	}
	m.out.Baselines = all
	m.res.RecordsChanged++
}

// mergeCarried keeps the carried answers both sides still carry and that
// the merged audit has not answered.
func (m *merger) mergeCarried() {
	if len(m.local.Carried) == 0 {
		return
	}
	in := map[string]bool{}
	for _, a := range m.incoming.Carried {
		in[scopeItemKey(a.Scope.String(), a.Item)] = true
	}
	answered := map[string]bool{}
	for _, a := range m.out.Answers {
		if a.Value != "" {
			answered[scopeItemKey(a.Scope.String(), a.Item)] = true
		}
	}
	var out []Answer
	for _, a := range m.local.Carried {
		k := scopeItemKey(a.Scope.String(), a.Item)
		if in[k] && !answered[k] {
			out = append(out, a)
		}
	}
	if len(out) != len(m.local.Carried) {
		m.res.RecordsChanged++
	}
	m.out.Carried = out
}

// auditData is the part of the audit's info edited as a whole (not the
// perimeter, merged per sede and postazione).
type auditData struct {
	Ente      Ente
	Year      int
	Auditors  []string
	StartDate string
	EndDate   string
	Status    Status
	SignOff   *SignOff
}

func isLogoChange(c Change) bool {
	return strings.HasPrefix(c.New, "stemma: ") || strings.HasPrefix(c.Old, "stemma: ")
}

func dataOf(a *Audit) auditData {
	return auditData{a.Ente, a.Year, a.Auditors, a.StartDate, a.EndDate, a.Status, a.SignOff}
}

func (m *merger) mergeAudit() {
	la, ia := &m.local.Audit, &m.incoming.Audit
	out := &m.out.Audit
	*out = *la
	out.Auditors = slices.Clone(la.Auditors)
	out.Sedi, out.Postazioni = nil, nil

	df := family[auditData]{kind: ChangeAudit, fixed: true,
		touches: func(c Change) []string {
			if (c.Kind == ChangeAudit && !isLogoChange(c)) || c.Kind == ChangeStatus {
				return []string{"audit"}
			}
			return nil
		},
		same: jsonEqual[auditData], sameValue: jsonEqual[auditData], side: lastChangeSide[auditData],
		locate: func(string) (string, string) { return "", "" },
	}
	one := func(d auditData) keyed[auditData] {
		return keyed[auditData]{keys: []string{"audit"}, rec: map[string]auditData{"audit": d}}
	}
	if d := df.merge(m, one(dataOf(la)), one(dataOf(ia))); len(d) == 1 {
		out.Ente, out.Year, out.Auditors, out.StartDate, out.EndDate, out.Status, out.SignOff =
			d[0].Ente, d[0].Year, d[0].Auditors, d[0].StartDate, d[0].EndDate, d[0].Status, d[0].SignOff
	}

	// The stemma, recorded as an audit change "stemma: …", on its own.
	lf := family[*Logo]{kind: ChangeAudit,
		touches: func(c Change) []string {
			if c.Kind == ChangeAudit && isLogoChange(c) {
				return []string{"stemma"}
			}
			return nil
		},
		same: jsonEqual[*Logo], sameValue: jsonEqual[*Logo], side: lastChangeSide[*Logo],
		locate: func(string) (string, string) { return "", "stemma" },
	}
	logos := func(l *Logo) keyed[*Logo] {
		if l == nil {
			return keyed[*Logo]{rec: map[string]*Logo{}}
		}
		return keyed[*Logo]{keys: []string{"stemma"}, rec: map[string]*Logo{"stemma": l}}
	}
	out.Logo = nil
	if l := lf.merge(m, logos(la.Logo), logos(ia.Logo)); len(l) == 1 {
		out.Logo = l[0]
		if !jsonEqual(l[0], la.Logo) {
			m.out.LogoData = m.incoming.LogoData
		}
	}

	// The perimeter, per sede and postazione: an entry of the history
	// concerns a scope when it names it (its scope field, the label a
	// rename or removal records, or the "sede NOME." / "postazione CODICE."
	// fields an edit of the audit lists).
	var scopes []Scope
	for _, a := range []*Audit{la, ia} {
		for _, s := range a.Scopes()[1:] {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
	}
	touches := func(c Change) []string {
		if c.Kind != ChangeScope {
			return nil
		}
		var keys []string
		for _, s := range scopes {
			field := strings.ToLower(s.Kind.Label()) + " " + s.Name + "."
			if c.Scope == s.String() || c.Old == s.Label() || strings.Contains(c.Old, field) || strings.Contains(c.New, field) {
				keys = append(keys, perimeterKey(s))
			}
		}
		return keys
	}
	// A conflict names the sede or postazione as one side spells it.
	locate := func(k string) (string, string) {
		for _, s := range scopes {
			if perimeterKey(s) == k {
				return s.String(), ""
			}
		}
		return k, ""
	}
	sf := family[Sede]{kind: ChangeScope, fixed: true, touches: touches, same: jsonEqual[Sede], sameValue: jsonEqual[Sede],
		side: lastChangeSide[Sede], locate: locate}
	sedeKey := func(s Sede) string { return perimeterKey(Scope{Kind: ScopeSede, Name: s.Name}) }
	out.Sedi = sf.merge(m, index(la.Sedi, sedeKey), index(ia.Sedi, sedeKey))
	pf := family[Postazione]{kind: ChangeScope, fixed: true, touches: touches, same: jsonEqual[Postazione], sameValue: jsonEqual[Postazione],
		side: lastChangeSide[Postazione], locate: locate}
	posKey := func(p Postazione) string { return perimeterKey(Scope{Kind: ScopePostazione, Name: p.Code}) }
	out.Postazioni = pf.merge(m, index(la.Postazioni, posKey), index(ia.Postazioni, posKey))
	if out.Sedi == nil && la.Sedi != nil {
		out.Sedi = []Sede{}
	}
	if out.Postazioni == nil && la.Postazioni != nil {
		out.Postazioni = []Postazione{}
	}
}

// perimeterKey identifies a sede or postazione in the merge. Names and
// codes ignore case, as everywhere else: the same sede added on both
// sides, typed in another case, is one record (followRenames moves what
// the other spelling holds).
func perimeterKey(s Scope) string {
	return Scope{Kind: s.Kind, Name: strings.ToLower(s.Name)}.String()
}

// renumber returns a copy of incoming whose operators, events and files
// carry local numbers: an entry created by the same history entry as a
// local one takes its number; one whose number is free locally keeps it;
// the others get the next free number, in the order of their numbers. The
// history entries naming a renumbered entry are renumbered with it.
func (m *merger) renumber(in *Snapshot) *Snapshot {
	out := *in
	out.answers = nil
	out.History = slices.Clone(in.History)
	out.Operators = slices.Clone(in.Operators)
	out.Events = slices.Clone(in.Events)
	out.Evidence = slices.Clone(in.Evidence)

	type register struct {
		kind   ChangeKind
		prefix string
		ids    func(*Snapshot) []string
		// created returns the ID an entry creates, "" if it creates none.
		created func(Change) string
		// rename rewrites an entry naming from so that it names to.
		rename func(c *Change, from, to string) bool
		apply  func(s *Snapshot, from, to string)
	}
	itemCreated := func(kind ChangeKind) func(Change) string {
		return func(c Change) string {
			if c.Kind == kind && c.Old == "" {
				return c.Item
			}
			return ""
		}
	}
	itemRename := func(kind ChangeKind) func(*Change, string, string) bool {
		return func(c *Change, from, to string) bool {
			if c.Kind == kind && c.Item == from {
				c.Item = to
				return true
			}
			return false
		}
	}
	registers := []register{
		{ChangeOperator, "op", func(s *Snapshot) []string { return ids(s.Operators, func(o Operator) string { return o.ID }) },
			itemCreated(ChangeOperator), itemRename(ChangeOperator),
			func(s *Snapshot, from, to string) {
				for i := range s.Operators {
					if s.Operators[i].ID == from {
						s.Operators[i].ID = to
					}
				}
			}},
		{ChangeEvent, "ev", func(s *Snapshot) []string { return ids(s.Events, func(e SecurityEvent) string { return e.ID }) },
			itemCreated(ChangeEvent), itemRename(ChangeEvent),
			func(s *Snapshot, from, to string) {
				for i := range s.Events {
					if s.Events[i].ID == from {
						s.Events[i].ID = to
					}
				}
			}},
		{ChangeEvidence, "al", func(s *Snapshot) []string { return ids(s.Evidence, func(e Evidence) string { return e.ID }) },
			func(c Change) string {
				if c.Kind == ChangeEvidence && c.Old == "" {
					return evidenceID(c)
				}
				return ""
			},
			func(c *Change, from, to string) bool {
				if c.Kind != ChangeEvidence {
					return false
				}
				done := false
				for _, t := range []*string{&c.New, &c.Old} {
					if rest, ok := strings.CutPrefix(*t, from+": "); ok {
						*t, done = to+": "+rest, true
					}
				}
				return done
			},
			func(s *Snapshot, from, to string) {
				for i := range s.Evidence {
					if s.Evidence[i].ID == from {
						s.Evidence[i].ID = to
					}
				}
			}},
	}
	for _, r := range registers {
		// creation identifies an entry by the history entry that created
		// it, without the number.
		creation := func(s *Snapshot) (byID map[string]string, byCreation map[string]string) {
			byID, byCreation = map[string]string{}, map[string]string{}
			for _, c := range historyOrder(s.History) {
				id := r.created(c)
				if id == "" || byID[id] != "" {
					continue
				}
				x := c
				r.rename(&x, id, "")
				k := changeIdentity(x)
				byID[id] = k
				if _, ok := byCreation[k]; !ok {
					byCreation[k] = id
				}
			}
			return byID, byCreation
		}
		localByID, localByCreation := creation(m.local)
		inByID, _ := creation(in)
		used := map[string]bool{}
		for _, id := range r.ids(m.local) {
			used[strings.ToLower(id)] = true
		}
		for id := range localByID {
			used[strings.ToLower(id)] = true
		}
		all := r.ids(in)
		for id := range inByID {
			if !slices.Contains(all, id) {
				all = append(all, id)
			}
		}
		slices.SortFunc(all, func(a, b string) int { return cmp.Or(cmp.Compare(idNumber(a), idNumber(b)), cmp.Compare(a, b)) })
		mapping, collided := map[string]string{}, map[string]bool{}
		for _, id := range all {
			to := id
			ck, known := inByID[id]
			switch {
			case known && localByCreation[ck] != "":
				to = localByCreation[ck]
			case !known || !used[strings.ToLower(id)] || localByID[id] == "":
				// Not identifiable, free locally, or the local entry has no
				// creation to tell it apart: the same number.
			default:
				to = nextFree(r.prefix, used, all)
				collided[id] = true
			}
			used[strings.ToLower(to)] = true
			if to != id {
				mapping[id] = to
			}
		}
		if len(mapping) == 0 {
			continue
		}
		// Apply the mapping at once (a chain op-2→op-3, op-3→op-4 must not
		// rename twice), through placeholders.
		froms := sortedKeysOf(mapping)
		for _, from := range froms {
			r.apply(&out, from, "\x00"+from)
			for i := range out.History {
				r.rename(&out.History[i], from, "\x00"+from)
			}
		}
		for _, from := range froms {
			to := mapping[from]
			r.apply(&out, "\x00"+from, to)
			for i := range out.History {
				r.rename(&out.History[i], "\x00"+from, to)
			}
			if collided[from] && slices.Contains(r.ids(in), from) {
				m.res.Renumbered = append(m.res.Renumbered, Renumbering{Kind: r.kind, From: from, To: to})
			}
		}
	}
	return &out
}

func ids[T any](list []T, id func(T) string) []string {
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = id(r)
	}
	return out
}

func sortedKeysOf(mp map[string]string) []string {
	keys := make([]string, 0, len(mp))
	for k := range mp {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(idNumber(a), idNumber(b)), cmp.Compare(a, b)) })
	return keys
}

// nextFree is the next number of prefix above every used or incoming one.
func nextFree(prefix string, used map[string]bool, incoming []string) string {
	var all []string
	for id := range used {
		all = append(all, id)
	}
	return NextID(prefix, append(all, incoming...))
}

// Sentence describes the conflict in Italian on one line: where, the value
// kept and the other one, each with who changed it and when (Italian
// time). Answers are shown as the item's answer kind shows them.
func (c MergeConflict) Sentence(cat *Catalogue) string {
	where := c.Item
	if sc, err := ParseScope(c.Scope); err == nil && c.Scope != "" {
		where = sc.Label()
		if c.Item != "" {
			where += ", " + c.Item
		}
	}
	if where == "" {
		where = "dati dell'audit"
	}
	show := func(s MergeSide) string {
		v := s.Value
		if c.Kind == ChangeAnswer && cat != nil && v != "" {
			if it := cat.Item(c.Item); it != nil {
				v = DisplayValue(it, v)
			}
		}
		switch {
		case v == "" && c.Kind == ChangeAnswer:
			v = "nessuna risposta"
		case v == "":
			v = "assente"
		}
		text := "«" + v + "»"
		if s.Note != "" {
			text += " con nota «" + s.Note + "»"
		}
		if s.Author != "" {
			text += " di " + s.Author
		}
		if !s.At.IsZero() {
			text += " del " + s.At.In(rome).Format("02/01/2006 15:04:05")
		}
		return text
	}
	side := "questo database"
	if c.IncomingWon {
		side = "la copia importata"
	}
	return fmt.Sprintf("%s (%s): tenuto %s (%s, modifica più recente), l'altro valore %s resta nello storico",
		where, c.Kind, show(c.Kept), side, show(c.Other))
}
