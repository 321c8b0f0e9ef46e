package tui

import (
	"fmt"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// saveQueue commits the saves of one TUI in the order the keys were
// pressed. Bubble Tea runs every tea.Cmd in its own goroutine, so two
// answers to the same item given in quick succession would otherwise race
// to the store and the first could commit last.
//
// Update (a single goroutine) enqueues each save synchronously; one worker
// goroutine, started when there is work and gone when there is none, runs
// them one after the other. The tea.Cmd only waits for its own result, so
// the screen never blocks, and a Cmd that Bubble Tea never runs (the program
// is quitting) cannot stall the saves queued after it.
type saveQueue struct {
	mu      sync.Mutex
	idle    sync.Cond // signalled when the worker runs out of jobs
	jobs    []saveJob
	running bool
	seq     uint64
	// failures counts the saves that did not commit, for the farewell.
	failures int
	// revs is the revision of each answer as this TUI last committed it;
	// touched only by the worker. A save queued while an earlier one to
	// the same answer was in flight expects that revision, not the one of
	// the snapshot it was typed against, which the earlier save is about
	// to replace.
	revs map[revKey]int
}

// revKey is one answer of one audit.
type revKey struct {
	audit string
	ref   answerRef
}

type saveJob struct {
	run  func(revs map[revKey]int) tea.Msg
	fail func(error) tea.Msg
	done chan tea.Msg
}

// enqueue queues fn and returns its ticket and the Cmd delivering its
// result. Call it from Update only.
// fail turns a panic of fn into its result.
func (q *saveQueue) enqueue(fn func(revs map[revKey]int) tea.Msg, fail func(error) tea.Msg) (uint64, tea.Cmd) {
	done := make(chan tea.Msg, 1)
	q.mu.Lock()
	q.seq++
	seq := q.seq
	q.jobs = append(q.jobs, saveJob{run: fn, fail: fail, done: done})
	if !q.running {
		q.running = true
		go q.work()
	}
	q.mu.Unlock()
	return seq, func() tea.Msg { return <-done }
}

func (q *saveQueue) work() {
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			q.idleCond().Broadcast()
			q.mu.Unlock()
			return
		}
		job := q.jobs[0]
		q.jobs[0] = saveJob{}
		q.jobs = q.jobs[1:]
		if q.revs == nil {
			q.revs = map[revKey]int{}
		}
		revs := q.revs
		q.mu.Unlock()
		msg := job.safeRun(revs)
		if saved, ok := msg.(answerSavedMsg); ok && saved.err != nil {
			q.mu.Lock()
			q.failures++
			q.mu.Unlock()
		}
		job.done <- msg
	}
}

// wait blocks until every queued save has committed or failed, and returns
// how many failed since the TUI started. Quitting waits for it: the store is
// closed once the program ends, and a save still queued then would be lost.
func (q *saveQueue) wait() (failures int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.running || len(q.jobs) > 0 {
		q.idleCond().Wait()
	}
	return q.failures
}

// idleCond is q.idle bound to q.mu; call it with q.mu held.
func (q *saveQueue) idleCond() *sync.Cond {
	if q.idle.L == nil {
		q.idle.L = &q.mu
	}
	return &q.idle
}

// safeRun runs the job; a panic becomes its failure, never the end of the
// process (on the SSH server it would end every session).
func (j saveJob) safeRun(revs map[revKey]int) (msg tea.Msg) {
	defer func() {
		if r := recover(); r != nil {
			msg = j.fail(fmt.Errorf("errore interno durante il salvataggio: %v", r))
		}
	}()
	return j.run(revs)
}

// WaitSaves blocks until every save the TUI queued has committed or failed.
// Call it after the program ends and before closing the store.
func (m *Model) WaitSaves() { m.ctx.saves().wait() }

// drainSaves waits, off the UI goroutine, for the queued saves, then quits
// with farewell, or with a warning when some save failed.
func (m *Model) drainSaves(farewell string) tea.Cmd {
	m.quitting = "Salvataggio delle ultime risposte in corso…"
	q := m.ctx.saves()
	return func() tea.Msg { return savesDrainedMsg{farewell: farewell, failures: q.wait()} }
}

// savesDrainedMsg says every queued save is done; the TUI can quit.
type savesDrainedMsg struct {
	farewell string
	failures int
}

// saves returns the context's save queue, creating it on first use.
func (c *Context) saves() *saveQueue {
	if c.saveQueue == nil {
		c.saveQueue = &saveQueue{}
	}
	return c.saveQueue
}
