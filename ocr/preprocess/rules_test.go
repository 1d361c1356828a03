package preprocess

import (
	"image"
	"testing"
)

// A ruled table loses its rules and keeps its letters; a page without rules is left alone.
func TestRemoveRules(t *testing.T) {
	W, H := 1200, 800
	b := image.NewGray(image.Rect(0, 0, W, H))
	for i := range b.Pix {
		b.Pix[i] = 255
	}
	set := func(x0, y0, x1, y1 int) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				b.Pix[y*b.Stride+x] = 0
			}
		}
	}
	// "letters": 40 px tall blocks of strokes, one crossing a rule
	var letters []image.Rectangle
	for i := 0; i < 20; i++ {
		x := 120 + i*50
		r := image.Rect(x, 330, x+6, 370) // a stem
		letters = append(letters, r, image.Rect(x, 330, x+25, 336), image.Rect(x, 364, x+25, 370))
	}
	letters = append(letters, image.Rect(600, 180, 606, 225)) // a stem across the rule at y=200
	for _, r := range letters {
		set(r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
	}
	// rules: horizontal at y=200 and 500 (4 px, broken every 60 px like a photocopy), vertical at x=100 and 1100
	var rules []image.Rectangle
	for x := 100; x < 1100; x += 60 {
		rules = append(rules, image.Rect(x, 200, x+58, 204), image.Rect(x, 500, x+58, 504))
	}
	rules = append(rules, image.Rect(100, 200, 104, 504), image.Rect(1100, 200, 1104, 504))
	for _, r := range rules {
		set(r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
	}
	out := RemoveRules(b, 75, 10)
	if out == nil {
		t.Fatal("rules not found")
	}
	count := func(g *image.Gray, rs []image.Rectangle, exclude []image.Rectangle) (ink, all int) {
		for _, r := range rs {
			for y := r.Min.Y; y < r.Max.Y; y++ {
				for x := r.Min.X; x < r.Max.X; x++ {
					skip := false
					for _, e := range exclude {
						if (image.Point{x, y}).In(e) {
							skip = true
						}
					}
					if skip {
						continue
					}
					all++
					if g.Pix[y*g.Stride+x] == 0 {
						ink++
					}
				}
			}
		}
		return
	}
	if ink, all := count(out, letters, rules); ink*100 < all*97 {
		t.Errorf("letters kept: %d of %d pixels", ink, all)
	}
	if ink, all := count(out, rules, letters); ink*100 > all*3 {
		t.Errorf("rules left: %d of %d pixels", ink, all)
	}
	// A page of text only: nothing to remove.
	c := image.NewGray(image.Rect(0, 0, W, H))
	for i := range c.Pix {
		c.Pix[i] = 255
	}
	for _, r := range letters[:60] {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c.Pix[y*c.Stride+x] = 0
			}
		}
	}
	if RemoveRules(c, 75, 10) != nil {
		t.Error("rules found on a page without any")
	}
}

// FromPlain maps a mark on the page as scanned to the same mark on the scaled, deskewed page.
func TestFromPlain(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 1240, 1754)) // A4 at 150 dpi
	for i := range src.Pix {
		src.Pix[i] = 255
	}
	mark := image.Rect(300, 400, 340, 430)
	for y := mark.Min.Y; y < mark.Max.Y; y++ {
		for x := mark.Min.X; x < mark.Max.X; x++ {
			src.Pix[y*src.Stride+x] = 0
		}
	}
	const skew = 3.0
	out := ScaleRotate(src, 2, skew)
	p := &Page{Gray: out, DPI: 300, SourceDPI: 150, Skew: skew}
	got := p.FromPlain(mark)
	// the dark pixels of out lie within got (give or take interpolation)
	var ink image.Rectangle
	first := true
	for y := 0; y < out.Rect.Dy(); y++ {
		for x := 0; x < out.Rect.Dx(); x++ {
			if out.Pix[y*out.Stride+x] < 128 {
				if first {
					ink, first = image.Rect(x, y, x+1, y+1), false
				}
				ink = ink.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	d := func(a, b int) int { return max(a-b, b-a) }
	if d(got.Min.X, ink.Min.X) > 3 || d(got.Min.Y, ink.Min.Y) > 3 || d(got.Max.X, ink.Max.X) > 3 || d(got.Max.Y, ink.Max.Y) > 3 {
		t.Errorf("mark at %v on the page, FromPlain says %v", ink, got)
	}
}
