package storage

import (
	"errors"
	"fmt"

	"github.com/cieaudit/cieaudit/checklist"
)

// errNothingToMerge rolls back a merge that would change nothing: a
// repeated import writes nothing at all, not even an empty commit.
var errNothingToMerge = errors.New("nessuna modifica")

// MergeAudit merges incoming, a copy of an audit this database holds (read
// from a bundle exported on another machine, with its files' contents),
// into the stored audit with checklist.Merge, and writes the merged audit
// through ReplaceAudit, in one transaction: the merge and the write see the
// same state, the merged audit is checked as an import is
// (checklist.CheckImported), and a merge that changes nothing rolls back
// and writes nothing. The result lists what changed and every conflict.
func (s *Store) MergeAudit(incoming *checklist.ImportedAudit, author string) (*checklist.MergeResult, error) {
	id := incoming.Snapshot.Audit.ID
	var res *checklist.MergeResult
	var mergeErr error
	_, err := s.ReplaceAudit(id, author, func(current *checklist.ImportedAudit) (*checklist.ImportedAudit, error) {
		if res, mergeErr = checklist.Merge(current.Snapshot, incoming.Snapshot); mergeErr != nil {
			return nil, mergeErr
		}
		if !res.Changed {
			return nil, errNothingToMerge
		}
		// The contents of the merged files: the stored ones, then the copy's.
		contents := map[string][]byte{}
		for _, e := range res.Snapshot.Evidence {
			if data, ok := current.Evidence[e.Digest]; ok {
				contents[e.Digest] = data
			} else if data, ok := incoming.Evidence[e.Digest]; ok {
				contents[e.Digest] = data
			}
		}
		return &checklist.ImportedAudit{Snapshot: res.Snapshot, CatalogueSource: current.CatalogueSource, Evidence: contents}, nil
	})
	switch {
	case errors.Is(err, errNothingToMerge):
		return res, nil
	case mergeErr != nil:
		return nil, fmt.Errorf("unione dell'audit %s: %w", id, mergeErr)
	case err != nil:
		return nil, err
	}
	return res, nil
}
