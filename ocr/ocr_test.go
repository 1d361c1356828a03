package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/ocr/corpus"
	"github.com/tramso/tramso/ocr/engine"
	"github.com/tramso/tramso/ocr/pdf"
	"github.com/tramso/tramso/ocr/preprocess"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

func pipeline(t *testing.T) *Pipeline {
	t.Helper()
	if _, err := os.Stat("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata"); err != nil {
		t.Skip("tesseract-ocr-vie not installed")
	}
	p := New(Options{Engine: engine.Options{Size: 2}})
	t.Cleanup(func() { p.Close() })
	return p
}

func TestDegradedPagesEndToEnd(t *testing.T) {
	p := pipeline(t)
	g, err := corpus.NewGenerator()
	if err != nil {
		t.Skip(err)
	}
	specs := []corpus.Spec{
		corpus.DegradedSpec(7, 0), // 150 dpi
		corpus.DegradedSpec(7, 4), // 200 dpi, skewed the other way
	}
	specs[1].Rotate90 = 2 // upside down on the glass
	type out struct {
		r   *Result
		err error
	}
	res := make([]out, len(specs))
	pages := make([]*corpus.Page, len(specs))
	done := make(chan int)
	for i, s := range specs {
		pages[i], err = g.Render(s)
		if err != nil {
			t.Fatal(err)
		}
		go func(i int) {
			r, err := p.Process(context.Background(), pages[i].Image, pages[i].DPI)
			res[i] = out{r, err}
			done <- i
		}(i)
	}
	for range specs {
		<-done
	}
	var pdfPages []pdf.Page
	var texts []string
	for i, o := range res {
		if o.err != nil {
			t.Fatal(o.err)
		}
		cer := corpus.CER(pages[i].Truth, o.r.Text)
		t.Logf("page %d: %d dpi skew %.2f → angle %.2f rot %d conf %.1f CER %.3f flags %v pre %v ocr %v",
			i, specs[i].DPI, specs[i].Skew, o.r.Angle, o.r.Rotation, o.r.Confidence, cer, o.r.Page.Flags, o.r.Preprocess, o.r.Recognize)
		if cer > 0.08 {
			t.Errorf("page %d: CER %.3f over 8%%\n%s", i, cer, o.r.Text)
		}
		pdfPages = append(pdfPages, PDFPage(o.r))
		texts = append(texts, o.r.Text)
	}
	if res[1].r.Rotation != 180 {
		t.Errorf("upside-down page: rotation %d, want 180", res[1].r.Rotation)
	}
	// Turned over by preprocessing, before OCR: the page is recognised once.
	if pg := res[1].r.Page; pg.Turns != 2 || pg.Upright < preprocess.SureUpright {
		t.Errorf("upside-down page: preprocessing turns %d, upright score %.3f", pg.Turns, pg.Upright)
	}

	info := pdf.Info{Title: "test", Producer: "tramso", Created: time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)}
	var a, b bytes.Buffer
	if err := pdf.Write(&a, pdfPages, info); err != nil {
		t.Fatal(err)
	}
	if err := pdf.Write(&b, pdfPages, info); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("PDF bytes differ for the same input")
	}
	for i, pp := range pdfPages {
		if pp.Encoding == pdf.G4 && pp.DPI == 300 {
			var one bytes.Buffer
			pdf.Write(&one, []pdf.Page{pp}, info)
			t.Logf("page %d: %d KB as a one-page PDF", i, one.Len()/1024)
			if one.Len() > 100*1024 {
				t.Errorf("page %d: %d bytes, over 100 KB", i, one.Len())
			}
		}
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	f := filepath.Join(t.TempDir(), "out.pdf")
	os.WriteFile(f, a.Bytes(), 0o644)
	outb, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(string(outb), "\f")
	for i, want := range texts {
		w := strings.Join(strings.Fields(norm.NFC.String(want)), " ")
		gt := strings.Join(strings.Fields(got[i]), " ")
		if w != gt {
			t.Errorf("page %d: pdftotext differs from OCR text\n got: %s\nwant: %s", i, gt, w)
		}
	}
}

