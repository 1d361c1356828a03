package scanner

import (
	"bytes"
	"encoding/binary"
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

// MaxPagePixels bounds the size of a page image a device may send: an A3 sheet at 1200 dpi
// is about 280 million pixels; anything larger is refused before it is decoded.
const MaxPagePixels = 300_000_000

// DecodePage decodes a scanned page in PNG, JPEG, TIFF or PNM (the formats scanimage and
// eSCL devices write) and returns it with the resolution recorded in the file (PNG pHYs,
// JFIF density, TIFF XResolution); when the file records none, dpi is fallbackDPI.
// Images with more than maxPixels pixels are refused.
func DecodePage(data []byte, fallbackDPI, maxPixels int) (img image.Image, dpi int, err error) {
	dpi = fallbackDPI
	var cfg image.Config
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		if cfg, err = png.DecodeConfig(bytes.NewReader(data)); err == nil {
			if err = checkSize(cfg.Width, cfg.Height, maxPixels); err == nil {
				img, err = png.Decode(bytes.NewReader(data))
			}
		}
		if d := pngDPI(data); d > 0 {
			dpi = d
		}
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		if cfg, err = jpeg.DecodeConfig(bytes.NewReader(data)); err == nil {
			if err = checkSize(cfg.Width, cfg.Height, maxPixels); err == nil {
				img, err = jpeg.Decode(bytes.NewReader(data))
			}
		}
		if d := jfifDPI(data); d > 0 {
			dpi = d
		}
	case bytes.HasPrefix(data, []byte("II*\x00")) || bytes.HasPrefix(data, []byte("MM\x00*")):
		if cfg, err = tiff.DecodeConfig(bytes.NewReader(data)); err == nil {
			if err = checkSize(cfg.Width, cfg.Height, maxPixels); err == nil {
				img, err = tiff.Decode(bytes.NewReader(data))
			}
		}
		if d := tiffDPI(data); d > 0 {
			dpi = d
		}
	case len(data) >= 2 && data[0] == 'P' && (data[1] == '4' || data[1] == '5' || data[1] == '6'):
		img, err = decodePNM(data, maxPixels)
	default:
		err = fmt.Errorf("định dạng ảnh không biết (unknown image format)")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrBadImage, err)
	}
	return img, dpi, nil
}

func checkSize(w, h, maxPixels int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("ảnh rỗng (empty image) %d×%d", w, h)
	}
	if int64(w)*int64(h) > int64(maxPixels) {
		return fmt.Errorf("ảnh quá lớn (image too large) %d×%d", w, h)
	}
	return nil
}

// pngDPI reads the pHYs chunk (pixels per metre) of a PNG file; 0 when absent.
func pngDPI(data []byte) int {
	p := data[8:]
	for len(p) >= 12 {
		n := binary.BigEndian.Uint32(p)
		typ := string(p[4:8])
		if uint64(n)+12 > uint64(len(p)) {
			return 0
		}
		switch typ {
		case "pHYs":
			if n != 9 || p[16] != 1 { // unit 1 = metre
				return 0
			}
			return perMetreToDPI(binary.BigEndian.Uint32(p[8:12]))
		case "IDAT", "IEND":
			return 0 // pHYs must come before the image data
		}
		p = p[12+n:]
	}
	return 0
}

func perMetreToDPI(ppm uint32) int {
	d := math.Round(float64(ppm) * 0.0254)
	if d < 1 || d > 100000 {
		return 0
	}
	return int(d)
}

