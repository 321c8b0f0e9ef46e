// Package golden is the repository's one golden-file mechanism, for tests.
//
// A golden file holds the expected output of a test, under the testdata
// folder of the package (or the repository's testdata/). When an output
// changes on purpose, rewrite the files of that package and review the
// diff before committing:
//
//	go test ./export -run TestGoldenExports -update
//
// -update is the only update flag; it is registered by this package, so
// every test binary that compares golden files has it.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/aymanbagabas/go-udiff"
)

var update = flag.Bool("update", false, "rewrite the golden files the tests compare with (then review the diff)")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Assert compares got with the golden file at path (relative to the test's
// package folder), after rewriting the file with got under -update.
func Assert(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Fatalf("output differs from %s (go test -update rewrites it; review the diff):\n%s",
			path, udiff.Unified(path, "got", string(want), string(got)))
	}
}

// AssertNamed is Assert on testdata/<test name>.golden.
func AssertNamed(tb testing.TB, got []byte) {
	tb.Helper()
	Assert(tb, filepath.Join("testdata", tb.Name()+".golden"), got)
}
