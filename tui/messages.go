package tui

import (
	"sync/atomic"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// ChangedMsg is sent by the SSH server when another session changed an
// audit: the TUI reloads it if it is open, keeping the cursor where it is.
type ChangedMsg struct {
	AuditID string
	Author  string
}

// ShutdownMsg tells the TUI that the server is shutting down: it shows a
// message and quits. Nothing is lost, since every change is already saved.
type ShutdownMsg struct{}

type statusKind int

const (
	statusInfo statusKind = iota
	statusOK
	statusError
)

// statusMsg sets the status line. seq is taken when the status is decided
// (in Update), so that statuses whose commands run out of order still show
// the latest one, and a status decided before the screen changed is dropped.
type statusMsg struct {
	text string
	kind statusKind
	seq  uint64
}

var statusCounter atomic.Uint64

func nextStatusSeq() uint64 { return statusCounter.Add(1) }

func setStatus(kind statusKind, text string) tea.Cmd {
	msg := statusMsg{text: text, kind: kind, seq: nextStatusSeq()}
	return func() tea.Msg { return msg }
}

// pushMsg opens a page on top of the current one.
type pushMsg struct{ page Component }

func push(p Component) tea.Cmd { return func() tea.Msg { return pushMsg{p} } }

// popMsg goes back to the previous page, showing status there if set.
type popMsg struct{ status *statusMsg }

func pop() tea.Msg { return popMsg{} }

// popWith goes back and says why on the previous page.
func popWith(kind statusKind, text string) tea.Cmd {
	return func() tea.Msg { return popMsg{status: &statusMsg{text: text, kind: kind}} }
}

// formMsg opens a huh form over the current page. submit runs when the form
// is completed and returns the command that saves what was entered.
type formMsg struct {
	title  string
	form   *huh.Form
	submit func() tea.Cmd
	// typed is set once the user has typed into the form, killAsked once
	// ctrl+c has asked whether to discard it.
	typed, killAsked bool
}

func openForm(title string, f *huh.Form, submit func() tea.Cmd) tea.Cmd {
	return func() tea.Msg { return formMsg{title: title, form: f, submit: submit} }
}

// auditsLoadedMsg carries the audit list.
type auditsLoadedMsg struct {
	audits []checklist.AuditSummary
	err    error
}

// openTarget says where to go once an audit is loaded.
type openTarget struct {
	scope string // "" stays on the overview
	item  string
}

// auditLoadedMsg carries an audit opened from the home page or at start.
type auditLoadedMsg struct {
	snap   *checklist.Snapshot
	target openTarget
	err    error
	id     string
}

// auditReloadedMsg carries a fresh snapshot of the open audit.
type auditReloadedMsg struct {
	snap   *checklist.Snapshot
	author string
	err    error
}

// answerSavedMsg reports the outcome of SaveAnswer or SaveNote.
type answerSavedMsg struct {
	audit  string
	ref    answerRef
	value  string
	noteOp bool
	// done, when set, is the status shown once the save has committed.
	done string
	// seq is the save's ticket in the Context's saveQueue.
	seq uint64
	res checklist.SaveResult
	err error
}

// evaluationSavedMsg reports the outcome of SaveEvaluation.
type evaluationSavedMsg struct {
	audit string
	eval  checklist.Evaluation
	err   error
}

// auditUpdatedMsg reports the outcome of UpdateAudit or SetStatus.
type auditUpdatedMsg struct {
	audit checklist.Audit
	done  string // status text on success
	err   error
}

// uiStateSavedMsg reports the outcome of SaveUIState; failures only matter
// enough to mention, never to interrupt.
type uiStateSavedMsg struct{ err error }

// idleMsg checks whether the session has been idle too long.
type idleMsg struct{}
