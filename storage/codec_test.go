package storage

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

var codecTime = time.Date(2026, 11, 22, 19, 40, 1, 123456789, time.UTC)

// roundTrip encodes v with c, decodes it under key and returns the result.
func roundTrip[T any](t *testing.T, c *codec[T], key []byte, v T) T {
	t.Helper()
	var got T
	if err := c.decode(key, c.encode(&v), &got, &decoder{symbols: map[string]string{}}); err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return got
}

// sameRecord compares two records with times compared as instants.
func sameRecord(t *testing.T, got, want any) {
	t.Helper()
	norm := func(v any) string {
		data, _ := json.Marshal(v)
		var m any
		_ = json.Unmarshal(data, &m)
		out, _ := json.Marshal(m)
		return string(out)
	}
	if norm(got) != norm(want) {
		t.Errorf("got  %s\nwant %s", norm(got), norm(want))
	}
}

func TestCodecRoundTrip(t *testing.T) {
	sc := checklist.Scope{Kind: checklist.ScopePostazione, Name: "PG0991A01"}
	ans := checklist.Answer{Scope: sc, Item: "FIS-03", Value: "na", Note: "Postazione «di back office»\nsenza pubblico", Author: "giulia", At: codecTime, Rev: 3}
	sameRecord(t, roundTrip(t, answerCodec, scopedKey(sc, "FIS-03"), ans), ans)
	ch := checklist.Change{Seq: 42, At: codecTime, Author: "marco", Kind: checklist.ChangeNote, Scope: sc.String(), Item: "FIS-03", Old: "", New: "nota", Reason: "perché"}
	sameRecord(t, roundTrip(t, changeCodec, seqKey(42), ch), ch)
	ev := checklist.Evaluation{Scope: checklist.EnteScope, Section: "ORG", Text: "Adeguata.", Author: "g", At: codecTime}
	sameRecord(t, roundTrip(t, evaluationCodec, scopedKey(checklist.EnteScope, "ORG"), ev), ev)
	ap := checklist.ActionPlan{Item: "FIS-03", Owner: "Ufficio tecnico", Due: "2027-03-31", Status: checklist.ActionDone}
	sameRecord(t, roundTrip(t, actionCodec, []byte("FIS-03"), ap), ap)
	ov := checklist.RiskOverride{Threat: "T01", Probability: 3, Impact: -1, Reason: "Sportello su strada"}
	sameRecord(t, roundTrip(t, overrideCodec, []byte("T01"), ov), ov)
	op := checklist.Operator{ID: "op-1", Name: "Anna Russo", Role: checklist.RoleRegistrar, Postazioni: []string{"PG0991A01"}}
	sameRecord(t, roundTrip(t, operatorCodec, []byte("op-1"), op), op)
	idx := summaryRecord{ID: "ab12cd34", Ente: "Comune di Sant'Agata de' Goti", ISTAT: "062070", Year: 2026, Status: checklist.StatusClosed,
		Catalogue: "cie-postazioni@2026.1", Progress: checklist.Progress{Total: 124, Answered: 67, Yes: 41, No: 8, Partial: 13, NotApplic: 2, Unanswered: 57},
		UpdatedAt: codecTime, CreatedAt: codecTime.Add(-time.Hour)}
	sameRecord(t, roundTrip(t, indexCodec, nil, idx), idx)
	// The zero time survives as the zero time.
	if got := roundTrip(t, answerCodec, scopedKey(sc, "X"), checklist.Answer{}); !got.At.IsZero() {
		t.Errorf("zero time decoded as %v", got.At)
	}
}

// TestCodecRejects: damaged values are errors, never panics or silently
// wrong records; JSON values of earlier schemas and values written before a
// field was appended are read.
func TestCodecRejects(t *testing.T) {
	sc := checklist.EnteScope
	key := scopedKey(sc, "ORG-01")
	ans := checklist.Answer{Scope: sc, Item: "ORG-01", Value: "si", Note: "una nota lunga abbastanza", Author: "giulia", At: codecTime, Rev: 1}
	good := answerCodec.encode(&ans)
	legacy, _ := json.Marshal(ans)
	tests := []struct {
		name string
		key  []byte
		data []byte
		ok   bool
	}{
		{"binary", key, good, true},
		{"legacy JSON", key, legacy, true},
		{"truncated inside a field", key, good[:8], false},
		{"empty", key, nil, false},
		{"unknown tag", key, append([]byte{'z'}, good[1:]...), false},
		{"another record's tag", key, append([]byte{'h'}, good[1:]...), false},
		{"trailing bytes", key, append(append([]byte{}, good...), 1, 2, 3), false},
		{"length past the end", key, []byte{'a', 0xff, 0xff, 0xff, 0x0f}, false},
		{"invalid UTF-8 in a text", key, bytes.Replace(good, []byte("nota"), []byte("n\xffta"), 1), false},
		{"key without separator", []byte("enteORG-01"), good, false},
		{"key with a bad scope", []byte("stanza:1\x00ORG-01"), good, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got checklist.Answer
			err := answerCodec.decode(tt.key, tt.data, &got, &decoder{})
			if (err == nil) != tt.ok {
				t.Fatalf("decode error = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok {
				sameRecord(t, got, ans)
			}
		})
	}
	// An index record of schema 3 has no created_at: it decodes with the
	// zero time.
	idx := summaryRecord{ID: "ab12cd34", Ente: "Comune", Status: checklist.StatusDraft, UpdatedAt: codecTime}
	data := indexCodec.encode(&idx)
	old := data[:len(data)-1] // created_at is the zero time: one byte
	var got summaryRecord
	if err := indexCodec.decode(nil, old, &got, &decoder{}); err != nil || !got.CreatedAt.IsZero() || !reflect.DeepEqual(got.Progress, idx.Progress) || got.Ente != "Comune" {
		t.Errorf("schema-3 index record: %+v, %v", got, err)
	}
}
