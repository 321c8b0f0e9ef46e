package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// FuzzCSVRoundTrip writes a row of the answers table, the fuzzed texts in
// its text columns, in both dialects. Read with the dialect's own separator
// the row comes back as SafeCell made it; read with ',', ';' or tab no cell
// begins with a formula trigger.
func FuzzCSVRoundTrip(f *testing.F) {
	for _, p := range owaspPayloads {
		f.Add(p, "nota")
	}
	f.Add("", " ")
	f.Add(`a""b`, "\r\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, d := range []Dialect{DialectExcel, DialectRFC4180} {
			var buf bytes.Buffer
			tw, err := newTableWriter(&buf, TableAnswers, d)
			if err != nil {
				t.Fatal(err)
			}
			row := make([]string, len(tw.numeric))
			for i, numeric := range tw.numeric {
				row[i] = []string{a, b}[i%2]
				if numeric {
					row[i] = "1"
				}
			}
			if err := tw.write(row); err != nil {
				t.Fatal(err)
			}
			if err := tw.flush(); err != nil {
				t.Fatal(err)
			}
			data := bytes.TrimPrefix(buf.Bytes(), []byte(utf8BOM))
			own := ','
			if d == DialectExcel {
				own = ';'
			}
			r := csv.NewReader(bytes.NewReader(data))
			r.Comma = own
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatalf("%s: own separator: %v\n%q", d, err, data)
			}
			if len(recs) != 2 || len(recs[1]) != len(row) {
				t.Fatalf("%s: %d records, want header and one row of %d\n%q", d, len(recs), len(row), data)
			}
			for i, v := range row {
				// What the dialect writes for v (the excel dialect's label
				// or date for people) comes back intact, made safe.
				want := tw.cell(i, v)
				if !tw.numeric[i] {
					want = SafeCell(want)
				}
				// encoding/csv reads CR LF inside a quoted field as LF.
				if want = strings.ReplaceAll(want, "\r\n", "\n"); recs[1][i] != want {
					t.Fatalf("%s: column %d is %q, want %q", d, i, recs[1][i], want)
				}
			}
			for _, sep := range readerSeparators {
				r := csv.NewReader(bytes.NewReader(data))
				r.Comma, r.LazyQuotes, r.FieldsPerRecord = sep, true, -1
				for {
					rec, err := r.Read()
					if errors.Is(err, io.EOF) || err != nil {
						break
					}
					for _, c := range rec {
						if evaluated(c) {
							t.Fatalf("%s read with %q: cell %q would be evaluated\n%q", d, sep, c, data)
						}
					}
				}
			}
		}
	})
}

// FuzzReadBundle feeds the bundle reader arbitrary input (zip archives,
// documents, anything): it must refuse or accept without panicking,
// hanging or growing without bound, and what it accepts must be an audit
// that checklist.CheckImported accepts and that writes audit.json again.
func FuzzReadBundle(f *testing.F) {
	snap, contents := smallSnapshot(f)
	files := bundleOf(f, snap, contents)
	f.Add(zipOf(f, files))
	f.Add(files[0].data)
	f.Add(zipOf(f, files[:1]))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte(`{"schema":"cieaudit.audit/v2"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := ReadBundleFrom(bytes.NewReader(data), ReadOptions{})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty refusal")
			}
			return
		}
		if err := checklist.CheckImported(imp, time.Now()); err != nil {
			t.Fatalf("accepted an audit CheckImported refuses: %v", err)
		}
		if err := WriteJSON(io.Discard, imp.Snapshot, nil); err != nil {
			t.Fatal(err)
		}
	})
}
