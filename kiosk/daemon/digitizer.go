package daemon

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/tramso/tramso/internal/lowprio"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/session"
	"github.com/tramso/tramso/ocr"
	"github.com/tramso/tramso/ocr/fields"
	"github.com/tramso/tramso/ocr/pdf"
	"github.com/tramso/tramso/ocr/preprocess"
)

// digitizer turns scanned pages into a searchable PDF with the OCR pipeline, and reads the
// procedure's form fields off the pages by their printed labels.
type digitizer struct {
	pipe *ocr.Pipeline
	icc  []byte
}

func newDigitizer() *digitizer {
	icc, _ := os.ReadFile(pdf.DefaultICCPath) // optional: the PDF/A output intent
	return &digitizer{pipe: ocr.New(ocr.Options{}), icc: icc}
}

func (d *digitizer) Close() error { return d.pipe.Close() }

// Check runs the preprocessing quality checks only (no OCR), so the preview can warn at once. Like
// all page work it runs below the touchscreen's priority (lowprio).
func (d *digitizer) Check(ctx context.Context, p session.Page) []session.Quality {
	var pg *preprocess.Page
	var err error
	lowprio.Run(func() { pg, err = preprocess.Process(ctx, p.Image, float64(p.DPI), preprocess.Options{}) })
	if err != nil {
		return []session.Quality{{Code: "unreadable", Message: "không đọc được ảnh quét (unreadable scan)"}}
	}
	var out []session.Quality
	for _, f := range pg.Flags {
		out = append(out, session.Quality{Code: string(f), Message: f.Message()})
	}
	return out
}

// Digitize OCRs every page, as many at once as the machine has cores and below the touchscreen's
// priority (lowprio), and writes one PDF for the document.
func (d *digitizer) Digitize(ctx context.Context, title string, pages []session.Page, want []catalog.Field) (*session.Digitized, error) {
	results := make([]*ocr.Result, len(pages))
	errs := make(chan error, len(pages))
	slots := make(chan struct{}, d.pipe.Parallelism()) // pages being cleaned up and read
	for i, p := range pages {
		go func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			var r *ocr.Result
			var err error
			lowprio.Run(func() { r, err = d.pipe.Process(ctx, p.Image, float64(p.DPI)) })
			results[i] = r
			errs <- err
		}()
	}
	for range pages {
		if err := <-errs; err != nil {
			return nil, fmt.Errorf("không nhận dạng được trang (page not recognised): %w", err)
		}
	}
	var pdfPages []pdf.Page
	var lines []fields.Line
	for _, r := range results {
		pdfPages = append(pdfPages, ocr.PDFPage(r))
		lines = append(lines, fields.LinesFromWords(r.Words)...)
	}
	var buf bytes.Buffer
	if err := pdf.Write(&buf, pdfPages, pdf.Info{Title: title, Producer: "tramso", Created: time.Now(), ICCProfile: d.icc}); err != nil {
		return nil, err
	}
	out := &session.Digitized{PDF: buf.Bytes(), Pages: len(pages), Fields: map[string]session.Field{}}
	for k, f := range fields.Extract(lines, labelsFor(want)) {
		out.Fields[k] = session.Field{Value: f.Value, Confidence: f.Conf}
	}
	return out, nil
}

// labelsFor turns the procedure's form fields into the labels the extractor looks for.
func labelsFor(fs []catalog.Field) []fields.Label {
	var out []fields.Label
	for _, f := range fs {
		l := fields.Label{Key: f.Key, Labels: []string{f.Label}}
		switch {
		case f.Kind == "date":
			l.Kind = fields.Date
		case f.Kind == "choice" && len(f.Choices) == 2 && f.Choices[0] == "Nam":
			l.Kind = fields.Sex
		}
		out = append(out, l)
	}
	return out
}
