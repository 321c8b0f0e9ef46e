package export

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// benchAnswers is the size of the batch benchmarks' database.
const benchAnswers = 1_000_000

// builtinCatalogue is the catalogue shipped in the binary: the benchmarks
// export realistic audits, not the small fixture.
func builtinCatalogue(b *testing.B) *checklist.Catalogue {
	b.Helper()
	cat, err := checklist.Parse(checklist.BuiltinSource, checklist.BuiltinFilename)
	if err != nil {
		b.Fatal(err)
	}
	return cat
}

// syntheticAudit is audit number n of a generated database: an ente with
// two sedi and postazioni workstations, every item answered, a note on
// every third answer.
func syntheticAudit(cat *checklist.Catalogue, n, postazioni int) (checklist.Audit, []checklist.Answer) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
	a := checklist.Audit{
		ID:   fmt.Sprintf("b%07d", n),
		Ente: checklist.Ente{Name: "Comune n. " + strconv.Itoa(n), ISTAT: fmt.Sprintf("%06d", n%1000000), Sindaco: "Sindaco"},
		Year: 2026, Auditors: []string{"Auditor"}, Status: checklist.StatusInProgress,
		CatalogueID: cat.ID, CatalogueVersion: cat.Version, CatalogueDigest: cat.Digest,
		Sedi:      []checklist.Sede{{Name: "Municipio", Address: "Piazza 1"}, {Name: "Delegazione", Address: "Via 2"}},
		CreatedAt: t0, UpdatedAt: t0,
	}
	for i := range postazioni {
		sede := a.Sedi[i%2].Name
		a.Postazioni = append(a.Postazioni, checklist.Postazione{Code: fmt.Sprintf("%06d", i+1), Sede: sede, Office: checklist.OfficeFront,
			Hardware: checklist.Inventory{PC: "PC " + strconv.Itoa(i), LettoreImpronte: "Green Bit"}})
	}
	var answers []checklist.Answer
	k := 0
	for _, sc := range a.Scopes() {
		for _, it := range cat.ItemsFor(sc.Kind) {
			k++
			value := syntheticValue(it, k)
			note := ""
			if k%3 == 0 {
				note = "Nota di verifica n. " + strconv.Itoa(k) + ": controllato in loco, perché richiesto."
			}
			if value == string(checklist.OutcomeNotApplicable) {
				note = "Non pertinente per questa postazione."
			}
			answers = append(answers, checklist.Answer{Scope: sc, Item: it.ID, Value: value, Note: note, Author: "Auditor", At: t0.Add(time.Duration(k) * time.Second), Rev: 1})
		}
	}
	return a, answers
}

func syntheticValue(it *checklist.Item, k int) string {
	switch it.Answer.Kind {
	case checklist.KindNumber:
		return strconv.Itoa(k % 7)
	case checklist.KindText:
		return "Descrizione " + strconv.Itoa(k)
	case checklist.KindDate:
		return "2026-02-01"
	case checklist.KindChoice:
		return it.Answer.Choices[k%len(it.Answer.Choices)].ID
	}
	return string(checklist.Outcomes[k%len(checklist.Outcomes)])
}

// answersPerAudit is how many answers syntheticAudit gives.
func answersPerAudit(cat *checklist.Catalogue, postazioni int) int {
	_, ans := syntheticAudit(cat, 0, postazioni)
	return len(ans)
}

// peakHeap samples the live heap; the batch writers call it through their
// progress callback, so the figure is the peak while exporting.
type peakHeap struct{ max uint64 }

