package userfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCheckAndRead: Check (no open) and Read (open without blocking) refuse
// the same paths with the same sentence, and Read returns the content of a
// regular file within the limit.
func TestCheckAndRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := filepath.Join(dir, "foto.jpg")
	if err := os.WriteFile(small, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "grande.pdf")
	if err := os.WriteFile(big, make([]byte, 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"regular", small, ""},
		{"too big", big, "il file " + big + " supera il limite di 1 KiB"},
		{"folder", dir, "non è un file regolare ma una cartella"},
		{"fifo", fifo, "non è un file regolare ma una FIFO"},
		{"device", "/dev/zero", "non è un file regolare ma un dispositivo a caratteri"},
		{"missing", filepath.Join(dir, "manca.jpg"), "manca.jpg non esiste"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errC := Check("il file", tc.path, 1024)
			data, errR := Read("il file", tc.path, 1024)
			for _, err := range []error{errC, errR} {
				switch {
				case tc.want == "" && err != nil:
					t.Fatalf("refused: %v", err)
				case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
					t.Fatalf("error %v, want it to contain %q", err, tc.want)
				}
			}
			if tc.want == "" && string(data) != "abc" {
				t.Fatalf("read %q", data)
			}
		})
	}
}
