package checklist

import (
	"fmt"
	"strings"
)

// Copying answers between scopes and answering many items at once. Both
// give a plan first, so that the front end can say how many items change
// before anything is written; the store then commits the plan in one
// transaction, with the plan's reason in the history of every change.

// AnswerPlan is a set of answers to give, split by what they do to the
// target: Fill gives an answer to items still to verify, Overwrite replaces
// a different answer. Unchanged counts the items that already hold it.
type AnswerPlan struct {
	Reason    string
	Fill      []Answer
	Overwrite []Answer
	Unchanged int
}

// Answers is the plan's answers: Fill, plus Overwrite when overwrite is set.
func (p AnswerPlan) Answers(overwrite bool) []Answer {
	out := append([]Answer(nil), p.Fill...)
	if overwrite {
		out = append(out, p.Overwrite...)
	}
	return out
}

// add files a an answer to it at the scope, given what is there now.
func (p *AnswerPlan) add(cur Answer, a Answer) {
	switch {
	case cur.Value == "":
		p.Fill = append(p.Fill, a)
	case cur.Value == a.Value && cur.Note == a.Note:
		p.Unchanged++
	default:
		p.Overwrite = append(p.Overwrite, a)
	}
}

// CopyReason is the history reason of answers copied from a scope.
func CopyReason(from Scope) string { return "copiata da " + from.Label() }

// CopySources are the scopes a scope can copy its answers from: the other
// sedi of a sede, the other postazioni of a postazione; none for the ente.
func CopySources(a Audit, to Scope) []Scope {
	var out []Scope
	for _, sc := range a.Scopes() {
		if sc.Kind == to.Kind && sc != to && sc.Kind != ScopeEnte {
			out = append(out, sc)
		}
	}
	return out
}

// PlanCopy lists what copying the answers given at from onto to would do:
// every item answered at from (value and note) that applies to to. Both
// must be scopes of the audit of the same kind, sede or postazione.
func PlanCopy(s *Snapshot, from, to Scope) (AnswerPlan, error) {
	if from.Kind != to.Kind || from.Kind == ScopeEnte || from == to {
		return AnswerPlan{}, fmt.Errorf("si copia solo tra due sedi o tra due postazioni diverse, non da %s a %s", from.Label(), to.Label())
	}
	for _, sc := range []Scope{from, to} {
		if !s.Audit.HasScope(sc) {
			return AnswerPlan{}, fmt.Errorf("%s non è nell'audit", sc.Label())
		}
	}
	p := AnswerPlan{Reason: CopyReason(from)}
	for _, it := range s.Catalogue.ItemsFor(to.Kind) {
		src, ok := s.Answer(from, it.ID)
		if !ok || src.Value == "" {
			continue
		}
		cur, _ := s.Answer(to, it.ID)
		p.add(cur, Answer{Scope: to, Item: it.ID, Value: src.Value, Note: src.Note})
	}
	return p, nil
}

// BulkReason is the history reason of a bulk answer.
func BulkReason(o Outcome, n int) string {
	return fmt.Sprintf("risposta «%s» data in blocco a %s", strings.ToLower(o.Label()), Voci(n))
}

// Voci is "1 voce" or "n voci".
func Voci(n int) string { return Count(n, "voce", "voci") }

// PlanBulk lists what answering o to every item of items at scope would do.
// Only esito items answered at scope itself take part; "non applicabile"
// is refused, since each one needs its own justification. The note of an
// item already answered is kept.
func PlanBulk(s *Snapshot, scope Scope, items []*Item, o Outcome) (AnswerPlan, error) {
	switch o {
	case OutcomeYes, OutcomeNo, OutcomePartial:
	default:
		return AnswerPlan{}, fmt.Errorf("in blocco si risponde solo sì, no o parziale: «%s» richiede una giustificazione per ogni voce", o.Label())
	}
	var p AnswerPlan
	n := 0
	for _, it := range items {
		if it.Scope != scope.Kind || (it.Answer.Kind != KindOutcome && it.Answer.Kind != "") {
			continue
		}
		n++
		cur, _ := s.Answer(scope, it.ID)
		p.add(Answer{Value: cur.Value, Note: cur.Note}, Answer{Scope: scope, Item: it.ID, Value: string(o), Note: cur.Note})
	}
	p.Reason = BulkReason(o, n)
	return p, nil
}
