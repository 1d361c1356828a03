package escpossim

import (
	"fmt"
	"strings"

	"github.com/tramso/tramso/drivers/escpos/codepage"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const (
	esc = 0x1B
	gs  = 0x1D
	fs  = 0x1C
)

// modes is the state ESC @ resets.
type modes struct {
	fontB         bool
	bold          bool
	underline     int // 0 off, 1 or 2 dots
	sizeW, sizeH  int // 1…8
	reverse       bool
	upsideDown    bool
	align         int // 0 left, 1 centre, 2 right
	table         codepage.Table
	kanji         bool
	selected      bool
	leftMargin    int
	printWidth    int
	lineSpacing   int
	charSpacing   int
	tabs          []int // tab stops in dots from the line start; nil = every 8 Font A cells
	barH, barW    int
	hriPos        int
	hriFontB      bool
	stopOnNearEnd bool
}

// reset is ESC @ (and power-on).
func (p *Printer) reset() {
	keepStop := p.m.stopOnNearEnd // ESC c 4 survives ESC @ on Epson printers
	p.m = modes{
		sizeW: 1, sizeH: 1,
		table:         codepage.PC437,
		kanji:         p.cfg.KanjiAtReset,
		selected:      true,
		printWidth:    p.cfg.PaperDots,
		lineSpacing:   30,
		barH:          162,
		barW:          3,
		stopOnNearEnd: keepStop,
	}
	p.ln = line{}
	p.qr = qrState{model: 2, module: 3, ec: 0x30}
	p.gfx = nil
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
func (p *Printer) step() bool {
	if p.pay != nil {
		return p.stepPayload()
	}
	data := p.buf[p.head:]
	if !p.m.selected {
		// Deselected by ESC = 0: everything but ESC = n is ignored.
		if data[0] != esc {
			p.consume(1)
			return true
		}
		if len(data) < 3 {
			return false
		}
		if data[1] == '=' && data[2]&1 == 1 {
			p.m.selected = true
			p.consume(3)
			return true
		}
		p.consume(1)
		return true
	}
	c := data[0]
	switch {
	case c == '\n':
		p.printLine(p.m.lineSpacing)
		p.consume(1)
		return true
	case c == '\r':
		p.consume(1)
		return true
	case c == '\t':
		p.tab()
		p.consume(1)
		return true
	case c == esc:
		return p.escCommand(data)
	case c == gs:
		return p.gsCommand(data)
	case c == fs:
		return p.fsCommand(data)
	case c == dle:
		return p.dleCommand(data)
	case c < 0x20:
		p.report(1, fmt.Sprintf("unknown control byte %#02x", c))
		p.consume(1)
		return true
	case c >= 0x80 && p.m.kanji:
		if len(data) < 2 {
			return false
		}
		r := '\uFFFD'
		if out, err := simplifiedchinese.GBK.NewDecoder().Bytes(data[:2]); err == nil {
			if rs := []rune(string(out)); len(rs) == 1 {
				r = rs[0]
			}
		}
		p.putCell(r, p.kanjiCell(), 0)
		p.consume(2)
		return true
	default:
		r := codepage.Decode(p.m.table, c)
		p.putCell(r, p.charCell(r), p.m.charSpacing*p.m.sizeW)
		p.consume(1)
		return true
	}
}

func (p *Printer) consume(n int) {
	p.head += n
	p.off += int64(n)
}

func (p *Printer) stepPayload() bool {
	pay := p.pay
	avail := len(p.buf) - p.head
	if int64(avail) > pay.left {
		avail = int(pay.left)
	}
	used, done := 0, pay.left == 0
	if avail > 0 {
		used, done = pay.fn(p.buf[p.head : p.head+avail])
		p.consume(used)
		pay.left -= int64(used)
	}
	if pay.left == 0 {
		done = true
	}
	if done {
		p.pay = nil
		if pay.end != nil {
			pay.end()
		}
		return true
	}
	return used > 0
}

// startPayload consumes a command header of n bytes and streams its data through pay.
func (p *Printer) startPayload(n int, pay *payload) bool {
	p.consume(n)
	p.pay = pay
	return true
}

// le16 reads a little-endian 16-bit number.
func le16(b []byte) int { return int(b[0]) | int(b[1])<<8 }

func (p *Printer) escCommand(d []byte) bool {
	if len(d) < 2 {
		return false
	}
	// need reports whether the command's n bytes are all in the buffer.
	need := func(n int) bool { return len(d) >= n }
	switch d[1] {
	case '@':
		p.reset()
		p.consume(2)
	case '=':
		if !need(3) {
			return false
		}
		p.m.selected = d[2]&1 == 1
		p.consume(3)
	case 'c':
		if !need(4) {
			return false
		}
		switch d[2] {
		case '0', '1', '3', '5':
			// paper type, paper sensors for signals, panel buttons: accepted
		case '4':
			p.m.stopOnNearEnd = d[3]&0x03 != 0
		default:
			p.report(4, "ESC c with unknown function")
			p.consume(1)
			return true
		}
		p.consume(4)
	case 't':
		if !need(3) {
			return false
		}
		p.m.table = codepage.Table(d[2])
		if !codepage.Known(p.m.table) {
			p.reportOnce(3, fmt.Sprintf("code table %d not known to the simulator: its characters print as replacement marks", d[2]))
		}
		p.consume(3)
	case '!':
		if !need(3) {
			return false
		}
		n := d[2]
		p.m.fontB = n&0x01 != 0
		p.m.bold = n&0x08 != 0
		p.m.sizeH = 1 + int(n>>4&1)
		p.m.sizeW = 1 + int(n>>5&1)
		if n&0x80 != 0 {
			p.m.underline = 1
		} else {
			p.m.underline = 0
		}
		p.consume(3)
	case 'E', 'G':
		if !need(3) {
			return false
		}
		p.m.bold = d[2]&1 == 1
		p.consume(3)
	case '-':
		if !need(3) {
			return false
		}
		switch d[2] {
		case 0, '0':
			p.m.underline = 0
		case 1, '1':
			p.m.underline = 1
		case 2, '2':
			p.m.underline = 2
		}
		p.consume(3)
	case 'M':
		if !need(3) {
			return false
		}
		switch d[2] {
		case 0, '0':
			p.m.fontB = false
		case 1, '1':
			p.m.fontB = true
		default:
			p.reportOnce(3, fmt.Sprintf("font %d not available: Font B used", d[2]))
			p.m.fontB = true
		}
		p.consume(3)
	case 'a':
		if !need(3) {
			return false
		}
		switch d[2] {
		case 0, '0':
			p.m.align = 0
		case 1, '1':
			p.m.align = 1
		case 2, '2':
			p.m.align = 2
		}
		p.consume(3)
	case 'd':
		if !need(3) {
			return false
		}
		p.consume(3)
		p.printLine(int(d[2]) * p.m.lineSpacing)
	case 'J':
		if !need(3) {
			return false
		}
		p.consume(3)
		p.printLine(int(d[2]))
	case 'e':
		// Print and reverse feed: the paper cannot go back on this simulator.
		if !need(3) {
			return false
		}
		p.consume(3)
		p.printLine(0)
	case '2':
		p.m.lineSpacing = 30
		p.consume(2)
	case '3':
		if !need(3) {
			return false
		}
		p.m.lineSpacing = int(d[2])
		p.consume(3)
	case ' ':
		if !need(3) {
			return false
		}
		p.m.charSpacing = int(d[2])
		p.consume(3)
	case '$':
		if !need(4) {
			return false
		}
		if x := le16(d[2:]); x <= p.areaWidth() {
			p.ln.width = x
			p.ln.used = true
		}
		p.consume(4)
	case '\\':
		if !need(4) {
			return false
		}
		x := p.ln.width + int(int16(le16(d[2:])))
		if x >= 0 && x <= p.areaWidth() {
			p.ln.width = x
			p.ln.used = true
		}
		p.consume(4)
	case 'D':
		// ESC D n1 … nk NUL, k ≤ 32.
		end := -1
		for i := 2; i < len(d) && i < 2+33; i++ {
			if d[i] == 0 {
				end = i
				break
			}
		}
		if end < 0 {
			if len(d) < 2+33 {
				return false
			}
			p.report(2, "ESC D without NUL within 32 tab positions")
			p.consume(1)
			return true
		}
		cw, _ := cellSize(p.m.fontB)
		cw += p.m.charSpacing
		p.m.tabs = p.m.tabs[:0:0]
		prev := 0
		for _, n := range d[2:end] {
			if int(n) <= prev {
				break
			}
			prev = int(n)
			p.m.tabs = append(p.m.tabs, int(n)*cw)
		}
		p.consume(end + 1)
	case 'i', 'm':
		ok := p.atLineStart(2, "ESC "+string(d[1])+" cut")
		p.consume(2)
		if ok {
			p.cut(d[1] == 'm', false, 0)
		}
	case 'p':
		if !need(5) {
			return false
		}
		p.consume(5) // drawer kick: no drawer
	case '{', 'V', 'R', 'r', 'U', 'S':
		if d[1] == 'S' {
			p.consume(2) // select standard mode
			return true
		}
		if !need(3) {
			return false
		}
		if d[1] == '{' || d[1] == 'V' {
			p.m.upsideDown = d[2]&1 == 1 // remembered, not drawn
		}
		p.consume(3)
	case '*':
		return p.columnImage(d)
	default:
		p.report(2, fmt.Sprintf("unknown command ESC %s", printable(d[1])))
		p.consume(1)
	}
	return true
}

func (p *Printer) gsCommand(d []byte) bool {
	if len(d) < 2 {
		return false
	}
	need := func(n int) bool { return len(d) >= n }
	switch d[1] {
	case '!':
		if !need(3) {
			return false
		}
		n := d[2]
		w, h := int(n>>4), int(n&0x0F)
		if w > 7 || h > 7 {
			p.report(3, fmt.Sprintf("GS ! %#02x: size out of range", n))
			p.consume(1)
			return true
		}
		p.m.sizeW, p.m.sizeH = w+1, h+1
		p.consume(3)
	case 'B':
		if !need(3) {
			return false
		}
		p.m.reverse = d[2]&1 == 1
		p.consume(3)
	case 'L':
		if !need(4) {
			return false
		}
		p.m.leftMargin = le16(d[2:])
		p.consume(4)
	case 'W':
		if !need(4) {
			return false
		}
		p.m.printWidth = le16(d[2:])
		p.consume(4)
	case 'P':
		if !need(4) {
			return false
		}
		p.consume(4) // motion units: fixed at 1 dot
	case 'V':
		return p.gsCut(d)
	case 'v':
		return p.rasterImage(d)
	case '(':
		return p.gsParen(d)
	case '8':
		return p.gs8(d)
	case 'k':
		return p.barcode(d)
	case 'h':
		if !need(3) {
			return false
		}
		if d[2] > 0 {
			p.m.barH = int(d[2])
		}
		p.consume(3)
	case 'w':
		if !need(3) {
			return false
		}
		if d[2] >= 1 && d[2] <= 6 {
			p.m.barW = int(d[2])
		}
		p.consume(3)
	case 'H':
		if !need(3) {
			return false
		}
		p.m.hriPos = int(d[2] & 0x03)
		p.consume(3)
	case 'f':
		if !need(3) {
			return false
		}
		p.m.hriFontB = d[2]&1 == 1
		p.consume(3)
	case 'r':
		if !need(3) {
			return false
		}
		switch d[2] {
		case 1, '1':
			p.reply(p.paperSensor())
		case 2, '2':
			p.reply(0x00) // drawer kick-out connector pin 3 low
		default:
			p.report(3, fmt.Sprintf("GS r %d not supported", d[2]))
		}
		p.consume(3)
	case 'a':
		if !need(3) {
			return false
		}
		p.consume(3)
		p.enableASB(d[2])
	case 'b':
		if !need(3) {
			return false
		}
		p.consume(3) // smoothing
	default:
		p.report(2, fmt.Sprintf("unknown command GS %s", printable(d[1])))
		p.consume(1)
	}
	return true
}

func (p *Printer) fsCommand(d []byte) bool {
	if len(d) < 2 {
		return false
	}
	switch d[1] {
	case '.':
		p.m.kanji = false
		p.consume(2)
	case '&':
		p.m.kanji = true
		p.consume(2)
	case '!', '-', 'C', 'S', 'W':
		if d[1] == 'S' {
			if len(d) < 4 {
				return false
			}
			p.consume(4)
			return true
		}
		if len(d) < 3 {
			return false
		}
		p.consume(3) // Kanji print mode, underline, code system, quadruple: accepted
	case 'p':
		if len(d) < 4 {
			return false
		}
		p.report(4, fmt.Sprintf("FS p: NV bit image %d not stored in the simulator", d[2]))
		p.consume(4)
	default:
		p.report(2, fmt.Sprintf("unknown command FS %s", printable(d[1])))
		p.consume(1)
	}
	return true
}

// dleCommand skips real-time commands met in the data stream: they were carried out when
// they arrived.
func (p *Printer) dleCommand(d []byte) bool {
	if len(d) < 3 {
		return false
	}
	n := 0
	switch d[1] {
	case eot:
		switch d[2] {
		case 1, 2, 3, 4:
			n = 3
		case 7, 8:
			n = 4
		}
	case enq:
		n = 3
	case dc4:
		switch d[2] {
		case 1, 2:
			n = 5
		case 7:
			n = 4
		case 8:
			n = 10
		}
	}
	if n == 0 {
		p.report(3, "unknown real-time command")
		p.consume(1)
		return true
	}
	if len(d) < n {
		return false
	}
	p.consume(n)
	return true
}

func printable(c byte) string {
	if c >= 0x21 && c < 0x7F {
		return fmt.Sprintf("%q (%#02x)", c, c)
	}
	return fmt.Sprintf("%#02x", c)
}

// areaWidth is the width of the printing area: print width, limited by the paper.
func (p *Printer) areaWidth() int {
	left := p.m.leftMargin
	if left >= p.cfg.PaperDots {
		left = 0
	}
	w := p.m.printWidth
	if w <= 0 || left+w > p.cfg.PaperDots {
		w = p.cfg.PaperDots - left
	}
	return w
}

func (p *Printer) areaLeft() int {
	if p.m.leftMargin >= p.cfg.PaperDots {
		return 0
	}
	return p.m.leftMargin
}

// alignX returns where an object w dots wide starts on the paper under alignment align.
func (p *Printer) alignX(w, align int) int {
	x0, aw := p.areaLeft(), p.areaWidth()
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
func (p *Printer) putCell(r rune, cell *bitmap, spacing int) {
	if p.ln.width+cell.w > p.areaWidth() && !p.ln.empty() {
		p.printLine(p.m.lineSpacing)
		if p.stopped() {
			// The paper ended on the line before: this character is lost with it.
			return
		}
	}
	if p.ln.empty() {
		p.ln.align = p.m.align
	}
	if len(p.ln.items) < 4096 {
		p.ln.items = append(p.ln.items, placed{x: p.ln.width, bm: cell})
	}
	p.ln.width += cell.w + spacing
	p.ln.used = true
	if p.ln.text.Len() < 4096 {
		p.ln.text.WriteRune(r)
	}
}

// tab moves to the next horizontal tab position; without one the tab is ignored.
func (p *Printer) tab() {
	stops := p.m.tabs
	if stops == nil {
		for x := 8 * fontAWidth; x <= p.areaWidth(); x += 8 * fontAWidth {
			if x > p.ln.width {
				stops = []int{x}
				break
			}
		}
	}
	for _, x := range stops {
		if x > p.ln.width && x <= p.areaWidth() {
			if p.ln.empty() {
				p.ln.align = p.m.align
			}
			p.ln.width = x
			p.ln.used = true
			p.ln.text.WriteByte('\t')
			return
		}
	}
}

// printLine prints the line buffer and feeds at least minFeed dots (the line's height if that
// is more). An empty line only feeds.
func (p *Printer) printLine(minFeed int) {
	h := p.ln.height()
	adv := minFeed
	if h > adv {
		adv = h
	}
	top := p.sheet.rows
	moved := p.feed(adv)
	if len(p.ln.items) > 0 {
		last := p.ln.items[len(p.ln.items)-1]
		w := last.x + last.bm.w
		x0 := p.alignX(w, p.ln.align)
		limit := top + moved
		aw := p.areaLeft() + p.areaWidth()
		for _, it := range p.ln.items {
			if x0+it.x >= aw {
				break
			}
			p.sheet.blit(it.bm, x0+it.x, top+h-it.bm.h, limit)
		}
	}
	if p.ln.used && p.ln.text.Len() > 0 && len(p.sheetText) < 10000 {
		p.sheetText = append(p.sheetText, strings.TrimRight(p.ln.text.String(), " \t"))
	}
	p.ln = line{items: p.ln.items[:0]}
}

// styleKey identifies a styled character cell.
type styleKey struct {
	r                 rune
	fontB, bold, rev  bool
	underline, sw, sh int
}

// charCell returns the cell for r in the current style.
func (p *Printer) charCell(r rune) *bitmap {
	k := styleKey{r: r, fontB: p.m.fontB, bold: p.m.bold, rev: p.m.reverse, underline: p.m.underline, sw: p.m.sizeW, sh: p.m.sizeH}
	if bm, ok := p.styled[k]; ok {
		return bm
	}
	g := p.fonts.glyph(p.m.fontB, r)
	bm := p.style(g)
	if len(p.styled) < 1024 && p.m.sizeW*p.m.sizeH <= 4 {
		p.styled[k] = bm
	}
	return bm
}

// kanjiCell is the double-width placeholder for a double-byte character.
func (p *Printer) kanjiCell() *bitmap {
	w, h := cellSize(p.m.fontB)
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
	return p.style(g)
}

// style applies emphasis, underline, reverse and size to a font cell.
func (p *Printer) style(g *bitmap) *bitmap {
	bm := newBitmap(g.w, g.h)
	copy(bm.pix, g.pix)
	if p.m.bold {
		for y := 0; y < g.h; y++ {
			for x := 1; x < g.w; x++ {
				if g.at(x-1, y) {
					bm.set(x, y)
				}
			}
		}
	}
	if p.m.underline > 0 && !p.m.reverse {
		for t := 0; t < p.m.underline; t++ {
			for x := 0; x < bm.w; x++ {
				bm.set(x, bm.h-1-t)
			}
		}
	}
	if p.m.reverse {
		for i, v := range bm.pix {
			bm.pix[i] = 1 - v
		}
	}
	return bm.scaled(p.m.sizeW, p.m.sizeH)
}
