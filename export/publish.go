package export

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Publishing is the one way this package puts files on disk, for the CLI
// and for the TUI alike: everything is written into a hidden staging entry
// next to the destination, synced, then renamed into place and the parent
// folder synced, so that a failure never leaves a half-written export and
// "esportazione completata" survives a power cut. Every access goes through
// an os.Root opened on the folder that holds the destination, so nothing is
// written outside it even if links change meanwhile.

// OutsideRootError refuses a destination that would leave the folder
// exports are confined to (Options.Root).
type OutsideRootError struct{ Root string }

func (e *OutsideRootError) Error() string {
	return fmt.Sprintf("la cartella deve restare dentro la cartella delle esportazioni (%s): indicare un percorso relativo, senza «..» né collegamenti che portino fuori", e.Root)
}

// LocalPath checks, without touching the disk, a destination typed by a
// user whose exports are confined to root, and returns it cleaned and
// relative to root. Links are checked when writing (os.Root).
func LocalPath(root, typed string) (string, error) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return "", errors.New("indicare la cartella di destinazione")
	}
	// IsLocal refuses absolute paths, "..", empty and reserved names; a
	// leading separator is refused on every system (on Windows "\x" is
	// not absolute but still not relative to the root).
	if filepath.IsAbs(typed) || strings.HasPrefix(typed, "/") || strings.HasPrefix(typed, `\`) || !filepath.IsLocal(typed) {
		return "", &OutsideRootError{root}
	}
	rel := filepath.Clean(typed)
	if rel == "." {
		return "", fmt.Errorf("indicare una sottocartella della cartella delle esportazioni (%s)", root)
	}
	return rel, nil
}

// destination is where an export goes: rel inside the folder root.
type destination struct {
	root, rel string
	// confined is set when root is the user's export folder: leaving it is
	// then reported as OutsideRootError.
	confined bool
}

// resolve turns the dir given to Bundle into a destination: relative to
// opts.Root when set, else the absolute path split into parent and name.
func resolve(dir string, opts Options) (destination, error) {
	if opts.Root != "" {
		rel, err := LocalPath(opts.Root, dir)
		if err != nil {
			return destination{}, err
		}
		if opts.Zip && !strings.EqualFold(filepath.Ext(rel), ".zip") {
			rel += ".zip"
		}
		return destination{root: opts.Root, rel: rel, confined: true}, nil
	}
	if strings.TrimSpace(dir) == "" {
		return destination{}, errors.New("cartella di destinazione non indicata")
	}
	abs, err := filepath.Abs(filepath.Clean(dir))
	if err != nil {
		return destination{}, fmt.Errorf("percorso di destinazione %q non valido: %w", dir, err)
	}
	if opts.Zip && !strings.EqualFold(filepath.Ext(abs), ".zip") {
		abs += ".zip"
	}
	return destination{root: filepath.Dir(abs), rel: filepath.Base(abs)}, nil
}

// path is the destination as shown to the user.
func (d destination) path() string { return filepath.Join(d.root, d.rel) }

// open creates the destination's parent folders, opens the root and checks
// the destination (check).
func (d destination) open(opts Options) (*os.Root, error) {
	if err := os.MkdirAll(d.root, 0o750); err != nil {
		return nil, fmt.Errorf("impossibile creare la cartella %s: %w", d.root, err)
	}
	r, err := os.OpenRoot(d.root)
	if err != nil {
		return nil, fmt.Errorf("cartella %s non disponibile: %w", d.root, err)
	}
	if err := r.MkdirAll(filepath.Dir(d.rel), 0o750); err != nil {
		r.Close()
		return nil, d.wrap(err)
	}
	if err := d.check(r, opts); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// wrap turns os.Root's refusal of a path leaving the root into the user's
// message, and names the destination in other errors.
func (d destination) wrap(err error) error {
	if err == nil {
		return nil
	}
	if strings.Contains(err.Error(), "path escapes from parent") {
		if d.confined {
			return &OutsideRootError{d.root}
		}
		return fmt.Errorf("%s: un collegamento simbolico porta fuori dalla cartella %s", d.path(), d.root)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", d.path(), pe.Err)
	}
	return err
}

// check refuses a destination that exists and holds something, unless
// Force is set; a folder destination must be a folder, a zip a file, and a
// symbolic link is never replaced.
func (d destination) check(r *os.Root, opts Options) error {
	info, err := r.Lstat(d.rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return d.wrap(err)
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		if _, err := r.Stat(d.rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return d.wrap(err)
		}
		return fmt.Errorf("%s è un collegamento simbolico: indicare un'altra destinazione", d.path())
	case opts.Zip && info.IsDir():
		return fmt.Errorf("%s è una cartella, non un file zip", d.path())
	case opts.Zip:
		if !opts.Force {
			return fmt.Errorf("%s: %w", d.path(), ErrExists)
		}
		return nil
	case !info.IsDir():
		return fmt.Errorf("%s esiste e non è una cartella", d.path())
	}
	f, err := r.Open(d.rel)
	if err != nil {
		return d.wrap(err)
	}
	defer f.Close()
	if names, _ := f.Readdirnames(1); len(names) > 0 && !opts.Force {
		return fmt.Errorf("%s: %w", d.path(), ErrExists)
	}
	return nil
}

// stagingName is a fresh hidden name next to the destination.
func (d destination) stagingName() string {
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	return filepath.Join(filepath.Dir(d.rel), "."+filepath.Base(d.rel)+".tmp-"+hex.EncodeToString(suffix[:]))
}

// Staging is the hidden folder a folder export is written into before it
// is published.
type Staging struct {
	root *os.Root
	rel  string
}

// Create creates a new file of the export; the caller writes and closes it.
// The subfolders an export may have are evidenze/ (DirEvidence) and
// catalogo/ (DirCatalogue).
func (s *Staging) Create(name string) (*os.File, error) {
	dir, base := "", name
	if d, b, ok := strings.Cut(name, "/"); ok && (d == DirEvidence || d == DirCatalogue) {
		dir, base = d, b
	}
	if base == "" || base != filepath.Base(base) || base == "." || base == ".." {
		return nil, fmt.Errorf("nome di file %q non ammesso in un'esportazione", name)
	}
	if dir != "" {
		if err := s.root.Mkdir(filepath.Join(s.rel, dir), 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return s.root.OpenFile(filepath.Join(s.rel, dir, base), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
}

// WriteFile creates a file of the export holding data.
func (s *Staging) WriteFile(name string, data []byte) error {
	f, err := s.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("scrittura di %s: %w", name, err)
	}
	return f.Close()
}

// publishFolder publishes the folder dest: fill writes the files into the
// staging folder, which is then synced (every file and the folder) and
// renamed into place. An existing dest accepted by check (empty, or Force)
// is moved aside and removed only once the new folder is in place. On any
// error the staging folder is removed and dest is left as it was.
func publishFolder(dest destination, opts Options, fill func(s *Staging) error) (err error) {
	opts.Zip = false
	r, err := dest.open(opts)
	if err != nil {
		return err
	}
	defer r.Close()
	stage := dest.stagingName()
	if err := r.Mkdir(stage, 0o750); err != nil {
		return dest.wrap(err)
	}
	defer func() {
		if err != nil {
			_ = r.RemoveAll(stage)
		}
	}()
	if err := fill(&Staging{root: r, rel: stage}); err != nil {
		return dest.wrap(err)
	}
	if err := syncFolder(r, stage); err != nil {
		return dest.wrap(err)
	}
	// Checked again: another export may have written there meanwhile.
	if err := dest.check(r, opts); err != nil {
		return err
	}
	var old string
	if _, statErr := r.Lstat(dest.rel); statErr == nil {
		old = stage + ".old"
		if err := r.Rename(dest.rel, old); err != nil {
			return fmt.Errorf("impossibile sostituire %s: %w", dest.path(), dest.wrap(err))
		}
	}
	if err := r.Rename(stage, dest.rel); err != nil {
		if old != "" {
			_ = r.Rename(old, dest.rel)
		}
		return fmt.Errorf("impossibile creare %s: %w", dest.path(), dest.wrap(err))
	}
	if old != "" {
		if err := r.RemoveAll(old); err != nil {
			return fmt.Errorf("esportazione scritta in %s, ma la versione precedente è rimasta in %s: %w", dest.path(), filepath.Join(dest.root, old), err)
		}
	}
	return dest.wrap(syncDir(r, filepath.Dir(dest.rel)))
}

// publishFile publishes the single file dest (a zip archive): write fills
// a staging file, which is synced and renamed into place.
func publishFile(dest destination, opts Options, write func(w io.Writer) error) (err error) {
	opts.Zip = true
	r, err := dest.open(opts)
	if err != nil {
		return err
	}
	defer r.Close()
	stage := dest.stagingName()
	f, err := r.OpenFile(stage, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return dest.wrap(err)
	}
	defer func() {
		if err != nil {
			f.Close()
			_ = r.Remove(stage)
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := dest.check(r, opts); err != nil {
		return err
	}
	if err := r.Rename(stage, dest.rel); err != nil {
		return fmt.Errorf("impossibile creare %s: %w", dest.path(), dest.wrap(err))
	}
	return dest.wrap(syncDir(r, filepath.Dir(dest.rel)))
}

// syncFolder syncs every file of the folder rel, then the folder itself.
func syncFolder(r *os.Root, rel string) error {
	dir, err := r.Open(rel)
	if err != nil {
		return err
	}
	entries, err := dir.ReadDir(-1)
	dir.Close()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := syncFolder(r, filepath.Join(rel, e.Name())); err != nil {
				return err
			}
			continue
		}
		f, err := r.OpenFile(filepath.Join(rel, e.Name()), os.O_RDONLY, 0)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return syncDir(r, rel)
}

// syncDir makes the entries of the folder rel durable.
func syncDir(r *os.Root, rel string) error {
	d, err := r.Open(rel)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// PublishFile writes one file at path through write, published atomically:
// nothing half-written on failure, an existing file replaced only with
// opts.Force, and confined to opts.Root when it is set.
func PublishFile(path string, opts Options, write func(w io.Writer) error) error {
	dest, err := resolve(path, Options{Root: opts.Root})
	if err != nil {
		return err
	}
	return publishFile(dest, opts, write)
}
