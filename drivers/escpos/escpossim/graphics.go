package escpossim

import "fmt"

const (
	maxGraphicsRows = 4096 // rows of GS ( L graphics kept in the print buffer
)

// gsCut handles GS V in all its forms.
func (in *interpreter) gsCut(d []byte) bool {
	if len(d) < 3 {
		return false
	}
	m := d[2]
	switch m {
	case 0, '0', 1, '1': // function A: cut here
		if !in.atLineStart(3, "GS V cut") {
			in.consume(3)
			return true
		}
		in.consume(3)
		in.mech.cut(m == 1 || m == '1', false, 0)
		return true
	case 65, 66, 97, 98, 103, 104:
	default:
		in.report(3, fmt.Sprintf("GS V with invalid mode %d", m))
		in.consume(1)
		return true
	}
	if len(d) < 4 {
		return false
	}
	n := int(d[3])
	if !in.atLineStart(4, "GS V cut") {
		in.consume(4)
		return true
	}
	in.consume(4)
	switch m {
	case 65, 66: // function B: feed to the cut position + n, cut
		in.mech.cut(m == 66, true, n)
	case 103, 104: // function D: feed, cut, reverse feed to the print start
		in.mech.cut(m == 104, true, n)
	case 97, 98:
		// Function C presets a cut position for later printing: accepted, not simulated.
	}
	return true
}

// rasterSink draws bit-image rows as their bytes arrive: rowBytes bytes a row, MSB leftmost,
// 1 = black, each dot sx × sy printer dots.
type rasterSink struct {
	in       *interpreter
	rowBytes int
	sx, sy   int
	x0, maxX int    // first and last+1 paper column the image may use
	row      []byte // the visible part of the current row
	col      int    // bytes of the current row received
}

func (in *interpreter) newRasterSink(rowBytes, sx, sy, align int) *rasterSink {
	w := rowBytes * 8 * sx
	x0 := in.alignX(w, align)
	maxX := in.areaLeft() + in.areaWidth()
	keep := (maxX-x0)/(8*sx) + 1
	if keep > rowBytes {
		keep = rowBytes
	}
	if keep < 0 {
		keep = 0
	}
	return &rasterSink{in: in, rowBytes: rowBytes, sx: sx, sy: sy, x0: x0, maxX: maxX, row: make([]byte, 0, keep)}
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
			if s.in.mech.stopped() {
				return i, false
			}
		}
	}
	return len(c), false
}

func (s *rasterSink) drawRow() {
	in := s.in
	top := in.mech.sheet.rows
	moved := in.mech.feed(s.sy)
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
					in.mech.sheet.set(x+dx, top+dy)
				}
			}
		}
	}
	s.row = s.row[:0]
	s.col = 0
}

// rasterImage handles GS v 0 m xL xH yL yH d1…dk: x in bytes, y in rows, k = x·y.
func (in *interpreter) rasterImage(d []byte) bool {
	if len(d) < 3 {
		return false
	}
	if d[2] != '0' {
		in.report(3, "unknown command GS v (only GS v 0)")
		in.consume(1)
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
		in.report(4, fmt.Sprintf("GS v 0 with invalid mode %d", d[3]))
		in.consume(1)
		return true
	}
	x, y := le16(d[4:]), le16(d[6:])
	if x == 0 || y == 0 {
		in.report(8, fmt.Sprintf("GS v 0 with empty size %d×%d", x, y))
		in.consume(8)
		return true
	}
	if !in.atLineStart(8, "GS v 0 image") {
		return in.startPayload(8, discard(int64(x)*int64(y)))
	}
	sx, sy := 1+int(m&1), 1+int(m>>1&1)
	if 8*x*sx > in.areaWidth() {
		in.reportOnce(8, fmt.Sprintf("GS v 0 image %d dots wide does not fit %d dots: clipped", 8*x*sx, in.areaWidth()))
	}
	s := in.newRasterSink(x, sx, sy, in.m.align)
	return in.startPayload(8, &payload{left: int64(x) * int64(y), fn: s.write})
}

// columnImage handles ESC * m nL nH d…: columns of 8 or 24 dots placed on the text line.
func (in *interpreter) columnImage(d []byte) bool {
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
		in.report(5, fmt.Sprintf("ESC * with invalid mode %d", m))
		in.consume(1)
		return true
	}
	h := rowsPerCol * 8 * sy
	keep := (in.areaWidth() - in.ln.width) / sx
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
		if in.ln.empty() {
			in.ln.align = in.m.align
		}
		in.ln.items = append(in.ln.items, placed{x: in.ln.width, bm: bm})
		in.ln.width += bm.w
		in.ln.used = true
	}
	return in.startPayload(5, &payload{left: int64(n) * int64(rowsPerCol), fn: fn, end: end})
}

