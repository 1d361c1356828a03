// Package ocr turns scanned pages into text and searchable PDFs: preprocessing (ocr/preprocess),
// Tesseract through a bounded pool of engines (ocr/engine), the PDF writer and isolated PDF reader
// (ocr/pdf) and field extraction (ocr/fields). Pipeline ties them together for one page at a time;
// callers run as many pages concurrently as Pipeline.Parallelism says.
package ocr

import (
	"context"
	"github.com/otiai10/gosseract/v2"
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
	// RetryBelow is the reading quality (Verdict.Quality, 0–1) under which a page is read a second
	// time from the page as scanned (preprocess.Page.Plain, thresholded by Tesseract); the better
	// reading is kept. Default 0.9.
	RetryBelow float64
	// CoverBelow is the share of the page's ink (ruled lines not counted) inside recognised words
	// (Verdict.Coverage) under which the page is read again with Tesseract's layout analysis;
	// default 0.8.
	CoverBelow float64
	// SureUpright is the preprocessing's upright score (preprocess.Page.Upright) under which
	// Tesseract's orientation detection is asked for a second opinion; default 0.12.
	SureUpright float64
	// OSDConfidence is the orientation confidence from which Tesseract's opinion is taken;
	// default 1.5.
	OSDConfidence float64
}

// Pipeline runs preprocessing and OCR on pages. It is safe for concurrent use.
type Pipeline struct {
	pool *engine.Pool
	opt  Options
	cls  *engine.Classifier // read only after New
}

// New creates a pipeline with its engine pool.
func New(opt Options) *Pipeline {
	if opt.RetryBelow <= 0 {
		opt.RetryBelow = 0.9
	}
	if opt.CoverBelow <= 0 {
		opt.CoverBelow = 0.8
	}
	if opt.SureUpright <= 0 {
		opt.SureUpright = 0.12
	}
	if opt.OSDConfidence <= 0 {
		opt.OSDConfidence = 1.5
	}
	return &Pipeline{pool: engine.NewPool(opt.Engine), opt: opt, cls: engine.NewClassifier()}
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
	Verdict    Verdict // how the text was judged and which reading was kept
}

// Process preprocesses and OCRs one page of the given resolution (0 when unknown). Blank pages
// are not sent to Tesseract.
func (p *Pipeline) Process(ctx context.Context, img image.Image, dpi float64) (*Result, error) {
	t0 := time.Now()
	pg, err := preprocess.Process(ctx, img, dpi, p.opt.Preprocess)
	if err != nil {
		return nil, pageError(err)
	}
	r, err := p.ProcessPage(ctx, pg)
	if r != nil {
		r.Preprocess = time.Since(t0) - r.Recognize
	}
	return r, err
}

