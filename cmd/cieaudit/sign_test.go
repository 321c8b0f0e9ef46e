package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cieaudit/cieaudit/export"
)

// sshKeygen runs the stock OpenSSH ssh-keygen, failing the test on error.
func sshKeygen(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("ssh-keygen", args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// verifyBundle runs the Prefettura's check (docs/export.md) on a bundle
// folder: ssh-keygen -Y verify with an allowed_signers file for identity.
func verifyBundle(t *testing.T, dir, pubFile, identity string, sums []byte) (string, error) {
	t.Helper()
	pub, err := os.ReadFile(pubFile)
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(pub))
	allowed := filepath.Join(t.TempDir(), "allowed_signers")
	line := identity + ` namespaces="cieaudit" ` + fields[0] + " " + fields[1] + "\n"
	if err := os.WriteFile(allowed, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return sshKeygen(t, string(sums), "-Y", "verify", "-f", allowed, "-I", identity, "-n", "cieaudit", "-s", filepath.Join(dir, export.FileSignature))
}

// TestCLIExportSignedBundle: export --sign writes SHA256SUMS.sig that the
// stock ssh-keygen accepts for the signer and rejects for a modified
// SHA256SUMS, for every key type OpenSSH signs with, from a key file and
// from the SSH agent.
func TestCLIExportSignedBundle(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed (CI installs openssh-client)")
	}
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))

	for _, kind := range []string{"ed25519", "ecdsa", "rsa"} {
		t.Run(kind, func(t *testing.T) {
			key := filepath.Join(dir, "id_"+kind)
			if out, err := sshKeygen(t, "", "-q", "-t", kind, "-N", "", "-C", "firma", "-f", key); err != nil {
				t.Fatalf("ssh-keygen: %v\n%s", err, out)
			}
			out := filepath.Join(dir, "firmato-"+kind)
			r := runCLI(t, db, "export", id, "--out", out, "--sign", key)
			if r.Code != 0 {
				t.Fatalf("export --sign: exit %d stderr %q", r.Code, r.Stderr)
			}
			if !strings.HasSuffix(strings.TrimSpace(r.Stdout), export.FileSignature) {
				t.Fatalf("printed paths do not end with the signature:\n%s", r.Stdout)
			}
			sha256Check(t, out)
			sums, err := os.ReadFile(filepath.Join(out, export.FileSums))
			if err != nil {
				t.Fatal(err)
			}
			if msg, err := verifyBundle(t, out, key+".pub", "comune@example.it", sums); err != nil || !strings.Contains(msg, "Good") {
				t.Fatalf("ssh-keygen -Y verify refused the signature: %v\n%s", err, msg)
			}
			tampered := strings.Replace(string(sums), "  audit.json", "  audit.jsom", 1)
			if msg, err := verifyBundle(t, out, key+".pub", "comune@example.it", []byte(tampered)); err == nil {
				t.Fatalf("ssh-keygen -Y verify accepted a modified SHA256SUMS:\n%s", msg)
			}
			// A different key (another identity) does not verify.
			other := filepath.Join(dir, "altro_"+kind)
			sshKeygen(t, "", "-q", "-t", "ed25519", "-N", "", "-f", other)
			if msg, err := verifyBundle(t, out, other+".pub", "comune@example.it", sums); err == nil {
				t.Fatalf("ssh-keygen -Y verify accepted another key:\n%s", msg)
			}
		})
	}

	// The reader of the format agrees with ssh-keygen's own signature.
	key := filepath.Join(dir, "id_ed25519")
	sumsFile := filepath.Join(dir, "firmato-ed25519", export.FileSums)
	if out, err := sshKeygen(t, "", "-Y", "sign", "-q", "-f", key, "-n", "cieaudit", sumsFile); err != nil {
		t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, out)
	}
	theirs, _ := os.ReadFile(sumsFile + ".sig")
	sums, _ := os.ReadFile(sumsFile)
	if _, err := export.VerifySSH(theirs, export.SignatureNamespace, sums); err != nil {
		t.Fatalf("VerifySSH refused ssh-keygen's signature: %v", err)
	}
}

