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
	// time from the page as scanned (preprocess.Page.Scanned, in colour, as raw Tesseract reads
	// it); the better reading is kept. Default 0.9.
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
// updates pg.Turns) when the page turns out to be upside down, and it drops pg.Scanned.
func (p *Pipeline) ProcessPage(ctx context.Context, pg *preprocess.Page) (*Result, error) {
	r := &Result{Page: pg, Angle: pg.Skew, Rotation: 90 * pg.Turns, Verdict: Verdict{Reading: ReadNone}}
	defer func() { pg.Scanned = nil }() // only needed for the readings here
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
	cleaned := best
	var layout *reading
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
		layout = alt
		best = choose(best, alt, nil, p.cls)
	}
	if (r.Verdict.Doubtful || best.quality < p.opt.RetryBelow) && pg.Scanned != nil {
		r.Verdict.Doubtful = true
		// The cleaning may have hurt: read the page as scanned, as raw Tesseract reads it (the
		// decoded image, in colour, only turned upright; Tesseract's own grey, thresholding, layout
		// analysis and inverted retry). Readings are ranked by
		// their plausible text less the text they took out of the page's order (outOfOrder: a table
		// read by columns or cells, a heading by blocks). The verdict cannot see every misreading,
		// so when it is unsure the reading closest to raw Tesseract's is kept: the others must rank
		// clearly higher.
		alt, err := p.readScanned(ctx, pg)
		if err != nil {
			return nil, err
		}
		if layout != nil {
			best = choose(cleaned, layout, alt, p.cls)
		} else {
			best = choose(cleaned, nil, alt, p.cls)
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

// coverWeight is what each character of plausible text (confidence weighted) costs a reading when
// another reading of the same page has it where this one has no text at all (missed), on top of
// the score the other reading already has for it. On the tuning seeds no choice changes between 1
// and 2, nor from the ranking without it: the readings of those pages that leave text out are also
// the ones that rank lower, or are filled (fillMissed); 1 is the smaller.
const coverWeight = 1.0

// choose keeps one of a doubtful page's readings: the cleaned page's, the layout analysis' (nil
// when not made) and the page as scanned's (nil when not made). Each is ranked by its own text
// (ranked) less coverWeight times the text another reading found where it has none (missed, the
// most of any other reading); the better of the cleaned and layout readings is kept, and the plain
// reading instead unless it ranks more than plainMargin below. The reading kept then gets the lines
// the others found where it has none (fillMissed), and is judged again with them.
func choose(cleaned, layout, plain *reading, cls *engine.Classifier) *reading {
	all := make([]*reading, 0, 3)
	for _, rd := range []*reading{cleaned, layout, plain} {
		if rd != nil {
			all = append(all, rd)
		}
	}
	adjusted := func(rd *reading) float64 {
		var lost float64
		for _, o := range all {
			if o != rd {
				lost = max(lost, missed(rd.lines, o.lines))
			}
		}
		return rd.ranked() - coverWeight*lost
	}
	best := cleaned
	if layout != nil && adjusted(layout) > adjusted(cleaned) {
		best = layout
	}
	if plain != nil {
		p, b := adjusted(plain), adjusted(best)
		if p*plainMargin >= b {
			best = plain
		}
	}
	var others [][]engine.Word
	for _, o := range all {
		if o != best {
			others = append(others, o.words)
		}
	}
	words, n := fillMissed(best.words, others, cls)
	if n == 0 {
		return best
	}
	filled := *best
	filled.words = words
	filled.conf, filled.quality, filled.score, filled.good = judge(words, cls)
	filled.moved = outOfOrder(words, cls)
	filled.lines = textLines(words, cls)
	return &filled
}

// reading is one OCR of a page with its judgement.
type reading struct {
	reading Reading
	words   []engine.Word
	conf    float64
	quality float64 // share of the text in plausible tokens, weighted by confidence
	score   float64 // plausible characters (confidence weighted) less half the junk characters
	good    float64 // plausible characters, confidence weighted
	dropped int
	moved   float64 // plausible text out of the page's reading order, weighted as score (outOfOrder)
	lines   []textLine
}

// ranked is the score by which two readings of a page are compared: the plausible text, less twice
// the text read out of the page's order. Text read column by column, block by block or cell by
// cell out of order scores as much as the same text read row by row, but each misplaced character
// costs as much as a character lost and another misread (it is missing where it belongs and extra
// where it was put).
func (rd *reading) ranked() float64 { return rd.score - 2*rd.moved }

// read recognises img in mode psm and judges the reading.
func (p *Pipeline) read(ctx context.Context, img *image.Gray, dpi float64, kind Reading, psm gosseract.PageSegMode) (*reading, error) {
	res, err := p.pool.RecognizeMode(ctx, img, dpi, psm)
	if err != nil {
		return nil, err
	}
	return p.assess(res.Words, kind, img.Rect, nil), nil
}

// readScanned reads the page as scanned the way raw Tesseract reads it and maps the words' boxes to
// the page's geometry (the page as scanned is neither scaled nor deskewed).
func (p *Pipeline) readScanned(ctx context.Context, pg *preprocess.Page) (*reading, error) {
	data, rect := scannedImage(pg)
	res, err := p.pool.RecognizeScanned(ctx, data, pg.SourceDPI)
	if err != nil {
		return nil, err
	}
	words, stamped := dropStampText(res.Words, data, rect)
	rd := p.assess(words, ReadPlain, rect, pg.FromPlain)
	rd.dropped += stamped
	return rd, nil
}

// assess drops the junk of a reading of an image of bounds page and judges it; from, when not
// nil, maps the words' boxes to the page's geometry.
func (p *Pipeline) assess(words []engine.Word, kind Reading, page image.Rectangle, from func(image.Rectangle) image.Rectangle) *reading {
	rd := &reading{reading: kind}
	rd.words, rd.dropped = dropJunk(splitRules(words), p.cls, page)
	if from != nil {
		for i := range rd.words {
			rd.words[i].Box = from(rd.words[i].Box)
		}
	}
	rd.conf, rd.quality, rd.score, rd.good = judge(rd.words, p.cls)
	rd.moved = outOfOrder(rd.words, p.cls)
	rd.lines = textLines(rd.words, p.cls)
	return rd
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
