package escpossim

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"path/filepath"

	"github.com/tramso/tramso/internal/atomicfile"
)

// paper is the strip of paper printed since the last cut: one bit per dot, rows growing
// downward. Its length is the number of dot rows fed so far.
type paper struct {
	width  int // dots per row
	stride int // bytes per row
	rows   int
	bits   []byte
}

func newPaper(width int) *paper {
	return &paper{width: width, stride: (width + 7) / 8}
}

// extend makes the strip rows long (never shorter).
func (p *paper) extend(rows int) {
	if rows <= p.rows {
		return
	}
	need := rows * p.stride
	if need > cap(p.bits) {
		c := 2 * cap(p.bits)
		if c < need {
			c = need
		}
		nb := make([]byte, len(p.bits), c)
		copy(nb, p.bits)
		p.bits = nb
	}
	p.bits = p.bits[:need]
	p.rows = rows
}

// set blackens the dot at (x, y) if it is on the strip.
func (p *paper) set(x, y int) {
	if x < 0 || x >= p.width || y < 0 || y >= p.rows {
		return
	}
	p.bits[y*p.stride+x/8] |= 0x80 >> (x % 8)
}

// blit draws bm with its top-left corner at (x, y), clipped to the strip and to rows < limit.
func (p *paper) blit(bm *bitmap, x, y, limit int) {
	for by := 0; by < bm.h; by++ {
		py := y + by
		if py >= limit {
			return
		}
		row := bm.pix[by*bm.w : (by+1)*bm.w]
		for bx, v := range row {
			if v != 0 {
				p.set(x+bx, py)
			}
		}
	}
}

// image returns the strip as a greyscale image: white paper, black dots.
func (p *paper) image() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, p.width, p.rows))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	for y := 0; y < p.rows; y++ {
		row := p.bits[y*p.stride : (y+1)*p.stride]
		for bx, b := range row {
			if b == 0 {
				continue
			}
			for bit := 0; bit < 8; bit++ {
				x := bx*8 + bit
				if b&(0x80>>bit) != 0 && x < p.width {
					img.Pix[y*img.Stride+x] = 0
				}
			}
		}
	}
	return img
}

// bitmap is a small one-byte-per-dot image (0 = white, 1 = black) used for glyph cells, raster
// rows and symbols before they are placed on the paper.
type bitmap struct {
	w, h int
	pix  []byte
}

func newBitmap(w, h int) *bitmap {
	if w < 0 {
		w = 0
	}
	if h < 0 {
		h = 0
	}
	return &bitmap{w: w, h: h, pix: make([]byte, w*h)}
}

func (b *bitmap) set(x, y int) {
	if x >= 0 && x < b.w && y >= 0 && y < b.h {
		b.pix[y*b.w+x] = 1
	}
}

func (b *bitmap) at(x, y int) bool {
	return x >= 0 && x < b.w && y >= 0 && y < b.h && b.pix[y*b.w+x] != 0
}

// scaled returns b enlarged sx times across and sy times down (nearest neighbour, as printers
// enlarge their ROM fonts).
func (b *bitmap) scaled(sx, sy int) *bitmap {
	if sx == 1 && sy == 1 {
		return b
	}
	out := newBitmap(b.w*sx, b.h*sy)
	for y := 0; y < out.h; y++ {
		for x := 0; x < out.w; x++ {
			out.pix[y*out.w+x] = b.pix[(y/sy)*b.w+x/sx]
		}
	}
	return out
}

// bwPalette is the two-colour palette receipts are written with: index 0 white, 1 black.
var bwPalette = color.Palette{color.Gray{Y: 0xFF}, color.Gray{Y: 0}}

// encodePNG encodes a receipt image as a 1-bit PNG.
func encodePNG(img *image.Gray) ([]byte, error) {
	pal := image.NewPaletted(img.Rect, bwPalette)
	for i, v := range img.Pix {
		if v < 0x80 {
			pal.Pix[i] = 1
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, pal); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writePNG writes img to dir/name atomically (temporary file, then rename).
func writePNG(dir, name string, img *image.Gray) (string, error) {
	data, err := encodePNG(img)
	if err != nil {
		return "", fmt.Errorf("không mã hóa được ảnh hóa đơn (cannot encode receipt image): %w", err)
	}
	path := filepath.Join(dir, name)
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return "", fmt.Errorf("không ghi được ảnh hóa đơn (cannot write receipt image): %w", err)
	}
	return path, nil
}
