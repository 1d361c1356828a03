package preprocess

import (
	"image"
	"image/color"
	"math"
)

// Gray converts img to 8-bit grayscale. Red and orange ink (stamps, seals, signatures in red) is
// mapped to its brightest channel so that it fades into the paper instead of covering the text
// under it. It also reports the fraction of pixels carrying other strong colour (photos, colour
// documents), which decides how the page image is stored.
func Gray(img image.Image) (g *image.Gray, colourFrac float64) {
	b := img.Bounds()
	g = image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	W, H := b.Dx(), b.Dy()
	var coloured int
	px := func(r, gg, bb uint8) uint8 {
		ri, gi, bi := int(r), int(gg), int(bb)
		if ri > gi+50 && ri > bi+50 {
			return r
		}
		mx, mn := max(ri, gi, bi), min(ri, gi, bi)
		if mx-mn > 60 {
			coloured++
		}
		return uint8((299*ri + 587*gi + 114*bi + 500) / 1000)
	}
	switch s := img.(type) {
	case *image.Gray:
		for y := 0; y < H; y++ {
			copy(g.Pix[y*g.Stride:y*g.Stride+W], s.Pix[(y)*s.Stride:(y)*s.Stride+W])
		}
		return g, 0
	case *image.RGBA:
		for y := 0; y < H; y++ {
			row := s.Pix[y*s.Stride:]
			out := g.Pix[y*g.Stride:]
			for x := 0; x < W; x++ {
				out[x] = px(row[4*x], row[4*x+1], row[4*x+2])
			}
		}
	case *image.NRGBA:
		for y := 0; y < H; y++ {
			row := s.Pix[y*s.Stride:]
			out := g.Pix[y*g.Stride:]
			for x := 0; x < W; x++ {
				a := int(row[4*x+3])
				blend := func(c uint8) uint8 { return uint8((int(c)*a + 255*(255-a)) / 255) }
				out[x] = px(blend(row[4*x]), blend(row[4*x+1]), blend(row[4*x+2]))
			}
		}
	case *image.YCbCr:
		for y := 0; y < H; y++ {
			out := g.Pix[y*g.Stride:]
			for x := 0; x < W; x++ {
				yi := s.YOffset(x+b.Min.X, y+b.Min.Y)
				ci := s.COffset(x+b.Min.X, y+b.Min.Y)
				r, gg, bb := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
				out[x] = px(r, gg, bb)
			}
		}
	default:
		for y := 0; y < H; y++ {
			out := g.Pix[y*g.Stride:]
			for x := 0; x < W; x++ {
				r, gg, bb, a := img.At(x+b.Min.X, y+b.Min.Y).RGBA()
				// composite over white paper
				w := 0xffff - a
				out[x] = px(uint8((r+w)>>8), uint8((gg+w)>>8), uint8((bb+w)>>8))
			}
		}
	}
	return g, float64(coloured) / float64(max(1, W*H))
}

// Scale resizes g by factor f with bilinear interpolation.
func Scale(g *image.Gray, f float64) *image.Gray {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	nw, nh := max(1, int(math.Round(float64(W)*f))), max(1, int(math.Round(float64(H)*f)))
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	if f < 1 {
		// area average for reduction
		inv := 1 / f
		for y := 0; y < nh; y++ {
			y0, y1 := int(float64(y)*inv), min(H, int(float64(y+1)*inv))
			if y1 <= y0 {
				y1 = y0 + 1
			}
			for x := 0; x < nw; x++ {
				x0, x1 := int(float64(x)*inv), min(W, int(float64(x+1)*inv))
				if x1 <= x0 {
					x1 = x0 + 1
				}
				sum, n := 0, 0
				for yy := y0; yy < y1 && yy < H; yy++ {
					row := g.Pix[yy*g.Stride:]
					for xx := x0; xx < x1 && xx < W; xx++ {
						sum += int(row[xx])
						n++
					}
				}
				if n > 0 {
					out.Pix[y*out.Stride+x] = uint8(sum / n)
				}
			}
		}
		return out
	}
	xs := make([]int32, nw)
	xf := make([]int32, nw)
	for x := 0; x < nw; x++ {
		sx := (float64(x)+0.5)/f - 0.5
		if sx < 0 {
			sx = 0
		}
		x0 := int(sx)
		if x0 >= W-1 {
			x0, sx = W-1, float64(W-1)
		}
		xs[x] = int32(x0)
		xf[x] = int32((sx - float64(x0)) * 256)
	}
	for y := 0; y < nh; y++ {
		sy := (float64(y)+0.5)/f - 0.5
		if sy < 0 {
			sy = 0
		}
		y0 := int(sy)
		if y0 >= H-1 {
			y0, sy = H-1, float64(H-1)
		}
		fy := int32((sy - float64(y0)) * 256)
		y1 := min(y0+1, H-1)
		r0 := g.Pix[y0*g.Stride:]
		r1 := g.Pix[y1*g.Stride:]
		out := out.Pix[y*out.Stride:]
		for x := 0; x < nw; x++ {
			x0 := xs[x]
			x1 := min(x0+1, int32(W-1))
			fx := xf[x]
			top := int32(r0[x0])*(256-fx) + int32(r0[x1])*fx
			bot := int32(r1[x0])*(256-fx) + int32(r1[x1])*fx
			out[x] = uint8((top*(256-fy) + bot*fy + 32768) >> 16)
		}
	}
	return out
}

// Rotate turns g by deg degrees clockwise-correcting: a page whose text lines rise to the right by
// deg (counter-clockwise skew) comes out level. The canvas keeps its size; uncovered corners are white.
func Rotate(g *image.Gray, deg float64) *image.Gray {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, W, H))
	s, c := math.Sincos(-deg * math.Pi / 180)
	cx, cy := float64(W)/2, float64(H)/2
	for y := 0; y < H; y++ {
		dy := float64(y) - cy
		row := out.Pix[y*out.Stride:]
		// source position advances linearly along the row
		sx := c*(-cx) - s*dy + cx
		sy := s*(-cx) + c*dy + cy
		for x := 0; x < W; x++ {
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			if x0 >= 0 && y0 >= 0 && x0+1 < W && y0+1 < H {
				fx, fy := int32((sx-float64(x0))*256), int32((sy-float64(y0))*256)
				p := g.Pix[y0*g.Stride+x0:]
				q := g.Pix[(y0+1)*g.Stride+x0:]
				top := int32(p[0])*(256-fx) + int32(p[1])*fx
				bot := int32(q[0])*(256-fx) + int32(q[1])*fx
				row[x] = uint8((top*(256-fy) + bot*fy + 32768) >> 16)
			} else {
				row[x] = 255
			}
			sx += c
			sy += s
		}
	}
	return out
}

// Rotate90 turns g a quarter turn clockwise n times.
func Rotate90(g *image.Gray, n int) *image.Gray {
	n = ((n % 4) + 4) % 4
	W, H := g.Rect.Dx(), g.Rect.Dy()
	switch n {
	case 0:
		return g
	case 2:
		out := image.NewGray(image.Rect(0, 0, W, H))
		for y := 0; y < H; y++ {
			for x := 0; x < W; x++ {
				out.Pix[(H-1-y)*out.Stride+W-1-x] = g.Pix[y*g.Stride+x]
			}
		}
		return out
	}
	out := image.NewGray(image.Rect(0, 0, H, W))
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			v := g.Pix[y*g.Stride+x]
			if n == 1 {
				out.Pix[x*out.Stride+H-1-y] = v
			} else {
				out.Pix[(W-1-x)*out.Stride+y] = v
			}
		}
	}
	return out
}
