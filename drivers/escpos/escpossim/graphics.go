package escpossim

import (
	"fmt"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"
)

const (
	maxGraphicsRows = 4096 // rows of GS ( L graphics kept in the print buffer
	maxQRData       = 7089 // QR symbol storage area
)

// gsCut handles GS V in all its forms.
func (p *Printer) gsCut(d []byte) bool {
	if len(d) < 3 {
		return false
	}
	m := d[2]
	switch m {
	case 0, '0', 1, '1': // function A: cut here
		if !p.atLineStart(3, "GS V cut") {
			p.consume(3)
			return true
		}
		p.consume(3)
		p.cut(m == 1 || m == '1', false, 0)
		return true
	case 65, 66, 97, 98, 103, 104:
	default:
		p.report(3, fmt.Sprintf("GS V with invalid mode %d", m))
		p.consume(1)
		return true
	}
	if len(d) < 4 {
		return false
	}
	n := int(d[3])
	if !p.atLineStart(4, "GS V cut") {
		p.consume(4)
		return true
	}
	p.consume(4)
	switch m {
	case 65, 66: // function B: feed to the cut position + n, cut
		p.cut(m == 66, true, n)
	case 103, 104: // function D: feed, cut, reverse feed to the print start
		p.cut(m == 104, true, n)
	case 97, 98:
		// Function C presets a cut position for later printing: accepted, not simulated.
	}
	return true
}

// rasterSink draws bit-image rows as their bytes arrive: rowBytes bytes a row, MSB leftmost,
// 1 = black, each dot sx × sy printer dots.
type rasterSink struct {
	p        *Printer
	rowBytes int
	sx, sy   int
	x0, maxX int    // first and last+1 paper column the image may use
	row      []byte // the visible part of the current row
	col      int    // bytes of the current row received
}

func (p *Printer) newRasterSink(rowBytes, sx, sy, align int) *rasterSink {
	w := rowBytes * 8 * sx
	x0 := p.alignX(w, align)
	maxX := p.areaLeft() + p.areaWidth()
	keep := (maxX-x0)/(8*sx) + 1
	if keep > rowBytes {
		keep = rowBytes
	}
	if keep < 0 {
		keep = 0
	}
	return &rasterSink{p: p, rowBytes: rowBytes, sx: sx, sy: sy, x0: x0, maxX: maxX, row: make([]byte, 0, keep)}
}

// write consumes raster bytes, stopping after a row if the printer stopped.
func (s *rasterSink) write(c []byte) (int, bool) {
	for i := 0; i < len(c); {
		// Copy as much of the current row as is here.
		n := s.rowBytes - s.col
		if n > len(c)-i {
			n = len(c) - i
		}
		if room := cap(s.row) - len(s.row); room > 0 {
			k := n
			if k > room {
				k = room
			}
			s.row = append(s.row, c[i:i+k]...)
		}
		s.col += n
		i += n
		if s.col == s.rowBytes {
			s.drawRow()
			if s.p.stopped() {
				return i, false
			}
		}
	}
	return len(c), false
}

func (s *rasterSink) drawRow() {
	p := s.p
	top := p.sheet.rows
	moved := p.feed(s.sy)
	for bi, b := range s.row {
		if b == 0 {
			continue
		}
		for bit := 0; bit < 8; bit++ {
			if b&(0x80>>bit) == 0 {
				continue
			}
			x := s.x0 + (bi*8+bit)*s.sx
			for dx := 0; dx < s.sx && x+dx < s.maxX; dx++ {
				for dy := 0; dy < moved; dy++ {
					p.sheet.set(x+dx, top+dy)
				}
			}
		}
	}
	s.row = s.row[:0]
	s.col = 0
}

