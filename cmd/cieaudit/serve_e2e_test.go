package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	gossh "golang.org/x/crypto/ssh"

	"github.com/cieaudit/cieaudit/checklist"
)

// These tests drive the real binary with the real OpenSSH client, as users
// do; tmux stands in for the auditor's terminal.

func requireTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (CI installs openssh-client and tmux): %v", tool, err)
		}
	}
}

// sshKey is a client key pair made with ssh-keygen.
type sshKey struct {
	path string // private key
	pub  string // authorized_keys line
}

func newSSHKey(t testing.TB, dir, name string) sshKey {
	t.Helper()
	path := filepath.Join(dir, name)
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name+"@collaudo", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return sshKey{path: path, pub: strings.TrimSpace(string(pub))}
}

// serveProc is a running cieaudit serve.
type serveProc struct {
	cmd    *exec.Cmd
	addr   string
	host   string
	port   string
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan error
}

func (p *serveProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.String() + p.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

var listenLine = regexp.MustCompile(`in ascolto su (127\.0\.0\.1:(\d+))`)

// startServe starts cieaudit serve on a free loopback port and waits until
// it listens. The test's cleanup stops it if the test did not.
func startServe(t testing.TB, db string, extra ...string) *serveProc {
	t.Helper()
	bin := buildBinary(t)
	// Tests connect many times a second from one address: lift the per-IP
	// rate limit (it has its own unit test in package server).
	args := append([]string{"--db", db, "serve", "--listen", "127.0.0.1:0", "--conn-burst", "1000",
		"--host-key", filepath.Join(filepath.Dir(db), "host_key")}, extra...)
	p := &serveProc{cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), "CIEAUDIT_USER=server", "CIEAUDIT_DB=", "NO_COLOR=1")
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.stderr}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stdout.WriteString(line + "\n")
			p.mu.Unlock()
			if m := listenLine.FindStringSubmatch(line); m != nil {
				found <- m[1]
			}
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				p.cmd.Process.Kill()
			}
		}
	})
	select {
	case p.addr = <-found:
		p.host, p.port, _ = strings.Cut(p.addr, ":")
	case err := <-p.done:
		t.Fatalf("serve exited before listening: %v\n%s", err, p.output())
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not start listening:\n%s", p.output())
	}
	return p
}

// stop sends SIGTERM and returns the exit code.
func (p *serveProc) stop(t testing.TB) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		t.Fatalf("serve did not stop after SIGTERM:\n%s", p.output())
	}
	return p.cmd.ProcessState.ExitCode()
}

func (p *serveProc) sshArgs(key sshKey, extraOpts ...string) []string {
	args := []string{
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
		"-p", p.port, "-i", key.path,
	}
	if len(extraOpts) == 0 {
		extraOpts = []string{"-o", "BatchMode=yes", "-o", "PreferredAuthentications=publickey"}
	}
	return append(args, extraOpts...)
}

// ssh runs a command over SSH (no terminal), as the given key's owner,
// typing user as the SSH user name.
func (p *serveProc) ssh(t testing.TB, key sshKey, user string, command ...string) cliResult {
	t.Helper()
	return p.sshWith(t, key, user, nil, nil, command...)
}

