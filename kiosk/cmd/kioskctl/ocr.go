package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tramso/tramso/drivers/imagefile"
	"github.com/tramso/tramso/ocr"
	"github.com/tramso/tramso/ocr/engine"
	"github.com/tramso/tramso/ocr/fields"
	"github.com/tramso/tramso/ocr/pdf"
)

func ocrCommand() *command {
	return &command{
		name:    "ocr",
		summary: "nhận dạng chữ trang quét, tạo PDF tìm kiếm được — OCR scanned pages, write a searchable PDF",
		usage:   "[--lang vie] [--pdf OUT.pdf] [--text OUT.txt] [--json [--fields cccd|form [--labels FILE]]] INPUT...",
		help: `Đọc ảnh PNG/JPEG/TIFF (kèm DPI) hoặc tệp PDF, xử lý ảnh (xoay thẳng, khử nhiễu, nhị phân hoá),
nhận dạng chữ tiếng Việt bằng Tesseract. Mỗi trang đầu vào cho một trang đầu ra; văn bản các trang cách
nhau bằng ký tự sang trang (form feed). Trang lỗi được báo riêng, các trang khác vẫn xử lý; mã thoát 1 nếu
có trang lỗi.

Reads PNG/JPEG/TIFF images (with their DPI) or PDFs, preprocesses them (deskew, denoise, binarise) and
OCRs them with Tesseract. One output page per input page; page texts are separated by form feeds. A page
that fails is reported and the rest proceeds; exit status 1 if any page failed.

Trích trường (--fields, cùng --json): mỗi trang có thêm "fields": {"KHOÁ": {"value": "...", "confidence": 0–1}}.
Field extraction (--fields, with --json): each page gains "fields": {"KEY": {"value": "...", "confidence": 0–1}}.

  --fields cccd   thẻ căn cước / căn cước công dân; mặt trước hay mặt sau tự nhận theo nội dung trang
                  ("card_side": "front" | "back"). ID card; front or back is told from the page itself.
                  front: idNumber, fullName, dateOfBirth, sex, nationality, placeOfOrigin, placeOfResidence,
                         expiryDate ("" khi "Không thời hạn" / when valid without limit)
                  back:  issueDate, identifyingMarks, và/and "mrz": {"documentNumber", "idNumber",
                         "dateOfBirth", "expiryDate", "sex"} — một khoá "mrz" trong "fields", mỗi mục
                         {"value", "confidence"}; a key "mrz" inside "fields" whose members are each
                         {"value", "confidence"}; a member whose check digit fails is left out.
  --fields form --labels FILE
                  FILE: mảng JSON [{"key", "label", "kind"}], kind: text, date, idNumber, phone, number.
                  The value is what follows the printed label, across a wrapped line; labels match
                  without diacritics; the longest matching label wins.

Giá trị (values): NFC, khoảng trắng gộp (spaces collapsed); ngày YYYY-MM-DD (dates); số định danh và
số điện thoại chỉ gồm chữ số (ID numbers and phones: digits only). Trường không tìm thấy thì không có
mặt, không đoán (a field not found is absent, never guessed).`,
		flags: func(fs *flag.FlagSet) func(ctx context.Context, e *env, args []string) error {
			lang := fs.String("lang", "vie", "ngôn ngữ Tesseract (Tesseract language), e.g. vie or vie+eng")
			pdfOut := fs.String("pdf", "", "ghi PDF tìm kiếm được vào tệp này (write a searchable PDF)")
			textOut := fs.String("text", "", "ghi văn bản vào tệp này (write the text to this file)")
			asJSON := fs.Bool("json", false, "in kết quả JSON theo trang ra stdout (per-page JSON on stdout)")
			fieldsKind := fs.String("fields", "", "trích trường: cccd hoặc form (extract fields: cccd or form); cần --json")
			labelsFile := fs.String("labels", "", "tệp nhãn JSON cho --fields form (labels file for --fields form)")
			return func(ctx context.Context, e *env, args []string) error {
				if served, code := pdf.ServeChild(); served {
					os.Exit(code)
				}
				cfg := ocrConfig{lang: *lang, pdf: *pdfOut, text: *textOut, json: *asJSON, fields: *fieldsKind}
				if err := cfg.loadLabels(*labelsFile); err != nil {
					return err
				}
				if len(args) == 0 {
					return usagef("thiếu tệp đầu vào (no input files)")
				}
				return runOCR(ctx, e, cfg, args)
			}
		},
	}
}

type ocrConfig struct {
	lang, pdf, text string
	json            bool
	fields          string         // "", "cccd" or "form"
	labels          []fields.Label // for "form"
}

