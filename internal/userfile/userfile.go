// Package userfile reads a file the user named (on the command line, in a
// TUI form) the same way everywhere: anything but a regular file is refused
// before a byte is read, and so is a file over the caller's limit. The
// refusals are checklist's Italian sentences (checklist.NotRegularFile,
// checklist.PathError); none quotes the file's content.
package userfile

import (
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/cieaudit/cieaudit/checklist"
)

// Check looks at path without opening it: it must be a regular file (not a
// folder, a FIFO, a device, a symbolic link loop) of at most limit bytes.
// what says which file it is ("il file da allegare").
func Check(what, path string, limit int64) error {
	fi, err := os.Stat(path)
	if err != nil {
		return checklist.PathError(what, path, err)
	}
	if err := checklist.NotRegularFile(what, path, fi.Mode()); err != nil {
		return err
	}
	if fi.Size() > limit {
		return TooBig(what, path, limit)
	}
	return nil
}

// Read reads the file at path. It is opened without blocking (a FIFO would
// otherwise wait for a writer) and checked as Check does before a byte is
// read; more than limit bytes are refused without reading further (the
// file may grow after the check).
func Read(what, path string, limit int64) ([]byte, error) {
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
		return nil, TooBig(what, path, limit)
	}
	return ReadFrom(what, path, f, limit)
}

// ReadFrom reads r (a file, or standard input when path is "-") up to
// limit bytes.
func ReadFrom(what, path string, r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, checklist.PathError(what, path, err)
	}
	if int64(len(b)) > limit {
		return nil, TooBig(what, path, limit)
	}
	return b, nil
}

// TooBig is the refusal of a file over limit bytes.
func TooBig(what, path string, limit int64) error {
	if path == "-" {
		path = "(standard input)"
	}
	return fmt.Errorf("%s %s supera il limite di %d KiB", what, path, limit>>10)
}
