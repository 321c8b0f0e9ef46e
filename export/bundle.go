package export

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// File names of the bundle. They are fixed: nothing user-supplied ever
// becomes part of a path inside the bundle.
const (
	FilePDF  = "piano-sicurezza-cie.pdf"
	FileHTML = "piano-sicurezza-cie.html"
	FileXLSX = "audit.xlsx"
	FileJSON = "audit.json"
	FileSums = "SHA256SUMS"
)

// Options tune Bundle.
type Options struct {
	// CSV is the dialect of the CSV files (default DialectExcel).
	CSV Dialect
	// Zip writes one zip archive instead of a folder: at dir itself when it
	// ends in ".zip", else at dir + ".zip".
	Zip bool
	// Force replaces an existing non-empty folder (or an existing zip).
	Force bool
	// Progress, if not nil, is called after each file is rendered with the
	// number of files done, the total and the file just rendered.
	Progress func(done, total int, file string)
}

// ErrExists is returned when the destination exists, is not empty and
// Options.Force is not set.
var ErrExists = errors.New("la destinazione esiste già e non è vuota: usare --force per sostituirla")

type bundleFile struct {
	name string
	data []byte
}

// Bundle renders the whole report bundle of one audit into dir and returns
// the paths written (the files of the folder, or the single zip archive).
//
// The bundle is first written into a temporary sibling of dir and then
// renamed into place, so a failure never leaves a half-written bundle and
// nothing is ever written outside dir. assessment may be nil, in which case
// it is computed from snap.
func Bundle(snap *checklist.Snapshot, assessment *checklist.Assessment, dir string, opts Options) ([]string, error) {
	if snap == nil || snap.Catalogue == nil {
		return nil, errors.New("audit senza catalogo: impossibile esportare")
	}
	if strings.TrimSpace(dir) == "" {
		return nil, errors.New("cartella di destinazione non indicata")
	}
	dest, err := filepath.Abs(filepath.Clean(dir))
	if err != nil {
		return nil, fmt.Errorf("percorso di destinazione %q non valido: %w", dir, err)
	}
	if opts.Zip && !strings.EqualFold(filepath.Ext(dest), ".zip") {
		dest += ".zip"
	}
	// Refuse early, before spending time on rendering.
	if err := checkDestination(dest, opts); err != nil {
		return nil, err
	}
	if assessment == nil {
		assessment = checklist.Assess(snap)
	}
	files, err := renderAll(snap, assessment, opts)
	if err != nil {
		return nil, err
	}
	if opts.Zip {
		if err := writeZip(dest, files, snap.LastChange(), opts); err != nil {
			return nil, err
		}
		return []string{dest}, nil
	}
	if err := writeFolder(dest, files, opts); err != nil {
		return nil, err
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dest, f.name)
	}
	return paths, nil
}

// renderAll renders every file of the bundle in memory, SHA256SUMS last.
func renderAll(snap *checklist.Snapshot, assessment *checklist.Assessment, opts Options) ([]bundleFile, error) {
	type renderer struct {
		name   string
		render func(w io.Writer) error
	}
	renderers := []renderer{
		{FilePDF, func(w io.Writer) error { return WritePDF(w, snap, assessment) }},
		{FileHTML, func(w io.Writer) error { return WriteHTML(w, snap, assessment) }},
	}
	for _, t := range Tables {
		renderers = append(renderers, renderer{t.FileName(), func(w io.Writer) error {
			return WriteCSV(w, t, snap, assessment, opts.CSV)
		}})
	}
	renderers = append(renderers,
		renderer{FileXLSX, func(w io.Writer) error { return WriteXLSX(w, snap, assessment) }},
		renderer{FileJSON, func(w io.Writer) error { return WriteJSON(w, snap, assessment) }},
	)
	total := len(renderers) + 1
	files := make([]bundleFile, 0, total)
	for _, r := range renderers {
		var buf bytes.Buffer
		if err := r.render(&buf); err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
		files = append(files, bundleFile{r.name, buf.Bytes()})
		if opts.Progress != nil {
			opts.Progress(len(files), total, r.name)
		}
	}
	files = append(files, bundleFile{FileSums, checksums(files)})
	if opts.Progress != nil {
		opts.Progress(total, total, FileSums)
	}
	return files, nil
}

