package escpossim

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/tramso/tramso/drivers/escpos/codepage"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const (
	esc = 0x1B
	gs  = 0x1D
	fs  = 0x1C
)

// interpreter is the printer's firmware: it takes commands from the receive buffer while the
// mechanism runs, keeps the modes ESC @ resets, lays out text and images on the line and tells
// the mechanism to feed, print and cut. Commands are looked up in a table (commands.go).
type interpreter struct {
	cfg   Config
	fonts *Fonts
	log   *slog.Logger
	rx    *receiver
	mech  *mechanism
	cmds  commandSet

	off    int64    // bytes interpreted so far
	pay    *payload // command data being streamed
	m      modes
	ln     line
	styled map[styleKey]*bitmap
	qr     qrState
	gfx    *bitmap // GS ( L graphics buffer
	gfxSX  int
	gfxSY  int
	once   map[string]bool // reasons reported once

	unknown  []Unknown
	unknownN int
}

func newInterpreter(cfg Config, fonts *Fonts, log *slog.Logger, rx *receiver, mech *mechanism) *interpreter {
	in := &interpreter{
		cfg: cfg, fonts: fonts, log: log, rx: rx, mech: mech, cmds: newCommandSet(),
		styled: make(map[styleKey]*bitmap),
		once:   make(map[string]bool),
	}
	in.reset()
	return in
}

// clear drops the command being streamed and the line buffer (the print buffer of DLE ENQ 2 and
// DLE DC4 8).
func (in *interpreter) clear() {
	in.pay = nil
	in.ln = line{}
}

// modes is the state ESC @ resets.
type modes struct {
	fontB        bool
	bold         bool
	underline    int // 0 off, 1 or 2 dots
	sizeW, sizeH int // 1…8
	reverse      bool
	upsideDown   bool
	align        int // 0 left, 1 centre, 2 right
	table        codepage.Table
	kanji        bool
	selected     bool
	leftMargin   int
	printWidth   int
	lineSpacing  int
	charSpacing  int
	tabs         []int // tab stops in dots from the line start; nil = every 8 Font A cells
	barH, barW   int
	hriPos       int
	hriFontB     bool
}

// reset is ESC @ (and power-on). ESC c 4 (stop on near end) is the mechanism's and survives
// it, as on Epson printers.
func (in *interpreter) reset() {
	in.m = modes{
		sizeW: 1, sizeH: 1,
		table:       codepage.PC437,
		kanji:       in.cfg.KanjiAtReset,
		selected:    true,
		printWidth:  in.cfg.PaperDots,
		lineSpacing: 30,
		barH:        162,
		barW:        3,
	}
	in.ln = line{}
	in.qr = qrState{model: 2, module: 3, ec: 0x30}
	in.gfx = nil
}

// placed is something drawn on the current text line: a character cell or a bit image.
type placed struct {
	x  int
	bm *bitmap
}

// line is the print buffer of standard mode.
type line struct {
	items []placed
	width int // next free position from the start of the line
	align int
	text  strings.Builder
	used  bool // something (even a tab) was put on the line
}

func (l *line) empty() bool { return !l.used }

func (l *line) height() int {
	h := 0
	for _, it := range l.items {
		if it.bm.h > h {
			h = it.bm.h
		}
	}
	return h
}

// payload streams the data part of a command that may be longer than the receive buffer.
type payload struct {
	// fn consumes a prefix of chunk and reports how much it used and whether the data is done.
	// It uses less than all of chunk only when done or when the printer stopped.
	fn func(chunk []byte) (used int, done bool)
	// left bounds the data; fn is never given more than left bytes.
	left int64
	end  func() // called once the data is complete
}

// discard streams n bytes nowhere.
func discard(n int64) *payload {
	return &payload{left: n, fn: func(c []byte) (int, bool) { return len(c), false }}
}

