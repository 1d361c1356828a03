package preprocess

import (
	"context"
	"image"
	"math"
	"testing"

	"github.com/tramso/tramso/ocr/corpus"
)

func generator(t testing.TB) *corpus.Generator {
	t.Helper()
	g, err := corpus.NewGenerator()
	if err != nil {
		t.Skip(err)
	}
	return g
}

func TestDeskewKnownAngles(t *testing.T) {
	g := generator(t)
	cases := []struct {
		skew float64
		dpi  int
		spec func(*corpus.Spec)
	}{
		{-5.8, 150, nil},
		{-2.3, 200, func(s *corpus.Spec) { s.Noise, s.Shadow = true, true }},
		{0.7, 300, func(s *corpus.Spec) { s.Blur = true }},
		{3.45, 200, func(s *corpus.Spec) { s.Noise, s.Stamp, s.JPEG = true, true, 60 }},
		{12.0, 150, nil},
		{-14.2, 150, func(s *corpus.Spec) { s.Table = true }},
	}
	for i, c := range cases {
		spec := corpus.Spec{Seed: uint64(100 + i), DPI: c.dpi, Skew: c.skew, Font: i}
		if c.spec != nil {
			c.spec(&spec)
		}
		pg, err := g.Render(spec)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Process(context.Background(), pg.Image, pg.DPI, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(p.Skew - c.skew); d > 0.1 {
			t.Errorf("skew %.2f° at %d dpi: found %.3f° (error %.3f°)", c.skew, c.dpi, p.Skew, d)
		}
		if p.DPI != 300 {
			t.Errorf("dpi %d: output at %v dpi, want 300", c.dpi, p.DPI)
		}
		if heavy := math.Abs(c.skew) >= 5; heavy != p.Has(HeavySkew) {
			t.Errorf("skew %.2f°: heavy-skew flag %v", c.skew, p.Has(HeavySkew))
		}
		t.Logf("skew %.2f → %.3f sharp %.3f bright %.0f ink %.4f flags %v", c.skew, p.Skew, p.Sharpness, p.Brightness, p.Ink, p.Flags)
	}
}

// TestOrientation puts the page on the glass each of the four ways: preprocessing must bring it
// upright (sideways by line direction, upside down by ascender and descender ink) with the skew
// found, so that the page is recognised once.
func TestOrientation(t *testing.T) {
	g := generator(t)
	for r := 0; r < 4; r++ {
		pg, err := g.Render(corpus.Spec{Seed: 7, DPI: 150, Skew: 1.5, Rotate90: r})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Process(context.Background(), pg.Image, pg.DPI, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if want := (4 - r) % 4; p.Turns != want || p.Bounds.Dx() > p.Bounds.Dy() {
			t.Errorf("page turned %d×90°: turns %d (want %d), bounds %v", r, p.Turns, want, p.Bounds)
		}
		if p.Upright < SureUpright {
			t.Errorf("page turned %d×90°: upright score %.3f, unsure", r, p.Upright)
		}
		if math.Abs(p.Skew-1.5) > 0.1 {
			t.Errorf("page turned %d×90°: skew %.3f, want 1.5", r, p.Skew)
		}
	}
}

// TestUprightScoreNeedsText: a page without text lines gives no opinion on up and down.
func TestUprightScoreNeedsText(t *testing.T) {
	b := image.NewGray(image.Rect(0, 0, 300, 400))
	for i := range b.Pix {
		b.Pix[i] = 255
	}
	if s := uprightScore(b); s != 0 {
		t.Errorf("blank page: %v", s)
	}
	for y := 100; y < 103; y++ { // a ruling only
		for x := 20; x < 280; x++ {
			b.Pix[y*300+x] = 0
		}
	}
	if s := uprightScore(b); s != 0 {
		t.Errorf("ruled page: %v", s)
	}
}

func TestQualityFlags(t *testing.T) {
	g := generator(t)
	// blank page
	blank := image.NewGray(image.Rect(0, 0, 1240, 1754))
	for i := range blank.Pix {
		blank.Pix[i] = 250
	}
	p, err := Process(context.Background(), blank, 150, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Has(BlankPage) || p.Has(Blurry) {
		t.Errorf("blank page flags %v", p.Flags)
	}
	// dark page
	pg, _ := g.Render(corpus.Spec{Seed: 3, DPI: 150})
	dark := image.NewGray(pg.Image.Bounds())
	gr, _ := Gray(pg.Image)
	for i, v := range gr.Pix {
		dark.Pix[i] = v / 3
	}
	p, err = Process(context.Background(), dark, 150, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Has(TooDark) || p.Has(BlankPage) {
		t.Errorf("dark page flags %v", p.Flags)
	}
	// sharp vs blurred
	sharp, _ := Process(context.Background(), pg.Image, 150, Options{})
	if sharp.Has(Blurry) || sharp.Has(TooDark) || sharp.Has(BlankPage) {
		t.Errorf("clean page flags %v", sharp.Flags)
	}
	blurred := gr
	for i := 0; i < 3; i++ {
		blurred = boxBlur3(blurred)
	}
	p, _ = Process(context.Background(), blurred, 150, Options{})
	if !p.Has(Blurry) {
		t.Errorf("blurred page: sharpness %.3f (clean %.3f), flags %v", p.Sharpness, sharp.Sharpness, p.Flags)
	}
	if p.Sharpness >= sharp.Sharpness {
		t.Errorf("blurred sharpness %.3f not below clean %.3f", p.Sharpness, sharp.Sharpness)
	}
}

func boxBlur3(g *image.Gray) *image.Gray {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(g.Rect)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			s, n := 0, 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if xx, yy := x+dx, y+dy; xx >= 0 && yy >= 0 && xx < W && yy < H {
						s += int(g.Pix[yy*g.Stride+xx])
						n++
					}
				}
			}
			out.Pix[y*out.Stride+x] = uint8(s / n)
		}
	}
	return out
}

