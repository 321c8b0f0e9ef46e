// Package storage persists cieaudit's data in one bbolt file.
//
// # Layout (schema version 4)
//
// Per-audit records use the binary record encoding of codec.go (its tag in
// brackets); other values are JSON unless stated otherwise; keys are plain
// bytes.
//
//	meta                      schema_version → uint32 big-endian
//	                          created_by     → program that created the file
//	                          created_at     → RFC 3339 time
//	catalogues                "id@version"   → catalogue YAML, byte for byte
//	catalogue_info            "id@version"   → {digest, filename, stored_at}
//	audits/<id>/              one nested bucket per audit:
//	    info                  key            → checklist.Audit (JSON)
//	    answers/              "scope\x00item"   → [a] checklist.Answer
//	    history/              uint64 BE seq  → [h] checklist.Change (append-only)
//	    evaluations/          "scope\x00section" → [e] checklist.Evaluation
//	    actions/              item           → [p] checklist.ActionPlan
//	    overrides/            threat         → [r] checklist.RiskOverride
//	    plan/                 "current"      → [n] checklist.Plan (cycle.go)
//	    baselines/            uint64 BE seq  → [b] checklist.Baseline
//	    operators/            op-N           → [o] checklist.Operator
//	    events/               ev-N           → [v] checklist.SecurityEvent
//	audit_index               id             → [2] what the audit list shows
//	uistate                   user           → UIState
//	deleted_audits            uint64 BE seq  → who deleted which audit, when
//
// The SSH users and the access log (users.go, accesslog.go) add buckets of
// their own through the same update and view helpers.
//
// Scopes are written in their textual form ("ente", "sede:NAME",
// "postazione:CODE"). The schema version covers every value; binary records
// carry a tag byte naming their type and layout. A format change is a
// migration, run at Open inside one write transaction (see migrate.go; the
// step to schema 4 also compacts the file, see migrate_v4.go).
//
// # Locking
//
// bbolt takes an exclusive flock on the file for a writable handle and a
// shared one for a read-only handle. By default a Store opens, locks and
// closes the file around every transaction, so a TUI in one terminal and the
// CLI in another can both use the same file; a writer waits at most
// Options.LockTimeout. With Options.Hold the file stays open for the life of
// the Store, which is what the SSH server does. docs/storage.md explains the
// choice.
package storage

import (
	"errors"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// Errors callers can test with errors.Is.
var (
	ErrNotFound    = errors.New("non trovato")
	ErrLocked      = errors.New("database in uso da un altro processo")
	ErrAuditClosed = errors.New("audit chiuso: riaprirlo (con motivazione) per modificarlo")
	// ErrCorrupt reports a file that is not a readable cieaudit database:
	// truncated, overwritten, or not a bbolt file at all.
	ErrCorrupt = errors.New("database danneggiato o non valido")
	// ErrSchemaTooNew reports a database written by a newer cieaudit.
	ErrSchemaTooNew = errors.New("database creato da una versione più recente di cieaudit")
	// ErrReadOnly reports a write attempted on a Store opened with ReadOnly.
	ErrReadOnly = errors.New("database aperto in sola lettura")
	// ErrClosed reports use of a Store after Close.
	ErrClosed = errors.New("database già chiuso")
)

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
	// NoSync skips the fsync of every commit. Only for throw-away files
	// that a program generates and can regenerate (benchmark databases): a
	// crash or power loss can then lose or corrupt committed data.
	NoSync bool
	// Now is the clock used for timestamps (default time.Now).
	Now func() time.Time
	// NoGroupCommit makes a held Store commit every write in its own
	// transaction, as the default mode does (benchmarks compare the two).
	NoGroupCommit bool

	// maxSize caps the file size (bbolt Options.MaxSize); tests use it to
	// make commits fail as on a full disk.
	maxSize int
}

// DefaultLockTimeout is the wait for the file lock when Options.LockTimeout
// is zero.
const DefaultLockTimeout = 2 * time.Second

// Store is the handle on one database file. It is safe for concurrent use.
type Store struct {
	path string
	opts Options

	// mu serialises this process's own transactions in the default mode:
	// two handles of one process on the same file would otherwise fight
	// over the flock like two processes do. In Hold mode it guards db.
	mu sync.RWMutex
	db *bolt.DB // Hold mode only
	// closed is set by Close; guarded by mu.
	closed bool
	// group coalesces the commits of a held file.
	group groupCommit

	subMu      sync.Mutex
	subs       map[int]chan Event
	next       int
	subsClosed bool // set by Close: later subscribers get a closed channel
}

// The records the store returns live in checklist, so that its readers
// (the TUI) depend on checklist types only.
type (
	AuditSummary  = checklist.AuditSummary
	CatalogueInfo = checklist.CatalogueInfo
	SaveResult    = checklist.SaveResult
	UIState       = checklist.UIState
	AccessEntry   = checklist.AccessEntry
)

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

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Event tells subscribers that an audit changed (after the commit).
type Event struct {
	AuditID string
	Kind    checklist.ChangeKind
	Scope   string
	Item    string
	Author  string
}
