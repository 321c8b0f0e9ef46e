package storage

import (
	"fmt"

	"github.com/cieaudit/cieaudit/checklist"
)

// SaveAnswers commits several answers of one audit in one transaction, all
// or none: a copy from another scope or a bulk answer
// (checklist.PlanCopy, checklist.PlanBulk). Each is validated like
// SaveAnswer; reason goes into the history of every change it makes. With
// onlyUnanswered, an item answered meanwhile (by another session, after the
// plan was made) is left as it is.
func (s *Store) SaveAnswers(auditID string, answers []checklist.Answer, reason string, onlyUnanswered bool) ([]checklist.SaveResult, error) {
	results := make([]checklist.SaveResult, 0, len(answers))
	err := s.writeAudit(auditID, func(at *auditTx) error {
		results = results[:0]
		at.reason = reason
		defer func() { at.reason = "" }()
		for _, a := range answers {
			if onlyUnanswered {
				var cur checklist.Answer
				had, err := answerCodec.get(at.bucket(bucketAnswers), scopedKey(a.Scope, a.Item), &cur)
				if err != nil {
					return err
				}
				if had && cur.Value != "" {
					results = append(results, checklist.SaveResult{Answer: cur, Previous: &cur})
					continue
				}
			}
			res, err := at.saveAnswer(a, -1, false)
			if err != nil {
				return fmt.Errorf("risposta %s (%s): %w", a.Item, a.Scope.String(), err)
			}
			results = append(results, res)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}
