package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// regenFixture rewrites testdata/storage/schema-v1.db:
//
//	go test ./storage -run TestMigrateV1Fixture -args -regen-fixture
var regenFixture = flag.Bool("regen-fixture", false, "rewrite the schema v1 fixture database")

const v1Fixture = "schema-v1.db"

// writeV1Fixture builds a database as cieaudit schema 1 wrote it: flat
// audits, answers keyed "audit\x00scope\x00item", one global journal, and
// an answer of an audit that no longer exists.
func writeV1Fixture(path string) error {
	_ = os.Remove(path)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	catSrc, err := os.ReadFile(filepath.Join("..", "testdata", "storage", "catalogue-v1.yaml"))
	if err != nil {
		return err
	}
	at := func(min int) time.Time { return time.Date(2025, 5, 12, 9, min, 0, 0, time.UTC) }
	open := checklist.Audit{ID: "k7m2p9qa", Ente: checklist.Ente{Name: "Comune di Valdoria", ISTAT: "099001"}, Year: 2025,
		Auditors: []string{"Giulia Esposito"}, Status: checklist.StatusInProgress,
		CatalogueID: "prova-archivio", CatalogueVersion: "1", CatalogueDigest: digestOf(catSrc),
		Sedi:       []checklist.Sede{{Name: "Municipio"}},
		Postazioni: []checklist.Postazione{{Code: "PG0991A01", Sede: "Municipio"}},
		CreatedAt:  at(0), UpdatedAt: at(30)}
	closed := checklist.Audit{ID: "x3d8f4hw", Ente: checklist.Ente{Name: "Comune di Colle Alto", ISTAT: "099002"}, Year: 2024,
		Auditors: []string{"Marco Ferrari"}, Status: checklist.StatusClosed,
		CatalogueID: "prova-archivio", CatalogueVersion: "1", CatalogueDigest: digestOf(catSrc),
		SignOff:   &checklist.SignOff{Auditors: []string{"Marco Ferrari"}, Place: "Colle Alto", Date: "2024-10-03"},
		CreatedAt: at(1), UpdatedAt: at(20)}
	type answer struct {
		audit string
		checklist.Answer
	}
	answers := []answer{
		{open.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Author: "giulia", At: at(10), Rev: 2}},
		{open.ID, checklist.Answer{Scope: sedeMunicipio, Item: "FIS-01", Value: "parziale", Note: "Registro delle chiavi incompleto.", Author: "giulia", At: at(11), Rev: 1}},
		{open.ID, checklist.Answer{Scope: postA01, Item: "FIS-02", Value: "mensile", Author: "giulia", At: at(12), Rev: 1}},
		{open.ID, checklist.Answer{Scope: postA01, Item: "TEC-01", Value: "Windows 10 Pro", Author: "giulia", At: at(13), Rev: 1}},
		{closed.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-02", Value: "4", Author: "marco", At: at(14), Rev: 1}},
		{"gone0000", checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no", Author: "marco", At: at(15), Rev: 1}},
	}
	type entry struct {
		Audit string `json:"audit"`
		checklist.Change
	}
	journal := []entry{
		{open.ID, checklist.Change{At: at(0), Author: "giulia", Kind: checklist.ChangeAudit, New: "audit creato"}},
		{closed.ID, checklist.Change{At: at(1), Author: "marco", Kind: checklist.ChangeAudit, New: "audit creato"}},
		{open.ID, checklist.Change{At: at(9), Author: "giulia", Kind: checklist.ChangeAnswer, Scope: "ente", Item: "ORG-01", Old: "", New: "no"}},
		{open.ID, checklist.Change{At: at(10), Author: "giulia", Kind: checklist.ChangeAnswer, Scope: "ente", Item: "ORG-01", Old: "no", New: "si"}},
		{open.ID, checklist.Change{At: at(11), Author: "giulia", Kind: checklist.ChangeAnswer, Scope: "sede:Municipio", Item: "FIS-01", New: "parziale"}},
		{open.ID, checklist.Change{At: at(11), Author: "giulia", Kind: checklist.ChangeNote, Scope: "sede:Municipio", Item: "FIS-01", New: "Registro delle chiavi incompleto."}},
		{open.ID, checklist.Change{At: at(12), Author: "giulia", Kind: checklist.ChangeAnswer, Scope: "postazione:PG0991A01", Item: "FIS-02", New: "mensile"}},
		{open.ID, checklist.Change{At: at(13), Author: "giulia", Kind: checklist.ChangeAnswer, Scope: "postazione:PG0991A01", Item: "TEC-01", New: "Windows 10 Pro"}},
		{closed.ID, checklist.Change{At: at(14), Author: "marco", Kind: checklist.ChangeAnswer, Scope: "ente", Item: "ORG-02", New: "4"}},
		{closed.ID, checklist.Change{At: at(20), Author: "marco", Kind: checklist.ChangeStatus, Old: "in_corso", New: "chiuso"}},
		{"gone0000", checklist.Change{At: at(15), Author: "marco", Kind: checklist.ChangeAnswer, Scope: "ente", Item: "ORG-01", New: "no"}},
	}
	return db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket([]byte("meta"))
		if err := meta.Put([]byte("schema_version"), binary.BigEndian.AppendUint32(nil, 1)); err != nil {
			return err
		}
		cats, _ := tx.CreateBucket([]byte("catalogues"))
		if err := cats.Put([]byte("prova-archivio@1"), catSrc); err != nil {
			return err
		}
		audits, _ := tx.CreateBucket([]byte("audits"))
		for _, a := range []checklist.Audit{open, closed} {
			if err := putJSON(audits, []byte(a.ID), a); err != nil {
				return err
			}
		}
		ab, _ := tx.CreateBucket([]byte("answers"))
		for _, a := range answers {
			if err := putJSON(ab, []byte(a.audit+"\x00"+a.Scope.String()+"\x00"+a.Item), a.Answer); err != nil {
				return err
			}
		}
		jb, _ := tx.CreateBucket([]byte("journal"))
		for i, e := range journal {
			e.Seq = uint64(i + 1)
			if err := putJSON(jb, seqKey(e.Seq), e); err != nil {
				return err
			}
		}
		return nil
	})
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateV1Fixture(t *testing.T) {
	fixture := filepath.Join("..", "testdata", "storage", v1Fixture)
	if *regenFixture {
		if err := writeV1Fixture(fixture); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "old.db")
	copyFile(t, fixture, path)

	// What schema 1 holds, read raw from the file before migrating.
	type v1Answer struct {
		audit string
		a     checklist.Answer
	}
	var oldAnswers []v1Answer
	var oldJournal []v1JournalEntry
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		if err := tx.Bucket([]byte("answers")).ForEach(func(k, v []byte) error {
			var a checklist.Answer
			id, _, _ := bytes.Cut(k, []byte{0})
			oldAnswers = append(oldAnswers, v1Answer{string(id), a})
			return json.Unmarshal(v, &oldAnswers[len(oldAnswers)-1].a)
		}); err != nil {
			return err
		}
		return tx.Bucket([]byte("journal")).ForEach(func(k, v []byte) error {
			var e v1JournalEntry
			oldJournal = append(oldJournal, e)
			return json.Unmarshal(v, &oldJournal[len(oldJournal)-1])
		})
	})
	db.Close()
	if err != nil || len(oldAnswers) == 0 || len(oldJournal) == 0 {
		t.Fatalf("fixture unreadable or empty: %v", err)
	}

	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s, err := Open(path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep, err := s.Check()
	if err != nil || rep.SchemaVersion != SchemaVersion || len(rep.Problems) > 0 {
		t.Fatalf("after migration: %+v %v", rep, err)
	}
	if _, err := os.Stat(backupName(path, 1, now)); err != nil {
		t.Errorf("no pre-migration backup: %v", err)
	}

	current := map[string]checklist.Answer{}
	history := map[string][]checklist.Change{}
	for _, id := range []string{"k7m2p9qa", "x3d8f4hw"} {
		answers, err := s.Answers(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range answers {
			current[id+"\x00"+string(scopedKey(a.Scope, a.Item))] = a
		}
		history[id] = mustHistory(t, s, id)
	}
	orphans := 0
	for _, o := range oldAnswers {
		got, ok := current[o.audit+"\x00"+string(scopedKey(o.a.Scope, o.a.Item))]
		if !ok {
			orphans++
			continue
		}
		if got.Value != o.a.Value || got.Note != o.a.Note || got.Rev != o.a.Rev || !got.At.Equal(o.a.At) || got.Author != o.a.Author {
			t.Errorf("answer %s %s/%s = %+v, want %+v", o.audit, o.a.Scope, o.a.Item, got, o.a)
		}
	}
	if orphans != 1 {
		t.Errorf("%d v1 answers missing, want only the orphan", orphans)
	}
	// Every journal entry of an existing audit is in its history, in order.
	next := map[string]int{}
	for _, e := range oldJournal {
		h, ok := history[e.Audit]
		if !ok {
			continue
		}
		i := next[e.Audit]
		if i >= len(h) {
			t.Fatalf("journal entry %d of %s missing", e.Seq, e.Audit)
		}
		got := h[i]
		if got.Seq != uint64(i+1) || got.Kind != e.Kind || got.Old != e.Old || got.New != e.New || got.Item != e.Item || !got.At.Equal(e.At) {
			t.Errorf("history[%d] of %s = %+v, want %+v", i, e.Audit, got, e.Change)
		}
		next[e.Audit]++
	}
	for id, h := range history {
		if next[id] != len(h) {
			t.Errorf("%s: history has %d entries, journal had %d", id, len(h), next[id])
		}
	}
	// The orphans are kept, not dropped.
	var kept []string
	if err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(v1Orphans).ForEach(func(k, _ []byte) error {
			kept = append(kept, strings.SplitN(string(k), "\x00", 2)[0])
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(kept, ",") != "answers,journal" {
		t.Errorf("orphans kept = %v", kept)
	}
	// The migrated audits work: the closed one stays closed, the other takes answers.
	_, err = s.SaveAnswer("x3d8f4hw", checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"}, -1)
	wantErrIs(t, err, ErrAuditClosed)
	r := mustSave(t, s, "k7m2p9qa", checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "no"})
	if r.Answer.Rev != 3 {
		t.Errorf("rev after migration = %d, want 3", r.Answer.Rev)
	}
	if h := mustHistory(t, s, "k7m2p9qa"); h[len(h)-1].Seq != uint64(len(h)) {
		t.Errorf("new history entry got seq %d, want %d", h[len(h)-1].Seq, len(h))
	}
}

func setSchemaVersion(t *testing.T, path string, v int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return putSchemaVersion(tx, v) }); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s := openTest(t, Options{})
	s.Close()
	setSchemaVersion(t, s.Path(), SchemaVersion+1)
	for name, opts := range map[string]Options{"default": {}, "read-only": {ReadOnly: true}, "hold": {Hold: true}} {
		t.Run(name, func(t *testing.T) {
			_, err := Open(s.Path(), opts)
			wantErrIs(t, err, ErrSchemaTooNew)
			if !strings.Contains(err.Error(), "aggiornare cieaudit") {
				t.Errorf("message does not say what to do: %v", err)
			}
		})
	}
}

func TestOpenRefusesForeignBoltFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "altro.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
	db.Close()
	_, err = Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "non è un database cieaudit") {
		t.Fatalf("err = %v", err)
	}
}

func TestReadOnlyCannotMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	copyFile(t, filepath.Join("..", "testdata", "storage", v1Fixture), path)
	_, err := Open(path, Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "senza sola lettura") {
		t.Fatalf("err = %v", err)
	}
}
