package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// typeAtOnce delivers keys the way a fast typist (or a paste, or tmux
// send-keys) does: every key reaches Update before any command returned
// for the earlier ones has run.
func (h *harness) typeAtOnce(keys ...string) {
	var cmds []tea.Cmd
	for _, k := range keys {
		var msgs []tea.KeyPressMsg
		if len([]rune(k)) > 1 && k != "enter" && k != "esc" && k != "tab" {
			for _, r := range k {
				msgs = append(msgs, tea.KeyPressMsg{Code: r, Text: string(r)})
			}
		} else {
			msgs = append(msgs, keyMsg(k))
		}
		for _, msg := range msgs {
			_, cmd := h.m.Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	for _, c := range cmds {
		h.run(c)
	}
}

func TestFormsNeverMixFieldsUnderFastTyping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		item      string
		open      []string
		keys      []string
		wantValue string
		wantNote  string
		wantNext  string // the item answered by the key after the form, if any
	}{
		{name: "value then note", item: "TEC-03", open: []string{"enter"},
			keys: []string{"Windows 11", "enter", "Aggiornato", "enter"}, wantValue: "Windows 11", wantNote: "Aggiornato"},
		{name: "a key after the last invio answers the next item", item: "TEC-01", open: []string{"N"},
			keys: []string{"Firme vecchie", "enter", "s"}, wantValue: "no", wantNote: "Firme vecchie", wantNext: "TEC-02"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			id := createSample(t, s)
			h := newHarness(t, Options{Store: s, AuditID: id}, 80, 24)
			h.openScope(postPG01)
			h.moveTo(tc.item)
			h.press(tc.open...)
			if h.m.form == nil {
				t.Fatalf("no form:\n%s", h.screen())
			}
			h.typeAtOnce(tc.keys...)
			if h.m.form != nil {
				t.Fatalf("form still open:\n%s", h.screen())
			}
			got, _ := answerOf(t, s, id, postPG01, tc.item)
			if got.Value != tc.wantValue || got.Note != tc.wantNote {
				t.Fatalf("stored value %q note %q, want %q and %q", got.Value, got.Note, tc.wantValue, tc.wantNote)
			}
			if tc.wantNext != "" {
				if next, _ := answerOf(t, s, id, postPG01, tc.wantNext); next.Value != "si" {
					t.Fatalf("%s = %q, want si from the key typed after the form", tc.wantNext, next.Value)
				}
			}
		})
	}
}

func TestCtrlCAsksBeforeDiscardingTypedText(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	h := newHarness(t, Options{Store: s, AuditID: id}, 80, 24)
	h.openScope(postPG01)
	h.moveTo("TEC-01")
	h.press("e")
	h.typeText("Firme ferme")
	h.press("ctrl+c")
	if h.quit || h.m.quitting != "" || h.m.form == nil {
		t.Fatal("ctrl+c discarded typed text without asking")
	}
	h.requireScreen("Testo non salvato: ctrl+c di nuovo per uscire senza salvarlo")
	// Going on typing withdraws the question; invio saves.
	h.typeText(" a ottobre")
	h.press("ctrl+c")
	h.press("enter")
	if got, _ := answerOf(t, s, id, postPG01, "TEC-01"); got.Note != "Firme ferme a ottobre" {
		t.Fatalf("note = %q", got.Note)
	}
	// With nothing typed, and when asked twice, ctrl+c quits.
	h.press("e", "ctrl+c")
	if h.m.quitting == "" {
		t.Fatal("ctrl+c on an untouched form did not quit")
	}
}