func TestSauvolaShadow(t *testing.T) {
	// A gradient from dark to light with a darker square: the square is ink, the gradient paper.
	g := image.NewGray(image.Rect(0, 0, 200, 100))
	for y := 0; y < 100; y++ {
		for x := 0; x < 200; x++ {
			g.Pix[y*200+x] = uint8(80 + x*170/200)
			if x >= 20 && x < 26 && y >= 40 && y < 60 {
				g.Pix[y*200+x] = uint8((80 + x*170/200) / 3)
			}
		}
	}
	b := Sauvola(g, 15, 0.3)
	if b.Pix[50*200+22] != 0 {
		t.Error("dark stroke in shadow not ink")
	}
	for _, x := range []int{5, 60, 120, 190} {
		if b.Pix[50*200+x] != 255 {
			t.Errorf("paper at x=%d binarised as ink", x)
		}
	}
}

func BenchmarkProcess300(b *testing.B) {
	g := generator(b)
	pg, err := g.Render(corpus.DegradedSpec(1, 2))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Process(context.Background(), pg.Image, pg.DPI, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestScaleRotateMatchesDirectMapping compares ScaleRotate, which walks rows in fixed point with a
// fast interior loop, with the plain per-pixel mapping it stands for.
func TestScaleRotateMatchesDirectMapping(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 97, 131))
	for i := range src.Pix {
		src.Pix[i] = uint8((i*37 + i*i/13) % 256)
	}
	W, H := 97, 131
	at := func(x, y int) float64 {
		return float64(src.Pix[min(max(y, 0), H-1)*src.Stride+min(max(x, 0), W-1)])
	}
	for _, c := range []struct{ f, deg float64 }{{1, 0}, {1, 3.3}, {1, -14}, {2, 0}, {1.5, -2.2}, {1.3333, 7}} {
		out := ScaleRotate(src, c.f, c.deg)
		nw, nh := out.Rect.Dx(), out.Rect.Dy()
		if want := int(math.Round(float64(W) * c.f)); nw != want {
			t.Fatalf("%+v: width %d, want %d", c, nw, want)
		}
		s, co := math.Sincos(-c.deg * math.Pi / 180)
		bad := 0
		for y := 0; y < nh; y++ {
			for x := 0; x < nw; x++ {
				dx, dy := float64(x)-float64(nw)/2, float64(y)-float64(nh)/2
				u, v := co*dx-s*dy+float64(nw)/2, s*dx+co*dy+float64(nh)/2
				sx, sy := (u+0.5)/c.f-0.5, (v+0.5)/c.f-0.5
				if c.f == 1 {
					sx, sy = u, v
				}
				want := 255.0
				if sx > -1 && sy > -1 && sx < float64(W) && sy < float64(H) {
					sx, sy = min(max(sx, 0), float64(W-1)), min(max(sy, 0), float64(H-1))
					x0, y0 := int(sx), int(sy)
					fx, fy := sx-float64(x0), sy-float64(y0)
					want = (at(x0, y0)*(1-fx)+at(x0+1, y0)*fx)*(1-fy) + (at(x0, y0+1)*(1-fx)+at(x0+1, y0+1)*fx)*fy
				}
				got := float64(out.Pix[y*out.Stride+x])
				// Border pixels may fall either side of the edge; inside, 8-bit weights differ by a few levels.
				if math.Abs(got-want) > 3 && x > 1 && y > 1 && x < nw-2 && y < nh-2 {
					bad++
				}
			}
		}
		if bad > nw*nh/200 {
			t.Errorf("%+v: %d of %d pixels differ from the direct mapping", c, bad, nw*nh)
		}
	}
}
