package imagefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"golang.org/x/image/tiff"
)

func sample() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range g.Pix {
		g.Pix[i] = uint8(i * 7)
	}
	return g
}

func TestRoundTripDPI(t *testing.T) {
	for _, dpi := range []float64{150, 200, 300, 72.5} {
		var p, j bytes.Buffer
		if err := EncodePNG(&p, sample(), dpi); err != nil {
			t.Fatal(err)
		}
		if err := EncodeJPEG(&j, sample(), dpi, 90); err != nil {
			t.Fatal(err)
		}
		for name, b := range map[string][]byte{"png": p.Bytes(), "jpeg": j.Bytes()} {
			img, got, err := Decode(b, MaxPixels)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want := dpi
			if name == "jpeg" {
				want = float64(int(dpi + 0.5)) // JFIF density is a whole number
			}
			if got != want || img.Bounds().Dx() != 40 {
				t.Errorf("%s at %v dpi: got %v dpi, %v", name, dpi, got, img.Bounds())
			}
		}
	}
	// PNG pixels come back unchanged.
	var p bytes.Buffer
	EncodePNG(&p, sample(), 300)
	img, _, _ := Decode(p.Bytes(), MaxPixels)
	if g, ok := img.(*image.Gray); !ok || !bytes.Equal(g.Pix, sample().Pix) {
		t.Error("pixels changed")
	}
}

func TestNoDPIRecorded(t *testing.T) {
	var p, j bytes.Buffer
	EncodePNG(&p, sample(), 0)
	EncodeJPEG(&j, sample(), 0, 90)
	jpeg.Encode(&j, sample(), nil) // no JFIF segment at all: a second, separate file
	plain := j.Bytes()[bytes.Index(j.Bytes()[2:], []byte{0xFF, 0xD8})+2:]
	for name, b := range map[string][]byte{"png": p.Bytes(), "jfif aspect only": j.Bytes(), "jpeg": plain} {
		if _, dpi, err := Decode(b, MaxPixels); err != nil || dpi != 0 {
			t.Errorf("%s: dpi %v, %v", name, dpi, err)
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
	img, dpi, err := Decode(tiffBytes(), MaxPixels)
	if err != nil {
		t.Fatal(err)
	}
	if dpi != 200 || img.Bounds().Dx() != 2 {
		t.Errorf("dpi %v bounds %v", dpi, img.Bounds())
	}
	if c := color.GrayModel.Convert(img.At(1, 0)).(color.Gray); c.Y != 200 {
		t.Errorf("pixel %v", c)
	}
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, sample(), nil); err != nil {
		t.Fatal(err)
	}
	if _, dpi, err := Decode(withTIFFResolution(buf.Bytes(), 400), MaxPixels); err != nil || dpi != 400 {
		t.Errorf("x/image TIFF with XResolution: dpi %v, %v", dpi, err)
	}
}

func TestJFIFInDotsPerCm(t *testing.T) {
	var buf bytes.Buffer
	jpeg.Encode(&buf, sample(), nil)
	j := buf.Bytes()
	app0 := []byte{0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 2, 0, 118, 0, 118, 0, 0}
	j = append(append(append([]byte{}, j[:2]...), app0...), j[2:]...)
	if _, dpi, err := Decode(j, MaxPixels); err != nil || dpi != 299.7 {
		t.Fatalf("jpeg: dpi %v, %v", dpi, err)
	}
}

func TestPNM(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		at   func(image.Image) bool
	}{
		{"P4", []byte("P4\n# SANE data follows\n10 2\n\x80\x40\x00\x00"), func(img image.Image) bool {
			return gray(img, 0, 0) == 0 && gray(img, 1, 0) == 0xff && gray(img, 9, 0) == 0 && gray(img, 1, 1) == 0xff && gray(img, 9, 1) == 0xff
		}},
		{"P5", []byte("P5\n3 1\n255\n\x00\x80\xff"), func(img image.Image) bool {
			return gray(img, 0, 0) == 0 && gray(img, 1, 0) == 0x80 && gray(img, 2, 0) == 0xff
		}},
		{"P5-16", []byte("P5\n2 1\n65535\n\x12\x34\xff\xff"), func(img image.Image) bool {
			r, _, _, _ := img.At(0, 0).RGBA()
			return r == 0x1234 && gray(img, 1, 0) == 0xff
		}},
		{"P6", []byte("P6 1 1 255\n\xff\x00\x10"), func(img image.Image) bool {
			r, g, b, _ := img.At(0, 0).RGBA()
			return r == 0xffff && g == 0 && b == 0x1010
		}},
	} {
		img, dpi, err := Decode(tc.data, MaxPixels)
		if err != nil || dpi != 0 || !tc.at(img) {
			t.Errorf("%s: %v dpi %v", tc.name, err, dpi)
		}
	}
	for _, bad := range []string{"P5\n3 1\n255\n\x00", "P5\n3", "P6\n0 0 255\n", "P5\n2 1 0\n\x00\x00"} {
		if _, _, err := Decode([]byte(bad), MaxPixels); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, _, err := Decode([]byte("P5\n99999 99999 255\n"), MaxPixels); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge PNM: %v", err)
	}
}