// step interprets one command or one chunk of command data. It returns false when it needs
// more bytes than the buffer holds.
func (in *interpreter) step() bool {
	if in.pay != nil {
		return in.stepPayload()
	}
	data := in.rx.data()
	if !in.m.selected {
		// Deselected by ESC = 0: everything but ESC = n is ignored.
		if data[0] != esc {
			in.consume(1)
			return true
		}
		if len(data) < 3 {
			return false
		}
		if data[1] == '=' && data[2]&1 == 1 {
			in.m.selected = true
			in.consume(3)
			return true
		}
		in.consume(1)
		return true
	}
	c := data[0]
	switch {
	case c == '\n':
		in.printLine(in.m.lineSpacing)
		in.consume(1)
		return true
	case c == '\r':
		in.consume(1)
		return true
	case c == '\t':
		in.tab()
		in.consume(1)
		return true
	case c == esc || c == gs || c == fs || c == dle:
		return in.cmds.run(in, data)
	case c < 0x20:
		in.report(1, fmt.Sprintf("unknown control byte %#02x", c))
		in.consume(1)
		return true
	case c >= 0x80 && in.m.kanji:
		if len(data) < 2 {
			return false
		}
		r := '\uFFFD'
		if out, err := simplifiedchinese.GBK.NewDecoder().Bytes(data[:2]); err == nil {
			if rs := []rune(string(out)); len(rs) == 1 {
				r = rs[0]
			}
		}
		in.putCell(r, in.kanjiCell(), 0)
		in.consume(2)
		return true
	default:
		r := codepage.Decode(in.m.table, c)
		in.putCell(r, in.charCell(r), in.m.charSpacing*in.m.sizeW)
		in.consume(1)
		return true
	}
}

// consume takes n bytes of the receive buffer as interpreted.
func (in *interpreter) consume(n int) {
	in.rx.take(n)
	in.off += int64(n)
}

func (in *interpreter) stepPayload() bool {
	pay := in.pay
	avail := in.rx.buffered()
	if int64(avail) > pay.left {
		avail = int(pay.left)
	}
	used, done := 0, pay.left == 0
	if avail > 0 {
		used, done = pay.fn(in.rx.data()[:avail])
		in.consume(used)
		pay.left -= int64(used)
	}
	if pay.left == 0 {
		done = true
	}
	if done {
		in.pay = nil
		if pay.end != nil {
			pay.end()
		}
		return true
	}
	return used > 0
}

// startPayload consumes a command header of n bytes and streams its data through pay.
func (in *interpreter) startPayload(n int, pay *payload) bool {
	in.consume(n)
	in.pay = pay
	return true
}

// report records an unknown or malformed command starting at the interpreter's position.
func (in *interpreter) report(n int, reason string) {
	in.unknownN++
	if len(in.unknown) >= maxUnknown {
		return
	}
	data := in.rx.data()
	if n > len(data) {
		n = len(data)
	}
	if n > 8 {
		n = 8
	}
	u := Unknown{Offset: in.off, Bytes: append([]byte(nil), data[:n]...), Reason: reason}
	in.unknown = append(in.unknown, u)
	// Only the command bytes are logged: what follows them may be a citizen's data.
	in.log.Warn("printer: unknown or malformed command", "offset", u.Offset, "command", fmt.Sprintf("% X", u.Bytes[:min(2, len(u.Bytes))]), "reason", reason)
}

// reportOnce records reason only the first time it occurs.
func (in *interpreter) reportOnce(n int, reason string) {
	if in.once[reason] {
		return
	}
	in.once[reason] = true
	in.report(n, reason)
}

func printable(c byte) string {
	if c >= 0x21 && c < 0x7F {
		return fmt.Sprintf("%q (%#02x)", c, c)
	}
	return fmt.Sprintf("%#02x", c)
}

// areaWidth is the width of the printing area: print width, limited by the paper.
func (in *interpreter) areaWidth() int {
	left := in.m.leftMargin
	if left >= in.cfg.PaperDots {
		left = 0
	}
	w := in.m.printWidth
	if w <= 0 || left+w > in.cfg.PaperDots {
		w = in.cfg.PaperDots - left
	}
	return w
}

func (in *interpreter) areaLeft() int {
	if in.m.leftMargin >= in.cfg.PaperDots {
		return 0
	}
	return in.m.leftMargin
}

// alignX returns where an object w dots wide starts on the paper under alignment align.
func (in *interpreter) alignX(w, align int) int {
	x0, aw := in.areaLeft(), in.areaWidth()
	if w >= aw {
		return x0
	}
	switch align {
	case 1:
		return x0 + (aw-w)/2
	case 2:
		return x0 + aw - w
	}
	return x0
}

