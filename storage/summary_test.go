package storage

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

func TestSummaryRecordRoundTrip(t *testing.T) {
	want := summaryRecord{V: 1, ID: "ab12cd34", Ente: "Comune di Sant'Agata de' Goti", ISTAT: "062070", Year: 2026,
		Status: checklist.StatusClosed, Catalogue: "cie-postazioni@2026.1",
		Progress:  checklist.Progress{Total: 124, Answered: 67, Yes: 41, No: 8, Partial: 13, NotApplic: 2, Unanswered: 57},
		UpdatedAt: time.Date(2026, 11, 22, 19, 40, 1, 123456789, time.UTC)}
	legacy, _ := json.Marshal(want)
	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"binary", want.marshal(), true},
		{"legacy JSON", legacy, true},
		{"truncated", want.marshal()[:20], false},
		{"empty", nil, false},
		{"unknown format", append([]byte{9}, want.marshal()[1:]...), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got summaryRecord
			err := got.unmarshal(tt.data)
			if (err == nil) != tt.ok {
				t.Fatalf("unmarshal error = %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok {
				return
			}
			if got.summary() != (summaryRecord{ID: want.ID, Ente: want.Ente, ISTAT: want.ISTAT, Year: want.Year, Status: want.Status,
				Catalogue: want.Catalogue, Progress: want.Progress, UpdatedAt: got.UpdatedAt}).summary() || !got.UpdatedAt.Equal(want.UpdatedAt) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}
