// Package imagefile reads and writes page image files (PNG, JPEG, TIFF, and the PNM that
// scanimage writes) together with their resolution in dots per inch: PNG pHYs, JFIF density, TIFF
// XResolution. Scanner drivers use it for the pages devices send, the OCR pipeline for the files
// it is given; the resolution sizes pages and tells Tesseract the scale of the text.
package imagefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"strconv"

	"golang.org/x/image/tiff"
)

// Format names the container of an image file.
type Format string

// Formats Decode reads.
const (
	PNG  Format = "png"
	JPEG Format = "jpeg"
	TIFF Format = "tiff"
	PNM  Format = "pnm" // binary P4 (bitmap), P5 (grey), P6 (RGB)
)

// MaxPixels is a page size limit for image files people bring (A3 at 600 dpi is about 70
// megapixels); scanner drivers pass their own, larger limit to Decode.
const MaxPixels = 80_000_000

// Errors returned by Decode, to be tested with errors.Is.
var (
	ErrUnknownFormat = errors.New("định dạng ảnh không hỗ trợ (unsupported image format)")
	ErrTooLarge      = errors.New("ảnh quá lớn (image too large)")
	ErrCorrupt       = errors.New("tệp ảnh bị hỏng (corrupt image file)")
)

// Sniff tells the format from the first bytes of a file.
func Sniff(b []byte) (Format, bool) {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, true
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, true
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return TIFF, true
	case len(b) >= 2 && b[0] == 'P' && (b[1] == '4' || b[1] == '5' || b[1] == '6'):
		return PNM, true
	}
	return "", false
}

// Decode decodes a PNG, JPEG, TIFF (first page) or PNM image and returns it with the resolution
// the file records, in dpi (0 when it records none). Images with more than maxPixels pixels are
// refused from their header, before pixel memory is allocated.
func Decode(b []byte, maxPixels int) (img image.Image, dpi float64, err error) {
	f, ok := Sniff(b)
	if !ok {
		return nil, 0, ErrUnknownFormat
	}
	if f == PNM {
		img, err = decodePNM(b, maxPixels)
		return img, 0, err
	}
	var cfg image.Config
	switch f {
	case PNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(b))
	case JPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(b))
	case TIFF:
		cfg, err = tiffConfig(b)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %w", ErrCorrupt, f, err)
	}
	if err := checkSize(cfg.Width, cfg.Height, maxPixels); err != nil {
		return nil, 0, err
	}
	switch f {
	case PNG:
		img, err = png.Decode(bytes.NewReader(b))
		dpi = pngDPI(b)
	case JPEG:
		img, err = jpeg.Decode(bytes.NewReader(b))
		dpi = jpegDPI(b)
	case TIFF:
		img, err = tiffDecode(b)
		dpi = tiffDPI(b)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %w", ErrCorrupt, f, err)
	}
	return img, dpi, nil
}

func checkSize(w, h, maxPixels int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: empty image %d×%d", ErrCorrupt, w, h)
	}
	if int64(w)*int64(h) > int64(maxPixels) {
		return fmt.Errorf("%w: %d×%d", ErrTooLarge, w, h)
	}
	return nil
}

// The TIFF decoder can panic on some malformed files; these turn that into an error.

func tiffConfig(b []byte) (cfg image.Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("tiff: %v", r)
		}
	}()
	return tiff.DecodeConfig(bytes.NewReader(b))
}

func tiffDecode(b []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("tiff: %v", r)
		}
	}()
	return tiff.Decode(bytes.NewReader(b))
}

// plausibleDPI rounds a resolution to a tenth of a dot per inch, or gives 0 when it is not one a
// page could have.
func plausibleDPI(d float64) float64 {
	if !(d >= 1 && d <= 100000) {
		return 0
	}
	return math.Round(d*10) / 10
}

// pngDPI reads the pHYs chunk (pixels per metre), which must come before the image data.
func pngDPI(b []byte) float64 {
	p := b[8:]
	for len(p) >= 12 {
		n := binary.BigEndian.Uint32(p)
		if uint64(n)+12 > uint64(len(p)) {
			return 0
		}
		switch string(p[4:8]) {
		case "pHYs":
			if n != 9 || p[16] != 1 { // unit 1 = metre
				return 0
			}
			return plausibleDPI(float64(binary.BigEndian.Uint32(p[8:])) * 0.0254)
		case "IDAT", "IEND":
			return 0
		}
		p = p[12+n:]
	}
	return 0
}

// jpegDPI reads the density of the JFIF APP0 segment, looking through the segments before the
// image data.
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
				return plausibleDPI(x)
			case 2:
				return plausibleDPI(x * 2.54)
			}
			return 0
		}
		if marker == 0xDA { // start of scan
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
	var bo binary.ByteOrder = binary.BigEndian
	if b[0] == 'I' {
		bo = binary.LittleEndian
	}
	off := uint64(bo.Uint32(b[4:]))
	if off+2 > uint64(len(b)) {
		return 0
	}
	n := uint64(bo.Uint16(b[off:]))
	unit := uint16(2) // inch, the TIFF default
	var res float64
	for i := uint64(0); i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > uint64(len(b)) {
			return 0
		}
		tag, typ := bo.Uint16(b[e:]), bo.Uint16(b[e+2:])
		switch {
		case tag == 282 && typ == 5: // XResolution, RATIONAL
			v := uint64(bo.Uint32(b[e+8:]))
			if v+8 > uint64(len(b)) {
				return 0
			}
			num, den := bo.Uint32(b[v:]), bo.Uint32(b[v+4:])
			if den == 0 {
				return 0
			}
			res = float64(num) / float64(den)
		case tag == 296 && typ == 3: // ResolutionUnit, SHORT
			unit = bo.Uint16(b[e+8:])
		}
	}
	switch unit {
	case 2:
		return plausibleDPI(res)
	case 3:
		return plausibleDPI(res * 2.54)
	}
	return 0
}

