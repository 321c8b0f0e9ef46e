package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	gossh "golang.org/x/crypto/ssh"

	"github.com/cieaudit/cieaudit/checklist"
)

// Buckets of the jump-host mode: users and their keys, and the TOTP time
// steps already used (a code is accepted once).
var (
	usersBucketName    = []byte("users")
	totpUsedBucketName = []byte("totp_used")
)

// ErrUserExists is returned by AddUser when the name is taken.
var ErrUserExists = errors.New("utente già esistente")

// UserKey is one SSH public key of a user.
type UserKey struct {
	// Line is the key in authorized_keys form: "type base64 [comment]".
	Line string `json:"line"`
	// Fingerprint is the SHA256 fingerprint, as printed by ssh-keygen -l.
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment,omitempty"`
}

// User is someone allowed to log in to the SSH jump host.
type User struct {
	Name string         `json:"name"`
	Role checklist.Role `json:"role"`
	Keys []UserKey      `json:"keys"`
	// AllowFrom lists the networks (CIDR) the user may connect from; empty
	// means anywhere.
	AllowFrom []string `json:"allow_from,omitempty"`
	// TOTPSecret is the base32 secret of the second factor; empty means the
	// user logs in with the key alone. Never log or print it after enrolment.
	TOTPSecret string    `json:"totp_secret,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// HasKey reports whether fingerprint is one of the user's keys.
func (u *User) HasKey(fingerprint string) bool {
	return slices.ContainsFunc(u.Keys, func(k UserKey) bool { return k.Fingerprint == fingerprint })
}

// AllowsAddr reports whether the user may connect from addr. A user without
// an allowlist may connect from anywhere.
func (u *User) AllowsAddr(addr netip.Addr) bool {
	if len(u.AllowFrom) == 0 {
		return true
	}
	addr = addr.Unmap()
	for _, c := range u.AllowFrom {
		if p, err := netip.ParsePrefix(c); err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}

var userNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ValidateUserName checks that a user name is usable as an identity in logs
// and history: lower-case letters, digits, dot, dash and underscore.
func ValidateUserName(name string) error {
	if !userNamePattern.MatchString(name) {
		return fmt.Errorf("nome utente %q non valido: usare lettere minuscole, cifre, '.', '-' o '_' (massimo 64 caratteri, iniziando con lettera o cifra)", name)
	}
	return nil
}

// ParseCIDRs parses a comma-separated list of networks ("10.0.0.0/8,
// 192.168.1.0/24"); a bare address is taken as a single host.
func ParseCIDRs(list string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var p netip.Prefix
		if strings.Contains(f, "/") {
			var err error
			if p, err = netip.ParsePrefix(f); err != nil {
				return nil, fmt.Errorf("rete %q non valida: usare la notazione CIDR, per esempio 10.0.0.0/8", f)
			}
		} else {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("rete %q non valida: usare la notazione CIDR, per esempio 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked().String())
	}
	return out, nil
}

// ParseUserKey parses one public key in authorized_keys form. Key options
// (from=, command=…) are refused: the allowlist and role live in the user.
func ParseUserKey(line string) (UserKey, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return UserKey{}, errors.New("chiave pubblica vuota")
	}
	pk, comment, options, rest, err := gossh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return UserKey{}, fmt.Errorf("chiave pubblica non valida (atteso \"ssh-ed25519 AAAA… commento\"): %v", err)
	}
	if len(options) > 0 {
		return UserKey{}, fmt.Errorf("opzioni della chiave non ammesse (%s): usare --allow-from per limitare gli indirizzi", strings.Join(options, ","))
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return UserKey{}, errors.New("una sola chiave per --key: per più chiavi ripetere --key o usare --key-file")
	}
	k := UserKey{
		Line:        strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk))),
		Fingerprint: gossh.FingerprintSHA256(pk),
		Comment:     comment,
	}
	if comment != "" {
		k.Line += " " + comment
	}
	return k, nil
}

// ParseAuthorizedKeys parses an authorized_keys-style file: one key per
// line, blank lines and # comments skipped. Errors name the file and line.
func ParseAuthorizedKeys(data []byte, filename string) ([]UserKey, error) {
	var keys []UserKey
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := ParseUserKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", filename, i+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: nessuna chiave pubblica trovata", filename)
	}
	return keys, nil
}

// validateUser checks a user before it is stored.
func validateUser(u *User) error {
	if err := ValidateUserName(u.Name); err != nil {
		return err
	}
	if _, err := checklist.ParseRole(string(u.Role)); err != nil {
		return err
	}
	if len(u.Keys) == 0 {
		return fmt.Errorf("utente %s: serve almeno una chiave pubblica", u.Name)
	}
	for _, c := range u.AllowFrom {
		if _, err := netip.ParsePrefix(c); err != nil {
			return fmt.Errorf("utente %s: rete %q non valida", u.Name, c)
		}
	}
	return nil
}

// AddUser stores a new user, or adds keys to an existing one when merge is
// true (role and allowlist are then replaced by the new ones if given). A key
// may belong to one user only, so that a key always names one person.
func (s *Store) AddUser(u User, merge bool) (User, error) {
	if err := ValidateUserName(u.Name); err != nil {
		return User{}, err
	}
	var out User
	err := s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(usersBucketName)
		if err != nil {
			return err
		}
		now := s.opts.Now()
		if raw := b.Get([]byte(u.Name)); raw != nil {
			if !merge {
				return fmt.Errorf("%w: %s", ErrUserExists, u.Name)
			}
			var old User
			if err := json.Unmarshal(raw, &old); err != nil {
				return fmt.Errorf("utente %s illeggibile: %w", u.Name, err)
			}
			for _, k := range u.Keys {
				if !old.HasKey(k.Fingerprint) {
					old.Keys = append(old.Keys, k)
				}
			}
			if u.Role != "" {
				old.Role = u.Role
			}
			if u.AllowFrom != nil {
				old.AllowFrom = u.AllowFrom
			}
			u = old
		} else {
			u.CreatedAt = now
			// TOTP is enrolled with EnrolTOTP, never smuggled in with keys.
			u.TOTPSecret = ""
		}
		u.UpdatedAt = now
		if err := validateUser(&u); err != nil {
			return err
		}
		if err := checkKeysUnique(b, &u); err != nil {
			return err
		}
		raw, err := json.Marshal(u)
		if err != nil {
			return err
		}
		out = u
		return b.Put([]byte(u.Name), raw)
	})
	return out, err
}

// checkKeysUnique refuses a key already held by another user.
func checkKeysUnique(b *bolt.Bucket, u *User) error {
	return b.ForEach(func(k, v []byte) error {
		if string(k) == u.Name {
			return nil
		}
		var other User
		if err := json.Unmarshal(v, &other); err != nil {
			// Skipping it would let a key be given to two users.
			return fmt.Errorf("%w: utente %s illeggibile: %v", ErrCorrupt, k, err)
		}
		for _, key := range u.Keys {
			if other.HasKey(key.Fingerprint) {
				return fmt.Errorf("la chiave %s appartiene già all'utente %s", key.Fingerprint, other.Name)
			}
		}
		return nil
	})
}

// User returns the user with the given name.
func (s *Store) User(name string) (User, error) {
	var u User
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(usersBucketName)
		if b == nil {
			return fmt.Errorf("utente %s: %w", name, ErrNotFound)
		}
		raw := b.Get([]byte(name))
		if raw == nil {
			return fmt.Errorf("utente %s: %w", name, ErrNotFound)
		}
		return json.Unmarshal(raw, &u)
	})
	return u, err
}

// Users returns every user, sorted by name.
func (s *Store) Users() ([]User, error) {
	var users []User
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(usersBucketName)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var u User
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("utente %s illeggibile: %w", k, err)
			}
			users = append(users, u)
			return nil
		})
	})
	return users, err
}

// UserByKey returns the user owning the key with the given SHA256
// fingerprint, or ErrNotFound.
func (s *Store) UserByKey(fingerprint string) (User, error) {
	users, err := s.Users()
	if err != nil {
		return User{}, err
	}
	for _, u := range users {
		if u.HasKey(fingerprint) {
			return u, nil
		}
	}
	return User{}, fmt.Errorf("chiave %s: %w", fingerprint, ErrNotFound)
}

// DeleteUser removes a user and its TOTP history.
func (s *Store) DeleteUser(name string) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(usersBucketName)
		if b == nil || b.Get([]byte(name)) == nil {
			return fmt.Errorf("utente %s: %w", name, ErrNotFound)
		}
		if err := b.Delete([]byte(name)); err != nil {
			return err
		}
		if used := tx.Bucket(totpUsedBucketName); used != nil && used.Bucket([]byte(name)) != nil {
			return used.DeleteBucket([]byte(name))
		}
		return nil
	})
}

// EnrolTOTP stores the TOTP secret of a user (replacing any previous one);
// an empty secret removes the second factor.
func (s *Store) EnrolTOTP(name, secret string) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(usersBucketName)
		var raw []byte
		if b != nil {
			raw = b.Get([]byte(name))
		}
		if raw == nil {
			return fmt.Errorf("utente %s: %w", name, ErrNotFound)
		}
		var u User
		if err := json.Unmarshal(raw, &u); err != nil {
			return err
		}
		u.TOTPSecret = secret
		u.UpdatedAt = s.opts.Now()
		out, err := json.Marshal(u)
		if err != nil {
			return err
		}
		if used := tx.Bucket(totpUsedBucketName); used != nil && used.Bucket([]byte(name)) != nil {
			if err := used.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		return b.Put([]byte(name), out)
	})
}

// totpRetention bounds how long used TOTP steps are remembered: far longer
// than any tolerance window, short enough to keep the bucket tiny.
const totpRetention = 24 * time.Hour

// ClaimTOTPStep records that the user has used the TOTP code of time step
// (Unix time / period). It returns false if that step was already claimed,
// so that a code observed by someone else cannot be replayed.
func (s *Store) ClaimTOTPStep(name string, step uint64) (bool, error) {
	claimed := false
	err := s.update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(totpUsedBucketName)
		if err != nil {
			return err
		}
		b, err := root.CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		key := binary.BigEndian.AppendUint64(nil, step)
		if b.Get(key) != nil {
			return nil
		}
		now := s.opts.Now()
		// Forget steps older than the retention; collect first, then delete,
		// because deleting under a cursor can skip keys.
		var stale [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var at time.Time
			if at.UnmarshalBinary(v) == nil && now.Sub(at) > totpRetention {
				stale = append(stale, append([]byte(nil), k...))
			}
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		stamp, err := now.MarshalBinary()
		if err != nil {
			return err
		}
		claimed = true
		return b.Put(key, stamp)
	})
	return claimed, err
}
