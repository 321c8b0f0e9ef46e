package server

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cieaudit/cieaudit/checklist"
)

// commandRoles is the least role that may run each command over SSH. A
// command missing here is refused for everyone: the jump host exposes what
// the back office needs, not the whole CLI (no serve, demo or --db, which
// would reach files of the server; backup is streamed to the client).
var commandRoles = map[string]checklist.Role{
	"help":            checklist.RoleViewer,
	"audit list":      checklist.RoleViewer,
	"audit show":      checklist.RoleViewer,
	"catalog list":    checklist.RoleViewer,
	"catalog show":    checklist.RoleViewer,
	"export":          checklist.RoleViewer,
	"risk":            checklist.RoleViewer,
	"answer":          checklist.RoleAuditor,
	"audit new":       checklist.RoleAuditor,
	"workstation add": checklist.RoleAuditor,
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
	"sheet":           checklist.RoleAuditor, // to stdout only: see cmd cycle.go
	"declaration":     checklist.RoleAuditor,
	"audit delete":    checklist.RoleAdmin,
	"user add":        checklist.RoleAdmin,
	"user list":       checklist.RoleAdmin,
	"user remove":     checklist.RoleAdmin,
	"user totp":       checklist.RoleAdmin,
	"log":             checklist.RoleAdmin,
	"doctor":          checklist.RoleAdmin,
	"backup":          checklist.RoleAdmin, // to stdout only: see cmd serve
}

// groups are the commands that take a subcommand.
var groups = map[string]bool{"audit": true, "catalog": true, "workstation": true, "user": true, "plan": true, "operator": true, "event": true}

// CommandName returns the command path of args ("audit list", "export"):
// the leading words, before any flag. The first flag ends the path: a flag's
// value cannot be told from a command word without the command's own flag
// definitions, so "--role risk user add" must not read as "risk" when the
// CLI would run "user add". Commands over SSH therefore name the command
// first and put options after it.
func CommandName(args []string) string {
	var words []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		words = append(words, a)
		if len(words) == 1 && !groups[a] || len(words) == 2 {
			break
		}
	}
	return strings.Join(words, " ")
}

// Authorize says whether role may run args over SSH, and if not why, in
// words a user can act on.
func Authorize(role checklist.Role, args []string) error {
	for _, a := range args {
		if a == "--db" || strings.HasPrefix(a, "--db=") {
			return fmt.Errorf("l'opzione --db non è ammessa via SSH: i comandi usano il database del server")
		}
	}
	name := CommandName(args)
	if name == "" && len(args) > 0 {
		return fmt.Errorf("indicare il comando prima delle opzioni (es. audit list --json); comandi ammessi per il ruolo %s: %s",
			role.Label(), strings.Join(CommandsFor(role), ", "))
	}
	need, ok := commandRoles[name]
	if !ok {
		return fmt.Errorf("comando %q non disponibile via SSH; comandi ammessi per il ruolo %s: %s",
			name, role.Label(), strings.Join(CommandsFor(role), ", "))
	}
	if !roleAtLeast(role, need) {
		return fmt.Errorf("il ruolo %s non consente %q: serve il ruolo %s", role.Label(), name, need.Label())
	}
	return nil
}

// CommandsFor lists the commands role may run over SSH, sorted.
func CommandsFor(role checklist.Role) []string {
	var out []string
	for name, need := range commandRoles {
		if roleAtLeast(role, need) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

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
