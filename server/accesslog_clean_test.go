package server

import (
	"strings"
	"testing"
	"unicode"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// hasControl reports whether s holds a character a terminal would act on.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) }) >= 0
}

// TestAccessLogStoresNoControlCharacters: a logged-in user putting terminal
// escapes and newlines in the command cannot get them into the access log,
// which an admin reads on a terminal.
func TestAccessLogStoresNoControlCharacters(t *testing.T) {
	env := startServer(t, nil)
	u := env.addUser(t, "mario", checklist.RoleAdmin)
	tests := []struct {
		name, cmd string
		field     func(storage.AccessEntry) string
		want      string
	}{
		{"accepted command", "audit list '\x1b]0;X\x07' '\x1b[2J' 'a\nb'", func(e storage.AccessEntry) string { return e.Session },
			`audit list \x1b]0;X\x07 \x1b[2J a\x0ab`},
		{"refused command", "serve '\x1b]0;X\x07' '\x1b[2J' 'a\nb'", func(e storage.AccessEntry) string { return e.Session + " | " + e.Reason },
			`serve \x1b]0;X\x07 \x1b[2J a\x0ab`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mark := env.logMark(t)
			_, _ = env.run(u.signer, "mario", tc.cmd)
			e := env.waitLog(t, mark, func(storage.AccessEntry) bool { return true })
			for name, v := range map[string]string{"Session": e.Session, "Reason": e.Reason, "Remote": e.Remote, "User": e.User} {
				if hasControl(v) {
					t.Errorf("%s holds control characters: %q", name, v)
				}
			}
			if got := tc.field(e); !strings.Contains(got, tc.want) {
				t.Errorf("logged %q, want it to contain %q", got, tc.want)
			}
		})
	}
}
