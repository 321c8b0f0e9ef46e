package server

import (
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestLimitKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ remote, want string }{
		{"192.0.2.7:40022", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:40022", "192.0.2.7"},
		{"[2001:db8:1:2::1]:22", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff:ffff:ffff:ffff]:22", "2001:db8:1:2::/64"},
		{"[2001:db8:1:3::1]:22", "2001:db8:1:3::/64"},
		{"[fe80::1%eth0]:22", "fe80::/64"},
		{"[::1]:22", "::/64"},
		{"non-un-indirizzo", "non-un-indirizzo"},
	}
	for _, tc := range tests {
		if got := limitKey(tc.remote); got != tc.want {
			t.Errorf("limitKey(%q) = %q, want %q", tc.remote, got, tc.want)
		}
	}
}

// TestRateLimitPerIPv6Network: addresses of one /64 share a bucket, other
// networks and IPv4 hosts keep their own.
func TestRateLimitPerIPv6Network(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	l := newIPLimiter(rate.Every(time.Hour), 2, func() time.Time { return now })
	steps := []struct {
		remote string
		want   bool
	}{
		{"[2001:db8:1:2::1]:5000", true},
		{"[2001:db8:1:2::2]:5000", true},
		{"[2001:db8:1:2:dead:beef:0:1]:5000", false}, // same /64: the burst is spent
		{"[2001:db8:1:2:ffff::9]:5001", false},
		{"[2001:db8:1:3::1]:5000", true}, // another /64
		{"192.0.2.7:40022", true},
		{"192.0.2.8:40022", true}, // IPv4 hosts stay apart
	}
	for _, st := range steps {
		if got, _ := l.allow(limitKey(st.remote)); got != st.want {
			t.Errorf("%s allowed = %v, want %v", st.remote, got, st.want)
		}
	}
}