// putCell adds one character cell (adv dots wide plus spacing) to the line, printing the line
// first if the cell does not fit.
func (in *interpreter) putCell(r rune, cell *bitmap, spacing int) {
	if in.ln.width+cell.w > in.areaWidth() && !in.ln.empty() {
		in.printLine(in.m.lineSpacing)
		if in.mech.stopped() {
			// The paper ended on the line before: this character is lost with it.
			return
		}
	}
	if in.ln.empty() {
		in.ln.align = in.m.align
	}
	if len(in.ln.items) < 4096 {
		in.ln.items = append(in.ln.items, placed{x: in.ln.width, bm: cell})
	}
	in.ln.width += cell.w + spacing
	in.ln.used = true
	if in.ln.text.Len() < 4096 {
		in.ln.text.WriteRune(r)
	}
}

// tab moves to the next horizontal tab position; without one the tab is ignored.
func (in *interpreter) tab() {
	stops := in.m.tabs
	if stops == nil {
		for x := 8 * fontAWidth; x <= in.areaWidth(); x += 8 * fontAWidth {
			if x > in.ln.width {
				stops = []int{x}
				break
			}
		}
	}
	for _, x := range stops {
		if x > in.ln.width && x <= in.areaWidth() {
			if in.ln.empty() {
				in.ln.align = in.m.align
			}
			in.ln.width = x
			in.ln.used = true
			in.ln.text.WriteByte('\t')
			return
		}
	}
}

// printLine prints the line buffer and feeds at least minFeed dots (the line's height if that
// is more). An empty line only feeds.
func (in *interpreter) printLine(minFeed int) {
	h := in.ln.height()
	adv := minFeed
	if h > adv {
		adv = h
	}
	top := in.mech.sheet.rows
	moved := in.mech.feed(adv)
	if len(in.ln.items) > 0 {
		last := in.ln.items[len(in.ln.items)-1]
		w := last.x + last.bm.w
		x0 := in.alignX(w, in.ln.align)
		limit := top + moved
		aw := in.areaLeft() + in.areaWidth()
		for _, it := range in.ln.items {
			if x0+it.x >= aw {
				break
			}
			in.mech.sheet.blit(it.bm, x0+it.x, top+h-it.bm.h, limit)
		}
	}
	if in.ln.used && in.ln.text.Len() > 0 && len(in.mech.sheetText) < 10000 {
		in.mech.sheetText = append(in.mech.sheetText, strings.TrimRight(in.ln.text.String(), " \t"))
	}
	in.ln = line{items: in.ln.items[:0]}
}

// styleKey identifies a styled character cell.
type styleKey struct {
	r                 rune
	fontB, bold, rev  bool
	underline, sw, sh int
}

// charCell returns the cell for r in the current style.
func (in *interpreter) charCell(r rune) *bitmap {
	k := styleKey{r: r, fontB: in.m.fontB, bold: in.m.bold, rev: in.m.reverse, underline: in.m.underline, sw: in.m.sizeW, sh: in.m.sizeH}
	if bm, ok := in.styled[k]; ok {
		return bm
	}
	g := in.fonts.glyph(in.m.fontB, r)
	bm := in.style(g)
	if len(in.styled) < 1024 && in.m.sizeW*in.m.sizeH <= 4 {
		in.styled[k] = bm
	}
	return bm
}

// kanjiCell is the double-width placeholder for a double-byte character.
func (in *interpreter) kanjiCell() *bitmap {
	w, h := cellSize(in.m.fontB)
	g := newBitmap(2*w, h)
	for x := 1; x < g.w-1; x++ {
		g.set(x, 1)
		g.set(x, h-2)
	}
	for y := 1; y < h-1; y++ {
		g.set(1, y)
		g.set(g.w-2, y)
		g.set(1+(g.w-3)*(y-1)/(h-2), y)
	}
	return in.style(g)
}

// style applies emphasis, underline, reverse and size to a font cell.
func (in *interpreter) style(g *bitmap) *bitmap {
	bm := newBitmap(g.w, g.h)
	copy(bm.pix, g.pix)
	if in.m.bold {
		for y := 0; y < g.h; y++ {
			for x := 1; x < g.w; x++ {
				if g.at(x-1, y) {
					bm.set(x, y)
				}
			}
		}
	}
	if in.m.underline > 0 && !in.m.reverse {
		for t := 0; t < in.m.underline; t++ {
			for x := 0; x < bm.w; x++ {
				bm.set(x, bm.h-1-t)
			}
		}
	}
	if in.m.reverse {
		for i, v := range bm.pix {
			bm.pix[i] = 1 - v
		}
	}
	return bm.scaled(in.m.sizeW, in.m.sizeH)
}
