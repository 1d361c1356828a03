package escpos

import (
	"fmt"
)

// Command bytes.
const (
	esc = 0x1B
	gs  = 0x1D
	fs  = 0x1C
	dle = 0x10
	lf  = 0x0A
)

// Align is a justification for ESC a.
type Align byte

// Justifications.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// QRLevel is a QR error correction level.
type QRLevel byte

// Error correction levels for GS ( k function 169.
const (
	QRLevelL QRLevel = 0x30
	QRLevelM QRLevel = 0x31
	QRLevelQ QRLevel = 0x32
	QRLevelH QRLevel = 0x33
)

// Encoder appends ESC/POS commands to a byte slice. Its methods never fail: arguments out of range
// are clamped to what the command can carry. The zero value is ready to use.
type Encoder struct {
	buf []byte
}

// Bytes returns the commands written so far.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns how many bytes have been written.
func (e *Encoder) Len() int { return len(e.buf) }

// Raw appends bytes as they are.
func (e *Encoder) Raw(b ...byte) *Encoder { e.buf = append(e.buf, b...); return e }

// Init resets the printer (ESC @), leaves Chinese/Kanji double-byte mode (FS .), which ESC @ turns
// back on for many Chinese firmwares, and selects the printer as the receiver of data (ESC = 1).
func (e *Encoder) Init() *Encoder {
	return e.Raw(esc, '@', fs, '.', esc, '=', 1)
}

// PanelButtons enables or disables the FEED button (ESC c 5), so a passer-by cannot waste paper.
func (e *Encoder) PanelButtons(enabled bool) *Encoder {
	n := byte(1)
	if enabled {
		n = 0
	}
	return e.Raw(esc, 'c', '5', n)
}

// CodeTable selects a character code table (ESC t n).
func (e *Encoder) CodeTable(n byte) *Encoder { return e.Raw(esc, 't', n) }

// Align sets the justification (ESC a); it takes effect at the start of a line and applies to raster
// images and QR codes too.
func (e *Encoder) Align(a Align) *Encoder { return e.Raw(esc, 'a', byte(a)) }

// Bold turns emphasis on or off (ESC E).
func (e *Encoder) Bold(on bool) *Encoder { return e.Raw(esc, 'E', b2i(on)) }

// Reverse turns white-on-black printing on or off (GS B).
func (e *Encoder) Reverse(on bool) *Encoder { return e.Raw(gs, 'B', b2i(on)) }

// Size sets the character size multipliers (GS !), each 1…8.
func (e *Encoder) Size(width, height int) *Encoder {
	w, h := clamp(width, 1, 8), clamp(height, 1, 8)
	return e.Raw(gs, '!', byte((w-1)<<4|(h-1)))
}

// LineSpacing sets the line spacing in dots (ESC 3 n).
func (e *Encoder) LineSpacing(dots int) *Encoder { return e.Raw(esc, '3', byte(clamp(dots, 0, 255))) }

// Text appends printable bytes. The caller is responsible for the bytes being valid in the current
// code table; control bytes are replaced by '?' so text can never inject a command.
func (e *Encoder) Text(b []byte) *Encoder {
	for _, c := range b {
		if c < 0x20 || c == 0x7F {
			c = '?'
		}
		e.buf = append(e.buf, c)
	}
	return e
}

// LF prints the line buffer and feeds one line.
func (e *Encoder) LF() *Encoder { return e.Raw(lf) }

// FeedDots prints the buffer and feeds n dots (ESC J, repeated for n > 255).
func (e *Encoder) FeedDots(n int) *Encoder {
	for n > 0 {
		k := min(n, 255)
		e.Raw(esc, 'J', byte(k))
		n -= k
	}
	return e
}

// FeedLines prints the buffer and feeds n lines (ESC d).
func (e *Encoder) FeedLines(n int) *Encoder { return e.Raw(esc, 'd', byte(clamp(n, 0, 255))) }

// Cut feeds the paper to the cutter plus extraDots, then cuts (GS V 65/66 n, "function B"), so the
// last printed line is never left under the blade.
func (e *Encoder) Cut(partial bool, extraDots int) *Encoder {
	m := byte(65)
	if partial {
		m = 66
	}
	return e.Raw(gs, 'V', m, byte(clamp(extraDots, 0, 255)))
}

// LegacyCut is ESC i (full) or ESC m (partial), for printers that ignore GS V.
func (e *Encoder) LegacyCut(partial bool) *Encoder {
	if partial {
		return e.Raw(esc, 'm')
	}
	return e.Raw(esc, 'i')
}

// DisableRealtimeInData disables DLE DC4 fn 1 and 2 (GS ( D) so raster data that happens to contain
// those byte sequences cannot pulse the drawer or clear the buffer.
func (e *Encoder) DisableRealtimeInData() *Encoder {
	return e.Raw(gs, '(', 'D', 5, 0, 20, 1, 0, 2, 0)
}

// Raster appends a GS v 0 raster image: widthBytes bytes per row, rows rows, MSB = leftmost dot,
// 1 = black. data must hold exactly widthBytes*rows bytes.
func (e *Encoder) Raster(widthBytes, rows int, data []byte) *Encoder {
	if len(data) != widthBytes*rows {
		panic(fmt.Sprintf("escpos: raster data %d bytes, want %d×%d", len(data), widthBytes, rows))
	}
	e.Raw(gs, 'v', '0', 0, byte(widthBytes), byte(widthBytes>>8), byte(rows), byte(rows>>8))
	e.buf = append(e.buf, data...)
	return e
}

// QR appends a native QR code (GS ( k): model 2, module size in dots (1…16), error correction
// level, store, print.
func (e *Encoder) QR(payload []byte, moduleDots int, level QRLevel) *Encoder {
	e.Raw(gs, '(', 'k', 4, 0, 0x31, 0x41, 0x32, 0)                        // fn 165: model 2
	e.Raw(gs, '(', 'k', 3, 0, 0x31, 0x43, byte(clamp(moduleDots, 1, 16))) // fn 167: module size
	e.Raw(gs, '(', 'k', 3, 0, 0x31, 0x45, byte(level))                    // fn 169: error correction
	n := len(payload) + 3
	e.Raw(gs, '(', 'k', byte(n), byte(n>>8), 0x31, 0x50, 0x30) // fn 180: store
	e.buf = append(e.buf, payload...)
	return e.Raw(gs, '(', 'k', 3, 0, 0x31, 0x51, 0x30) // fn 181: print
}

// StatusRequest appends a real-time status request DLE EOT n (1 printer, 2 offline cause, 3 error
// cause, 4 paper sensor). The printer answers at once with one byte.
func (e *Encoder) StatusRequest(n byte) *Encoder { return e.Raw(dle, 0x04, n) }

// PaperSensorStatus appends GS r 1: the printer answers with one byte when it has processed
// everything before it, which makes it a "printed up to here" marker.
func (e *Encoder) PaperSensorStatus() *Encoder { return e.Raw(gs, 'r', 1) }

// ClearBuffer appends DLE DC4 8 (Epson "clear buffers"): data received but not yet printed is
// discarded, so a half-sent receipt does not finish printing when the paper is replaced.
func (e *Encoder) ClearBuffer() *Encoder {
	return e.Raw(dle, 0x14, 8, 1, 3, 20, 1, 6, 2, 8)
}

func b2i(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
