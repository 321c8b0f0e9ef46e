package storage

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	gossh "golang.org/x/crypto/ssh"

	"github.com/cieaudit/cieaudit/checklist"
)

// newTestKey returns a fresh ed25519 public key in authorized_keys form.
func newTestKey(t *testing.T, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk))) + " " + comment
}

func openUsersStore(t *testing.T, now func() time.Time) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cieaudit.db")
	s, err := Open(path, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func mustKey(t *testing.T, line string) UserKey {
	t.Helper()
	k, err := ParseUserKey(line)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestParseUserKey(t *testing.T) {
	good := newTestKey(t, "mario@portatile")
	tests := []struct {
		name    string
		line    string
		wantErr string
	}{
		{"valid with comment", good, ""},
		{"valid without comment", strings.Join(strings.Fields(good)[:2], " "), ""},
		{"empty", "   ", "vuota"},
		{"garbage", "ssh-ed25519 not-base64!!", "non valida"},
		{"truncated base64", good[:40], "non valida"},
		{"options refused", `from="10.0.0.1" ` + good, "opzioni"},
		{"two keys on one line", good + "\n" + newTestKey(t, "x"), "una sola chiave"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseUserKey(tt.line)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(k.Fingerprint, "SHA256:") {
				t.Errorf("fingerprint %q", k.Fingerprint)
			}
			if again := mustKey(t, k.Line); again.Fingerprint != k.Fingerprint || again.Comment != k.Comment {
				t.Errorf("Line %q does not round-trip: %+v vs %+v", k.Line, again, k)
			}
		})
	}
}

func TestParseAuthorizedKeysNamesFileAndLine(t *testing.T) {
	a, b := newTestKey(t, "a"), newTestKey(t, "b")
	keys, err := ParseAuthorizedKeys([]byte("# team\n\n"+a+"\n"+b+"\n"), "team.pub")
	if err != nil || len(keys) != 2 || keys[1].Comment != "b" {
		t.Fatalf("keys = %+v, err = %v", keys, err)
	}
	_, err = ParseAuthorizedKeys([]byte(a+"\n\nssh-ed25519 AAAAbroken x\n"), "team.pub")
	if err == nil || !strings.HasPrefix(err.Error(), "team.pub:3:") {
		t.Fatalf("err = %v, want team.pub:3: prefix", err)
	}
	if _, err := ParseAuthorizedKeys([]byte("# nothing\n"), "empty.pub"); err == nil {
		t.Fatal("a file without keys was accepted")
	}
}

func TestParseCIDRs(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"10.0.0.0/8", []string{"10.0.0.0/8"}, false},
		{"10.1.2.3/8, 192.168.1.0/24", []string{"10.0.0.0/8", "192.168.1.0/24"}, false},
		{"127.0.0.1", []string{"127.0.0.1/32"}, false},
		{"::1", []string{"::1/128"}, false},
		{"10.0.0.0/33", nil, true},
		{"dieci", nil, true},
		{"10.0.0.0/8,,", []string{"10.0.0.0/8"}, false},
	}
	for _, tt := range tests {
		got, err := ParseCIDRs(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseCIDRs(%q) err = %v", tt.in, err)
			continue
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("ParseCIDRs(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestUserAllowsAddr(t *testing.T) {
	tests := []struct {
		allow []string
		addr  string
		want  bool
	}{
		{nil, "203.0.113.9", true},
		{[]string{"10.0.0.0/8"}, "127.0.0.1", false},
		{[]string{"10.0.0.0/8"}, "10.20.30.40", true},
		{[]string{"10.0.0.0/8", "127.0.0.0/8"}, "127.0.0.1", true},
		{[]string{"127.0.0.0/8"}, "::ffff:127.0.0.1", true},
	}
	for _, tt := range tests {
		u := User{AllowFrom: tt.allow}
		if got := u.AllowsAddr(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("AllowFrom %v, addr %s: got %v", tt.allow, tt.addr, got)
		}
	}
}

func TestAddUserValidation(t *testing.T) {
	s, _ := openUsersStore(t, nil)
	shared := mustKey(t, newTestKey(t, "shared"))
	if _, err := s.AddUser(User{Name: "mario", Role: checklist.RoleAuditor, Keys: []UserKey{shared}}, false); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		user    User
		merge   bool
		wantErr string
	}{
		{"bad name", User{Name: "Mario Rossi", Role: checklist.RoleViewer, Keys: []UserKey{mustKey(t, newTestKey(t, ""))}}, false, "nome utente"},
		{"unknown role", User{Name: "anna", Role: "capo", Keys: []UserKey{mustKey(t, newTestKey(t, ""))}}, false, "ruolo"},
		{"no keys", User{Name: "anna", Role: checklist.RoleViewer}, false, "almeno una chiave"},
		{"bad network", User{Name: "anna", Role: checklist.RoleViewer, Keys: []UserKey{mustKey(t, newTestKey(t, ""))}, AllowFrom: []string{"x"}}, false, "rete"},
		{"key of another user", User{Name: "anna", Role: checklist.RoleViewer, Keys: []UserKey{shared}}, false, "appartiene già all'utente mario"},
		{"exists without merge", User{Name: "mario", Role: checklist.RoleViewer, Keys: []UserKey{mustKey(t, newTestKey(t, ""))}}, false, "già esistente"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.AddUser(tt.user, tt.merge)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
	users, err := s.Users()
	if err != nil || len(users) != 1 {
		t.Fatalf("refused users were stored: %+v, %v", users, err)
	}
}

func TestUsersLifecycle(t *testing.T) {
	s, path := openUsersStore(t, nil)
	k1, k2 := mustKey(t, newTestKey(t, "portatile")), mustKey(t, newTestKey(t, "fisso"))
	if _, err := s.AddUser(User{Name: "zeta", Role: checklist.RoleViewer, Keys: []UserKey{mustKey(t, newTestKey(t, ""))}}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(User{Name: "mario", Role: checklist.RoleAuditor, Keys: []UserKey{k1}, AllowFrom: []string{"10.0.0.0/8"}}, false); err != nil {
		t.Fatal(err)
	}
	// Merging adds the new key once, keeps the old one and the allowlist.
	for range 2 {
		if _, err := s.AddUser(User{Name: "mario", Keys: []UserKey{k2, k1}}, true); err != nil {
			t.Fatal(err)
		}
	}
	u, err := s.UserByKey(k2.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "mario" || u.Role != checklist.RoleAuditor || len(u.Keys) != 2 || len(u.AllowFrom) != 1 {
		t.Fatalf("merged user = %+v", u)
	}
	if _, err := s.UserByKey("SHA256:nessuno"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: err = %v", err)
	}
	if err := s.EnrolTOTP("mario", "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	// Reopening proves the users are in the file, not in memory.
	s.Close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	users, err := s2.Users()
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[0].Name != "mario" || users[1].Name != "zeta" {
		t.Fatalf("users = %+v, want mario then zeta", users)
	}
	if users[0].TOTPSecret != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("TOTP secret not stored")
	}
	if err := s2.DeleteUser("mario"); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.User("mario"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted user still there: %v", err)
	}
	if err := s2.DeleteUser("mario"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: err = %v", err)
	}
	if err := s2.EnrolTOTP("nessuno", "X"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("EnrolTOTP of unknown user: err = %v", err)
	}
}

func TestClaimTOTPStep(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s, _ := openUsersStore(t, func() time.Time { return now })
	if _, err := s.AddUser(User{Name: "mario", Role: checklist.RoleAuditor, Keys: []UserKey{mustKey(t, newTestKey(t, ""))}}, false); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		user string
		step uint64
		want bool
	}{
		{"mario", 100, true},
		{"mario", 100, false}, // replay
		{"mario", 101, true},
		{"anna", 100, true}, // steps are per user
	}
	for i, st := range steps {
		got, err := s.ClaimTOTPStep(st.user, st.step)
		if err != nil || got != st.want {
			t.Fatalf("claim %d (%s, %d) = %v, %v; want %v", i, st.user, st.step, got, err, st.want)
		}
	}
	// Re-enrolling starts a new secret: old steps no longer count.
	if err := s.EnrolTOTP("mario", "NEWSECRET"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.ClaimTOTPStep("mario", 100); !ok {
		t.Fatal("step of the previous secret still blocks the new one")
	}
	// Old claims are forgotten after the retention, keeping the bucket small;
	// by then the code itself is long expired.
	now = now.Add(totpRetention + time.Hour)
	if ok, _ := s.ClaimTOTPStep("mario", 500); !ok {
		t.Fatal("fresh step refused")
	}
	var remaining int
	s.view(func(tx *bolt.Tx) error {
		remaining = tx.Bucket(totpUsedBucketName).Bucket([]byte("mario")).Stats().KeyN
		return nil
	})
	if remaining != 1 {
		t.Fatalf("%d steps kept after retention, want 1", remaining)
	}
}

// TestDeleteUserAfterOthersUsedTOTP: once any user has used a TOTP code,
// removing a user who never did must still work, or access could not be
// revoked (a review finding).
func TestDeleteUserAfterOthersUsedTOTP(t *testing.T) {
	s, _ := openUsersStore(t, nil)
	for _, name := range []string{"alice", "bob"} {
		if _, err := s.AddUser(User{Name: name, Role: checklist.RoleAuditor, Keys: []UserKey{mustKey(t, newTestKey(t, name))}}, false); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := s.ClaimTOTPStep("alice", 42); err != nil || !ok {
		t.Fatalf("ClaimTOTPStep = %v, %v", ok, err)
	}
	if err := s.DeleteUser("bob"); err != nil {
		t.Fatalf("DeleteUser(bob) after alice used a code: %v", err)
	}
	if err := s.DeleteUser("alice"); err != nil {
		t.Fatalf("DeleteUser(alice): %v", err)
	}
	if users, err := s.Users(); err != nil || len(users) != 0 {
		t.Fatalf("users left: %v, %v", users, err)
	}
}
