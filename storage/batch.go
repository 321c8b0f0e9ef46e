package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// NewAudit is one audit for CreateAudits, with what it holds from the start.
// Answers are saved in order, so an item given twice ends with the second
// answer and both are in the history.
type NewAudit struct {
	Audit       checklist.Audit
	Answers     []checklist.Answer
	Evaluations []checklist.Evaluation
	Actions     []checklist.ActionPlan
}

// CreateAudits stores many new audits in one transaction, each validated and
// recorded exactly as CreateAuditOnce and the Save methods would, and returns
// their IDs. Either all of them are stored or none. Generators of large
// databases (cieaudit demo --synthetic) use it: committing one audit of a few
// hundred answers at a time would spend nearly all the time in fsync.
//
// Subscribers get one event per audit, not one per history entry.
func (s *Store) CreateAudits(batch []NewAudit, author string) ([]string, error) {
	for i := range batch {
		a := &batch[i].Audit
		if err := validateAudit(a); err != nil {
			return nil, fmt.Errorf("audit %d del lotto: %w", i+1, err)
		}
		if a.CatalogueID == "" || a.CatalogueVersion == "" {
			return nil, fmt.Errorf("audit %d del lotto: catalogo non indicato (catalogue_id e catalogue_version)", i+1)
		}
	}
	now := s.opts.Now()
	var ids []string
	err := s.write(func(tx *bolt.Tx) ([]Event, error) {
		ids = ids[:0]
		for i, n := range batch {
			at, err := createAudit(tx, n.Audit, author, now)
			if err != nil {
				return nil, fmt.Errorf("audit %d del lotto: %w", i+1, err)
			}
			// One summary and one info write per audit, not one per answer;
			// the answers go in at once, so their pages can be full.
			at.deferSave = true
			at.bucket(bucketAnswers).FillPercent = appendOnlyFill
			for _, ans := range n.Answers {
				if _, err := at.saveAnswer(ans, -1, false); err != nil {
					return nil, fmt.Errorf("audit %d del lotto, risposta %s (%s): %w", i+1, ans.Item, ans.Scope.String(), err)
				}
			}
			for _, e := range n.Evaluations {
				if err := at.saveEvaluation(e); err != nil {
					return nil, fmt.Errorf("audit %d del lotto, valutazione della sezione %s (%s): %w", i+1, e.Section, e.Scope.String(), err)
				}
			}
			for _, p := range n.Actions {
				if err := at.saveActionPlan(p, author); err != nil {
					return nil, fmt.Errorf("audit %d del lotto, azione %s: %w", i+1, p.Item, err)
				}
			}
			at.deferSave = false
			if err := at.save(); err != nil {
				return nil, err
			}
			ids = append(ids, at.audit.ID)
		}
		events := make([]Event, len(ids))
		for i, id := range ids {
			events[i] = Event{AuditID: id, Kind: checklist.ChangeAudit, Author: author}
		}
		return events, nil
	})
	if err != nil {
		return nil, fmt.Errorf("creazione degli audit: %w", err)
	}
	return ids, nil
}
