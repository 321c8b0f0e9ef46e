package tui

import (
	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// Store is what the TUI needs from the database. *storage.Store satisfies it;
// the TUI calls it only from tea.Cmds and the save queue's worker
// (saveseq.go), never from Update or View, so a slow disk never freezes the
// screen.
type Store interface {
	ListAudits() ([]storage.AuditSummary, error)
	Load(auditID string) (*checklist.Snapshot, error)
	Catalogues() ([]storage.CatalogueInfo, error)
	EnsureBuiltin() (*checklist.Catalogue, error)
	CreateAudit(a checklist.Audit, author string) (checklist.Audit, error)
	UpdateAudit(id, author, reason string, fn func(*checklist.Audit) error) (checklist.Audit, error)
	SetStatus(id string, st checklist.Status, author, reason string, signOff *checklist.SignOff) (checklist.Audit, error)
	SaveAnswer(auditID string, a checklist.Answer, expectRev int) (storage.SaveResult, error)
	SaveValue(auditID string, a checklist.Answer, expectRev int) (storage.SaveResult, error)
	SaveNote(auditID string, scope checklist.Scope, item, note, author string) (storage.SaveResult, error)
	SaveEvaluation(auditID string, e checklist.Evaluation) error
	SaveActionPlan(auditID string, p checklist.ActionPlan, author string) error
	UIState(user string) (storage.UIState, error)
	SaveUIState(user string, st storage.UIState) error
	// AccessLog returns the last limit entries of the SSH access log,
	// oldest first (all of them when limit <= 0).
	AccessLog(limit int) ([]storage.AccessEntry, error)
}

var _ Store = (*storage.Store)(nil)
