package escpos

import (
	"fmt"
	"image"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/escpos/codepage"
)

// Size is a text size class.
type Size int

// Text sizes. On raster text they are pixel heights; in the printer's own font they are multipliers.
const (
	Normal Size = iota
	Small
	Large
	Huge
)

// Style says how a paragraph looks.
type Style struct {
	Size    Size
	Bold    bool
	Align   Align
	Reverse bool // white on black, for markers that must stand out
}

// Document is a receipt laid out as paragraphs, two-column rows, rules, QR codes and feeds,
// independent of the printer. Compile turns it into ESC/POS for one printer profile.
type Document struct {
	blocks []block
}

type block interface{}

type textBlock struct {
	s  string
	st Style
}

type columnsBlock struct {
	left, right string
	st          Style
}

type ruleBlock struct{}

type qrBlock struct{ payload string }

type feedBlock struct{ dots int }

// Text adds a paragraph, wrapped to the paper width. Newlines start new lines.
func (d *Document) Text(s string, st Style) {
	d.blocks = append(d.blocks, textBlock{norm.NFC.String(s), st})
}

// Columns adds a row with left text (wrapped) and right text flush right on its first line, for
// lists such as "1. Tờ khai … | BC: 1".
func (d *Document) Columns(left, right string, st Style) {
	d.blocks = append(d.blocks, columnsBlock{norm.NFC.String(left), norm.NFC.String(right), st})
}

// Rule adds a thin horizontal line across the paper.
func (d *Document) Rule() { d.blocks = append(d.blocks, ruleBlock{}) }

// QR adds a centred QR code. The payload should be short ASCII (a URL).
func (d *Document) QR(payload string) { d.blocks = append(d.blocks, qrBlock{payload}) }

// Feed adds blank paper.
func (d *Document) Feed(dots int) { d.blocks = append(d.blocks, feedBlock{dots}) }

// Compiled is a print job: ESC/POS bytes and what they hold.
type Compiled struct {
	Data        []byte
	PaperDots   int // paper length the job feeds, in dots (excluding the cutter feed)
	RasterBytes int // bytes spent on raster images
	TextLines   int // lines printed in the printer's own font
	RasterLines int // lines printed as images
}

// Compile lays the document out for the profile and returns the ESC/POS job, from printer reset to
// cut. Text made only of ASCII, or of letters in the profile's verified code tables, is printed in the
// printer's own font; everything else as raster images of text rendered with fonts.
func Compile(d *Document, p Profile, f *Fonts) (*Compiled, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := &compiler{p: p, f: f, align: -1, table: -1}
	c.e.Init().PanelButtons(false)
	if len(p.CodeTables) > 0 {
		// A known Epson: guard raster data against DLE DC4 sequences.
		c.e.DisableRealtimeInData()
	}
	for _, b := range d.blocks {
		var err error
		switch b := b.(type) {
		case textBlock:
			err = c.text(b.s, b.st)
		case columnsBlock:
			err = c.columns(b.left, b.right, b.st)
		case ruleBlock:
			c.rule()
		case qrBlock:
			err = c.qr(b.payload)
		case feedBlock:
			c.feed += b.dots
		}
		if err != nil {
			return nil, err
		}
	}
	c.flushFeed()
	if p.Cutter {
		if p.LegacyCut {
			c.e.FeedDots(p.FeedBeforeCut + 120).LegacyCut(p.PartialCut)
		} else {
			c.e.Cut(p.PartialCut, p.FeedBeforeCut)
		}
	} else {
		c.e.FeedDots(120) // past the tear bar
	}
	c.e.PanelButtons(true)
	return &Compiled{Data: c.e.Bytes(), PaperDots: c.paper, RasterBytes: c.rasterBytes,
		TextLines: c.textLines, RasterLines: c.rasterLines}, nil
}

type compiler struct {
	p     Profile
	f     *Fonts
	e     Encoder
	align int // current justification, -1 unknown
	table int // current code table, -1 unknown
	feed  int // blank dots not yet fed

	paper, rasterBytes, textLines, rasterLines int
}

// rasterPx is the pixel size for rendered text. At 203 dpi 26 px is about 3.3 mm: larger than the
// printer's Font A, for older eyes.
func rasterPx(s Size) int {
	switch s {
	case Small:
		return 22
	case Large:
		return 34
	case Huge:
		return 44
	}
	return 26
}