// checksums is the SHA256SUMS manifest in `sha256sum -c` format, sorted by
// file name.
func checksums(files []bundleFile) []byte {
	sums := make(map[string][]byte, len(files))
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		sums[f.name] = sum[:]
	}
	return manifest(sums)
}

// manifest formats SHA-256 sums by file name as `sha256sum -c` expects.
func manifest(sums map[string][]byte) []byte {
	lines := make([]string, 0, len(sums))
	for name, sum := range sums {
		lines = append(lines, hex.EncodeToString(sum)+"  "+name+"\n")
	}
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) })
	return []byte(strings.Join(lines, ""))
}

// checkDestination refuses a destination that exists and holds something,
// unless Force is set; a folder destination must be a folder.
func checkDestination(dest string, opts Options) error {
	info, err := os.Lstat(dest)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("destinazione %s: %w", dest, err)
	}
	if opts.Zip {
		if info.IsDir() {
			return fmt.Errorf("%s è una cartella, non un file zip", dest)
		}
		if !opts.Force {
			return fmt.Errorf("%s: %w", dest, ErrExists)
		}
		return nil
	}
	if !info.IsDir() {
		return fmt.Errorf("%s esiste e non è una cartella", dest)
	}
	entries, err := os.ReadDir(dest)
	if err != nil {
		return fmt.Errorf("destinazione %s: %w", dest, err)
	}
	if len(entries) > 0 && !opts.Force {
		return fmt.Errorf("%s: %w", dest, ErrExists)
	}
	return nil
}

// writeFolder writes the rendered files through commitFolder.
func writeFolder(dest string, files []bundleFile, opts Options) error {
	return commitFolder(dest, opts, func(tmp string) error {
		for _, f := range files {
			if err := writeFileSync(filepath.Join(tmp, f.name), f.data); err != nil {
				return err
			}
		}
		return nil
	})
}

// commitFolder lets fill write into a temporary sibling of dest, then
// renames it into place; an existing dest (accepted by checkDestination) is
// moved aside first and removed only once the new folder is in place. On
// any error the temporary folder is removed and dest is left as it was.
func commitFolder(dest string, opts Options, fill func(tmp string) error) (err error) {
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return fmt.Errorf("impossibile creare la cartella %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dest)+".tmp-")
	if err != nil {
		return fmt.Errorf("impossibile creare una cartella temporanea in %s: %w", parent, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := fill(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o750); err != nil {
		return err
	}
	if err := checkDestination(dest, opts); err != nil {
		return err
	}
	var old string
	if _, statErr := os.Lstat(dest); statErr == nil {
		old = tmp + ".old"
		if err := os.Rename(dest, old); err != nil {
			return fmt.Errorf("impossibile sostituire %s: %w", dest, err)
		}
	}
	if err := os.Rename(tmp, dest); err != nil {
		if old != "" {
			_ = os.Rename(old, dest)
		}
		return fmt.Errorf("impossibile creare %s: %w", dest, err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("esportazione scritta in %s, ma la versione precedente è rimasta in %s: %w", dest, old, err)
		}
	}
	return nil
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("scrittura di %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("scrittura di %s: %w", path, err)
	}
	return f.Close()
}

// writeZip writes the archive to a temporary sibling of dest and renames it
// into place. Entries carry the audit's last change as their time so that
// the archive is deterministic.
func writeZip(dest string, files []bundleFile, modified time.Time, opts Options) (err error) {
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return fmt.Errorf("impossibile creare la cartella %s: %w", parent, err)
	}
	tmp, err := os.CreateTemp(parent, "."+filepath.Base(dest)+".tmp-")
	if err != nil {
		return fmt.Errorf("impossibile creare un file temporaneo in %s: %w", parent, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := writeZipArchive(tmp, files, modified); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return err
	}
	if err := checkDestination(dest, opts); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return fmt.Errorf("impossibile creare %s: %w", dest, err)
	}
	return nil
}

// writeZipArchive writes files as a deterministic zip archive to w.
func writeZipArchive(w io.Writer, files []bundleFile, modified time.Time) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: modified.UTC()}
		h.SetMode(0o644)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}