// decodePNM decodes the binary portable anymaps scanimage writes: P4 (bitmap, 1 is black), P5
// (grey) and P6 (RGB), 8 or 16 bits per sample. They carry no resolution.
func decodePNM(data []byte, maxPixels int) (image.Image, error) {
	kind := data[1]
	p := data[2:]
	var vals [3]int
	need := 3
	if kind == '4' {
		need = 2
	}
	for i := 0; i < need; i++ {
		// Skip white space and comments.
		for {
			for len(p) > 0 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\n' || p[0] == '\r') {
				p = p[1:]
			}
			if len(p) > 0 && p[0] == '#' {
				j := bytes.IndexByte(p, '\n')
				if j < 0 {
					return nil, fmt.Errorf("%w: PNM: truncated header", ErrCorrupt)
				}
				p = p[j+1:]
				continue
			}
			break
		}
		j := 0
		for j < len(p) && j < 10 && p[j] >= '0' && p[j] <= '9' {
			j++
		}
		v, err := strconv.Atoi(string(p[:j]))
		if err != nil {
			return nil, fmt.Errorf("%w: PNM: bad header", ErrCorrupt)
		}
		vals[i] = v
		p = p[j:]
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("%w: PNM: truncated header", ErrCorrupt)
	}
	p = p[1:] // the single white-space byte before the raster
	w, h, maxval := vals[0], vals[1], vals[2]
	if err := checkSize(w, h, maxPixels); err != nil {
		return nil, err
	}
	r := image.Rect(0, 0, w, h)
	truncated := fmt.Errorf("%w: PNM: truncated raster", ErrCorrupt)
	if kind == '4' {
		stride := (w + 7) / 8
		if len(p) < stride*h {
			return nil, truncated
		}
		img := image.NewGray(r)
		for y := 0; y < h; y++ {
			row := p[y*stride:]
			for x := 0; x < w; x++ {
				if row[x/8]&(0x80>>(x%8)) == 0 {
					img.Pix[y*img.Stride+x] = 0xff
				}
			}
		}
		return img, nil
	}
	if maxval < 1 || maxval > 65535 {
		return nil, fmt.Errorf("%w: PNM: maxval %d", ErrCorrupt, maxval)
	}
	ch := 1
	if kind == '6' {
		ch = 3
	}
	bps := 1
	if maxval > 255 {
		bps = 2
	}
	if len(p) < w*h*ch*bps {
		return nil, truncated
	}
	sample := func(i int) uint16 {
		var v uint32
		if bps == 1 {
			v = uint32(p[i])
		} else {
			v = uint32(p[2*i])<<8 | uint32(p[2*i+1])
		}
		v = min(v, uint32(maxval))
		return uint16(v * 65535 / uint32(maxval))
	}
	switch {
	case ch == 1 && bps == 2:
		img := image.NewGray16(r)
		for i := 0; i < w*h; i++ {
			img.SetGray16(i%w, i/w, color.Gray16{Y: sample(i)})
		}
		return img, nil
	case ch == 1:
		img := image.NewGray(r)
		for i := 0; i < w*h; i++ {
			img.Pix[(i/w)*img.Stride+i%w] = uint8(sample(i) >> 8)
		}
		return img, nil
	case bps == 2:
		img := image.NewRGBA64(r)
		for i := 0; i < w*h; i++ {
			img.SetRGBA64(i%w, i/w, color.RGBA64{R: sample(3 * i), G: sample(3*i + 1), B: sample(3*i + 2), A: 0xffff})
		}
		return img, nil
	}
	img := image.NewRGBA(r)
	for i := 0; i < w*h; i++ {
		o := (i/w)*img.Stride + (i%w)*4
		img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = uint8(sample(3*i)>>8), uint8(sample(3*i+1)>>8), uint8(sample(3*i+2)>>8), 0xff
	}
	return img, nil
}

// EncodePNG writes img as a PNG that records dpi in a pHYs chunk, so that OCR, PDF writers and
// image viewers know the page's physical size. dpi <= 0 records none.
func EncodePNG(w io.Writer, img image.Image, dpi float64) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	data := buf.Bytes()
	if dpi <= 0 {
		_, err := w.Write(data)
		return err
	}
	// IHDR comes first (8-byte signature, then 4+4+13+4 bytes); pHYs goes right after it, before
	// the image data.
	const ihdrEnd = 8 + 25
	ppm := uint32(math.Round(dpi / 0.0254))
	chunk := make([]byte, 0, 21)
	chunk = binary.BigEndian.AppendUint32(chunk, 9)
	chunk = append(chunk, "pHYs"...)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = append(chunk, 1) // metre
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	for _, part := range [][]byte{data[:ihdrEnd], chunk, data[ihdrEnd:]} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// EncodeJPEG writes img as a baseline JPEG of the given quality (1–100) with a JFIF header
// recording dpi; dpi <= 0 records only the aspect ratio.
func EncodeJPEG(w io.Writer, img image.Image, dpi float64, quality int) error {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return err
	}
	b := buf.Bytes()
	unit, d := byte(1), uint16(min(math.Round(dpi), 65535))
	if dpi <= 0 {
		unit, d = 0, 1
	}
	app0 := []byte{0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, unit, byte(d >> 8), byte(d), byte(d >> 8), byte(d), 0, 0}
	for _, part := range [][]byte{b[:2], app0, b[2:]} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}
