package ocr

import (
	"bytes"
	"context"
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
