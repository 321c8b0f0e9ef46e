// Package storage persists cieaudit's data in one bbolt file.
//
// API CONTRACT (bodies are being implemented; signatures are fixed — other
// packages build against them).
package storage

import (
	"errors"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// Errors callers can test with errors.Is.
var (
	ErrNotFound    = errors.New("non trovato")
	ErrLocked      = errors.New("database in uso da un altro processo")
	ErrAuditClosed = errors.New("audit chiuso: riaprirlo (con motivazione) per modificarlo")
)

var errNotImplemented = errors.New("not implemented yet")

// Options tune Open.
type Options struct {
	// Hold keeps the file open and locked for the life of the Store (the SSH
	// server). Otherwise the file is opened, locked and closed around every
	// transaction, so that the TUI in one terminal and the CLI in another can
	// share it.
	Hold bool
	// LockTimeout bounds the wait for the file lock (default 2s); past it
	// operations fail with ErrLocked.
	LockTimeout time.Duration
	// ReadOnly refuses every write (and opens with a shared lock).
	ReadOnly bool
	// Now is the clock used for timestamps (default time.Now).
	Now func() time.Time
}

// Store is the handle on one database file. It is safe for concurrent use.
type Store struct {
	path string
	opts Options
}

// AuditSummary is one row of the audit list.
type AuditSummary struct {
	ID        string
	Ente      string
	ISTAT     string
	Year      int
	Status    checklist.Status
	Catalogue string // id@version
	Progress  checklist.Progress
	UpdatedAt time.Time
}

// CatalogueInfo describes a stored catalogue snapshot.
type CatalogueInfo struct {
	ID, Version, Title, Digest string
	Items, Threats             int
	Builtin                    bool
}

// SaveResult is what SaveAnswer committed.
type SaveResult struct {
	Answer   checklist.Answer
	Previous *checklist.Answer // nil when the item had no answer
	// Conflict is true when the stored answer had changed since the caller
	// read it (its Rev differed from expectRev): the new answer still wins,
	// both are in the history, and the caller should tell its user.
	Conflict bool
}

// UIState is where a user left the TUI.
type UIState struct {
	Audit string `json:"audit"`
	Scope string `json:"scope"`
	Item  string `json:"item"`
}

// CheckReport is the result of Check (cieaudit doctor).
type CheckReport struct {
	Path          string
	SchemaVersion int
	SizeBytes     int64
	Audits        int
	Answers       int
	HistoryItems  int
	Catalogues    int
	Problems      []string
}

// Open opens (creating if needed) the database at path and migrates it to the
// current schema.
func Open(path string, opts Options) (*Store, error) { return nil, errNotImplemented }

// Close releases the file.
func (s *Store) Close() error { return nil }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// SaveCatalogue parses, validates and stores a catalogue snapshot under
// id@version; storing the same bytes again is a no-op, different bytes under
// an existing id@version are refused.
func (s *Store) SaveCatalogue(src []byte, filename string) (*checklist.Catalogue, error) {
	return nil, errNotImplemented
}

// Catalogue returns the stored catalogue "id@version".
func (s *Store) Catalogue(key string) (*checklist.Catalogue, error) { return nil, errNotImplemented }

// Catalogues lists the stored catalogues.
func (s *Store) Catalogues() ([]CatalogueInfo, error) { return nil, errNotImplemented }

// CreateAudit stores a new audit pinned to an already stored catalogue and
// returns it with its ID, status and timestamps set.
func (s *Store) CreateAudit(a checklist.Audit, author string) (checklist.Audit, error) {
	return checklist.Audit{}, errNotImplemented
}

// Audit returns one audit.
func (s *Store) Audit(id string) (checklist.Audit, error) { return checklist.Audit{}, errNotImplemented }

// ListAudits returns every audit with its progress, newest first.
func (s *Store) ListAudits() ([]AuditSummary, error) { return nil, errNotImplemented }

// UpdateAudit applies fn to the audit in one transaction and records what
// changed in the history. It refuses closed audits.
func (s *Store) UpdateAudit(id, author, reason string, fn func(*checklist.Audit) error) (checklist.Audit, error) {
	return checklist.Audit{}, errNotImplemented
}

// SetStatus moves an audit through bozza → in_corso → chiuso; closing stores
// the sign-off, reopening a closed audit needs a reason. Both go in the history.
func (s *Store) SetStatus(id string, st checklist.Status, author, reason string, signOff *checklist.SignOff) (checklist.Audit, error) {
	return checklist.Audit{}, errNotImplemented
}

// DeleteAudit removes an audit and everything under it.
func (s *Store) DeleteAudit(id, author string) error { return errNotImplemented }

// SaveAnswer validates and commits one answer in its own transaction before
// returning. expectRev is the Rev the caller last saw (-1: don't check).
func (s *Store) SaveAnswer(auditID string, a checklist.Answer, expectRev int) (SaveResult, error) {
	return SaveResult{}, errNotImplemented
}

// SaveNote changes only the note of an answer (creating an empty-valued
// answer if the item is not answered yet).
func (s *Store) SaveNote(auditID string, scope checklist.Scope, item, note, author string) (SaveResult, error) {
	return SaveResult{}, errNotImplemented
}

// Answers returns the current answers of an audit.
func (s *Store) Answers(auditID string) ([]checklist.Answer, error) { return nil, errNotImplemented }

// SaveEvaluation stores a section's "Valutazione" text at one scope.
func (s *Store) SaveEvaluation(auditID string, e checklist.Evaluation) error { return errNotImplemented }

// SaveActionPlan stores owner, due date and status of a remediation action.
func (s *Store) SaveActionPlan(auditID string, p checklist.ActionPlan, author string) error {
	return errNotImplemented
}

// SaveRiskOverride stores a per-audit probability/impact override of a threat.
func (s *Store) SaveRiskOverride(auditID string, o checklist.RiskOverride, author string) error {
	return errNotImplemented
}

// History returns an audit's append-only history, oldest first.
func (s *Store) History(auditID string) ([]checklist.Change, error) { return nil, errNotImplemented }

// Load returns everything about one audit, read in one transaction.
func (s *Store) Load(auditID string) (*checklist.Snapshot, error) { return nil, errNotImplemented }

// EachAudit calls fn with the snapshot of every audit, oldest first, each
// read in its own short transaction so that memory stays flat and writers
// are never blocked for long.
func (s *Store) EachAudit(fn func(*checklist.Snapshot) error) error { return errNotImplemented }

// SaveUIState remembers where user left the TUI.
func (s *Store) SaveUIState(user string, st UIState) error { return errNotImplemented }

// UIState returns where user left the TUI (zero value if never saved).
func (s *Store) UIState(user string) (UIState, error) { return UIState{}, errNotImplemented }

// Backup writes a consistent copy of the database to dst while it is in use.
func (s *Store) Backup(dst string) error { return errNotImplemented }

// Check verifies the file's integrity and counts what it holds.
func (s *Store) Check() (CheckReport, error) { return CheckReport{}, errNotImplemented }

// Event tells subscribers that an audit changed (after the commit).
type Event struct {
	AuditID string
	Kind    checklist.ChangeKind
	Scope   string
	Item    string
	Author  string
}

// Subscribe returns a channel of the changes committed through this Store
// (in this process), and a function to stop receiving. Slow subscribers miss
// events rather than block writers; an event means "reload", not a diff.
func (s *Store) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event)
	return ch, func() {}
}
