// Package imgfile reads and writes scanned page images (PNG, JPEG, TIFF) together with their
// resolution in dots per inch, which the OCR pipeline needs to size pages and to tell Tesseract.
package imgfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/tiff"
)

// Format names the container of an image file.
type Format string

// Formats the package reads.
const (
	PNG  Format = "png"
	JPEG Format = "jpeg"
	TIFF Format = "tiff"
)

// MaxPixels bounds the decoded size of one page (A3 at 600 dpi is about 70 megapixels); larger or
// malformed headers are refused before any pixel memory is allocated.
const MaxPixels = 80_000_000

// ErrUnknownFormat reports bytes that are not a PNG, JPEG or TIFF image.
var ErrUnknownFormat = errors.New("định dạng ảnh không hỗ trợ (unsupported image format)")

// ErrTooLarge reports an image whose declared size exceeds MaxPixels.
var ErrTooLarge = errors.New("ảnh quá lớn (image too large)")

// ErrCorrupt reports an image file that could not be decoded.
var ErrCorrupt = errors.New("tệp ảnh bị hỏng (corrupt image file)")

// Sniff tells the format from the first bytes of a file.
func Sniff(b []byte) (Format, bool) {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, true
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, true
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return TIFF, true
	}
	return "", false
}

// Decode decodes a PNG, JPEG or TIFF image and returns it with its resolution in dpi (0 when the
// file does not say). For TIFF only the first page is read.
func Decode(b []byte) (img image.Image, dpi float64, err error) {
	f, ok := Sniff(b)
	if !ok {
		return nil, 0, ErrUnknownFormat
	}
	var cfg image.Config
	switch f {
	case PNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(b))
	case JPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(b))
	case TIFF:
		cfg, err = tiff.DecodeConfig(bytes.NewReader(b))
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %w", ErrCorrupt, f, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, 0, fmt.Errorf("%w: %s: kích thước 0 (zero size)", ErrCorrupt, f)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, 0, fmt.Errorf("%w: %dx%d", ErrTooLarge, cfg.Width, cfg.Height)
	}
	switch f {
	case PNG:
		img, err = png.Decode(bytes.NewReader(b))
		dpi = pngDPI(b)
	case JPEG:
		img, err = jpeg.Decode(bytes.NewReader(b))
		dpi = jpegDPI(b)
	case TIFF:
		img, err = decodeTIFF(b)
		dpi = tiffDPI(b)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %w", ErrCorrupt, f, err)
	}
	return img, dpi, nil
}

// decodeTIFF guards the TIFF decoder, which can panic on some malformed files.
func decodeTIFF(b []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("tiff: %v", r)
		}
	}()
	return tiff.Decode(bytes.NewReader(b))
}

// pngDPI reads the pHYs chunk (pixels per metre).
func pngDPI(b []byte) float64 {
	p := 8
	for p+8 <= len(b) {
		n := int(binary.BigEndian.Uint32(b[p:]))
		typ := string(b[p+4 : p+8])
		if n < 0 || p+12+n > len(b) {
			return 0
		}
		if typ == "pHYs" && n >= 9 {
			x := binary.BigEndian.Uint32(b[p+8:])
			if b[p+16] == 1 {
				return math.Round(float64(x)*0.0254*10) / 10
			}
			return 0
		}
		if typ == "IDAT" || typ == "IEND" {
			return 0
		}
		p += 12 + n
	}
	return 0
}

// jpegDPI reads the JFIF APP0 density.
func jpegDPI(b []byte) float64 {
	p := 2
	for p+4 <= len(b) && b[p] == 0xFF {
		marker := b[p+1]
		n := int(binary.BigEndian.Uint16(b[p+2:]))
		if n < 2 || p+2+n > len(b) {
			return 0
		}
		seg := b[p+4 : p+2+n]
		if marker == 0xE0 && len(seg) >= 12 && string(seg[:5]) == "JFIF\x00" {
			x := float64(binary.BigEndian.Uint16(seg[8:]))
			switch seg[7] {
			case 1:
				return x
			case 2:
				return math.Round(x*2.54*10) / 10
			}
			return 0
		}
		if marker == 0xDA {
			return 0
		}
		p += 2 + n
	}
	return 0
}

// tiffDPI reads XResolution and ResolutionUnit from the first IFD.
func tiffDPI(b []byte) float64 {
	if len(b) < 8 {
		return 0
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if b[0] == 'M' {
		bo = binary.BigEndian
	}
	off := int64(bo.Uint32(b[4:]))
	if off < 8 || off+2 > int64(len(b)) {
		return 0
	}
	n := int64(bo.Uint16(b[off:]))
	unit := uint16(2)
	var res float64
	for i := int64(0); i < n; i++ {
		e := off + 2 + i*12
		if e+12 > int64(len(b)) {
			break
		}
		tag := bo.Uint16(b[e:])
		typ := bo.Uint16(b[e+2:])
		switch {
		case tag == 296 && typ == 3:
			unit = bo.Uint16(b[e+8:])
		case tag == 282 && typ == 5:
			v := int64(bo.Uint32(b[e+8:]))
			if v < 0 || v+8 > int64(len(b)) {
				continue
			}
			num, den := bo.Uint32(b[v:]), bo.Uint32(b[v+4:])
			if den != 0 {
				res = float64(num) / float64(den)
			}
		}
	}
	switch unit {
	case 2:
		return math.Round(res*10) / 10
	case 3:
		return math.Round(res*2.54*10) / 10
	}
	return 0
}

// EncodePNG writes img as a PNG carrying dpi in a pHYs chunk.
func EncodePNG(w io.Writer, img image.Image, dpi float64) error {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return err
	}
	b := buf.Bytes()
	// IHDR is the first chunk: 8-byte signature + 4 length + 4 type + 13 data + 4 CRC.
	const afterIHDR = 8 + 25
	ppm := uint32(math.Round(dpi / 0.0254))
	chunk := make([]byte, 21)
	binary.BigEndian.PutUint32(chunk[0:], 9)
	copy(chunk[4:], "pHYs")
	binary.BigEndian.PutUint32(chunk[8:], ppm)
	binary.BigEndian.PutUint32(chunk[12:], ppm)
	chunk[16] = 1
	binary.BigEndian.PutUint32(chunk[17:], crc32.ChecksumIEEE(chunk[4:17]))
	if _, err := w.Write(b[:afterIHDR]); err != nil {
		return err
	}
	if _, err := w.Write(chunk); err != nil {
		return err
	}
	_, err := w.Write(b[afterIHDR:])
	return err
}

// EncodeJPEG writes img as a baseline JPEG with a JFIF header carrying dpi.
func EncodeJPEG(w io.Writer, img image.Image, dpi float64, quality int) error {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return err
	}
	b := buf.Bytes()
	d := uint16(math.Round(dpi))
	app0 := []byte{0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1, byte(d >> 8), byte(d), byte(d >> 8), byte(d), 0, 0}
	if _, err := w.Write(b[:2]); err != nil {
		return err
	}
	if _, err := w.Write(app0); err != nil {
		return err
	}
	_, err := w.Write(b[2:])
	return err
}
