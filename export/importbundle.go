package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cieaudit/cieaudit/checklist"
)

// Reading a bundle back (cieaudit import, docs/export.md "Import"). The
// reader is pure and in memory: it reads a zip archive, a bundle folder or
// a bare audit.json, checks everything (paths, sizes, SHA256SUMS against
// every file, the catalogue's digest, every record against the catalogue,
// each evidence file against its record) and returns the audit, or one
// Italian sentence naming the file, entry or field that is wrong. Nothing
// is written anywhere; storage.Store.ImportAudit stores the result.

// Limits of ReadBundle. A bundle's own files are bounded by the documented
// limits of what they hold (checklist.MaxEvidenceBytes, MaxLogoBytes,
// MaxCatalogueBytes); the rest bound the work a hostile archive can cause.
// Sizes are counted while reading, never taken from the zip headers.
const (
	// MaxBundleEntries bounds the files of a bundle: the fixed files, the
	// catalogue, the stemma, and at most checklist.MaxEvidenceFiles
	// evidence files.
	MaxBundleEntries = checklist.MaxEvidenceFiles + 64
	// MaxBundleStream bounds a bundle read from a stream (standard
	// input), which is held in memory: a zip archive or an audit.json.
	MaxBundleStream = 256 << 20
	// MaxBundleBytes bounds the uncompressed bytes of all the files.
	MaxBundleBytes = 3 << 30
	// MaxAuditJSONBytes bounds audit.json.
	MaxAuditJSONBytes = 128 << 20
	// maxRenderedBytes bounds one rendered file (PDF, CSV, …), only hashed.
	maxRenderedBytes = 256 << 20
	maxSumsBytes     = 1 << 20
)

// ReadOptions tune the reading of a bundle.
type ReadOptions struct {
	// Catalogue returns a stored catalogue by key ("id@version") and
	// digest, for an input that does not carry the catalogue's YAML (a
	// bare audit.json, or a bundle written before bundles carried it).
	// Built-in catalogues are found without it; nil refuses the others.
	Catalogue func(key, digest string) (*checklist.Catalogue, error)
	// Now is the importing machine's clock, after which no record of the
	// bundle may be dated (checklist.MaxClockSkew); zero means time.Now.
	Now time.Time
}

func (o ReadOptions) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// ReadBundle reads the bundle at name: a folder, a zip archive or an
// audit.json (told apart by content, not by name).
func ReadBundle(name string, opts ReadOptions) (*checklist.ImportedAudit, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, checklist.PathError("il fascicolo", name, err)
	}
	if fi.IsDir() {
		return ReadBundleDir(name, opts)
	}
	if err := checklist.NotRegularFile("il fascicolo", name, fi.Mode()); err != nil {
		return nil, err
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, checklist.PathError("il fascicolo", name, err)
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	if isZip(head[:n]) {
		return ReadBundleZip(f, fi.Size(), opts)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	data, err := readLimited(f, MaxAuditJSONBytes, name)
	if err != nil {
		return nil, err
	}
	return ReadAuditJSON(data, opts)
}

// ReadBundleFrom reads a zip archive or an audit.json from r (standard
// input), told apart by content, at most MaxBundleStream bytes.
func ReadBundleFrom(r io.Reader, opts ReadOptions) (*checklist.ImportedAudit, error) {
	data, err := readChunks(r, MaxBundleStream, "standard input")
	if err != nil {
		return nil, err
	}
	head := make([]byte, min(data.size, 512))
	data.ReadAt(head, 0)
	if isZip(head) {
		return ReadBundleZip(data, data.size, opts)
	}
	if !bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("{")) {
		return nil, fmt.Errorf("lo standard input non è né un fascicolo zip né un audit.json")
	}
	if data.size > MaxAuditJSONBytes {
		return nil, fmt.Errorf("%s sullo standard input supera il limite di %d MiB", FileJSON, MaxAuditJSONBytes>>20)
	}
	doc := make([]byte, data.size)
	data.ReadAt(doc, 0)
	return ReadAuditJSON(doc, opts)
}

