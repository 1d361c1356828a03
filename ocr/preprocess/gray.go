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
func Rotate(g *image.Gray, deg float64) *image.Gray { return ScaleRotate(g, 1, deg) }

// ScaleRotate enlarges g by factor f (f >= 1) and rotates it as Rotate does, in one bilinear pass:
// one interpolation instead of two, and no intermediate image. Factors below 1 reduce with Scale's
// area average first.
func ScaleRotate(g *image.Gray, f, deg float64) *image.Gray {
	if f < 1 {
		g, f = Scale(g, f), 1
	}
	W, H := g.Rect.Dx(), g.Rect.Dy()
	nw, nh := W, H
	if f != 1 {
		nw, nh = max(1, int(math.Round(float64(W)*f))), max(1, int(math.Round(float64(H)*f)))
	}
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	s, c := math.Sincos(-deg * math.Pi / 180)
	// Output pixel (x, y) is turned about the output centre, then mapped to the source by the
	// scale; for f == 1 this is the plain rotation about the centre. Positions are walked along
	// each row in 20-bit fixed point.
	cx, cy := float64(nw)/2, float64(nh)/2
	off := 0.0
	if f != 1 {
		off = 0.5/f - 0.5 // pixel centres, as Scale maps them
	}
	const one = 1 << 20
	fix := func(v float64) int64 { return int64(math.Round(v * one)) }
	dx, dy := fix(c/f), fix(s/f)
	maxX, maxY := int64(W-1)*one, int64(H-1)*one
	for y := 0; y < nh; y++ {
		yy := float64(y) - cy
		row := out.Pix[y*out.Stride : y*out.Stride+nw]
		sx := fix((c*(-cx)-s*yy+cx)/f + off)
		sy := fix((s*(-cx)+c*yy+cy)/f + off)
		// Columns [lo, hi) map strictly inside the source and need no clamping.
		lo, hi := interior(sx, dx, maxX, nw)
		l2, h2 := interior(sy, dy, maxY, nw)
		lo, hi = max(lo, l2), min(hi, h2)
		if hi < lo {
			lo, hi = 0, 0
		}
		edge := func(x int, sx, sy int64) {
			// Within a pixel of the source edge the position is clamped to it; farther out is
			// the white of the uncovered corners.
			if sx <= -one || sy <= -one || sx >= maxX+one || sy >= maxY+one {
				row[x] = 255
				return
			}
			px, py := min(max(sx, 0), maxX), min(max(sy, 0), maxY)
			x0, y0 := int(px>>20), int(py>>20)
			x1, y1 := min(x0+1, W-1), min(y0+1, H-1)
			fx, fy := int32(px>>12)&255, int32(py>>12)&255
			r0, r1 := g.Pix[y0*g.Stride:], g.Pix[y1*g.Stride:]
			top := int32(r0[x0])*(256-fx) + int32(r0[x1])*fx
			bot := int32(r1[x0])*(256-fx) + int32(r1[x1])*fx
			row[x] = uint8((top*(256-fy) + bot*fy + 32768) >> 16)
		}
		for x := 0; x < lo; x++ {
			edge(x, sx+int64(x)*dx, sy+int64(x)*dy)
		}
		px, py := sx+int64(lo)*dx, sy+int64(lo)*dy
		for x := lo; x < hi; x++ {
			x0, y0 := int(px>>20), int(py>>20)
			fx, fy := int32(px>>12)&255, int32(py>>12)&255
			o := y0*g.Stride + x0
			p, q := g.Pix[o:o+2], g.Pix[o+g.Stride:o+g.Stride+2]
			top := int32(p[0])*(256-fx) + int32(p[1])*fx
			bot := int32(q[0])*(256-fx) + int32(q[1])*fx
			row[x] = uint8((top*(256-fy) + bot*fy + 32768) >> 16)
			px += dx
			py += dy
		}
		for x := hi; x < nw; x++ {
			edge(x, sx+int64(x)*dx, sy+int64(x)*dy)
		}
	}
	return out
}

// interior returns the columns [lo, hi) of 0..n for which the fixed-point position p0 + x·d lies in
// [0, limit), where limit is the last source pixel: both pixels interpolated from are then inside.
func interior(p0, d, limit int64, n int) (lo, hi int) {
	if d == 0 {
		if p0 >= 0 && p0 < limit {
			return 0, n
		}
		return 0, 0
	}
	// Solve 0 <= p0 + x·d < limit for x, rounding inwards, then step off any rounding error.
	a := float64(-p0) / float64(d)
	b := float64(limit-p0) / float64(d)
	if d < 0 {
		a, b = b, a
	}
	lo = max(0, int(math.Ceil(a)))
	hi = min(n, int(math.Floor(b))+1)
	for lo < hi {
		if p := p0 + int64(lo)*d; p >= 0 && p < limit {
			break
		}
		lo++
	}
	for hi > lo {
		if p := p0 + int64(hi-1)*d; p >= 0 && p < limit {
			break
		}
		hi--
	}
	return lo, hi
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
