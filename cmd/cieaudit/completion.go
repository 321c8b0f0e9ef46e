package main

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
	"github.com/cieaudit/cieaudit/storage"
)

// Shell completion of values: audit IDs, the scopes of an audit, the items
// of its catalogue, user names, stored catalogues and every enumerated flag
// value. It is attached by the names the commands already use (a positional
// AUDIT, a flag --scope...), so a new command gets it without code of its own.

// enumValues are the fixed values of flags, by flag name; "role" depends on
// the command (see enumFor).
var enumValues = map[string][]string{
	"csv":      {string(export.DialectExcel), string(export.DialectRFC4180)},
	"format":   {formatBundle, formatCSV, formatJSON},
	"office":   {string(checklist.OfficeFront), string(checklist.OfficeBack)},
	"edition":  {string(checklist.EditionAlfa), string(checklist.EditionBeta), string(checklist.EditionUpdate)},
	"channel":  {string(checklist.ChannelPEC), string(checklist.ChannelPaper), string(checklist.ChannelOther)},
	"outcome":  {string(checklist.OutcomePending), string(checklist.OutcomeConforming), string(checklist.OutcomeRemarks)},
	"areas":    {"riservatezza", "integrita", "disponibilita"},
	"notified": names(checklist.Recipients),
}

func enumFor(c *cobra.Command, flag string) []string {
	switch {
	case flag == "table":
		return names(export.Tables)
	case flag == "format" && c.Name() == "export" && c.Parent() != nil && c.Parent().Name() == "catalog":
		return []string{"csv", "xlsx"}
	case flag == "role" && c.Parent() != nil && c.Parent().Name() == "operator":
		return []string{string(checklist.RoleRegistrar), string(checklist.RoleDelegate)}
	case flag == "role":
		return []string{string(checklist.RoleViewer), string(checklist.RoleAuditor), string(checklist.RoleAdmin)}
	}
	return enumValues[flag]
}

// installCompletion attaches the completion functions to every command.
func installCompletion(a *app, c *cobra.Command) {
	if c.ValidArgsFunction == nil && c.ValidArgs == nil && !c.HasSubCommands() {
		c.ValidArgsFunction = a.completeArgs
	}
	c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
		if _, done := c.GetFlagCompletionFunc(f.Name); done || f.Value.Type() == "bool" {
			return
		}
		var fn cobra.CompletionFunc
		if values := enumFor(c, f.Name); values != nil {
			fn = cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
		} else {
			fn = a.flagCompletion(c, f.Name)
		}
		if fn != nil {
			_ = c.RegisterFlagCompletionFunc(f.Name, fn)
		}
	})
	for _, sub := range c.Commands() {
		installCompletion(a, sub)
	}
}

// argNames are the placeholders of c's positional arguments, from its Use
// line: "close AUDIT ID --on DATA [opzioni]" gives ["AUDIT", "ID"].
func argNames(c *cobra.Command) []string {
	var names []string
	words := strings.Fields(c.Use)[1:]
	for i := 0; i < len(words); i++ {
		w := strings.Trim(words[i], "[]")
		switch {
		case strings.HasPrefix(w, "-"):
			if i+1 < len(words) && !strings.HasPrefix(words[i+1], "-") && !strings.HasPrefix(words[i+1], "[") {
				i++ // the flag's value
			}
		case w != "" && w != "opzioni":
			names = append(names, w)
		}
	}
	return names
}

const noFiles = cobra.ShellCompDirectiveNoFileComp

func (a *app) completeArgs(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	names := argNames(cmd)
	if len(args) >= len(names) {
		return nil, noFiles
	}
	group := cmd.Parent().Name()
	switch name := names[len(args)]; {
	case name == "AUDIT" || group == "audit" && (name == "ID" || name == "VECCHIO" || name == "NUOVO"):
		return a.completeAudits()
	case len(args) == 1 && (group == "sede" || group == "workstation") && (name == "NOME" || name == "VECCHIO"):
		return a.completePerimeter(group, args[0])
	case strings.HasPrefix(name, "ID[@"):
		return a.completeCatalogues()
	case name == "NOME" && cmd.Parent().Name() == "user" && cmd.Name() != "add":
		return a.completeUsers()
	case name == "ID" && len(args) == 1:
		return a.completeRecords(cmd.Parent().Name(), args[0])
	case strings.Contains(name, "FILE") || strings.Contains(name, "DIR"):
		return nil, cobra.ShellCompDirectiveDefault
	}
	return nil, noFiles
}

