package daemon

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/internal/lowprio"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/session"
	"github.com/tramso/tramso/ocr"
	"github.com/tramso/tramso/ocr/fields"
	"github.com/tramso/tramso/ocr/pdf"
	"github.com/tramso/tramso/ocr/preprocess"
)

// digitizer works each scanned page once. At scan time (Prepare) a page is decoded by the scanner,
// preprocessed once (the quality checks come from that), turned into a small preview and, on a
// document's first page, its top band is read by the OCR engine for the document's title (see
// pagework.go); the kiosk then keeps only the cleaned page packed one bit per pixel. After the
// citizen accepts (Digitize), the full OCR runs in the background from that kept page, never
// preprocessing again, one page per core, and each page is compressed (CCITT G4) as soon as it is
// read, so a 20-page document holds 20 small G4 streams, not 20 page images.
type digitizer struct {
	pipe *ocr.Pipeline
	icc  []byte
}

func newDigitizer() *digitizer {
	icc, _ := os.ReadFile(pdf.DefaultICCPath) // optional: the PDF/A output intent
	return &digitizer{pipe: ocr.New(ocr.Options{}), icc: icc}
}

func (d *digitizer) Close() error { return d.pipe.Close() }

// Prepare works one scanned page once, below the touchscreen's priority (lowprio).
func (d *digitizer) Prepare(ctx context.Context, p session.Page, first bool) (*session.Prepared, error) {
	var out *session.Prepared
	var err error
	lowprio.Run(func() { out, err = d.prepare(ctx, p, first) })
	return out, err
}

// Digitize OCRs the prepared pages of a document, as many at once as the machine has cores and
// below the touchscreen's priority (lowprio), and writes one PDF for the document.
func (d *digitizer) Digitize(ctx context.Context, title string, pages []*session.Prepared, want []catalog.Field, done func(int)) (*session.Digitized, error) {
	out := make([]pdf.Page, len(pages))
	lines := make([][]fields.Line, len(pages))
	errs := make([]error, len(pages))
	slots := make(chan struct{}, d.pipe.Parallelism()) // pages being read: one per core
	var mu sync.Mutex
	finished := 0
	var wg sync.WaitGroup
	for i, p := range pages {
		w, ok := p.Work.(*keptPage)
		if !ok {
			return nil, fmt.Errorf("trang %d chưa được chuẩn bị (page %d not prepared)", i+1, i+1)
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			lowprio.Run(func() { out[i], lines[i], errs[i] = d.read(ctx, w) })
			if errs[i] == nil && done != nil {
				mu.Lock()
				finished++
				n := finished
				mu.Unlock()
				done(n)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, errtext.Wrap(fmt.Errorf("không nhận dạng được trang %d (page %d not recognised)", i+1, i+1), err)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Write(&buf, out, pdf.Info{Title: title, Producer: "tramso", Created: time.Now(), ICCProfile: d.icc}); err != nil {
		return nil, err
	}
	res := &session.Digitized{PDF: buf.Bytes(), Pages: len(pages), Fields: map[string]session.Field{}}
	var all []fields.Line
	for _, l := range lines {
		all = append(all, l...)
	}
	for k, f := range fields.Extract(all, labelsFor(want)) {
		res.Fields[k] = session.Field{Value: f.Value, Confidence: f.Conf}
	}
	return res, nil
}

// read OCRs one kept page and returns its PDF page, already compressed, and its text lines.
func (d *digitizer) read(ctx context.Context, w *keptPage) (pdf.Page, []fields.Line, error) {
	bin := w.unpack()
	defer clear(bin.Pix)
	gray, err := w.grayPage()
	if err != nil {
		return pdf.Page{}, nil, err
	}
	defer clear(gray.Pix)
	pg := &preprocess.Page{Binary: bin, Gray: gray, DPI: w.dpi, Turns: w.turns, Upright: w.upright, Bounds: bin.Rect}
	if w.blank {
		pg.Flags = []preprocess.Flag{preprocess.BlankPage}
	}
	r, err := d.pipe.ProcessPage(ctx, pg)
	if err != nil {
		return pdf.Page{}, nil, err
	}
	p := ocr.PDFPage(r)
	size := p.Image.Bounds()
	if w.jpeg != nil && r.Page.Turns == w.turns {
		p.Encoding, p.Encoded = pdf.JPEG, w.jpeg // the colour page, compressed at scan time
	} else {
		// Turned over by the OCR (it read better upside down): the bilevel page is filed.
		p.Encoding, p.Encoded = pdf.G4, pdf.EncodeG4(r.Page.Binary)
	}
	p.Image = size
	return p, fields.LinesFromWords(r.Words), nil
}

// labelsFor turns the procedure's form fields into the labels the extractor looks for.
func labelsFor(fs []catalog.Field) []fields.Label {
	var out []fields.Label
	for _, f := range fs {
		l := fields.Label{Key: f.Key, Labels: []string{f.Label}}
		switch {
		case f.Kind == wire.FieldDate:
			l.Kind = fields.Date
		case f.Kind == wire.FieldSex:
			l.Kind = fields.Sex
		}
		out = append(out, l)
	}
	return out
}