// EncodePNG writes img as a PNG file that records dpi in its pHYs chunk, so that OCR, PDF
// writers and image viewers know the page's physical size. dpi <= 0 records none.
func EncodePNG(w io.Writer, img image.Image, dpi int) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	data := buf.Bytes()
	if dpi <= 0 {
		_, err := w.Write(data)
		return err
	}
	// The IHDR chunk (8-byte signature, then 4+4+13+4 bytes) comes first; pHYs goes right
	// after it, before the image data.
	const ihdrEnd = 8 + 25
	body := make([]byte, 9)
	ppm := uint32(math.Round(float64(dpi) / 0.0254))
	binary.BigEndian.PutUint32(body[0:], ppm)
	binary.BigEndian.PutUint32(body[4:], ppm)
	body[8] = 1 // metre
	chunk := make([]byte, 0, 21)
	chunk = binary.BigEndian.AppendUint32(chunk, uint32(len(body)))
	chunk = append(chunk, "pHYs"...)
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	for _, part := range [][]byte{data[:ihdrEnd], chunk, data[ihdrEnd:]} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// jfifDPI reads the density of a JFIF APP0 segment; 0 when absent or not in dots per inch/cm.
func jfifDPI(data []byte) int {
	if len(data) < 20 || data[2] != 0xff || data[3] != 0xe0 || string(data[6:11]) != "JFIF\x00" {
		return 0
	}
	x := int(binary.BigEndian.Uint16(data[14:16]))
	switch data[13] {
	case 1:
		return x
	case 2:
		return int(math.Round(float64(x) * 2.54))
	}
	return 0
}

// tiffDPI reads XResolution and ResolutionUnit from the first IFD of a TIFF file; 0 when
// absent or malformed.
func tiffDPI(data []byte) int {
	if len(data) < 8 {
		return 0
	}
	var bo binary.ByteOrder = binary.BigEndian
	if data[0] == 'I' {
		bo = binary.LittleEndian
	}
	off := uint64(bo.Uint32(data[4:8]))
	if off+2 > uint64(len(data)) {
		return 0
	}
	n := uint64(bo.Uint16(data[off:]))
	unit := uint16(2) // inch, the TIFF default
	var xres float64
	for i := uint64(0); i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > uint64(len(data)) {
			return 0
		}
		tag, typ := bo.Uint16(data[e:]), bo.Uint16(data[e+2:])
		switch {
		case tag == 282 && typ == 5: // XResolution, RATIONAL
			v := uint64(bo.Uint32(data[e+8:]))
			if v+8 > uint64(len(data)) {
				return 0
			}
			num, den := bo.Uint32(data[v:]), bo.Uint32(data[v+4:])
			if den == 0 {
				return 0
			}
			xres = float64(num) / float64(den)
		case tag == 296 && typ == 3: // ResolutionUnit, SHORT
			unit = bo.Uint16(data[e+8:])
		}
	}
	switch unit {
	case 2:
	case 3:
		xres *= 2.54
	default:
		return 0
	}
	if xres < 1 || xres > 100000 {
		return 0
	}
	return int(math.Round(xres))
}

// decodePNM decodes the binary portable anymap formats scanimage writes: P4 (bitmap, 1 is
// black), P5 (grey) and P6 (RGB), 8 or 16 bits per sample.
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
					return nil, fmt.Errorf("PNM: đầu tệp cụt (truncated header)")
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
			return nil, fmt.Errorf("PNM: đầu tệp sai (bad header)")
		}
		vals[i] = v
		p = p[j:]
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("PNM: đầu tệp cụt (truncated header)")
	}
	p = p[1:] // the single white-space byte before the raster
	w, h, maxval := vals[0], vals[1], vals[2]
	if err := checkSize(w, h, maxPixels); err != nil {
		return nil, err
	}
	r := image.Rect(0, 0, w, h)
	switch kind {
	case '4':
		stride := (w + 7) / 8
		if len(p) < stride*h {
			return nil, fmt.Errorf("PNM: dữ liệu cụt (truncated raster)")
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
		return nil, fmt.Errorf("PNM: maxval %d", maxval)
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
		return nil, fmt.Errorf("PNM: dữ liệu cụt (truncated raster)")
	}
	sample := func(i int) uint16 {
		var v uint32
		if bps == 1 {
			v = uint32(p[i])
		} else {
			v = uint32(p[2*i])<<8 | uint32(p[2*i+1])
		}
		if v > uint32(maxval) {
			v = uint32(maxval)
		}
		return uint16(v * 65535 / uint32(maxval))
	}
	if ch == 1 {
		if bps == 2 {
			img := image.NewGray16(r)
			for i := 0; i < w*h; i++ {
				img.SetGray16(i%w, i/w, color.Gray16{Y: sample(i)})
			}
			return img, nil
		}
		img := image.NewGray(r)
		for i := 0; i < w*h; i++ {
			img.Pix[(i/w)*img.Stride+i%w] = uint8(sample(i) >> 8)
		}
		return img, nil
	}
	if bps == 2 {
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
