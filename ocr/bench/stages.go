package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tramso/tramso/drivers/imagefile"
	"github.com/tramso/tramso/ocr"
	"github.com/tramso/tramso/ocr/corpus"
	"github.com/tramso/tramso/ocr/engine"
	"github.com/tramso/tramso/ocr/pdf"
	"github.com/tramso/tramso/ocr/preprocess"
)

// threadCPU is the CPU time (user and system) the calling OS thread has used.
func threadCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// stageTimes is the CPU time of each stage of one page.
type stageTimes struct {
	decode, preprocess, recognize, pdf time.Duration
}

// runStages runs the pipeline's stages on each page in turn on this thread with one engine, and
// prints the CPU time of every stage: what each page costs whatever else the machine is doing.
func runStages(inputs, truths []string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pool := engine.NewPool(engine.Options{Size: 1})
	defer pool.Close()
	ctx := context.Background()
	// The first recognition loads the language data; keep it out of the page figures.
	warm := imageWhite(200, 100)
	if _, err := pool.Recognize(ctx, warm, 300); err != nil {
		return err
	}
	fmt.Printf("\n%-14s %8s %8s %8s %8s %8s %7s\n", "page (CPU ms)", "decode", "prepro", "tess", "pdf", "total", "CER")
	var sum stageTimes
	for i, in := range inputs {
		var st stageTimes
		b, err := os.ReadFile(in)
		if err != nil {
			return err
		}
		c0 := threadCPU()
		img, dpi, err := imagefile.Decode(b, imagefile.MaxPixels)
		if err != nil {
			return err
		}
		c1 := threadCPU()
		pg, err := preprocess.Process(ctx, img, dpi, preprocess.Options{})
		if err != nil {
			return err
		}
		c2 := threadCPU()
		res, err := pool.Recognize(ctx, pg.Binary, pg.DPI)
		if err != nil {
			return err
		}
		c3 := threadCPU()
		var out bytes.Buffer
		if err := pdf.Write(&out, []pdf.Page{{Image: pg.Binary, Encoding: pdf.G4, DPI: pg.DPI}}, pdf.Info{}); err != nil {
			return err
		}
		c4 := threadCPU()
		st = stageTimes{c1 - c0, c2 - c1, c3 - c2, c4 - c3}
		sum.decode += st.decode
		sum.preprocess += st.preprocess
		sum.recognize += st.recognize
		sum.pdf += st.pdf
		fmt.Printf("%-14s %8d %8d %8d %8d %8d %7.3f\n", fmt.Sprintf("%d (%.0f dpi)", i+1, dpi), st.decode.Milliseconds(), st.preprocess.Milliseconds(),
			st.recognize.Milliseconds(), st.pdf.Milliseconds(), (c4 - c0).Milliseconds(), corpus.CER(truths[i], res.Text()))
	}
	fmt.Printf("%-14s %8d %8d %8d %8d %8d\n", "all pages", sum.decode.Milliseconds(), sum.preprocess.Milliseconds(),
		sum.recognize.Milliseconds(), sum.pdf.Milliseconds(), (sum.decode + sum.preprocess + sum.recognize + sum.pdf).Milliseconds())
	return nil
}

// imageWhite is a blank page of w×h pixels.
func imageWhite(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	return g
}

// runInProcess runs the pipeline in this process, as many pages at a time as it allows, the way
// kioskctl ocr does: for tuning while kioskctl cannot be built, and to see each page's verdict.
func runInProcess(inputs, truths []string, verbose bool) outcome {
	o := outcome{name: "ocr.Pipeline (in process)", cer: make([]float64, len(inputs))}
	p := ocr.New(ocr.Options{})
	defer p.Close()
	ctx := context.Background()
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	c0 := processCPU()
	for w := 0; w < p.Parallelism(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				b, err := os.ReadFile(inputs[i])
				if err == nil {
					var img image.Image
					var dpi float64
					img, dpi, err = imagefile.Decode(b, imagefile.MaxPixels)
					if err == nil {
						var r *ocr.Result
						r, err = p.Process(ctx, img, dpi)
						if err == nil {
							var out bytes.Buffer
							err = pdf.Write(&out, []pdf.Page{ocr.PDFPage(r)}, pdf.Info{})
							mu.Lock()
							o.bytes += int64(out.Len())
							o.cer[i] = corpus.CER(truths[i], r.Text)
							if verbose {
								fmt.Printf("  %s: CER %.3f rot %d conf %.1f %s\n", filepath.Base(inputs[i]), o.cer[i], r.Rotation, r.Confidence, r.Verdict)
							}
							mu.Unlock()
						}
					}
				}
				if err != nil {
					mu.Lock()
					o.err = err
					mu.Unlock()
				}
			}
		}()
	}
	for i := range inputs {
		next <- i
	}
	close(next)
	wg.Wait()
	o.wall = time.Since(start)
	o.cpu = processCPU() - c0
	return o
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