// TestCLIExportSignRefusals: what --sign refuses, before writing anything,
// without ever quoting the key file.
func TestCLIExportSignRefusals(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed")
	}
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	locked := filepath.Join(dir, "locked")
	sshKeygen(t, "", "-q", "-t", "ed25519", "-N", "segretissima", "-f", locked)
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("SEGRETO non una chiave\n"), 0o600)

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"not a key", []string{"--sign", junk}, 1, "non è una chiave privata OpenSSH"},
		{"missing", []string{"--sign", filepath.Join(dir, "nessuna")}, 1, "la chiave di firma"},
		{"a folder", []string{"--sign", dir}, 1, "la chiave di firma"},
		{"passphrase without terminal or agent", []string{"--sign", locked}, 1, "ssh-add"},
		{"tables only", []string{"--format", "csv", "--sign", junk}, 2, "--sign firma il fascicolo completo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
			cmd := exec.Command(buildBinary(t), append([]string{"--db", db, "export", id, "--out", out}, tc.args...)...)
			// No terminal and no agent: setsid detaches /dev/tty.
			cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=")
			cmd.SysProcAttr = detachedTTY()
			r := runProcess(t, cmd)
			if r.Code != tc.code || !strings.Contains(r.Stderr, tc.want) {
				t.Fatalf("exit %d stderr %q, want %d and %q", r.Code, r.Stderr, tc.code, tc.want)
			}
			if strings.Contains(r.Stderr, "SEGRETO") || strings.Contains(r.Stderr, "PRIVATE") {
				t.Fatalf("message quotes the key file: %q", r.Stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("a refused export wrote its destination")
			}
		})
	}
}

// TestCLIExportSignWithAgent: a passphrase-protected key is used through
// the SSH agent, by its private or its public file.
func TestCLIExportSignWithAgent(t *testing.T) {
	for _, tool := range []string{"ssh-keygen", "ssh-agent", "ssh-add"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	key := filepath.Join(dir, "locked")
	sshKeygen(t, "", "-q", "-t", "ed25519", "-N", "segretissima", "-f", key)

	sock := filepath.Join(dir, "agent.sock")
	agentCmd := exec.Command("ssh-agent", "-D", "-a", sock)
	stdout, _ := agentCmd.StdoutPipe()
	if err := agentCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agentCmd.Process.Kill(); agentCmd.Wait() })
	// ssh-agent -D prints its environment once the socket listens.
	if !bufio.NewScanner(stdout).Scan() {
		t.Fatal("ssh-agent did not start")
	}
	env := append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	add := exec.Command("ssh-add", key)
	add.Env = append(env, "SSH_ASKPASS_REQUIRE=force", "SSH_ASKPASS="+writeAskpass(t, dir, "segretissima"), "DISPLAY=:0")
	add.SysProcAttr = detachedTTY()
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v\n%s", err, out)
	}
	for _, file := range []string{key, key + ".pub"} {
		out := filepath.Join(dir, "firmato-"+filepath.Base(file))
		cmd := exec.Command(buildBinary(t), "--db", db, "export", id, "--out", out, "--sign", file)
		cmd.Env = env
		cmd.SysProcAttr = detachedTTY()
		if r := runProcess(t, cmd); r.Code != 0 {
			t.Fatalf("export --sign %s with the agent: exit %d stderr %q", file, r.Code, r.Stderr)
		}
		sums, _ := os.ReadFile(filepath.Join(out, export.FileSums))
		if msg, err := verifyBundle(t, out, key+".pub", "ufficio@comune.it", sums); err != nil {
			t.Fatalf("ssh-keygen -Y verify: %v\n%s", err, msg)
		}
	}
}

func writeAskpass(t *testing.T, dir, pass string) string {
	t.Helper()
	p := filepath.Join(dir, "askpass.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho '"+pass+"'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

// detachedTTY runs a child in its own session: it has no controlling
// terminal, as under cron or a pipeline, so /dev/tty cannot be opened.
func detachedTTY() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
