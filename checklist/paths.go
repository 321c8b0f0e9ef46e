package checklist

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// FileKind names, in Italian, the kind of file a mode describes.
func FileKind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "file regolare"
	case m.IsDir():
		return "cartella"
	case m&fs.ModeSymlink != 0:
		return "collegamento simbolico"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "dispositivo a caratteri"
	case m&fs.ModeDevice != 0:
		return "dispositivo"
	}
	return "file speciale"
}

// NotRegularFile is the refusal of a path the user gave as a file (what:
// "il database", "il catalogo", …) that is something else: a folder, a FIFO
// (which would block the read forever), a device such as /dev/zero (which
// never ends). It is nil for a regular file.
func NotRegularFile(what, path string, m fs.FileMode) error {
	if m.IsRegular() {
		return nil
	}
	return fmt.Errorf("%s %s non è un file regolare ma %s: indicare un file", what, path, articled(FileKind(m)))
}

func articled(kind string) string {
	switch kind {
	case "cartella":
		return "una cartella"
	case "FIFO":
		return "una FIFO"
	case "socket":
		return "un socket"
	}
	return "un " + kind
}

// PathError turns the error of looking at a path the user gave into one
// Italian sentence naming it; it never quotes the file's content. Errors it
// does not know keep their text after the path.
func PathError(what, path string, err error) error {
	var reason string
	switch {
	case errors.Is(err, syscall.ELOOP):
		reason = "è un ciclo di collegamenti simbolici"
	case errors.Is(err, fs.ErrNotExist):
		reason = "non esiste"
	case errors.Is(err, fs.ErrPermission):
		reason = "non è accessibile (permesso negato)"
	case errors.Is(err, syscall.ENOTDIR):
		reason = "ha nel percorso qualcosa che non è una cartella"
	case errors.Is(err, syscall.ENAMETOOLONG):
		reason = "ha un nome troppo lungo"
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		reason = "non è leggibile: " + err.Error()
	}
	return fmt.Errorf("%s %s %s", what, path, reason)
}
