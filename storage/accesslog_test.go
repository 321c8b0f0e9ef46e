package storage

import (
	"path/filepath"
	"testing"
	"time"
)

func TestAccessLog(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "cieaudit.db")
	s, err := Open(path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	if log, err := s.AccessLog(0); err != nil || len(log) != 0 {
		t.Fatalf("empty database: %v, %v", log, err)
	}
	entries := []AccessEntry{
		{Remote: "127.0.0.1:5000", Reason: "chiave pubblica sconosciuta SHA256:x", Fingerprint: "SHA256:x"},
		{Remote: "127.0.0.1:5001", User: "mario", Fingerprint: "SHA256:m", Accepted: true, Session: "tui"},
		{Remote: "127.0.0.1:5002", User: "anna", Reason: "codice TOTP errato"},
	}
	var seqs []uint64
	for _, e := range entries {
		seq, err := s.LogAccess(e)
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
		now = now.Add(time.Minute)
	}
	if err := s.EndAccess(seqs[1], now.Add(90*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.EndAccess(999, now); err == nil {
		t.Fatal("EndAccess of a missing entry succeeded")
	}

	// Reopen: the log lives in the file.
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.AccessLog(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("got %d entries, want 3", len(all))
	}
	for i, e := range all {
		if e.Seq != seqs[i] || e.Remote != entries[i].Remote || e.Reason != entries[i].Reason {
			t.Errorf("entry %d = %+v, want %+v", i, e, entries[i])
		}
	}
	session := all[1]
	if !session.Accepted || session.Ended.IsZero() {
		t.Fatalf("session entry = %+v", session)
	}
	// Logged at 09:01, ended at 09:03 + 90s.
	if session.DurationSeconds != 210 {
		t.Errorf("duration = %vs, want 210s", session.DurationSeconds)
	}
	if !all[0].At.Equal(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("At = %v, not the store clock", all[0].At)
	}

	tests := []struct {
		limit     int
		wantFirst string
		wantLen   int
	}{
		{1, "127.0.0.1:5002", 1},
		{2, "127.0.0.1:5001", 2},
		{10, "127.0.0.1:5000", 3},
		{-1, "127.0.0.1:5000", 3},
	}
	for _, tt := range tests {
		got, err := s.AccessLog(tt.limit)
		if err != nil || len(got) != tt.wantLen || got[0].Remote != tt.wantFirst {
			t.Errorf("AccessLog(%d) = %+v, %v", tt.limit, got, err)
		}
	}
}

func BenchmarkLogAccess(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "cieaudit.db"), Options{Hold: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	e := AccessEntry{Remote: "127.0.0.1:5000", User: "mario", Fingerprint: "SHA256:m", Accepted: true, Session: "tui"}
	for b.Loop() {
		if _, err := s.LogAccess(e); err != nil {
			b.Fatal(err)
		}
	}
}
