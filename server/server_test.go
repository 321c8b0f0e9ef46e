package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/ssh"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// testClock is a settable clock shared by the store and the server.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

type testEnv struct {
	store *storage.Store
	srv   *Server
	addr  string
	clock *testClock
}

// startServer runs a server on a loopback port with a fake Exec that
// prints the identity and the arguments it was given.
func startServer(t *testing.T, tweak func(*Config)) *testEnv {
	t.Helper()
	dir := t.TempDir()
	clock := &testClock{now: time.Now()}
	store, err := storage.Open(filepath.Join(dir, "cieaudit.db"), storage.Options{Hold: true, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Store:       store,
		HostKeyPath: filepath.Join(dir, "host_key"),
		// The fake refuses "serve", as cmd's SSH tree does (the real
		// per-role trees are tested in cmd/cieaudit).
		Exec: func(ctx context.Context, sess ssh.Session, id Identity, args []string, accept func() error) (int, error) {
			if args[0] == "serve" {
				return 2, errors.New(`comando "serve" non disponibile via SSH`)
			}
			if err := accept(); err != nil {
				return 1, err
			}
			fmt.Fprintf(sess, "user=%s role=%s args=%s\n", id.User, id.Role, strings.Join(args, " "))
			return 0, nil
		},
		Now:      clock.Now,
		ConnRate: rate.Inf,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-served
		store.Close()
	})
	return &testEnv{store: store, srv: srv, addr: ln.Addr().String(), clock: clock}
}

type testUser struct {
	name   string
	signer gossh.Signer
}

