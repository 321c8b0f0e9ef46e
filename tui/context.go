package tui

import (
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// Component is one page of the TUI. Pages keep their own cursor and draw
// themselves in the size the root gives them; everything they share lives in
// the Context.
type Component interface {
	Init() tea.Cmd
	Update(tea.Msg) (Component, tea.Cmd)
	View() string
	SetSize(w, h int)
	// Title is the page's part of the breadcrumb in the header.
	Title() string
	help.KeyMap
}

// Context is what every page shares: the window, styles and keys, the store
// and who is working, the clock, and the audit being worked on.
type Context struct {
	Width, Height int
	Styles        Styles
	Keys          Keys
	Store         Store
	User          string
	Role          checklist.Role
	Now           func() time.Time
	CreateDemo    func() (string, error)
	// Audit is the open audit, nil on the home page.
	Audit *auditSession

	// exportBase is the folder exports go under by default (userExportBase;
	// tests point it at a temporary folder); unused with exportRoot.
	exportBase string
	// exportRoot, when set, is the only folder exports may be written
	// into (Options.ExportRoot).
	exportRoot string
	// remote is set over SSH (Options.SSHAddr, Options.ExportRoot): paths
	// typed in the TUI would name the server's files. sshAddr is the
	// address the client connected to, for the commands the TUI suggests.
	remote  bool
	sshAddr string
	// workDir and homeDir resolve the paths of files to attach (local
	// sessions only): relative to the working directory, ~ the home.
	workDir, homeDir string
	// saveQueue commits answers and notes in the order they were given.
	saveQueue *saveQueue
}

// editRefusal says why the user may not change the open audit, or "" when
// they may.
func (c *Context) editRefusal() string {
	if !c.Role.CanEdit() {
		return "Sola lettura: il ruolo «" + c.Role.Label() + "» non può modificare l'audit"
	}
	if c.Audit != nil && c.Audit.snap.Audit.Status == checklist.StatusClosed {
		return "Audit chiuso, in sola lettura: riaprirlo dalla panoramica (c, poi R)"
	}
	return ""
}

// answerRef identifies one answer of the open audit.
type answerRef struct {
	scope checklist.Scope
	item  string
}

// auditSession is the open audit as the pages see it. Saves patch it in place
// once the store has committed, so that the screen always shows what is on
// disk; values typed but not (yet) committed are kept apart.
type auditSession struct {
	snap *checklist.Snapshot
	// version grows with every change so pages know when to rebuild rows.
	version int
	// pending holds the values sent to the store and not yet committed.
	pending map[answerRef]string
	// failed holds the values whose save failed: shown as not saved.
	failed map[answerRef]string
	// lastSent is the ticket of the newest save queued for an answer,
	// lastApplied that of the newest whose result has been applied: saves
	// commit in ticket order, but their results may reach Update in any
	// order, and an older one must not overwrite a newer one.
	lastSent, lastApplied map[answerRef]uint64
	// undo lists this session's changes, newest last (walk.go).
	undo []undoStep
	// stamp is the audit's last change as the screen shows it (refresh.go).
	stamp time.Time
}

func newAuditSession(snap *checklist.Snapshot) *auditSession {
	return &auditSession{snap: snap, stamp: snap.Audit.UpdatedAt, pending: map[answerRef]string{}, failed: map[answerRef]string{},
		lastSent: map[answerRef]uint64{}, lastApplied: map[answerRef]uint64{}}
}

func (s *auditSession) id() string { return s.snap.Audit.ID }

// applyAnswer records a committed answer in the snapshot.
func (s *auditSession) applyAnswer(a checklist.Answer) {
	ref := answerRef{a.Scope, a.Item}
	delete(s.pending, ref)
	delete(s.failed, ref)
	for i := range s.snap.Answers {
		if s.snap.Answers[i].Scope == a.Scope && s.snap.Answers[i].Item == a.Item {
			s.snap.Answers[i] = a
			s.snap.Reindex()
			s.version++
			return
		}
	}
	s.snap.Answers = append(s.snap.Answers, a)
	s.snap.Reindex()
	s.version++
}

// applyEvaluation records a committed section evaluation.
func (s *auditSession) applyEvaluation(e checklist.Evaluation) {
	for i := range s.snap.Evaluations {
		if s.snap.Evaluations[i].Scope == e.Scope && s.snap.Evaluations[i].Section == e.Section {
			s.snap.Evaluations[i] = e
			s.version++
			return
		}
	}
	s.snap.Evaluations = append(s.snap.Evaluations, e)
	s.version++
}

// evaluation returns the "Valutazione" of a section at a scope.
func (s *auditSession) evaluation(scope checklist.Scope, section string) (checklist.Evaluation, bool) {
	for _, e := range s.snap.Evaluations {
		if e.Scope == scope && e.Section == section {
			return e, true
		}
	}
	return checklist.Evaluation{}, false
}

// replace swaps in a freshly loaded snapshot, keeping values still in flight.
func (s *auditSession) replace(snap *checklist.Snapshot) {
	s.snap = snap
	s.seen(snap.Audit.UpdatedAt)
	s.version++
}
