package server

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	gossh "golang.org/x/crypto/ssh"

	"github.com/cieaudit/cieaudit/storage"
)

// Permission extensions set once a key (and, when enrolled, a TOTP code)
// has been verified. The first is read by charm.land/ssh to expose
// Session.PublicKey; its name is that library's.
const (
	extPublicKey   = "gliderlabs/ssh.PublicKey"
	extUser        = "cieaudit-user"
	extFingerprint = "cieaudit-fingerprint"
	extSecondStep  = "cieaudit-2fa"
)

// connState follows one TCP connection through authentication, so that a
// refused attempt is logged once with the most telling reason.
type connState struct {
	conn        *deadlineConn
	mu          sync.Mutex
	remote      string
	user        string
	fingerprint string
	reason      string
}

func (c *connState) refuse(user, fingerprint, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if user != "" {
		c.user = user
	}
	if fingerprint != "" {
		c.fingerprint = fingerprint
	}
	c.reason = reason
}

// authenticated lifts the handshake deadline once a login succeeded.
func (c *connState) authenticated() {
	if c.conn != nil {
		c.conn.deadline.Store(0)
	}
}

// deadlineConn applies the connection deadlines: the handshake timeout
// until authenticated, the idle timeout (reset by any traffic) and the
// absolute maximum. charm.land/ssh v0.4.2 has its own, but it clears the
// handshake deadline without synchronisation while the read loop reads it
// (a data race whenever an idle timeout is set), so the server leaves those
// fields unset and does it here.
type deadlineConn struct {
	net.Conn
	idle     time.Duration
	max      time.Time
	deadline atomic.Int64 // handshake deadline, Unix nanoseconds; 0 once authenticated
}

func (c *deadlineConn) refresh() error {
	d := c.max
	if h := c.deadline.Load(); h != 0 {
		if hd := time.Unix(0, h); d.IsZero() || hd.Before(d) {
			d = hd
		}
	}
	if c.idle > 0 {
		if id := time.Now().Add(c.idle); d.IsZero() || id.Before(d) {
			d = id
		}
	}
	return c.Conn.SetDeadline(d)
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	_ = c.refresh()
	return c.Conn.Read(b)
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	_ = c.refresh()
	return c.Conn.Write(b)
}

// SetDeadline ignores t: the deadlines are this type's business.
func (c *deadlineConn) SetDeadline(time.Time) error { return c.refresh() }

// weakReason sets a reason only if nothing more specific is known.
func (c *connState) weakReason(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reason == "" {
		c.reason = reason
	}
}

// connTable maps live connections (by remote address, unique while the
// connection is open) to their state: the failure callback only gets the
// net.Conn.
type connTable struct {
	mu sync.Mutex
	m  map[string]*connState
}

func newConnTable() *connTable { return &connTable{m: map[string]*connState{}} }

func (t *connTable) add(c *connState) {
	t.mu.Lock()
	t.m[c.remote] = c
	t.mu.Unlock()
}

func (t *connTable) get(remote string) *connState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[remote]
}

func (t *connTable) remove(remote string) {
	t.mu.Lock()
	delete(t.m, remote)
	t.mu.Unlock()
}

type ctxKey struct{ name string }

var connStateKey = &ctxKey{"conn-state"}

// onConnect runs before the handshake: it applies the per-address rate
// limit (per /64 for IPv6, see limitKey) and starts following the
// connection.
func (s *Server) onConnect(ctx ssh.Context, conn net.Conn) net.Conn {
	remote := conn.RemoteAddr().String()
	if s.draining.Load() {
		return nil
	}
	if allowed, report := s.limiter.allow(limitKey(remote)); !allowed {
		if report {
			s.logRefusal(storage.AccessEntry{Remote: remote, Reason: "troppi tentativi di connessione da questo indirizzo (limite di frequenza)"})
		}
		return nil
	}
	// Network deadlines are wall-clock time, whatever Config.Now says.
	start := time.Now()
	hc := &deadlineConn{Conn: conn, idle: s.cfg.ConnIdleTimeout, max: start.Add(s.cfg.MaxTimeout)}
	hc.deadline.Store(start.Add(s.cfg.HandshakeTimeout).UnixNano())
	if err := hc.refresh(); err != nil {
		return nil
	}
	st := &connState{remote: remote, conn: hc}
	s.conns.add(st)
	ctx.SetValue(connStateKey, st)
	return hc
}

