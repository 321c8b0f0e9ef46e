package server

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ipLimiter is a token bucket per source IPv4 address or IPv6 /64 network
// (limitKey) applied to connection attempts, before any cryptography, so
// that key guessing and handshake floods are slowed down.
type ipLimiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	now     func() time.Time
	buckets map[string]*ipBucket
}

type ipBucket struct {
	limiter *rate.Limiter
	seen    time.Time
	// reported is when a refusal was last written to the access log: a
	// flood is logged once in a while, not once per packet.
	reported time.Time
}

// maxTrackedIPs bounds the limiter's memory; idle entries are dropped first.
const maxTrackedIPs = 4096

func newIPLimiter(r rate.Limit, burst int, now func() time.Time) *ipLimiter {
	return &ipLimiter{rate: r, burst: burst, now: now, buckets: map[string]*ipBucket{}}
}

// allow reports whether ip may connect now, and whether a refusal should be
// logged.
func (l *ipLimiter) allow(ip string) (allowed, report bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[ip]
	if b == nil {
		if len(l.buckets) >= maxTrackedIPs {
			l.prune(now)
		}
		b = &ipBucket{limiter: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[ip] = b
	}
	b.seen = now
	if b.limiter.AllowN(now, 1) {
		return true, false
	}
	if now.Sub(b.reported) >= 10*time.Second {
		b.reported = now
		return false, true
	}
	return false, false
}

// prune drops buckets that are full again (idle long enough to have
// refilled), or the oldest half if none is.
func (l *ipLimiter) prune(now time.Time) {
	refill := time.Duration(float64(l.burst) / float64(l.rate) * float64(time.Second))
	for ip, b := range l.buckets {
		if now.Sub(b.seen) > refill {
			delete(l.buckets, ip)
		}
	}
	if len(l.buckets) < maxTrackedIPs {
		return
	}
	var oldest time.Time
	for _, b := range l.buckets {
		if oldest.IsZero() || b.seen.Before(oldest) {
			oldest = b.seen
		}
	}
	cut := oldest.Add(now.Sub(oldest) / 2)
	for ip, b := range l.buckets {
		if b.seen.Before(cut) {
			delete(l.buckets, ip)
		}
	}
}

// sessionCounter enforces the global and per-user caps on concurrent
// sessions and lets Shutdown wait for the last one.
type sessionCounter struct {
	mu      sync.Mutex
	cond    *sync.Cond
	max     int
	perUser int
	total   int
	byUser  map[string]int
}

func newSessionCounter(max, perUser int) *sessionCounter {
	c := &sessionCounter{max: max, perUser: perUser, byUser: map[string]int{}}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// acquire takes a slot for user, or says why there is none.
func (c *sessionCounter) acquire(user string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total >= c.max {
		return fmt.Errorf("troppe sessioni attive sul server (massimo %d)", c.max)
	}
	if c.byUser[user] >= c.perUser {
		return fmt.Errorf("troppe sessioni attive per l'utente %s (massimo %d)", user, c.perUser)
	}
	c.total++
	c.byUser[user]++
	return nil
}

// release gives user's slot back and returns how many sessions remain.
func (c *sessionCounter) release(user string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total--
	if c.byUser[user]--; c.byUser[user] <= 0 {
		delete(c.byUser, user)
	}
	c.cond.Broadcast()
	return c.total
}

// active returns the number of sessions holding a slot.
func (c *sessionCounter) active() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// wait blocks until no session holds a slot or d has passed.
func (c *sessionCounter) wait(d time.Duration) bool {
	deadline := time.Now().Add(d)
	timer := time.AfterFunc(d, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.total > 0 {
		if !time.Now().Before(deadline) {
			return false
		}
		c.cond.Wait()
	}
	return true
}
