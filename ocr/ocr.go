// Package ocr turns scanned pages into text and searchable PDFs: preprocessing (ocr/preprocess),
// Tesseract through a bounded pool of engines (ocr/engine), the PDF writer and isolated PDF reader
// (ocr/pdf) and field extraction (ocr/fields). Pipeline ties them together for one page at a time;
// callers run as many pages concurrently as Pipeline.Parallelism says.
package ocr

import (
	"context"
	"image"
	"time"

	"github.com/tramso/tramso/ocr/engine"
	"github.com/tramso/tramso/ocr/pdf"
	"github.com/tramso/tramso/ocr/preprocess"
)

// Options configure a Pipeline.
type Options struct {
	Engine     engine.Options
	Preprocess preprocess.Options
	// RetryBelow is the page confidence under which a page whose up and down preprocessing could
	// not tell (preprocess.SureUpright) is also read turned by 180° and the better reading kept;
	// default 55.
	RetryBelow float64
}

// Pipeline runs preprocessing and OCR on pages. It is safe for concurrent use.
type Pipeline struct {
	pool *engine.Pool
	opt  Options
}

// New creates a pipeline with its engine pool.
func New(opt Options) *Pipeline {
	if opt.RetryBelow <= 0 {
		opt.RetryBelow = 55
	}
	return &Pipeline{pool: engine.NewPool(opt.Engine), opt: opt}
}

// Parallelism is the number of pages worth processing at the same time.
func (p *Pipeline) Parallelism() int { return p.pool.Size() }

// Close frees the engines.
func (p *Pipeline) Close() error { return p.pool.Close() }

// Result is one processed page.
type Result struct {
	Page       *preprocess.Page
	Words      []engine.Word
	Text       string
	Confidence float64
	Rotation   int     // degrees clockwise applied to make the page upright: 0, 90, 180 or 270
	Angle      float64 // skew removed, degrees counter-clockwise
	Preprocess time.Duration
	Recognize  time.Duration
}

// Process preprocesses and OCRs one page of the given resolution (0 when unknown). Blank pages
// are not sent to Tesseract.
func (p *Pipeline) Process(ctx context.Context, img image.Image, dpi float64) (*Result, error) {
	t0 := time.Now()
	pg, err := preprocess.Process(ctx, img, dpi, p.opt.Preprocess)
	if err != nil {
		return nil, err
	}
	r := &Result{Page: pg, Angle: pg.Skew, Rotation: 90 * pg.Turns, Preprocess: time.Since(t0)}
	if pg.Has(preprocess.BlankPage) {
		return r, nil
	}
	t1 := time.Now()
	res, err := p.pool.Recognize(ctx, pg.Binary, pg.DPI)
	if err != nil {
		return nil, err
	}
	// Preprocessing has turned the page upright; only when it could not tell up from down (little
	// text) and the reading is poor is the page read a second time, turned over.
	if pg.Upright < preprocess.SureUpright && res.Confidence < p.opt.RetryBelow {
		flipped := preprocess.Rotate90(pg.Binary, 2)
		alt, err := p.pool.Recognize(ctx, flipped, pg.DPI)
		if err != nil {
			return nil, err
		}
		if alt.Confidence > res.Confidence+5 {
			res = alt
			pg.Binary = flipped
			pg.Gray = preprocess.Rotate90(pg.Gray, 2)
			if pg.Colour != nil {
				pg.Colour = rotateRGBA180(pg.Colour)
			}
			pg.Turns = (pg.Turns + 2) % 4
			r.Rotation = (r.Rotation + 180) % 360
		}
	}
	r.Recognize = time.Since(t1)
	r.Words, r.Text, r.Confidence = res.Words, res.Text(), res.Confidence
	return r, nil
}

func rotateRGBA180(m *image.RGBA) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	n := len(m.Pix) / 4
	for i := 0; i < n; i++ {
		copy(out.Pix[4*(n-1-i):4*(n-i)], m.Pix[4*i:4*i+4])
	}
	return out
}

// PDFPage makes the searchable PDF page of a result: the cleaned bilevel image in CCITT G4 for text
// pages, JPEG for pages carrying colour, with the words as the invisible text layer.
func PDFPage(r *Result) pdf.Page {
	pg := r.Page
	p := pdf.Page{Image: pg.Binary, Encoding: pdf.G4, DPI: pg.DPI}
	if pg.Colour != nil {
		p.Image, p.Encoding = pg.Colour, pdf.JPEG
	}
	for _, w := range r.Words {
		p.Words = append(p.Words, pdf.Word{Text: w.Text, Box: w.Box, Line: w.Block<<20 | w.Par<<10 | w.Line})
	}
	return p
}
