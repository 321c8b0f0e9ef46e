package checklist

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Evidence is a file attached to an item at a scope (a photograph of the
// locked room, a scanned verbale). The bytes are stored once per audit under
// their SHA-256 (Digest); this is what describes them.
type Evidence struct {
	ID     string    `json:"id"` // "al-N", numbered per audit, never reused
	Scope  Scope     `json:"scope"`
	Item   string    `json:"item"`
	Name   string    `json:"name"` // a file name without folders, as given (cleaned)
	Note   string    `json:"note"`
	Type   string    `json:"type"`   // MIME type detected from the content
	Size   int64     `json:"size"`   // bytes
	Digest string    `json:"sha256"` // SHA-256 of the content, lowercase hex
	Author string    `json:"author"`
	At     time.Time `json:"at"`
}

// ChangeEvidence is the history kind of attaching and removing a file.
const ChangeEvidence ChangeKind = "allegato"

// Limits of the evidence files (docs/evidence.md). A file is held in memory
// while it is checked and stored, and a bundle carries every file of its
// audit: the limits keep both bounded.
const (
	MaxEvidenceBytes      = 10 << 20 // one file
	MaxEvidenceAuditBytes = 64 << 20 // the distinct contents of one audit
	MaxEvidenceFiles      = 200      // files attached to one audit
	MaxEvidenceNameRunes  = 100
)

// evidenceTypes are the accepted contents: MIME type → file extension in
// the bundle and the Italian label.
var evidenceTypes = map[string]struct{ ext, label string }{
	"image/jpeg":      {"jpg", "immagine JPEG"},
	"image/png":       {"png", "immagine PNG"},
	"image/gif":       {"gif", "immagine GIF"},
	"image/webp":      {"webp", "immagine WebP"},
	"application/pdf": {"pdf", "documento PDF"},
	"text/plain":      {"txt", "testo"},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   {"docx", "documento Word"},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         {"xlsx", "foglio Excel"},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {"pptx", "presentazione PowerPoint"},
	"application/vnd.oasis.opendocument.text":                                   {"odt", "documento OpenDocument"},
	"application/vnd.oasis.opendocument.spreadsheet":                            {"ods", "foglio OpenDocument"},
	"application/vnd.oasis.opendocument.presentation":                           {"odp", "presentazione OpenDocument"},
	"application/x-ole-storage":                                                 {"doc", "documento Office 97-2003"},
}

// EvidenceTypesText lists the accepted kinds for messages and help.
const EvidenceTypesText = "immagini JPEG, PNG, GIF o WebP, PDF, testo UTF-8, documenti Office (docx, xlsx, pptx, doc, xls) e OpenDocument (odt, ods, odp)"

var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// DetectEvidenceType returns the MIME type of data, judged by its content
// only (never by its name), or an Italian error when it is not a kind of
// file an audit accepts. Nothing is executed or rendered: the checks read
// signatures, and for zip-based office documents the archive's directory.
func DetectEvidenceType(data []byte) (string, error) {
	if len(data) == 0 {
		return "", fmt.Errorf("il file è vuoto")
	}
	if bytes.HasPrefix(data, oleSignature) {
		return "application/x-ole-storage", nil
	}
	mime, _, _ := strings.Cut(http.DetectContentType(data), ";")
	switch mime {
	case "application/zip":
		if t := officeZipType(data); t != "" {
			return t, nil
		}
		return "", fmt.Errorf("archivio zip non ammesso (solo documenti Office o OpenDocument): ammessi %s", EvidenceTypesText)
	case "text/plain":
		if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
			return "", fmt.Errorf("testo non in UTF-8: ammessi %s", EvidenceTypesText)
		}
	}
	if _, ok := evidenceTypes[mime]; !ok {
		return "", fmt.Errorf("tipo di file %q non ammesso: ammessi %s", mime, EvidenceTypesText)
	}
	return mime, nil
}

// officeZipType recognises OOXML (by its part folders) and OpenDocument
// (by its mimetype entry) archives; "" for any other zip.
func officeZipType(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) > 10000 {
		return ""
	}
	hasTypes := false
	for _, f := range zr.File {
		if f.Name == "[Content_Types].xml" {
			hasTypes = true
		}
	}
	for _, f := range zr.File {
		switch {
		case f.Name == "mimetype" && f.UncompressedSize64 < 100:
			rc, err := f.Open()
			if err != nil {
				return ""
			}
			var buf [100]byte
			n, _ := rc.Read(buf[:])
			rc.Close()
			t := strings.TrimSpace(string(buf[:n]))
			if _, ok := evidenceTypes[t]; ok && strings.HasPrefix(t, "application/vnd.oasis.") {
				return t
			}
			return ""
		case hasTypes && strings.HasPrefix(f.Name, "word/"):
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		case hasTypes && strings.HasPrefix(f.Name, "xl/"):
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case hasTypes && strings.HasPrefix(f.Name, "ppt/"):
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		}
	}
	return ""
}

