package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/storage"
)

func TestTOTPBudgetBackoff(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	b := newTOTPBudget(clock.Now)
	var locks []time.Duration
	for range 8 {
		for i := 1; i <= TOTPFailureBudget; i++ {
			if left := b.locked("mario"); left != 0 {
				t.Fatalf("locked for %v before the budget was spent", left)
			}
			lock, n := b.fail("mario")
			if (i < TOTPFailureBudget) != (lock == 0) || n != i {
				t.Fatalf("failure %d: lock %v, count %d", i, lock, n)
			}
			if lock > 0 {
				locks = append(locks, lock)
				if b.locked("mario") != lock || b.locked("anna") != 0 {
					t.Fatal("the lock is not mario's alone")
				}
				clock.Set(clock.Now().Add(lock))
			}
		}
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	if fmt.Sprint(locks) != fmt.Sprint(want) {
		t.Fatalf("locks %v, want %v", locks, want)
	}
	b.succeed("mario")
	if lock, n := b.fail("mario"); lock != 0 || n != 1 {
		t.Fatalf("after a success: lock %v, count %d", lock, n)
	}
}

// TestTOTPBudgetLocksTheUser: five wrong codes, from new connections each
// time, lock the user's second step; even the right code is then refused,
// the lock is in the access log, and once it expires the right code works.
func TestTOTPBudgetLocksTheUser(t *testing.T) {
	env, mario, base, code, wrong := totpEnv(t)
	mark := env.logMark(t)
	for i := range TOTPFailureBudget {
		if out, err := env.run(mario.signer, "mario", "audit list", wrong); err == nil {
			t.Fatalf("wrong code %d accepted: %q", i+1, out)
		}
	}
	lockEntry := env.waitLog(t, mark, func(e storage.AccessEntry) bool {
		return strings.Contains(e.Reason, "secondo fattore bloccato per 1m0s dopo 5 codici errati")
	})
	if lockEntry.User != "mario" {
		t.Fatalf("lock logged for %q", lockEntry.User)
	}
	mark = env.logMark(t)
	if out, err := env.run(mario.signer, "mario", "audit list", code(base)); err == nil {
		t.Fatalf("right code accepted during the lock: %q", out)
	}
	env.waitLog(t, mark, func(e storage.AccessEntry) bool { return strings.Contains(e.Reason, "riprovare tra 1m0s") })

	later := base.Add(TOTPLockBase + time.Second)
	env.clock.Set(later)
	if out, err := env.run(mario.signer, "mario", "audit list", code(later)); err != nil || !strings.Contains(out, "user=mario") {
		t.Fatalf("right code after the lock: %v %q", err, out)
	}
}
