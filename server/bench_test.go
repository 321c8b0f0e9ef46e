package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// echoModel shows what was typed, like a text field of the TUI, and how
// many keys: the count makes every keystroke change the screen.
type echoModel struct {
	typed string
	keys  int
}

func (m echoModel) Init() tea.Cmd { return nil }

func (m echoModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if k.String() == "ctrl+c" {
			return m, tea.Quit
		}
		m.keys++
		m.typed += k.Text
		if len(m.typed) > 60 {
			m.typed = m.typed[len(m.typed)-60:]
		}
	}
	return m, nil
}

func (m echoModel) View() tea.View {
	return tea.NewView(fmt.Sprintf("tasti: %d\ndigitato: %s", m.keys, m.typed))
}

// ptyClient is one interactive session seen from the client side.
type ptyClient struct {
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.Writer
	output chan struct{} // one signal per chunk of output received
}

func dialPTY(tb testing.TB, addr string, signer gossh.Signer) *ptyClient {
	tb.Helper()
	return dialPTYSize(tb, addr, signer, 80, 24, nil)
}

// dialPTYSize is dialPTY with a terminal of cols×rows; when screen is not
// nil every byte of output is also written to it.
func dialPTYSize(tb testing.TB, addr string, signer gossh.Signer, cols, rows int, screen io.Writer) *ptyClient {
	tb.Helper()
	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "bench", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
	})
	if err != nil {
		tb.Fatal(err)
	}
	sess, err := client.NewSession()
	if err != nil {
		tb.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", rows, cols, gossh.TerminalModes{}); err != nil {
		tb.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		tb.Fatal(err)
	}
	c := &ptyClient{client: client, sess: sess, stdin: stdin, output: make(chan struct{}, 1024)}
	go func() {
		buf := make([]byte, 32*1024)
		for {
			n, err := stdout.Read(buf)
			if screen != nil {
				screen.Write(buf[:n])
			}
			if err != nil {
				close(c.output)
				return
			}
			select {
			case c.output <- struct{}{}:
			default:
			}
		}
	}()
	return c
}

// quiet drains pending output until none has arrived for d.
func (c *ptyClient) quiet(d time.Duration) {
	for {
		select {
		case <-c.output:
		case <-time.After(d):
			return
		}
	}
}

// keystroke types one character and returns how long until the screen
// update came back.
func (c *ptyClient) keystroke(tb testing.TB) time.Duration {
	for len(c.output) > 0 {
		<-c.output
	}
	start := time.Now()
	if _, err := c.stdin.Write([]byte("a")); err != nil {
		tb.Fatal(err)
	}
	select {
	case <-c.output:
		return time.Since(start)
	case <-time.After(10 * time.Second):
		tb.Fatal("no echo within 10s")
	}
	return 0
}

// BenchmarkKeystrokeEcho100Sessions measures keystroke-to-echo latency on
// loopback with 100 interactive sessions open, all typing at once: one
// iteration is one keystroke in each of the 100 sessions. The latency
// includes the renderer's frame pacing (bubbletea renders at most 60 times
// a second), which is what the user sees.
func BenchmarkKeystrokeEcho100Sessions(b *testing.B) {
	const sessions, users = 100, 10
	dir := b.TempDir()
	store, err := storage.Open(filepath.Join(dir, "cieaudit.db"), storage.Options{Hold: true})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	srv, err := New(Config{
		Store:              store,
		HostKeyPath:        filepath.Join(dir, "host_key"),
		NewModel:           func(ssh.Session, Identity) (tea.Model, error) { return echoModel{}, nil },
		MaxSessions:        sessions,
		MaxSessionsPerUser: sessions / users,
		ConnRate:           rate.Inf,
	})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	var signers []gossh.Signer
	for i := range users {
		signer := newSigner(b)
		key, err := storage.ParseUserKey(string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := store.AddUser(storage.User{Name: fmt.Sprintf("utente%d", i), Role: checklist.RoleAuditor, Keys: []storage.UserKey{key}}, false); err != nil {
			b.Fatal(err)
		}
		signers = append(signers, signer)
	}
	clients := make([]*ptyClient, sessions)
	for i := range clients {
		clients[i] = dialPTY(b, ln.Addr().String(), signers[i%users])
		defer clients[i].client.Close()
	}
	for _, c := range clients {
		c.quiet(200 * time.Millisecond)
	}

	var mu sync.Mutex
	var latencies []time.Duration
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() {
				d := c.keystroke(b)
				mu.Lock()
				latencies = append(latencies, d)
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(latencies[len(latencies)-1].Microseconds())/1000, "max-ms")
	if n := srv.programs.count(); n != sessions {
		b.Fatalf("%d TUIs running, want %d", n, sessions)
	}
}
