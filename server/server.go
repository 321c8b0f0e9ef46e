package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// Identity is who a session belongs to, established from the key that
// authenticated and the users bucket.
type Identity struct {
	User        string
	Role        checklist.Role
	Fingerprint string
	// Remote is the client's TCP address (ip:port).
	Remote string
}

// Config is what the server needs; zero durations and limits take the
// defaults documented on each field.
type Config struct {
	// Store is the open database (opened with storage.Options{Hold: true}:
	// the server must be the file's only user).
	Store *storage.Store
	// HostKeyPath is the ed25519 host key; it is created (mode 0600) if
	// missing.
	HostKeyPath string

	// NewModel builds the TUI of an interactive session.
	NewModel func(sess ssh.Session, id Identity) (tea.Model, error)
	// ChangedMsg turns a committed change into the message that makes a
	// running TUI reload; nil disables live updates.
	ChangedMsg func(storage.Event) tea.Msg
	// ShutdownMsg is sent to every TUI when the server stops, so that it
	// saves what is pending and quits.
	ShutdownMsg tea.Msg
	// Exec runs a command (ssh host CMD…) with the session as
	// stdin/stdout/stderr. It decides what the identity may run: once the
	// command line is parsed and allowed, and before anything runs, it
	// calls accept, which records the session in the access log (and may
	// fail: then nothing must run). It returns the exit code and, if it
	// never called accept, why the command was refused.
	Exec func(ctx context.Context, sess ssh.Session, id Identity, args []string, accept func() error) (code int, refused error)

	// HandshakeTimeout bounds the time from TCP connect to successful
	// authentication (default 30s).
	HandshakeTimeout time.Duration
	// ConnIdleTimeout drops a connection with no traffic at all (default 1h).
	// It is only a backstop for dead peers: output resets it, so the logout
	// of an inactive user is done by the TUI.
	ConnIdleTimeout time.Duration
	// MaxTimeout is the absolute length of a connection (default 12h).
	MaxTimeout time.Duration
	// FPS is the highest frame rate of an interactive session's TUI, 1 to
	// 120 (0: Bubble Tea's 60). A key's echo waits for the next frame.
	FPS int
	// MaxSessions is the cap of concurrent sessions (default 100).
	MaxSessions int
	// MaxSessionsPerUser is the cap per user (default 5).
	MaxSessionsPerUser int
	// ConnRate and ConnBurst bound connection attempts per source IPv4
	// address or IPv6 /64 network
	// (default one every 2s, burst 10).
	ConnRate  rate.Limit
	ConnBurst int
	// MaxAuthTries is the number of failed authentication steps allowed
	// per connection (default 6).
	MaxAuthTries int

	// Logger receives operational messages (default: discarded).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (c *Config) setDefaults() {
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = 30 * time.Second
	}
	if c.ConnIdleTimeout <= 0 {
		c.ConnIdleTimeout = time.Hour
	}
	if c.MaxTimeout <= 0 {
		c.MaxTimeout = 12 * time.Hour
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = 100
	}
	if c.MaxSessionsPerUser <= 0 {
		c.MaxSessionsPerUser = 5
	}
	if c.ConnRate <= 0 {
		c.ConnRate = rate.Every(2 * time.Second)
	}
	if c.ConnBurst <= 0 {
		c.ConnBurst = 10
	}
	if c.MaxAuthTries <= 0 {
		c.MaxAuthTries = 6
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Server is the SSH jump host.
type Server struct {
	cfg         Config
	srv         *ssh.Server
	fingerprint string

	conns    *connTable
	limiter  *ipLimiter
	sessions *sessionCounter
	programs *programs
	totp     *totpBudget

	draining    atomic.Bool
	freeing     atomic.Bool // returnMemory is running
	unsubscribe func()
	stopOnce    sync.Once
}

// New prepares a server: it loads or creates the host key and wires the
// authentication and session handling. It does not listen yet.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: Config.Store is required")
	}
	if cfg.HostKeyPath == "" {
		return nil, errors.New("server: Config.HostKeyPath is required")
	}
	cfg.setDefaults()
	signer, err := LoadOrCreateHostKey(cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:         cfg,
		fingerprint: gossh.FingerprintSHA256(signer.PublicKey()),
		conns:       newConnTable(),
		limiter:     newIPLimiter(cfg.ConnRate, cfg.ConnBurst, cfg.Now),
		sessions:    newSessionCounter(cfg.MaxSessions, cfg.MaxSessionsPerUser),
		programs:    newPrograms(),
		totp:        newTOTPBudget(cfg.Now),
	}
	s.srv = &ssh.Server{
		HostSigners:              []ssh.Signer{signer},
		Version:                  "cieaudit",
		Handler:                  s.handleSession,
		ConnCallback:             s.onConnect,
		ServerConfigCallback:     s.serverConfig,
		ConnectionFailedCallback: s.onHandshakeFailed,
		ConnectionCloseCallback:  s.onClose,
		// HandshakeTimeout, IdleTimeout and MaxTimeout stay unset: the
		// deadlines are applied by deadlineConn (see there why).
		// Only interactive sessions and commands: no forwarding, no
		// subsystems (sftp would bypass the role checks).
		SubsystemHandlers: map[string]ssh.SubsystemHandler{},
	}
	s.startRelay()
	return s, nil
}

