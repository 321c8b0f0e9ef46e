package tui

import "github.com/cieaudit/cieaudit/checklist"

// Store is what the TUI needs from the database, in checklist types only, so
// that the TUI does not depend on bbolt. *storage.Store satisfies it (see
// helpers_test.go);
// the TUI calls it only from tea.Cmds and the save queue's worker
// (saveseq.go), never from Update or View, so a slow disk never freezes the
// screen.
type Store interface {
	ListAudits() ([]checklist.AuditSummary, error)
	Load(auditID string) (*checklist.Snapshot, error)
	Catalogues() ([]checklist.CatalogueInfo, error)
	EnsureBuiltin() (*checklist.Catalogue, error)
	CreateAudit(a checklist.Audit, author string) (checklist.Audit, error)
	UpdateAudit(id, author, reason string, fn func(*checklist.Audit) error) (checklist.Audit, error)
	// EditAudit is UpdateAudit and a change of the stemma in one
	// transaction (the ente form).
	EditAudit(auditID, author string, fn func(*checklist.Audit) error, logo checklist.LogoChange) (checklist.Audit, error)
	SetStatus(id string, st checklist.Status, author, reason string, signOff *checklist.SignOff) (checklist.Audit, error)
	RenameScope(id string, from checklist.Scope, newName, author string) (checklist.Audit, error)
	RemoveScope(id string, sc checklist.Scope, author string, confirmed bool) (checklist.Audit, int, error)
	SaveAnswer(auditID string, a checklist.Answer, expectRev int) (checklist.SaveResult, error)
	SaveValue(auditID string, a checklist.Answer, expectRev int) (checklist.SaveResult, error)
	SaveNote(auditID string, scope checklist.Scope, item, note, author string) (checklist.SaveResult, error)
	// SaveAnswers commits a copy or a bulk answer in one transaction, with
	// reason in the history of each change.
	SaveAnswers(auditID string, answers []checklist.Answer, reason string, onlyUnanswered bool) ([]checklist.SaveResult, error)
	SaveEvaluation(auditID string, e checklist.Evaluation) error
	SaveActionPlan(auditID string, p checklist.ActionPlan, author string) error
	SaveRiskOverride(auditID string, o checklist.RiskOverride, author string) error
	UIState(user string) (checklist.UIState, error)
	SaveUIState(user string, st checklist.UIState) error
	// AccessLog returns the last limit entries of the SSH access log,
	// oldest first (all of them when limit <= 0).
	AccessLog(limit int) ([]checklist.AccessEntry, error)
	// The yearly cycle (plan, operators, events): see cycle.go.
	CycleStore
	// Next year's audit from this year's (carry.go): the plan to show,
	// then the creation in one transaction.
	// LoadChain is Load with the audit's predecessors, for the report.
	LoadChain(auditID string, depth int) (*checklist.Snapshot, error)
	PlanCarry(prevID, catalogue string, req checklist.CarryRequest) (checklist.CarryPlan, error)
	CreateCarried(prevID, catalogue string, req checklist.CarryRequest, author string) (checklist.Audit, checklist.UpgradeReport, error)
	// EvidenceContents returns the contents of the audit's evidence files
	// by SHA-256, for the bundle's evidenze/ folder.
	EvidenceContents(auditID string) (map[string][]byte, error)
	// AddEvidence attaches a file's content to item at scope
	// (checklist.NewEvidence checks it inside the transaction);
	// RemoveEvidence detaches one, the history keeping what it was.
	AddEvidence(auditID string, scope checklist.Scope, item, name, note string, data []byte, author string) (checklist.Evidence, error)
	RemoveEvidence(auditID, id, author string) (checklist.Evidence, error)
}
