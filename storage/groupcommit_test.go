package storage

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// TestGroupCommit: on a held file, 40 writers saving at once all get their
// answers committed (each in the history, the last value current), a writer
// whose save is refused (a closed audit) gets its error without costing the
// others theirs, and the integrity check passes.
func TestGroupCommit(t *testing.T) {
	s := openTest(t, Options{Hold: true, Now: time.Now})
	a := seed(t, s)
	closed, err := s.CreateAudit(testAudit(mustCatalogue(t, s, a.CatalogueKey())), "giulia")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(closed.ID, checklist.StatusInProgress, "g", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(closed.ID, checklist.StatusClosed, "g", "", &checklist.SignOff{Place: "Valdoria"}); err != nil {
		t.Fatal(err)
	}
	const writers, saves = 40, 10
	var wg sync.WaitGroup
	errs := make([]error, writers)
	refused := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range saves {
				note := fmt.Sprintf("scrittore %d, salvataggio %d", w, i)
				if _, err := s.SaveNote(a.ID, checklist.EnteScope, "ORG-01", note, fmt.Sprint("w", w)); err != nil {
					errs[w] = err
					return
				}
				if w%8 == 0 && i == saves/2 {
					_, refused[w] = s.SaveNote(closed.ID, checklist.EnteScope, "ORG-01", note, "w")
				}
			}
		}()
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", w, err)
		}
		if w%8 == 0 {
			wantErrIs(t, refused[w], ErrAuditClosed)
		}
	}
	h := mustHistory(t, s, a.ID)
	var notes []string
	for _, c := range h {
		if c.Kind == checklist.ChangeNote {
			notes = append(notes, c.New)
		}
	}
	if len(notes) != writers*saves {
		t.Fatalf("history holds %d notes, want %d", len(notes), writers*saves)
	}
	for w := range writers {
		for i := range saves {
			if !slices.Contains(notes, fmt.Sprintf("scrittore %d, salvataggio %d", w, i)) {
				t.Fatalf("note %d of writer %d missing from the history", i, w)
			}
		}
	}
	answers, _ := s.Answers(a.ID)
	if len(answers) != 1 || answers[0].Note != notes[len(notes)-1] || answers[0].Rev != writers*saves {
		t.Errorf("current answer %+v, want the last note of the history and rev %d", answers, writers*saves)
	}
	if rep, err := s.Check(); err != nil || len(rep.Problems) > 0 {
		t.Errorf("Check: %v %v", err, rep.Problems)
	}
}

// BenchmarkConcurrentSaves: 100 writers on a held file (the jump host),
// each saving answers to its own audit, every save committed before it
// returns; grouped is the group commit, solo one transaction per save.
// It reports the answers committed per second and the p50 and p99 latency
// of one save. The writers save as fast as they can, except in the paced
// cases, where each saves every 100 ms (ten answers a second each, a
// thousand in all: far faster than people answer) to show the latency at a
// load the disk sustains.
func BenchmarkConcurrentSaves(b *testing.B) {
	const writers, saves = 100, 20
	for _, m := range []struct {
		name  string
		opts  Options
		pause time.Duration
	}{
		{"grouped", Options{Hold: true}, 0},
		{"solo", Options{Hold: true, NoGroupCommit: true}, 0},
		{"grouped-paced", Options{Hold: true}, 100 * time.Millisecond},
		{"solo-paced", Options{Hold: true, NoGroupCommit: true}, 100 * time.Millisecond},
	} {
		b.Run(m.name, func(b *testing.B) {
			s := openBench(b, m.opts)
			cat, err := s.SaveCatalogue(readTestdata(b, "catalogue-v1.yaml"), "catalogue-v1.yaml")
			if err != nil {
				b.Fatal(err)
			}
			batch := make([]NewAudit, writers)
			for i := range batch {
				batch[i].Audit = checklist.Audit{Ente: checklist.Ente{Name: fmt.Sprintf("Comune %d", i)}, Year: 2026, CatalogueID: cat.ID, CatalogueVersion: cat.Version}
			}
			ids, err := s.CreateAudits(batch, "bench")
			if err != nil {
				b.Fatal(err)
			}
			var lat []time.Duration
			var elapsed time.Duration
			for b.Loop() {
				lat = lat[:0]
				var mu sync.Mutex
				var wg sync.WaitGroup
				start := time.Now()
				for w := range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						mine := make([]time.Duration, 0, saves)
						next := time.Now().Add(time.Duration(w) * m.pause / writers)
						for i := range saves {
							if m.pause > 0 {
								time.Sleep(time.Until(next))
								next = next.Add(m.pause)
							}
							t0 := time.Now()
							if _, err := s.SaveAnswer(ids[w], checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: []string{"si", "no"}[i%2], Author: "bench"}, -1); err != nil {
								b.Error(err)
								return
							}
							mine = append(mine, time.Since(t0))
						}
						mu.Lock()
						lat = append(lat, mine...)
						mu.Unlock()
					}()
				}
				wg.Wait()
				elapsed += time.Since(start)
			}
			slices.Sort(lat)
			b.ReportMetric(float64(writers*saves*b.N)/elapsed.Seconds(), "answers/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
