// Package engine runs Tesseract (through gosseract) on preprocessed pages with bounded parallelism: a
// pool of long-lived engines, never more than the machine's cores, one page per engine at a time.
package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/otiai10/gosseract/v2"
	"golang.org/x/text/unicode/norm"
)

// Word is one recognised word with its box in page pixels.
type Word struct {
	Text  string          `json:"text"` // NFC
	Box   image.Rectangle `json:"box"`
	Conf  float64         `json:"conf"` // 0–100
	Block int             `json:"block"`
	Par   int             `json:"par"`
	Line  int             `json:"line"`
	Low   bool            `json:"low,omitempty"` // confidence under the pool's threshold
}

// Result is the OCR of one page.
type Result struct {
	Words      []Word
	Confidence float64       // mean word confidence weighted by word length, 0–100
	Elapsed    time.Duration // recognition time, without waiting for an engine
}

// Text is the page text: words of a line separated by spaces, lines by newlines, and paragraphs by
// an empty line.
func (r *Result) Text() string { return WordsText(r.Words) }

// WordsText lays words out as text the way Result.Text does.
func WordsText(words []Word) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			p := words[i-1]
			switch {
			case p.Block != w.Block || p.Par != w.Par:
				b.WriteString("\n\n")
			case p.Line != w.Line:
				b.WriteByte('\n')
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteString(w.Text)
	}
	return b.String()
}

// Options configure a Pool.
type Options struct {
	Languages []string              // Tesseract languages; default ["vie"]
	Size      int                   // number of engines; default and maximum runtime.NumCPU()
	LowConf   float64               // words under this confidence are flagged Low; default 60
	Tessdata  string                // tessdata directory; default Tesseract's own
	Whitelist string                // characters to restrict recognition to (MRZ); default none
	PSM       gosseract.PageSegMode // default PSM_AUTO
}

// ErrClosed reports use of a closed pool.
var ErrClosed = errors.New("bộ nhận dạng chữ đã đóng (OCR pool closed)")

// ErrEngine wraps failures of Tesseract itself (missing language data, unreadable image).
var ErrEngine = errors.New("lỗi bộ nhận dạng chữ Tesseract (Tesseract engine error)")

// Pool hands out Tesseract engines. Engines are created on first use and reused; each serves one
// page at a time. Recognize is safe for concurrent use.
type Pool struct {
	opt   Options
	slots chan *gosseract.Client // nil entries are engines not created yet
	osd   chan osdHandle         // orientation detectors, nil until first used
	done  chan struct{}
}

// NewPool creates a pool; engines load their language data lazily.
func NewPool(opt Options) *Pool {
	if len(opt.Languages) == 0 {
		opt.Languages = []string{"vie"}
	}
	n := runtime.NumCPU()
	if opt.Size <= 0 || opt.Size > n {
		opt.Size = n
	}
	if opt.LowConf <= 0 {
		opt.LowConf = 60
	}
	if opt.PSM == 0 {
		opt.PSM = gosseract.PSM_AUTO
	}
	p := &Pool{opt: opt, slots: make(chan *gosseract.Client, opt.Size), osd: make(chan osdHandle, opt.Size), done: make(chan struct{})}
	for i := 0; i < opt.Size; i++ {
		p.slots <- nil
		p.osd <- nil
	}
	return p
}

// Size is the number of engines.
func (p *Pool) Size() int { return p.opt.Size }

func (p *Pool) newClient() (*gosseract.Client, error) {
	c := gosseract.NewClient()
	if p.opt.Tessdata != "" {
		if err := c.SetTessdataPrefix(p.opt.Tessdata); err != nil {
			c.Close()
			return nil, err
		}
	}
	if err := c.SetLanguage(p.opt.Languages...); err != nil {
		c.Close()
		return nil, err
	}
	if p.opt.Whitelist != "" {
		if err := c.SetWhitelist(p.opt.Whitelist); err != nil {
			c.Close()
			return nil, err
		}
	}
	// Scanned forms have no white-on-black text; skipping the inverted retry of weak lines saves
	// a good part of the recognition time on degraded pages.
	if err := c.SetVariable("tessedit_do_invert", "0"); err != nil {
		c.Close()
		return nil, err
	}
	c.DisableOutput()
	return c, nil
}

// Recognize OCRs a page image (normally the cleaned bilevel page) whose resolution is dpi. It waits
// for a free engine until ctx ends; recognition itself runs to completion.
func (p *Pool) Recognize(ctx context.Context, img *image.Gray, dpi float64) (*Result, error) {
	return p.RecognizeMode(ctx, img, dpi, p.opt.PSM)
}

// RecognizeMode is Recognize with another page segmentation mode for this page, e.g.
// gosseract.PSM_SINGLE_COLUMN to read a ruled table row by row.
func (p *Pool) RecognizeMode(ctx context.Context, img *image.Gray, dpi float64, psm gosseract.PageSegMode) (*Result, error) {
	// A bilevel page goes as a 1-bit PBM: an eighth of the bytes to read, and Tesseract skips its
	// own thresholding and works on packed bits in layout analysis.
	data, ok := PBM(img)
	if !ok {
		data = PGM(img)
	}
	return p.recognize(ctx, data, dpi, psm, false)
}

