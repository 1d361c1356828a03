package preprocess

import "image"

// RemoveRules returns a copy of the bilevel page b without its long thin horizontal and vertical
// lines (table grids, form rules, underlines, fold creases), or nil when it has none. Tesseract's
// layout analysis takes a ruled table for a picture and skips or garbles its text; the rules carry
// no text.
//
// A rule is a run along a row (column) at least minLen long, with gaps of at most a few pixels
// (photocopied and faxed rules break up), that is at least 80 % ink, and where at least 70 % of the
// ink is a thin band, at most maxThick pixels across. Text rows fail the last test (letters' stems
// are tall); where a letter crosses a rule, the letter's stroke is thicker and stays.
func RemoveRules(b *image.Gray, minLen, maxThick int) *image.Gray {
	W, H := b.Rect.Dx(), b.Rect.Dy()
	gap := max(2, maxThick/2)
	at := func(x, y int) bool { return b.Pix[y*b.Stride+x] == 0 }
	// thickness of the ink across the rule through (x, y), capped at limit+1
	thick := func(x, y int, vertical bool) int {
		n := 1
		if vertical { // a horizontal rule: measure up and down
			for yy := y - 1; yy >= 0 && at(x, yy) && n <= maxThick; yy-- {
				n++
			}
			for yy := y + 1; yy < H && at(x, yy) && n <= maxThick; yy++ {
				n++
			}
			return n
		}
		for xx := x - 1; xx >= 0 && at(xx, y) && n <= maxThick; xx-- {
			n++
		}
		for xx := x + 1; xx < W && at(xx, y) && n <= maxThick; xx++ {
			n++
		}
		return n
	}
	var del []int32 // pixel offsets to erase, decided on the original image
	scan := func(n, length int, pix func(i, j int) (x, y int), across bool) {
		for i := 0; i < n; i++ {
			for j := 0; j < length; {
				x, y := pix(i, j)
				if !at(x, y) {
					j++
					continue
				}
				s, last, ink := j, j, 0
				for j < length {
					x, y := pix(i, j)
					if at(x, y) {
						last = j
						ink++
					} else if j-last > gap {
						break
					}
					j++
				}
				e := last + 1
				if e-s < minLen || ink*10 < (e-s)*8 {
					continue
				}
				thin := 0
				for k := s; k < e; k++ {
					if x, y := pix(i, k); at(x, y) && thick(x, y, across) <= maxThick {
						thin++
					}
				}
				if thin*10 < ink*7 {
					continue
				}
				for k := s; k < e; k++ {
					if x, y := pix(i, k); at(x, y) && thick(x, y, across) <= maxThick {
						del = append(del, int32(y*b.Stride+x))
					}
				}
			}
		}
	}
	scan(H, W, func(i, j int) (int, int) { return j, i }, true)
	scan(W, H, func(i, j int) (int, int) { return i, j }, false)
	if len(del) == 0 {
		return nil
	}
	out := image.NewGray(b.Rect)
	copy(out.Pix, b.Pix)
	for _, o := range del {
		out.Pix[o] = 255
	}
	return out
}