// cccdBack draws something like the back of a CCCD card at 300 dpi (85.6 × 54 mm, landscape): two
// short lines of small print at the top, a grey fingerprint box, and the three TD1 MRZ lines in a
// monospace OCR-B-like face at the bottom. The data is invented.
func cccdBack(t *testing.T) (*image.RGBA, []string) {
	t.Helper()
	load := func(path string, size float64) font.Face {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Skip(err)
		}
		f, err := opentype.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 300, Hinting: font.HintingNone})
		if err != nil {
			t.Fatal(err)
		}
		return face
	}
	mono := load("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 9.5)
	small := load("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 6.5)
	W, H := 1011, 638
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{236, 240, 238, 255}}, image.Point{}, draw.Src)
	text := func(f font.Face, s string, x, y int) {
		d := font.Drawer{Dst: img, Src: image.Black, Face: f, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	text(small, "Đặc điểm nhân dạng: Nốt ruồi C:2cm trên sau đầu mày phải", 360, 70)
	text(small, "Ngày, tháng, năm: 15/08/2021", 360, 110)
	draw.Draw(img, image.Rect(60, 40, 300, 300), &image.Uniform{color.RGBA{150, 150, 150, 255}}, image.Point{}, draw.Src)
	mrz := []string{
		"IDVNM0790123456001079012345<<4",
		"7901014M3901017VNM<<<<<<<<<<<8",
		"NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<",
	}
	for i, l := range mrz {
		text(mono, l, 45, 470+i*62)
	}
	return img, mrz
}

// An ID card back is read the right way up whichever way it lay on the glass: with little text,
// capitals and an MRZ, the preprocessing's up/down evidence is weak and Tesseract's orientation
// detection decides.
func TestCardBackOrientation(t *testing.T) {
	p := pipeline(t)
	card, mrz := cccdBack(t)
	for _, turned := range []bool{false, true} {
		var img image.Image = card
		if turned {
			img = rotateRGBA(card, 2)
		}
		r, err := p.Process(context.Background(), img, 300)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if turned {
			want = 180
		}
		t.Logf("turned %v: rotation %d upright %.2f verdict %v\n%s", turned, r.Rotation, r.Page.Upright, r.Verdict, r.Text)
		if r.Rotation != want {
			t.Errorf("turned %v: rotation %d, want %d", turned, r.Rotation, want)
		}
		got := strings.ReplaceAll(r.Text, " ", "")
		for _, l := range mrz[:2] {
			// Tesseract's vie model misreads a few OCR-B digits; upside down the line is lost.
			if cer := corpus.CER(l, bestLine(got, l)); cer > 0.25 {
				t.Errorf("turned %v: MRZ line %s read as %q (CER %.2f)", turned, l, bestLine(got, l), cer)
			}
		}
	}
}

// bestLine is the line of text closest to want.
func bestLine(text, want string) string {
	best, bc := "", 2.0
	for _, l := range strings.Split(text, "\n") {
		if c := corpus.CER(want, l); c < bc {
			best, bc = l, c
		}
	}
	return best
}

// Bad pages: each gets a clear outcome (an error in Vietnamese and English, or a flag a screen can
// show), the pages around them are read as usual, and nothing hangs.
func TestBadPages(t *testing.T) {
	p := pipeline(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	g, err := corpus.NewGenerator()
	if err != nil {
		t.Skip(err)
	}
	good, err := g.Render(corpus.CleanSpec(11))
	if err != nil {
		t.Fatal(err)
	}
	uniform := func(w, h int, v uint8) *image.Gray {
		m := image.NewGray(image.Rect(0, 0, w, h))
		for i := range m.Pix {
			m.Pix[i] = v
		}
		return m
	}
	// A "photo": smooth colour gradients with soft blobs, no text.
	photo := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	for y := 0; y < 900; y++ {
		for x := 0; x < 1200; x++ {
			dx, dy := float64(x-600), float64(y-450)
			blob := uint8(80 * math.Exp(-(dx*dx+dy*dy)/40000))
			photo.SetRGBA(x, y, color.RGBA{uint8(40 + x/8), uint8(60 + y/6), 200 - blob, 255})
		}
	}
	// with things in it: leaves, pebbles, a fence
	rnd := rand.New(rand.NewPCG(5, 6))
	for k := 0; k < 400; k++ {
		cx, cy, rad := rnd.IntN(1200), rnd.IntN(900), 3+rnd.IntN(25)
		c := color.RGBA{uint8(rnd.IntN(120)), uint8(60 + rnd.IntN(150)), uint8(rnd.IntN(90)), 255}
		for y := cy - rad; y <= cy+rad; y++ {
			for x := cx - rad; x <= cx+rad; x++ {
				if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= rad*rad {
					photo.SetRGBA(x, y, c)
				}
			}
		}
	}
	for x := 100; x < 1100; x += 70 {
		draw.Draw(photo, image.Rect(x, 500, x+12, 880), &image.Uniform{color.RGBA{90, 60, 30, 255}}, image.Point{}, draw.Src)
	}
	cases := []struct {
		name string
		img  image.Image
		dpi  float64
		flag preprocess.Flag // expected flag, or ""
		err  error           // expected error, or nil
	}{
		{"blank", uniform(2480, 3508, 250), 300, preprocess.BlankPage, nil},
		{"all black", uniform(2480, 3508, 5), 300, preprocess.TooDark, nil},
		{"photo", photo, 150, preprocess.NoText, nil},
		{"1x1", uniform(1, 1, 255), 300, "", preprocess.ErrEmptyImage},
		{"good", good.Image, good.DPI, "", nil},
	}
	for i, c := range cases {
		r, err := p.Process(ctx, c.img, c.dpi)
		err = OnPage(i+1, err)
		switch {
		case c.err != nil:
			if !errors.Is(err, c.err) {
				t.Errorf("%s: err = %v, want %v", c.name, err, c.err)
				continue
			}
			if msg := err.Error(); !strings.HasPrefix(msg, fmt.Sprintf("trang %d (page %d): ", i+1, i+1)) || !strings.Contains(msg, "ảnh rỗng") {
				t.Errorf("%s: message %q does not name the page in Vietnamese", c.name, msg)
			}
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.flag != "":
			if !r.Page.Has(c.flag) {
				t.Errorf("%s: flags %v, want %s; text %q", c.name, r.Page.Flags, c.flag, r.Text)
			}
			if c.flag != preprocess.NoText && r.Text != "" {
				t.Errorf("%s: text %q from a page without text", c.name, r.Text)
			}
		default:
			// read as it is read alone: the bad pages before it changed nothing
			alone, err := p.Process(ctx, good.Image, good.DPI)
			if err != nil {
				t.Fatal(err)
			}
			if alone.Text != r.Text {
				t.Errorf("good page reads differently after the bad ones:\n%s\n---\n%s", r.Text, alone.Text)
			}
			if cer := corpus.CER(good.Truth, r.Text); cer > 0.15 || r.Page.Has(preprocess.NoText) {
				t.Errorf("good page after the bad ones: CER %.3f, flags %v\n%s\n---\n%s", cer, r.Page.Flags, r.Text, good.Truth)
			}
		}
	}
	// A truncated JPEG fails to decode (drivers/imagefile); the error names its page.
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, good.Image, nil); err != nil {
		t.Fatal(err)
	}
	_, err = jpeg.Decode(bytes.NewReader(buf.Bytes()[:buf.Len()/2]))
	if err == nil {
		t.Fatal("truncated JPEG decoded")
	}
	if msg := OnPage(3, err).Error(); !strings.HasPrefix(msg, "trang 3 (page 3): ") {
		t.Errorf("truncated JPEG: %q", msg)
	}
	if OnPage(1, nil) != nil {
		t.Error("OnPage(nil) is not nil")
	}
}
