package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/storage"
)

// TestCLIDemoSynthetic: demo --synthetic N stores N complete audits (every
// item answered, history with changes, actions) that the integrity check
// accepts, and the demo audit can still be created beside them.
func TestCLIDemoSynthetic(t *testing.T) {
	db := filepath.Join(t.TempDir(), "synthetic.db")
	const n = 25
	r := runCLI(t, db, "demo", "--synthetic", "25")
	if r.Code != 0 || !strings.Contains(r.Stdout, "Creati 25 audit sintetici") {
		t.Fatalf("demo --synthetic: %+v", r)
	}
	if r := runCLI(t, db, "doctor"); r.Code != 0 {
		t.Fatalf("doctor after demo --synthetic: %+v", r)
	}
	r = runCLI(t, db, "audit", "list", "--json")
	var doc struct {
		Audits []struct {
			ID       string `json:"id"`
			Answered int    `json:"answered"`
			Total    int    `json:"total"`
		} `json:"audits"`
	}
	err := json.Unmarshal([]byte(r.Stdout), &doc)
	list := doc.Audits
	if err != nil || len(list) != n {
		t.Fatalf("audit list --json: %d audits, %v\n%s", len(list), err, r.Stdout)
	}
	s, err := storage.Open(db, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var changed, actions int
	for _, l := range list {
		if l.Answered != l.Total || l.Total == 0 {
			t.Errorf("audit %s: %d of %d items answered, want all", l.ID, l.Answered, l.Total)
		}
		snap, err := s.Load(l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Audit.Sedi) == 0 || len(snap.Audit.Postazioni) == 0 || len(snap.Evaluations) == 0 {
			t.Errorf("audit %s: %d sedi, %d postazioni, %d evaluations", l.ID, len(snap.Audit.Sedi), len(snap.Audit.Postazioni), len(snap.Evaluations))
		}
		for _, a := range snap.Answers {
			if a.Rev > 1 {
				changed++
			}
		}
		actions += len(snap.Actions)
	}
	if changed == 0 || actions == 0 {
		t.Errorf("synthetic audits with %d changed answers and %d actions: want some of each", changed, actions)
	}
	s.Close()
	if r := runCLI(t, db, "demo"); r.Code != 0 || !strings.Contains(r.Stderr, "Creato l'audit dimostrativo") {
		t.Errorf("demo beside synthetic audits: %+v", r)
	}
}

// TestCLIDemoSyntheticUsage: a count out of range is a usage error and
// writes nothing.
func TestCLIDemoSyntheticUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "synthetic.db")
	for _, n := range []string{"0", "-3", "200001", "molti"} {
		r := runCLI(t, db, "demo", "--synthetic", n)
		if r.Code != 2 || !strings.Contains(r.Stderr, "synthetic") {
			t.Errorf("demo --synthetic %s: %+v, want exit 2 naming --synthetic", n, r)
		}
	}
}