func (s *Server) onClose(conn net.Conn) {
	s.conns.remove(conn.RemoteAddr().String())
}

// onHandshakeFailed logs a connection that never got in.
func (s *Server) onHandshakeFailed(conn net.Conn, err error) {
	remote := conn.RemoteAddr().String()
	st := s.conns.get(remote)
	if st == nil {
		return
	}
	st.mu.Lock()
	e := storage.AccessEntry{Remote: remote, User: st.user, Fingerprint: st.fingerprint, Reason: st.reason}
	st.mu.Unlock()
	if e.Reason == "" {
		var netErr net.Error
		switch {
		case errors.As(err, &netErr) && netErr.Timeout():
			e.Reason = "autenticazione non completata entro il tempo massimo"
		default:
			e.Reason = "connessione chiusa prima dell'autenticazione"
		}
	}
	s.logRefusal(e)
}

// serverConfig builds the x/crypto configuration of one connection. Only
// public keys are offered; keyboard-interactive is offered only, as the
// second step, to users with TOTP once their key has been verified. There is
// no password method at all.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	st, _ := ctx.Value(connStateKey).(*connState)
	if st == nil {
		st = &connState{}
	}
	return &gossh.ServerConfig{
		MaxAuthTries: s.cfg.MaxAuthTries,
		// The offered key is only looked up here: nothing is decided on it
		// until the client proves it holds the private key.
		PublicKeyCallback: func(meta gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
			fp := gossh.FingerprintSHA256(key)
			if _, err := s.cfg.Store.UserByKey(fp); err != nil {
				st.refuse("", fp, "chiave pubblica sconosciuta "+fp)
				return nil, errors.New("unknown key")
			}
			return nil, nil
		},
		VerifiedPublicKeyCallback: func(meta gossh.ConnMetadata, key gossh.PublicKey, _ *gossh.Permissions, _ string) (*gossh.Permissions, error) {
			return s.afterKey(st, meta, key)
		},
		AuthLogCallback: func(meta gossh.ConnMetadata, method string, err error) {
			switch method {
			case "none":
				st.weakReason("nessuna chiave pubblica presentata (l'accesso con password non è ammesso)")
			case "password":
				st.refuse("", "", "tentativo di accesso con password: non ammesso, solo chiave pubblica")
			case "keyboard-interactive":
				if err != nil {
					st.weakReason("tentativo di accesso interattivo senza chiave pubblica: non ammesso")
				}
			}
		},
	}
}

// afterKey decides on a key whose possession has been proven: the user must
// still exist, connect from an allowed network, and pass the TOTP step if
// enrolled.
func (s *Server) afterKey(st *connState, meta gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
	fp := gossh.FingerprintSHA256(key)
	u, err := s.cfg.Store.UserByKey(fp)
	if err != nil {
		st.refuse("", fp, "chiave pubblica sconosciuta "+fp)
		return nil, errors.New("unknown key")
	}
	if reason := addrRefusal(&u, meta.RemoteAddr()); reason != "" {
		st.refuse(u.Name, fp, reason)
		return nil, errors.New("source address not allowed")
	}
	if u.TOTPSecret == "" {
		st.authenticated()
		return verifiedPermissions(u.Name, key, ""), nil
	}
	st.refuse(u.Name, fp, "codice TOTP richiesto ma non fornito")
	return nil, &gossh.PartialSuccessError{Next: gossh.ServerAuthCallbacks{
		KeyboardInteractiveCallback: func(_ gossh.ConnMetadata, challenge gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
			return s.totpStep(st, u.Name, key, challenge)
		},
	}}
}

