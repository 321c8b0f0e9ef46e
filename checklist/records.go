package checklist

import "time"

// The records below are what the store returns besides audits. They are
// defined here, not in storage, so that the TUI and the exports depend on
// checklist types only (storage aliases them).

// AuditSummary is one row of the audit list.
type AuditSummary struct {
	ID        string
	Ente      string
	ISTAT     string
	Year      int
	Status    Status
	Catalogue string // id@version
	Progress  Progress
	UpdatedAt time.Time
}

// CatalogueInfo describes a stored catalogue snapshot.
type CatalogueInfo struct {
	ID, Version, Title, Digest string
	Items, Threats             int
	// Builtin marks a version embedded in the binary, Current the one new
	// audits are pinned to by default.
	Builtin, Current bool
}

// SaveResult is what saving an answer committed.
type SaveResult struct {
	Answer   Answer
	Previous *Answer // nil when the item had no answer
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

// AccessEntry is one line of the jump host's access log: a session that was
// let in, or an attempt that was refused and why.
type AccessEntry struct {
	Seq uint64    `json:"seq"`
	At  time.Time `json:"at"`
	// User is empty when the key did not match anyone.
	User        string `json:"user,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Remote      string `json:"remote"`
	Accepted    bool   `json:"accepted"`
	// Reason says, in Italian, why an attempt was refused.
	Reason string `json:"reason,omitempty"`
	// Session is "tui" for an interactive session, else the command run.
	Session string `json:"session,omitempty"`
	// Ended is set when an accepted session ends.
	Ended           time.Time `json:"ended,omitzero"`
	DurationSeconds float64   `json:"duration_seconds,omitempty"`
}

// Clean returns the entry with every field an SSH client could choose made
// safe to show on a terminal (CleanText). The store keeps entries cleaned;
// readers clean again what they show, for entries written before.
func (e AccessEntry) Clean() AccessEntry {
	for _, f := range []*string{&e.Session, &e.Reason, &e.Remote, &e.User, &e.Fingerprint} {
		*f = CleanText(*f, false)
	}
	return e
}