// loadLabels checks the --fields and --labels flags and reads the labels file; every refusal is a
// usage error (exit 2).
func (c *ocrConfig) loadLabels(path string) error {
	switch c.fields {
	case "":
		if path != "" {
			return usagef("--labels chỉ dùng với --fields form (--labels needs --fields form)")
		}
		return nil
	case "cccd":
		if path != "" {
			return usagef("--labels chỉ dùng với --fields form, không dùng với cccd (--labels is for --fields form, not cccd)")
		}
	case "form":
		if path == "" {
			return usagef("--fields form cần --labels TỆP (--fields form needs --labels FILE)")
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return usagef("không đọc được tệp nhãn %s (cannot read labels file %s): %v", path, path, err)
		}
		if c.labels, err = fields.ParseLabels(b); err != nil {
			return usagef("%s: %v", path, err)
		}
	default:
		return usagef("--fields %q không biết, cần cccd hoặc form (unknown --fields %q: use cccd or form)", c.fields, c.fields)
	}
	if !c.json {
		return usagef("--fields cần --json (--fields needs --json)")
	}
	return nil
}

// ocrJob is one input page. Image files are decoded by the worker that processes them, so only
// the pages being worked on are held in memory; PDF pages arrive rendered.
type ocrJob struct {
	input string
	page  int // 1-based within its input
	file  bool
	img   image.Image
	dpi   float64
	err   error
}

// ocrFlag is a quality flag in the JSON output.
type ocrFlag struct {
	Code string `json:"code"`
	VI   string `json:"vi"`
	EN   string `json:"en"`
}

// ocrPage is one page of the JSON output.
type ocrPage struct {
	Input        string    `json:"input"`
	Page         int       `json:"page"`
	Angle        float64   `json:"angle"`
	Rotation     int       `json:"rotation"`
	Confidence   float64   `json:"confidence"`
	DPI          float64   `json:"dpi,omitempty"`
	Flags        []ocrFlag `json:"flags"`
	LowConfWords int       `json:"low_conf_words"`
	PreprocessMS int64     `json:"preprocess_ms"`
	OCRMS        int64     `json:"ocr_ms"`
	Text         string    `json:"text,omitempty"`
	Error        string    `json:"error,omitempty"`
	// CardSide and Fields come with --fields: "fields" maps each key found to {"value",
	// "confidence"}; on a card's back, "mrz" maps each zone field to {"value", "confidence"}.
	CardSide string `json:"card_side,omitempty"`
	Fields   any    `json:"fields,omitempty"` // map[string]any; an empty map still prints as {}
}

// fieldsOf is the "fields" object of one page: never nil, so that a page where nothing was found
// shows "fields": {}.
func fieldsOf(card *fields.Card, form map[string]fields.Field) map[string]any {
	out := map[string]any{}
	if card != nil {
		for k, v := range card.Fields {
			out[k] = v
		}
		if len(card.MRZ) > 0 {
			out["mrz"] = card.MRZ
		}
	}
	for k, f := range form {
		out[k] = fields.Value{Value: f.Value, Confidence: f.Conf}
	}
	return out
}

func loadInputs(ctx context.Context, args []string) []ocrJob {
	var jobs []ocrJob
	exe, _ := os.Executable()
	r := &pdf.Renderer{Command: []string{exe, "ocr"}}
	for _, in := range args {
		if !strings.EqualFold(filepath.Ext(in), ".pdf") && !looksLikePDF(in) {
			jobs = append(jobs, ocrJob{input: in, page: 1, file: true})
			continue
		}
		b, err := os.ReadFile(in)
		if err != nil {
			jobs = append(jobs, ocrJob{input: in, page: 1, err: fmt.Errorf("không đọc được tệp (cannot read file): %w", err)})
			continue
		}
		pages, err := r.Render(ctx, b, 300)
		for i, p := range pages {
			jobs = append(jobs, ocrJob{input: in, page: i + 1, img: imageOrNil(p.Image), dpi: p.DPI, err: p.Err})
		}
		if err != nil {
			jobs = append(jobs, ocrJob{input: in, page: len(pages) + 1, err: err})
		}
	}
	return jobs
}

// looksLikePDF reports whether the file starts with a PDF header.
func looksLikePDF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 5)
	n, _ := f.Read(head)
	return bytes.HasPrefix(head[:n], []byte("%PDF"))
}

// decodeFile reads and decodes one image file.
func decodeFile(path string) (image.Image, float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("không đọc được tệp (cannot read file): %w", err)
	}
	return imagefile.Decode(b, imagefile.MaxPixels)
}

func imageOrNil(m *image.RGBA) image.Image {
	if m == nil {
		return nil
	}
	return m
}