// flagCompletion completes the flags whose values come from the database.
func (a *app) flagCompletion(c *cobra.Command, flag string) cobra.CompletionFunc {
	auditOf := func(cmd *cobra.Command, args []string) string {
		if len(args) > 0 {
			return args[0]
		}
		return ""
	}
	switch flag {
	case "audit", "from":
		return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return a.completeAudits()
		}
	case "catalog":
		return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			keys, _ := a.completeCatalogues()
			// Also a YAML file: let the shell add file names.
			return keys, cobra.ShellCompDirectiveDefault
		}
	case "scope":
		return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return a.completeFromAudit(auditOf(cmd, args), func(snap *checklist.Snapshot) []cobra.Completion {
				var out []cobra.Completion
				for _, sc := range snap.Audit.Scopes() {
					out = append(out, completion(sc.String(), sc.Label()))
				}
				return out
			})
		}
	case "sede":
		return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return a.completeFromAudit(auditOf(cmd, args), func(snap *checklist.Snapshot) []cobra.Completion {
				var out []cobra.Completion
				for _, s := range snap.Audit.Sedi {
					out = append(out, completion(s.Name, ""))
				}
				return out
			})
		}
	case "postazione":
		return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return a.completeFromAudit(auditOf(cmd, args), func(snap *checklist.Snapshot) []cobra.Completion {
				var out []cobra.Completion
				for _, p := range snap.Audit.Postazioni {
					out = append(out, completion(p.Code, p.Sede))
				}
				return out
			})
		}
	case "item":
		return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return a.completeFromAudit(auditOf(cmd, args), func(snap *checklist.Snapshot) []cobra.Completion {
				return itemCompletions(snap, scopeFlag(cmd))
			})
		}
	case "value":
		return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			item, _ := cmd.Flags().GetString("item")
			return a.completeFromAudit(auditOf(cmd, args), func(snap *checklist.Snapshot) []cobra.Completion {
				return valueCompletions(snap.Catalogue.Item(strings.TrimSpace(item)))
			})
		}
	case "threat", "set":
		return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return a.completeFromAudit(auditOf(cmd, args), func(snap *checklist.Snapshot) []cobra.Completion {
				var out []cobra.Completion
				for _, t := range snap.Catalogue.Threats {
					out = append(out, completion(t.ID, t.Name))
				}
				return out
			})
		}
	}
	return nil
}

func scopeFlag(cmd *cobra.Command) *checklist.Scope {
	f := cmd.Flags().Lookup("scope")
	if f == nil || !f.Changed {
		return nil
	}
	sc, err := checklist.ParseScope(f.Value.String())
	if err != nil {
		return nil
	}
	return &sc
}

// itemCompletions lists the catalogue's items, only those asked at the
// scope's level when --scope is given.
func itemCompletions(snap *checklist.Snapshot, sc *checklist.Scope) []cobra.Completion {
	var out []cobra.Completion
	for _, s := range snap.Catalogue.Sections {
		for _, it := range s.Items {
			if sc != nil && it.Scope != sc.Kind {
				continue
			}
			out = append(out, completion(it.ID, it.Title()))
		}
	}
	return out
}

func valueCompletions(it *checklist.Item) []cobra.Completion {
	if it == nil {
		return nil
	}
	switch it.Answer.Kind {
	case checklist.KindOutcome, "":
		return []cobra.Completion{completion("si", "sì"), completion("no", ""), completion("parziale", ""), completion("na", "non applicabile (serve --note)")}
	case checklist.KindChoice:
		var out []cobra.Completion
		for _, c := range it.Answer.Choices {
			out = append(out, completion(c.ID, c.Label))
		}
		return out
	}
	return nil
}