// nativeMul returns the ROM font width and height multipliers for a size.
func nativeMul(s Size) (w, h int) {
	switch s {
	case Large:
		return 1, 2
	case Huge:
		return 2, 2
	}
	return 1, 1
}

func (c *compiler) setAlign(a Align) {
	if c.align != int(a) {
		c.e.Align(a)
		c.align = int(a)
	}
}

func (c *compiler) flushFeed() {
	if c.feed > 0 {
		c.e.FeedDots(c.feed)
		c.paper += c.feed
		c.feed = 0
	}
}

// nativeLine writes s in the printer's font: ASCII as is, Vietnamese letters through the profile's
// code tables, switching tables with ESC t only where needed. The caller has checked canNative.
func (c *compiler) nativeLine(s string) {
	var run []byte
	for _, r := range s {
		if r >= 0x20 && r < 0x7F {
			run = append(run, byte(r))
			continue
		}
		tabs := c.tablesFor(r)
		if len(tabs) == 0 {
			run = append(run, '?')
			continue
		}
		t := int(tabs[0])
		for _, cand := range tabs {
			if int(cand) == c.table {
				t = c.table
			}
		}
		if t != c.table {
			c.e.Text(run)
			run = run[:0]
			c.e.CodeTable(byte(t))
			c.table = t
		}
		b, _ := codepage.Encode(codepage.Table(t), r)
		run = append(run, b)
	}
	c.e.Text(run).LF()
}

// tablesFor returns the profile's verified code tables that hold r (none when the profile has none).
func (c *compiler) tablesFor(r rune) []codepage.Table {
	if len(c.p.CodeTables) == 0 {
		return nil
	}
	return codepage.TablesFor(r, c.p.CodeTables)
}

// canNative reports whether every rune of s prints in the printer's own font.
func (c *compiler) canNative(s string) bool {
	for _, r := range s {
		if r >= 0x20 && r < 0x7F {
			continue
		}
		if len(c.tablesFor(r)) == 0 {
			return false
		}
	}
	return true
}

