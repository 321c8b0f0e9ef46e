package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestScripts runs the end-to-end scenarios in testdata/script/*.txtar, as
// soft-serve does: the real binary, a real `cieaudit serve` and the real
// OpenSSH client. Besides testscript's own commands the scripts have:
//
//	keygen NAME             ssh-keygen a key $WORK/NAME; $NAME_PUB is its public line
//	serve                   start cieaudit serve on a free port (stopped at the end)
//	ssh [-code N] KEY USER ARGS...
//	                        run ARGS over SSH with $WORK/KEY as USER; the exit code
//	                        must be N (default 0; with ! any failure)
//	grabstdout VAR          set $VAR to the previous command's stdout, trimmed
//
// `cieaudit` is the binary under test, on $PATH, with $CIEAUDIT_DB in $WORK.
func TestScripts(t *testing.T) {
	t.Parallel()
	requireTools(t, "ssh", "ssh-keygen")
	bin := buildBinary(t)
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("CIEAUDIT_DB", filepath.Join(env.WorkDir, "cieaudit.db"))
			env.Setenv("CIEAUDIT_USER", "collaudo")
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"keygen":     scriptKeygen,
			"serve":      scriptServe(bin),
			"ssh":        scriptSSH,
			"grabstdout": scriptGrabStdout,
		},
	})
}

func scriptKeygen(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: keygen NAME")
	}
	path := ts.MkAbs(args[0])
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", args[0]+"@collaudo", "-f", path).CombinedOutput(); err != nil {
		ts.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	ts.Setenv(strings.ToUpper(args[0])+"_PUB", strings.TrimSpace(ts.ReadFile(path+".pub")))
}

// scriptServe starts the server and waits for the line saying where it
// listens: no sleeping, the port is read from it.
func scriptServe(bin string) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if neg {
			ts.Fatalf("usage: serve [FLAGS]")
		}
		cmdArgs := append([]string{"serve", "--listen", "127.0.0.1:0", "--conn-burst", "1000", "--host-key", ts.MkAbs("host_key")}, args...)
		cmd := exec.Command(bin, cmdArgs...)
		cmd.Dir = ts.MkAbs(".")
		cmd.Env = append(os.Environ(), "CIEAUDIT_DB="+ts.Getenv("CIEAUDIT_DB"), "CIEAUDIT_USER=server", "NO_COLOR=1")
		stdout, err := cmd.StdoutPipe()
		ts.Check(err)
		logFile, err := os.Create(ts.MkAbs("serve.log"))
		ts.Check(err)
		cmd.Stderr = logFile
		ts.Check(cmd.Start())
		done := make(chan struct{})
		ts.Defer(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			<-done
			logFile.Close()
		})
		port := make(chan string, 1)
		go func() {
			defer close(done)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
					port <- m[2]
				}
			}
			close(port)
			_ = cmd.Wait()
		}()
		p, ok := <-port
		if !ok {
			ts.Fatalf("serve exited before listening:\n%s", ts.ReadFile("serve.log"))
		}
		ts.Setenv("SSHPORT", p)
	}
}

// scriptSSH runs a command over SSH as a user types it in a shell: each
// argument is single-quoted when it holds spaces, the server splits them.
// "-stdin FILE" sends the file of the script's folder as standard input
// (ssh … < FILE).
func scriptSSH(ts *testscript.TestScript, neg bool, args []string) {
	want, stdin := 0, ""
	if len(args) > 1 && args[0] == "-stdin" {
		stdin, args = ts.ReadFile(args[1]), args[2:]
	}
	if len(args) > 1 && args[0] == "-code" {
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		want, args = n, args[2:]
	}
	if len(args) < 2 {
		ts.Fatalf("usage: ssh [-stdin FILE] [-code N] KEY USER ARGS...")
	}
	sshArgs := []string{
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
		"-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "PreferredAuthentications=publickey",
		"-p", ts.Getenv("SSHPORT"), "-i", ts.MkAbs(args[0]), args[1] + "@127.0.0.1", "--",
	}
	for _, a := range args[2:] {
		if strings.ContainsAny(a, " \t") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		sshArgs = append(sshArgs, a)
	}
	cmd := exec.Command("ssh", sshArgs...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = ts.Stdout(), ts.Stderr()
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("ssh: %v", err)
	}
	switch {
	case neg && code == 0:
		ts.Fatalf("ssh %s: unexpected success", strings.Join(args[2:], " "))
	case !neg && code != want:
		ts.Fatalf("ssh %s: exit %d, want %d", strings.Join(args[2:], " "), code, want)
	}
}

func scriptGrabStdout(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: grabstdout VAR")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}
