package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

// TestMergeAudit: one audit copied to a second database (the laptop), both
// changed, the laptop's copy merged into the first (the jump host) with its
// files; merging it again writes nothing.
func TestMergeAudit(t *testing.T) {
	host := openTest(t, Options{})
	a := seed(t, host)
	mustSave(t, host, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Author: "giulia"})
	mustSave(t, host, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-02", Value: "3", Author: "giulia"})

	lpath := filepath.Join(t.TempDir(), "laptop.db")
	if _, err := host.Backup(lpath); err != nil {
		t.Fatal(err)
	}
	later := newClock()
	later.now = later.now.Add(3600e9) // the laptop works after the host
	laptop, err := Open(lpath, Options{Now: later.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer laptop.Close()

	// Each side changes something else, and both change ORG-02.
	mustSave(t, host, a.ID, checklist.Answer{Scope: postA01, Item: "TEC-01", Value: "si", Author: "giulia"})
	mustSave(t, host, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-02", Value: "4", Author: "giulia"})
	mustSave(t, laptop, a.ID, checklist.Answer{Scope: postA02, Item: "TEC-01", Value: "no", Author: "marco"})
	mustSave(t, laptop, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-02", Value: "5", Note: "rivisto", Author: "marco"})
	photo := []byte("verbale di sopralluogo: armadio chiuso\n")
	ev, err := laptop.AddEvidence(a.ID, checklist.EnteScope, "ORG-01", "verbale.txt", "", photo, "marco")
	if err != nil {
		t.Fatal(err)
	}

	incoming, err := laptop.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Without the file's content nothing is written.
	if _, err := host.MergeAudit(&checklist.ImportedAudit{Snapshot: incoming}, "giulia"); err == nil || !strings.Contains(err.Error(), "mancante") {
		t.Fatalf("merge without the file's content: %v", err)
	}
	copyOf := &checklist.ImportedAudit{Snapshot: incoming, Evidence: map[string][]byte{ev.Digest: photo}}
	res, err := host.MergeAudit(copyOf, "giulia")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.HistoryAdded != 4 || res.AnswersChanged != 2 || len(res.Conflicts) != 1 || len(res.EvidenceAdded) != 1 {
		t.Fatalf("result %+v", res)
	}
	if c := res.Conflicts[0]; c.Item != "ORG-02" || c.Kept.Value != "5" || c.Other.Value != "4" || !c.IncomingWon {
		t.Errorf("conflict %+v", c)
	}
	got, err := host.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		scope checklist.Scope
		item  string
		value string
	}{{checklist.EnteScope, "ORG-01", "si"}, {checklist.EnteScope, "ORG-02", "5"}, {postA01, "TEC-01", "si"}, {postA02, "TEC-01", "no"}} {
		if ans, _ := got.Answer(w.scope, w.item); ans.Value != w.value {
			t.Errorf("%s %s = %q, want %q", w.scope, w.item, ans.Value, w.value)
		}
	}
	// Both values of ORG-02 are in the history.
	var values []string
	for _, c := range got.History {
		if c.Kind == checklist.ChangeAnswer && c.Item == "ORG-02" {
			values = append(values, c.New)
		}
	}
	if strings.Join(values, " ") != "3 4 5" {
		t.Errorf("ORG-02 in the history: %q", values)
	}
	if _, data, err := host.EvidenceContent(a.ID, ev.ID); err != nil || !bytes.Equal(data, photo) {
		t.Errorf("evidence content: %v", err)
	}
	if rep, err := host.Check(); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("doctor after merge: %v %v", err, rep)
	}
	list, err := host.ListAudits()
	if err != nil || list[0].Progress.Answered != 4 {
		t.Errorf("audit index after merge: %+v %v", list, err)
	}

	// Merging the same copy again writes nothing at all.
	before, err := os.ReadFile(host.Path())
	if err != nil {
		t.Fatal(err)
	}
	again, err := host.MergeAudit(copyOf, "giulia")
	if err != nil || again.Changed {
		t.Fatalf("second merge: %+v %v", again, err)
	}
	after, _ := os.ReadFile(host.Path())
	if !bytes.Equal(before, after) {
		t.Error("a merge that changes nothing rewrote the file")
	}

	// Closed on the host: a copy with a new answer is refused, nothing written.
	if _, err := host.SetStatus(a.ID, checklist.StatusClosed, "giulia", "",
		&checklist.SignOff{Auditors: []string{"Giulia Esposito"}, Place: "Valdoria", Date: "2026-11-20"}); err != nil {
		t.Fatal(err)
	}
	mustSave(t, laptop, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no", Author: "marco"})
	later2, err := laptop.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	closed, _ := os.ReadFile(host.Path())
	if _, err := host.MergeAudit(&checklist.ImportedAudit{Snapshot: later2, Evidence: copyOf.Evidence}, "giulia"); err == nil || !strings.Contains(err.Error(), "è chiuso in questo database") {
		t.Fatalf("merge into a closed audit: %v", err)
	}
	if after, _ := os.ReadFile(host.Path()); !bytes.Equal(closed, after) {
		t.Error("a refused merge rewrote the file")
	}
	if _, err := host.SetStatus(a.ID, checklist.StatusInProgress, "giulia", "riapertura", nil); err != nil {
		t.Fatal(err)
	}

	// A new attachment on the host takes a number the merged one never had.
	next, err := host.AddEvidence(a.ID, checklist.EnteScope, "ORG-01", "altro.txt", "", []byte("altro\n"), "giulia")
	if err != nil || next.ID != "al-2" {
		t.Errorf("next evidence %q %v", next.ID, err)
	}
}