func (c *compiler) text(s string, st Style) error {
	if c.canNative(s) && !(st.Reverse && len(c.p.CodeTables) == 0 && !isASCII(s)) {
		c.nativeText(s, st)
		return nil
	}
	px := rasterPx(st.Size)
	for _, line := range c.f.Wrap(s, px, st.Bold, c.p.DotsPerLine-8) {
		bm := c.f.RenderLine(line, px, st.Bold)
		if st.Reverse {
			bm = reverseBand(bm, c.p.DotsPerLine)
		}
		c.band(bm, st.Align)
		c.rasterLines++
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// reverseBand pads a text band to the full paper width and inverts it, so the marker reads as white
// letters on a black bar.
func reverseBand(bm *Bitmap, width int) *Bitmap {
	out := NewBitmap(width, bm.H+8)
	x0 := max(0, (width-bm.W)/2)
	for y := 0; y < bm.H; y++ {
		for x := 0; x < bm.W && x+x0 < width; x++ {
			out.Set(x+x0, y+4, bm.At(x, y))
		}
	}
	return out.Invert()
}

func (c *compiler) nativeText(s string, st Style) {
	w, h := nativeMul(st.Size)
	cols := c.p.Columns() / w
	if w > 1 && longestWord(s) > cols {
		w, cols = 1, c.p.Columns()
	}
	lines := wrapWords(s, cols, func(t string) int { return len([]rune(t)) })
	c.nativeLines(lines, st, w, h)
}

// nativeLines prints lines that already fit, in the printer's font at the given multipliers.
func (c *compiler) nativeLines(lines []string, st Style, w, h int) {
	c.flushFeed()
	c.setAlign(st.Align)
	cell := c.p.FontAHeight * h
	c.e.LineSpacing(cell+6).Size(w, h).Bold(st.Bold)
	if st.Reverse {
		c.e.Reverse(true)
	}
	for _, l := range lines {
		c.nativeLine(l)
		c.paper += cell + 6
		c.textLines++
	}
	if st.Reverse {
		c.e.Reverse(false)
	}
	c.e.Size(1, 1).Bold(false)
}

func longestWord(s string) int {
	n := 0
	for _, w := range strings.Fields(s) {
		n = max(n, len([]rune(w)))
	}
	return n
}

func (c *compiler) columns(left, right string, st Style) error {
	if c.canNative(left) && c.canNative(right) {
		cols := c.p.Columns()
		rw := len([]rune(right))
		lines := wrapWords(left, cols-rw-1, func(t string) int { return len([]rune(t)) })
		if len(lines) > 0 && right != "" {
			lines[0] += strings.Repeat(" ", max(1, cols-rw-len([]rune(lines[0])))) + right
		}
		c.nativeLines(lines, Style{Bold: st.Bold, Align: Left}, 1, 1)
		return nil
	}
	px := rasterPx(st.Size)
	rbm := c.f.RenderLine(right, px, st.Bold)
	rInk := rbm.InkBounds()
	gap := 16
	lines := c.f.Wrap(left, px, st.Bold, c.p.DotsPerLine-rInk.Dx()-gap-8)
	for i, l := range lines {
		bm := c.f.RenderLine(l, px, st.Bold)
		if i == 0 && right != "" {
			full := NewBitmap(c.p.DotsPerLine, max(bm.H, rbm.H))
			blit(full, bm, 0, 0)
			blit(full, rbm.Sub(image.Rect(rInk.Min.X, 0, rInk.Max.X, rbm.H)), c.p.DotsPerLine-rInk.Dx(), 0)
			bm = full
		}
		c.band(bm, Left)
		c.rasterLines++
	}
	return nil
}

func blit(dst, src *Bitmap, x0, y0 int) {
	for y := 0; y < src.H; y++ {
		for x := 0; x < src.W; x++ {
			if src.At(x, y) {
				dst.Set(x+x0, y+y0, true)
			}
		}
	}
}

func (c *compiler) rule() {
	bm := NewBitmap(c.p.DotsPerLine, 2)
	for i := range bm.Pix {
		bm.Pix[i] = true
	}
	c.feed += 10
	c.band(bm, Left)
	c.feed += 10
}

// band prints a bitmap as a raster image cropped to its ink: blank rows above and below become paper
// feeds, blank columns are not sent (left-aligned bands keep their left edge, others are placed by
// the printer's justification).
func (c *compiler) band(bm *Bitmap, a Align) {
	ink := bm.InkBounds()
	if ink.Empty() {
		c.feed += bm.H
		return
	}
	x0 := 0
	if a != Left {
		x0 = ink.Min.X
	}
	// Keep byte alignment stable for left-aligned text so lines start at the same dot.
	crop := bm.Sub(image.Rect(x0, ink.Min.Y, ink.Max.X, ink.Max.Y))
	c.feed += ink.Min.Y
	c.flushFeed()
	c.setAlign(a)
	c.raster(crop)
	c.feed += bm.H - ink.Max.Y
}

// raster sends a bitmap in GS v 0 strips of at most MaxRasterRows rows and at most half the
// printer's buffer, so the paced sender can always stop between strips; heights the profile says its
// firmware mishandles are avoided.
func (c *compiler) raster(bm *Bitmap) {
	maxRows := max(1, min(c.p.MaxRasterRows, (c.p.BufferBytes/2-8)/((bm.W+7)/8)))
	for y := 0; y < bm.H; {
		rows := min(maxRows, bm.H-y)
		if m := c.p.AvoidRowMultiple; m > 1 && rows%m == 0 {
			rows-- // the next strip takes the row, so no strip height is a multiple of m
		}
		wb, packed := bm.Pack(y, y+rows)
		c.e.Raster(wb, rows, packed)
		c.rasterBytes += len(packed) + 8
		c.paper += rows
		y += rows
	}
}

func (c *compiler) qr(payload string) error {
	code, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("không tạo được mã QR (cannot make QR code): %w", err)
	}
	code.DisableBorder = true
	modules := code.Bitmap()
	n := len(modules)
	// Module size: whole dots, symbol at most 45 % of the paper, 3…8 dots per module.
	dots := clamp(c.p.DotsPerLine*45/100/n, 3, 8)
	c.feed += 16 // quiet zone above
	c.flushFeed()
	c.setAlign(Center)
	if c.p.NativeQR {
		c.e.QR([]byte(payload), dots, QRLevelM)
		c.paper += n * dots
	} else {
		bm := NewBitmap(n*dots, n*dots)
		for y := range bm.H {
			for x := range bm.W {
				bm.Pix[y*bm.W+x] = modules[y/dots][x/dots]
			}
		}
		c.raster(bm)
	}
	c.feed += 16 // quiet zone below
	return nil
}
