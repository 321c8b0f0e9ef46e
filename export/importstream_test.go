package export

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
)

// TestReadBundleFromMemory: standard input (ssh … import --merge - <
// bundle.zip) is held in memory, so what it costs is bounded by what it
// holds, not by a multiple of it. io.ReadAll grows its slice by copying:
// a refused 256 MiB stream took 718 MB of the jump host's memory per
// session. The allocations for a stream must stay near its size.
func TestReadBundleFromMemory(t *testing.T) {
	const size = 48 << 20
	for _, tc := range []struct {
		name string
		head []byte
		want string
	}{
		{"a zip header then zeros", []byte("PK\x03\x04"), "zip"},
		{"garbage", []byte("x"), "né un fascicolo zip né un audit.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := io.MultiReader(bytes.NewReader(tc.head), io.LimitReader(zeros{}, size))
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := ReadBundleFrom(r, ReadOptions{})
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadBundleFrom: %v, want %q", err, tc.want)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > size*3/2 {
				t.Errorf("reading a %d MiB stream allocated %d MiB", size>>20, got>>20)
			}
		})
	}
}

// zeros reads zero bytes without end.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