func (p *peakHeap) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	p.max = max(p.max, m.HeapInuse)
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkBatchCSV exports all five tables of a generated database of one
// million answers held as snapshots produced one at a time, as
// storage.Store.EachAudit does. It reports the peak live heap: flat memory
// means it does not grow with the number of audits.
func BenchmarkBatchCSV(b *testing.B) {
	cat := builtinCatalogue(b)
	const postazioni = 20
	per := answersPerAudit(cat, postazioni)
	audits := (benchAnswers + per - 1) / per
	each := func(fn func(*checklist.Snapshot) error) error {
		for n := range audits {
			a, answers := syntheticAudit(cat, n, postazioni)
			if err := fn(&checklist.Snapshot{Audit: a, Catalogue: cat, Answers: answers}); err != nil {
				return err
			}
		}
		return nil
	}
	var peak peakHeap
	var out countingWriter
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		out.n = 0
		writers := allTablesTo(&out)
		err := WriteBatchTables(writers, each, DialectExcel, func(done int) {
			if done%50 == 0 {
				peak.sample()
			}
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(audits*per), "answers/op")
	b.ReportMetric(float64(audits), "audits/op")
	b.ReportMetric(float64(peak.max)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(out.n)/(1<<20), "csv-MiB/op")
}

// BenchmarkBatchCSVStore exports the five CSV tables from a real bbolt file
// through storage.Store.EachAudit, as cieaudit export --all does. The file
// is built one committed answer at a time (without fsync: it is thrown
// away), CIEAUDIT_BENCH_ANSWERS answers (default 20,000; the figure in
// BENCHMARKS.md is for 1,000,000).
func BenchmarkBatchCSVStore(b *testing.B) {
	total := 20_000
	if v, err := strconv.Atoi(os.Getenv("CIEAUDIT_BENCH_ANSWERS")); err == nil && v > 0 {
		total = v
	}
	path := filepath.Join(b.TempDir(), "bench.db")
	s, err := storage.Open(path, storage.Options{Hold: true, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cat, err := s.EnsureBuiltin()
	if err != nil {
		b.Fatal(err)
	}
	const postazioni = 20
	written := 0
	for n := 0; written < total; n++ {
		a, answers := syntheticAudit(cat, n, postazioni)
		created, err := s.CreateAudit(a, "bench")
		if err != nil {
			b.Fatal(err)
		}
		for _, ans := range answers {
			if written == total {
				break
			}
			if _, err := s.SaveAnswer(created.ID, ans, -1); err != nil {
				b.Fatal(err)
			}
			written++
		}
	}
	var peak peakHeap
	var out countingWriter
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		out.n = 0
		writers := allTablesTo(&out)
		if err := WriteBatchTables(writers, s.EachAudit, DialectExcel, func(int) { peak.sample() }); err != nil {
			b.Fatal(err)
		}
	}
	if fi, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "db-MiB")
	}
	b.ReportMetric(float64(written), "answers/op")
	b.ReportMetric(float64(peak.max)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(out.n)/(1<<20), "csv-MiB/op")
}

// BenchmarkBundle renders the whole bundle of one large audit (built-in
// catalogue, two sedi, twenty postazioni, every item answered) in memory.
func BenchmarkBundle(b *testing.B) {
	cat := builtinCatalogue(b)
	a, answers := syntheticAudit(cat, 1, 20)
	snap := &checklist.Snapshot{Audit: a, Catalogue: cat, Answers: answers}
	assessment := checklist.Assess(snap)
	var size int
	for b.Loop() {
		files, err := renderAll(snap, assessment, Options{})
		if err != nil {
			b.Fatal(err)
		}
		size = 0
		for _, f := range files {
			size += len(f.data)
		}
	}
	b.ReportMetric(float64(len(answers)), "answers")
	b.ReportMetric(float64(size)/(1<<20), "bundle-MiB")
}

// allTablesTo sends every table to w, to measure the whole batch export.
func allTablesTo(w io.Writer) map[Table]io.Writer {
	writers := map[Table]io.Writer{}
	for _, t := range Tables {
		writers[t] = w
	}
	return writers
}

// BenchmarkBatchCSVFile exports all five CSV tables (or the one named by
// CIEAUDIT_BENCH_TABLE) of an existing database, CIEAUDIT_BENCH_DB, opened
// read-only as cieaudit export --all does; skipped without it. Make the
// file with cieaudit demo --synthetic N; scripts/bench-vs-sqlite.sh does.
func BenchmarkBatchCSVFile(b *testing.B) {
	path := os.Getenv("CIEAUDIT_BENCH_DB")
	if path == "" {
		b.Skip("CIEAUDIT_BENCH_DB not set")
	}
	s, err := storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var out countingWriter
	writers := allTablesTo(&out)
	if t := os.Getenv("CIEAUDIT_BENCH_TABLE"); t != "" {
		table, err := ParseTable(t)
		if err != nil {
			b.Fatal(err)
		}
		writers = map[Table]io.Writer{table: &out}
	}
	var peak peakHeap
	for b.Loop() {
		out.n = 0
		each := func(fn func(*checklist.Snapshot) error) error {
			return s.EachAuditParts(storage.ReadAnswers|storage.ReadHistory|storage.ReadActions, fn)
		}
		if err := WriteBatchTables(writers, each, DialectRFC4180, func(int) { peak.sample() }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(peak.max)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(out.n)/(1<<20), "csv-MiB/op")
}
