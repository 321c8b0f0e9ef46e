package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// The crash and lock tests run this test binary again as a child process;
// TestMain sees childRoleEnv and calls runChild instead of the tests.
const (
	childRoleEnv  = "CIEAUDIT_STORAGE_CHILD"
	childDBEnv    = "CIEAUDIT_STORAGE_DB"
	childAuditEnv = "CIEAUDIT_STORAGE_AUDIT"
	childArgEnv   = "CIEAUDIT_STORAGE_ARG"
	childHoldEnv  = "CIEAUDIT_STORAGE_HOLD"
)

func runChild(role string) int {
	path, audit, arg := os.Getenv(childDBEnv), os.Getenv(childAuditEnv), os.Getenv(childArgEnv)
	s, err := Open(path, Options{Hold: os.Getenv(childHoldEnv) == "1"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	switch role {
	case "crash":
		// Save answers until killed, printing each one SaveAnswer said was
		// saved; the parent checks that every printed one survived.
		start, _ := strconv.Atoi(arg)
		scopes := []checklist.Scope{postA01, postA02}
		for i := start; ; i++ {
			sc := scopes[i%2]
			value := "v" + strconv.Itoa(i)
			if _, err := s.SaveAnswer(audit, checklist.Answer{Scope: sc, Item: "TEC-01", Value: value, Author: "crash"}, -1); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			fmt.Printf("saved %s %s\n", sc, value)
		}
	case "writer":
		// Write and read interleaved with another writer process.
		name, n := arg, 25
		sc := postA01
		if name == "w2" {
			sc = postA02
		}
		for i := range n {
			if _, err := s.SaveAnswer(audit, checklist.Answer{Scope: sc, Item: "TEC-01", Value: fmt.Sprintf("%s-%d", name, i), Author: name}, -1); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			if _, err := s.Load(audit); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	case "holder":
		fmt.Println("ready")
		_, _ = io.Copy(io.Discard, os.Stdin)
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown role", role)
	return 2
}

func childCmd(t *testing.T, role, path, audit, arg string, hold bool) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	h := ""
	if hold {
		h = "1"
	}
	cmd.Env = append(os.Environ(), childRoleEnv+"="+role, childDBEnv+"="+path, childAuditEnv+"="+audit, childArgEnv+"="+arg, childHoldEnv+"="+h)
	cmd.Stderr = os.Stderr
	return cmd
}

// seedFile creates a database with the test audit and closes it.
func seedFile(t *testing.T) (path, auditID string) {
	t.Helper()
	s := openTest(t, Options{Now: time.Now})
	a := seed(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return s.Path(), a.ID
}

func TestCrashDuringSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary 20+ times")
	}
	path, auditID := seedFile(t)
	rngSeed := time.Now().UnixNano()
	t.Logf("random seed %d", rngSeed)
	rng := rand.New(rand.NewPCG(uint64(rngSeed), 0))

	reported := map[string]bool{} // values a child was told are saved
	last := map[string]int{}      // scope → highest counter reported saved
	const rounds = 24
	for round := range rounds {
		cmd := childCmd(t, "crash", path, auditID, strconv.Itoa(round*1_000_000), round%2 == 1)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			defer close(lines)
			r := bufio.NewReader(out)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return // a line cut by the kill was never fully reported
				}
				lines <- strings.TrimSuffix(line, "\n")
			}
		}()
		record := func(line string) {
			f := strings.Fields(line)
			if len(f) != 3 || f[0] != "saved" {
				t.Fatalf("child said %q", line)
			}
			reported[f[2]] = true
			n, _ := strconv.Atoi(strings.TrimPrefix(f[2], "v"))
			last[f[1]] = max(last[f[1]], n)
		}
		select {
		case line, ok := <-lines:
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("round %d: child exited before saving anything", round)
			}
			record(line)
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("round %d: child saved nothing in 30s", round)
		}
		time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for line := range lines {
			record(line)
		}
		_ = cmd.Wait()
	}
	if len(reported) < rounds {
		t.Fatalf("only %d saves reported in %d rounds", len(reported), rounds)
	}

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopening after %d kills: %v", rounds, err)
	}
	defer s.Close()
	rep, err := s.Check()
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("Check after kills: %v %v", err, rep.Problems)
	}
	inHistory := map[string]bool{}
	for _, c := range mustHistory(t, s, auditID) {
		if c.Kind == checklist.ChangeAnswer && c.Item == "TEC-01" {
			inHistory[c.New] = true
		}
	}
	for v := range reported {
		if !inHistory[v] {
			t.Errorf("answer %s was reported saved but is not in the history", v)
		}
	}
	answers, err := s.Answers(auditID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range answers {
		n, _ := strconv.Atoi(strings.TrimPrefix(a.Value, "v"))
		if n < last[a.Scope.String()] {
			t.Errorf("%s: current answer %s is older than the last reported save v%d", a.Scope, a.Value, last[a.Scope.String()])
		}
	}
	t.Logf("%d kills, %d saves reported and found", rounds, len(reported))
}