// rasterImage handles GS v 0 m xL xH yL yH d1…dk: x in bytes, y in rows, k = x·y.
func (p *Printer) rasterImage(d []byte) bool {
	if len(d) < 3 {
		return false
	}
	if d[2] != '0' {
		p.report(3, "unknown command GS v (only GS v 0)")
		p.consume(1)
		return true
	}
	if len(d) < 8 {
		return false
	}
	m := d[3]
	if m >= '0' {
		m -= '0'
	}
	if m > 3 {
		p.report(4, fmt.Sprintf("GS v 0 with invalid mode %d", d[3]))
		p.consume(1)
		return true
	}
	x, y := le16(d[4:]), le16(d[6:])
	if x == 0 || y == 0 {
		p.report(8, fmt.Sprintf("GS v 0 with empty size %d×%d", x, y))
		p.consume(8)
		return true
	}
	if !p.atLineStart(8, "GS v 0 image") {
		return p.startPayload(8, discard(int64(x)*int64(y)))
	}
	sx, sy := 1+int(m&1), 1+int(m>>1&1)
	if 8*x*sx > p.areaWidth() {
		p.reportOnce(8, fmt.Sprintf("GS v 0 image %d dots wide does not fit %d dots: clipped", 8*x*sx, p.areaWidth()))
	}
	s := p.newRasterSink(x, sx, sy, p.m.align)
	return p.startPayload(8, &payload{left: int64(x) * int64(y), fn: s.write})
}

// columnImage handles ESC * m nL nH d…: columns of 8 or 24 dots placed on the text line.
func (p *Printer) columnImage(d []byte) bool {
	if len(d) < 5 {
		return false
	}
	m, n := d[2], le16(d[3:])
	var rowsPerCol, sx, sy int
	switch m {
	case 0:
		rowsPerCol, sx, sy = 1, 2, 3
	case 1:
		rowsPerCol, sx, sy = 1, 1, 3
	case 32:
		rowsPerCol, sx, sy = 3, 2, 1
	case 33:
		rowsPerCol, sx, sy = 3, 1, 1
	default:
		p.report(5, fmt.Sprintf("ESC * with invalid mode %d", m))
		p.consume(1)
		return true
	}
	h := rowsPerCol * 8 * sy
	keep := (p.areaWidth() - p.ln.width) / sx
	if keep > n {
		keep = n
	}
	if keep < 0 {
		keep = 0
	}
	bm := newBitmap(keep*sx, h)
	col, k := 0, 0
	fn := func(c []byte) (int, bool) {
		for _, b := range c {
			if col < keep {
				for bit := 0; bit < 8; bit++ {
					if b&(0x80>>bit) == 0 {
						continue
					}
					y := (k*8 + bit) * sy
					for dx := 0; dx < sx; dx++ {
						for dy := 0; dy < sy; dy++ {
							bm.set(col*sx+dx, y+dy)
						}
					}
				}
			}
			k++
			if k == rowsPerCol {
				k = 0
				col++
			}
		}
		return len(c), false
	}
	end := func() {
		if bm.w == 0 {
			return
		}
		if p.ln.empty() {
			p.ln.align = p.m.align
		}
		p.ln.items = append(p.ln.items, placed{x: p.ln.width, bm: bm})
		p.ln.width += bm.w
		p.ln.used = true
	}
	return p.startPayload(5, &payload{left: int64(n) * int64(rowsPerCol), fn: fn, end: end})
}

// gsParen handles the GS ( x pL pH … family.
func (p *Printer) gsParen(d []byte) bool {
	if len(d) < 5 {
		return false
	}
	n := int64(le16(d[3:]))
	switch d[2] {
	case 'L':
		return p.graphics(d, 5, n)
	case 'k':
		return p.symbol(d, n)
	case 'D':
		// Enable/disable real-time commands: accepted.
		return p.startPayload(5, discard(n))
	default:
		p.report(5, fmt.Sprintf("GS ( %s not supported", printable(d[2])))
		return p.startPayload(5, discard(n))
	}
}

// gs8 handles GS 8 L p1 p2 p3 p4 …: graphics with a 32-bit length.
func (p *Printer) gs8(d []byte) bool {
	if len(d) < 3 {
		return false
	}
	if d[2] != 'L' {
		p.report(3, "unknown command GS 8")
		p.consume(1)
		return true
	}
	if len(d) < 7 {
		return false
	}
	n := int64(d[3]) | int64(d[4])<<8 | int64(d[5])<<16 | int64(d[6])<<24
	return p.graphics(d, 7, n)
}

