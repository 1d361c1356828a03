package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"testing"

	"github.com/tramso/tramso/drivers/imagefile"
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

// The decoders themselves are tested in drivers/imagefile; these tests hold DecodePage's own
// contract: the fallback resolution, whole dpi, and errors that wrap ErrBadImage.

func TestDecodePageErrors(t *testing.T) {
	var buf bytes.Buffer
	jpeg.Encode(&buf, testImage(), nil)
	for name, c := range map[string]struct {
		data  []byte
		limit int
		why   error
	}{
		"over the pixel limit": {buf.Bytes(), 50, imagefile.ErrTooLarge},
		"pdf":                  {[]byte("%PDF-1.7"), MaxPagePixels, imagefile.ErrUnknownFormat},
		"truncated pnm":        {[]byte("P5\n3 1\n255\n\x00"), MaxPagePixels, imagefile.ErrCorrupt},
	} {
		_, _, err := DecodePage(c.data, 0, c.limit)
		if !errors.Is(err, ErrBadImage) || !errors.Is(err, c.why) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDecodePageDPI(t *testing.T) {
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	if _, dpi, err := DecodePage(buf.Bytes(), 150, MaxPagePixels); err != nil || dpi != 72 {
		t.Errorf("tiff as x/image writes it (72 dpi): dpi %d, %v", dpi, err)
	}
	if _, dpi, err := DecodePage([]byte("P5\n3 1\n255\n\x00\x80\xff"), 150, MaxPagePixels); err != nil || dpi != 150 {
		t.Errorf("pnm: dpi %d, %v", dpi, err)
	}
	buf.Reset()
	imagefile.EncodePNG(&buf, testImage(), 299.6)
	if _, dpi, err := DecodePage(buf.Bytes(), 72, MaxPagePixels); err != nil || dpi != 300 {
		t.Errorf("png at 299.6 dpi: dpi %d, %v", dpi, err)
	}
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
	f.Add(buf.Bytes())
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