func TestTwoProcessesShareDefaultMode(t *testing.T) {
	path, auditID := seedFile(t)
	var cmds []*exec.Cmd
	for _, name := range []string{"w1", "w2"} {
		cmd := childCmd(t, "writer", path, auditID, name, false)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	// This process reads while the two children write.
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	done := make(chan struct{})
	var readErr error
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := s.ListAudits(); err != nil {
				readErr = err
				return
			}
		}
	})
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer %d: %v", i+1, err)
		}
	}
	close(done)
	wg.Wait()
	if readErr != nil {
		t.Errorf("reader: %v", readErr)
	}
	count := map[string]int{}
	for _, c := range mustHistory(t, s, auditID) {
		if c.Kind == checklist.ChangeAnswer {
			count[c.Author]++
		}
	}
	if count["w1"] != 25 || count["w2"] != 25 {
		t.Errorf("answers in history per writer = %v, want 25 each", count)
	}
}

func TestHeldFileIsLocked(t *testing.T) {
	path, auditID := seedFile(t)
	// A store opened before the holder: each of its operations needs the lock.
	early, err := Open(path, Options{LockTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer early.Close()

	holder := childCmd(t, "holder", path, "", "", true)
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("holder said %q, %v", line, err)
	}

	tests := []struct {
		name string
		do   func() error
	}{
		{"Open", func() error { _, err := Open(path, Options{}); return err }},
		{"Open read-only", func() error {
			_, err := Open(path, Options{ReadOnly: true, LockTimeout: 300 * time.Millisecond})
			return err
		}},
		{"Open Hold", func() error {
			_, err := Open(path, Options{Hold: true, LockTimeout: 300 * time.Millisecond})
			return err
		}},
		{"SaveAnswer", func() error {
			return errOf(early.SaveAnswer(auditID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"}, -1))
		}},
		{"Load", func() error { return errOf(early.Load(auditID)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if !errors.Is(err, ErrLocked) {
				t.Fatalf("err = %v, want ErrLocked", err)
			}
			if !strings.Contains(err.Error(), "server SSH") || !strings.Contains(err.Error(), path) {
				t.Errorf("message does not say what to do: %v", err)
			}
		})
	}

	stdin.Close()
	if err := holder.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := early.SaveAnswer(auditID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"}, -1); err != nil {
		t.Fatalf("after the holder left: %v", err)
	}
}

func TestHoldInProcess(t *testing.T) {
	held := openTest(t, Options{Hold: true})
	a := seed(t, held)
	mustSave(t, held, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"})
	_, err := Open(held.Path(), Options{LockTimeout: 100 * time.Millisecond})
	wantErrIs(t, err, ErrLocked)
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = held.Load(a.ID)
	wantErrIs(t, err, ErrClosed)
	s, err := Open(held.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if answers, err := s.Answers(a.ID); err != nil || len(answers) != 1 {
		t.Fatalf("answers saved in Hold mode: %v %v", answers, err)
	}
}
