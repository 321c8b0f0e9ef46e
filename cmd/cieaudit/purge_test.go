package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIPurge: purging an ente removes its audits, answers, evidence and
// events, and rewrites the file: a unique note string, a unique evidence
// content and the ente's name are absent from the raw database file
// afterwards, while the other ente's data stays.
func TestCLIPurge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	gone := newAuditWithWorkstation(t, db) // Comune di Prova, 054001
	kept := strings.TrimSpace(mustRun(t, db, "audit", "new", "--ente", "Comune di Resta", "--istat", "054002", "--year", "2026", "--auditor", "Bianchi"))
	const note = "NOTA-UNICA-7f3a9c-da-cancellare"
	const content = "CONTENUTO-UNICO-b41e7d dell'allegato\n"
	mustRun(t, db, "answer", gone, "--scope", "ente", "--item", "ORG-01", "--value", "no", "--note", note)
	mustRunInput(t, db, content, "evidence", "add", gone, "--scope", "ente", "--item", "ORG-01", "--name", "verbale.txt", "-")
	mustRun(t, db, "event", "add", gone, "--at", "2026-03-01", "--description", "EVENTO-UNICO-99")
	// The answer changed again: the first note stays in freed pages
	// until the file is rewritten.
	mustRun(t, db, "answer", gone, "--scope", "ente", "--item", "ORG-01", "--value", "si", "--note", note+" bis")
	mustRun(t, db, "answer", kept, "--scope", "ente", "--item", "ORG-01", "--value", "si", "--note", "NOTA-CHE-RESTA")
	backup := db + ".prima-della-purge.bak"
	mustRun(t, db, "backup", backup)

	raw, _ := os.ReadFile(db)
	if !bytes.Contains(raw, []byte(note)) {
		t.Fatal("the note is not in the file before the purge: the test proves nothing")
	}

	if r := runCLI(t, db, "purge", "--istat", "054001"); r.Code != 2 || !strings.Contains(r.Stderr, "--yes") {
		t.Fatalf("purge without --yes: %+v", r)
	}
	if r := runCLI(t, db, "purge", "--istat", "999999", "--yes"); r.Code != 1 || !strings.Contains(r.Stderr, "nessun audit") {
		t.Fatalf("purge of an unknown ente: %+v", r)
	}
	out := mustRun(t, db, "purge", "--istat", "054001", "--yes")
	if !strings.Contains(out, "1 audit") || !strings.Contains(out, "1 allegati") || !strings.Contains(out, backup) {
		t.Fatalf("purge report:\n%s", out)
	}

	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{note, "CONTENUTO-UNICO-b41e7d", "EVENTO-UNICO-99", "Comune di Prova", gone} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("%q is still in the raw database file after the purge", s)
		}
	}
	if !bytes.Contains(raw, []byte("NOTA-CHE-RESTA")) {
		t.Error("the other ente's note went too")
	}
	if list := mustRun(t, db, "audit", "list"); strings.Contains(list, gone) || !strings.Contains(list, kept) {
		t.Fatalf("audit list after the purge:\n%s", list)
	}
	// The purge is recorded with counts, and the file is sound.
	if !bytes.Contains(raw, []byte(`"istat":"054001"`)) || !bytes.Contains(raw, []byte(`"audits":1`)) {
		t.Error("the purge left no record of who purged what")
	}
	mustRun(t, db, "doctor")
	if c, _ := os.ReadFile(backup); !bytes.Contains(c, []byte(note)) {
		t.Error("the backup was expected to still hold the data (and be named)")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}