// completion is one candidate with its description, cleaned: both come
// from the database and end up on the user's terminal.
func completion(value, desc string) cobra.Completion {
	value = checklist.CleanText(value, false)
	if desc == "" {
		return value
	}
	return cobra.CompletionWithDesc(value, checklist.CleanText(desc, false))
}

// completionStore opens the database read-only for a completion, never
// creating it and giving up quickly when the server holds it: completing
// must not hang or write.
func (a *app) completionStore() (*storage.Store, func(), bool) {
	if a.store != nil {
		return a.store, func() {}, true
	}
	path, err := a.databasePath()
	if err != nil {
		return nil, nil, false
	}
	if _, err := os.Stat(path); err != nil {
		return nil, nil, false
	}
	s, err := storage.Open(path, storage.Options{ReadOnly: true, LockTimeout: 300 * time.Millisecond})
	if err != nil {
		return nil, nil, false
	}
	return s, func() { s.Close() }, true
}

// completeFrom lists candidates read from the database; any failure (no
// database, locked, unreadable) completes nothing.
func (a *app) completeFrom(list func(*storage.Store) ([]cobra.Completion, error)) ([]cobra.Completion, cobra.ShellCompDirective) {
	s, done, ok := a.completionStore()
	if !ok {
		return nil, noFiles
	}
	defer done()
	out, err := list(s)
	if err != nil {
		return nil, noFiles
	}
	return out, noFiles
}

func (a *app) completeAudits() ([]cobra.Completion, cobra.ShellCompDirective) {
	return a.completeFrom(func(s *storage.Store) (out []cobra.Completion, err error) {
		audits, err := s.ListAudits()
		for _, au := range audits {
			out = append(out, completion(au.ID, au.Ente+" "+strconv.Itoa(au.Year)+" ("+au.Status.Label()+")"))
		}
		return out, err
	})
}

func (a *app) completeCatalogues() ([]cobra.Completion, cobra.ShellCompDirective) {
	return a.completeFrom(func(s *storage.Store) (out []cobra.Completion, err error) {
		cats, err := s.Catalogues()
		for _, c := range cats {
			out = append(out, completion(c.ID+"@"+c.Version, c.Title))
		}
		return out, err
	})
}

func (a *app) completeUsers() ([]cobra.Completion, cobra.ShellCompDirective) {
	return a.completeFrom(func(s *storage.Store) (out []cobra.Completion, err error) {
		users, err := s.Users()
		for _, u := range users {
			out = append(out, completion(u.Name, string(u.Role)))
		}
		return out, err
	})
}

// completePerimeter completes the sede names or postazione codes of an audit.
func (a *app) completePerimeter(group, audit string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return a.completeFromAudit(audit, func(snap *checklist.Snapshot) []cobra.Completion {
		var out []cobra.Completion
		if group == "sede" {
			for _, s := range snap.Audit.Sedi {
				out = append(out, completion(s.Name, ""))
			}
			return out
		}
		for _, p := range snap.Audit.Postazioni {
			out = append(out, completion(p.Code, p.Sede))
		}
		return out
	})
}

// completeRecords completes the second argument of "operator ... AUDIT ID"
// and "event ... AUDIT ID".
func (a *app) completeRecords(group, audit string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return a.completeFromAudit(audit, func(snap *checklist.Snapshot) []cobra.Completion {
		var out []cobra.Completion
		switch group {
		case "operator":
			for _, o := range snap.Operators {
				out = append(out, completion(o.ID, o.Name))
			}
		case "event":
			for _, e := range snap.Events {
				out = append(out, completion(e.ID, e.At+" "+e.Description))
			}
		}
		return out
	})
}

func (a *app) completeFromAudit(id string, list func(*checklist.Snapshot) []cobra.Completion) ([]cobra.Completion, cobra.ShellCompDirective) {
	if id == "" {
		return nil, noFiles
	}
	return a.completeFrom(func(s *storage.Store) ([]cobra.Completion, error) {
		snap, err := s.Load(id)
		if err != nil {
			return nil, err
		}
		return list(snap), nil
	})
}
