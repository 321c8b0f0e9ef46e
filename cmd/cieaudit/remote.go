package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cieaudit/cieaudit/checklist"
)

// Commands over SSH are built the way soft-serve builds them: every session
// gets its own cobra tree, made for the caller's role, in which the commands
// the role may not run and the flags that would name files of the server do
// not exist. The tree is the one place that decides: cobra's own parse of
// the command line is the check, so what is accepted is exactly what runs,
// whatever the order of commands and options. The access log is written
// after that parse (accept), with cobra's refusal as the reason otherwise.

// remoteCommands is the least role that may run each command over SSH. A
// command missing here does not exist over SSH: the jump host exposes what
// the back office needs, not the whole CLI (no serve, demo, catalog
// validate or TUI, which would reach files of the server).
var remoteCommands = map[string]checklist.Role{
	"help":               checklist.RoleViewer,
	"audit list":         checklist.RoleViewer,
	"audit show":         checklist.RoleViewer,
	"audit diff":         checklist.RoleViewer,
	"catalog list":       checklist.RoleViewer,
	"catalog show":       checklist.RoleViewer,
	"export":             checklist.RoleViewer,
	"risk":               checklist.RoleViewer,
	"answer":             checklist.RoleAuditor,
	"audit new":          checklist.RoleAuditor,
	"audit set":          checklist.RoleAuditor, // the stemma on standard input
	"workstation add":    checklist.RoleAuditor,
	"workstation rename": checklist.RoleAuditor,
	"workstation remove": checklist.RoleAuditor,
	"sede rename":        checklist.RoleAuditor,
	"sede remove":        checklist.RoleAuditor,
	"action set":         checklist.RoleAuditor,
	// The yearly cycle: reading it is a viewer's, recording it and
	// producing the quarter's documents (noted in the history) an auditor's.
	"plan show":       checklist.RoleViewer,
	"operator list":   checklist.RoleViewer,
	"event list":      checklist.RoleViewer,
	"deadlines":       checklist.RoleViewer,
	"plan set":        checklist.RoleAuditor,
	"operator add":    checklist.RoleAuditor,
	"operator revoke": checklist.RoleAuditor,
	"event add":       checklist.RoleAuditor,
	"event close":     checklist.RoleAuditor,
	"sheet":           checklist.RoleAuditor,
	"declaration":     checklist.RoleAuditor,
	// Evidence: files come on the session's standard input, go to its
	// standard output.
	"evidence list":   checklist.RoleViewer,
	"evidence get":    checklist.RoleViewer,
	"evidence add":    checklist.RoleAuditor,
	"evidence remove": checklist.RoleAuditor,
	// import creates an audit as the bundle says, history, authors and
	// catalogue included: an administrator's, with the bundle on standard
	// input (import - < fascicolo.zip). An auditor may only merge a copy
	// into an audit the database holds (import --merge -, adminFlags): the
	// work of a laptop brought back to the jump host.
	"import":       checklist.RoleAuditor,
	"audit delete": checklist.RoleAdmin,
	"user add":     checklist.RoleAdmin,
	"user list":    checklist.RoleAdmin,
	"user remove":  checklist.RoleAdmin,
	"user totp":    checklist.RoleAdmin,
	"log":          checklist.RoleAdmin,
	"doctor":       checklist.RoleAdmin,
	"backup":       checklist.RoleAdmin,
}

// serverFile is a flag that would name a file where the command runs. Over
// SSH it either does not exist, or (keep) exists with a value restricted to
// what is not a server file, e.g. --out - for the session's stdout.
type serverFile struct {
	flag string
	// keep, if not nil, keeps the flag and accepts only values it passes.
	keep func(value string) bool
	// preset is the value the flag takes over SSH before parsing.
	preset string
	why    string // Italian, the reason given when the flag is refused
}

func onlyStdout(v string) bool { return v == "-" }

