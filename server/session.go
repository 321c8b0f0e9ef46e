package server

import (
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	bm "charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/cieaudit/cieaudit/storage"
)

// handleSession is the whole session pipeline: identity re-check, limits,
// access log, then the TUI or one command. Written as one function rather
// than a wish middleware chain so that the order is plain to read.
func (s *Server) handleSession(raw ssh.Session) {
	// From here on the session's terminal sizes are clamped and its context
	// ends with it.
	sess, end := bound(raw)
	defer end()
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Logger.Error("panic in una sessione", "panic", r, "stack", string(debug.Stack()))
			fmt.Fprintln(sess.Stderr(), "cieaudit: errore interno, sessione chiusa")
			_ = sess.Exit(1)
		}
	}()
	remote := sess.RemoteAddr().String()
	id, reason := s.identify(sess)
	if reason != "" {
		s.logRefusal(storage.AccessEntry{Remote: remote, User: id.User, Fingerprint: id.Fingerprint, Reason: reason})
		s.deny(sess, reason)
		return
	}
	if s.draining.Load() {
		s.deny(sess, "il server è in arresto")
		return
	}
	if err := s.sessions.acquire(id.User); err != nil {
		s.logRefusal(storage.AccessEntry{Remote: remote, User: id.User, Fingerprint: id.Fingerprint, Reason: err.Error()})
		s.deny(sess, err.Error())
		return
	}
	defer func() {
		if s.sessions.release(id.User) == 0 {
			s.returnMemory()
		}
	}()

	args := sess.Command()
	_, _, hasPty := sess.Pty()
	entry := storage.AccessEntry{Remote: remote, User: id.User, Fingerprint: id.Fingerprint, Accepted: true, Session: "tui"}
	if len(args) > 0 {
		entry.Session = strings.Join(args, " ")
		s.runCommand(sess, id, args, entry)
		return
	}
	if !hasPty {
		entry.Accepted = false
		entry.Reason = "sessione senza terminale e senza comando"
		s.logRefusal(entry)
		s.deny(sess, "serve un terminale interattivo (ssh -t) oppure un comando, per esempio: ssh … audit list")
		return
	}
	end, err := s.logAccepted(entry)
	if err != nil {
		s.deny(sess, err.Error())
		return
	}
	defer end()
	s.runTUI(sess, id)
}

// logAccepted records an accepted session and returns the function that
// records its end. An unrecorded session must not happen: if the log cannot
// be written the caller refuses rather than let someone in unseen.
func (s *Server) logAccepted(entry storage.AccessEntry) (end func(), err error) {
	seq, err := s.cfg.Store.LogAccess(entry)
	if err != nil {
		s.cfg.Logger.Error("registro accessi non scrivibile", "err", err)
		return nil, errors.New("registro accessi non disponibile")
	}
	s.cfg.Logger.Info("sessione aperta", "user", entry.User, "remote", entry.Remote, "session", entry.Session)
	return func() {
		if err := s.cfg.Store.EndAccess(seq, s.cfg.Now()); err != nil {
			s.cfg.Logger.Error("fine sessione non registrata", "err", err)
		}
		s.cfg.Logger.Info("sessione chiusa", "user", entry.User, "remote", entry.Remote)
	}, nil
}

// runCommand runs one command for the session. Exec parses it against what
// the identity may run and calls accept before running it: the access log
// says "ammesso" only then, and otherwise "rifiutato" with Exec's reason.
func (s *Server) runCommand(sess ssh.Session, id Identity, args []string, entry storage.AccessEntry) {
	if s.cfg.Exec == nil {
		entry.Accepted, entry.Reason = false, "comandi non disponibili su questo server"
		s.logRefusal(entry)
		s.deny(sess, entry.Reason)
		return
	}
	var end func()
	accept := func() error {
		var err error
		end, err = s.logAccepted(entry)
		return err
	}
	code, refused := s.cfg.Exec(sess.Context(), sess, id, args, accept)
	if end != nil {
		end()
	} else {
		if refused == nil {
			refused = errors.New("comando non eseguito")
		}
		entry.Accepted, entry.Reason = false, refused.Error()
		s.logRefusal(entry)
		fmt.Fprintf(sess.Stderr(), "cieaudit: comando rifiutato: %s\n", refused)
		if code == 0 {
			code = 1
		}
	}
	_ = sess.Exit(code)
}

