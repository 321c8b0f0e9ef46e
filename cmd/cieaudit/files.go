package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/cieaudit/cieaudit/checklist"
)

// Size limits of the files the CLI reads.
const (
	maxKeyFileBytes = 1 << 20
)

// readUserFile reads a file named on the command line (what says which:
// "il catalogo", "il file di chiavi"): "-" is standard input. Anything but a
// regular file (a folder, a FIFO, a device such as /dev/zero, a symbolic
// link loop) is refused at once: the file is opened without blocking and
// checked before a byte is read. More than limit bytes are refused without
// reading further. Errors name the file and never quote its content.
func (a *app) readUserFile(what, path string, limit int64) ([]byte, error) {
	var r io.Reader = a.stdin
	if path != "-" {
		f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return nil, checklist.PathError(what, path, err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return nil, checklist.PathError(what, path, err)
		}
		if err := checklist.NotRegularFile(what, path, fi.Mode()); err != nil {
			return nil, err
		}
		if fi.Size() > limit {
			return nil, tooBig(what, path, limit)
		}
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, checklist.PathError(what, path, err)
	}
	if int64(len(b)) > limit {
		return nil, tooBig(what, path, limit)
	}
	return b, nil
}

func tooBig(what, path string, limit int64) error {
	if path == "-" {
		path = "(standard input)"
	}
	return fmt.Errorf("%s %s supera il limite di %d KiB", what, path, limit>>10)
}

// checkOutDir checks a destination folder given on the command line: it
// may not exist yet (it is created), but if it exists it must be a folder.
func checkOutDir(what, path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return checklist.PathError(what, path, err)
	case !fi.IsDir():
		return fmt.Errorf("%s %s esiste e non è una cartella ma %s", what, path, checklist.FileKind(fi.Mode()))
	}
	return nil
}

// checkOutFile checks a destination file given on the command line: it may
// not exist yet, but if it exists it must be a regular file (writing to a
// FIFO would block, to a device would lose the data).
func checkOutFile(what, path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return checklist.PathError(what, path, err)
	}
	return checklist.NotRegularFile(what, path, fi.Mode())
}