// totpStep asks for the current code. The user is re-read so that a secret
// replaced or removed meanwhile is honoured.
func (s *Server) totpStep(st *connState, name string, key gossh.PublicKey, challenge gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
	fp := gossh.FingerprintSHA256(key)
	if left := s.totp.locked(name); left > 0 {
		st.refuse(name, fp, lockedReason(left))
		return nil, errors.New("second step locked")
	}
	answers, err := challenge("cieaudit", "Secondo fattore di autenticazione", []string{"Codice TOTP: "}, []bool{true})
	if err != nil {
		st.refuse(name, fp, "codice TOTP non fornito")
		return nil, err
	}
	code := ""
	if len(answers) == 1 {
		code = strings.TrimSpace(answers[0])
	}
	if code == "" {
		st.refuse(name, fp, "codice TOTP mancante")
		return nil, errors.New("missing code")
	}
	u, err := s.cfg.Store.User(name)
	if err != nil || !u.HasKey(fp) {
		st.refuse(name, fp, "utente rimosso durante l'autenticazione")
		return nil, errors.New("user gone")
	}
	if u.TOTPSecret == "" {
		st.authenticated()
		return verifiedPermissions(name, key, ""), nil
	}
	step, ok := MatchTOTP(u.TOTPSecret, code, s.cfg.Now())
	if !ok {
		s.totpFailed(st, name, fp, "codice TOTP errato")
		return nil, errors.New("wrong code")
	}
	fresh, err := s.cfg.Store.ClaimTOTPStep(name, step)
	if err != nil {
		st.refuse(name, fp, "verifica del codice TOTP non riuscita: "+err.Error())
		return nil, err
	}
	if !fresh {
		s.totpFailed(st, name, fp, "codice TOTP già usato")
		return nil, errors.New("code reused")
	}
	s.totp.succeed(name)
	st.authenticated()
	return verifiedPermissions(name, key, "totp"), nil
}

// totpFailed counts a wrong or replayed code against name's budget. The
// failure that exhausts it locks the second step and is written to the
// access log at once, so that admins see it in cieaudit log.
func (s *Server) totpFailed(st *connState, name, fp, reason string) {
	st.refuse(name, fp, reason)
	lock, failures := s.totp.fail(name)
	if lock == 0 {
		return
	}
	reason = fmt.Sprintf("%s: secondo fattore bloccato per %s dopo %d codici errati", reason, lock, failures)
	s.cfg.Logger.Warn("secondo fattore bloccato", "user", name, "lock", lock, "failures", failures)
	s.logRefusal(storage.AccessEntry{Remote: st.remote, User: name, Fingerprint: fp, Reason: reason})
}

func verifiedPermissions(user string, key gossh.PublicKey, secondStep string) *gossh.Permissions {
	return &gossh.Permissions{Extensions: map[string]string{
		extPublicKey:   base64.StdEncoding.EncodeToString(key.Marshal()),
		extUser:        user,
		extFingerprint: gossh.FingerprintSHA256(key),
		extSecondStep:  secondStep,
	}}
}

// addrRefusal returns why u may not connect from addr, or "".
func addrRefusal(u *storage.User, addr net.Addr) string {
	if len(u.AllowFrom) == 0 {
		return ""
	}
	ip, ok := addrIP(addr)
	if !ok || !u.AllowsAddr(ip) {
		return fmt.Sprintf("indirizzo di provenienza %s non ammesso per l'utente %s (reti consentite: %s)",
			hostOf(addr.String()), u.Name, strings.Join(u.AllowFrom, ", "))
	}
	return ""
}

func addrIP(addr net.Addr) (netip.Addr, bool) {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		ip, ok := netip.AddrFromSlice(tcp.IP)
		return ip.Unmap(), ok
	}
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}

// limitKey is the rate limiter's bucket for a source address: the IPv4
// address, or the /64 network of an IPv6 one. A single IPv6 host is
// usually given a whole /64 and can pick any address in it, so a bucket
// per address would not slow it down at all.
func limitKey(remote string) string {
	host := hostOf(remote)
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.WithZone("").Unmap()
	if addr.Is4() {
		return addr.String()
	}
	return netip.PrefixFrom(addr, 64).Masked().String()
}

func hostOf(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}

// TOTP parameters: those of every authenticator app (RFC 6238 defaults).
const (
	TOTPPeriod = 30
	// TOTPSkew is the tolerance, in periods, on each side of now: a code of
	// the previous or next 30 seconds is accepted for clock drift.
	TOTPSkew = 1
)

// MatchTOTP checks code against secret at now with the tolerance window and
// returns the time step it belongs to, which the caller must claim to
// prevent reuse.
func MatchTOTP(secret, code string, now time.Time) (uint64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	current := now.Unix() / TOTPPeriod
	for d := int64(-TOTPSkew); d <= TOTPSkew; d++ {
		step := current + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*TOTPPeriod, 0), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return uint64(step), true
		}
	}
	return 0, false
}