// returnMemory hands the memory freed by ended sessions back to the system
// once the last one has ended. The Go runtime would otherwise keep it
// mapped until its periodic collection and scavenging, minutes later, and
// the server's RSS would stay at the level of its busiest moment.
func (s *Server) returnMemory() {
	if !s.freeing.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer s.freeing.Store(false)
		debug.FreeOSMemory()
	}()
}

// deny tells the client why and ends the session with a failure status.
func (s *Server) deny(sess ssh.Session, reason string) {
	fmt.Fprintf(sess.Stderr(), "cieaudit: accesso negato: %s\n", reason)
	_ = sess.Exit(1)
}

// identify re-checks, at session start, everything authentication decided:
// the key the session is bound to is the one verified, it still belongs to
// the same user, the source address is allowed and the second factor was
// passed. It returns the identity, or why the session is refused.
func (s *Server) identify(sess ssh.Session) (Identity, string) {
	id := Identity{Remote: sess.RemoteAddr().String()}
	pk := sess.PublicKey()
	if pk == nil {
		return id, "sessione senza chiave pubblica verificata"
	}
	id.Fingerprint = gossh.FingerprintSHA256(pk)
	ext := sess.Permissions().Extensions
	if ext[extFingerprint] != id.Fingerprint {
		return id, "la chiave della sessione non è quella verificata"
	}
	u, err := s.cfg.Store.UserByKey(id.Fingerprint)
	if err != nil {
		return id, "chiave pubblica non più registrata " + id.Fingerprint
	}
	id.User = u.Name
	id.Role = u.Role
	if u.Name != ext[extUser] {
		return id, "la chiave è passata a un altro utente durante l'accesso"
	}
	if reason := addrRefusal(&u, sess.RemoteAddr()); reason != "" {
		return id, reason
	}
	if u.TOTPSecret != "" && ext[extSecondStep] != "totp" {
		return id, "secondo fattore (TOTP) non verificato"
	}
	return id, ""
}

// runTUI serves the TUI on the session's terminal until the user leaves,
// the connection drops or the server shuts down.
func (s *Server) runTUI(sess *boundedSession, id Identity) {
	var model tea.Model
	if s.cfg.NewModel != nil {
		m, err := s.cfg.NewModel(sess, id)
		if err != nil {
			fmt.Fprintf(sess.Stderr(), "cieaudit: %v\n", err)
			_ = sess.Exit(1)
			return
		}
		model = m
	} else {
		model = placeholder{id: id, quitOn: reflect.TypeOf(s.cfg.ShutdownMsg)}
	}
	// A model holding background work (the TUI's idle timer) releases it
	// when the session ends, however it ends.
	if c, ok := model.(interface{ Close() }); ok {
		defer c.Close()
	}
	var prog *tea.Program
	handler := func(ssh.Session) *tea.Program {
		prog = tea.NewProgram(model, programOptions(sess, s.cfg.FPS)...)
		s.programs.add(prog)
		// Shutdown sets draining before it broadcasts: a program added too
		// late for the broadcast sees the flag here instead.
		if s.draining.Load() && s.cfg.ShutdownMsg != nil {
			go prog.Send(s.cfg.ShutdownMsg)
		}
		return prog
	}
	bm.MiddlewareWithProgramHandler(handler)(func(ssh.Session) {})(sess)
	if prog != nil {
		s.programs.remove(prog)
	}
}

// logRefusal writes a refused attempt to the access log.
func (s *Server) logRefusal(e storage.AccessEntry) {
	e.Accepted = false
	s.cfg.Logger.Warn("accesso rifiutato", "remote", e.Remote, "user", e.User, "fingerprint", e.Fingerprint, "reason", e.Reason)
	if _, err := s.cfg.Store.LogAccess(e); err != nil {
		s.cfg.Logger.Error("registro accessi non scrivibile", "err", err)
	}
}

// placeholder is the TUI served when none is configured.
type placeholder struct {
	id     Identity
	quitOn reflect.Type
}

func (p placeholder) Init() tea.Cmd { return nil }

func (p placeholder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if p.quitOn != nil && reflect.TypeOf(msg) == p.quitOn {
		return p, tea.Quit
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && (k.String() == "q" || k.String() == "ctrl+c") {
		return p, tea.Quit
	}
	return p, nil
}

func (p placeholder) View() tea.View {
	return tea.NewView(fmt.Sprintf("cieaudit — %s (%s)\n\nq per uscire\n", p.id.User, p.id.Role.Label()))
}