func runOCR(ctx context.Context, e *env, cfg ocrConfig, args []string) error {
	start := time.Now()
	jobs := loadInputs(ctx, args)
	p := ocr.New(ocr.Options{Engine: engine.Options{Languages: strings.Split(cfg.lang, "+")}})
	defer p.Close()

	var readers fields.CardReaders
	if cfg.fields == "cccd" {
		var closeReaders func()
		readers, closeReaders = fields.NewCardReaders()
		defer closeReaders()
	}
	results := make([]*ocr.Result, len(jobs))
	cards := make([]*fields.Card, len(jobs))
	forms := make([]map[string]fields.Field, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < p.Parallelism(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := &jobs[i]
				if j.file {
					j.img, j.dpi, j.err = decodeFile(j.input)
				}
				if j.err != nil {
					errs[i] = j.err
					continue
				}
				switch cfg.fields {
				case "cccd":
					results[i], cards[i], errs[i] = fields.ReadCardImage(ctx, p, readers, j.img, j.dpi)
				case "form":
					if results[i], errs[i] = p.Process(ctx, j.img, j.dpi); errs[i] == nil {
						forms[i] = fields.Extract(fields.LinesFromWords(results[i].Words), cfg.labels)
					}
				default:
					results[i], errs[i] = p.Process(ctx, j.img, j.dpi)
				}
				j.img = nil
				if results[i] != nil {
					results[i].Page.Gray = nil // the PDF page uses the bilevel or colour image
				}
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()

	failed := 0
	var texts []string
	var pdfPages []pdf.Page
	var pages []ocrPage
	for i, j := range jobs {
		op := ocrPage{Input: j.input, Page: j.page, Flags: []ocrFlag{}}
		if errs[i] != nil {
			failed++
			op.Error = errs[i].Error()
			fmt.Fprintf(e.stderr, "lỗi (error): %s trang %d (page %d): %v\n", j.input, j.page, j.page, errs[i])
			pages = append(pages, op)
			continue
		}
		r := results[i]
		op.Angle, op.Rotation, op.Confidence, op.DPI = math.Round(r.Angle*100)/100, r.Rotation, round1(r.Confidence), r.Page.DPI
		for _, f := range r.Page.Flags {
			op.Flags = append(op.Flags, ocrFlag{Code: string(f), VI: f.Vietnamese(), EN: f.English()})
		}
		for _, w := range r.Words {
			if w.Low {
				op.LowConfWords++
			}
		}
		op.PreprocessMS, op.OCRMS = r.Preprocess.Milliseconds(), r.Recognize.Milliseconds()
		op.Text = r.Text
		if cfg.fields != "" {
			op.Fields = fieldsOf(cards[i], forms[i])
			if cards[i] != nil {
				op.CardSide = string(cards[i].Side)
			}
		}
		pages = append(pages, op)
		texts = append(texts, r.Text)
		if cfg.pdf != "" {
			pdfPages = append(pdfPages, ocr.PDFPage(r))
		}
	}
	var outErr error
	if cfg.pdf != "" && len(pdfPages) > 0 {
		var buf bytes.Buffer
		title := strings.TrimSuffix(filepath.Base(cfg.pdf), filepath.Ext(cfg.pdf))
		info := pdf.Info{Title: title, Producer: "tramso kioskctl ocr", Created: time.Now().Truncate(time.Second), ICCProfile: pdf.LoadICC(pdf.DefaultICCPath)}
		if err := pdf.Write(&buf, pdfPages, info); err != nil {
			outErr = fmt.Errorf("không ghi được PDF (cannot write PDF): %w", err)
		} else if err := os.WriteFile(cfg.pdf, buf.Bytes(), 0o644); err != nil {
			outErr = fmt.Errorf("không ghi được PDF (cannot write PDF): %w", err)
		}
	}
	text := strings.Join(texts, "\n\f")
	if len(texts) > 0 {
		text += "\n"
	}
	if cfg.text != "" {
		if err := os.WriteFile(cfg.text, []byte(text), 0o644); err != nil && outErr == nil {
			outErr = fmt.Errorf("không ghi được tệp văn bản (cannot write text file): %w", err)
		}
	}
	switch {
	case cfg.json:
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(struct {
			Pages     []ocrPage `json:"pages"`
			Failed    int       `json:"failed"`
			ElapsedMS int64     `json:"elapsed_ms"`
		}{pages, failed, time.Since(start).Milliseconds()}); err != nil && outErr == nil {
			outErr = err
		}
	case cfg.text == "" && cfg.pdf == "":
		fmt.Fprint(e.stdout, text)
	}
	if outErr != nil {
		return outErr
	}
	if failed > 0 {
		return fmt.Errorf("%d/%d trang bị lỗi (%d of %d pages failed)", failed, len(jobs), failed, len(jobs))
	}
	return nil
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
