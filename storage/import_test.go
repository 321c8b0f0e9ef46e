package storage

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
)

// exportedAudit is an audit of s read whole as an import holds it.
func exportedAudit(t *testing.T, s *Store, id string) *checklist.ImportedAudit {
	t.Helper()
	snap, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	contents, err := s.EvidenceContents(id)
	if err != nil {
		t.Fatal(err)
	}
	return &checklist.ImportedAudit{Snapshot: snap, CatalogueSource: snap.Catalogue.Raw, Evidence: contents}
}

func auditJSON(t *testing.T, s *Store, id string) string {
	t.Helper()
	snap, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.WriteJSON(&buf, snap, nil); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestImportAudit(t *testing.T) {
	src := openTest(t, Options{})
	a := seed(t, src)
	mustSave(t, src, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Note: "delibera", Author: "giulia"})
	if _, err := src.AddEvidence(a.ID, checklist.EnteScope, "ORG-01", "verbale.txt", "", []byte("verbale del sopralluogo\n"), "giulia"); err != nil {
		t.Fatal(err)
	}
	if _, err := src.AddEvidence(a.ID, checklist.EnteScope, "ORG-01", "bozza.txt", "", []byte("bozza\n"), "giulia"); err != nil {
		t.Fatal(err)
	}
	if _, err := src.RemoveEvidence(a.ID, "al-2", "giulia"); err != nil {
		t.Fatal(err)
	}
	imp := exportedAudit(t, src, a.ID)
	want := auditJSON(t, src, a.ID)

	t.Run("into an empty database", func(t *testing.T) {
		dst := openTest(t, Options{})
		got, err := dst.ImportAudit(imp, "admin")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != a.ID || auditJSON(t, dst, a.ID) != want {
			t.Fatal("the imported audit's audit.json differs from the original's")
		}
		list, err := dst.ListAudits()
		if err != nil || len(list) != 1 || list[0].Progress != mustList(t, src)[0].Progress {
			t.Fatalf("audit index after import: %+v, %v", list, err)
		}
		// Numbers continue after the imported ones.
		e, err := dst.AddEvidence(a.ID, checklist.EnteScope, "ORG-01", "foto.txt", "", []byte("altro\n"), "admin")
		if err != nil || e.ID != "al-3" {
			t.Fatalf("next evidence %q, %v; want al-3", e.ID, err)
		}
		snap, _ := dst.Load(a.ID)
		if last := snap.History[len(snap.History)-1]; last.Seq != imp.Snapshot.History[len(imp.Snapshot.History)-1].Seq+1 {
			t.Errorf("new history entry has seq %d after %d imported", last.Seq, len(imp.Snapshot.History))
		}
		_, err = dst.ImportAudit(imp, "admin")
		wantErrIs(t, err, ErrAuditExists)
		if !strings.Contains(err.Error(), "--merge") {
			t.Errorf("message %q does not point to --merge", err)
		}
	})

	t.Run("refused", func(t *testing.T) {
		otherCatalogue := bytes.Replace(imp.CatalogueSource, []byte("title: "), []byte("title: Altro "), 1)
		for _, tc := range []struct {
			name    string
			prepare func(*Store)
			imp     *checklist.ImportedAudit
			want    string
		}{
			{"different catalogue under the same key", func(s *Store) {
				if _, err := s.SaveCatalogue(otherCatalogue, "altro.yaml"); err != nil {
					t.Fatal(err)
				}
			}, imp, "contenuto diverso"},
			{"catalogue neither carried nor stored", func(*Store) {}, &checklist.ImportedAudit{Snapshot: imp.Snapshot, Evidence: imp.Evidence}, "non trovato"},
			{"evidence content missing", func(*Store) {}, &checklist.ImportedAudit{Snapshot: imp.Snapshot, CatalogueSource: imp.CatalogueSource}, "mancante"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				dst := openTest(t, Options{})
				tc.prepare(dst)
				_, err := dst.ImportAudit(tc.imp, "admin")
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err %v, want %q", err, tc.want)
				}
				if list := mustList(t, dst); len(list) != 0 {
					t.Fatalf("a refused import left %d audits", len(list))
				}
			})
		}
	})

	t.Run("replace", func(t *testing.T) {
		dst := openTest(t, Options{})
		if _, err := dst.ImportAudit(imp, "admin"); err != nil {
			t.Fatal(err)
		}
		_, err := dst.ReplaceAudit(a.ID, "admin", func(cur *checklist.ImportedAudit) (*checklist.ImportedAudit, error) {
			next := *cur.Snapshot
			next.Answers = append([]checklist.Answer(nil), cur.Snapshot.Answers...)
			next.Answers[0].Note = "nota unita"
			next.Answers[0].Rev++
			return &checklist.ImportedAudit{Snapshot: &next, CatalogueSource: cur.CatalogueSource, Evidence: cur.Evidence}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := dst.Load(a.ID)
		if err != nil || snap.Answers[0].Note != "nota unita" || len(snap.Evidence) != 1 || len(snap.History) != len(imp.Snapshot.History) {
			t.Fatalf("after ReplaceAudit: %+v, %v", snap.Answers, err)
		}
		if list := mustList(t, dst); len(list) != 1 {
			t.Fatalf("%d audits after ReplaceAudit", len(list))
		}
	})
}

func mustList(t *testing.T, s *Store) []AuditSummary {
	t.Helper()
	list, err := s.ListAudits()
	if err != nil {
		t.Fatal(err)
	}
	return list
}
