// Package checklist is the audit domain of cieaudit: what is asked (the
// catalogue of measures and the threats they counter), what was answered (the
// audit of one ente, its sedi and postazioni), and what the answers mean
// (progress, compliance and the risk picture).
//
// The package does no I/O beyond parsing catalogue bytes handed to it: storage
// persists these types, tui presents them, export renders them.
package checklist
