package export

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// WriteTablesDir writes the five CSV tables of every audit that each yields
// into the folder dir, plus a SHA256SUMS of them, and returns the paths
// written. Rows are streamed to the files as each audit is read, so memory
// stays flat however large the database; the folder is committed like
// Bundle's (temporary sibling, then rename), so a failure midway leaves
// nothing behind. progress, if not nil, is called after each audit with
// the number of audits written so far.
func WriteTablesDir(each EachFunc, dir string, opts Options, progress func(audits int)) ([]string, error) {
	if strings.TrimSpace(dir) == "" {
		return nil, errors.New("cartella di destinazione non indicata")
	}
	dest, err := filepath.Abs(filepath.Clean(dir))
	if err != nil {
		return nil, fmt.Errorf("percorso di destinazione %q non valido: %w", dir, err)
	}
	opts.Zip = false
	if err := checkDestination(dest, opts); err != nil {
		return nil, err
	}
	var names []string
	err = commitFolder(dest, opts, func(tmp string) (err error) {
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
			f, err := os.OpenFile(filepath.Join(tmp, t.FileName()), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
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
		for _, f := range files {
			if err := f.Sync(); err != nil {
				return err
			}
		}
		sums := map[string][]byte{}
		for name, h := range hashes {
			sums[name] = h.Sum(nil)
		}
		names = append(names, FileSums)
		return writeFileSync(filepath.Join(tmp, FileSums), manifest(sums))
	})
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(dest, n)
	}
	return paths, nil
}