// ProcessPage OCRs a page already preprocessed (preprocess.Process with the pipeline's options),
// for callers that decode and preprocess a page once for several uses. It may turn pg over (and
// updates pg.Turns) when the page turns out to be upside down, and it drops pg.Plain.
func (p *Pipeline) ProcessPage(ctx context.Context, pg *preprocess.Page) (*Result, error) {
	r := &Result{Page: pg, Angle: pg.Skew, Rotation: 90 * pg.Turns, Verdict: Verdict{Reading: ReadNone}}
	defer func() { pg.Plain = nil }() // only needed for the readings here
	if pg.Has(preprocess.BlankPage) {
		return r, nil
	}
	t1 := time.Now()
	defer func() { r.Recognize = time.Since(t1) }()

	// Orientation: when the preprocessing's up/down evidence is weak (little text, capitals only,
	// an ID card or an MRZ) or it turned the page (upside-down pages are rare, and a wrong turn
	// costs the whole page), Tesseract's orientation detection is asked. When it agrees the page
	// is read once; when it disagrees or cannot tell, the page is read both ways and the reading
	// with more plausible text wins (OSD alone is wrong on some cards).
	turns := []int{0}
	if pg.Upright < p.opt.SureUpright || pg.Turns != 0 {
		o, err := p.pool.DetectOrientation(ctx, halve(pg.Binary), pg.DPI/2)
		switch {
		case err == nil && o.Confidence >= p.opt.OSDConfidence && o.Turns == 0:
			r.Verdict.OSD = true
		case err == nil && o.Turns != 0:
			turns = append(turns, o.Turns)
		default:
			turns = append(turns, 2)
		}
	}
	// The cleaned page is read as one block of text (Tesseract's PSM 6): on a cleaned, deskewed
	// page it keeps the lines whole and in order, and the thresholds below were tuned on it.
	ocrImg := pg.Binary
	var best *reading
	bestTurn := 0
	for _, t := range turns {
		img := ocrImg
		if t != 0 {
			img = preprocess.Rotate90(ocrImg, t)
		}
		rd, err := p.read(ctx, img, pg.DPI, ReadCleaned, gosseract.PSM_SINGLE_BLOCK)
		if err != nil {
			return nil, err
		}
		if best == nil || rd.score > best.score {
			best, bestTurn = rd, t
		}
	}
	if bestTurn != 0 {
		turnPage(pg, bestTurn)
	}
	// Text the reading missed: read as one block, a ruled table or a page with columns loses its
	// cells. The rules' own ink counts as missed here, so a page with a table is checked again
	// without them; when the words still miss a good part of the ink, the page is read again with
	// Tesseract's layout analysis (PSM 3), which finds the table's cells.
	r.Verdict.Coverage = coverage(pg.Binary, best.words)
	if r.Verdict.Coverage < p.opt.CoverBelow {
		if noRules := preprocess.RemoveRules(pg.Binary, int(pg.DPI/4), max(2, int(pg.DPI/30))); noRules != nil {
			r.Verdict.Coverage = coverage(noRules, best.words)
		}
	}
	if r.Verdict.Coverage < p.opt.CoverBelow {
		r.Verdict.Doubtful = true
		alt, err := p.read(ctx, pg.Binary, pg.DPI, ReadLayout, gosseract.PSM_AUTO)
		if err != nil {
			return nil, err
		}
		if alt.ranked() > best.ranked() {
			best = alt
		}
	}
	if (r.Verdict.Doubtful || best.quality < p.opt.RetryBelow) && pg.Plain != nil {
		r.Verdict.Doubtful = true
		// The cleaning may have hurt: read the page as scanned, thresholded by Tesseract itself and
		// with its own layout analysis, as raw Tesseract reads it. The verdict cannot see every
		// misreading (a table's cells read in another order score the same), so when it is unsure
		// the reading closest to raw Tesseract's is kept: the others must rank clearly higher.
		alt, err := p.read(ctx, pg.Plain, pg.SourceDPI, ReadPlain, gosseract.PSM_AUTO)
		if err != nil {
			return nil, err
		}
		if alt.ranked()*plainMargin >= best.ranked() {
			for i := range alt.words {
				alt.words[i].Box = pg.FromPlain(alt.words[i].Box)
			}
			best = alt
		}
	}
	if best.good < 10 && !pg.Has(preprocess.NoText) {
		pg.Flags = append(pg.Flags, preprocess.NoText)
	}
	r.Rotation = 90 * pg.Turns
	r.Words, r.Confidence = best.words, best.conf
	r.Text = engine.WordsText(best.words)
	r.Verdict.Reading, r.Verdict.Quality, r.Verdict.Dropped = best.reading, best.quality, best.dropped
	return r, nil
}

// plainMargin is how much higher than the plain reading (the page as scanned, as raw Tesseract
// reads it) another reading of a doubtful page must rank to be kept instead (chosen on the tuning
// seeds: the readings that were rightly preferred ranked 15 % and more above the plain one).
const plainMargin = 1.1

// reading is one OCR of a page with its judgement.
type reading struct {
	reading Reading
	words   []engine.Word
	conf    float64
	quality float64 // share of the text in plausible tokens, weighted by confidence
	score   float64 // plausible characters (confidence weighted) less half the junk characters
	good    float64 // plausible characters, confidence weighted
	dropped int
	back    float64 // share of line changes that go back up the page (reading out of order)
}

// ranked is the score by which two readings of a page are compared: the plausible text, less a
// share for every line change that goes back up the page. Text read column by column or block by
// block out of order scores as much as the same text read row by row, but its order is wrong.
func (rd *reading) ranked() float64 { return rd.score * (1 - 2*rd.back) }

func (p *Pipeline) read(ctx context.Context, img *image.Gray, dpi float64, kind Reading, psm gosseract.PageSegMode) (*reading, error) {
	res, err := p.pool.RecognizeMode(ctx, img, dpi, psm)
	if err != nil {
		return nil, err
	}
	rd := &reading{reading: kind}
	rd.words, rd.dropped = dropJunk(res.Words, p.cls, img.Rect)
	rd.conf, rd.quality, rd.score, rd.good = judge(rd.words, p.cls)
	rd.back = backJumps(rd.words)
	return rd, nil
}

