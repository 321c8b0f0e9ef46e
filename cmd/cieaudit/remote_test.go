package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

var errStop = errors.New("fermato dal test")

// remoteVerdict parses line in the SSH tree of role, as a session would,
// and stops at the access-log step: it reports whether the line was
// accepted, or the reason it was refused. Nothing runs.
func remoteVerdict(t *testing.T, role checklist.Role, line string) (accepted bool, reason string, code int) {
	t.Helper()
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, now: time.Now, remote: true, user: "test"}
	code, refused := a.executeRemote(strings.Fields(line), role, func() error {
		accepted = true
		return errStop
	})
	if accepted {
		return true, "", code
	}
	if refused == nil {
		t.Fatalf("%s %q: neither accepted nor refused", role, line)
	}
	return false, refused.Error(), code
}

// TestRemoteTreePerRole: what each role may run over SSH, decided by the
// parse of its own command tree. It includes the command lines that once
// let a viewer run admin commands (a flag's value read as the command) and
// every flag that would name a file of the server.
func TestRemoteTreePerRole(t *testing.T) {
	t.Parallel()
	const (
		viewer  = checklist.RoleViewer
		auditor = checklist.RoleAuditor
		admin   = checklist.RoleAdmin
	)
	tests := []struct {
		role   checklist.Role
		line   string
		reason string // "" when accepted
	}{
		{viewer, "audit list --json", ""},
		{viewer, "export --all --format csv", ""},
		{viewer, "export --format csv AUD1", ""}, // options before arguments: fine
		{viewer, "export AUD1 --format csv --out -", ""},
		{viewer, "catalog show cie", ""},
		{viewer, "risk AUD1", ""},
		// risk --set changes the audit: an auditor's, not a viewer's.
		{viewer, "risk AUD1 --set T01 --probability 1 --impact 1 --reason x", "--set richiede il ruolo auditor"},
		{viewer, "risk AUD1 --reset", "opzione sconosciuta"},
		{auditor, "risk AUD1 --set T01 --probability 1 --impact 1 --reason x", ""},
		{viewer, "plan show AUD1 --json", ""},
		{viewer, "deadlines --json", ""},
		{viewer, "event list AUD1", ""},
		{viewer, "help", ""},
		{viewer, "audit diff AUD1 AUD2 --json", ""},
		{viewer, "audit new --from AUD1 --year 2027 --auditor A", `non consente "audit new"`},
		{auditor, "audit new --from AUD1 --year 2027 --auditor A --catalog cie-postazioni@2026.2", ""},
		{auditor, "audit new --from AUD1 --year 2027 --auditor A --catalog ./nuovo.yaml", "non un file del server"},
		{viewer, "audit --help", ""},
		{viewer, "answer AUD1 --scope ente --item X --value si", `il ruolo lettore non consente "answer": serve il ruolo auditor`},
		{viewer, "audit new --ente x", `non consente "audit new"`},
		{viewer, "event add AUD1 --at 2026-11-01", `non consente "event add"`},
		{viewer, "plan set AUD1 --sent-on 2026-11-01", `non consente "plan set"`},
		{viewer, "declaration AUD1 --quarter 2026Q4 --out -", `non consente "declaration"`},
		{auditor, "answer AUD1 --scope ente --item X --value si", ""},
		{auditor, "workstation add AUD1 --code PC1 --sede Municipio", ""},
		{auditor, "operator revoke AUD1 op-1 --on 2026-11-01", ""},
		{auditor, "sheet AUD1 --quarter 2026Q4 --out -", ""},
		{auditor, "sheet AUD1 --quarter 2026Q4", ""},
		{auditor, "audit new --ente E --istat 054001 --year 2026 --auditor A --catalog cie-postazioni@2026.1", ""},
		{auditor, "user list", `non consente "user list": serve il ruolo amministratore`},
		{auditor, "log --json", `non consente "log"`},
		{auditor, "audit delete AUD1 --yes", `non consente "audit delete"`},
		{auditor, "backup -", `non consente "backup"`},
		{admin, "user add mario --role viewer", ""},
		{admin, "log", ""},
		{admin, "backup -", ""},
		{admin, "backup", ""},
		{admin, "serve", `comando "serve" non disponibile via SSH`},
		{admin, "demo", `comando "demo" non disponibile via SSH`},
		{admin, "catalog validate /etc/passwd", `comando "catalog validate" non disponibile via SSH`},
		{"", "audit list", `non consente "audit list"`},
		// Flags that would name files of the server.
		{admin, "audit --db=/x list", "--db non esiste via SSH"},
		{admin, "--db /etc/passwd audit list", "--db non esiste via SSH"},
		{viewer, "export AUD1 --out /srv/cieaudit", "solo sullo standard output"},
		{viewer, "export AUD1 --out=/tmp/x", "solo sullo standard output"},
		{admin, "export AUD1 --sign /etc/ssh/ssh_host_ed25519_key", "--sign non esiste"},
		{viewer, "export AUD1 -o/tmp/x", "solo sullo standard output"},
		{auditor, "evidence add AUD1 --scope ente --item ORG-01 --name foto.jpg -", ""},
		{viewer, "evidence list AUD1 --json", ""},
		{viewer, "evidence get AUD1 al-1", ""},
		{viewer, "evidence add AUD1 --scope ente --item ORG-01 -", `non consente "evidence add"`},
		{viewer, "evidence remove AUD1 al-1", `non consente "evidence remove"`},
		{viewer, "evidence get AUD1 al-1 --out /tmp/x", "solo sullo standard output"},
		{admin, "purge --istat 054001 --yes", `"purge" non disponibile via SSH`},
		// import writes an audit as the bundle says: an administrator's,
		// the bundle on standard input. An auditor only merges a copy into
		// an audit the database holds: --merge is fixed for that role.
		{admin, "import -", ""},
		{admin, "import --merge - --json", ""},
		{auditor, "import --merge -", ""},
		{auditor, "import -", ""},
		{auditor, "import --merge=false -", "può solo unire una copia a un audit già presente"},
		{viewer, "import -", `non consente "import"`},
		{viewer, "import --merge -", `non consente "import"`},
		// The stemma comes on standard input, never from a server path.
		{auditor, "audit set AUD1 --logo -", ""},
		{auditor, "audit set AUD1 --no-logo --sindaco X", ""},
		{auditor, `audit set AUD1 --logo=`, ""},
		{auditor, "audit set AUD1 --logo /etc/passwd", "lo stemma si passa sullo standard input"},
		{auditor, "audit set AUD1 --logo=stemma.png", "lo stemma si passa sullo standard input"},
		{viewer, "audit set AUD1 --logo -", `non consente "audit set"`},
		{viewer, "export AUD1 -o=/tmp/x", "solo sullo standard output"},
		{auditor, "sheet AUD1 --quarter 2026Q4 --out /tmp/x", "solo sullo standard output"},
		{admin, "backup /var/lib/cieaudit/copia.db", "solo sullo standard output"},
		{admin, "user add x --role viewer --key-file /etc/passwd", "--key-file non esiste"},
		{auditor, "audit new --ente E --istat 054001 --year 2026 --auditor A --catalog /etc/passwd", "non un file del server"},
		{auditor, "audit new --ente E --istat 054001 --year 2026 --auditor A --catalog=mio.yaml", "non un file del server"},
		// Shell syntax is not interpreted: it is an unexpected argument.
		{viewer, "audit list && touch x", `argomento inatteso "&&"`},
		// The privilege-escalation payloads: a flag's value must not pass
		// for the command, and the command cobra finds is the one checked.
		{viewer, "--role risk user add eve --role admin", `non consente "user add"`},
		{viewer, "--scope risk answer AUD1 --scope ente", `non consente "answer"`},
		{viewer, "audit --ente list new --ente X", `non consente "audit new"`},
		{viewer, "-o risk export AUD1 -o /srv", "solo sullo standard output"},
		{viewer, "--audit help --audit=", "opzione sconosciuta"},
		{admin, "--audit help", "opzione sconosciuta"},
	}
	for _, tt := range tests {
		accepted, reason, code := remoteVerdict(t, tt.role, tt.line)
		switch {
		case tt.reason == "" && !accepted:
			t.Errorf("%s %q refused (%s), want accepted", tt.role, tt.line, reason)
		case tt.reason != "" && accepted:
			t.Errorf("%s %q accepted, want refused with %q", tt.role, tt.line, tt.reason)
		case tt.reason != "" && !strings.Contains(reason, tt.reason):
			t.Errorf("%s %q refused with %q, want %q", tt.role, tt.line, reason, tt.reason)
		case tt.reason != "" && code != 2:
			t.Errorf("%s %q: exit %d, want 2", tt.role, tt.line, code)
		}
	}
}