// storedCatalogue accepts a catalogue already in the database (ID or
// ID@VERSIONE), never a path.
func storedCatalogue(v string) bool {
	return !strings.ContainsAny(v, `/\`) && !strings.HasSuffix(v, ".yaml") && !strings.HasSuffix(v, ".yml")
}

// serverFiles lists, per command path ("" for every command), the flags
// that the SSH tree removes or restricts.
var serverFiles = map[string][]serverFile{
	"": {{flag: "db", why: "--db non esiste via SSH: i comandi usano il database del server"}},
	"export": {
		{flag: "out", keep: onlyStdout, preset: "-", why: "via SSH l'esportazione va solo sullo standard output: omettere --out o usare --out - (ssh … export ID --format csv > file.csv)"},
		{flag: "sign", why: "via SSH --sign non esiste (userebbe una chiave del server): firmare sul proprio computer, con cieaudit export --sign o con ssh-keygen -Y sign -f CHIAVE -n cieaudit SHA256SUMS"},
	},
	"sheet":        {{flag: "out", keep: onlyStdout, preset: "-", why: "via SSH la scheda va solo sullo standard output, come zip: usare --out -"}},
	"declaration":  {{flag: "out", keep: onlyStdout, preset: "-", why: "via SSH la dichiarazione va solo sullo standard output, come zip: usare --out -"}},
	"evidence get": {{flag: "out", keep: onlyStdout, preset: "-", why: "via SSH l'allegato va solo sullo standard output: usare --out - (ssh … evidence get AUDIT ID --out - > file)"}},
	"user add":     {{flag: "key-file", why: "via SSH --key-file non esiste (leggerebbe un file del server): passare la chiave con --key \"'ssh-ed25519 AAAA… commento'\""}},
	"audit new":    {{flag: "catalog", keep: storedCatalogue, why: "via SSH --catalog accetta solo un catalogo già caricato (ID o ID@VERSIONE), non un file del server"}},
	"audit set":    {{flag: "logo", keep: func(v string) bool { return v == "-" || v == "" }, why: "via SSH lo stemma si passa sullo standard input: ssh … audit set AUDIT --logo - < stemma.png"}},
}

// editFlags lists, per command path, the flags that turn a reading command
// into a change of the audit: over SSH they exist only for the roles that
// may edit (risk is a viewer's command, risk --set an auditor's).
var editFlags = map[string][]serverFile{
	"risk": {
		{flag: "set", why: "via SSH --set richiede il ruolo auditor: il ruolo lettore legge l'analisi dei rischi ma non la modifica"},
		{flag: "probability"}, {flag: "impact"}, {flag: "reason"}, {flag: "reset"},
	},
}

// adminFlags lists, per command path, the flags fixed for the roles below
// administrator: for them import exists only with --merge (and merging
// into an audit the database lacks, which would import it, is refused).
var adminFlags = map[string][]serverFile{
	"import": {{flag: "merge", keep: func(v string) bool { return v == "true" }, preset: "true",
		why: "via SSH il ruolo auditor può solo unire una copia a un audit già presente (ssh … import --merge - < fascicolo.zip): importare un audit nuovo richiede il ruolo amministratore"}},
}

// remoteFlags are the flags the SSH tree of role removes or restricts on
// the command at path.
func remoteFlags(path string, role checklist.Role) []serverFile {
	drop := slices.Clone(serverFiles[path])
	drop = append(drop, serverFiles[""]...)
	if !role.CanEdit() {
		drop = append(drop, editFlags[path]...)
	}
	if !role.CanAdminister() {
		drop = append(drop, adminFlags[path]...)
	}
	return drop
}

// restrictedValue is a flag value that refuses what keep does not accept.
type restrictedValue struct {
	pflag.Value
	keep func(string) bool
}

func (v restrictedValue) Set(s string) error {
	if !v.keep(s) {
		return fmt.Errorf("valore %q non ammesso via SSH", s)
	}
	return v.Value.Set(s)
}

// roleAtLeast reports whether have includes every right of need.
func roleAtLeast(have, need checklist.Role) bool {
	switch need {
	case checklist.RoleViewer:
		return have == checklist.RoleViewer || have.CanEdit()
	case checklist.RoleAuditor:
		return have.CanEdit()
	case checklist.RoleAdmin:
		return have.CanAdminister()
	}
	return false
}

// commandPath is a command's path below the root: "audit list", "export".
func commandPath(c *cobra.Command) string {
	return strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), c.Root().Name()), " ")
}

// newRemoteRootCmd is the command tree of one SSH session for role.
func newRemoteRootCmd(a *app, role checklist.Role) *cobra.Command {
	root := newRootCmd(a)
	root.Long = "cieaudit sul server SSH: i comandi elencati sono quelli ammessi per il ruolo «" + role.Label() + "»."
	replaceCommand(root, "backup", newRemoteBackupCmd(a))
	prune(root, role)
	walk(root, func(c *cobra.Command) {
		if c.HasSubCommands() || c == root {
			// A group (or the root) shows its help; anything after it is
			// a command that does not exist for this role, refused by the
			// parse instead of answered with the help.
			c.Args = func(cmd *cobra.Command, args []string) error {
				if len(args) > 0 {
					return usagef("comando %q non disponibile per il ruolo %s (vedere %s --help)", strings.TrimSpace(commandPath(cmd)+" "+args[0]), role.Label(), cmd.CommandPath())
				}
				return nil
			}
			c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
		}
		drop := remoteFlags(commandPath(c), role)
		if c == root {
			drop = append(drop, serverFile{flag: "audit"})
		}
		dropFlags(c, drop)
	})
	return root
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}

// prune removes the commands role may not run, and the groups left empty.
func prune(c *cobra.Command, role checklist.Role) {
	for _, sub := range slices.Clone(c.Commands()) {
		if sub.HasSubCommands() {
			prune(sub, role)
			if !sub.HasSubCommands() {
				c.RemoveCommand(sub)
			}
			continue
		}
		if need, ok := remoteCommands[commandPath(sub)]; !ok || !roleAtLeast(role, need) {
			c.RemoveCommand(sub)
		}
	}
}

func replaceCommand(root *cobra.Command, name string, with *cobra.Command) {
	for _, c := range slices.Clone(root.Commands()) {
		if c.Name() == name {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(with)
}

// dropFlags removes from c the flags drop lists, or restricts those it
// keeps, after giving each its SSH preset value.
func dropFlags(c *cobra.Command, drop []serverFile) {
	gone := map[string]bool{}
	for _, d := range drop {
		f := c.Flags().Lookup(d.flag)
		if f == nil {
			f = c.PersistentFlags().Lookup(d.flag)
		}
		if f == nil {
			continue
		}
		if d.preset != "" {
			_ = f.Value.Set(d.preset)
			f.DefValue = d.preset
			delete(f.Annotations, cobra.BashCompOneRequiredFlag) // preset: no longer required
		}
		if d.keep != nil {
			f.Value = restrictedValue{f.Value, d.keep}
			continue
		}
		gone[d.flag] = true
	}
	if len(gone) == 0 {
		return
	}
	var local, persistent []*pflag.Flag
	isPersistent := map[string]bool{}
	c.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		isPersistent[f.Name] = true
		if !gone[f.Name] {
			persistent = append(persistent, f)
		}
	})
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if !gone[f.Name] && !isPersistent[f.Name] {
			local = append(local, f)
		}
	})
	c.ResetFlags()
	for _, f := range local {
		c.Flags().AddFlag(f)
	}
	for _, f := range persistent {
		c.PersistentFlags().AddFlag(f)
	}
}

// newRemoteBackupCmd is backup over SSH: the copy goes to the session's
// standard output only (ssh … backup - > copia.db), never to a server path.
func newRemoteBackupCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "backup [-]",
		Short: "Copia coerente del database sullo standard output (ssh … backup - > copia.db)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 || len(args) == 1 && args[0] != "-" {
				return usagef("via SSH il backup va solo sullo standard output: usare ssh … backup - > copia.db")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open()
			if err != nil {
				return err
			}
			if _, err := s.BackupTo(a.stdout); err != nil {
				return fmt.Errorf("backup: %w", err)
			}
			return nil
		},
	}
}

// executeRemote runs one command line of an SSH session for role. accept
// is called once the command line has been parsed and is allowed, right
// before the command's own code runs: the server logs the session as
// accepted there. If the command is refused before that, executeRemote
// returns the reason (nothing has run, nothing was printed) with the exit
// code; otherwise it returns the command's exit code and a nil reason.
func (a *app) executeRemote(args []string, role checklist.Role, accept func() error) (code int, refused error) {
	a.role = role
	root := newRemoteRootCmd(a, role)
	accepted := false
	gate := func() error {
		if accepted {
			return nil
		}
		if err := accept(); err != nil {
			return err
		}
		accepted = true
		return nil
	}
	walk(root, func(c *cobra.Command) {
		if run := c.RunE; run != nil {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if err := gate(); err != nil {
					return err
				}
				return run(cmd, args)
			}
		}
	})
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.Execute()
	if !accepted {
		if err == nil {
			// Help or completion: cobra answered without running a
			// command of ours.
			if err := gate(); err != nil {
				return 1, err
			}
			return 0, nil
		}
		err = asUsageError(err)
		return exitCode(err), a.refusal(root, role, args, err)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "cieaudit: %v\n", err)
		return exitCode(err), nil
	}
	return 0, nil
}

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// refusal explains why the session's tree refused args: the command exists
// but needs another role or is not offered over SSH, or a flag names a
// server file; otherwise cobra's own message.
func (a *app) refusal(root *cobra.Command, role checklist.Role, args []string, err error) error {
	full := newRootCmd(&app{now: a.now, stdin: a.stdin, stdout: io.Discard, stderr: io.Discard})
	if cmd, _, ferr := full.Find(args); ferr == nil && cmd != full {
		path := commandPath(cmd)
		if own, _, ferr := root.Find(args); ferr != nil || own == root || commandPath(own) != path {
			need, ok := remoteCommands[path]
			if ok && !roleAtLeast(role, need) {
				return usagef("il ruolo %s non consente %q: serve il ruolo %s", role.Label(), path, need.Label())
			}
			if !ok && cmd.Runnable() {
				return usagef("comando %q non disponibile via SSH", path)
			}
		}
		for _, d := range remoteFlags(path, role) {
			if d.why != "" && mentionsFlag(err.Error(), cmd.Flag(d.flag)) {
				return usagef("%s", d.why)
			}
		}
	}
	return err
}

// mentionsFlag reports whether a pflag error message is about f.
func mentionsFlag(msg string, f *pflag.Flag) bool {
	if f == nil {
		return false
	}
	return strings.Contains(msg, "--"+f.Name) || f.Shorthand != "" && strings.Contains(msg, "'"+f.Shorthand+"'")
}
