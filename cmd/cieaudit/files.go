package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/internal/userfile"
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
	if path == "-" {
		return userfile.ReadFrom(what, path, a.stdin, limit)
	}
	return userfile.Read(what, path, limit)
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
