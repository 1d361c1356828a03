package corpus

import (
	"context"
	"errors"
	"image"
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

// Tuning and held-out seeds never overlap, in either model.
func TestSeedsSplit(t *testing.T) {
	for _, m := range []Model{ModelScan, ModelCopy} {
		if len(HeldOutSeeds(m)) == 0 || len(TuningSeeds(m)) == 0 {
			t.Fatalf("model %s: no seeds", m)
		}
		for _, s := range TuningSeeds(m) {
			if IsHeldOut(m, s) {
				t.Errorf("model %s: seed %d is both tuning and held out", m, s)
			}
		}
	}
}

// A ModelCopy page is drawn by pango-view and degraded; the same spec gives the same page, and the
// truth holds its text (header rows read across, the table row by row).
func TestRenderCopy(t *testing.T) {
	g, err := NewGenerator()
	if err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	s := CopySpecFor(TuningSeeds(ModelCopy)[0], 2) // a list with a table
	a, err := g.RenderCopy(ctx, s)
	if errors.Is(err, ErrNoPango) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.RenderCopy(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if a.Truth != b.Truth || !sameImage(a.Image, b.Image) {
		t.Error("same spec rendered differently")
	}
	lines := strings.Split(a.Truth, "\n")
	if !strings.HasSuffix(lines[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") || !strings.HasPrefix(lines[1], "PHƯỜNG") && !strings.HasPrefix(lines[1], "XÃ") {
		t.Errorf("header not read across: %q", lines[:2])
	}
	if !strings.Contains(a.Truth, "STT Họ và tên Năm sinh Nghề nghiệp") {
		t.Errorf("table header missing:\n%s", a.Truth)
	}
	if strings.Contains(a.Truth, "BẢN CHÍNH") {
		t.Error("the stamp's words are in the truth")
	}
	wantW := int(595.0 * float64(s.DPI) / 72)
	if w := a.Image.Bounds().Dx(); w < wantW-2 || w > wantW+2 {
		t.Errorf("width %d at %d dpi, want %d", w, s.DPI, wantW)
	}
	if s.Sigma < 20 || s.JPEG > 50 || s.DPI > 200 {
		t.Errorf("spec softer than the model: %+v", s)
	}
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 7 {
		for x := r.Min.X; x < r.Max.X; x += 7 {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}
