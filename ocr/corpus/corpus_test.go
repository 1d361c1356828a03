package corpus

import (
	"math"
	"strings"
	"testing"
)

func TestCER(t *testing.T) {
	cases := []struct {
		want, got string
		cer       float64
	}{
		{"Hạnh phúc", "Hạnh phúc", 0},
		{"Hạnh phúc", "Hanh phúc", 1.0 / 9},
		{"Họ tên: AN ........", "Họ tên:   AN", 0},
		{"ab", "", 1},
		{"", "", 0},
		// NFD input compares equal to NFC truth
		{"Việt", "Vie\u0323\u0302t", 0},
	}
	for _, c := range cases {
		if got := CER(c.want, c.got); math.Abs(got-c.cer) > 1e-9 {
			t.Errorf("CER(%q, %q) = %v, want %v", c.want, c.got, got, c.cer)
		}
	}
}

func TestRenderDeterministicWithTruth(t *testing.T) {
	g, err := NewGenerator()
	if err != nil {
		t.Skip(err)
	}
	s := DegradedSpec(3, 1)
	a, err := g.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := g.Render(s)
	if a.Truth != b.Truth || a.Image.Bounds() != b.Image.Bounds() {
		t.Fatal("same spec rendered differently")
	}
	if !strings.Contains(a.Truth, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") || !strings.Contains(a.Truth, "Số định danh cá nhân:") {
		t.Errorf("truth lacks the form text:\n%s", a.Truth)
	}
	if w := a.Image.Bounds().Dx(); w != int(595.0*float64(s.DPI)/72) {
		t.Errorf("width %d at %d dpi", w, s.DPI)
	}
}