// turnPage turns a preprocessed page by quarter turns clockwise.
func turnPage(pg *preprocess.Page, turns int) {
	turns = (turns%4 + 4) % 4
	if turns == 0 {
		return
	}
	pg.Binary = preprocess.Rotate90(pg.Binary, turns)
	if pg.Gray != nil {
		pg.Gray = preprocess.Rotate90(pg.Gray, turns)
		pg.Bounds = pg.Gray.Rect
	}
	if pg.Plain != nil {
		pg.Plain = preprocess.Rotate90(pg.Plain, turns)
	}
	if pg.Colour != nil {
		pg.Colour = rotateRGBA(pg.Colour, turns)
	}
	pg.Turns = (pg.Turns + turns) % 4
}

// rotateRGBA turns m by quarter turns clockwise.
func rotateRGBA(m *image.RGBA, turns int) *image.RGBA {
	W, H := m.Rect.Dx(), m.Rect.Dy()
	if turns%2 == 0 {
		out := image.NewRGBA(image.Rect(0, 0, W, H))
		n := W * H
		for i := 0; i < n; i++ {
			copy(out.Pix[4*(n-1-i):4*(n-i)], m.Pix[4*i:4*i+4])
		}
		return out
	}
	out := image.NewRGBA(image.Rect(0, 0, H, W))
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			var dx, dy int
			if turns == 1 {
				dx, dy = H-1-y, x
			} else {
				dx, dy = y, W-1-x
			}
			copy(out.Pix[dy*out.Stride+4*dx:dy*out.Stride+4*dx+4], m.Pix[y*m.Stride+4*x:y*m.Stride+4*x+4])
		}
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

// Pool is the pipeline's engine pool, for a caller that also wants raw recognitions or
// orientation detection on the same engines.
func (p *Pipeline) Pool() *engine.Pool { return p.pool }

// halve brings a bilevel page to half its resolution (a pixel is ink when two of its four source
// pixels are): orientation detection needs no more, and takes a quarter of the time.
func halve(b *image.Gray) *image.Gray {
	W, H := b.Rect.Dx()/2, b.Rect.Dy()/2
	out := image.NewGray(image.Rect(0, 0, W, H))
	for y := 0; y < H; y++ {
		r0 := b.Pix[2*y*b.Stride:]
		r1 := b.Pix[(2*y+1)*b.Stride:]
		o := out.Pix[y*out.Stride:]
		for x := 0; x < W; x++ {
			n := 0
			for _, v := range [4]uint8{r0[2*x], r0[2*x+1], r1[2*x], r1[2*x+1]} {
				if v == 0 {
					n++
				}
			}
			if n >= 2 {
				o[x] = 0
			} else {
				o[x] = 255
			}
		}
	}
	return out
}

// coverage is the share of the ink of a bilevel page (on a coarse grid) that lies inside the boxes
// of recognised words: low when Tesseract skipped a block of text.
func coverage(b *image.Gray, words []engine.Word) float64 {
	const cell = 8
	W, H := b.Rect.Dx(), b.Rect.Dy()
	gw, gh := (W+cell-1)/cell, (H+cell-1)/cell
	covered := make([]bool, gw*gh)
	for _, w := range words {
		r := w.Box.Inset(-cell).Intersect(b.Rect)
		for y := r.Min.Y / cell; y <= (r.Max.Y-1)/cell && y < gh; y++ {
			for x := r.Min.X / cell; x <= (r.Max.X-1)/cell && x < gw; x++ {
				covered[y*gw+x] = true
			}
		}
	}
	var in, all int
	for y := 0; y < H; y++ {
		row := b.Pix[y*b.Stride : y*b.Stride+W]
		g := (y / cell) * gw
		for x, v := range row {
			if v == 0 {
				all++
				if covered[g+x/cell] {
					in++
				}
			}
		}
	}
	if all == 0 {
		return 1
	}
	return float64(in) / float64(all)
}

// backJumps is the share of line changes in a reading whose new line ends above the middle of
// the line before: a single-column page read in order has none.
func backJumps(words []engine.Word) float64 {
	var n, back int
	var y0, y1 int
	for i, w := range words {
		if i > 0 && words[i-1].Block == w.Block && words[i-1].Par == w.Par && words[i-1].Line == w.Line {
			y0, y1 = min(y0, w.Box.Min.Y), max(y1, w.Box.Max.Y)
			continue
		}
		if i > 0 {
			n++
			if w.Box.Max.Y < (y0+y1)/2 {
				back++
			}
		}
		y0, y1 = w.Box.Min.Y, w.Box.Max.Y
	}
	if n == 0 {
		return 0
	}
	return float64(back) / float64(n)
}
