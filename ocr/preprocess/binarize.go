package preprocess

import (
	"image"
	"math"
)

// Sauvola binarises g with Sauvola's local threshold T = m·(1 + k·(s/R − 1)) over a square window of
// side 2·radius+1 (m, s: local mean and standard deviation; R = 128). Running column sums keep memory
// at a few rows whatever the page size. Ink is 0, paper 255.
func Sauvola(g *image.Gray, radius int, k float64) *image.Gray {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, W, H))
	radius = max(radius, 0)
	colSum := make([]uint32, W)
	colSq := make([]uint32, W) // at most (2·radius+1)·255² per column
	addRow := func(y int, sign int) {
		row := g.Pix[y*g.Stride : y*g.Stride+W]
		if sign > 0 {
			for x, v := range row {
				colSum[x] += uint32(v)
				colSq[x] += uint32(v) * uint32(v)
			}
		} else {
			for x, v := range row {
				colSum[x] -= uint32(v)
				colSq[x] -= uint32(v) * uint32(v)
			}
		}
	}
	// invSpan[x] is 1 over the width of the window at column x, clipped to the image.
	invSpan := make([]float64, W)
	for x := range invSpan {
		invSpan[x] = 1 / float64(min(W-1, x+radius)-max(0, x-radius)+1)
	}
	for y := 0; y < min(radius, H); y++ {
		addRow(y, 1)
	}
	const R = 128.0
	for y := 0; y < H; y++ {
		if y+radius < H {
			addRow(y+radius, 1)
		}
		if y-radius-1 >= 0 {
			addRow(y-radius-1, -1)
		}
		invRows := 1 / float64(min(H-1, y+radius)-max(0, y-radius)+1)
		var s, sq uint64
		for x := 0; x < min(radius, W); x++ {
			s += uint64(colSum[x])
			sq += uint64(colSq[x])
		}
		in := g.Pix[y*g.Stride : y*g.Stride+W]
		o := out.Pix[y*out.Stride : y*out.Stride+W]
		for x, v := range in {
			if x+radius < W {
				s += uint64(colSum[x+radius])
				sq += uint64(colSq[x+radius])
			}
			if x-radius-1 >= 0 {
				s -= uint64(colSum[x-radius-1])
				sq -= uint64(colSq[x-radius-1])
			}
			inv := invRows * invSpan[x]
			m := float64(s) * inv
			sd := math.Sqrt(max(float64(sq)*inv-m*m, 0))
			var px uint8 // ink unless brighter than the threshold
			if float64(v) > m*(1+k*(sd/R-1)) {
				px = 255
			}
			o[x] = px
		}
	}
	return out
}

// components labels the 8-connected ink components of a binary image, calling f with each
// component's pixel indices (into b.Pix, stride == width), bounding box and whether it touches the
// image edge. Labels are kept in a scratch slice; the image is not changed.
func components(b *image.Gray, f func(pix []int32, box image.Rectangle, edge bool)) {
	W, H := b.Rect.Dx(), b.Rect.Dy()
	seen := make([]bool, W*H)
	var stack, comp []int32
	for start := 0; start < W*H; start++ {
		if seen[start] || b.Pix[start] != 0 {
			continue
		}
		seen[start] = true
		stack = append(stack[:0], int32(start))
		comp = comp[:0]
		box := image.Rectangle{Min: image.Pt(W, H)}
		edge := false
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			comp = append(comp, p)
			x, y := int(p)%W, int(p)/W
			box.Min.X, box.Min.Y = min(box.Min.X, x), min(box.Min.Y, y)
			box.Max.X, box.Max.Y = max(box.Max.X, x+1), max(box.Max.Y, y+1)
			if x == 0 || y == 0 || x == W-1 || y == H-1 {
				edge = true
			}
			for dy := -1; dy <= 1; dy++ {
				yy := y + dy
				if yy < 0 || yy >= H {
					continue
				}
				for dx := -1; dx <= 1; dx++ {
					xx := x + dx
					if xx < 0 || xx >= W {
						continue
					}
					q := yy*W + xx
					if !seen[q] && b.Pix[q] == 0 {
						seen[q] = true
						stack = append(stack, int32(q))
					}
				}
			}
		}
		f(comp, box, edge)
	}
}

// Clean removes, in place, what is not text from a binary page whose stride equals its width:
// ink touching the image edge (lid borders, shadows, punched-hole shadows), huge blobs covering
// more than a tenth of the page, and specks of at most maxSpeck pixels that have no other ink
// within isolation pixels (dust, sensor noise; diacritics sit next to their letters and are kept).
// It returns the number of ink pixels left.
func Clean(b *image.Gray, maxSpeck, isolation int) int {
	W, H := b.Rect.Dx(), b.Rect.Dy()
	var remove [][]int32
	var small [][]int32
	var smallBox []image.Rectangle
	components(b, func(pix []int32, box image.Rectangle, edge bool) {
		switch {
		case edge, box.Dx() > W*9/10 && box.Dy() > H/4, len(pix) > W*H/10:
			remove = append(remove, append([]int32(nil), pix...))
		case len(pix) <= maxSpeck*6:
			small = append(small, append([]int32(nil), pix...))
			smallBox = append(smallBox, box)
		}
	})
	for _, c := range remove {
		for _, p := range c {
			b.Pix[p] = 255
		}
	}
	// The isolation test counts ink around each small component as the page is now (big blobs
	// gone, specks still there); removals are decided first and made after.
	count := func(r image.Rectangle) int32 {
		r = r.Intersect(image.Rect(0, 0, W, H))
		var n int32
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for _, v := range b.Pix[y*W+r.Min.X : y*W+r.Max.X] {
				if v == 0 {
					n++
				}
			}
		}
		return n
	}
	drop := make([]bool, len(small))
	for i, c := range small {
		box := smallBox[i]
		if len(c) <= maxSpeck/2 || (len(c) <= maxSpeck*6 && count(box.Inset(-isolation)) == int32(len(c))) {
			if len(c) > maxSpeck && box.Dx() > 3*box.Dy() {
				continue // a short dash or hyphen on its own
			}
			drop[i] = true
		}
	}
	for i, c := range small {
		if drop[i] {
			for _, p := range c {
				b.Pix[p] = 255
			}
		}
	}
	ink := 0
	for _, v := range b.Pix[:W*H] {
		if v == 0 {
			ink++
		}
	}
	return ink
}
