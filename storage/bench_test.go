package storage

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// benchModes are the two ways cieaudit opens the file.
var benchModes = []struct {
	name string
	opts Options
}{
	{"default", Options{}},
	{"hold", Options{Hold: true}},
}

func openBench(b *testing.B, opts Options) *Store {
	b.Helper()
	opts.Now = time.Now
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// BenchmarkSaveAnswer measures the commit latency of one answer, fsync
// included: what an auditor waits for after each keypress that saves.
func BenchmarkSaveAnswer(b *testing.B) {
	for _, m := range benchModes {
		b.Run(m.name, func(b *testing.B) {
			s := openBench(b, m.opts)
			a := seed(b, s)
			values := []string{"si", "no"}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := s.SaveAnswer(a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: values[i%2], Author: "bench"}, -1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEmptyTransaction isolates what the default mode pays per
// transaction to open, lock, map and close the file.
func BenchmarkEmptyTransaction(b *testing.B) {
	for _, m := range benchModes {
		for _, write := range []bool{false, true} {
			name := m.name + "/read"
			if write {
				name = m.name + "/write"
			}
			b.Run(name, func(b *testing.B) {
				s := openBench(b, m.opts)
				seed(b, s)
				run := s.view
				if write {
					run = s.update
				}
				for b.Loop() {
					if err := run(func(*boltTx) error { return nil }); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// wideCatalogue is a valid catalogue with n esito items per scope kind.
func wideCatalogue(n int) []byte {
	var y strings.Builder
	y.WriteString(`id: ampio
version: "1"
title: Catalogo ampio per i benchmark
language: it
risk:
  probability: [{value: 1, label: Bassa}, {value: 2, label: Media}, {value: 3, label: Alta}]
  impact: [{value: 1, label: Lieve}, {value: 2, label: Grave}, {value: 3, label: Gravissimo}]
  bands: [{id: basso, label: Basso, max: 3}, {id: alto, label: Alto, max: 9}]
  partial_factor: 0.5
  max_mitigation: 90
threats:
  - {id: T01, name: Minaccia, source: umano, areas: [riservatezza], probability: 2, impact: 2}
sections:
`)
	for _, kind := range checklist.ScopeKinds {
		fmt.Fprintf(&y, "  - id: S-%s\n    title: Sezione %s\n    items:\n", kind, kind)
		for i := range n {
			fmt.Fprintf(&y, "      - {id: %s-%03d, category: tecnica, scope: %s, level: minimo, question: \"Domanda %d sulla misura, abbastanza lunga da somigliare a quelle vere?\", guidance: \"Come verificarla sul posto.\", origin: [inferito], threats: [{threat: T01, mitigation: 10}]}\n", kind, i, kind, i)
		}
	}
	return []byte(y.String())
}

// BenchmarkLoad reads a 300-answer audit (30 ente items, 30 items on each
// of 2 sedi, 30 items on each of 7 postazioni), with its history.
func BenchmarkLoad(b *testing.B) {
	for _, m := range benchModes {
		b.Run(m.name, func(b *testing.B) {
			s := openBench(b, m.opts)
			cat, err := s.SaveCatalogue(wideCatalogue(30), "ampio.yaml")
			if err != nil {
				b.Fatal(err)
			}
			a := checklist.Audit{Ente: checklist.Ente{Name: "Comune di Valdoria"}, Year: 2026, CatalogueID: cat.ID, CatalogueVersion: cat.Version}
			for i := range 2 {
				a.Sedi = append(a.Sedi, checklist.Sede{Name: fmt.Sprintf("Sede %d", i)})
			}
			for i := range 7 {
				a.Postazioni = append(a.Postazioni, checklist.Postazione{Code: fmt.Sprintf("PG%03d", i), Sede: "Sede 0"})
			}
			a, err = s.CreateAudit(a, "bench")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, sc := range a.Scopes() {
				for _, it := range cat.ItemsFor(sc.Kind) {
					if _, err := s.SaveAnswer(a.ID, checklist.Answer{Scope: sc, Item: it.ID, Value: "si", Note: "Verificato sul posto.", Author: "bench"}, -1); err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
			if n != 300 {
				b.Fatalf("%d answers, want 300", n)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				snap, err := s.Load(a.ID)
				if err != nil {
					b.Fatal(err)
				}
				if len(snap.Answers) != 300 {
					b.Fatalf("loaded %d answers", len(snap.Answers))
				}
			}
		})
	}
}

type boltTx = bolt.Tx

// BenchmarkListAudits lists 50 audits of 10 scopes with 30 answers each:
// the home screen of a busy jump host.
func BenchmarkListAudits(b *testing.B) {
	s := openBench(b, Options{Hold: true})
	cat, err := s.SaveCatalogue(wideCatalogue(10), "ampio.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for i := range 50 {
		a := checklist.Audit{Ente: checklist.Ente{Name: fmt.Sprintf("Comune %d", i)}, Year: 2026, CatalogueID: cat.ID, CatalogueVersion: cat.Version,
			Sedi: []checklist.Sede{{Name: "Municipio"}}, Postazioni: []checklist.Postazione{{Code: "A", Sede: "Municipio"}}}
		a, err = s.CreateAudit(a, "bench")
		if err != nil {
			b.Fatal(err)
		}
		for _, sc := range a.Scopes() {
			for _, it := range cat.ItemsFor(sc.Kind) {
				if _, err := s.SaveAnswer(a.ID, checklist.Answer{Scope: sc, Item: it.ID, Value: "si", Author: "bench"}, -1); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		list, err := s.ListAudits()
		if err != nil || len(list) != 50 {
			b.Fatalf("%d audits, %v", len(list), err)
		}
	}
}