// graphics handles GS ( L / GS 8 L with a header of hdr bytes and n bytes of parameters.
func (p *Printer) graphics(d []byte, hdr int, n int64) bool {
	if n < 2 {
		p.report(hdr, "GS ( L too short")
		return p.startPayload(hdr, discard(n))
	}
	if len(d) < hdr+2 {
		return false
	}
	fn := d[hdr+1]
	switch fn {
	case 1, 49: // reference dot density
		return p.startPayload(hdr, discard(n))
	case 2, 50: // print the graphics buffer
		if !p.atLineStart(hdr+2, "GS ( L print") {
			return p.startPayload(hdr, discard(n))
		}
		p.consume(hdr)
		p.pay = discard(n)
		p.printGraphics()
		return true
	case 112:
	default:
		p.report(hdr+2, fmt.Sprintf("GS ( L function %d not supported", fn))
		return p.startPayload(hdr, discard(n))
	}
	// Store raster graphics: m fn a bx by c xL xH yL yH d1…dk.
	if n < 10 {
		p.report(hdr+2, "GS ( L function 112 too short")
		return p.startPayload(hdr, discard(n))
	}
	if len(d) < hdr+10 {
		return false
	}
	q := d[hdr:]
	a, bx, by, c := q[2], q[3], q[4], q[5]
	w, h := le16(q[6:]), le16(q[8:])
	rowBytes := (w + 7) / 8
	k := n - 10
	switch {
	case a != 48 && a != 52:
		p.report(hdr+10, fmt.Sprintf("GS ( L 112: tone %d invalid", a))
		return p.startPayload(hdr, discard(n))
	case (bx != 1 && bx != 2) || (by != 1 && by != 2):
		p.report(hdr+10, fmt.Sprintf("GS ( L 112: scale %d×%d invalid", bx, by))
		return p.startPayload(hdr, discard(n))
	case w == 0 || h == 0:
		p.report(hdr+10, "GS ( L 112: empty image")
		return p.startPayload(hdr, discard(n))
	case a == 48 && k != int64(rowBytes)*int64(h):
		p.report(hdr+10, fmt.Sprintf("GS ( L 112: %d data bytes for %d×%d dots (want %d)", k, w, h, rowBytes*h))
		return p.startPayload(hdr, discard(n))
	case a == 52:
		p.reportOnce(hdr+10, "GS ( L 112: multi-tone graphics not drawn")
		return p.startPayload(hdr, discard(n))
	}
	if c != 49 {
		p.reportOnce(hdr+10, fmt.Sprintf("GS ( L 112: colour %d printed as black", c))
	}
	keepW := w
	if keepW > p.cfg.PaperDots {
		keepW = p.cfg.PaperDots
	}
	keepH := h
	if keepH > maxGraphicsRows {
		keepH = maxGraphicsRows
		p.reportOnce(hdr+10, fmt.Sprintf("GS ( L 112: image taller than %d rows: cut short", maxGraphicsRows))
	}
	bm := newBitmap(keepW, keepH)
	pos := int64(0)
	fnData := func(c []byte) (int, bool) {
		for _, b := range c {
			row, cb := int(pos/int64(rowBytes)), int(pos%int64(rowBytes))
			pos++
			if b == 0 || row >= keepH {
				continue
			}
			for bit := 0; bit < 8; bit++ {
				if b&(0x80>>bit) != 0 {
					bm.set(cb*8+bit, row)
				}
			}
		}
		return len(c), false
	}
	end := func() {
		p.gfx, p.gfxSX, p.gfxSY = bm, int(bx), int(by)
	}
	return p.startPayload(hdr+10, &payload{left: k, fn: fnData, end: end})
}

// printGraphics prints the GS ( L graphics buffer and clears it.
func (p *Printer) printGraphics() {
	bm := p.gfx
	if bm == nil {
		p.reportOnce(0, "GS ( L print with an empty graphics buffer")
		return
	}
	p.gfx = nil
	p.drawBlock(bm.scaled(p.gfxSX, p.gfxSY))
}

// drawBlock prints a bitmap as its own block of rows under the current alignment.
func (p *Printer) drawBlock(bm *bitmap) {
	x0 := p.alignX(bm.w, p.m.align)
	top := p.sheet.rows
	moved := p.feed(bm.h)
	maxX := p.areaLeft() + p.areaWidth()
	for y := 0; y < moved; y++ {
		for x := 0; x < bm.w && x0+x < maxX; x++ {
			if bm.pix[y*bm.w+x] != 0 {
				p.sheet.set(x0+x, top+y)
			}
		}
	}
}

// qrState is the QR code symbol storage area and settings.
type qrState struct {
	model  byte // 1, 2 or 3 (micro)
	module int  // dots per module
	ec     byte // '0' L … '3' H
	data   []byte
	over   bool // more than maxQRData bytes were stored
}

