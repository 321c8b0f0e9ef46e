package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runGuarded is runCLIInput with a hang guard: a command that blocks on a
// FIFO or reads /dev/zero forever is killed and reported, not waited for.
func runGuarded(t *testing.T, db, stdin string, args ...string) cliResult {
	t.Helper()
	bin := buildBinary(t)
	if db != "" {
		args = append([]string{"--db", db}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "CIEAUDIT_USER=collaudo", "CIEAUDIT_DB=", "NO_COLOR=1")
	cmd.Stdin = strings.NewReader(stdin)
	r := runProcess(t, cmd)
	if ctx.Err() != nil {
		t.Fatalf("%v hung: killed after 30s", args)
	}
	return r
}

// TestUserPathsAreCheckedForKind: every path the CLI is given is looked at
// before it is opened; a FIFO, a device, a folder or a symbolic link loop
// gets one Italian sentence at once, never a hang, and no file content
// appears in a message.
func TestUserPathsAreCheckedForKind(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "cartella")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "shadow")
	if err := os.WriteFile(secret, []byte("root:$6$segretissimo$abcdef:19000:0:99999:7:::\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "cieaudit.db")
	mustRun(t, db, "audit", "list")

	tests := []struct {
		name string
		db   string
		args []string
		want string
	}{
		{"--db FIFO", fifo, []string{"audit", "list"}, "non è un file regolare ma una FIFO"},
		{"--db folder", folder, []string{"audit", "list"}, "non è un file regolare ma una cartella"},
		{"--db symlink loop", loop, []string{"audit", "list"}, "ciclo di collegamenti simbolici"},
		{"--db /dev/zero", "/dev/zero", []string{"doctor"}, "non è un file regolare ma un dispositivo a caratteri"},
		{"catalog validate /dev/zero", db, []string{"catalog", "validate", "/dev/zero"}, "il catalogo /dev/zero non è un file regolare"},
		{"catalog validate FIFO", db, []string{"catalog", "validate", fifo}, "una FIFO"},
		{"catalog validate folder", db, []string{"catalog", "validate", folder}, "una cartella"},
		{"catalog validate loop", db, []string{"catalog", "validate", loop}, "ciclo di collegamenti simbolici"},
		{"--catalog /dev/zero", db, []string{"audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--year", "2026", "--auditor", "Rossi", "--catalog", "/dev/zero"}, "non è un file regolare"},
		{"--catalog FIFO", db, []string{"audit", "new", "--ente", "Comune di Prova", "--istat", "054001", "--year", "2026", "--auditor", "Rossi", "--catalog", fifo}, "una FIFO"},
		{"--key-file FIFO", db, []string{"user", "add", "anna", "--role", "viewer", "--key-file", fifo}, "una FIFO"},
		{"--key-file /dev/zero", db, []string{"user", "add", "anna", "--role", "viewer", "--key-file", "/dev/zero"}, "un dispositivo a caratteri"},
		{"backup into /dev/null", db, []string{"backup", "/dev/null"}, "non è un file regolare"},
		{"export --out FIFO", db, []string{"export", "--all", "--format", "csv", "--out", fifo}, "non è una cartella ma FIFO"},
		{"catalog import FIFO", db, []string{"catalog", "import", "--format", "ciso-assistant", fifo}, "il file da importare " + fifo + " non è un file regolare ma una FIFO"},
		{"catalog import /dev/zero", db, []string{"catalog", "import", "--format", "ciso-assistant", "/dev/zero"}, "un dispositivo a caratteri"},
		{"catalog export --out FIFO", db, []string{"catalog", "export", "cie-postazioni", "--out", fifo}, "--out " + fifo + " non è un file regolare ma una FIFO"},
		{"catalog validate of a password file", db, []string{"catalog", "validate", secret}, "problemi nel catalogo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runGuarded(t, tt.db, "", tt.args...)
			out := r.Stdout + r.Stderr
			if r.Code == 0 || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, output %q: want a refusal saying %q", r.Code, out, tt.want)
			}
			if strings.Contains(out, "segretissimo") || strings.Contains(out, "$6$") {
				t.Fatalf("the file's content is in the message: %q", out)
			}
		})
	}
}

// TestEmptyDatabaseFileIsInitialised: a 0-byte file given as --db is a new
// database, as docs/storage.md says.
func TestEmptyDatabaseFileIsInitialised(t *testing.T) {
	db := filepath.Join(t.TempDir(), "vuoto.db")
	if err := os.WriteFile(db, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, db, "audit", "list")
	if out := mustRun(t, db, "doctor"); !strings.Contains(out, "Integrità: OK") {
		t.Fatalf("doctor after initialising an empty file: %s", out)
	}
}

// TestBackupIntoFolderAndToStdout: backup DIR writes a dated, verified copy
// into the folder; backup - writes the copy to standard output.
func TestBackupIntoFolderAndToStdout(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cieaudit.db")
	id := strings.TrimSpace(mustRun(t, db, "demo"))
	folder := filepath.Join(dir, "copie")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, db, "backup", folder)
	if !strings.Contains(out, "verificato") {
		t.Fatalf("backup DIR said %q", out)
	}
	files, _ := filepath.Glob(filepath.Join(folder, "cieaudit-*.db"))
	if len(files) != 1 {
		t.Fatalf("backup DIR wrote %v, want one cieaudit-DATE.db", files)
	}
	r := runGuarded(t, db, "", "backup", "-")
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("backup -: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Fatal("backup - wrote a file named -")
	}
	piped := filepath.Join(dir, "da-stdout.db")
	if err := os.WriteFile(piped, []byte(r.Stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, copy := range []string{files[0], piped} {
		if out := mustRun(t, copy, "doctor"); !strings.Contains(out, "Integrità: OK") {
			t.Fatalf("doctor on %s: %s", copy, out)
		}
		showAudit(t, copy, id)
	}
}

// TestDashIsStandardInput: catalog validate - reads the catalogue from
// standard input.
func TestDashIsStandardInput(t *testing.T) {
	src, err := os.ReadFile("../../checklist/catalogues/cie-postazioni.yaml")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "cieaudit.db")
	r := runGuarded(t, db, string(src), "catalog", "validate", "-")
	if r.Code != 0 || !strings.Contains(r.Stdout, "valido") {
		t.Fatalf("catalog validate -: exit %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
}
