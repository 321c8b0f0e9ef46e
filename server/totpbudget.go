package server

import (
	"fmt"
	"sync"
	"time"
)

// Per-user budget of wrong TOTP codes. The per-address rate limit alone let
// someone holding a user's key guess codes from many addresses (OpenSSH
// offers six per connection): after TOTPFailureBudget wrong or replayed
// codes the user's second step is locked for TOTPLockBase, doubling at
// every further lock up to TOTPLockMax, whatever the source address. A
// correct code while unlocked clears the count. The budget is kept in
// memory: a restart of the server clears it (and is itself in the log).
const (
	TOTPFailureBudget = 5
	TOTPLockBase      = time.Minute
	TOTPLockMax       = time.Hour
	// totpForget drops the record of a user with no failure for this long.
	totpForget = 24 * time.Hour
)

type totpBudget struct {
	mu    sync.Mutex
	now   func() time.Time
	users map[string]*totpFailures
}

type totpFailures struct {
	count       int       // wrong codes since the last lock or success
	locks       int       // locks since the last success
	lockedUntil time.Time // zero when not locked
	last        time.Time // last failure
}

func newTOTPBudget(now func() time.Time) *totpBudget {
	return &totpBudget{now: now, users: map[string]*totpFailures{}}
}

// locked returns how much longer user's second step stays locked (0: not
// locked).
func (b *totpBudget) locked(user string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.users[user]
	if f == nil {
		return 0
	}
	return max(f.lockedUntil.Sub(b.now()), 0)
}

// fail records a wrong code for user; when it exhausts the budget it
// returns the length of the lock that starts now.
func (b *totpBudget) fail(user string) (lock time.Duration, failures int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.prune(now)
	f := b.users[user]
	if f == nil {
		f = &totpFailures{}
		b.users[user] = f
	}
	f.last = now
	f.count++
	if f.count < TOTPFailureBudget {
		return 0, f.count
	}
	failures = f.count
	lock = TOTPLockBase << min(f.locks, 16)
	lock = min(lock, TOTPLockMax)
	f.locks++
	f.count = 0
	f.lockedUntil = now.Add(lock)
	return lock, failures
}

// succeed clears user's record after a correct code.
func (b *totpBudget) succeed(user string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.users, user)
}

// prune forgets users whose last failure is old and who are not locked.
func (b *totpBudget) prune(now time.Time) {
	for u, f := range b.users {
		if now.Sub(f.last) > totpForget && !now.Before(f.lockedUntil) {
			delete(b.users, u)
		}
	}
}

// lockedReason is the refusal of a second step during a lock.
func lockedReason(left time.Duration) string {
	return fmt.Sprintf("secondo fattore bloccato per troppi codici TOTP errati: riprovare tra %s", left.Round(time.Second))
}