// Fingerprint is the SHA256 fingerprint of the host key, for users to check
// on first connection.
func (s *Server) Fingerprint() string { return s.fingerprint }

// Serve accepts connections on l until Shutdown or Close. It always returns
// a non-nil error; after Shutdown it is ssh.ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	return s.srv.Serve(l)
}

// Shutdown stops the server gracefully: it stops accepting connections and
// sessions, tells every TUI to quit (every change is already saved), and
// waits for the sessions and running commands to end until ctx expires;
// then it closes the connections, idle or not. The caller closes the store
// afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.stopRelay()
	done := make(chan error, 1)
	// srv.Shutdown closes the listeners at once, then waits for every
	// connection to close; a client multiplexing sessions over one
	// connection never closes it by itself, hence the Close below.
	go func() { done <- s.srv.Shutdown(ctx) }()
	if s.cfg.ShutdownMsg != nil {
		s.programs.broadcast(s.cfg.ShutdownMsg)
	}
	wait := 30 * time.Second
	if deadline, ok := ctx.Deadline(); ok {
		wait = time.Until(deadline)
	}
	ended := s.sessions.wait(wait)
	if !ended {
		s.cfg.Logger.Warn("sessioni ancora aperte alla scadenza: chiusura forzata")
		_ = s.srv.Close()
	}
	var err error
	select {
	case err = <-done:
		// Every client went away by itself.
	case <-time.After(time.Second):
		// Give the exit statuses of the last sessions a moment to reach
		// their clients, then drop the connections left open.
		_ = s.srv.Close()
		err = <-done
	}
	if errors.Is(err, ssh.ErrServerClosed) {
		err = nil
	}
	if !ended {
		// The handlers of force-closed sessions are still unwinding (a
		// command in the middle of a transaction); give them a moment so
		// that the store is not closed under their feet.
		s.sessions.wait(5 * time.Second)
		if err == nil {
			err = context.DeadlineExceeded
		}
	}
	return err
}

// startRelay forwards the store's change events to every running TUI.
func (s *Server) startRelay() {
	if s.cfg.ChangedMsg == nil {
		return
	}
	events, stop := s.cfg.Store.Subscribe()
	s.unsubscribe = stop
	go func() {
		for ev := range events {
			s.programs.broadcast(s.cfg.ChangedMsg(ev))
		}
	}()
}

func (s *Server) stopRelay() {
	s.stopOnce.Do(func() {
		if s.unsubscribe != nil {
			s.unsubscribe()
		}
	})
}
