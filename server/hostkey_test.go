package server

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestHostKeyConcurrentFirstStartsShareOneKey(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys", "host")
	const starts = 8
	var (
		wg    sync.WaitGroup
		ready = make(chan struct{})
		keys  = make([][]byte, starts)
		errs  = make([]error, starts)
	)
	for i := range starts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			s, err := LoadOrCreateHostKey(path)
			if err == nil {
				keys[i] = s.PublicKey().Marshal()
			}
			errs[i] = err
		}()
	}
	close(ready)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
	}
	onDisk, err := LoadOrCreateHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if !bytes.Equal(k, onDisk.PublicKey().Marshal()) {
			t.Fatalf("start %d serves a key that is not the one on disk", i)
		}
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "host,host.pub" {
		t.Fatalf("key folder holds %v, want only host and host.pub (no temporary files)", names)
	}
}

func TestHostKeyRefusals(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	// A valid key to copy into the bad cases.
	good := filepath.Join(t.TempDir(), "host")
	if _, err := LoadOrCreateHostKey(good); err != nil {
		t.Fatal(err)
	}
	valid, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content []byte
		mode    os.FileMode
		want    func(path string) []string
	}{
		{"readable by others", valid, 0o644, func(p string) []string { return []string{"accessibile ad altri utenti", "chmod 600 " + p} }},
		{"readable by group", valid, 0o640, func(p string) []string { return []string{"(permessi 0640)", "chmod 600 " + p} }},
		{"empty", nil, 0o600, func(p string) []string { return []string{"vuota", "cancellarla (rm " + p + ")"} }},
		{"blank", []byte("\n"), 0o600, func(p string) []string { return []string{"vuota", "rm " + p} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "host")
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreateHostKey(path)
			if err == nil {
				t.Fatal("server would start")
			}
			for _, w := range tc.want(path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			// The key is never replaced behind the admin's back.
			if got, _ := os.ReadFile(path); !bytes.Equal(got, tc.content) {
				t.Error("the key file was changed")
			}
		})
	}
	// Fixed as the message says, the key is accepted.
	path := filepath.Join(t.TempDir(), "host")
	if err := os.WriteFile(path, valid, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateHostKey(path); err != nil {
		t.Fatalf("after chmod 600: %v", err)
	}
}
