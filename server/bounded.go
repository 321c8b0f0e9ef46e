package server

import (
	"context"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	bm "charm.land/wish/v2/bubbletea"
)

// Largest terminal a session is drawn for. A client states its size as two
// 32-bit numbers in the pty request and in every window change, and can
// also report it in band (the CSI 8 and CSI 48 window reports, which Bubble
// Tea turns into a tea.WindowSizeMsg); the renderer allocates a cell buffer
// of width×height, so 65535×65535 meant gigabytes and 2³¹−1×2³¹−1 an
// immediate out-of-memory crash of the whole server. (Bubble Tea v2.1 drops
// a size over 4096 or 2²⁰ cells arriving as a message, but still allocates
// an initial size as given, and 2²⁰ cells are about 200 MB.) Every size is clamped
// to these before anything is allocated: a larger terminal gets a working
// session drawn in its top-left MaxTermWidth×MaxTermHeight cells.
// docs/jump-host.md gives the memory this bounds.
const (
	MaxTermWidth  = 300
	MaxTermHeight = 100
)

// clampWindow limits a terminal size to MaxTermWidth×MaxTermHeight (and
// the pixel sizes, which nothing here uses, to 16 bits).
func clampWindow(w ssh.Window) ssh.Window {
	w.Width = min(max(w.Width, 0), MaxTermWidth)
	w.Height = min(max(w.Height, 0), MaxTermHeight)
	w.WidthPixels = min(max(w.WidthPixels, 0), 1<<16-1)
	w.HeightPixels = min(max(w.HeightPixels, 0), 1<<16-1)
	return w
}

// boundedSession is the ssh.Session every handler sees: its terminal size
// and window changes are clamped, and its Context ends with the session
// rather than with the connection (a client multiplexing sessions over one
// connection, such as OpenSSH's ControlMaster, would otherwise keep every
// ended session's goroutines waiting on it until it disconnects).
type boundedSession struct {
	ssh.Session
	ctx   sessionContext
	winch <-chan ssh.Window
}

// sessionContext is the connection's context, cancelled early when the
// session ends.
type sessionContext struct {
	ssh.Context
	done context.Context
}

func (c sessionContext) Done() <-chan struct{} { return c.done.Done() }
func (c sessionContext) Err() error            { return c.done.Err() }

// bound wraps sess; end must be called when the session's handler
// returns.
func bound(sess ssh.Session) (b *boundedSession, end func()) {
	done, cancel := context.WithCancel(sess.Context())
	b = &boundedSession{Session: sess, ctx: sessionContext{Context: sess.Context(), done: done}}
	if _, in, ok := sess.Pty(); ok && in != nil {
		out := make(chan ssh.Window)
		b.winch = out
		go forwardWindows(done, in, out)
	}
	return b, cancel
}

// forwardWindows passes window changes on, clamped, until the session ends.
// out is never closed: a reader would take the zero value of a closed
// channel for a window change.
func forwardWindows(ctx context.Context, in <-chan ssh.Window, out chan<- ssh.Window) {
	for {
		select {
		case <-ctx.Done():
			return
		case w, ok := <-in:
			if !ok {
				return
			}
			select {
			case out <- clampWindow(w):
			case <-ctx.Done():
				return
			}
		}
	}
}

func (b *boundedSession) Context() ssh.Context { return b.ctx }

func (b *boundedSession) Pty() (ssh.Pty, <-chan ssh.Window, bool) {
	pty, _, ok := b.Session.Pty()
	pty.Window = clampWindow(pty.Window)
	return pty, b.winch, ok
}

// programOptions are the options of a session's tea.Program: wish's input,
// output, environment and (clamped) initial size, no signal handler of its
// own, a filter that clamps every later size whatever its source, and the
// frame rate (fps, 0 for Bubble Tea's 60).
func programOptions(sess *boundedSession, fps int) []tea.ProgramOption {
	opts := append(bm.MakeOptions(sess), tea.WithoutSignalHandler(), tea.WithFilter(filterMsg))
	if fps > 0 {
		opts = append(opts, tea.WithFPS(fps))
	}
	return opts
}

// filterMsg replaces wish's filter (a program takes only one): a suspend
// request resumes at once, as there is no shell to return to, and a window
// size, from a window change or reported in band by the terminal, is
// clamped.
func filterMsg(_ tea.Model, msg tea.Msg) tea.Msg {
	switch msg := msg.(type) {
	case tea.SuspendMsg:
		return tea.ResumeMsg{}
	case tea.WindowSizeMsg:
		w := clampWindow(ssh.Window{Width: msg.Width, Height: msg.Height})
		return tea.WindowSizeMsg{Width: w.Width, Height: w.Height}
	}
	return msg
}