// chunks is a stream read whole in fixed-size pieces: unlike io.ReadAll,
// which grows one slice by copying it (over twice the stream's size at
// its peak, per SSH session), it holds the stream's bytes and no more.
type chunks struct {
	bufs [][]byte
	size int64
}

const chunkSize = 1 << 20

// readChunks reads r whole, refusing more than limit bytes.
func readChunks(r io.Reader, limit int64, what string) (*chunks, error) {
	c := &chunks{}
	for {
		buf := make([]byte, chunkSize)
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			c.bufs = append(c.bufs, buf[:n])
			if c.size += int64(n); c.size > limit {
				return nil, fmt.Errorf("%s supera il limite di %d MiB per un fascicolo da importare", what, limit>>20)
			}
		}
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return c, nil
		case err != nil:
			return nil, fmt.Errorf("lettura di %s: %w", what, err)
		}
	}
}

// ReadAt implements io.ReaderAt for the zip reader.
func (c *chunks) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("offset negativo")
	}
	n := 0
	for n < len(p) && off < c.size {
		buf := c.bufs[off/chunkSize]
		m := copy(p[n:], buf[off%chunkSize:])
		n += m
		off += int64(m)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func isZip(head []byte) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06"))
}

// readLimited reads r whole, refusing more than limit bytes.
func readLimited(r io.Reader, limit int64, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("lettura di %s: %w", what, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s supera il limite di %d MiB per un fascicolo da importare", what, limit>>20)
	}
	return data, nil
}

// ReadAuditJSON reads a bare audit.json: it must carry no evidence file
// and no stemma (their bytes are files of the bundle), and its catalogue
// is found with ReadOptions.Catalogue or among the built-in ones.
func ReadAuditJSON(data []byte, opts ReadOptions) (*checklist.ImportedAudit, error) {
	return decodeBundle(data, nil, opts)
}

// bundleReader collects the files of a bundle as they are read: the SHA-256
// of every file, and the bytes of those an import keeps.
type bundleReader struct {
	sums  map[string]string // name → hex SHA-256 of what was read
	kept  map[string][]byte // audit.json, SHA256SUMS, catalogo/, evidenze/, stemma
	lower map[string]string // case-folded name → name, for duplicates
	total int64
	// evidence is the distinct evidence content kept, by digest.
	evidence     map[string]bool
	evidenceSize int64
}

func newBundleReader() *bundleReader {
	return &bundleReader{sums: map[string]string{}, kept: map[string][]byte{}, lower: map[string]string{}, evidence: map[string]bool{}}
}