// RecognizeScanned reads a page as scanned the way `tesseract FILE` reads it: Tesseract converts
// it to grey and thresholds it itself (Otsu, per colour channel), analyses the layout (PSM 3) and
// retries weak lines inverted. pnm is the page encoded by ScannedPNM; dpi, when above 0, is its
// resolution. Only a binary PNM whose header and size agree is taken: Tesseract must never be
// handed a page its reader could not decode.
func (p *Pool) RecognizeScanned(ctx context.Context, pnm []byte, dpi float64) (*Result, error) {
	if _, _, ok := pnmSize(pnm); !ok {
		return nil, fmt.Errorf("%w: %w", ErrEngine, ErrNoImage)
	}
	return p.recognize(ctx, pnm, dpi, gosseract.PSM_AUTO, true)
}

// pnmSize is the width and height of a binary PNM as PGM and ScannedPNM write it (P5 or P6, depth
// 255); ok is false for anything else.
func pnmSize(data []byte) (w, h int, ok bool) {
	if !bytes.HasPrefix(data, []byte("P5\n")) && !bytes.HasPrefix(data, []byte("P6\n")) {
		return 0, 0, false
	}
	var depth int
	n, err := fmt.Sscanf(string(data[3:min(len(data), 40)]), "%d %d\n%d", &w, &h, &depth)
	if err != nil || n != 3 || depth != 255 || w <= 0 || h <= 0 {
		return 0, 0, false
	}
	head := len(fmt.Sprintf("P5\n%d %d\n255\n", w, h))
	ch := 1
	if data[1] == '6' {
		ch = 3
	}
	return w, h, len(data)-head == w*h*ch
}

// recognize reads one encoded image in mode psm; invert turns Tesseract's inverted retry of weak
// lines on for this image (the engines have it off).
func (p *Pool) recognize(ctx context.Context, data []byte, dpi float64, psm gosseract.PageSegMode, invert bool) (*Result, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: %w", ErrEngine, ErrNoImage)
	}
	var c *gosseract.Client
	select {
	case <-p.done:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	case c = <-p.slots:
	}
	select {
	case <-p.done:
		p.slots <- c
		return nil, ErrClosed
	default:
	}
	start := time.Now()
	if c == nil {
		var err error
		if c, err = p.newClient(); err != nil {
			p.slots <- nil
			return nil, fmt.Errorf("%w: %w", ErrEngine, err)
		}
	}
	// The mode goes as a variable on every page: gosseract applies variables after Tesseract's
	// Init, whereas a mode set on a client not yet initialised is lost at Init, and the page would
	// be read in the API's default mode (a single block) until some call set the mode again. The
	// inverted retry likewise, so that it does not stay on for the next page.
	var res *Result
	err := c.SetVariable("tessedit_pageseg_mode", strconv.Itoa(int(psm)))
	if err == nil {
		err = c.SetVariable("tessedit_do_invert", boolVar(invert))
	}
	if err == nil {
		res, err = p.run(c, data, dpi)
	} else {
		err = fmt.Errorf("%w: %w", ErrEngine, err)
	}
	p.slots <- c
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// ErrNoImage reports an empty image handed to the engine.
var ErrNoImage = errors.New("không có ảnh để nhận dạng (no image to recognise)")

func boolVar(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (p *Pool) run(c *gosseract.Client, data []byte, dpi float64) (*Result, error) {
	// OpenMP settings belong to the calling OS thread: pin the goroutine to its thread and hold
	// OpenMP to one thread there, so the LSTM does not fan out and spin on cores other engines use.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	singleThreadOpenMP()
	if err := c.SetImageFromBytes(data); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEngine, err)
	}
	if dpi > 0 {
		if err := c.SetVariable("user_defined_dpi", strconv.Itoa(int(dpi+0.5))); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrEngine, err)
		}
	}
	boxes, err := c.GetBoundingBoxesVerbose()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEngine, err)
	}
	res := &Result{}
	var sum, weight float64
	for _, b := range boxes {
		t := norm.NFC.String(strings.TrimSpace(b.Word))
		if t == "" {
			continue
		}
		w := Word{Text: t, Box: b.Box, Conf: b.Confidence, Block: b.BlockNum, Par: b.ParNum, Line: b.LineNum}
		w.Low = w.Conf < p.opt.LowConf
		res.Words = append(res.Words, w)
		n := float64(len([]rune(t)))
		sum += w.Conf * n
		weight += n
	}
	if weight > 0 {
		res.Confidence = sum / weight
	}
	return res, nil
}

// Close frees the engines, waiting for pages being recognised to finish.
func (p *Pool) Close() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	close(p.done)
	var first error
	for i := 0; i < p.opt.Size; i++ {
		if c := <-p.slots; c != nil {
			if err := c.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	p.closeOSD()
	return first
}

// PGM encodes g as a binary PGM (P5), which Leptonica reads without decompression.
func PGM(g *image.Gray) []byte {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	var b bytes.Buffer
	fmt.Fprintf(&b, "P5\n%d %d\n255\n", W, H)
	b.Grow(W * H)
	for y := 0; y < H; y++ {
		b.Write(g.Pix[y*g.Stride : y*g.Stride+W])
	}
	return b.Bytes()
}

// PBM encodes a bilevel g (every pixel 0 or 255) as a binary PBM (P4, 1 is black). It reports false,
// and returns nil, when g has other grey levels.
func PBM(g *image.Gray) ([]byte, bool) {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	head := fmt.Sprintf("P4\n%d %d\n", W, H)
	bpl := (W + 7) / 8
	out := make([]byte, len(head)+bpl*H)
	copy(out, head)
	dst := out[len(head):]
	for y := 0; y < H; y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+W]
		bits := dst[y*bpl : (y+1)*bpl]
		for x, v := range row {
			switch v {
			case 0:
				bits[x>>3] |= 0x80 >> (x & 7)
			case 255:
			default:
				return nil, false
			}
		}
	}
	return out, true
}
