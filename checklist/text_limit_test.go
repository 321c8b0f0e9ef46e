package checklist

import (
	"strings"
	"testing"
)

// TestTextLimits: every way a free text gets in (answer note and text
// value, evaluation, evidence note, postazione notes, any text of an
// imported bundle) is refused past MaxTextBytes by the same rule, naming
// the field, and accepted at the limit.
func TestTextLimits(t *testing.T) {
	atLimit, over := strings.Repeat("a", MaxTextBytes), strings.Repeat("a", MaxTextBytes+1)
	esito := &Item{ID: "ORG-01", Answer: AnswerSpec{Kind: KindOutcome}}
	text := &Item{ID: "TXT-01", Answer: AnswerSpec{Kind: KindText}}
	imported := func(edit func(*Snapshot)) func() error {
		return func() error {
			imp := validImport(t)
			edit(imp.Snapshot)
			return CheckImported(imp, importNow)
		}
	}
	tests := []struct {
		name string
		run  func(s string) error
		want string
	}{
		{"answer note", func(s string) error { _, err := NormaliseAnswer(esito, "si", s); return err }, "nota: testo troppo lungo (65537 byte), al massimo 65536 byte (64 KiB)"},
		{"note of a cleared answer", func(s string) error { _, err := NormaliseAnswer(esito, "", s); return err }, "nota:"},
		{"text answer", func(s string) error { _, err := NormaliseValue(text, s, ""); return err }, "risposta: testo troppo lungo"},
		{"evaluation", func(s string) error { return CheckTextLength("valutazione", s) }, "valutazione: testo troppo lungo"},
		{"postazione notes", func(s string) error {
			a := Audit{Ente: Ente{Name: "Comune di Prova"}, Year: 2026, Sedi: []Sede{{Name: "Municipio"}},
				Postazioni: []Postazione{{Code: "PS001A01", Sede: "Municipio", Notes: s}}}
			return a.Validate()
		}, "postazioni[0].notes: note della postazione: testo troppo lungo"},
		{"imported note", func(s string) error {
			return imported(func(sn *Snapshot) { sn.Answers[1].Note = s })()
		}, "answers[1].note: testo troppo lungo"},
		{"imported event actions", func(s string) error {
			return imported(func(sn *Snapshot) { sn.Events[0].Actions = s })()
		}, "events[0].actions: testo troppo lungo"},
		{"imported evidence note", func(s string) error {
			return imported(func(sn *Snapshot) { sn.Evidence[0].Note = s })()
		}, "evidence[0].note: testo troppo lungo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(atLimit); err != nil {
				t.Errorf("text of %d bytes refused: %v", MaxTextBytes, err)
			}
			err := tt.run(over)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("text of %d bytes: err %v, want one naming %q", MaxTextBytes+1, err, tt.want)
			}
		})
	}
	// A history entry may hold a longer text (a perimeter's change in one
	// edit), up to MaxHistoryTextBytes.
	imp := validImport(t)
	imp.Snapshot.History[0].New = over
	if err := CheckImported(imp, importNow); err != nil {
		t.Errorf("history text of %d bytes refused: %v", len(over), err)
	}
	imp.Snapshot.History[0].New = strings.Repeat("a", MaxHistoryTextBytes+1)
	if err := CheckImported(imp, importNow); err == nil || !strings.Contains(err.Error(), "history[0].new: testo troppo lungo (4194305 byte), al massimo 4194304 byte (4 MiB)") {
		t.Errorf("history text past MaxHistoryTextBytes: %v", err)
	}
}