// symbol handles GS ( k pL pH cn fn ….
func (p *Printer) symbol(d []byte, n int64) bool {
	if n < 2 {
		p.report(5, "GS ( k too short")
		return p.startPayload(5, discard(n))
	}
	if len(d) < 7 {
		return false
	}
	cn, fn := d[5], d[6]
	if cn != 49 {
		p.reportOnce(7, fmt.Sprintf("GS ( k: 2D symbol type %d not rendered", cn))
		return p.startPayload(5, discard(n))
	}
	if fn == 80 { // store
		if n < 3 {
			p.report(7, "GS ( k QR store too short")
			return p.startPayload(5, discard(n))
		}
		p.qr.data, p.qr.over = p.qr.data[:0], false
		fnData := func(c []byte) (int, bool) {
			room := maxQRData - len(p.qr.data)
			if len(c) > room {
				p.qr.over = true
				p.qr.data = append(p.qr.data, c[:room]...)
			} else {
				p.qr.data = append(p.qr.data, c...)
			}
			return len(c), false
		}
		return p.startPayload(8, &payload{left: n - 3, fn: fnData})
	}
	if n > 16 {
		p.report(7, fmt.Sprintf("GS ( k QR function %d with %d bytes of parameters", fn, n))
		return p.startPayload(5, discard(n))
	}
	if int64(len(d)) < 5+n {
		return false
	}
	args := d[7 : 5+n]
	arg := func(i int) (byte, bool) {
		if i < len(args) {
			return args[i], true
		}
		return 0, false
	}
	bad := func() bool {
		p.report(int(5+n), fmt.Sprintf("GS ( k QR function %d: bad parameters", fn))
		p.consume(int(5 + n))
		return true
	}
	switch fn {
	case 65: // model
		v, ok := arg(0)
		if !ok || v < 49 || v > 51 {
			return bad()
		}
		p.qr.model = v - 48
		if p.qr.model != 2 {
			p.reportOnce(int(5+n), "QR model 1 / micro QR printed as model 2")
		}
	case 67: // module size
		v, ok := arg(0)
		if !ok || v < 1 || v > 16 {
			return bad()
		}
		p.qr.module = int(v)
	case 69: // error correction level
		v, ok := arg(0)
		if !ok || v < 48 || v > 51 {
			return bad()
		}
		p.qr.ec = v
	case 81: // print
		if !p.atLineStart(int(5+n), "GS ( k QR print") {
			p.consume(int(5 + n))
			return true
		}
		p.consume(int(5 + n))
		p.printQR()
		return true
	case 82: // transmit size information
		p.consume(int(5 + n))
		bm := p.qrBitmap()
		w, other := 0, byte('1')
		if bm != nil {
			w, other = bm.w, '0'
		}
		msg := []byte{0x37, 0x36}
		msg = strconv.AppendInt(msg, int64(w), 10)
		msg = append(msg, 0x1F)
		msg = strconv.AppendInt(msg, int64(w), 10)
		msg = append(msg, 0x1F, 0x31, 0x1F, other, 0x00)
		p.reply(msg...)
		return true
	default:
		p.report(int(5+n), fmt.Sprintf("GS ( k QR function %d not supported", fn))
	}
	p.consume(int(5 + n))
	return true
}

// qrBitmap renders the stored QR data without quiet zone, or nil if it cannot be encoded.
func (p *Printer) qrBitmap() *bitmap {
	if len(p.qr.data) == 0 || p.qr.over {
		return nil
	}
	level := qrcode.Low + qrcode.RecoveryLevel(p.qr.ec-48)
	q, err := qrcode.New(string(p.qr.data), level)
	if err != nil {
		return nil
	}
	q.DisableBorder = true
	mods := q.Bitmap()
	s := p.qr.module
	bm := newBitmap(len(mods)*s, len(mods)*s)
	for y, row := range mods {
		for x, on := range row {
			if !on {
				continue
			}
			for dy := 0; dy < s; dy++ {
				for dx := 0; dx < s; dx++ {
					bm.set(x*s+dx, y*s+dy)
				}
			}
		}
	}
	return bm
}

func (p *Printer) printQR() {
	bm := p.qrBitmap()
	switch {
	case len(p.qr.data) == 0:
		p.report(0, "QR print with no stored data")
		return
	case bm == nil:
		p.report(0, fmt.Sprintf("QR data (%d bytes) cannot be encoded at this error correction level", len(p.qr.data)))
		return
	case bm.w > p.areaWidth():
		p.report(0, fmt.Sprintf("QR symbol %d dots wide does not fit the %d-dot print area: not printed", bm.w, p.areaWidth()))
		return
	}
	p.drawBlock(bm)
	if len(p.sheetQR) < 1000 {
		p.sheetQR = append(p.sheetQR, string(p.qr.data))
	}
}

