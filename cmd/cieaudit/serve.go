package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"github.com/spf13/cobra"
	"golang.org/x/time/rate"

	"github.com/cieaudit/cieaudit/server"
	"github.com/cieaudit/cieaudit/storage"
	"github.com/cieaudit/cieaudit/tui"
)

// serveOptions are the flags of cieaudit serve.
type serveOptions struct {
	listen             string
	hostKey            string
	idleTimeout        time.Duration
	handshakeTimeout   time.Duration
	shutdownTimeout    time.Duration
	maxSessions        int
	maxSessionsPerUser int
	fps                int
	connRate           float64
	connBurst          int
}

func newServeCmd(a *app) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:         "serve",
		Annotations: map[string]string{annotationLive: "log"},
		Short:       "Avvia il server SSH (jump host) con l'interfaccia a terminale per più auditor",
		Long: `Avvia il server SSH di cieaudit: ogni auditor si collega con la sua chiave pubblica
(registrata con cieaudit user add) e riceve l'interfaccia a terminale; senza terminale
esegue un comando, per esempio:

  ssh -p 2222 host export AUDIT --format csv > audit.csv
  ssh -p 2222 host audit list --json

Il server è l'unico processo che apre il database; la chiave host ed25519 viene creata
al primo avvio se manca e la sua impronta viene stampata per la verifica. SIGTERM o
SIGINT chiudono le sessioni in modo ordinato e poi il database.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.serve(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:2222", "indirizzo e porta di ascolto")
	f.StringVar(&o.hostKey, "host-key", "", "chiave host ed25519 (predefinita: ssh_host_ed25519_key accanto al database)")
	f.DurationVar(&o.idleTimeout, "idle-timeout", 15*time.Minute, "uscita automatica dall'interfaccia dopo questa inattività (0: mai)")
	f.DurationVar(&o.handshakeTimeout, "handshake-timeout", 30*time.Second, "tempo massimo per completare l'autenticazione")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 30*time.Second, "attesa massima della chiusura delle sessioni all'arresto")
	f.IntVar(&o.maxSessions, "max-sessions", 100, "sessioni contemporanee al massimo")
	f.IntVar(&o.maxSessionsPerUser, "max-sessions-per-user", 5, "sessioni contemporanee al massimo per utente")
	f.IntVar(&o.fps, "fps", 60, "fotogrammi al secondo al massimo dell'interfaccia di ogni sessione (1-120): più alti, eco dei tasti più rapida e più CPU")
	f.Float64Var(&o.connRate, "conn-rate", 0.5, "tentativi di connessione al secondo ammessi per indirizzo IP, a regime")
	f.IntVar(&o.connBurst, "conn-burst", 10, "tentativi di connessione ammessi in rapida successione per indirizzo IP")
	return cmd
}

func (a *app) serve(ctx context.Context, o serveOptions) error {
	if o.maxSessions <= 0 || o.maxSessionsPerUser <= 0 || o.connBurst <= 0 || o.connRate <= 0 {
		return usagef("--max-sessions, --max-sessions-per-user, --conn-rate e --conn-burst devono essere positivi")
	}
	if o.fps < 1 || o.fps > 120 {
		return usagef("--fps deve essere tra 1 e 120, non %d", o.fps)
	}
	if o.idleTimeout < 0 || o.handshakeTimeout <= 0 || o.shutdownTimeout <= 0 {
		return usagef("--idle-timeout non può essere negativo; --handshake-timeout e --shutdown-timeout devono essere positivi")
	}
	dbPath, err := a.databasePath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return fmt.Errorf("impossibile creare la cartella del database: %w", err)
	}
	if o.hostKey == "" {
		o.hostKey = filepath.Join(filepath.Dir(dbPath), "ssh_host_ed25519_key")
	}
	// Listen first: a wrong address must not leave a new database behind.
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return usagef("impossibile ascoltare su %s: %v", o.listen, err)
	}
	store, err := storage.Open(dbPath, storage.Options{Hold: true, Now: a.now})
	if err != nil {
		ln.Close()
		return err
	}
	// run() closes a.store when the command returns, after the shutdown.
	a.store = store
	if report, err := store.Check(); err != nil {
		ln.Close()
		return err
	} else if len(report.Problems) > 0 {
		ln.Close()
		return fmt.Errorf("il database %s ha %d problemi di integrità (%s): eseguire cieaudit doctor e ripristinare un backup prima di avviare il server",
			dbPath, len(report.Problems), report.Problems[0])
	}
	logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// sessionSaves counts the TUI sessions whose saves may still be queued.
	var sessionSaves sync.WaitGroup
	srv, err := server.New(server.Config{
		Store:       store,
		HostKeyPath: o.hostKey,
		NewModel: func(sess ssh.Session, id server.Identity) (tea.Model, error) {
			// TUI exports are written on the server, as the service user:
			// confine each user to their own folder next to the database.
			exportRoot := filepath.Join(filepath.Dir(dbPath), "exports", id.User)
			if err := os.MkdirAll(exportRoot, 0o750); err != nil {
				// Not fatal: the TUI retries before exporting and reports it.
				logger.Warn("cartella delle esportazioni non creata", "user", id.User, "dir", exportRoot, "err", err)
			}
			m := tui.New(tui.Options{
				Store:       store,
				User:        id.User,
				Role:        id.Role,
				Now:         a.now,
				IdleTimeout: o.idleTimeout,
				ExportRoot:  exportRoot,
				// The address the client reached, for the ssh commands the
				// TUI suggests (evidence add from the user's computer).
				SSHAddr: sess.LocalAddr().String(),
				// ssh -o SetEnv=CIEAUDIT_ACCESSIBLE=1: forms as prompts.
				Accessible: slices.Contains(sess.Environ(), "CIEAUDIT_ACCESSIBLE=1"),
			})
			// A client that disconnects ends the program without quitting:
			// its queued saves finish on their own, and the store must stay
			// open until they have.
			sessionSaves.Add(1)
			go func() {
				defer sessionSaves.Done()
				<-sess.Context().Done()
				m.WaitSaves()
			}()
			return m, nil
		},
		ChangedMsg: func(ev storage.Event) tea.Msg {
			return tui.ChangedMsg{AuditID: ev.AuditID, Author: ev.Author}
		},
		ShutdownMsg:        tui.ShutdownMsg{},
		Exec:               a.execOverSSH(store),
		HandshakeTimeout:   o.handshakeTimeout,
		MaxSessions:        o.maxSessions,
		MaxSessionsPerUser: o.maxSessionsPerUser,
		FPS:                o.fps,
		ConnRate:           rate.Limit(o.connRate),
		ConnBurst:          o.connBurst,
		Logger:             logger,
		Now:                a.now,
	})
	if err != nil {
		ln.Close()
		return err
	}
	fmt.Fprintf(a.stdout, "cieaudit serve: in ascolto su %s\n", ln.Addr())
	fmt.Fprintf(a.stdout, "Chiave host: %s\nImpronta della chiave host: %s\n", o.hostKey, srv.Fingerprint())
	fmt.Fprintf(a.stdout, "Database: %s\n", dbPath)

	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		if !errors.Is(err, ssh.ErrServerClosed) {
			return fmt.Errorf("server SSH interrotto: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	fmt.Fprintln(a.stdout, "Arresto in corso: chiusura delle sessioni…")
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(a.stderr, "cieaudit serve: alcune sessioni sono state chiuse forzatamente: %v\n", err)
	}
	<-served
	saved := make(chan struct{})
	go func() { sessionSaves.Wait(); close(saved) }()
	select {
	case <-saved:
	case <-sctx.Done():
		fmt.Fprintln(a.stderr, "cieaudit serve: alcuni salvataggi delle sessioni chiuse non si sono conclusi entro il tempo di arresto")
	}
	fmt.Fprintln(a.stdout, "Server arrestato; database chiuso.")
	return nil
}

// execOverSSH runs one CLI command for an SSH session against the server's
// open store, with the session as stdin/stdout/stderr, in the command tree
// of the caller's role (executeRemote).
func (a *app) execOverSSH(store *storage.Store) func(ctx context.Context, sess ssh.Session, id server.Identity, args []string, accept func() error) (int, error) {
	slots := make(chan struct{}, maxServerImports)
	return func(ctx context.Context, sess ssh.Session, id server.Identity, args []string, accept func() error) (int, error) {
		sub := &app{stdin: sess, stdout: sess, stderr: sess.Stderr(), now: a.now, store: store, user: id.User, remote: true, importSlots: slots}
		return sub.executeRemote(args, id.Role, accept)
	}
}
