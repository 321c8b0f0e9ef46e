package main

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/cieaudit/cieaudit/checklist/demo"
	"github.com/cieaudit/cieaudit/storage"
)

// TestEnsureDemoConcurrent: processes (here goroutines on two handles of one
// file, each transaction locking the file) that ask for the demo at once
// end up with one demo audit, complete.
func TestEnsureDemoConcurrent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "demo.db")
	var ids [4]string
	var created [4]bool
	var wg sync.WaitGroup
	for i := range ids {
		s, err := storage.Open(path, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if ids[i], created[i], err = ensureDemo(s, demo.Author); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	n := 0
	for i := range ids {
		if ids[i] != ids[0] {
			t.Errorf("ensureDemo returned %v: want one demo audit", ids)
		}
		if created[i] {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d calls created the demo, want 1", n)
	}
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.ListAudits()
	if err != nil || len(list) != 1 {
		t.Fatalf("ListAudits = %d audits, %v", len(list), err)
	}
	snap, err := s.Load(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := s.EnsureBuiltin()
	if list[0].Progress != snap.AuditProgress() {
		t.Errorf("audit index says %+v, a recount %+v", list[0].Progress, snap.AuditProgress())
	}
	if want := len(demo.Answers(&snap.Audit, cat)); len(snap.Answers) != want || len(snap.Evaluations) != 2 {
		t.Errorf("demo has %d answers and %d evaluations, want %d and 2", len(snap.Answers), len(snap.Evaluations), want)
	}
}