// barcode handles GS k (function A, NUL-terminated, and function B, counted). Barcodes are
// drawn as a placeholder box of the right height, with the human-readable text if selected.
func (p *Printer) barcode(d []byte) bool {
	if len(d) < 3 {
		return false
	}
	m := d[2]
	var data []byte
	draw := true
	if m <= 6 || (m >= 65 && m <= 78) {
		if len(d) < 4 {
			return false
		}
		draw = p.atLineStart(4, "GS k barcode")
	}
	switch {
	case m <= 6:
		terminated := false
		fn := func(c []byte) (int, bool) {
			for i, b := range c {
				if b == 0 {
					terminated = true
					return i + 1, true
				}
				data = append(data, b)
			}
			return len(c), false
		}
		end := func() {
			if !terminated {
				p.report(0, "GS k function A: no NUL within 255 data bytes")
				return
			}
			if draw {
				p.drawBarcode(m, data)
			}
		}
		return p.startPayload(3, &payload{left: 256, fn: fn, end: end})
	case m >= 65 && m <= 78:
		if len(d) < 4 {
			return false
		}
		n := int(d[3])
		fn := func(c []byte) (int, bool) {
			data = append(data, c...)
			return len(c), false
		}
		end := func() {
			if draw {
				p.drawBarcode(m-65, data)
			}
		}
		return p.startPayload(4, &payload{left: int64(n), fn: fn, end: end})
	default:
		p.report(3, fmt.Sprintf("GS k with invalid barcode system %d", m))
		p.consume(1)
		return true
	}
}

func (p *Printer) drawBarcode(system byte, data []byte) {
	p.reportOnce(0, "barcode not rendered: printed as a placeholder box")
	if len(data) == 0 {
		return
	}
	var modules int
	switch system {
	case 0, 2: // UPC-A, EAN-13
		modules = 95
	case 1:
		modules = 51
	case 3:
		modules = 67
	case 8, 9: // CODE128, GS1-128
		modules = 11*len(data) + 35
	default:
		modules = 13*len(data) + 20
	}
	w := modules * p.m.barW
	if w > p.areaWidth() {
		w = p.areaWidth()
	}
	h := p.m.barH
	bm := newBitmap(w, h)
	for x := 0; x < w; x++ {
		bm.set(x, 0)
		bm.set(x, 1)
		bm.set(x, h-1)
		bm.set(x, h-2)
	}
	for y := 0; y < h; y++ {
		bm.set(0, y)
		bm.set(1, y)
		bm.set(w-1, y)
		bm.set(w-2, y)
		for x := 4; x < w-4; x += 2 * p.m.barW {
			if (x/(2*p.m.barW)+len(data))%3 != 0 {
				for t := 0; t < p.m.barW; t++ {
					bm.set(x+t, y)
				}
			}
		}
	}
	label := data
	if system == 8 || system == 9 {
		// CODE128 code-set selectors ({A {B {C …) are not part of the human-readable text.
		label = nil
		for i := 0; i < len(data); i++ {
			if data[i] == '{' && i+1 < len(data) {
				if data[i+1] == '{' {
					label = append(label, '{')
				}
				i++
				continue
			}
			label = append(label, data[i])
		}
	}
	saveB := p.m.fontB
	hri := func() {
		p.m.fontB = p.m.hriFontB
		for _, b := range label {
			if b >= 0x20 && b < 0x7F {
				r := rune(b)
				p.putCell(r, p.fonts.glyph(p.m.fontB, r), 0)
			}
		}
		p.ln.align = p.m.align
		p.printLine(0)
		p.m.fontB = saveB
	}
	if p.m.hriPos&1 != 0 {
		hri()
	}
	p.drawBlock(bm)
	if p.m.hriPos&2 != 0 {
		hri()
	}
}

// atLineStart checks the rule that a command of n bytes, what, only works at the beginning of a
// line in standard mode (with nothing in the print buffer); otherwise it is reported and ignored.
func (p *Printer) atLineStart(n int, what string) bool {
	if p.ln.empty() {
		return true
	}
	p.report(n, what+" not at the beginning of a line: ignored (send LF first)")
	return false
}
