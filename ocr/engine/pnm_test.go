package engine

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/tramso/tramso/ocr/preprocess"
)

// TestScannedPNM: the page as scanned is encoded turned exactly as preprocess.Rotate90 turns the
// pipeline's images (the verdict maps the reading's boxes with that geometry), grey as P5 and
// colour as P6 with its colour kept.
func TestScannedPNM(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 5, 3))
	for i := range g.Pix {
		g.Pix[i] = uint8(10 * i)
	}
	for turns := 0; turns < 4; turns++ {
		data, rect := ScannedPNM(g, turns)
		want := preprocess.Rotate90(g, turns)
		if rect != want.Rect || !bytes.HasPrefix(data, []byte("P5\n")) {
			t.Fatalf("turns %d: bounds %v (want %v), header %q", turns, rect, want.Rect, data[:8])
		}
		if px := data[len(data)-len(want.Pix):]; !bytes.Equal(px, want.Pix) {
			t.Errorf("turns %d: pixels %v, want %v", turns, px, want.Pix)
		}
		if w, h, ok := pnmSize(data); !ok || w != rect.Dx() || h != rect.Dy() {
			t.Errorf("turns %d: pnmSize %d×%d %v", turns, w, h, ok)
		}
	}
	c := image.NewRGBA(image.Rect(0, 0, 4, 2))
	draw.Draw(c, c.Rect, image.White, image.Point{}, draw.Src)
	c.Set(0, 0, color.RGBA{200, 20, 30, 255}) // stamp red, top left
	data, rect := ScannedPNM(c, 1)
	if !bytes.HasPrefix(data, []byte("P6\n")) || rect != image.Rect(0, 0, 2, 4) {
		t.Fatalf("colour page: header %q, bounds %v", data[:8], rect)
	}
	px := data[len(data)-3*8:]
	// A quarter turn clockwise takes the top left corner to the top right.
	if got := px[3*1 : 3*2]; !bytes.Equal(got, []byte{200, 20, 30}) {
		t.Errorf("red pixel after a quarter turn: %v", px)
	}
}

// TestRecognizeScanned: a colour page is read as raw Tesseract reads a file; what is not a PNM the
// pool can vouch for (a JPEG, a cut PNM, nothing) is refused before Tesseract sees it, and the
// engine reads on afterwards.
func TestRecognizeScanned(t *testing.T) {
	crop := topOfPage(t, 3)
	c := image.NewRGBA(crop.Rect)
	draw.Draw(c, c.Rect, crop, crop.Rect.Min, draw.Src)
	p := NewPool(Options{Size: 1})
	defer p.Close()
	ctx := context.Background()
	data, _ := ScannedPNM(c, 0)
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, crop, nil); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{"jpeg": jb.Bytes(), "cut": data[:len(data)/2], "empty": nil, "header only": []byte("P6\n10 10\n255\n")} {
		if _, err := p.RecognizeScanned(ctx, bad, 300); !errors.Is(err, ErrNoImage) || !errors.Is(err, ErrEngine) {
			t.Errorf("%s: err = %v, want ErrNoImage", name, err)
		}
	}
	res, err := p.RecognizeScanned(ctx, data, 300)
	if err != nil {
		t.Fatal(err)
	}
	if text := res.Text(); !strings.Contains(text, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") {
		t.Errorf("text:\n%s", text)
	}
}
