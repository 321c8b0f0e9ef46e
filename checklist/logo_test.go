package checklist

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readLogoFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "logo", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bombPNG is a valid 1×1 PNG whose header claims w×h pixels (CRC fixed), as
// a decompression bomb's header would.
func bombPNG(t *testing.T, w, h uint32) []byte {
	data := encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	// signature (8), IHDR length (4), "IHDR" (4), width, height, …, CRC.
	binary.BigEndian.PutUint32(data[16:], w)
	binary.BigEndian.PutUint32(data[20:], h)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	return data
}

func TestCheckLogo(t *testing.T) {
	pngData := readLogoFixture(t, "stemma.png")
	jpegData := readLogoFixture(t, "stemma.jpg")
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.Black, color.White}), nil); err != nil {
		t.Fatal(err)
	}
	deep := image.NewNRGBA64(image.Rect(0, 0, 3, 2)) // 16 bits a channel
	tooBig := append(append([]byte(nil), pngData...), make([]byte, MaxLogoBytes)...)

	cases := []struct {
		name, file string
		data       []byte
		mime       string // accepted with this type, or
		err        string // refused with a message containing this
		w, h       int
	}{
		{name: "png", file: "stemma.png", data: pngData, mime: "image/png", w: 240, h: 300},
		{name: "jpeg", file: "stemma.jpg", data: jpegData, mime: "image/jpeg", w: 240, h: 300},
		{name: "jpeg named png", file: "stemma.png", data: jpegData, mime: "image/jpeg", w: 240, h: 300},
		{name: "16-bit png", file: "a.png", data: encodePNG(t, deep), mime: "image/png", w: 3, h: 2},
		{name: "largest side", file: "a.png", data: encodePNG(t, image.NewGray(image.Rect(0, 0, MaxLogoSide, 1))), mime: "image/png", w: MaxLogoSide, h: 1},
		{name: "gif refused", file: "stemma.gif", data: gifBuf.Bytes(), err: "stemma stemma.gif: il contenuto è di tipo immagine GIF, non un'immagine PNG o JPEG"},
		{name: "text renamed png", file: "stemma.png", data: []byte("questo non è uno stemma\n"), err: "stemma stemma.png: il contenuto è di tipo testo, non un'immagine PNG o JPEG (il tipo si riconosce dal contenuto, non dall'estensione)"},
		{name: "unknown bytes", file: "x.png", data: []byte{0, 1, 2, 3, 4, 5}, err: "stemma x.png: il contenuto non è un'immagine PNG o JPEG"},
		{name: "empty", file: "vuoto.png", data: []byte{}, err: "stemma vuoto.png: il file è vuoto"},
		{name: "too big", file: "grande.png", data: tooBig, err: "stemma grande.png: 513,6 KiB, oltre il limite di 512 KiB"},
		{name: "bomb", file: "bomba.png", data: bombPNG(t, 100000, 100000), err: "stemma bomba.png: immagine PNG di 100000×100000 pixel, oltre il limite di 2048×2048"},
		{name: "one side too long", file: "striscia.png", data: encodePNG(t, image.NewGray(image.Rect(0, 0, MaxLogoSide+1, 1))), err: "di 2049×1 pixel, oltre il limite"},
		{name: "truncated png", file: "tronco.png", data: pngData[:len(pngData)/2], err: "stemma tronco.png: immagine PNG danneggiata o troncata"},
		{name: "png header only", file: "tronco.png", data: pngData[:20], err: "stemma tronco.png: immagine PNG illeggibile (intestazione danneggiata o troncata)"},
		{name: "truncated jpeg", file: "tronco.jpg", data: jpegData[:len(jpegData)/2], err: "stemma tronco.jpg: immagine JPEG danneggiata o troncata"},
		{name: "standard input", file: "-", data: []byte("x"), err: "stemma (standard input): "},
		{name: "name cleaned", file: "a\x1b[31m.png", data: []byte("x"), err: `stemma a\x1b[31m.png: `},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := CheckLogo(c.file, c.data)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(c.data)
			want := Logo{SHA256: hex.EncodeToString(sum[:]), Type: c.mime, Size: int64(len(c.data)), Width: c.w, Height: c.h}
			if l != want {
				t.Fatalf("got %+v, want %+v", l, want)
			}
		})
	}
}

func TestLogoFileName(t *testing.T) {
	for _, c := range []struct{ mime, want string }{{"image/png", "stemma.png"}, {"image/jpeg", "stemma.jpg"}} {
		if got := (Logo{Type: c.mime}).FileName(); got != c.want {
			t.Errorf("%s: %s, want %s", c.mime, got, c.want)
		}
	}
}