// EvidenceTypeLabel is the Italian name of a stored type.
func EvidenceTypeLabel(mime string) string {
	if t, ok := evidenceTypes[mime]; ok {
		return t.label
	}
	return mime
}

// EvidenceName checks and cleans the name a file is attached under: the
// last element of what was given, without control characters, at most
// MaxEvidenceNameRunes characters. An empty name is refused.
func EvidenceName(name string) (string, error) {
	name = strings.ReplaceAll(name, `\`, "/")
	name = CleanText(path.Base(strings.TrimSpace(name)), false)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" || name == ".." {
		return "", fmt.Errorf("nome dell'allegato mancante: indicarlo con --name")
	}
	if utf8.RuneCountInString(name) > MaxEvidenceNameRunes {
		return "", fmt.Errorf("nome dell'allegato troppo lungo: al massimo %d caratteri", MaxEvidenceNameRunes)
	}
	return name, nil
}

// NewEvidence checks a file to attach (its size, its kind, its name, the
// target item at the scope) and returns its record, without ID, author or
// time, which the store sets. existing are the files the audit already has
// (their distinct contents count against the audit's limit).
func NewEvidence(a *Audit, cat *Catalogue, scope Scope, item, name, note string, data []byte, existing []Evidence) (Evidence, error) {
	if int64(len(data)) > MaxEvidenceBytes {
		return Evidence{}, fmt.Errorf("il file supera il limite di %d MiB per allegato", MaxEvidenceBytes>>20)
	}
	scope = a.CanonicalScope(scope)
	if !a.HasScope(scope) {
		return Evidence{}, fmt.Errorf("ambito %q non presente nell'audit %s", scope.String(), a.ID)
	}
	it := cat.Item(item)
	if it == nil {
		return Evidence{}, fmt.Errorf("misura %q non presente nel catalogo %s dell'audit", item, cat.Key())
	}
	if it.Scope != scope.Kind {
		return Evidence{}, fmt.Errorf("la misura %s si valuta per ambito %s, non %s", item, strings.ToLower(it.Scope.Label()), strings.ToLower(scope.Kind.Label()))
	}
	mime, err := DetectEvidenceType(data)
	if err != nil {
		return Evidence{}, err
	}
	if name, err = EvidenceName(name); err != nil {
		return Evidence{}, err
	}
	note = CleanText(strings.TrimSpace(note), true)
	if err := CheckTextLength("nota dell'allegato", note); err != nil {
		return Evidence{}, err
	}
	sum := sha256.Sum256(data)
	e := Evidence{Scope: scope, Item: it.ID, Name: name, Note: note,
		Type: mime, Size: int64(len(data)), Digest: hex.EncodeToString(sum[:])}
	if len(existing) >= MaxEvidenceFiles {
		return Evidence{}, fmt.Errorf("l'audit ha già %d allegati, il massimo", MaxEvidenceFiles)
	}
	total, seen := int64(0), map[string]bool{}
	for _, x := range append(existing, e) {
		if !seen[x.Digest] {
			seen[x.Digest] = true
			total += x.Size
		}
	}
	if total > MaxEvidenceAuditBytes {
		return Evidence{}, fmt.Errorf("gli allegati dell'audit supererebbero il limite di %d MiB", MaxEvidenceAuditBytes>>20)
	}
	return e, nil
}

// EvidenceSummary is the history text of a file attached or removed.
func EvidenceSummary(e Evidence) string {
	return fmt.Sprintf("%s (%s, %s, sha256 %s)", e.Name, EvidenceTypeLabel(e.Type), FormatBytes(e.Size), e.Digest)
}

// EvidenceFileName is the stable name of the file in a bundle's evidenze/
// folder: its ID, the start of its digest and the extension of its type.
// Nothing of the user's name reaches the path.
func EvidenceFileName(e Evidence) string {
	d := e.Digest
	if len(d) > 12 {
		d = d[:12]
	}
	return fmt.Sprintf("%s-%s.%s", e.ID, d, EvidenceExt(e.Type))
}

// EvidenceExt is the file extension of a stored type ("bin" if unknown).
func EvidenceExt(mime string) string {
	if t, ok := evidenceTypes[mime]; ok {
		return t.ext
	}
	return "bin"
}

// FormatBytes is a size for people: "812 B", "3,4 KiB", "2,0 MiB".
func FormatBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return strings.Replace(fmt.Sprintf("%.1f KiB", float64(n)/(1<<10)), ".", ",", 1)
	default:
		return strings.Replace(fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)), ".", ",", 1)
	}
}

// EvidenceCount counts the files attached to item at scope.
func (s *Snapshot) EvidenceCount(scope Scope, item string) int {
	n := 0
	for _, e := range s.Evidence {
		if e.Scope == scope && e.Item == item {
			n++
		}
	}
	return n
}