func (p *serveProc) sshWith(t testing.TB, key sshKey, user string, opts, env []string, command ...string) cliResult {
	t.Helper()
	args := append(p.sshArgs(key, opts...), user+"@"+p.host, "--")
	args = append(args, command...)
	cmd := exec.Command("ssh", args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("")
	return runProcess(t, cmd)
}

// accessLog reads the access log through the server, as an admin.
func (p *serveProc) accessLog(t *testing.T, admin sshKey) []accessEntryJSON {
	t.Helper()
	r := p.ssh(t, admin, "admin", "log", "--json")
	if r.Code != 0 {
		t.Fatalf("log --json over ssh: exit %d: %s", r.Code, r.Stderr)
	}
	validateJSONOutput(t, "access-log", r.Stdout)
	var doc struct {
		Entries []accessEntryJSON `json:"entries"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("log --json: %v\n%s", err, r.Stdout)
	}
	return doc.Entries
}

type accessEntryJSON struct {
	User        string  `json:"user"`
	Fingerprint string  `json:"fingerprint"`
	Remote      string  `json:"remote"`
	Accepted    bool    `json:"accepted"`
	Reason      string  `json:"reason"`
	Session     string  `json:"session"`
	Duration    float64 `json:"duration_seconds"`
}

// waitRefusal polls the access log until a refusal whose reason contains
// want appears: the server writes it when it sees the client go.
func (p *serveProc) waitRefusal(t *testing.T, admin sshKey, want string) accessEntryJSON {
	t.Helper()
	deadline := time.Now().Add(minScreenWait)
	for {
		entries := p.accessLog(t, admin)
		for _, e := range entries {
			if !e.Accepted && strings.Contains(e.Reason, want) {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no refusal %q in the access log: %+v", want, entries)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func fingerprint(t *testing.T, key sshKey) string {
	t.Helper()
	out, err := exec.Command("ssh-keygen", "-l", "-E", "sha256", "-f", key.path+".pub").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))[1]
}

// e2eSetup is a database with one audit and users of every role, made with
// the local CLI before the server starts (the server then owns the file).
type e2eSetup struct {
	dir, db, audit              string
	admin, auditor, viewer, bob sshKey
}

func newE2ESetup(t *testing.T) *e2eSetup {
	t.Helper()
	requireTools(t, "ssh", "ssh-keygen")
	dir := t.TempDir()
	s := &e2eSetup{dir: dir, db: filepath.Join(dir, "cieaudit.db")}
	s.audit = newAuditWithWorkstation(t, s.db)
	s.admin = newSSHKey(t, dir, "admin")
	s.auditor = newSSHKey(t, dir, "auditor")
	s.viewer = newSSHKey(t, dir, "viewer")
	s.bob = newSSHKey(t, dir, "bob")
	mustRun(t, s.db, "user", "add", "amministratore", "--role", "admin", "--key", s.admin.pub)
	mustRun(t, s.db, "user", "add", "anna", "--role", "auditor", "--key-file", s.auditor.path+".pub")
	mustRun(t, s.db, "user", "add", "vera", "--role", "viewer", "--key", s.viewer.pub, "--allow-from", "127.0.0.0/8,10.0.0.0/8")
	return s
}

// firstItem returns an outcome item of the audit's catalogue applicable to
// the ente scope, read from "catalog export" (the machine-readable list of
// measures) of every stored catalogue until one is accepted by the audit.
func firstItem(t *testing.T, db, audit string) string {
	t.Helper()
	for _, line := range strings.Split(mustRun(t, db, "catalog", "list"), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.Contains(f[0], "@") {
			continue
		}
		rows, err := csv.NewReader(strings.NewReader(mustRun(t, db, "catalog", "export", f[0], "--csv", "rfc4180"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			// item_id, scope, answer_kind
			if r[8] == "ente" && r[17] == "esito" {
				if res := runCLI(t, db, "answer", audit, "--scope", "ente", "--item", r[3], "--value", "parziale"); res.Code == 0 {
					return r[3]
				}
			}
		}
	}
	t.Fatal("no answerable ente item found in the stored catalogues")
	return ""
}

func TestServeE2ECommandsAndRoles(t *testing.T) {
	t.Parallel()
	s := newE2ESetup(t)
	item := firstItem(t, s.db, s.audit)
	local := mustRun(t, s.db, "export", "--all", "--format", "csv", "--out", "-")
	srv := startServe(t, s.db)

	t.Run("audit list as viewer", func(t *testing.T) {
		r := srv.ssh(t, s.viewer, "qualsiasi", "audit", "list", "--json")
		if r.Code != 0 || !strings.Contains(r.Stdout, s.audit) {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
		}
	})
	t.Run("export over ssh equals the local export", func(t *testing.T) {
		r := srv.ssh(t, s.viewer, "vera", "export", "--all", "--format", "csv")
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Stderr)
		}
		if r.Stdout != local {
			t.Fatalf("ssh export differs from local export:\nssh:   %q\nlocal: %q", head(r.Stdout), head(local))
		}
	})
	t.Run("viewer cannot answer", func(t *testing.T) {
		r := srv.ssh(t, s.viewer, "vera", "answer", s.audit, "--scope", "ente", "--item", item, "--value", "no")
		if r.Code == 0 || !strings.Contains(r.Stderr, "serve il ruolo auditor") {
			t.Fatalf("exit %d, stderr %q", r.Code, r.Stderr)
		}
	})
	t.Run("viewer cannot smuggle a command behind a flag", func(t *testing.T) {
		// Payloads found in review: the policy once read a flag's value as
		// the command while cobra ran the words after it. Now cobra's own
		// parse of the viewer's tree is the check.
		for _, tc := range []struct {
			args []string
			why  string
		}{
			{[]string{"--role", "risk", "user", "add", "eve", "--role", "admin", "--key", "'" + s.bob.pub + "'"}, `il ruolo lettore non consente "user add"`},
			{[]string{"--scope", "risk", "answer", s.audit, "--scope", "ente", "--item", item, "--value", "no"}, `il ruolo lettore non consente "answer"`},
			{[]string{"--audit", "help", "--audit="}, "opzione sconosciuta: --audit"},
		} {
			r := srv.ssh(t, s.viewer, "vera", tc.args...)
			if r.Code != 2 || !strings.Contains(r.Stderr, "comando rifiutato: "+tc.why) {
				t.Errorf("%v: exit %d, stderr %q", tc.args, r.Code, r.Stderr)
			}
		}
		if r := srv.ssh(t, s.bob, "eve", "audit", "list"); r.Code == 0 {
			t.Fatal("the smuggled user add created a user")
		}
	})
	t.Run("auditor answers, authored by the key's owner", func(t *testing.T) {
		r := srv.ssh(t, s.auditor, "root", "answer", s.audit, "--scope", "ente", "--item", item, "--value", "si")
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Stderr)
		}
		shown := srv.ssh(t, s.viewer, "vera", "audit", "show", s.audit, "--json")
		var a shownAudit
		if err := json.Unmarshal([]byte(shown.Stdout), &a); err != nil {
			t.Fatalf("audit show: %v\n%s%s", err, shown.Stdout, shown.Stderr)
		}
		found := false
		for _, ans := range a.Answers {
			if ans.Item == item && ans.Scope == "ente" {
				found = true
				if ans.Value != "si" || ans.Author != "anna" {
					t.Errorf("answer = %+v, want si by anna", ans)
				}
			}
		}
		if !found {
			t.Fatalf("answer to %s not in %+v", item, a.Answers)
		}
	})
	t.Run("auditor cannot manage users", func(t *testing.T) {
		r := srv.ssh(t, s.auditor, "anna", "user", "add", "intruso", "--role", "admin", "--key", s.bob.pub)
		if r.Code == 0 || !strings.Contains(r.Stderr, "serve il ruolo amministratore") {
			t.Fatalf("exit %d, stderr %q", r.Code, r.Stderr)
		}
	})
	t.Run("the yearly cycle over ssh, by role", func(t *testing.T) {
		today := checklist.LocalDay(time.Now())
		if r := srv.ssh(t, s.viewer, "vera", "event", "add", s.audit, "--at", today, "--description", "x"); r.Code == 0 || !strings.Contains(r.Stderr, "serve il ruolo auditor") {
			t.Fatalf("viewer added an event: exit %d, %q", r.Code, r.Stderr)
		}
		r := srv.ssh(t, s.auditor, "anna", "event", "add", s.audit, "--at", today, "--description", "'Guasto della rete'", "--areas", "disponibilita")
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != "ev-1" {
			t.Fatalf("auditor event add: exit %d, %q %q", r.Code, r.Stdout, r.Stderr)
		}
		if r := srv.ssh(t, s.viewer, "vera", "event", "list", s.audit, "--json"); r.Code != 0 || !strings.Contains(r.Stdout, "Guasto della rete") {
			t.Fatalf("viewer event list: exit %d, %q", r.Code, r.Stderr)
		}
		if r := srv.ssh(t, s.viewer, "vera", "deadlines", "--json"); r.Code != 0 || !strings.Contains(r.Stdout, "cieaudit.deadlines/v1") {
			t.Fatalf("viewer deadlines: exit %d, %q", r.Code, r.Stderr)
		}
		q := checklist.QuarterOf(today).String()
		if r := srv.ssh(t, s.auditor, "anna", "sheet", s.audit, "--quarter", q, "--out", "/tmp/x"); r.Code != 2 || !strings.Contains(r.Stderr, "--out -") {
			t.Fatalf("sheet to a server folder: exit %d, %q", r.Code, r.Stderr)
		}
		r = srv.ssh(t, s.auditor, "anna", "sheet", s.audit, "--quarter", q, "--out", "-")
		if zr, err := zip.NewReader(strings.NewReader(r.Stdout), int64(len(r.Stdout))); r.Code != 0 || err != nil || len(zr.File) != 2 {
			t.Fatalf("sheet zip over ssh: exit %d, %v, %q", r.Code, err, r.Stderr)
		}
	})
	t.Run("admin manages users over ssh", func(t *testing.T) {
		// The remote command line is split by the server like a shell
		// would: the key, which has spaces, travels quoted.
		r := srv.ssh(t, s.admin, "admin", "user", "add", "bruno", "--role", "viewer", "--key", "'"+s.bob.pub+"'")
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Stderr)
		}
		if r := srv.ssh(t, s.bob, "bruno", "audit", "list"); r.Code != 0 {
			t.Fatalf("new user cannot log in: exit %d: %s", r.Code, r.Stderr)
		}
		if r := srv.ssh(t, s.admin, "admin", "user", "remove", "bruno"); r.Code != 0 {
			t.Fatalf("remove: exit %d: %s", r.Code, r.Stderr)
		}
		if r := srv.ssh(t, s.bob, "bruno", "audit", "list"); r.Code == 0 {
			t.Fatal("removed user still logs in")
		}
	})

	t.Run("only an admin deletes an audit", func(t *testing.T) {
		r := srv.ssh(t, s.admin, "admin", "audit", "new", "--ente", "'Comune da eliminare'", "--istat", "054009", "--year", "2024", "--auditor", "Rossi")
		if r.Code != 0 {
			t.Fatalf("audit new: exit %d: %s", r.Code, r.Stderr)
		}
		id := strings.TrimSpace(r.Stdout)
		if r := srv.ssh(t, s.auditor, "anna", "audit", "delete", id, "--yes"); r.Code == 0 || !strings.Contains(r.Stderr, "serve il ruolo amministratore") {
			t.Fatalf("auditor deleted an audit: exit %d, stderr %q", r.Code, r.Stderr)
		}
		if r := srv.ssh(t, s.admin, "admin", "audit", "delete", id, "--yes"); r.Code != 0 {
			t.Fatalf("admin delete: exit %d: %s", r.Code, r.Stderr)
		}
		if r := srv.ssh(t, s.admin, "admin", "audit", "show", id); r.Code != 1 {
			t.Fatalf("deleted audit still shown: exit %d", r.Code)
		}
	})

	copyPath := filepath.Join(s.dir, "copia.db")
	backedUp := t.Run("backup streamed while the server runs", func(t *testing.T) {
		if r := srv.ssh(t, s.admin, "admin", "backup", "/tmp/fuori.db"); r.Code != 2 || !strings.Contains(r.Stderr, "solo sullo standard output") {
			t.Fatalf("backup to a server path: exit %d, stderr %q", r.Code, r.Stderr)
		}
		if r := srv.ssh(t, s.auditor, "anna", "backup", "-"); r.Code == 0 {
			t.Fatal("auditor got a backup")
		}
		r := srv.ssh(t, s.admin, "admin", "backup", "-")
		if r.Code != 0 || len(r.Stdout) == 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Stderr)
		}
		if err := os.WriteFile(copyPath, []byte(r.Stdout), 0o600); err != nil {
			t.Fatal(err)
		}
	})

	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exit %d:\n%s", code, srv.output())
	}
	if backedUp {
		if out := mustRun(t, copyPath, "doctor"); !strings.Contains(out, "Integrità: OK") {
			t.Fatalf("doctor on the streamed backup: %s", out)
		}
		if out := mustRun(t, copyPath, "audit", "list"); !strings.Contains(out, s.audit) {
			t.Fatalf("backup without the audit: %s", out)
		}
	}
	// After the server, the local CLI owns the file again and sees what was
	// acknowledged over SSH.
	if out := mustRun(t, s.db, "doctor"); !strings.Contains(out, "Integrità: OK") {
		t.Fatalf("doctor: %s", out)
	}
}

func head(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func TestServeE2ERefusals(t *testing.T) {
	t.Parallel()
	s := newE2ESetup(t)
	mustRun(t, s.db, "user", "add", "remo", "--role", "auditor", "--key", s.bob.pub, "--allow-from", "10.0.0.0/8")
	stranger := newSSHKey(t, s.dir, "stranger")
	srv := startServe(t, s.db)

	t.Run("unknown key", func(t *testing.T) {
		r := srv.ssh(t, stranger, "amministratore", "audit", "list")
		if r.Code != 255 || !strings.Contains(r.Stderr, "Permission denied") {
			t.Fatalf("exit %d, stderr %q", r.Code, r.Stderr)
		}
		e := srv.waitRefusal(t, s.admin, "chiave pubblica sconosciuta "+fingerprint(t, stranger))
		if e.User != "" || !strings.HasPrefix(e.Remote, "127.0.0.1:") {
			t.Fatalf("entry = %+v", e)
		}
	})
	t.Run("password attempt", func(t *testing.T) {
		r := srv.sshWith(t, s.admin, "amministratore",
			[]string{"-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"}, nil,
			"audit", "list")
		if r.Code != 255 || !strings.Contains(r.Stderr, "Permission denied (publickey)") {
			t.Fatalf("exit %d, stderr %q (password must not even be offered)", r.Code, r.Stderr)
		}
		srv.waitRefusal(t, s.admin, "password non è ammesso")
	})
	t.Run("source address outside allowlist", func(t *testing.T) {
		r := srv.ssh(t, s.bob, "remo", "audit", "list")
		if r.Code != 255 {
			t.Fatalf("exit %d, stderr %q", r.Code, r.Stderr)
		}
		e := srv.waitRefusal(t, s.admin, "indirizzo di provenienza 127.0.0.1 non ammesso")
		if e.User != "remo" {
			t.Fatalf("entry = %+v", e)
		}
	})
	t.Run("source address inside allowlist", func(t *testing.T) {
		if r := srv.ssh(t, s.viewer, "vera", "audit", "list"); r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Stderr)
		}
	})
	t.Run("the log is for admins, in words", func(t *testing.T) {
		if r := srv.ssh(t, s.viewer, "vera", "log"); r.Code == 0 {
			t.Fatal("a viewer read the access log")
		}
		r := srv.ssh(t, s.admin, "amministratore", "log")
		for _, want := range []string{"RIFIUTATO", "ammesso", "vera", "chiave pubblica sconosciuta", "audit list"} {
			if !strings.Contains(r.Stdout, want) {
				t.Errorf("log lacks %q:\n%s", want, r.Stdout)
			}
		}
	})
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exit %d:\n%s", code, srv.output())
	}
}

// askpass writes a script that answers every prompt with answer, so that
// OpenSSH's keyboard-interactive prompt is answered without a terminal.
func askpass(t *testing.T, dir, answer string) []string {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("askpass-%d.sh", time.Now().UnixNano()))
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho '"+answer+"'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return []string{"SSH_ASKPASS=" + path, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0"}
}

func TestServeE2ETOTP(t *testing.T) {
	t.Parallel()
	s := newE2ESetup(t)
	out := mustRun(t, s.db, "user", "totp", "anna")
	m := regexp.MustCompile(`otpauth://\S+`).FindString(out)
	if m == "" {
		t.Fatalf("no otpauth URI in:\n%s", out)
	}
	u, err := url.Parse(m)
	if err != nil {
		t.Fatal(err)
	}
	secret := u.Query().Get("secret")
	if secret == "" || strings.Count(out, "█") == 0 {
		t.Fatalf("URI without secret or no QR code:\n%s", out)
	}
	if list := mustRun(t, s.db, "user", "list", "--json"); strings.Contains(list, secret) {
		t.Fatal("user list prints the TOTP secret")
	}
	srv := startServe(t, s.db)
	kbd := []string{"-o", "BatchMode=no", "-o", "PreferredAuthentications=publickey,keyboard-interactive", "-o", "NumberOfPasswordPrompts=1"}
	code := func() string {
		c, err := totp.GenerateCodeCustom(secret, time.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	t.Run("key alone is refused", func(t *testing.T) {
		r := srv.ssh(t, s.auditor, "anna", "audit", "list")
		if r.Code != 255 {
			t.Fatalf("exit %d: %s", r.Code, r.Stderr)
		}
		srv.waitRefusal(t, s.admin, "codice TOTP richiesto ma non fornito")
	})
	t.Run("wrong code is refused", func(t *testing.T) {
		wrong := "000000"
		if code() == wrong {
			wrong = "111111"
		}
		r := srv.sshWith(t, s.auditor, "anna", kbd, askpass(t, s.dir, wrong), "audit", "list")
		if r.Code != 255 {
			t.Fatalf("exit %d: %s", r.Code, r.Stderr)
		}
		srv.waitRefusal(t, s.admin, "codice TOTP errato")
	})
	t.Run("current code is accepted once", func(t *testing.T) {
		c := code()
		r := srv.sshWith(t, s.auditor, "anna", kbd, askpass(t, s.dir, c), "audit", "list")
		if r.Code != 0 || !strings.Contains(r.Stdout, s.audit) {
			t.Fatalf("exit %d: %s%s", r.Code, r.Stdout, r.Stderr)
		}
		if code() != c {
			t.Skip("the 30-second period changed during the test; replay not checked")
		}
		r = srv.sshWith(t, s.auditor, "anna", kbd, askpass(t, s.dir, c), "audit", "list")
		if r.Code != 255 {
			t.Fatalf("replayed code accepted: exit %d", r.Code)
		}
		srv.waitRefusal(t, s.admin, "codice TOTP già usato")
	})
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exit %d:\n%s", code, srv.output())
	}
}

// tmuxSession is a terminal running ssh with a PTY, driven by a tmux
// server of its own: its socket is a file in the test's temporary folder,
// so concurrent runs of the suite never share a tmux server or a session
// name (a named -L socket once collided: "tmux: duplicate session").
type tmuxSession struct {
	socket, name string
}

func (p *serveProc) tmuxSSH(t *testing.T, key sshKey, user string) *tmuxSession {
	t.Helper()
	requireTools(t, "tmux")
	ts := &tmuxSession{socket: filepath.Join(t.TempDir(), "tmux.sock"), name: "s"}
	args := append([]string{"ssh", "-tt"}, p.sshArgs(key)...)
	args = append(args, user+"@"+p.host)
	cmdline := "TERM=xterm-256color " + strings.Join(quoteAll(args), " ")
	out, err := exec.Command("tmux", "-S", ts.socket, "new-session", "-d", "-s", ts.name, "-x", "120", "-y", "35", cmdline).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", ts.socket, "kill-server").Run() })
	return ts
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return out
}

func (ts *tmuxSession) screen(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("tmux", "-S", ts.socket, "capture-pane", "-p", "-t", ts.name).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

func (ts *tmuxSession) keys(t *testing.T, keys ...string) {
	t.Helper()
	args := append([]string{"-S", ts.socket, "send-keys", "-t", ts.name}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
}

// waitScreen polls the terminal until it shows want, within d.
// minScreenWait is the shortest failure bound of waitScreen.
const minScreenWait = 60 * time.Second

func (ts *tmuxSession) waitScreen(t *testing.T, want string, d time.Duration) string {
	t.Helper()
	// d only bounds a failure: the wait returns as soon as the text is on
	// screen. Under -race on a loaded two-core machine a screen can take
	// far longer than the caller's estimate, so no bound is shorter than
	// minScreenWait; a passing run is not slowed by it.
	d = max(d, minScreenWait)
	deadline := time.Now().Add(d)
	for {
		s := ts.screen(t)
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("screen does not show %q after %v:\n%s", want, d, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServeE2ETUIAndShutdown(t *testing.T) {
	t.Parallel()
	s := newE2ESetup(t)
	item := firstItem(t, s.db, s.audit)
	srv := startServe(t, s.db)

	first := srv.tmuxSSH(t, s.auditor, "anna")
	second := srv.tmuxSSH(t, s.viewer, "vera")
	for _, ts := range []*tmuxSession{first, second} {
		ts.waitScreen(t, "Audit nel database", 15*time.Second)
		ts.waitScreen(t, "Comune di Prova", 5*time.Second)
		ts.keys(t, "Enter")
		ts.waitScreen(t, "Avanzamento", 5*time.Second)
	}

	// A change committed by another session reaches both TUIs within a
	// second: they reload, and the status line says who changed what.
	r := srv.ssh(t, s.admin, "amministratore", "answer", s.audit, "--scope", "ente", "--item", item, "--value", "no")
	if r.Code != 0 {
		t.Fatalf("answer: exit %d: %s", r.Code, r.Stderr)
	}
	for _, ts := range []*tmuxSession{first, second} {
		ts.waitScreen(t, "aggiornato da amministratore", time.Second)
	}

	// Anna answers in her TUI (first item of the ente checklist: "s" = sì);
	// Vera sees it arrive.
	first.keys(t, "Enter")
	first.waitScreen(t, "sì", 5*time.Second)
	first.keys(t, "s")
	second.waitScreen(t, "aggiornato da anna", 2*time.Second)

	// Vera is a viewer: the same key in her TUI is refused, and says why.
	second.keys(t, "Enter")
	second.waitScreen(t, "sì", 5*time.Second)
	second.keys(t, "s")
	second.waitScreen(t, "Sola lettura", 2*time.Second)

	// Anna closes the audit in her TUI; Vera's session learns it within a
	// second (SetStatus publishes its change like every write), and again
	// when Anna reopens it.
	second.keys(t, "Escape")
	second.waitScreen(t, "Avanzamento", 5*time.Second)
	first.keys(t, "Escape")
	first.waitScreen(t, "Avanzamento", 5*time.Second)
	first.keys(t, "c")
	first.waitScreen(t, "Riepilogo dell'audit", 5*time.Second)
	first.keys(t, "Enter")
	first.waitScreen(t, "Firma e chiusura", 5*time.Second)
	first.keys(t, "Enter", "Enter", "Enter")
	first.waitScreen(t, "Chiuso", 5*time.Second)
	second.waitScreen(t, "aggiornato da anna", time.Second)
	second.waitScreen(t, "Chiuso", time.Second)
	first.keys(t, "R")
	first.waitScreen(t, "Motivo della riapertura", 5*time.Second)
	first.keys(t, "-l", "verbale da correggere")
	first.keys(t, "Enter")
	first.waitScreen(t, "In corso", 5*time.Second)
	second.waitScreen(t, "In corso", time.Second)

	// SIGTERM with live sessions: the TUIs are told and leave, the server
	// exits cleanly and the database passes the integrity check.
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exit %d:\n%s", code, srv.output())
	}
	if !strings.Contains(srv.output(), "Server arrestato") {
		t.Fatalf("no clean shutdown message:\n%s", srv.output())
	}
	if out := mustRun(t, s.db, "doctor"); !strings.Contains(out, "Integrità: OK") {
		t.Fatalf("doctor: %s", out)
	}
	shown := mustRun(t, s.db, "audit", "show", s.audit, "--json")
	var a shownAudit
	if err := json.Unmarshal([]byte(shown), &a); err != nil {
		t.Fatal(err)
	}
	var byAdmin, byAnna bool
	for _, ans := range a.Answers {
		byAdmin = byAdmin || ans.Item == item && ans.Value == "no" && ans.Author == "amministratore"
		byAnna = byAnna || ans.Scope == "ente" && ans.Value == "si" && ans.Author == "anna"
	}
	if !byAdmin || !byAnna {
		t.Fatalf("answers given over SSH not in the database (admin %v, anna in the TUI %v): %+v", byAdmin, byAnna, a.Answers)
	}
}

func TestUserCommandsRefuseBadInput(t *testing.T) {
	t.Parallel()
	requireTools(t, "ssh-keygen")
	dir := t.TempDir()
	db := filepath.Join(dir, "cieaudit.db")
	key := newSSHKey(t, dir, "mario")
	other := newSSHKey(t, dir, "anna")
	badFile := filepath.Join(dir, "team.pub")
	if err := os.WriteFile(badFile, []byte(other.pub+"\n# commento\nssh-ed25519 AAAAtroncata\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, db, "user", "add", "mario", "--role", "auditor", "--key", key.pub)

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"malformed key", []string{"user", "add", "anna", "--role", "viewer", "--key", "ssh-ed25519 non-base64!"}, 2, "--key n. 1: chiave pubblica non valida"},
		{"unknown role", []string{"user", "add", "anna", "--role", "capo", "--key", other.pub}, 2, `--role: ruolo "capo" sconosciuto`},
		{"invalid CIDR", []string{"user", "add", "anna", "--role", "viewer", "--key", other.pub, "--allow-from", "10.0.0.0/33"}, 2, `--allow-from: rete "10.0.0.0/33" non valida`},
		{"bad line in key file", []string{"user", "add", "anna", "--role", "viewer", "--key-file", badFile}, 2, badFile + ":3:"},
		{"missing key file", []string{"user", "add", "anna", "--role", "viewer", "--key-file", filepath.Join(dir, "nessuno.pub")}, 2, "--key-file"},
		{"no key", []string{"user", "add", "anna", "--role", "viewer"}, 2, "almeno una chiave"},
		{"new user without role", []string{"user", "add", "anna", "--key", other.pub}, 2, "--role è obbligatorio"},
		{"bad name", []string{"user", "add", "Anna Rossi", "--role", "viewer", "--key", other.pub}, 2, "nome utente"},
		{"key of another user", []string{"user", "add", "anna", "--role", "viewer", "--key", key.pub}, 1, "appartiene già all'utente mario"},
		{"remove unknown", []string{"user", "remove", "nessuno"}, 1, "utente nessuno inesistente"},
		{"totp unknown", []string{"user", "totp", "nessuno"}, 1, "utente nessuno inesistente"},
		{"negative log limit", []string{"log", "--limit", "-3"}, 2, "--limit -3 non valido"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, db, tt.args...)
			if r.Code != tt.wantCode || !strings.Contains(r.Stderr, tt.wantErr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", r.Code, tt.wantCode, r.Stderr, tt.wantErr)
			}
		})
	}
	// Nothing half-written: only mario, with his one key.
	var doc struct {
		Users []struct {
			Name string `json:"name"`
			Keys []struct {
				Fingerprint string `json:"fingerprint"`
			} `json:"keys"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "user", "list", "--json")), &doc); err != nil {
		t.Fatal(err)
	}
	users := doc.Users
	if len(users) != 1 || users[0].Name != "mario" || len(users[0].Keys) != 1 || users[0].Keys[0].Fingerprint != fingerprint(t, key) {
		t.Fatalf("users after refused commands: %+v", users)
	}

	// A second key for the same person, from a file; the listing shows both.
	mustRun(t, db, "user", "add", "mario", "--key-file", other.path+".pub")
	list := mustRun(t, db, "user", "list")
	for _, want := range []string{"mario", "auditor", fingerprint(t, key), fingerprint(t, other), "ovunque"} {
		if !strings.Contains(list, want) {
			t.Errorf("user list lacks %q:\n%s", want, list)
		}
	}
	if out := mustRun(t, db, "log"); !strings.Contains(out, "Registro accessi vuoto") {
		t.Errorf("log on a fresh database: %q", out)
	}
	if out := mustRun(t, db, "user", "remove", "mario"); !strings.Contains(out, "Utente rimosso: mario") {
		t.Errorf("remove: %q", out)
	}
}

func TestServeRefusesBadFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "cieaudit.db")
	if err := os.WriteFile(filepath.Join(dir, "rotta"), []byte("non è una chiave"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"bad listen address", []string{"serve", "--listen", "999.0.0.1:99"}, 2, "impossibile ascoltare su 999.0.0.1:99"},
		{"zero sessions", []string{"serve", "--listen", "127.0.0.1:0", "--max-sessions", "0"}, 2, "devono essere positivi"},
		{"negative idle timeout", []string{"serve", "--listen", "127.0.0.1:0", "--idle-timeout", "-1m"}, 2, "--idle-timeout"},
		{"frame rate over 120", []string{"serve", "--listen", "127.0.0.1:0", "--fps", "121"}, 2, "--fps deve essere tra 1 e 120, non 121"},
		{"frame rate zero", []string{"serve", "--listen", "127.0.0.1:0", "--fps", "0"}, 2, "--fps deve essere tra 1 e 120, non 0"},
		{"unreadable host key", []string{"serve", "--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "rotta")}, 1, "chiave host " + filepath.Join(dir, "rotta") + " non leggibile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, db, tt.args...)
			if r.Code != tt.wantCode || !strings.Contains(r.Stderr, tt.wantErr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", r.Code, tt.wantCode, r.Stderr, tt.wantErr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "ssh_host_ed25519_key")); err == nil {
		t.Error("a host key was created by a refused start")
	}
}

func TestServeE2EIdleLogout(t *testing.T) {
	t.Parallel()
	s := newE2ESetup(t)
	srv := startServe(t, s.db, "--idle-timeout", "1s")
	ts := srv.tmuxSSH(t, s.viewer, "vera")
	ts.waitScreen(t, "Audit nel database", 15*time.Second)
	// Without a key press the TUI logs out by itself and ssh ends, which
	// closes the tmux session.
	deadline := time.Now().Add(15 * time.Second)
	for exec.Command("tmux", "-S", ts.socket, "has-session", "-t", ts.name).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("TUI still open after the idle timeout:\n%s", ts.screen(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, e := range srv.accessLog(t, s.admin) {
		if e.User == "vera" && e.Session == "tui" && e.Duration >= 1 {
			return
		}
	}
	t.Fatalf("no ended TUI session of vera in the access log: %+v", srv.accessLog(t, s.admin))
}

// BenchmarkServeKeystrokeEcho100Sessions measures keystroke-to-echo latency
// of the real binary and the real TUI on loopback, with 100 interactive
// sessions open: all typing at once (one iteration is one cursor move, j
// then k, in each of the 100 sessions), or one typing while 99 are open.
func BenchmarkServeKeystrokeEcho100Sessions(b *testing.B) {
	const sessions, users = 100, 10
	requireTools(b, "ssh-keygen")
	dir := b.TempDir()
	db := filepath.Join(dir, "cieaudit.db")
	mustRun(b, db, "audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--year", "2026", "--auditor", "Rossi")
	mustRun(b, db, "audit", "new", "--ente", "Comune di Esempio", "--istat", "054002", "--year", "2026", "--auditor", "Bianchi")
	var signers []gossh.Signer
	for i := range users {
		key := newSSHKey(b, dir, fmt.Sprintf("utente%d", i))
		mustRun(b, db, "user", "add", fmt.Sprintf("utente%d", i), "--role", "viewer", "--key", key.pub)
		raw, err := os.ReadFile(key.path)
		if err != nil {
			b.Fatal(err)
		}
		signer, err := gossh.ParsePrivateKey(raw)
		if err != nil {
			b.Fatal(err)
		}
		signers = append(signers, signer)
	}
	// CIEAUDIT_BENCH_FPS sets serve --fps (Bubble Tea's frame rate).
	fps := cmp.Or(os.Getenv("CIEAUDIT_BENCH_FPS"), "60")
	srv := startServe(b, db, "--conn-burst", "1000", "--max-sessions", fmt.Sprint(sessions),
		"--max-sessions-per-user", fmt.Sprint(sessions/users), "--fps", fps)

	type term struct {
		stdin  io.Writer
		output chan struct{}
	}
	terms := make([]*term, sessions)
	for i := range terms {
		client, err := gossh.Dial("tcp", srv.addr, &gossh.ClientConfig{
			User: "bench", Auth: []gossh.AuthMethod{gossh.PublicKeys(signers[i%users])},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
		})
		if err != nil {
			b.Fatal(err)
		}
		defer client.Close()
		sess, err := client.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
			b.Fatal(err)
		}
		stdin, _ := sess.StdinPipe()
		stdout, _ := sess.StdoutPipe()
		if err := sess.Shell(); err != nil {
			b.Fatal(err)
		}
		tm := &term{stdin: stdin, output: make(chan struct{}, 1024)}
		go func() {
			buf := make([]byte, 64*1024)
			for {
				if _, err := stdout.Read(buf); err != nil {
					close(tm.output)
					return
				}
				select {
				case tm.output <- struct{}{}:
				default:
				}
			}
		}()
		terms[i] = tm
	}
	// Let every TUI draw its home page and go quiet.
	for _, tm := range terms {
		for quiet := false; !quiet; {
			select {
			case <-tm.output:
			case <-time.After(500 * time.Millisecond):
				quiet = true
			}
		}
	}

	n := 0
	// spread > 0 staggers the sessions' keys evenly over that window, as
	// people typing at once do, instead of the same instant.
	measure := func(b *testing.B, typing []*term, spread time.Duration) {
		var mu sync.Mutex
		var latencies []time.Duration
		cpu0, wall0 := processCPU(b, srv.cmd.Process.Pid), time.Now()
		for b.Loop() {
			key := []string{"j", "k"}[n%2]
			n++
			var wg sync.WaitGroup
			for i, tm := range typing {
				wg.Go(func() {
					time.Sleep(spread * time.Duration(i) / time.Duration(len(typing)))
					for len(tm.output) > 0 {
						<-tm.output
					}
					start := time.Now()
					if _, err := io.WriteString(tm.stdin, key); err != nil {
						b.Error(err)
						return
					}
					select {
					case _, ok := <-tm.output:
						if !ok {
							b.Error("session closed")
							return
						}
					case <-time.After(10 * time.Second):
						b.Error("no echo within 10s")
						return
					}
					mu.Lock()
					latencies = append(latencies, time.Since(start))
					mu.Unlock()
				})
			}
			wg.Wait()
		}
		b.StopTimer()
		cpu, wall := processCPU(b, srv.cmd.Process.Pid)-cpu0, time.Since(wall0)
		if len(latencies) == 0 {
			b.Fatal("no keystroke measured")
		}
		// The server's CPU: per key echoed, and as a share of one core
		// while the sessions typed.
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(latencies)), "server-cpu-ms/key")
		b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "server-cpu-%")
		slices.Sort(latencies)
		pct := func(p float64) float64 {
			return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.95), "p95-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(float64(latencies[len(latencies)-1].Microseconds())/1000, "max-ms")
	}
	// Worst case: all 100 type at the same instant.
	b.Run("all-typing", func(b *testing.B) { measure(b, terms, 0) })
	// Everyone typing at 5 keys a second each (500 keys/s in all).
	b.Run("all-typing-5-per-s", func(b *testing.B) { measure(b, terms, 200*time.Millisecond) })
	// Usual case: one types while the other 99 sessions stay open.
	b.Run("one-typing", func(b *testing.B) { measure(b, terms[:1], 0) })
}

// processCPU is the user plus system CPU time the process has used, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux).
func processCPU(tb testing.TB, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	var user, sys int64
	fmt.Sscan(fields[11], &user)
	fmt.Sscan(fields[12], &sys)
	return time.Duration(user+sys) * 10 * time.Millisecond
}
