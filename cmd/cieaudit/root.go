package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
	"github.com/cieaudit/cieaudit/storage"
)

// app is what every command shares: where the database is, the streams, who
// is acting and the clock. Commands open the store through it.
type app struct {
	dbPath string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
	store  *storage.Store
	// user, when set, is who the changes are recorded under: the SSH server
	// sets the identity of the key that authenticated.
	user string
	// remote is set for commands run for an SSH session: the files around
	// the process are the server's, never the user's to read.
	remote bool
	// role is the SSH session's role (empty for the local CLI): the
	// session's command tree already holds only what it may run; role is
	// for the few decisions that depend on the data (import --merge of an
	// audit the database lacks).
	role checklist.Role
	// importSlots, set by the SSH server (one per server), bounds the
	// imports its sessions run at once (see tryImportSlot).
	importSlots chan struct{}
	// started is set once a command's own code runs; errors before that
	// (unknown command, missing required flag) are usage errors.
	started bool
}

// usageError marks a mistake in how the command was called (exit code 2).
type usageError struct{ error }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
	code := a.execute(args)
	// The CLI opened the store itself (a.open), so it closes it; a store
	// handed in by the SSH server is the server's to close.
	if a.store != nil {
		if err := a.store.Close(); err != nil && code == 0 {
			fmt.Fprintf(stderr, "cieaudit: %v\n", err)
			code = 1
		}
	}
	return code
}

// execute runs one command line, prints its error as one sentence and
// returns the exit code: 0, 1 on failure, 2 on usage errors.
func (a *app) execute(args []string) int {
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	if !a.started {
		// Cobra failed before any command ran: the call itself is wrong.
		err = asUsageError(err)
	}
	fmt.Fprintf(a.stderr, "cieaudit: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "cieaudit",
		Short: "Audit di sicurezza delle postazioni di emissione CIE",
		Long: `cieaudit guida l'audit in loco delle postazioni di emissione della Carta d'Identità
Elettronica (D.M. Interno 2 agosto 2005 e Allegato A): checklist di misure fisiche,
tecniche e organizzative per ente, sedi e postazioni, analisi dei rischi e report.

Senza sottocomandi apre l'interfaccia a terminale sul database predefinito.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations:   map[string]string{annotationLive: "tui"},
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runTUI(cmd)
		},
	}
	root.PersistentFlags().StringVar(&a.dbPath, "db", "", "file del database (predefinito: $CIEAUDIT_DB, altrimenti la cartella dati dell'utente)")
	root.Flags().String("audit", "", "apre direttamente l'audit con questo ID")
	// On the root, so that every command, and every tree built from this
	// constructor for an SSH session, inherits the Italian flag errors.
	root.SetFlagErrorFunc(flagError)

	root.AddCommand(
		newDemoCmd(a),
		newCatalogCmd(a),
		newAuditCmd(a),
		newWorkstationCmd(a), newSedeCmd(a),
		newAnswerCmd(a),
		newBackupCmd(a),
		newDoctorCmd(a),
		newRiskCmd(a), newActionCmd(a),
		newServeCmd(a), newUserCmd(a), newLogCmd(a),
		newExportCmd(a),
		newPlanCmd(a), newOperatorCmd(a), newEventCmd(a), newEvidenceCmd(a), newPurgeCmd(a), newImportCmd(a),
		newCycleDocCmd(a, export.DocSheet), newCycleDocCmd(a, export.DocDeclaration), newDeadlinesCmd(a),
	)
	installVersion(root)
	localise(root)
	installCompletion(a, root)
	wrapCommands(a, root)
	return root
}

// asUsageError marks err as a usage error. An error cobra produced before
// any command ran, and that none of our checks rebuilt in Italian, is not
// shown: it would be English.
func asUsageError(err error) error {
	var ue usageError
	if errors.As(err, &ue) {
		return err
	}
	return usagef("riga di comando non valida (vedere cieaudit --help)")
}

// annotationLive marks the commands whose standard output is a terminal
// session or a live log (the TUI, serve): they write it unbuffered.
const annotationLive = "cieaudit-live-output"

// buffered runs a command with its standard output buffered and flushed when
// it ends: a listing of 10,000 audits is then a few write(2) calls instead of
// one per table cell.
func (a *app) buffered(run func() error) error {
	out := a.stdout
	bw := bufio.NewWriterSize(out, 64<<10)
	a.stdout = bw
	defer func() { a.stdout = out }()
	err := run()
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	return err
}

// wrapCommands makes every check of the command line speak Italian and
// exit 2 (see italian.go), gives commands that only group subcommands a
// refusal of unknown ones, and records when a command's own code starts.
func wrapCommands(a *app, c *cobra.Command) {
	c.SuggestionsMinimumDistance = 2
	if c.Run == nil && c.RunE == nil && c.HasSubCommands() {
		groupCommand(c)
	}
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			a.started = true
			if c.Annotations[annotationLive] != "" {
				return run(cmd, args)
			}
			return a.buffered(func() error { return run(cmd, args) })
		}
		preE, pre := c.PreRunE, c.PreRun
		c.PreRun = nil
		c.PreRunE = func(cmd *cobra.Command, args []string) error {
			if preE != nil {
				if err := preE(cmd, args); err != nil {
					return err
				}
			} else if pre != nil {
				pre(cmd, args)
			}
			return checkRequiredFlags(cmd)
		}
	}
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			err := check(cmd, args)
			var ue usageError
			if err == nil || errors.As(err, &ue) {
				return err
			}
			// A cobra validator (cobra.ExactArgs...): its text is English.
			return usagef("argomenti non validi per %q: ricevuti %d (uso: %s)", cmd.CommandPath(), len(args), cmd.UseLine())
		}
	}
	for _, sub := range c.Commands() {
		wrapCommands(a, sub)
	}
}

// databasePath resolves --db, then $CIEAUDIT_DB, then the user data directory.
func (a *app) databasePath() (string, error) {
	if a.dbPath != "" {
		return a.dbPath, nil
	}
	if p := os.Getenv("CIEAUDIT_DB"); p != "" {
		return p, nil
	}
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("impossibile trovare la cartella dell'utente; indicare il database con --db: %w", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "cieaudit", "cieaudit.db"), nil
}

// open returns the store, opening it on first use.
func (a *app) open() (*storage.Store, error) {
	if a.store != nil {
		return a.store, nil
	}
	path, err := a.databasePath()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("impossibile creare la cartella del database: %w", err)
	}
	s, err := storage.Open(path, storage.Options{Now: a.now})
	if err != nil {
		return nil, err
	}
	a.store = s
	return s, nil
}

// openExisting is open for the commands that inspect or copy a database:
// on a mistyped path they must say so, not create an empty database and
// report it healthy.
func (a *app) openExisting() (*storage.Store, error) {
	if a.store == nil {
		path, err := a.databasePath()
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%w (controllare --db)", checklist.PathError("il database", path, err))
		}
	}
	return a.open()
}

// author is who the CLI records as the author of a change: the SSH user,
// else $CIEAUDIT_USER, else the operating-system user.
func (a *app) author() string {
	if a.user != "" {
		return a.user
	}
	if u := os.Getenv("CIEAUDIT_USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "sconosciuto"
}
