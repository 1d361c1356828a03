package imgfile

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"testing"
)

func sample() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range g.Pix {
		g.Pix[i] = uint8(i * 7)
	}
	return g
}

func TestRoundTripDPI(t *testing.T) {
	for _, dpi := range []float64{150, 200, 300} {
		var p, j bytes.Buffer
		if err := EncodePNG(&p, sample(), dpi); err != nil {
			t.Fatal(err)
		}
		if err := EncodeJPEG(&j, sample(), dpi, 90); err != nil {
			t.Fatal(err)
		}
		for name, b := range map[string][]byte{"png": p.Bytes(), "jpeg": j.Bytes()} {
			img, got, err := Decode(b)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got != dpi || img.Bounds().Dx() != 40 {
				t.Errorf("%s at %v dpi: got %v dpi, %v", name, dpi, got, img.Bounds())
			}
		}
	}
}

// tiffBytes is a minimal little-endian 2×1 8-bit grey TIFF at 200 dpi.
func tiffBytes() []byte {
	le := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
		}
		return b
	}
	entry := func(tag, typ uint16, count, val uint32) []byte {
		return append([]byte{byte(tag), byte(tag >> 8), byte(typ), byte(typ >> 8)}, le(count, val)...)
	}
	var b []byte
	b = append(b, 'I', 'I', 42, 0)
	b = append(b, le(8)...)
	n := 9
	b = append(b, byte(n), 0)
	ifdEnd := 8 + 2 + 12*n + 4
	res := uint32(ifdEnd)
	pix := uint32(ifdEnd + 8)
	b = append(b, entry(256, 3, 1, 2)...)
	b = append(b, entry(257, 3, 1, 1)...)
	b = append(b, entry(258, 3, 1, 8)...)
	b = append(b, entry(259, 3, 1, 1)...)
	b = append(b, entry(262, 3, 1, 1)...)
	b = append(b, entry(273, 4, 1, pix)...)
	b = append(b, entry(279, 4, 1, 2)...)
	b = append(b, entry(282, 5, 1, res)...)
	b = append(b, entry(296, 3, 1, 2)...)
	b = append(b, le(0)...)
	b = append(b, le(200, 1)...)
	b = append(b, 10, 200)
	return b
}

func TestTIFF(t *testing.T) {
	img, dpi, err := Decode(tiffBytes())
	if err != nil {
		t.Fatal(err)
	}
	if dpi != 200 || img.Bounds().Dx() != 2 {
		t.Errorf("dpi %v bounds %v", dpi, img.Bounds())
	}
	if c := color.GrayModel.Convert(img.At(1, 0)).(color.Gray); c.Y != 200 {
		t.Errorf("pixel %v", c)
	}
}

func TestCorrupt(t *testing.T) {
	var p bytes.Buffer
	EncodePNG(&p, sample(), 300)
	cases := map[string][]byte{
		"empty":     nil,
		"text":      []byte("hello"),
		"truncated": p.Bytes()[:60],
		"jpeg head": {0xFF, 0xD8, 0xFF, 0xE0, 0, 4},
		"tiff head": []byte("II*\x00\xff\xff\xff\xff"),
	}
	for name, b := range cases {
		_, _, err := Decode(b)
		if err == nil {
			t.Errorf("%s: decoded", name)
			continue
		}
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%s: %v is neither ErrCorrupt nor ErrUnknownFormat", name, err)
		}
	}
	// A header declaring a huge image is refused before decoding.
	huge := append([]byte(nil), p.Bytes()...)
	copy(huge[16:24], []byte{0, 1, 0, 0, 0, 1, 0, 0}) // 65536 × 65536
	if _, _, err := Decode(huge); err == nil {
		t.Error("huge image accepted")
	}
}

func FuzzDecode(f *testing.F) {
	var p, j bytes.Buffer
	EncodePNG(&p, sample(), 300)
	EncodeJPEG(&j, sample(), 200, 80)
	f.Add(p.Bytes())
	f.Add(j.Bytes())
	f.Add(tiffBytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		img, dpi, err := Decode(b)
		if err != nil {
			return
		}
		if img == nil || dpi < 0 {
			t.Fatal("nil image or negative dpi without error")
		}
		r := img.Bounds()
		if r.Dx()*r.Dy() > MaxPixels {
			t.Fatal("over MaxPixels")
		}
	})
}