// gsParen handles the GS ( x pL pH … family.
func (in *interpreter) gsParen(d []byte) bool {
	if len(d) < 5 {
		return false
	}
	n := int64(le16(d[3:]))
	switch d[2] {
	case 'L':
		return in.graphics(d, 5, n)
	case 'k':
		return in.symbol(d, n)
	case 'D':
		// Enable/disable real-time commands: accepted.
		return in.startPayload(5, discard(n))
	default:
		in.report(5, fmt.Sprintf("GS ( %s not supported", printable(d[2])))
		return in.startPayload(5, discard(n))
	}
}

// gs8 handles GS 8 L p1 p2 p3 p4 …: graphics with a 32-bit length.
func (in *interpreter) gs8(d []byte) bool {
	if len(d) < 3 {
		return false
	}
	if d[2] != 'L' {
		in.report(3, "unknown command GS 8")
		in.consume(1)
		return true
	}
	if len(d) < 7 {
		return false
	}
	n := int64(d[3]) | int64(d[4])<<8 | int64(d[5])<<16 | int64(d[6])<<24
	return in.graphics(d, 7, n)
}

// graphics handles GS ( L / GS 8 L with a header of hdr bytes and n bytes of parameters.
func (in *interpreter) graphics(d []byte, hdr int, n int64) bool {
	if n < 2 {
		in.report(hdr, "GS ( L too short")
		return in.startPayload(hdr, discard(n))
	}
	if len(d) < hdr+2 {
		return false
	}
	fn := d[hdr+1]
	switch fn {
	case 1, 49: // reference dot density
		return in.startPayload(hdr, discard(n))
	case 2, 50: // print the graphics buffer
		if !in.atLineStart(hdr+2, "GS ( L print") {
			return in.startPayload(hdr, discard(n))
		}
		in.consume(hdr)
		in.pay = discard(n)
		in.printGraphics()
		return true
	case 112:
	default:
		in.report(hdr+2, fmt.Sprintf("GS ( L function %d not supported", fn))
		return in.startPayload(hdr, discard(n))
	}
	// Store raster graphics: m fn a bx by c xL xH yL yH d1…dk.
	if n < 10 {
		in.report(hdr+2, "GS ( L function 112 too short")
		return in.startPayload(hdr, discard(n))
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
		in.report(hdr+10, fmt.Sprintf("GS ( L 112: tone %d invalid", a))
		return in.startPayload(hdr, discard(n))
	case (bx != 1 && bx != 2) || (by != 1 && by != 2):
		in.report(hdr+10, fmt.Sprintf("GS ( L 112: scale %d×%d invalid", bx, by))
		return in.startPayload(hdr, discard(n))
	case w == 0 || h == 0:
		in.report(hdr+10, "GS ( L 112: empty image")
		return in.startPayload(hdr, discard(n))
	case a == 48 && k != int64(rowBytes)*int64(h):
		in.report(hdr+10, fmt.Sprintf("GS ( L 112: %d data bytes for %d×%d dots (want %d)", k, w, h, rowBytes*h))
		return in.startPayload(hdr, discard(n))
	case a == 52:
		in.reportOnce(hdr+10, "GS ( L 112: multi-tone graphics not drawn")
		return in.startPayload(hdr, discard(n))
	}
	if c != 49 {
		in.reportOnce(hdr+10, fmt.Sprintf("GS ( L 112: colour %d printed as black", c))
	}
	keepW := w
	if keepW > in.cfg.PaperDots {
		keepW = in.cfg.PaperDots
	}
	keepH := h
	if keepH > maxGraphicsRows {
		keepH = maxGraphicsRows
		in.reportOnce(hdr+10, fmt.Sprintf("GS ( L 112: image taller than %d rows: cut short", maxGraphicsRows))
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
		in.gfx, in.gfxSX, in.gfxSY = bm, int(bx), int(by)
	}
	return in.startPayload(hdr+10, &payload{left: k, fn: fnData, end: end})
}

// printGraphics prints the GS ( L graphics buffer and clears it.
func (in *interpreter) printGraphics() {
	bm := in.gfx
	if bm == nil {
		in.reportOnce(0, "GS ( L print with an empty graphics buffer")
		return
	}
	in.gfx = nil
	in.drawBlock(bm.scaled(in.gfxSX, in.gfxSY))
}

// drawBlock prints a bitmap as its own block of rows under the current alignment.
func (in *interpreter) drawBlock(bm *bitmap) {
	x0 := in.alignX(bm.w, in.m.align)
	top := in.mech.sheet.rows
	moved := in.mech.feed(bm.h)
	maxX := in.areaLeft() + in.areaWidth()
	for y := 0; y < moved; y++ {
		for x := 0; x < bm.w && x0+x < maxX; x++ {
			if bm.pix[y*bm.w+x] != 0 {
				in.mech.sheet.set(x0+x, top+y)
			}
		}
	}
}

// atLineStart checks the rule that a command of n bytes, what, only works at the beginning of a
// line in standard mode (with nothing in the print buffer); otherwise it is reported and ignored.
func (in *interpreter) atLineStart(n int, what string) bool {
	if in.ln.empty() {
		return true
	}
	in.report(n, what+" not at the beginning of a line: ignored (send LF first)")
	return false
}
