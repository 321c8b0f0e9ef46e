// Package server is cieaudit's SSH jump-host mode: one process that owns the
// database and lets auditors in over SSH, each session getting the TUI or
// running one CLI command.
//
// It is a top-level package, not part of tui, storage, checklist or export,
// because what it owns is none of presentation, persistence, domain or
// rendering: it owns network listening, authentication (public keys, the
// TOTP second factor, source allowlists), session limits and the life cycle
// of sessions from handshake to graceful shutdown. The TUI and the commands it
// serves are injected through Config, so the package depends on neither.
//
// Identity always comes from the key that actually authenticated: the
// offered key is only looked up, the verified one is re-checked against the
// users bucket in a session middleware (as soft-serve does), and the user
// name typed by the client is ignored.
package server