func gray(img image.Image, x, y int) uint8 {
	return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
}

func TestCorrupt(t *testing.T) {
	var p bytes.Buffer
	EncodePNG(&p, sample(), 300)
	cases := map[string][]byte{
		"truncated": p.Bytes()[:60],
		"jpeg head": {0xFF, 0xD8, 0xFF, 0xE0, 0, 4},
		"tiff head": []byte("II*\x00\xff\xff\xff\xff"),
	}
	for name, b := range cases {
		if _, _, err := Decode(b, MaxPixels); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
	for _, b := range [][]byte{nil, []byte("hello"), []byte("%PDF-1.7")} {
		if _, _, err := Decode(b, MaxPixels); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%q: %v, want ErrUnknownFormat", b, err)
		}
	}
	// A header declaring a huge image is refused before decoding.
	huge := append([]byte(nil), p.Bytes()...)
	copy(huge[16:24], []byte{0, 1, 0, 0, 0, 1, 0, 0}) // 65536 × 65536
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	if _, _, err := Decode(huge, MaxPixels); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge image: %v", err)
	}
	// So is an image over the caller's limit.
	if _, _, err := Decode(p.Bytes(), 40*30-1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("image over the limit: %v", err)
	}
}

// withTIFFResolution rewrites a little-endian TIFF from x/image/tiff so its first IFD says
// dpi dots per inch: it appends a new IFD with XResolution and ResolutionUnit entries.
func withTIFFResolution(data []byte, dpi int) []byte {
	bo := binary.LittleEndian
	off := bo.Uint32(data[4:])
	n := int(bo.Uint16(data[off:]))
	entries := data[off+2 : off+2+uint32(12*n)]
	out := append([]byte{}, data...)
	rat := uint32(len(out))
	out = bo.AppendUint32(out, uint32(dpi))
	out = bo.AppendUint32(out, 1)
	ifd := uint32(len(out))
	var list [][]byte
	for i := 0; i < n; i++ {
		e := entries[12*i : 12*i+12]
		if tag := bo.Uint16(e); tag != 282 && tag != 296 {
			list = append(list, e)
		}
	}
	x := make([]byte, 12)
	bo.PutUint16(x, 282)
	bo.PutUint16(x[2:], 5)
	bo.PutUint32(x[4:], 1)
	bo.PutUint32(x[8:], rat)
	u := make([]byte, 12)
	bo.PutUint16(u, 296)
	bo.PutUint16(u[2:], 3)
	bo.PutUint32(u[4:], 1)
	bo.PutUint16(u[8:], 2)
	list = append(list, x, u)
	// TIFF wants entries sorted by tag.
	for i := range list {
		for j := i + 1; j < len(list); j++ {
			if bo.Uint16(list[j]) < bo.Uint16(list[i]) {
				list[i], list[j] = list[j], list[i]
			}
		}
	}
	out = bo.AppendUint16(out, uint16(len(list)))
	for _, e := range list {
		out = append(out, e...)
	}
	out = bo.AppendUint32(out, 0)
	bo.PutUint32(out[4:], ifd)
	return out
}

// FuzzDecode feeds Decode what a scanner, scanimage or a person's file might hold. It must never
// panic, fail only with its own errors, and never return an image over the pixel limit.
func FuzzDecode(f *testing.F) {
	var p, j, t bytes.Buffer
	EncodePNG(&p, sample(), 300)
	EncodeJPEG(&j, sample(), 200, 80)
	tiff.Encode(&t, sample(), nil)
	f.Add(p.Bytes())
	f.Add(j.Bytes())
	f.Add(tiffBytes())
	f.Add(withTIFFResolution(t.Bytes(), 300))
	f.Add([]byte("P4\n10 2\n\x80\x40\x00\x00"))
	f.Add([]byte("P5\n2 1\n65535\n\x12\x34\xff\xff"))
	f.Add([]byte("P6 1 1 255\n\xff\x00\x10"))
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\x00\x01\x01\x1a\x00\x05\x00\x00\x00\x01\xff\xff\xff\xff"))
	const limit = 1 << 16
	f.Fuzz(func(t *testing.T, b []byte) {
		img, dpi, err := Decode(b, limit)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnknownFormat) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("foreign error: %v", err)
			}
			return
		}
		if img == nil || dpi < 0 {
			t.Fatal("nil image or negative dpi without error")
		}
		r := img.Bounds()
		if r.Empty() || r.Dx()*r.Dy() > limit {
			t.Fatalf("bounds %v over the limit", r)
		}
	})
}
