package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sshFeeding runs a command over SSH with stdin as the session's input.
func sshFeeding(t *testing.T, p *serveProc, key sshKey, user string, stdin []byte, command ...string) cliResult {
	t.Helper()
	args := append(p.sshArgs(key), user+"@"+p.host, "--")
	cmd := exec.Command("ssh", append(args, command...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	return runProcess(t, cmd)
}

// TestServeE2EImport: an administrator recreates an exported audit on the
// jump host with ssh … import - < bundle.zip, through the real server and
// OpenSSH client; an auditor may not create it, a path of the server is refused, and
// the audit exported from the server afterwards is the bundle byte for byte.
func TestServeE2EImport(t *testing.T) {
	t.Parallel()
	s := newE2ESetup(t)
	id, zipPath, _ := demoWithEvidence(t, t.TempDir())
	bundle, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, s.db)
	// An auditor may merge a copy into an audit the server has, not create one.
	if r := sshFeeding(t, srv, s.auditor, "anna", bundle, "import", "-"); r.Code != 1 || !strings.Contains(r.Stderr, "richiede il ruolo amministratore") {
		t.Fatalf("auditor import: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if r := sshFeeding(t, srv, s.admin, "admin", nil, "import", zipPath); r.Code != 2 || !strings.Contains(r.Stderr, "standard input") {
		t.Fatalf("import of a server path: exit %d, stderr %q", r.Code, r.Stderr)
	}
	r := sshFeeding(t, srv, s.admin, "admin", bundle, "import", "-")
	if r.Code != 0 || !strings.Contains(r.Stdout, "Importato l'audit "+id) {
		t.Fatalf("admin import: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	if r := sshFeeding(t, srv, s.admin, "admin", bundle, "import", "-"); r.Code != 1 || !strings.Contains(r.Stderr, "--merge") {
		t.Fatalf("second import: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exit %d:\n%s", code, srv.output())
	}
	again := filepath.Join(t.TempDir(), "dal-server.zip")
	mustRun(t, s.db, "export", id, "--zip", "--out", again)
	got, err := os.ReadFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bundle) {
		t.Fatal("the audit imported over SSH does not export to the same bundle")
	}
}
