package engine

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/otiai10/gosseract/v2"
	"github.com/tramso/tramso/ocr/corpus"
	"github.com/tramso/tramso/ocr/preprocess"
)

func TestPoolRecognizesVietnamese(t *testing.T) {
	crop := topOfPage(t, 3) // the top third of the page keeps the test quick
	p := NewPool(Options{Size: 64})
	defer p.Close()
	if p.Size() > runtime.NumCPU() {
		t.Errorf("pool of %d engines on %d CPUs", p.Size(), runtime.NumCPU())
	}
	res, err := p.Recognize(context.Background(), crop, 300)
	if err != nil {
		t.Fatal(err)
	}
	text := res.Text()
	if !strings.Contains(text, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") || !strings.Contains(text, "Độc lập - Tự do - Hạnh phúc") {
		t.Errorf("text:\n%s", text)
	}
	if len(res.Words) < 10 || res.Words[0].Text != "CỘNG" || res.Words[0].Conf < 80 {
		t.Errorf("%d words, first %+v", len(res.Words), res.Words[0])
	}
	for _, w := range res.Words {
		if w.Box.Empty() || w.Low != (w.Conf < 60) {
			t.Errorf("word %+v", w)
		}
	}
	// The engine is reused: a second page on the same pool works.
	if _, err := p.Recognize(context.Background(), crop, 300); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := p.Recognize(context.Background(), crop, 300); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestMissingLanguage(t *testing.T) {
	p := NewPool(Options{Languages: []string{"xx_nonexistent"}, Size: 1})
	defer p.Close()
	img := image.NewGray(image.Rect(0, 0, 50, 50))
	if _, err := p.Recognize(context.Background(), img, 300); !errors.Is(err, ErrEngine) {
		t.Errorf("err = %v, want ErrEngine", err)
	}
}

// TestOneOpenMPThreadPerEngine: recognition on any OS thread holds OpenMP to that thread. Left at
// its default, Tesseract's LSTM fans out to several threads from each engine and the engines spin
// against each other on the cores. The thread the test runs on is first given OpenMP's
// multi-threaded defaults (four threads, one active level), whatever the machine's cores and
// whichever thread the Go runtime picked: a thread an earlier recognition already held to one
// thread, or a one-core machine, would otherwise prove nothing. (Counting the process's threads in
// /proc/self/task was tried: libgomp keeps and tears down worker pools per thread asynchronously,
// so the count moves with earlier recognitions and does not show a regression reliably.)
func TestOneOpenMPThreadPerEngine(t *testing.T) {
	crop := topOfPage(t, 6) // text, so that the LSTM runs
	p := NewPool(Options{Size: 1})
	defer p.Close()
	type outcome struct {
		threads, levels int
		err             error
	}
	done := make(chan outcome)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread goes when the goroutine ends
		manyThreadsOpenMP(4)
		var o outcome
		if ompMaxThreads() != 4 || ompMaxActiveLevels() != 1 {
			o.err = fmt.Errorf("could not give the thread OpenMP's defaults: %d threads, %d levels", ompMaxThreads(), ompMaxActiveLevels())
			done <- o
			return
		}
		_, o.err = p.Recognize(context.Background(), crop, 300)
		o.threads, o.levels = ompMaxThreads(), ompMaxActiveLevels()
		done <- o
	}()
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	if o.threads != 1 || o.levels != 0 {
		t.Errorf("OpenMP on the engine's thread after recognition: %d threads, %d active levels; want 1, 0", o.threads, o.levels)
	}
}

func TestPBM(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 10, 2))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	g.Pix[0], g.Pix[9], g.Pix[10+8] = 0, 0, 0
	b, ok := PBM(g)
	want := "P4\n10 2\n\x80\x40\x00\x80"
	if !ok || string(b) != want {
		t.Errorf("PBM = %q, %v; want %q", b, ok, want)
	}
	g.Pix[5] = 128
	if _, ok := PBM(g); ok {
		t.Error("grey image encoded as a bitmap")
	}
	// A sub-image is encoded by its own rows.
	sub := g.SubImage(image.Rect(8, 1, 10, 2)).(*image.Gray)
	if b, ok := PBM(sub); !ok || string(b) != "P4\n2 1\n\x80" {
		t.Errorf("sub-image: %q, %v", b, ok)
	}
}

// The page segmentation mode holds from an engine's first page on (a mode set before Tesseract's
// Init used to be lost, and fresh engines read every page as one block), and a mode asked for one
// page does not stick to the next.
func TestPoolPageSegMode(t *testing.T) {
	crop := topOfPage(t, 4)
	lines := func(r *Result) int {
		seen := map[[3]int]bool{}
		for _, w := range r.Words {
			seen[[3]int{w.Block, w.Par, w.Line}] = true
		}
		return len(seen)
	}
	p := NewPool(Options{Size: 1, PSM: gosseract.PSM_SINGLE_LINE})
	defer p.Close()
	ctx := context.Background()
	for i, psm := range []gosseract.PageSegMode{0, gosseract.PSM_AUTO, 0} {
		var res *Result
		var err error
		if psm == 0 {
			res, err = p.Recognize(ctx, crop, 300)
		} else {
			res, err = p.RecognizeMode(ctx, crop, 300, psm)
		}
		if err != nil {
			t.Fatal(err)
		}
		n := lines(res)
		if psm == 0 && n > 1 || psm != 0 && n < 2 { // one line at most: a single-line read of a page finds nothing
			t.Errorf("page %d (mode %d): %d lines read:\n%s", i+1, psm, n, res.Text())
		}
	}
}

// topOfPage renders a generated Vietnamese page (seed 5, 300 dpi) and returns its top 1/part as a
// grey image of its own; it skips when Tesseract's Vietnamese data or the fonts are missing.
func topOfPage(t *testing.T, part int) *image.Gray {
	t.Helper()
	if _, err := os.Stat("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata"); err != nil {
		t.Skip("tesseract-ocr-vie not installed")
	}
	g, err := corpus.NewGenerator()
	if err != nil {
		t.Skip(err)
	}
	pg, err := g.Render(corpus.Spec{Seed: 5, DPI: 300})
	if err != nil {
		t.Fatal(err)
	}
	gray, _ := preprocess.Gray(pg.Image)
	top := gray.SubImage(image.Rect(0, 0, gray.Rect.Dx(), gray.Rect.Dy()/part)).(*image.Gray)
	crop := image.NewGray(image.Rect(0, 0, top.Rect.Dx(), top.Rect.Dy()))
	for y := 0; y < crop.Rect.Dy(); y++ {
		copy(crop.Pix[y*crop.Stride:], top.Pix[y*top.Stride:y*top.Stride+crop.Rect.Dx()])
	}
	return crop
}
