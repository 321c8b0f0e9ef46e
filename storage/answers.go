package storage

import (
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// scopedKey is the key of answers and evaluations: "scope\x00id". The scope
// comes first so that one scope's entries are contiguous.
func scopedKey(scope checklist.Scope, id string) []byte {
	return []byte(scope.String() + "\x00" + id)
}

// item returns the catalogue item answered at scope, checking that both
// exist and that the item is answered at that kind of scope.
func (at *auditTx) item(scope checklist.Scope, id string) (*checklist.Item, error) {
	if !at.audit.HasScope(scope) {
		return nil, fmt.Errorf("ambito %q non presente nell'audit %s", scope.String(), at.audit.ID)
	}
	cat, err := at.catalogue()
	if err != nil {
		return nil, err
	}
	it := cat.Item(id)
	if it == nil {
		return nil, fmt.Errorf("misura %q non presente nel catalogo %s dell'audit", id, cat.Key())
	}
	if it.Scope != scope.Kind {
		return nil, fmt.Errorf("la misura %s si valuta per ambito %s, non %s", id, strings.ToLower(it.Scope.Label()), strings.ToLower(scope.Kind.Label()))
	}
	return it, nil
}

// start moves a draft audit to in_corso when its first answer is saved.
func (at *auditTx) start(author string) error {
	if at.audit.Status != checklist.StatusDraft {
		return nil
	}
	at.audit.Status = checklist.StatusInProgress
	return at.record(checklist.Change{Author: author, Kind: checklist.ChangeStatus,
		Old: string(checklist.StatusDraft), New: string(checklist.StatusInProgress), Reason: "prima risposta registrata"})
}

// putAnswer stores next, records what changed since prev and bumps the audit.
func (at *auditTx) putAnswer(prev, next checklist.Answer) error {
	where := checklist.Change{Author: next.Author, Scope: next.Scope.String(), Item: next.Item}
	if prev.Value != next.Value {
		c := where
		c.Kind, c.Old, c.New = checklist.ChangeAnswer, prev.Value, next.Value
		if err := at.record(c); err != nil {
			return err
		}
	}
	if prev.Note != next.Note {
		c := where
		c.Kind, c.Old, c.New = checklist.ChangeNote, prev.Note, next.Note
		if err := at.record(c); err != nil {
			return err
		}
	}
	if err := answerCodec.put(at.bucket(bucketAnswers), scopedKey(next.Scope, next.Item), &next); err != nil {
		return err
	}
	at.answered = append(at.answered, [2]checklist.Answer{prev, next})
	if err := at.settleCarried(next); err != nil {
		return err
	}
	if err := at.start(next.Author); err != nil {
		return err
	}
	return at.save()
}

// SaveAnswer validates and commits one answer in its own transaction before
// returning. expectRev is the Rev the caller last saw (-1: don't check).
//
// The value is normalised for the item's answer kind (a "non applicabile"
// needs a note); an empty value clears the answer back to "Non verificato"
// (checklist.NormaliseAnswer). Saving the same value and note again changes
// nothing. The first answer moves a draft audit to in_corso.
func (s *Store) SaveAnswer(auditID string, a checklist.Answer, expectRev int) (SaveResult, error) {
	return s.saveAnswer(auditID, a, expectRev, false)
}

// SaveValue is SaveAnswer for a new value alone: the note stored for the
// answer is kept, whatever a.Note says. One-key answers use it, so that a
// note saved an instant earlier (its result not yet on the screen) is not
// replaced by the older note the screen still shows.
func (s *Store) SaveValue(auditID string, a checklist.Answer, expectRev int) (SaveResult, error) {
	return s.saveAnswer(auditID, a, expectRev, true)
}

func (s *Store) saveAnswer(auditID string, a checklist.Answer, expectRev int, keepNote bool) (SaveResult, error) {
	var res SaveResult
	err := s.writeAudit(auditID, func(at *auditTx) error {
		var err error
		res, err = at.saveAnswer(a, expectRev, keepNote)
		return err
	})
	if err != nil {
		return SaveResult{}, fmt.Errorf("risposta %s (%s): %w", a.Item, a.Scope.String(), err)
	}
	return res, nil
}

// saveAnswer is SaveAnswer (or SaveValue, with keepNote) inside an open
// write transaction.
func (at *auditTx) saveAnswer(a checklist.Answer, expectRev int, keepNote bool) (SaveResult, error) {
	a.Scope = at.audit.CanonicalScope(a.Scope)
	it, err := at.item(a.Scope, a.Item)
	if err != nil {
		return SaveResult{}, err
	}
	var prev checklist.Answer
	had, err := answerCodec.get(at.bucket(bucketAnswers), scopedKey(a.Scope, a.Item), &prev)
	if err != nil {
		return SaveResult{}, err
	}
	note := checklist.CleanText(a.Note, true)
	if keepNote {
		note = prev.Note
	}
	value, err := checklist.NormaliseAnswer(it, checklist.CleanText(a.Value, true), note)
	if err != nil {
		return SaveResult{}, err
	}
	res := SaveResult{Conflict: expectRev >= 0 && expectRev != prev.Rev}
	if had {
		p := prev
		res.Previous = &p
		if prev.Value == value && prev.Note == note {
			res.Answer = prev
			return res, nil
		}
	} else if value == "" && note == "" {
		// Clearing an item never answered: nothing to record.
		res.Answer = checklist.Answer{Scope: a.Scope, Item: a.Item}
		return res, nil
	}
	next := checklist.Answer{Scope: a.Scope, Item: a.Item, Value: value, Note: note,
		Author: authorOr(a.Author), At: at.now, Rev: prev.Rev + 1}
	if err := at.putAnswer(prev, next); err != nil {
		return SaveResult{}, err
	}
	res.Answer = next
	return res, nil
}

func authorOr(author string) string {
	if strings.TrimSpace(author) == "" {
		return unknownAuthor
	}
	return author
}

// SaveNote changes only the note of an answer (creating an empty-valued
// answer if the item is not answered yet).
func (s *Store) SaveNote(auditID string, scope checklist.Scope, item, note, author string) (SaveResult, error) {
	var res SaveResult
	note = checklist.CleanText(note, true)
	err := s.writeAudit(auditID, func(at *auditTx) error {
		scope = at.audit.CanonicalScope(scope)
		if _, err := at.item(scope, item); err != nil {
			return err
		}
		var prev checklist.Answer
		had, err := answerCodec.get(at.bucket(bucketAnswers), scopedKey(scope, item), &prev)
		if err != nil {
			return err
		}
		if had {
			p := prev
			res.Previous = &p
			if prev.Note == note {
				res.Answer = prev
				return nil
			}
			if prev.Value == string(checklist.OutcomeNotApplicable) && note == "" {
				return checklist.ErrNeedsJustification
			}
		}
		next := prev
		next.Scope, next.Item, next.Note = scope, item, note
		next.Author, next.At, next.Rev = authorOr(author), at.now, prev.Rev+1
		if err := at.putAnswer(prev, next); err != nil {
			return err
		}
		res.Answer = next
		return nil
	})
	if err != nil {
		return SaveResult{}, fmt.Errorf("nota di %s (%s): %w", item, scope.String(), err)
	}
	return res, nil
}

// readAnswers decodes an audit's answers, in key order (scope, then item).
func readAnswers(b *bolt.Bucket) ([]checklist.Answer, error) {
	var answers []checklist.Answer
	err := answerCodec.each(b.Bucket(bucketAnswers), func(a checklist.Answer) { answers = append(answers, a) })
	return answers, err
}

// Answers returns the current answers of an audit.
func (s *Store) Answers(auditID string) ([]checklist.Answer, error) {
	return readFromAudit(s, auditID, readAnswers)
}

// readFromAudit runs read on one audit's bucket in a read transaction.
func readFromAudit[T any](s *Store, auditID string, read func(*bolt.Bucket) (T, error)) (T, error) {
	var v T
	err := s.view(func(tx *bolt.Tx) error {
		b, _, err := readAudit(tx, auditID)
		if err != nil {
			return err
		}
		v, err = read(b)
		return err
	})
	return v, err
}

// SaveEvaluation stores a section's "Valutazione" text at one scope.
// An empty text removes the evaluation.
func (s *Store) SaveEvaluation(auditID string, e checklist.Evaluation) error {
	err := s.writeAudit(auditID, func(at *auditTx) error { return at.saveEvaluation(e) })
	if err != nil {
		return fmt.Errorf("valutazione della sezione %s (%s): %w", e.Section, e.Scope.String(), err)
	}
	return nil
}

// saveEvaluation is SaveEvaluation inside an open write transaction.
func (at *auditTx) saveEvaluation(e checklist.Evaluation) error {
	e.Scope = at.audit.CanonicalScope(e.Scope)
	if !at.audit.HasScope(e.Scope) {
		return fmt.Errorf("ambito %q non presente nell'audit %s", e.Scope.String(), at.audit.ID)
	}
	cat, err := at.catalogue()
	if err != nil {
		return err
	}
	if cat.Section(e.Section) == nil {
		return fmt.Errorf("sezione %q non presente nel catalogo %s", e.Section, cat.Key())
	}
	b := at.bucket(bucketEvaluations)
	key := scopedKey(e.Scope, e.Section)
	var prev checklist.Evaluation
	if _, err := evaluationCodec.get(b, key, &prev); err != nil {
		return err
	}
	e.Text = checklist.CleanText(e.Text, true)
	if err := checklist.CheckTextLength("valutazione", e.Text); err != nil {
		return err
	}
	if prev.Text == e.Text {
		return nil
	}
	e.Author, e.At = authorOr(e.Author), at.now
	if e.Text == "" {
		err = b.Delete(key)
	} else {
		err = evaluationCodec.put(b, key, &e)
	}
	if err != nil {
		return err
	}
	if err := at.record(checklist.Change{Author: e.Author, Kind: checklist.ChangeEvaluation,
		Scope: e.Scope.String(), Item: e.Section, Old: prev.Text, New: e.Text}); err != nil {
		return err
	}
	return at.save()
}

func actionSummary(p checklist.ActionPlan) string {
	return fmt.Sprintf("responsabile: %s; scadenza: %s; stato: %s", p.Owner, p.Due, p.Status.Label())
}

// SaveActionPlan stores owner, due date and status of a remediation action.
func (s *Store) SaveActionPlan(auditID string, p checklist.ActionPlan, author string) error {
	err := s.writeAudit(auditID, func(at *auditTx) error { return at.saveActionPlan(p, author) })
	if err != nil {
		return fmt.Errorf("azione %s: %w", p.Item, err)
	}
	return nil
}

// saveActionPlan is SaveActionPlan inside an open write transaction.
func (at *auditTx) saveActionPlan(p checklist.ActionPlan, author string) error {
	cat, err := at.catalogue()
	if err != nil {
		return err
	}
	if p, err = checklist.CheckActionPlan(cat, p); err != nil {
		return err
	}
	b := at.bucket(bucketActions)
	var prev checklist.ActionPlan
	had, err := actionCodec.get(b, []byte(p.Item), &prev)
	if err != nil {
		return err
	}
	if had && prev == p {
		return nil
	}
	old := ""
	if had {
		old = actionSummary(prev)
	}
	if err := actionCodec.put(b, []byte(p.Item), &p); err != nil {
		return err
	}
	if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeAction, Item: p.Item, Old: old, New: actionSummary(p)}); err != nil {
		return err
	}
	return at.save()
}

