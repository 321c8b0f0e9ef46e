package export

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

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
	// DirEvidence holds the audit's evidence files, each under
	// checklist.EvidenceFileName (its ID, digest and type: never the
	// user's name).
	DirEvidence = "evidenze"
	// DirCatalogue holds the catalogue the audit is pinned to, its YAML
	// byte for byte as stored (CatalogueFile).
	DirCatalogue = "catalogo"
)

// CatalogueFile is the path in the bundle of the catalogue's YAML:
// catalogo/<id>@<version>.yaml, or catalogo/catalogo.yaml when the id or
// version holds a character that does not belong in a file name (a
// catalogue's id and version may hold anything but spaces and '@').
func CatalogueFile(c *checklist.Catalogue) string {
	if safeName(c.ID) && safeName(c.Version) {
		return DirCatalogue + "/" + c.Key() + ".yaml"
	}
	return DirCatalogue + "/catalogo.yaml"
}

// EvidenceFile is the path in the bundle of an evidence file.
func EvidenceFile(e checklist.Evidence) string {
	return DirEvidence + "/" + checklist.EvidenceFileName(e)
}

// safeName reports whether s is a non-empty run of letters, digits, '.',
// '_' and '-' that does not start with a dot.
func safeName(s string) bool {
	if s == "" || s[0] == '.' || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Options tune Bundle.
type Options struct {
	// CSV is the dialect of the CSV files (default DialectExcel).
	CSV Dialect
	// Zip writes one zip archive instead of a folder: at dir itself when it
	// ends in ".zip", else at dir + ".zip".
	Zip bool
	// Force replaces an existing non-empty folder (or an existing zip).
	Force bool
	// Root, when set, confines the export: the destination is a relative
	// path inside this folder (see LocalPath), and nothing is written
	// outside it. The SSH server's TUI sets it to the user's export folder.
	Root string
	// Progress, if not nil, is called after each file is rendered with the
	// number of files done, the total and the file just rendered.
	Progress func(done, total int, file string)
	// Signer, when set, signs SHA256SUMS: the bundle gets SHA256SUMS.sig
	// in OpenSSH's SSHSIG format, namespace "cieaudit" (see SignSSH).
	Signer ssh.Signer
	// Evidence holds the contents of the audit's evidence files by
	// SHA-256 (storage.EvidenceContents); each goes to evidenze/. A file
	// of snap.Evidence whose content is missing fails the export.
	Evidence map[string][]byte
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
	dest, err := resolve(dir, opts)
	if err != nil {
		return nil, err
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
		err := publishFile(dest, opts, func(w io.Writer) error { return writeZipArchive(w, files, snap.LastChange()) })
		if err != nil {
			return nil, err
		}
		return []string{dest.path()}, nil
	}
	return writeFiles(dest, files, opts)
}

// writeFiles publishes files rendered in memory as the folder dest and
// returns their paths.
func writeFiles(dest destination, files []bundleFile, opts Options) ([]string, error) {
	err := publishFolder(dest, opts, func(s *Staging) error {
		for _, f := range files {
			if err := s.WriteFile(f.name, f.data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dest.path(), f.name)
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
		{FileODT, func(w io.Writer) error { return WriteODT(w, snap, assessment) }},
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
	if len(snap.Catalogue.Raw) == 0 {
		return nil, fmt.Errorf("catalogo %s: testo YAML non disponibile per l'esportazione", snap.Catalogue.Key())
	}
	files = append(files, bundleFile{CatalogueFile(snap.Catalogue), snap.Catalogue.Raw})
	for _, e := range snap.Evidence {
		data, ok := opts.Evidence[e.Digest]
		if !ok {
			return nil, fmt.Errorf("allegato %s: contenuto non disponibile per l'esportazione", e.ID)
		}
		files = append(files, bundleFile{EvidenceFile(e), data})
	}
	if l := snap.Audit.Logo; l != nil {
		if int64(len(snap.LogoData)) != l.Size {
			return nil, errors.New("stemma: contenuto non disponibile per l'esportazione")
		}
		files = append(files, bundleFile{l.FileName(), snap.LogoData})
	}
	sums := checksums(files)
	files = append(files, bundleFile{FileSums, sums})
	if opts.Progress != nil {
		opts.Progress(total, total, FileSums)
	}
	if opts.Signer != nil {
		sig, err := SignSSH(opts.Signer, SignatureNamespace, sums)
		if err != nil {
			return nil, err
		}
		files = append(files, bundleFile{FileSignature, sig})
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

// checkDestination refuses early a destination that check would refuse.
func checkDestination(dest destination, opts Options) error {
	r, err := os.OpenRoot(dest.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cartella %s non disponibile: %w", dest.root, err)
	}
	defer r.Close()
	return dest.check(r, opts)
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
