package storage

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cieaudit/cieaudit/checklist"
)

// scopedBuckets are the per-audit buckets keyed by scope first
// (scopedKey): renaming or removing a scope moves or deletes their keys.
var scopedBuckets = [][]byte{bucketAnswers, bucketEvaluations}

// RenameScope renames a sede or a postazione of an open audit
// (checklist.Audit.RenameSede/RenamePostazione) and moves its answers and
// evaluations to the new name, in one transaction recorded in the history.
func (s *Store) RenameScope(id string, from checklist.Scope, newName, author string) (checklist.Audit, error) {
	var result checklist.Audit
	err := s.writeAudit(id, func(at *auditTx) error {
		var old, renamed checklist.Scope
		var err error
		switch from.Kind {
		case checklist.ScopeSede:
			old, renamed, err = at.audit.RenameSede(from.Name, newName)
		case checklist.ScopePostazione:
			old, renamed, err = at.audit.RenamePostazione(from.Name, newName)
		default:
			err = fmt.Errorf("si possono rinominare solo sedi e postazioni, non %s", from.Label())
		}
		if err != nil {
			return err
		}
		if old == renamed {
			result = at.audit
			return nil
		}
		if err := at.audit.Validate(); err != nil {
			return err
		}
		n, err := at.moveScope(old, &renamed)
		if err != nil {
			return err
		}
		if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeScope, Scope: renamed.String(),
			Old: old.Label(), New: fmt.Sprintf("%s (rinominata; %s)", renamed.Label(), checklist.Count(n, "risposta o valutazione spostata", "risposte e valutazioni spostate"))}); err != nil {
			return err
		}
		if err := at.renameInRegisters(checklist.ScopeRename{From: old, To: renamed}, author); err != nil {
			return err
		}
		result = at.audit
		return at.save()
	})
	if err != nil {
		return checklist.Audit{}, fmt.Errorf("modifica dell'audit %s: %w", id, err)
	}
	return result, nil
}

// ErrNeedsConfirmation refuses to remove a scope that has answers or
// evaluations without the caller's confirmation.
type ErrNeedsConfirmation struct {
	Scope   checklist.Scope
	Records int
}

func (e *ErrNeedsConfirmation) Error() string {
	return fmt.Sprintf("%s ha %s: la rimozione %s, confermarla esplicitamente (%s nello storico)", e.Scope.Label(), checklist.Count(e.Records, "risposta o valutazione registrata", "risposte o valutazioni registrate"), checklist.Plural(e.Records, "la elimina", "le elimina"), checklist.Plural(e.Records, "resta", "restano"))
}

// RemoveScope removes a sede (without postazioni) or a postazione of an
// open audit. One with answers or evaluations is removed only if confirmed,
// and they go with it; the removal and what it took are in the history.
// It returns the number of answers and evaluations removed.
func (s *Store) RemoveScope(id string, sc checklist.Scope, author string, confirmed bool) (checklist.Audit, int, error) {
	var result checklist.Audit
	var removed int
	err := s.writeAudit(id, func(at *auditTx) error {
		gone, err := at.audit.RemoveScope(sc)
		if err != nil {
			return err
		}
		n := at.countScope(gone)
		if n > 0 && !confirmed {
			return &ErrNeedsConfirmation{Scope: gone, Records: n}
		}
		if _, err := at.moveScope(gone, nil); err != nil {
			return err
		}
		if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeScope, Scope: gone.String(),
			Old: gone.Label(), New: "rimossa con " + checklist.Count(n, "risposta o valutazione", "risposte e valutazioni")}); err != nil {
			return err
		}
		result, removed = at.audit, n
		return at.save()
	})
	if err != nil {
		return checklist.Audit{}, 0, fmt.Errorf("modifica dell'audit %s: %w", id, err)
	}
	return result, removed, nil
}

// countScope counts the answers and evaluations stored at sc.
func (at *auditTx) countScope(sc checklist.Scope) int {
	n := 0
	prefix := []byte(sc.String() + "\x00")
	for _, name := range scopedBuckets {
		c := at.bucket(name).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			n++
		}
	}
	return n
}

// moveScope moves the keys of sc in the scoped buckets under to, or
// deletes them when to is nil, and returns how many it touched. Values do
// not hold the scope (the key does), so they move as they are.
func (at *auditTx) moveScope(sc checklist.Scope, to *checklist.Scope) (int, error) {
	prefix := []byte(sc.String() + "\x00")
	n := 0
	for _, name := range scopedBuckets {
		b := at.bucket(name)
		var keys, values [][]byte
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			keys, values = append(keys, bytes.Clone(k)), append(values, bytes.Clone(v))
		}
		for i, k := range keys {
			if err := b.Delete(k); err != nil {
				return n, err
			}
			if to != nil {
				item := strings.TrimPrefix(string(k), string(prefix))
				if err := b.Put(scopedKey(*to, item), values[i]); err != nil {
					return n, err
				}
			}
			n++
		}
	}
	return n, nil
}

// renameInRegisters applies r (checklist.ScopeRename) to the operators and
// security events of the audit, recording each changed entry in the
// history, inside the rename's transaction.
func (at *auditTx) renameInRegisters(r checklist.ScopeRename, author string) error {
	if err := renameIn(at, bucketOperators, operatorCodec, r.Operator, func(old, o checklist.Operator) checklist.Change {
		return checklist.Change{Author: author, Kind: checklist.ChangeOperator, Item: o.ID,
			Old: checklist.OperatorSummary(old), New: checklist.OperatorSummary(o)}
	}); err != nil {
		return err
	}
	return renameIn(at, bucketEvents, eventCodec, r.Event, func(old, e checklist.SecurityEvent) checklist.Change {
		return checklist.Change{Author: author, Kind: checklist.ChangeEvent, Scope: e.Scope.String(), Item: e.ID,
			Old: checklist.EventSummary(old), New: checklist.EventSummary(e)}
	})
}

// renameIn rewrites the entries of the register bucket name that apply
// changes, and records change(old, new) for each.
func renameIn[T any](at *auditTx, name []byte, c *codec[T], apply func(T) (T, bool), change func(old, v T) checklist.Change) error {
	b := at.b.Bucket(name)
	if b == nil {
		return nil
	}
	var olds []T
	var keys [][]byte
	for _, k := range bucketKeys(b) {
		var v T
		if _, err := c.get(b, []byte(k), &v); err != nil {
			return err
		}
		olds, keys = append(olds, v), append(keys, []byte(k))
	}
	for i, old := range olds {
		v, changed := apply(old)
		if !changed {
			continue
		}
		if err := c.put(b, keys[i], &v); err != nil {
			return err
		}
		if err := at.record(change(old, v)); err != nil {
			return err
		}
	}
	return nil
}
