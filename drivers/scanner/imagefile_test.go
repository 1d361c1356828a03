package scanner

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"golang.org/x/image/tiff"
)

func testImage() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 13, 7))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	return img
}

func TestPNGKeepsDPI(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodePNG(&buf, testImage(), 300); err != nil {
		t.Fatal(err)
	}
	img, dpi, err := DecodePage(buf.Bytes(), 0, MaxPagePixels)
	if err != nil || dpi != 300 {
		t.Fatalf("dpi %d, %v", dpi, err)
	}
	if g := img.(*image.Gray); !bytes.Equal(g.Pix, testImage().Pix) {
		t.Error("pixels changed")
	}
	// Without pHYs the fallback is used.
	buf.Reset()
	EncodePNG(&buf, testImage(), 0)
	if _, dpi, _ := DecodePage(buf.Bytes(), 123, MaxPagePixels); dpi != 123 {
		t.Errorf("fallback dpi %d", dpi)
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
		img, dpi, err := DecodePage(tc.data, 150, MaxPagePixels)
		if err != nil || dpi != 150 || !tc.at(img) {
			t.Errorf("%s: %v dpi %d", tc.name, err, dpi)
		}
	}
	for _, bad := range []string{"P5\n3 1\n255\n\x00", "P5\n3", "P6\n0 0 255\n", "P5\n99999 99999 255\n", "P5\n2 1 0\n\x00\x00"} {
		if _, _, err := DecodePage([]byte(bad), 150, MaxPagePixels); !errors.Is(err, ErrBadImage) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func gray(img image.Image, x, y int) uint8 {
	return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
}

func TestTIFFAndJPEGDPI(t *testing.T) {
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	data := withTIFFResolution(buf.Bytes(), 400)
	img, dpi, err := DecodePage(data, 0, MaxPagePixels)
	if err != nil || dpi != 400 || img.Bounds().Dx() != 13 {
		t.Fatalf("tiff: dpi %d, %v", dpi, err)
	}

	buf.Reset()
	jpeg.Encode(&buf, testImage(), nil)
	j := buf.Bytes()
	app0 := []byte{0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1, 0, 200, 0, 200, 0, 0}
	j = append(append(append([]byte{}, j[:2]...), app0...), j[2:]...)
	if _, dpi, err := DecodePage(j, 0, MaxPagePixels); err != nil || dpi != 200 {
		t.Fatalf("jpeg: dpi %d, %v", dpi, err)
	}
	if _, _, err := DecodePage(j, 0, 50); !errors.Is(err, ErrBadImage) {
		t.Errorf("image over the pixel limit: %v", err)
	}
	if _, _, err := DecodePage([]byte("%PDF-1.7"), 0, MaxPagePixels); !errors.Is(err, ErrBadImage) {
		t.Errorf("pdf: %v", err)
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

// FuzzDecodePage feeds DecodePage what a scanner or scanimage might send. It must never
// panic, and never return an image over the pixel limit.
func FuzzDecodePage(f *testing.F) {
	var buf bytes.Buffer
	EncodePNG(&buf, testImage(), 300)
	f.Add(buf.Bytes())
	buf.Reset()
	jpeg.Encode(&buf, testImage(), nil)
	f.Add(buf.Bytes())
	buf.Reset()
	tiff.Encode(&buf, testImage(), nil)
	f.Add(withTIFFResolution(buf.Bytes(), 300))
	f.Add([]byte("P4\n10 2\n\x80\x40\x00\x00"))
	f.Add([]byte("P5\n2 1\n65535\n\x12\x34\xff\xff"))
	f.Add([]byte("P6 1 1 255\n\xff\x00\x10"))
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\x00\x01\x01\x1a\x00\x05\x00\x00\x00\x01\xff\xff\xff\xff"))
	const limit = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		img, dpi, err := DecodePage(data, 72, limit)
		if err != nil {
			if !errors.Is(err, ErrBadImage) {
				t.Fatalf("error not ErrBadImage: %v", err)
			}
			return
		}
		b := img.Bounds()
		if b.Dx()*b.Dy() > limit || b.Empty() || dpi <= 0 {
			t.Fatal(fmt.Sprint(b, dpi))
		}
	})
}