// checkName refuses a file name a bundle cannot hold: cieaudit writes only
// its fixed names, catalogo/NAME and evidenze/NAME.
func (b *bundleReader) checkName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("voce \"%s\" del fascicolo: %s; il fascicolo è rifiutato", checklist.CleanText(name, false), why)
	}
	switch {
	case name == "" || len(name) > 255:
		return bad("nome vuoto o troppo lungo")
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return bad("nome con caratteri non ammessi")
	case strings.Contains(name, `\`):
		return bad("percorso con barre rovesciate (\\) non ammesso")
	case strings.HasPrefix(name, "/") || strings.Contains(name, ":"):
		return bad("percorso assoluto non ammesso")
	}
	parts := strings.Split(name, "/")
	for _, p := range parts {
		if p == ".." || p == "." || p == "" {
			return bad("percorso che esce dalla cartella del fascicolo (.., . o barre doppie) non ammesso")
		}
	}
	if len(parts) > 2 || len(parts) == 2 && parts[0] != DirEvidence && parts[0] != DirCatalogue {
		return bad("cartella non prevista in un fascicolo (solo " + DirEvidence + "/ e " + DirCatalogue + "/)")
	}
	if prev, dup := b.lower[strings.ToLower(name)]; dup {
		if prev == name {
			return bad("voce ripetuta nell'archivio")
		}
		return bad(fmt.Sprintf("stesso nome di \"%s\" a meno di maiuscole", checklist.CleanText(prev, false)))
	}
	if len(b.lower) >= MaxBundleEntries {
		return fmt.Errorf("il fascicolo ha più di %d file: non è un fascicolo di cieaudit", MaxBundleEntries)
	}
	b.lower[strings.ToLower(name)] = name
	return nil
}

// limitFor is the most bytes a file of the bundle may hold, and whether
// an import keeps its bytes (the others are only checked against
// SHA256SUMS).
func limitFor(name string) (int64, bool) {
	switch {
	case name == FileSums || name == FileSignature:
		return maxSumsBytes, name == FileSums
	case name == FileJSON:
		return MaxAuditJSONBytes, true
	case strings.HasPrefix(name, DirCatalogue+"/"):
		return checklist.MaxCatalogueBytes, true
	case strings.HasPrefix(name, DirEvidence+"/"):
		return checklist.MaxEvidenceBytes, true
	case strings.HasPrefix(name, "stemma."):
		return checklist.MaxLogoBytes, true
	}
	return maxRenderedBytes, false
}

// add reads one file of the bundle from r, counting what it reads.
func (b *bundleReader) add(name string, r io.Reader) error {
	if err := b.checkName(name); err != nil {
		return err
	}
	limit, keep := limitFor(name)
	limit = min(limit, MaxBundleBytes-b.total)
	h := sha256.New()
	var buf bytes.Buffer
	w := io.Writer(h)
	if keep {
		w = io.MultiWriter(h, &buf)
	}
	n, err := io.Copy(w, io.LimitReader(r, limit+1))
	b.total += n
	if err != nil {
		return fmt.Errorf("voce \"%s\" del fascicolo illeggibile: archivio troncato o danneggiato", checklist.CleanText(name, false))
	}
	if n > limit {
		if b.total > MaxBundleBytes-1 {
			return fmt.Errorf("il fascicolo supera %d MiB di contenuto: rifiutato (voce \"%s\")", int64(MaxBundleBytes)>>20, checklist.CleanText(name, false))
		}
		return fmt.Errorf("voce \"%s\" del fascicolo: oltre il limite di %s per questo file", checklist.CleanText(name, false), checklist.FormatBytes(limit))
	}
	sum := hex.EncodeToString(h.Sum(nil))
	b.sums[name] = sum
	if !keep {
		return nil
	}
	if strings.HasPrefix(name, DirEvidence+"/") {
		// The same content under two records is kept once.
		if b.evidence[sum] {
			return nil
		}
		b.evidence[sum] = true
		if b.evidenceSize += n; b.evidenceSize > checklist.MaxEvidenceAuditBytes {
			return fmt.Errorf("voce \"%s\" del fascicolo: gli allegati superano il limite di %d MiB per audit", checklist.CleanText(name, false), checklist.MaxEvidenceAuditBytes>>20)
		}
	}
	b.kept[name] = buf.Bytes()
	return nil
}

// ReadBundleZip reads a bundle's zip archive of size bytes.
func ReadBundleZip(ra io.ReaderAt, size int64, opts ReadOptions) (*checklist.ImportedAudit, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("il fascicolo non è un archivio zip leggibile: troncato o danneggiato")
	}
	if len(zr.File) > MaxBundleEntries {
		return nil, fmt.Errorf("l'archivio ha %d voci, oltre le %d di un fascicolo: rifiutato", len(zr.File), MaxBundleEntries)
	}
	b := newBundleReader()
	top := topFolder(zr.File)
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, top)
		mode := f.Mode()
		if mode.IsDir() && (name == "" || name == DirEvidence+"/" || name == DirCatalogue+"/") && f.UncompressedSize64 == 0 {
			continue // a folder entry some zip tools add
		}
		switch {
		case mode.IsDir():
			return nil, fmt.Errorf("voce \"%s\" del fascicolo: cartella non prevista (solo %s/ e %s/); il fascicolo è rifiutato", checklist.CleanText(name, false), DirEvidence, DirCatalogue)
		case mode&fs.ModeSymlink != 0:
			return nil, fmt.Errorf("voce \"%s\" del fascicolo: collegamento simbolico non ammesso; il fascicolo è rifiutato", checklist.CleanText(name, false))
		case !mode.IsRegular():
			return nil, fmt.Errorf("voce \"%s\" del fascicolo: non è un file ordinario; il fascicolo è rifiutato", checklist.CleanText(name, false))
		case f.Flags&0x1 != 0:
			return nil, fmt.Errorf("voce \"%s\" del fascicolo: cifrata, non ammessa", checklist.CleanText(name, false))
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("voce \"%s\" del fascicolo illeggibile: archivio danneggiato o compressione non supportata", checklist.CleanText(name, false))
		}
		err = b.add(name, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	return b.finish(opts)
}

// topFolder is "NAME/" when every entry of the archive is inside one folder
// NAME (a bundle folder zipped by hand, `zip -r piano.zip piano/`), else "".
// Its name is checked with the entries' (checkName), after the prefix is
// taken off.
func topFolder(files []*zip.File) string {
	top := ""
	for _, f := range files {
		first, _, ok := strings.Cut(f.Name, "/")
		switch {
		case !ok || first == "" || first == DirEvidence || first == DirCatalogue || first == "." || first == "..":
			return ""
		case top == "":
			top = first
		case first != top:
			return ""
		}
	}
	if top == "" {
		return ""
	}
	return top + "/"
}

// ReadBundleDir reads a bundle folder. Only regular files are read, in
// the folder and its evidenze/ and catalogo/ subfolders; a symbolic link
// or anything else refuses the bundle. The folder is opened as an os.Root,
// so nothing outside it is ever read.
func ReadBundleDir(dir string, opts ReadOptions) (*checklist.ImportedAudit, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, checklist.PathError("la cartella del fascicolo", dir, err)
	}
	defer root.Close()
	b := newBundleReader()
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("lettura di %s: %w", checklist.CleanText(p, false), err)
		}
		switch {
		case p == ".":
			return nil
		case d.IsDir():
			if p == DirEvidence || p == DirCatalogue {
				return nil
			}
			return fmt.Errorf("cartella \"%s\" nel fascicolo: non prevista (solo %s/ e %s/); il fascicolo è rifiutato", checklist.CleanText(p, false), DirEvidence, DirCatalogue)
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("file \"%s\" del fascicolo: collegamento simbolico non ammesso; il fascicolo è rifiutato", checklist.CleanText(p, false))
		case !d.Type().IsRegular():
			return fmt.Errorf("file \"%s\" del fascicolo: non è un file ordinario; il fascicolo è rifiutato", checklist.CleanText(p, false))
		}
		f, err := root.Open(p)
		if err != nil {
			return fmt.Errorf("lettura di %s: %w", checklist.CleanText(p, false), err)
		}
		defer f.Close()
		return b.add(p, bufio.NewReader(f))
	})
	if err != nil {
		return nil, err
	}
	return b.finish(opts)
}

// finish checks the files against SHA256SUMS and decodes the audit.
func (b *bundleReader) finish(opts ReadOptions) (*checklist.ImportedAudit, error) {
	sums, ok := b.kept[FileSums]
	if !ok {
		return nil, fmt.Errorf("il fascicolo non ha %s: senza l'elenco delle impronte non si può verificare, rifiutato", FileSums)
	}
	listed, err := parseSums(sums)
	if err != nil {
		return nil, err
	}
	for name, want := range listed {
		got, ok := b.sums[name]
		if !ok {
			return nil, fmt.Errorf("il fascicolo è incompleto: manca %s, elencato in %s", checklist.CleanText(name, false), FileSums)
		}
		if got != want {
			return nil, fmt.Errorf("%s: SHA-256 diverso da quello in %s (file modificato o danneggiato dopo l'esportazione); il fascicolo è rifiutato", checklist.CleanText(name, false), FileSums)
		}
	}
	for name := range b.sums {
		if _, ok := listed[name]; !ok && name != FileSums && name != FileSignature {
			return nil, fmt.Errorf("voce \"%s\" del fascicolo: non elencata in %s; il fascicolo è rifiutato", checklist.CleanText(name, false), FileSums)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(b.sums)) {
		if !knownBundleFile(name) {
			return nil, fmt.Errorf("voce \"%s\" del fascicolo: file che il formato del fascicolo non prevede; l'importazione non potrebbe conservarlo (esportando di nuovo andrebbe perso), il fascicolo è rifiutato", checklist.CleanText(name, false))
		}
	}
	doc, ok := b.kept[FileJSON]
	if !ok {
		return nil, fmt.Errorf("il fascicolo non ha %s, il documento da cui si ricostruisce l'audit", FileJSON)
	}
	return decodeBundle(doc, &bundleFiles{kept: b.kept, sums: b.sums}, opts)
}

// knownBundleFile reports whether name is a file cieaudit export writes:
// the rendered documents and tables (only hashed on import, written again
// from the audit), audit.json, SHA256SUMS and its signature, and the
// catalogue, evidence and stemma files, which the import keeps and checks
// against audit.json. Any other file would be lost by an import, so a
// bundle holding one is refused.
func knownBundleFile(name string) bool {
	switch name {
	case FilePDF, FileHTML, FileODT, FileXLSX, FileJSON, FileSums, FileSignature:
		return true
	}
	for _, t := range Tables {
		if name == t.FileName() {
			return true
		}
	}
	return strings.HasPrefix(name, DirCatalogue+"/") || strings.HasPrefix(name, DirEvidence+"/") ||
		strings.HasPrefix(name, "stemma.")
}

// bundleFiles are the files of a bundle read and checked against
// SHA256SUMS: the SHA-256 of each, and the bytes of those kept.
type bundleFiles struct {
	kept map[string][]byte
	sums map[string]string
}

// parseSums reads SHA256SUMS as cieaudit writes it (`sha256sum` format,
// text mode): "<64 hex>  <name>" per line, each name once.
func parseSums(data []byte) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" || name == "" {
			return nil, fmt.Errorf("%s:%d: riga non nel formato «impronta  nome»", FileSums, i+1)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%s:%d: %s elencato due volte", FileSums, i+1, checklist.CleanText(name, false))
		}
		out[name] = sum
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s è vuoto", FileSums)
	}
	return out, nil
}

// importDocument is audit.json as an import reads it: auditDocument's
// stored fields, its derived ones (progress, risk, variations) taken as
// they are and ignored (an import recomputes them). Unknown fields are
// refused: they would be lost.
type importDocument struct {
	Schema      string                   `json:"schema"`
	GeneratedAt json.RawMessage          `json:"generated_at"`
	Audit       *checklist.Audit         `json:"audit"`
	Catalogue   *catalogueRef            `json:"catalogue"`
	Progress    json.RawMessage          `json:"progress"`
	Answers     []checklist.Answer       `json:"answers"`
	Evaluations []checklist.Evaluation   `json:"evaluations"`
	History     []checklist.Change       `json:"history"`
	ActionPlans []checklist.ActionPlan   `json:"action_plans"`
	Overrides   []checklist.RiskOverride `json:"overrides"`
	Risk        json.RawMessage          `json:"risk"`

	Plan       checklist.Plan            `json:"plan"`
	Baselines  []checklist.Baseline      `json:"baselines"`
	Operators  []checklist.Operator      `json:"operators"`
	Events     []checklist.SecurityEvent `json:"events"`
	Variations json.RawMessage           `json:"variations"`

	Carried  []checklist.Answer       `json:"carried"`
	Upgrade  *checklist.UpgradeReport `json:"upgrade"`
	Evidence []evidenceDocument       `json:"evidence"`
}

// decodeBundle decodes audit.json and, when files is not nil (a bundle),
// joins the catalogue, evidence and stemma files to it.
func decodeBundle(data []byte, files *bundleFiles, opts ReadOptions) (*checklist.ImportedAudit, error) {
	var doc importDocument
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %s", FileJSON, jsonProblem(data, dec, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: altro contenuto dopo il documento JSON", FileJSON)
	}
	switch {
	case doc.Schema != SchemaJSON && doc.Schema != "cieaudit.audit/v1":
		return nil, fmt.Errorf("%s: schema \"%s\" non riconosciuto (atteso %s): non è un audit.json di cieaudit o viene da una versione più recente", FileJSON, checklist.CleanText(doc.Schema, false), SchemaJSON)
	case doc.Audit == nil || doc.Catalogue == nil:
		return nil, fmt.Errorf("%s: campi audit e catalogue mancanti", FileJSON)
	case doc.Catalogue.ID != doc.Audit.CatalogueID || doc.Catalogue.Version != doc.Audit.CatalogueVersion || doc.Catalogue.Digest != doc.Audit.CatalogueDigest:
		return nil, fmt.Errorf("%s: catalogue non corrisponde al catalogo a cui è vincolato l'audit (audit.catalogue_id, catalogue_version, catalogue_digest)", FileJSON)
	}
	imp := &checklist.ImportedAudit{Evidence: map[string][]byte{}}
	cat, src, err := bundleCatalogue(&doc, files, opts)
	if err != nil {
		return nil, err
	}
	imp.CatalogueSource = src
	snap := &checklist.Snapshot{
		Audit: *doc.Audit, Catalogue: cat,
		Answers: doc.Answers, Evaluations: doc.Evaluations, History: doc.History,
		Actions: map[string]checklist.ActionPlan{}, Overrides: map[string]checklist.RiskOverride{},
		Plan: doc.Plan, Baselines: doc.Baselines, Operators: doc.Operators, Events: doc.Events,
		Carried: doc.Carried, Upgrade: doc.Upgrade,
	}
	for _, p := range doc.ActionPlans {
		key := p.Item
		if _, dup := snap.Actions[key]; dup {
			key += "\x00" // CheckImported names the repetition
		}
		snap.Actions[key] = p
	}
	for _, o := range doc.Overrides {
		key := o.Threat
		if _, dup := snap.Overrides[key]; dup {
			key += "\x00"
		}
		snap.Overrides[key] = o
	}
	if err := joinFiles(&doc, snap, imp, files); err != nil {
		return nil, err
	}
	imp.Snapshot = snap
	if err := checklist.CheckImported(imp, opts.now()); err != nil {
		return nil, fmt.Errorf("%s: %w", FileJSON, err)
	}
	return imp, nil
}

// jsonProblem says where audit.json stops being what it should be.
func jsonProblem(data []byte, dec *json.Decoder, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line := 1 + bytes.Count(data[:min(int(syn.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("riga %d: JSON non valido", line)
	case errors.As(err, &typ):
		return fmt.Sprintf("campo %s: valore di tipo %s dove serve %s", checklist.CleanText(typ.Field, false), typ.Value, typ.Type)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "documento vuoto o troncato"
	}
	line := 1 + bytes.Count(data[:min(int(dec.InputOffset()), len(data))], []byte("\n"))
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Sprintf("riga %d: campo sconosciuto %s (il documento viene da una versione più recente di cieaudit o è stato modificato: importandolo andrebbe perso)", line, checklist.CleanText(field, false))
	}
	return fmt.Sprintf("riga %d: %s", line, checklist.CleanText(err.Error(), false))
}

// bundleCatalogue is the catalogue audit.json is pinned to: the bundle's
// catalogo/ file when it has one, else a built-in catalogue or one
// ReadOptions.Catalogue finds.
func bundleCatalogue(doc *importDocument, files *bundleFiles, opts ReadOptions) (*checklist.Catalogue, []byte, error) {
	ref := doc.Catalogue
	key := ref.ID + "@" + ref.Version
	if files != nil {
		for name := range files.sums {
			if strings.HasPrefix(name, DirCatalogue+"/") && name != ref.File {
				return nil, nil, fmt.Errorf("%s: file non indicato da audit.json (catalogue.file \"%s\")", checklist.CleanText(name, false), checklist.CleanText(ref.File, false))
			}
		}
	}
	if files != nil && ref.File != "" {
		src, ok := files.kept[ref.File]
		if !ok {
			return nil, nil, fmt.Errorf("il fascicolo è incompleto: manca %s, il catalogo indicato da audit.json (catalogue.file)", checklist.CleanText(ref.File, false))
		}
		sum := sha256.Sum256(src)
		if hex.EncodeToString(sum[:]) != ref.Digest {
			return nil, nil, fmt.Errorf("%s: il catalogo non ha l'impronta a cui è vincolato l'audit (catalogue.digest %.12s…)", ref.File, checklist.CleanText(ref.Digest, false))
		}
		cat, err := checklist.Parse(src, ref.File)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: catalogo non valido: %w", ref.File, err)
		}
		if cat.Key() != key || ref.File != CatalogueFile(cat) {
			return nil, nil, fmt.Errorf("%s: il catalogo dichiara %s, audit.json indica %s", ref.File, checklist.CleanText(cat.Key(), false), checklist.CleanText(key, false))
		}
		if err := checklist.CheckBuiltinKey(cat); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", ref.File, err)
		}
		return cat, src, nil
	}
	for _, e := range checklist.BuiltinSources {
		if sum := sha256.Sum256(e.Source); hex.EncodeToString(sum[:]) == ref.Digest {
			cat, err := checklist.Parse(e.Source, e.Filename)
			if err != nil {
				return nil, nil, err
			}
			return cat, e.Source, nil
		}
	}
	if opts.Catalogue == nil {
		return nil, nil, fmt.Errorf("%s: il catalogo %s (impronta %.12s…) non è nel fascicolo: importare il fascicolo completo, che lo contiene", FileJSON, checklist.CleanText(key, false), checklist.CleanText(ref.Digest, false))
	}
	cat, err := opts.Catalogue(key, ref.Digest)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: il catalogo %s non è nel fascicolo e non è tra quelli memorizzati con la stessa impronta: %w", FileJSON, checklist.CleanText(key, false), err)
	}
	return cat, nil, nil
}

// joinFiles attaches the evidence contents and the stemma of a bundle to
// the audit, refusing files no record names.
func joinFiles(doc *importDocument, snap *checklist.Snapshot, imp *checklist.ImportedAudit, files *bundleFiles) error {
	if files == nil {
		switch {
		case len(doc.Evidence) > 0:
			return fmt.Errorf("%s: l'audit ha %d allegati, i cui file sono nel fascicolo: importare la cartella o lo zip del fascicolo, non il solo audit.json", FileJSON, len(doc.Evidence))
		case doc.Audit.Logo != nil:
			return fmt.Errorf("%s: l'audit ha uno stemma, il cui file è nel fascicolo: importare la cartella o lo zip del fascicolo, non il solo audit.json", FileJSON)
		}
		return nil
	}
	// The reader keeps one copy of a content attached twice.
	byDigest := map[string][]byte{}
	for name, data := range files.kept {
		if strings.HasPrefix(name, DirEvidence+"/") {
			byDigest[files.sums[name]] = data
		}
	}
	named := map[string]bool{}
	for i, e := range doc.Evidence {
		want := EvidenceFile(e.Evidence)
		if e.File != want {
			return fmt.Errorf("%s: evidence[%d].file \"%s\" invece di \"%s\"", FileJSON, i, checklist.CleanText(e.File, false), want)
		}
		named[want] = true
		sum, ok := files.sums[want]
		if !ok {
			return fmt.Errorf("il fascicolo è incompleto: manca %s (allegato %s)", want, checklist.CleanText(e.ID, false))
		}
		if sum != e.Digest {
			return fmt.Errorf("%s: il contenuto non ha lo sha256 dell'allegato %s in audit.json; il fascicolo è rifiutato", want, checklist.CleanText(e.ID, false))
		}
		imp.Evidence[e.Digest] = byDigest[sum]
		snap.Evidence = append(snap.Evidence, e.Evidence)
	}
	for name := range files.sums {
		if strings.HasPrefix(name, DirEvidence+"/") && !named[name] {
			return fmt.Errorf("%s: file che nessun allegato di audit.json nomina; il fascicolo è rifiutato", checklist.CleanText(name, false))
		}
	}
	logo := ""
	if l := snap.Audit.Logo; l != nil {
		logo = l.FileName()
		data, ok := files.kept[logo]
		if !ok {
			return fmt.Errorf("il fascicolo è incompleto: manca %s, lo stemma indicato da audit.logo", logo)
		}
		snap.LogoData = data
	}
	for name := range files.sums {
		if strings.HasPrefix(name, "stemma.") && name != logo {
			return fmt.Errorf("%s: stemma non indicato da audit.logo; il fascicolo è rifiutato", checklist.CleanText(name, false))
		}
	}
	return nil
}