func newSigner(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *testEnv) addUser(t *testing.T, name string, role checklist.Role, allow ...string) testUser {
	t.Helper()
	signer := newSigner(t)
	key, err := storage.ParseUserKey(string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AddUser(storage.User{Name: name, Role: role, Keys: []storage.UserKey{key}, AllowFrom: allow}, false); err != nil {
		t.Fatal(err)
	}
	return testUser{name: name, signer: signer}
}

// run connects as the holder of signer (typing clientUser as the SSH user
// name) and runs cmd; answers feeds keyboard-interactive prompts.
func (e *testEnv) run(signer gossh.Signer, clientUser, cmd string, answers ...string) (string, error) {
	methods := []gossh.AuthMethod{gossh.PublicKeys(signer)}
	if answers != nil {
		methods = append(methods, gossh.KeyboardInteractive(func(name, instruction string, questions []string, echos []bool) ([]string, error) {
			if len(questions) == 0 {
				return nil, nil
			}
			return answers, nil
		}))
	}
	client, err := gossh.Dial("tcp", e.addr, &gossh.ClientConfig{
		User:            clientUser,
		Auth:            methods,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         5 * time.Second,
	})
	if err != nil {
		return "", err
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		return "", err
	}
	defer sess.Close()
	var out, stderr bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &stderr
	err = sess.Run(cmd)
	return out.String() + stderr.String(), err
}

// logMark is the sequence number of the last access-log entry.
func (e *testEnv) logMark(t *testing.T) uint64 {
	t.Helper()
	log, err := e.store.AccessLog(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 {
		return 0
	}
	return log[0].Seq
}

// waitLog polls the access log for an entry after mark that satisfies ok:
// the server writes it when it notices the client has gone, which may be
// after the client has returned.
func (e *testEnv) waitLog(t *testing.T, mark uint64, ok func(storage.AccessEntry) bool) storage.AccessEntry {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		log, err := e.store.AccessLog(0)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(log) - 1; i >= 0 && log[i].Seq > mark; i-- {
			if ok(log[i]) {
				return log[i]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no matching entry after %d in the access log: %+v", mark, log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func refused(e storage.AccessEntry) bool { return !e.Accepted }

// waitFor polls cond for up to 5s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestIdentityComesFromTheKeyNotTheUserName(t *testing.T) {
	env := startServer(t, nil)
	mario := env.addUser(t, "mario", checklist.RoleAuditor)
	mark := env.logMark(t)
	out, err := env.run(mario.signer, "admin", "audit list --json")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if want := "user=mario role=auditor args=audit list --json"; !strings.Contains(out, want) {
		t.Fatalf("output %q, want %q", out, want)
	}
	last := env.waitLog(t, mark, func(e storage.AccessEntry) bool { return !e.Ended.IsZero() })
	if !last.Accepted || last.User != "mario" || last.Session != "audit list --json" || last.Ended.IsZero() {
		t.Fatalf("access log entry = %+v", last)
	}
	if last.Fingerprint != gossh.FingerprintSHA256(mario.signer.PublicKey()) {
		t.Fatalf("fingerprint %s not the key's", last.Fingerprint)
	}
}

func TestRefusals(t *testing.T) {
	env := startServer(t, nil)
	viewer := env.addUser(t, "vera", checklist.RoleViewer)
	auditor := env.addUser(t, "aldo", checklist.RoleAuditor)
	remote := env.addUser(t, "remo", checklist.RoleAdmin, "10.0.0.0/8")
	local := env.addUser(t, "lola", checklist.RoleViewer, "10.0.0.0/8", "127.0.0.0/8")
	stranger := newSigner(t)

	tests := []struct {
		name       string
		signer     gossh.Signer
		cmd        string
		wantOK     bool
		wantOut    string
		wantReason string
	}{
		{"unknown key", stranger, "audit list", false, "", "chiave pubblica sconosciuta"},
		{"address outside allowlist", remote.signer, "audit list", false, "", "indirizzo di provenienza 127.0.0.1 non ammesso"},
		{"address inside allowlist", local.signer, "audit list", true, "user=lola", ""},
		{"viewer runs a command", viewer.signer, "export A --format csv", true, "user=vera", ""},
		{"auditor runs a command", auditor.signer, "answer A --scope ente --item X --value si", true, "user=aldo", ""},
		{"refused by the command tree", auditor.signer, "serve", false, "comando rifiutato: comando \"serve\" non disponibile via SSH", "non disponibile"},
		{"no command and no terminal", auditor.signer, "", false, "serve un terminale interattivo", "senza terminale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := env.logMark(t)
			out, err := env.run(tt.signer, "x", tt.cmd)
			if tt.wantOK != (err == nil) {
				t.Fatalf("err = %v, output %q", err, out)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("output %q, want %q", out, tt.wantOut)
			}
			if tt.wantReason != "" {
				if r := env.waitLog(t, mark, refused); !strings.Contains(r.Reason, tt.wantReason) {
					t.Errorf("logged reason %q, want %q", r.Reason, tt.wantReason)
				}
			}
		})
	}
}

func TestTOTPSecondFactor(t *testing.T) {
	env, mario, base, code, wrong := totpEnv(t)

	tests := []struct {
		name       string
		answers    []string
		wantOK     bool
		wantReason string
	}{
		{"key alone is not enough", nil, false, "codice TOTP richiesto ma non fornito"},
		{"empty code", []string{""}, false, "codice TOTP mancante"},
		{"wrong code", []string{wrong}, false, "codice TOTP errato"},
		{"current code", []string{code(base)}, true, ""},
		{"same code again", []string{code(base)}, false, "codice TOTP già usato"},
		{"previous period within tolerance", []string{code(base.Add(-30 * time.Second))}, true, ""},
		{"two periods old", []string{code(base.Add(-61 * time.Second))}, false, "codice TOTP errato"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := env.logMark(t)
			out, err := env.run(mario.signer, "mario", "audit list", tt.answers...)
			if tt.wantOK != (err == nil) {
				t.Fatalf("err = %v, output %q", err, out)
			}
			if tt.wantOK && !strings.Contains(out, "user=mario") {
				t.Fatalf("output %q", out)
			}
			if tt.wantReason != "" {
				r := env.waitLog(t, mark, refused)
				if r.Reason != tt.wantReason || r.User != "mario" {
					t.Errorf("logged %q for %q, want %q for mario", r.Reason, r.User, tt.wantReason)
				}
			}
		})
	}
}

// totpEnv is a server with auditor mario enrolled in TOTP, the clock at
// base, the code generator of mario's secret and a wrong code for base.
func totpEnv(t *testing.T) (env *testEnv, mario testUser, base time.Time, code func(time.Time) string, wrong string) {
	t.Helper()
	env = startServer(t, nil)
	mario = env.addUser(t, "mario", checklist.RoleAuditor)
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "cieaudit", AccountName: "mario"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.store.EnrolTOTP("mario", key.Secret()); err != nil {
		t.Fatal(err)
	}
	base = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	env.clock.Set(base)
	code = func(at time.Time) string {
		c, err := totp.GenerateCodeCustom(key.Secret(), at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return env, mario, base, code, fmt.Sprintf("%06d", (atoi(code(base))+1)%1000000)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestPasswordIsNeverOffered(t *testing.T) {
	env := startServer(t, nil)
	env.addUser(t, "mario", checklist.RoleAdmin)
	mark := env.logMark(t)
	_, err := gossh.Dial("tcp", env.addr, &gossh.ClientConfig{
		User:            "mario",
		Auth:            []gossh.AuthMethod{gossh.Password("segreta")},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         5 * time.Second,
	})
	if err == nil {
		t.Fatal("password login accepted")
	}
	if !strings.Contains(err.Error(), "[none publickey]") && !strings.Contains(err.Error(), "attempted methods [none]") {
		t.Logf("client error: %v", err)
	}
	r := env.waitLog(t, mark, refused)
	if !strings.Contains(r.Reason, "password") {
		t.Fatalf("logged reason %q does not mention the password", r.Reason)
	}
}

func TestSessionLimits(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	env := startServer(t, func(c *Config) {
		c.MaxSessions = 3
		c.MaxSessionsPerUser = 2
		c.Exec = func(ctx context.Context, sess ssh.Session, id Identity, args []string, accept func() error) (int, error) {
			if err := accept(); err != nil {
				return 1, err
			}
			started <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return 0, nil
		}
	})
	a := env.addUser(t, "anna", checklist.RoleViewer)
	b := env.addUser(t, "bruno", checklist.RoleViewer)
	c := env.addUser(t, "carla", checklist.RoleViewer)

	var wg sync.WaitGroup
	hold := func(u testUser) {
		wg.Add(1)
		go func() { defer wg.Done(); env.run(u.signer, u.name, "audit list") }()
		<-started
	}
	hold(a)
	hold(a)
	if out, err := env.run(a.signer, "anna", "audit list"); err == nil || !strings.Contains(out, "per l'utente anna (massimo 2)") {
		t.Errorf("third session of anna: err %v, out %q", err, out)
	}
	hold(b)
	if out, err := env.run(c.signer, "carla", "audit list"); err == nil || !strings.Contains(out, "sul server (massimo 3)") {
		t.Errorf("fourth session overall: err %v, out %q", err, out)
	}
	close(release)
	wg.Wait()
	waitFor(t, "sessions to be released", func() bool { return env.srv.sessions.active() == 0 })
}

func TestConnectionRateLimit(t *testing.T) {
	env := startServer(t, func(c *Config) {
		c.ConnRate = rate.Every(time.Hour)
		c.ConnBurst = 2
	})
	u := env.addUser(t, "anna", checklist.RoleViewer)
	for i := range 2 {
		if out, err := env.run(u.signer, "anna", "audit list"); err != nil {
			t.Fatalf("attempt %d: %v %s", i+1, err, out)
		}
	}
	mark := env.logMark(t)
	if _, err := env.run(u.signer, "anna", "audit list"); err == nil {
		t.Fatal("third attempt within the burst window was let through")
	}
	if r := env.waitLog(t, mark, refused); !strings.Contains(r.Reason, "troppi tentativi") {
		t.Fatalf("logged reason %q", r.Reason)
	}
}

func TestHostKeyCreatedOnceWithMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "host")
	first, err := LoadOrCreateHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %v, want 0600", fi.Mode().Perm())
	}
	if first.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Fatalf("host key type %s", first.PublicKey().Type())
	}
	second, err := LoadOrCreateHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.PublicKey().Marshal(), second.PublicKey().Marshal()) {
		t.Fatal("host key regenerated on second start")
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil || !strings.HasPrefix(string(pub), "ssh-ed25519 ") {
		t.Fatalf(".pub = %q, %v", pub, err)
	}
	if err := os.WriteFile(path, []byte("rotta"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateHostKey(path); err == nil || !strings.Contains(err.Error(), "non leggibile") {
		t.Fatalf("corrupt host key: err = %v", err)
	}
}

func TestShutdownWaitsForRunningCommand(t *testing.T) {
	finished := make(chan struct{})
	started := make(chan struct{})
	env := startServer(t, func(c *Config) {
		c.Exec = func(ctx context.Context, sess ssh.Session, id Identity, args []string, accept func() error) (int, error) {
			if err := accept(); err != nil {
				return 1, err
			}
			close(started)
			time.Sleep(300 * time.Millisecond)
			fmt.Fprintln(sess, "fatto")
			close(finished)
			return 0, nil
		}
	})
	u := env.addUser(t, "anna", checklist.RoleViewer)
	result := make(chan string, 1)
	go func() {
		out, _ := env.run(u.signer, "anna", "audit list")
		result <- out
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := env.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-finished:
	default:
		t.Fatal("Shutdown returned before the running command finished")
	}
	if out := <-result; !strings.Contains(out, "fatto") {
		t.Fatalf("client got %q", out)
	}
	if _, err := env.run(u.signer, "anna", "audit list"); err == nil {
		t.Fatal("connection accepted after shutdown")
	}
}

func TestMatchTOTP(t *testing.T) {
	secret := "JBSWY3DPEHPK3PXP"
	now := time.Date(2026, 11, 22, 10, 0, 15, 0, time.UTC)
	at := func(d time.Duration) string {
		c, _ := totp.GenerateCodeCustom(secret, now.Add(d), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		return c
	}
	current := uint64(now.Unix() / 30)
	tests := []struct {
		name     string
		code     string
		wantStep uint64
		ok       bool
	}{
		{"now", at(0), current, true},
		{"previous period", at(-30 * time.Second), current - 1, true},
		{"next period", at(30 * time.Second), current + 1, true},
		{"two periods ago", at(-60 * time.Second), 0, false},
		{"too short", "12345", 0, false},
		{"letters", "abcdef", 0, false},
	}
	for _, tt := range tests {
		step, ok := MatchTOTP(secret, tt.code, now)
		if ok != tt.ok || (ok && step != tt.wantStep) {
			t.Errorf("%s: MatchTOTP = %d, %v; want %d, %v", tt.name, step, ok, tt.wantStep, tt.ok)
		}
	}
}

func TestHandshakeTimeout(t *testing.T) {
	env := startServer(t, func(c *Config) { c.HandshakeTimeout = 300 * time.Millisecond })
	mark := env.logMark(t)
	conn, err := net.Dial("tcp", env.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A client that connects and never authenticates is dropped: reading
	// gets the server's banner, then the end of the connection.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Fatalf("connection not closed by the server: %v", err)
	}
	if r := env.waitLog(t, mark, refused); r.Reason != "autenticazione non completata entro il tempo massimo" {
		t.Fatalf("logged reason %q", r.Reason)
	}
}

// deadlineRecorder is a net.Conn that remembers the last deadline set.
type deadlineRecorder struct {
	net.Conn
	last time.Time
}

func (d *deadlineRecorder) SetDeadline(t time.Time) error { d.last = t; return nil }

func TestDeadlineConnPicksTheEarliest(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name      string
		idle      time.Duration
		max       time.Time
		handshake time.Time
		wantAbout time.Time // zero: no deadline
	}{
		{"handshake pending, earliest", time.Hour, now.Add(12 * time.Hour), now.Add(30 * time.Second), now.Add(30 * time.Second)},
		{"authenticated: idle", time.Hour, now.Add(12 * time.Hour), time.Time{}, now.Add(time.Hour)},
		{"authenticated near the end: max", time.Hour, now.Add(time.Minute), time.Time{}, now.Add(time.Minute)},
		{"nothing set", 0, time.Time{}, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		rec := &deadlineRecorder{}
		c := &deadlineConn{Conn: rec, idle: tt.idle, max: tt.max}
		if !tt.handshake.IsZero() {
			c.deadline.Store(tt.handshake.UnixNano())
		}
		// Whatever charm.land/ssh asks for is overridden.
		c.SetDeadline(now.Add(time.Second))
		if tt.wantAbout.IsZero() != rec.last.IsZero() || rec.last.Sub(tt.wantAbout).Abs() > time.Second {
			t.Errorf("%s: deadline %v, want about %v", tt.name, rec.last, tt.wantAbout)
		}
	}
}

type stopMsg struct{}

func TestShutdownTellsTUIsAndReturnsPromptly(t *testing.T) {
	env := startServer(t, func(c *Config) { c.ShutdownMsg = stopMsg{} })
	u := env.addUser(t, "anna", checklist.RoleViewer)
	clients := []*ptyClient{dialPTY(t, env.addr, u.signer), dialPTY(t, env.addr, u.signer)}
	waitFor(t, "two TUIs", func() bool { return env.srv.programs.count() == 2 })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := env.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v (sessions had to be force-closed)", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Shutdown took %v: the TUIs did not quit when told", d)
	}
	for i, c := range clients {
		if err := c.sess.Wait(); err != nil {
			var exit *gossh.ExitError
			if !errors.As(err, &exit) {
				t.Errorf("client %d: session did not end cleanly: %v", i, err)
			}
		}
	}
	if n := env.srv.programs.count(); n != 0 {
		t.Fatalf("%d programs still registered", n)
	}
}
