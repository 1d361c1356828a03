package escpos

import (
	"image"
	"image/color"
)

// Bitmap is a 1-bit image as a thermal printer prints it: true = a black dot.
type Bitmap struct {
	W, H int
	Pix  []bool // row-major
}

// NewBitmap returns a white bitmap.
func NewBitmap(w, h int) *Bitmap { return &Bitmap{W: w, H: h, Pix: make([]bool, w*h)} }

// At reports whether the dot at x, y is black (false outside the bitmap).
func (b *Bitmap) At(x, y int) bool {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return false
	}
	return b.Pix[y*b.W+x]
}

// Set paints the dot at x, y (ignored outside the bitmap).
func (b *Bitmap) Set(x, y int, black bool) {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return
	}
	b.Pix[y*b.W+x] = black
}

// Threshold converts an image to a bitmap: a dot is black where the luminance is below level
// (0…255). Thresholding, not dithering, keeps text and QR codes crisp.
func Threshold(img image.Image, level uint8) *Bitmap {
	r := img.Bounds()
	b := NewBitmap(r.Dx(), r.Dy())
	if g, ok := img.(*image.Gray); ok {
		for y := 0; y < b.H; y++ {
			row := g.Pix[(y+r.Min.Y-g.Rect.Min.Y)*g.Stride+(r.Min.X-g.Rect.Min.X):]
			for x := 0; x < b.W; x++ {
				b.Pix[y*b.W+x] = row[x] < level
			}
		}
		return b
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			g := color.GrayModel.Convert(img.At(x, y)).(color.Gray)
			_, _, _, a := img.At(x, y).RGBA()
			if a > 0x8000 && g.Y < level {
				b.Pix[(y-r.Min.Y)*b.W+(x-r.Min.X)] = true
			}
		}
	}
	return b
}

// InkBounds returns the smallest rectangle holding every black dot; empty when the bitmap is blank.
func (b *Bitmap) InkBounds() image.Rectangle {
	minX, minY, maxX, maxY := b.W, b.H, -1, -1
	for y := 0; y < b.H; y++ {
		row := b.Pix[y*b.W : (y+1)*b.W]
		for x, v := range row {
			if v {
				minX, maxX = min(minX, x), max(maxX, x)
				minY, maxY = min(minY, y), max(maxY, y)
			}
		}
	}
	if maxX < 0 {
		return image.Rectangle{}
	}
	return image.Rect(minX, minY, maxX+1, maxY+1)
}

// Sub returns a copy of the part of b inside r.
func (b *Bitmap) Sub(r image.Rectangle) *Bitmap {
	r = r.Intersect(image.Rect(0, 0, b.W, b.H))
	out := NewBitmap(r.Dx(), r.Dy())
	for y := 0; y < out.H; y++ {
		copy(out.Pix[y*out.W:(y+1)*out.W], b.Pix[(y+r.Min.Y)*b.W+r.Min.X:(y+r.Min.Y)*b.W+r.Max.X])
	}
	return out
}

// Invert returns b with black and white swapped (reverse video).
func (b *Bitmap) Invert() *Bitmap {
	out := NewBitmap(b.W, b.H)
	for i, v := range b.Pix {
		out.Pix[i] = !v
	}
	return out
}

// Pack returns the rows y0…y1-1 in GS v 0 layout: ceil(W/8) bytes per row, MSB = leftmost dot,
// 1 = black, each row padded with white on the right.
func (b *Bitmap) Pack(y0, y1 int) (widthBytes int, data []byte) {
	widthBytes = (b.W + 7) / 8
	data = make([]byte, widthBytes*(y1-y0))
	for y := y0; y < y1; y++ {
		row := data[(y-y0)*widthBytes:]
		for x := 0; x < b.W; x++ {
			if b.Pix[y*b.W+x] {
				row[x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return widthBytes, data
}

// Image returns the bitmap as a paletted image (white paper, black dots), for previews and tests.
func (b *Bitmap) Image() *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, b.W, b.H), color.Palette{color.White, color.Black})
	for i, v := range b.Pix {
		if v {
			img.Pix[i] = 1
		}
	}
	return img
}
