package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/imagefile"
	"github.com/tramso/tramso/ocr/corpus"
	"github.com/tramso/tramso/ocr/pdf"
)

// TestMain lets the test binary act as the PDF rendering child, as kioskctl itself does.
func TestMain(m *testing.M) {
	if served, code := pdf.ServeChild(); served {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func TestOCRBatchWithCorruptInputs(t *testing.T) {
	if _, err := os.Stat("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata"); err != nil {
		t.Skip("tesseract-ocr-vie not installed")
	}
	g, err := corpus.NewGenerator()
	if err != nil {
		t.Skip(err)
	}
	page, err := g.Render(corpus.Spec{Seed: 42, DPI: 150, Skew: 2.5, Noise: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var png bytes.Buffer
	if err := imagefile.EncodePNG(&png, page.Image, page.DPI); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.png")
	os.WriteFile(good, png.Bytes(), 0o644)
	badImg := filepath.Join(dir, "bad.jpg")
	os.WriteFile(badImg, []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F'}, 0o644)
	badPDF := filepath.Join(dir, "bad.pdf")
	os.WriteFile(badPDF, []byte("%PDF-1.7\n1 0 obj garbage"), 0o644)
	// A PDF of one blank page, read back through the isolated renderer.
	blank := filepath.Join(dir, "blank.pdf")
	var bp bytes.Buffer
	white := whitePage(620, 877)
	pdf.Write(&bp, []pdf.Page{{Image: white, Encoding: pdf.G4, DPI: 75}}, pdf.Info{})
	os.WriteFile(blank, bp.Bytes(), 0o644)

	out := filepath.Join(dir, "out.pdf")
	txt := filepath.Join(dir, "out.txt")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code, stdout, stderr := kioskctl(t, ctx, nil, "ocr", "--json", "--pdf", out, "--text", txt, good, badImg, badPDF, blank)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a page failed); stderr %s", code, stderr)
	}
	if !strings.Contains(stderr, "bad.jpg") || !strings.Contains(stderr, "bad.pdf") || !strings.Contains(stderr, "(corrupt") {
		t.Errorf("stderr does not name the corrupt files: %s", stderr)
	}
	var res struct {
		Pages []struct {
			Input      string
			Angle      float64
			Confidence float64
			Flags      []struct{ Code, VI, EN string }
			Text       string
			Error      string
		}
		Failed int
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("json: %v\n%s", err, stdout)
	}
	if len(res.Pages) != 4 || res.Failed != 2 {
		t.Fatalf("%d pages, %d failed: %s", len(res.Pages), res.Failed, stdout)
	}
	p0 := res.Pages[0]
	if p0.Error != "" || p0.Angle < 2.4 || p0.Angle > 2.6 || p0.Confidence < 70 {
		t.Errorf("good page: %+v", p0)
	}
	if cer := corpus.CER(page.Truth, p0.Text); cer > 0.05 {
		t.Errorf("good page CER %.3f", cer)
	}
	if res.Pages[3].Error != "" || len(res.Pages[3].Flags) == 0 || res.Pages[3].Flags[0].VI != "trang trắng" {
		t.Errorf("blank PDF page: %+v", res.Pages[3])
	}
	text, _ := os.ReadFile(txt)
	if n := strings.Count(string(text), "\f"); n != 1 {
		t.Errorf("text file has %d form feeds, want 1 (2 pages)", n)
	}
	if _, err := exec.LookPath("pdfinfo"); err == nil {
		info, err := exec.Command("pdfinfo", out).Output()
		if err != nil || !strings.Contains(strings.Join(strings.Fields(string(info)), " "), "Pages: 2") {
			t.Errorf("output PDF: %v\n%s", err, info)
		}
	}
}

func TestOCRUsage(t *testing.T) {
	if code, _, _ := kioskctl(t, context.Background(), nil, "ocr"); code != 2 {
		t.Errorf("no inputs: exit %d, want 2", code)
	}
}

func whitePage(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	return g
}
