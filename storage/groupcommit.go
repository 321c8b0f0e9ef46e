package storage

import (
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Group commit on a held file. On the SSH jump host every session's saves
// are write transactions on the one held handle, and each commit costs two
// fsyncs: one transaction per save caps the whole server at the disk's
// fsync rate. Saves that arrive while a commit is under way are therefore
// committed together in the next transaction, each function run in order as
// if alone, and every caller returns only once the transaction holding its
// function is on disk: "Salvato" still means saved.
//
// There is no timer: a save that finds nothing in progress commits at once,
// so a lone auditor waits one commit, and under load a save waits at most
// for the commit in progress and then its own. The callers take turns as
// the one that runs a batch (the first caller of the batch leads it), so no
// caller waits for batches that do not hold its function.
//
// If a function fails, the batch's transaction is rolled back, the failure
// is returned to its caller, and the others run again in a new transaction:
// update's functions may run more than once, and must only assign, never
// accumulate, what they report (as with bbolt's DB.Batch).

// commitRequest is one caller's function waiting for a group commit.
type commitRequest struct {
	fn   func(*bolt.Tx) error
	done chan error    // the outcome, once the transaction is over
	lead chan struct{} // signalled when this caller is to run the next batch
}

// groupCommit queues the requests of a held Store.
type groupCommit struct {
	mu      sync.Mutex
	pending []*commitRequest
	leading bool // a caller is running a batch
}

// updateGrouped runs fn in a write transaction shared with the functions
// of concurrent callers, and returns what withDB would for fn alone.
func (s *Store) updateGrouped(fn func(*bolt.Tx) error) error {
	g := &s.group
	req := &commitRequest{fn: fn, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, req)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !lead {
		select {
		case err := <-req.done:
			return err
		case <-req.lead:
		}
	}
	// This caller runs every request queued so far, its own among them.
	g.mu.Lock()
	batch := g.pending
	g.pending = nil
	g.mu.Unlock()
	s.runBatch(batch)
	// Hand the next batch to the first caller waiting, if any.
	g.mu.Lock()
	if len(g.pending) > 0 {
		g.pending[0].lead <- struct{}{}
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return <-req.done
}

// runBatch commits the batch's functions in one transaction, in order.
func (s *Store) runBatch(batch []*commitRequest) {
	for len(batch) > 0 {
		failed := -1
		err := s.withDB(false, func(db *bolt.DB) error {
			return db.Update(func(tx *bolt.Tx) error {
				for i, r := range batch {
					if err := r.fn(tx); err != nil {
						failed = i
						return errFn{err}
					}
				}
				return nil
			})
		})
		if failed >= 0 {
			batch[failed].done <- err
			batch = slices.Delete(batch, failed, failed+1)
			continue
		}
		for _, r := range batch {
			r.done <- err
		}
		return
	}
}
