package pdf

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testBitmap is a bilevel image with text-like strokes, long runs and isolated pixels.
func testBitmap(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	r := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 400; k++ {
		x, y := r.IntN(w), r.IntN(h)
		bw, bh := 1+r.IntN(40), 1+r.IntN(12)
		if k%50 == 0 {
			bw = w // full-width rule
		}
		for yy := y; yy < min(h, y+bh); yy++ {
			for xx := x; xx < min(w, x+bw); xx++ {
				g.Pix[yy*g.Stride+xx] = 0
			}
		}
	}
	for k := 0; k < 2000; k++ {
		g.Pix[r.IntN(len(g.Pix))] ^= 255
	}
	// a row that is all black and one starting and ending black
	for x := 0; x < w; x++ {
		g.Pix[5*g.Stride+x] = 0
	}
	g.Pix[7*g.Stride] = 0
	g.Pix[7*g.Stride+w-1] = 0
	return g
}

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed (poppler-utils)", name)
	}
}

// extractImage decodes the first image of a PDF with poppler's pdfimages, which runs poppler's own
// CCITT and Flate decoders.
func extractImage(t *testing.T, pdfBytes []byte) *image.Gray {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdfBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfimages", "-png", "-f", "1", "-l", "1", in, filepath.Join(dir, "im")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfimages: %v: %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "im-000.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}

func TestBilevelRoundTrip(t *testing.T) {
	needTool(t, "pdfimages")
	src := testBitmap(517, 300)
	for _, enc := range []Encoding{G4, FlateBits} {
		var buf bytes.Buffer
		if err := Write(&buf, []Page{{Image: src, Encoding: enc, DPI: 72}}, Info{}); err != nil {
			t.Fatal(err)
		}
		got := extractImage(t, buf.Bytes())
		if got.Rect != src.Rect {
			t.Fatalf("encoding %d: size %v, want %v", enc, got.Rect, src.Rect)
		}
		diff := 0
		for i := range src.Pix {
			if (src.Pix[i] < 128) != (got.Pix[i] < 128) {
				diff++
			}
		}
		if diff != 0 {
			t.Errorf("encoding %d: %d pixels differ after decoding", enc, diff)
		}
	}
}

func TestTextLayerExtracts(t *testing.T) {
	needTool(t, "pdftotext")
	img := testBitmap(1240, 400)
	words := []Word{
		{Text: "Cộng", Box: image.Rect(100, 50, 220, 90), Line: 1},
		{Text: "hòa", Box: image.Rect(240, 50, 320, 90), Line: 1},
		{Text: "xã", Box: image.Rect(340, 50, 390, 90), Line: 1},
		{Text: "Nguyễn", Box: image.Rect(100, 150, 300, 190), Line: 2},
		{Text: "Đức", Box: image.Rect(320, 150, 400, 190), Line: 2},
		{Text: "Hạnh", Box: image.Rect(420, 150, 540, 190), Line: 2},
	}
	var buf bytes.Buffer
	info := Info{Title: "Hồ sơ", Producer: "tramso", Created: time.Date(2025, 7, 1, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600)), ICCProfile: LoadICC(DefaultICCPath)}
	if err := Write(&buf, []Page{{Image: img, Encoding: G4, DPI: 150, Words: words}}, info); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "t.pdf")
	os.WriteFile(p, buf.Bytes(), 0o644)
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", p, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	got := strings.Join(strings.Fields(string(out)), " ")
	if want := "Cộng hòa xã Nguyễn Đức Hạnh"; got != want {
		t.Errorf("pdftotext = %q, want %q", got, want)
	}
	info2, err := exec.Command("pdfinfo", p).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v %s", err, info2)
	}
	for _, want := range []string{"Title:           Hồ sơ", "Producer:        tramso", "Page size:       595.2 x 192 pts"} {
		if !strings.Contains(string(info2), want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info2)
		}
	}
	// Same input, same bytes.
	var again bytes.Buffer
	if err := Write(&again, []Page{{Image: img, Encoding: G4, DPI: 150, Words: words}}, info); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("output differs between two runs on the same input")
	}
}

func TestWriteErrors(t *testing.T) {
	if err := Write(&bytes.Buffer{}, nil, Info{}); err != ErrNoPages {
		t.Errorf("no pages: %v", err)
	}
	if err := Write(&bytes.Buffer{}, []Page{{Image: image.NewGray(image.Rect(0, 0, 4, 4))}}, Info{}); err == nil {
		t.Error("zero dpi accepted")
	}
}
