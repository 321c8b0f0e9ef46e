package server

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
	"github.com/cieaudit/cieaudit/tui"
)

// sizeModel reports every window size it is given.
type sizeModel struct{ sizes chan<- tea.WindowSizeMsg }

func (m sizeModel) Init() tea.Cmd { return nil }

func (m sizeModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		m.sizes <- ws
	}
	return m, nil
}

func (m sizeModel) View() tea.View { return tea.NewView("pronto") }

func TestTerminalSizesAreClamped(t *testing.T) {
	// Each session reports to the channel current when it started: a late
	// message of the previous one cannot be taken for the next one's.
	var mu sync.Mutex
	var sizes chan tea.WindowSizeMsg
	env := startServer(t, func(c *Config) {
		c.NewModel = func(ssh.Session, Identity) (tea.Model, error) {
			mu.Lock()
			defer mu.Unlock()
			return sizeModel{sizes}, nil
		}
	})
	u := env.addUser(t, "vera", checklist.RoleViewer)
	// await takes window sizes until want arrives; every size the program
	// is given on the way must be within the clamp.
	await := func(t *testing.T, what string, want tea.WindowSizeMsg) {
		t.Helper()
		mu.Lock()
		ch := sizes
		mu.Unlock()
		for {
			select {
			case ws := <-ch:
				if ws.Width < 0 || ws.Height < 0 || ws.Width > MaxTermWidth || ws.Height > MaxTermHeight {
					t.Fatalf("%s: program got %dx%d", what, ws.Width, ws.Height)
				}
				if ws == want {
					return
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: the program was never given %dx%d", what, want.Width, want.Height)
			}
		}
	}
	max := tea.WindowSizeMsg{Width: MaxTermWidth, Height: MaxTermHeight}
	tests := []struct {
		name string
		w, h int
		want tea.WindowSizeMsg
	}{
		{"ordinary", 120, 40, tea.WindowSizeMsg{Width: 120, Height: 40}},
		{"65535 squared", 65535, 65535, max},
		{"2^31-1 squared", 1<<31 - 1, 1<<31 - 1, max},
		{"2^32-1 squared (negative as int32)", 1<<32 - 1, 1<<32 - 1, max},
		{"wide and short", 1 << 20, 30, tea.WindowSizeMsg{Width: MaxTermWidth, Height: 30}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			sizes = make(chan tea.WindowSizeMsg, 16)
			mu.Unlock()
			client, err := gossh.Dial("tcp", env.addr, &gossh.ClientConfig{
				User: "vera", Auth: []gossh.AuthMethod{gossh.PublicKeys(u.signer)},
				HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			sess, err := client.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			if err := sess.RequestPty("xterm", tt.h, tt.w, gossh.TerminalModes{}); err != nil {
				t.Fatal(err)
			}
			stdin, _ := sess.StdinPipe()
			if err := sess.Shell(); err != nil {
				t.Fatal(err)
			}
			await(t, "pty request", tt.want)
			// The same size as a window change and as in-band reports typed
			// by the client (CSI 8 ; rows ; cols t and CSI 48 ; rows ; cols ;
			// py ; px t), each after an ordinary size.
			ordinary := tea.WindowSizeMsg{Width: 100, Height: 30}
			for _, report := range []string{"", "\x1b[8;%d;%dt", "\x1b[48;%d;%d;0;0t"} {
				if err := sess.WindowChange(ordinary.Height, ordinary.Width); err != nil {
					t.Fatal(err)
				}
				await(t, "ordinary window change", ordinary)
				if report == "" {
					if err := sess.WindowChange(tt.h, tt.w); err != nil {
						t.Fatal(err)
					}
					await(t, "window change", tt.want)
					continue
				}
				// Bubble Tea itself drops implausible in-band sizes (over
				// 4096 or 2^20 cells); a plausible large one, typed next, is
				// clamped.
				fmt.Fprintf(stdin, report, uint32(tt.h), uint32(tt.w))
				fmt.Fprintf(stdin, report, 250, 4000)
				await(t, fmt.Sprintf("in-band report %q", report), tea.WindowSizeMsg{Width: MaxTermWidth, Height: MaxTermHeight})
			}
		})
	}
	// The server is still there.
	if out, err := env.run(u.signer, "vera", "audit list"); err != nil {
		t.Fatalf("server gone after the huge terminals: %v %s", err, out)
	}
}

func TestClampWindow(t *testing.T) {
	tests := []struct{ in, want ssh.Window }{
		{ssh.Window{Width: 80, Height: 24, WidthPixels: 640, HeightPixels: 480}, ssh.Window{Width: 80, Height: 24, WidthPixels: 640, HeightPixels: 480}},
		{ssh.Window{Width: -1, Height: -5}, ssh.Window{}},
		{ssh.Window{Width: 1 << 40, Height: 1 << 40, WidthPixels: 1 << 40, HeightPixels: 1 << 40}, ssh.Window{Width: MaxTermWidth, Height: MaxTermHeight, WidthPixels: 65535, HeightPixels: 65535}},
	}
	for _, tt := range tests {
		if got := clampWindow(tt.in); got != tt.want {
			t.Errorf("clampWindow(%+v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// syncBuffer is a bytes.Buffer written by one goroutine and read by another.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tuiServer is a server running the real cieaudit TUI.
func tuiServer(t *testing.T, maxSessions int) *testEnv {
	var env *testEnv
	env = startServer(t, func(c *Config) {
		c.MaxSessions, c.MaxSessionsPerUser = maxSessions, maxSessions
		c.ShutdownMsg = tui.ShutdownMsg{}
		c.ChangedMsg = func(ev storage.Event) tea.Msg { return tui.ChangedMsg{AuditID: ev.AuditID, Author: ev.Author} }
		c.NewModel = func(_ ssh.Session, id Identity) (tea.Model, error) {
			return tui.New(tui.Options{Store: env.store, User: id.User, Role: id.Role, IdleTimeout: 15 * time.Minute}), nil
		}
	})
	return env
}

// TestHugeTerminalGetsAWorkingTUI: the real TUI on a terminal of
// 2³¹−1×2³¹−1 draws its home page (clamped) and answers keys.
func TestHugeTerminalGetsAWorkingTUI(t *testing.T) {
	env := tuiServer(t, 5)
	u := env.addUser(t, "anna", checklist.RoleViewer)
	var screen syncBuffer
	c := dialPTYSize(t, env.addr, u.signer, 1<<31-1, 1<<31-1, &screen)
	waitFor(t, "the home page", func() bool { return strings.Contains(screen.String(), "anna (lettore)") })
	fmt.Fprint(c.stdin, "q")
	for range c.output {
	}
	if !strings.Contains(screen.String(), "Arrivederci") {
		t.Fatalf("no farewell after q:\n%q", screen.String())
	}
}

// liveHeap is the heap still reachable after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestEndedSessionsReleaseEverything opens and closes hundreds of real TUI
// sessions (the cieaudit TUI with its 15-minute idle logout) and checks that
// goroutines and live heap come back to where they were: an ended session
// must not stay reachable until its idle timer would have fired.
func TestEndedSessionsReleaseEverything(t *testing.T) {
	rounds, perRound := 3, 100
	if testing.Short() {
		rounds, perRound = 1, 30
	}
	env := tuiServer(t, perRound)
	u := env.addUser(t, "anna", checklist.RoleViewer)

	cycle := func(n int) {
		t.Helper()
		clients := make([]*ptyClient, n)
		for i := range clients {
			clients[i] = dialPTY(t, env.addr, u.signer)
		}
		for i, c := range clients {
			// The first frame is drawn after Init has scheduled the idle
			// timer.
			if _, ok := <-c.output; !ok {
				t.Fatalf("session %d ended before drawing", i)
			}
		}
		for i, c := range clients {
			if i%2 == 0 {
				// Half quit with q, half just drop the connection.
				fmt.Fprint(c.stdin, "q")
				for range c.output {
				}
			}
			c.client.Close()
		}
		waitFor(t, "every session to end", func() bool { return env.srv.sessions.active() == 0 && env.srv.programs.count() == 0 })
	}
	// settled waits until the goroutines are back to at most want (a
	// client's and server's connection goroutines end a moment after the
	// session does).
	settled := func(want int) int {
		deadline := time.Now().Add(30 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= want || time.Now().After(deadline) {
				return n
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	idle := runtime.NumGoroutine()
	cycle(5) // warm-up: lazily built styles, pools, the store's caches
	baseG := settled(idle)
	baseHeap := liveHeap()
	for r := range rounds {
		cycle(perRound)
		g := settled(baseG + 2)
		heap := liveHeap()
		t.Logf("round %d (%d sessions): goroutines %d (baseline %d), live heap %.1f MB (baseline %.1f MB)",
			r+1, perRound, g, baseG, float64(heap)/1e6, float64(baseHeap)/1e6)
		if g > baseG+2 {
			buf := make([]byte, 1<<20)
			t.Fatalf("round %d: %d goroutines left, baseline %d:\n%s", r+1, g, baseG, buf[:runtime.Stack(buf, true)])
		}
		// A leaked TUI session keeps about 1.8 MB reachable: 100 of them
		// would be far above this margin.
		if heap > baseHeap+16<<20 {
			t.Fatalf("round %d: live heap %.1f MB, baseline %.1f MB", r+1, float64(heap)/1e6, float64(baseHeap)/1e6)
		}
	}
}
