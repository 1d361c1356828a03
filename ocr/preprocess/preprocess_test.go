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

func TestSideways(t *testing.T) {
	g := generator(t)
	pg, err := g.Render(corpus.Spec{Seed: 7, DPI: 150, Skew: 1.5, Rotate90: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Process(context.Background(), pg.Image, pg.DPI, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Turns != 1 || p.Bounds.Dx() > p.Bounds.Dy() {
		t.Fatalf("sideways page: turns %d, bounds %v", p.Turns, p.Bounds)
	}
	// After the quarter turn the page is upside down or upright; the skew is the same magnitude.
	if math.Abs(math.Abs(p.Skew)-1.5) > 0.1 {
		t.Errorf("skew %.3f, want ±1.5", p.Skew)
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
