package tui

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
)

// Exports confined to a root folder (Options.ExportRoot): over SSH the
// folder typed on the export page is a path of the server, written as the
// service user, so it must never leave the folder set aside for the user.
//
// The folder is checked twice: confinedDir refuses, with a clear message,
// absolute paths, ".." and symbolic links leading outside before anything
// is rendered; bundleInRoot then writes only through an os.Root, which
// refuses any path escaping the root even if the folders change meanwhile.

// errOutsideRoot is the refusal of a folder outside the export folder.
type errOutsideRoot struct{ root string }

func (e errOutsideRoot) Error() string {
	return fmt.Sprintf("la cartella deve restare dentro la cartella delle esportazioni (%s): indicare un percorso relativo, senza «..» né collegamenti che portino fuori", e.root)
}

// confinedDir checks the folder typed by the user against the export root
// and returns it cleaned, relative to the root. The root is created (0750)
// if it does not exist yet.
func confinedDir(root, typed string) (string, error) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return "", errors.New("indicare la cartella di destinazione")
	}
	// IsLocal refuses absolute paths, "..", empty and reserved names; a
	// leading separator is refused on every system (on Windows "\x" is
	// not absolute but still not relative to the root).
	if filepath.IsAbs(typed) || strings.HasPrefix(typed, "/") || strings.HasPrefix(typed, `\`) || !filepath.IsLocal(typed) {
		return "", errOutsideRoot{root}
	}
	rel := filepath.Clean(typed)
	if rel == "." {
		return "", fmt.Errorf("indicare una sottocartella della cartella delle esportazioni (%s)", root)
	}
	// Symbolic links: the deepest part of the path that exists must
	// resolve inside the (resolved) root.
	if err := os.MkdirAll(root, 0o750); err != nil {
		return "", fmt.Errorf("impossibile creare la cartella delle esportazioni %s: %w", root, err)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("cartella delle esportazioni %s non disponibile: %w", root, err)
	}
	existing := filepath.Join(realRoot, rel)
	for existing != realRoot {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		existing = filepath.Dir(existing)
	}
	resolved, err := filepath.EvalSymlinks(existing)
	if err != nil {
		// A dangling link: where it leads cannot be checked.
		return "", errOutsideRoot{root}
	}
	if inside, err := filepath.Rel(realRoot, resolved); err != nil || !filepath.IsLocal(inside) && inside != "." {
		return "", errOutsideRoot{root}
	}
	return rel, nil
}

// bundleInRoot renders the bundle of snap and writes it into rel under
// root, only through an os.Root. The bundle is rendered into a private
// temporary folder, copied into a hidden staging folder next to the
// destination and renamed into place, so a failure never leaves a
// half-written bundle. It returns the folder written and its files.
func bundleInRoot(snap *checklist.Snapshot, root, rel string, opts export.Options) (string, []string, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return "", nil, fmt.Errorf("impossibile creare la cartella delle esportazioni %s: %w", root, err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return "", nil, fmt.Errorf("cartella delle esportazioni %s non disponibile: %w", root, err)
	}
	defer r.Close()
	dest := filepath.Join(root, rel)
	if err := checkRootDestination(r, root, rel); err != nil {
		return "", nil, err
	}

	tmp, err := os.MkdirTemp("", "cieaudit-export-")
	if err != nil {
		return "", nil, err
	}
	defer os.RemoveAll(tmp)
	rendered, err := export.Bundle(snap, nil, filepath.Join(tmp, "bundle"), opts)
	if err != nil {
		return "", nil, err
	}

	parent := filepath.Dir(rel)
	if err := r.MkdirAll(parent, 0o750); err != nil {
		return "", nil, rootError(root, err)
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	stage := filepath.Join(parent, "."+filepath.Base(rel)+".tmp-"+hex.EncodeToString(suffix[:]))
	if err := r.Mkdir(stage, 0o750); err != nil {
		return "", nil, rootError(root, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = r.RemoveAll(stage)
		}
	}()
	paths := make([]string, 0, len(rendered))
	for _, src := range rendered {
		name := filepath.Base(src)
		data, err := os.ReadFile(src)
		if err != nil {
			return "", nil, err
		}
		if err := writeInRoot(r, filepath.Join(stage, name), data); err != nil {
			return "", nil, rootError(root, err)
		}
		paths = append(paths, filepath.Join(dest, name))
	}
	// Checked again: another session may have exported there meanwhile.
	if err := checkRootDestination(r, root, rel); err != nil {
		return "", nil, err
	}
	if _, err := r.Lstat(rel); err == nil {
		// An empty folder: replace it.
		if err := r.Remove(rel); err != nil {
			return "", nil, rootError(root, err)
		}
	}
	if err := r.Rename(stage, rel); err != nil {
		return "", nil, rootError(root, err)
	}
	committed = true
	// "Esportazione completata" must survive a power cut: the files are
	// synced, and so must be the folder entry the rename created.
	if parent, err := r.Open(filepath.Dir(rel)); err == nil {
		err = parent.Sync()
		parent.Close()
		if err != nil {
			return "", nil, rootError(root, err)
		}
	}
	return dest, paths, nil
}

// checkRootDestination refuses a destination that exists and is not an
// empty folder.
func checkRootDestination(r *os.Root, root, rel string) error {
	dest := filepath.Join(root, rel)
	info, err := r.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return rootError(root, err)
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		// Stat refuses a link leading outside the root; one that stays
		// inside is still not replaced by the bundle.
		if _, err := r.Stat(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return rootError(root, err)
		}
		return fmt.Errorf("%s è un collegamento simbolico: indicare un'altra cartella", dest)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s esiste e non è una cartella: indicarne un'altra", dest)
	}
	f, err := r.Open(rel)
	if err != nil {
		return rootError(root, err)
	}
	defer f.Close()
	if names, _ := f.Readdirnames(1); len(names) > 0 {
		return fmt.Errorf("la cartella %s esiste già e non è vuota: indicarne un'altra", dest)
	}
	return nil
}

func writeInRoot(r *os.Root, name string, data []byte) error {
	f, err := r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// rootError turns os.Root's refusal of a path leaving the root (a link
// changed after confinedDir checked it) into the user's message.
func rootError(root string, err error) error {
	if strings.Contains(err.Error(), "path escapes from parent") {
		return errOutsideRoot{root}
	}
	return err
}
