package server

import (
	"sync"

	tea "charm.land/bubbletea/v2"
)

// programs is the set of running TUIs, so that a change committed by one
// session, or the server's shutdown, reaches all of them.
type programs struct {
	mu  sync.Mutex
	set map[*tea.Program]struct{}
}

func newPrograms() *programs { return &programs{set: map[*tea.Program]struct{}{}} }

func (p *programs) add(prog *tea.Program) {
	p.mu.Lock()
	p.set[prog] = struct{}{}
	p.mu.Unlock()
}

func (p *programs) remove(prog *tea.Program) {
	p.mu.Lock()
	delete(p.set, prog)
	p.mu.Unlock()
}

func (p *programs) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.set)
}

// broadcast sends msg to every program without waiting: Send blocks until
// the program's loop takes the message, and one busy or dying session must
// not hold up the others (Send returns once a program has ended).
func (p *programs) broadcast(msg tea.Msg) {
	if msg == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for prog := range p.set {
		go prog.Send(msg)
	}
}
