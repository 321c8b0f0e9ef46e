package tui

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// jitterStore is a real store whose answer saves take a random while, as on
// a busy disk, so that saves started together finish in any order.
type jitterStore struct {
	*storage.Store
}

func (j jitterStore) SaveAnswer(id string, a checklist.Answer, expectRev int) (storage.SaveResult, error) {
	time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
	return j.Store.SaveAnswer(id, a, expectRev)
}

func (j jitterStore) SaveValue(id string, a checklist.Answer, expectRev int) (storage.SaveResult, error) {
	time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
	return j.Store.SaveValue(id, a, expectRev)
}

// runConcurrently runs cmd, and the commands of any batch it returns, each
// in its own goroutine as Bubble Tea does, and returns the messages.
func runConcurrently(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	var (
		mu   sync.Mutex
		msgs []tea.Msg
		wg   sync.WaitGroup
	)
	var run func(tea.Cmd)
	run = func(c tea.Cmd) {
		defer wg.Done()
		done := make(chan tea.Msg, 1)
		ids := make(chan string, 1)
		go func() {
			ids <- goroutineID()
			done <- c()
		}()
		id := <-ids
		// A timer is recognised by where it waits, as in harness.run, never
		// by how long a save takes: under -race on a loaded machine the
		// queued saves take seconds.
		poll := time.NewTicker(2 * time.Millisecond)
		defer poll.Stop()
		var msg tea.Msg
	wait:
		for {
			select {
			case msg = <-done:
				break wait
			case <-poll.C:
				if isTimer(id) {
					return
				}
			}
		}
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, sub := range batch {
				if sub != nil {
					wg.Add(1)
					go run(sub)
				}
			}
			return
		}
		if v := reflect.ValueOf(msg); v.IsValid() && v.Kind() == reflect.Slice && v.Type().ConvertibleTo(cmdSliceType) {
			for _, sub := range v.Convert(cmdSliceType).Interface().([]tea.Cmd) {
				if sub != nil {
					wg.Add(1)
					go run(sub)
				}
			}
			return
		}
		mu.Lock()
		msgs = append(msgs, msg)
		mu.Unlock()
	}
	wg.Add(1)
	go run(cmd)
	wg.Wait()
	return msgs
}

func TestQuickAnswersToOneItemCommitInKeyOrder(t *testing.T) {
	t.Parallel()
	outcomes := map[string]string{"s": "si", "n": "no", "p": "parziale"}
	tests := []struct {
		name string
		keys string
		// reverse feeds the results to Update newest first, the worst
		// order they can arrive in.
		reverse bool
	}{
		{"alternating", "snsnsnsnsnsnsnsnsnsn", false},
		{"three values", "spnspnspnspnspnspnsp", false},
		{"results arrive backwards", "nsnsnsnsnsnsnsnsnsns", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			id := createSample(t, s)
			h := newHarness(t, Options{Store: jitterStore{s}, AuditID: id}, 100, 30)
			p := h.openScope(postPG01)
			h.moveTo("TEC-02")
			at := p.cursor

			// All the keys are pressed before any save has run: the
			// Cmds are collected, then run together.
			var cmds []tea.Cmd
			for _, k := range tc.keys {
				p.move(at)
				_, cmd := h.m.Update(keyMsg(string(k)))
				cmds = append(cmds, cmd)
			}
			var (
				mu   sync.Mutex
				msgs []tea.Msg
				wg   sync.WaitGroup
			)
			for _, c := range cmds {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got := runConcurrently(c)
					mu.Lock()
					msgs = append(msgs, got...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			var saved []answerSavedMsg
			var others []tea.Msg
			for _, msg := range msgs {
				if a, ok := msg.(answerSavedMsg); ok {
					saved = append(saved, a)
				} else {
					others = append(others, msg)
				}
			}
			if len(saved) != len(tc.keys) {
				t.Fatalf("%d save results, want %d", len(saved), len(tc.keys))
			}
			if tc.reverse {
				for i, j := 0, len(saved)-1; i < j; i, j = i+1, j-1 {
					saved[i], saved[j] = saved[j], saved[i]
				}
			}
			for _, msg := range saved {
				h.feed(msg)
			}
			for _, msg := range others {
				h.feed(msg)
			}

			want := outcomes[string(tc.keys[len(tc.keys)-1])]
			stored, ok := answerOf(t, s, id, postPG01, "TEC-02")
			if !ok || stored.Value != want {
				t.Fatalf("stored %q, want %q: the last key pressed", stored.Value, want)
			}
			ref := answerRef{postPG01, "TEC-02"}
			if v, ok := h.m.ctx.Audit.pending[ref]; ok {
				t.Errorf("still shown as being saved (%q) after every save returned", v)
			}
			shown, _ := h.m.ctx.Audit.snap.Answer(postPG01, "TEC-02")
			if shown.Value != stored.Value || shown.Rev != stored.Rev {
				t.Errorf("screen shows %q rev %d, database has %q rev %d", shown.Value, shown.Rev, stored.Value, stored.Rev)
			}
			if h.m.statusKind != statusOK || h.m.status != "Salvato: risposta TEC-02 (Postazione PG01)" {
				t.Errorf("last status = %q (kind %d), want the plain success of TEC-02", h.m.status, h.m.statusKind)
			}
		})
	}
}

// TestQuickAnswerKeepsANoteJustSaved: a note saved, then one key answering
// the same item before the note's result reached the screen. The answer
// must keep the note (it once replaced it with the older one the screen
// still showed, reported as a plain success).
func TestQuickAnswerKeepsANoteJustSaved(t *testing.T) {
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: jitterStore{s}, AuditID: id}, 100, 30)
	p := h.openScope(postPG01)
	h.moveTo("TEC-02")
	at, it := p.cursor, p.current()
	fm := p.editNote()().(formMsg)
	p.noteDraft = "nota importante"
	noteCmd := fm.submit()
	p.move(at)
	_, answerCmd := h.m.Update(keyMsg("s"))
	msgs := append(runConcurrently(noteCmd), runConcurrently(answerCmd)...)
	for _, m := range msgs {
		h.feed(m)
	}
	stored, _ := answerOf(t, s, id, postPG01, it.ID)
	if stored.Value != "si" || stored.Note != "nota importante" {
		t.Fatalf("stored %q with note %q, want si with the note just saved", stored.Value, stored.Note)
	}
}

// TestQuitWaitsForQueuedSaves: quitting with saves still queued says the
// answers are saved only once they are, and the last key pressed is what
// the store holds when the program ends.
func TestQuitWaitsForQueuedSaves(t *testing.T) {
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: jitterStore{s}, AuditID: id}, 100, 30)
	p := h.openScope(postPG01)
	h.moveTo("TEC-02")
	at := p.cursor
	for _, k := range "snsnsnsnsn" {
		p.move(at)
		h.m.Update(keyMsg(string(k)))
	}
	_, quit := h.m.Update(keyMsg("ctrl+c"))
	if strings.Contains(h.m.quitting, "salvate") {
		t.Fatalf("quitting says %q before the queue is drained", h.m.quitting)
	}
	drained, ok := quit().(savesDrainedMsg)
	if !ok {
		t.Fatalf("quit did not start by draining the saves")
	}
	h.m.Update(drained)
	if !strings.Contains(h.m.quitting, "tutte le risposte sono salvate") {
		t.Errorf("farewell %q", h.m.quitting)
	}
	stored, _ := answerOf(t, s, id, postPG01, "TEC-02")
	if stored.Value != "no" {
		t.Errorf("stored %q after quitting, want the last key: no", stored.Value)
	}
}
