package export

import (
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"os"
	"path/filepath"
)

// WriteTablesDir writes the five CSV tables of every audit that each yields
// into the folder dir, plus a SHA256SUMS of them, and returns the paths
// written. Rows are streamed to the files as each audit is read, so memory
// stays flat however large the database; the folder is committed like
// Bundle's (temporary sibling, then rename), so a failure midway leaves
// nothing behind. progress, if not nil, is called after each audit with
// the number of audits written so far.
func WriteTablesDir(each EachFunc, dir string, opts Options, progress func(audits int)) ([]string, error) {
	opts.Zip = false
	dest, err := resolve(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := checkDestination(dest, opts); err != nil {
		return nil, err
	}
	var names []string
	err = publishFolder(dest, opts, func(st *Staging) (err error) {
		writers := map[Table]io.Writer{}
		hashes := map[string]hash.Hash{}
		var files []*os.File
		defer func() {
			for _, f := range files {
				if cerr := f.Close(); err == nil && cerr != nil && !errors.Is(cerr, os.ErrClosed) {
					err = cerr
				}
			}
		}()
		for _, t := range Tables {
			f, err := st.Create(t.FileName())
			if err != nil {
				return err
			}
			files = append(files, f)
			h := sha256.New()
			hashes[t.FileName()] = h
			writers[t] = io.MultiWriter(f, h)
			names = append(names, t.FileName())
		}
		if err := WriteBatchTables(writers, each, opts.CSV, progress); err != nil {
			return err
		}
		sums := map[string][]byte{}
		for name, h := range hashes {
			sums[name] = h.Sum(nil)
		}
		names = append(names, FileSums)
		return st.WriteFile(FileSums, manifest(sums))
	})
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(dest.path(), n)
	}
	return paths, nil
}
