package checklist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
)

// Logo is the reference to the ente's stemma (coat of arms) printed on the
// cover of the plan: the bytes are stored once, under their SHA-256, beside
// the audit (storage's logo_data bucket) and exported as stemma.png or
// stemma.jpg; the audit holds only this.
type Logo struct {
	SHA256 string `json:"sha256"` // lowercase hex of the stored bytes
	Type   string `json:"type"`   // "image/png" or "image/jpeg", from the content
	Size   int64  `json:"size"`   // bytes
	Width  int    `json:"width"`  // pixels
	Height int    `json:"height"` // pixels
}

// Limits of the stemma (docs/export.md, "Stemma"). The size bounds what the
// audit and every bundle carry; the sides bound the memory of decoding it
// (at most 2048×2048 pixels: 16 MiB as 8-bit RGBA, 32 MiB for a 16-bit
// PNG), and are checked from the
// image's header before any pixel is decoded, so a small file that claims
// an enormous image (a decompression bomb) is refused without work.
const (
	MaxLogoBytes = 512 << 10
	MaxLogoSide  = 2048
)

var (
	pngSignature  = []byte("\x89PNG\r\n\x1a\n")
	jpegSignature = []byte{0xFF, 0xD8, 0xFF}
)

// LogoChange is a change of the stemma asked for together with other edits
// of the audit: Set false leaves it as it is; Set with Data replaces it (Name
// is the file as the user gave it, for messages), Set with nil Data removes
// it. The store checks Data with CheckLogo.
type LogoChange struct {
	Set  bool
	Name string
	Data []byte
}

// Ext is the extension of the stemma's file in a bundle ("png", "jpg").
func (l Logo) Ext() string {
	if l.Type == "image/jpeg" {
		return "jpg"
	}
	return "png"
}

// FileName is the stemma's file name in a bundle: stemma.png or stemma.jpg.
func (l Logo) FileName() string { return "stemma." + l.Ext() }

// Summary is the stemma for the history and messages: "immagine PNG
// 240×300, 12,3 KiB, sha256 …".
func (l Logo) Summary() string {
	return fmt.Sprintf("%s %d×%d, %s, sha256 %s", EvidenceTypeLabel(l.Type), l.Width, l.Height, FormatBytes(l.Size), l.SHA256)
}

// CheckLogo checks the content of a stemma and returns its reference. The
// kind is judged by the content, never by the name: a PNG or a JPEG, at
// most MaxLogoBytes, at most MaxLogoSide pixels a side (read from the
// header first), and decoding to the end (a truncated or damaged image is
// refused here rather than when a report is rendered). name is the file
// as the user gave it, for the message only ("-" is standard input).
func CheckLogo(name string, data []byte) (Logo, error) {
	if name == "" || name == "-" {
		name = "(standard input)"
	}
	fail := func(format string, args ...any) (Logo, error) {
		return Logo{}, fmt.Errorf("stemma %s: %s", CleanText(name, false), fmt.Sprintf(format, args...))
	}
	if len(data) == 0 {
		return fail("il file è vuoto")
	}
	if len(data) > MaxLogoBytes {
		return fail("%s, oltre il limite di %d KiB", FormatBytes(int64(len(data))), MaxLogoBytes>>10)
	}
	var mime string
	var decodeConfig func([]byte) (image.Config, error)
	var decode func([]byte) (image.Image, error)
	switch {
	case bytes.HasPrefix(data, pngSignature):
		mime = "image/png"
		decodeConfig = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
	case bytes.HasPrefix(data, jpegSignature):
		mime = "image/jpeg"
		decodeConfig = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
	default:
		what := "il contenuto non è un'immagine PNG o JPEG"
		if got, err := DetectEvidenceType(data); err == nil {
			what = "il contenuto è di tipo " + EvidenceTypeLabel(got) + ", non un'immagine PNG o JPEG"
		}
		return fail("%s (il tipo si riconosce dal contenuto, non dall'estensione)", what)
	}
	label := EvidenceTypeLabel(mime)
	cfg, err := decodeConfig(data)
	if err != nil {
		return fail("%s illeggibile (intestazione danneggiata o troncata)", label)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fail("%s senza pixel (%d×%d)", label, cfg.Width, cfg.Height)
	}
	if cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return fail("%s di %d×%d pixel, oltre il limite di %d×%d: ridurla prima di caricarla", label, cfg.Width, cfg.Height, MaxLogoSide, MaxLogoSide)
	}
	if _, err := decode(data); err != nil {
		return fail("%s danneggiata o troncata: non si decodifica fino in fondo", label)
	}
	sum := sha256.Sum256(data)
	return Logo{SHA256: hex.EncodeToString(sum[:]), Type: mime, Size: int64(len(data)), Width: cfg.Width, Height: cfg.Height}, nil
}
