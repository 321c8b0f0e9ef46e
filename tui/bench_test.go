package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/cieaudit/cieaudit/storage"
)

// bigCatalogue is a valid catalogue with n postazione items spread over
// the three categories.
func bigCatalogue(n int) []byte {
	var b strings.Builder
	b.WriteString(`id: bench
version: "1"
title: Catalogo di misura delle prestazioni
language: it
source: generato dai benchmark
risk:
  probability: [{value: 1, label: Bassa}, {value: 2, label: Media}, {value: 3, label: Alta}]
  impact: [{value: 1, label: Lieve}, {value: 2, label: Grave}, {value: 3, label: Gravissimo}]
  bands: [{id: basso, label: Basso, max: 3}, {id: medio, label: Medio, max: 6}, {id: alto, label: Alto, max: 9}]
  partial_factor: 0.5
  max_mitigation: 90
threats:
  - {id: T01, name: Minaccia di prova, source: umano, areas: [riservatezza], probability: 2, impact: 3}
sections:
`)
	cats := []string{"fisica", "tecnica", "organizzativa"}
	for s, cat := range cats {
		fmt.Fprintf(&b, "  - id: S%d\n    title: Sezione %s\n    items:\n", s, cat)
		for i := s * n / 3; i < (s+1)*n/3; i++ {
			fmt.Fprintf(&b, `      - id: M-%03d
        category: %s
        scope: postazione
        level: minimo
        short: Misura numero %d
        question: La misura numero %d è attuata?
        guidance: Verificare la misura %d.
        origin: [inferito]
        threats:
          - {threat: T01, mitigation: 10}
`, i, cat, i, i, i)
		}
	}
	return []byte(b.String())
}

// runSync runs a command and feeds its messages to m, skipping timers.
func runSync(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			runSync(m, c)
		}
		return
	}
	_, next := m.Update(msg)
	runSync(m, next)
}

func BenchmarkChecklistKeystroke(b *testing.B) {
	s, err := storage.Open(filepath.Join(b.TempDir(), "bench.db"), storage.Options{Now: fixedClock})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SaveCatalogue(bigCatalogue(300), "bench.yaml"); err != nil {
		b.Fatal(err)
	}
	a := sampleAudit()
	a.CatalogueID, a.CatalogueVersion = "bench", "1"
	created, err := s.CreateAudit(a, "bench")
	if err != nil {
		b.Fatal(err)
	}
	snap, err := s.Load(created.ID)
	if err != nil {
		b.Fatal(err)
	}
	m := newModel(Options{Store: s, User: "bench", Now: fixedClock}, false)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(auditLoadedMsg{snap: snap, id: created.ID, target: openTarget{scope: postPG01.String(), item: "M-150"}})
	p := m.top().(*checklistPage)
	if len(p.items) != 300 {
		b.Fatalf("%d items, want 300", len(p.items))
	}
	keys := []tea.KeyPressMsg{keyMsg("j"), keyMsg("k")}
	b.Run("move", func(b *testing.B) {
		i := 0
		for b.Loop() {
			m.Update(keys[i%2])
			_ = m.View()
			i++
		}
	})
	b.Run("answer", func(b *testing.B) {
		// The save itself runs in a tea.Cmd, off the UI loop: measured here
		// is what the user waits for before the screen moves on.
		for b.Loop() {
			m.Update(keyMsg("k"))
			m.Update(keyMsg("s"))
			_ = m.View()
		}
	})
}

// manyAudits builds a database holding 10,000 audits in a temporary folder.
func manyAudits(b *testing.B) string {
	path := filepath.Join(b.TempDir(), "many.db")
	s, err := storage.Open(path, storage.Options{Now: fixedClock, Hold: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	src, err := os.ReadFile(filepath.Join("..", "testdata", "tui", "catalogue.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.SaveCatalogue(src, "catalogue.yaml"); err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		a := sampleAudit()
		a.Ente.Name = fmt.Sprintf("Comune numero %d", i)
		a.Ente.ISTAT = fmt.Sprintf("%06d", i)
		if _, err := s.CreateAudit(a, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	return path
}

func BenchmarkFirstFrame10000Audits(b *testing.B) {
	path := manyAudits(b)
	s, err := storage.Open(path, storage.Options{Now: fixedClock})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Run("total", func(b *testing.B) {
		for b.Loop() {
			m := newModel(Options{Store: s, User: "bench", Now: fixedClock}, false)
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			runSync(m, m.Init())
			if v := m.View(); !strings.Contains(v.Content, "Comune numero") {
				b.Fatalf("first frame lacks the audits:\n%s", v.Content)
			}
		}
	})
	// The TUI's own share: the same first frame with the audit list already
	// read, i.e. without storage.ListAudits.
	audits, err := s.ListAudits()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("tui-only", func(b *testing.B) {
		for b.Loop() {
			m := newModel(Options{Store: s, User: "bench", Now: fixedClock}, false)
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			m.Update(auditsLoadedMsg{audits: audits})
			if v := m.View(); !strings.Contains(v.Content, "Comune numero") {
				b.Fatalf("first frame lacks the audits:\n%s", v.Content)
			}
		}
	})
}