// SaveRiskOverride stores a per-audit probability/impact override of a threat.
// The reason is required; an override with probability and impact both zero
// removes the override, restoring the catalogue's values.
func (s *Store) SaveRiskOverride(auditID string, o checklist.RiskOverride, author string) error {
	remove := o.Probability == 0 && o.Impact == 0
	err := s.writeAudit(auditID, func(at *auditTx) error {
		cat, err := at.catalogue()
		if err != nil {
			return err
		}
		if o, err = checklist.CheckRiskOverride(cat, o); err != nil {
			return err
		}
		t := cat.Threat(o.Threat)
		b := at.bucket(bucketOverrides)
		var prev checklist.RiskOverride
		had, err := overrideCodec.get(b, []byte(o.Threat), &prev)
		if err != nil {
			return err
		}
		old := fmt.Sprintf("probabilità %d × impatto %d (catalogo)", t.Probability, t.Impact)
		if had {
			old = fmt.Sprintf("probabilità %d × impatto %d", prev.Probability, prev.Impact)
		}
		var next string
		switch {
		case remove && !had:
			return nil
		case remove:
			next = fmt.Sprintf("probabilità %d × impatto %d (catalogo)", t.Probability, t.Impact)
			err = b.Delete([]byte(o.Threat))
		default:
			next = fmt.Sprintf("probabilità %d × impatto %d", o.Probability, o.Impact)
			err = overrideCodec.put(b, []byte(o.Threat), &o)
		}
		if err != nil {
			return err
		}
		if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeRisk, Item: o.Threat, Old: old, New: next, Reason: o.Reason}); err != nil {
			return err
		}
		return at.save()
	})
	if err != nil {
		return fmt.Errorf("rischio %s: %w", o.Threat, err)
	}
	return nil
}

// History returns an audit's append-only history, oldest first.
func (s *Store) History(auditID string) ([]checklist.Change, error) {
	return readFromAudit(s, auditID, readHistory)
}

func readHistory(b *bolt.Bucket) ([]checklist.Change, error) {
	hb := b.Bucket(bucketHistory)
	var history []checklist.Change
	if n := hb.Sequence(); n > 0 {
		// Entries are never deleted, so the sequence is their number.
		history = make([]checklist.Change, 0, min(n, 1<<16))
	}
	err := changeCodec.each(hb, func(c checklist.Change) { history = append(history, c) })
	return history, err
}
