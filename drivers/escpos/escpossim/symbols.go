package escpossim

import (
	"fmt"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"
)

// QR codes (GS ( k) and barcodes (GS k).

const maxQRData = 7089 // QR symbol storage area

// qrState is the QR code symbol storage area and settings.
type qrState struct {
	model  byte // 1, 2 or 3 (micro)
	module int  // dots per module
	ec     byte // '0' L … '3' H
	data   []byte
	over   bool // more than maxQRData bytes were stored
}

// symbol handles GS ( k pL pH cn fn ….
func (in *interpreter) symbol(d []byte, n int64) bool {
	if n < 2 {
		in.report(5, "GS ( k too short")
		return in.startPayload(5, discard(n))
	}
	if len(d) < 7 {
		return false
	}
	cn, fn := d[5], d[6]
	if cn != 49 {
		in.reportOnce(7, fmt.Sprintf("GS ( k: 2D symbol type %d not rendered", cn))
		return in.startPayload(5, discard(n))
	}
	if fn == 80 { // store
		if n < 3 {
			in.report(7, "GS ( k QR store too short")
			return in.startPayload(5, discard(n))
		}
		in.qr.data, in.qr.over = in.qr.data[:0], false
		fnData := func(c []byte) (int, bool) {
			room := maxQRData - len(in.qr.data)
			if len(c) > room {
				in.qr.over = true
				in.qr.data = append(in.qr.data, c[:room]...)
			} else {
				in.qr.data = append(in.qr.data, c...)
			}
			return len(c), false
		}
		return in.startPayload(8, &payload{left: n - 3, fn: fnData})
	}
	if n > 16 {
		in.report(7, fmt.Sprintf("GS ( k QR function %d with %d bytes of parameters", fn, n))
		return in.startPayload(5, discard(n))
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
		in.report(int(5+n), fmt.Sprintf("GS ( k QR function %d: bad parameters", fn))
		in.consume(int(5 + n))
		return true
	}
	switch fn {
	case 65: // model
		v, ok := arg(0)
		if !ok || v < 49 || v > 51 {
			return bad()
		}
		in.qr.model = v - 48
		if in.qr.model != 2 {
			in.reportOnce(int(5+n), "QR model 1 / micro QR printed as model 2")
		}
	case 67: // module size
		v, ok := arg(0)
		if !ok || v < 1 || v > 16 {
			return bad()
		}
		in.qr.module = int(v)
	case 69: // error correction level
		v, ok := arg(0)
		if !ok || v < 48 || v > 51 {
			return bad()
		}
		in.qr.ec = v
	case 81: // print
		if !in.atLineStart(int(5+n), "GS ( k QR print") {
			in.consume(int(5 + n))
			return true
		}
		in.consume(int(5 + n))
		in.printQR()
		return true
	case 82: // transmit size information
		in.consume(int(5 + n))
		bm := in.qrBitmap()
		w, other := 0, byte('1')
		if bm != nil {
			w, other = bm.w, '0'
		}
		msg := []byte{0x37, 0x36}
		msg = strconv.AppendInt(msg, int64(w), 10)
		msg = append(msg, 0x1F)
		msg = strconv.AppendInt(msg, int64(w), 10)
		msg = append(msg, 0x1F, 0x31, 0x1F, other, 0x00)
		in.rx.reply(msg...)
		return true
	default:
		in.report(int(5+n), fmt.Sprintf("GS ( k QR function %d not supported", fn))
	}
	in.consume(int(5 + n))
	return true
}

// qrBitmap renders the stored QR data without quiet zone, or nil if it cannot be encoded.
func (in *interpreter) qrBitmap() *bitmap {
	if len(in.qr.data) == 0 || in.qr.over {
		return nil
	}
	level := qrcode.Low + qrcode.RecoveryLevel(in.qr.ec-48)
	q, err := qrcode.New(string(in.qr.data), level)
	if err != nil {
		return nil
	}
	q.DisableBorder = true
	mods := q.Bitmap()
	s := in.qr.module
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

func (in *interpreter) printQR() {
	bm := in.qrBitmap()
	switch {
	case len(in.qr.data) == 0:
		in.report(0, "QR print with no stored data")
		return
	case bm == nil:
		in.report(0, fmt.Sprintf("QR data (%d bytes) cannot be encoded at this error correction level", len(in.qr.data)))
		return
	case bm.w > in.areaWidth():
		in.report(0, fmt.Sprintf("QR symbol %d dots wide does not fit the %d-dot print area: not printed", bm.w, in.areaWidth()))
		return
	}
	in.drawBlock(bm)
	if len(in.mech.sheetQR) < 1000 {
		in.mech.sheetQR = append(in.mech.sheetQR, string(in.qr.data))
	}
}

// barcode handles GS k (function A, NUL-terminated, and function B, counted). Barcodes are
// drawn as a placeholder box of the right height, with the human-readable text if selected.
func (in *interpreter) barcode(d []byte) bool {
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
		draw = in.atLineStart(4, "GS k barcode")
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
				in.report(0, "GS k function A: no NUL within 255 data bytes")
				return
			}
			if draw {
				in.drawBarcode(m, data)
			}
		}
		return in.startPayload(3, &payload{left: 256, fn: fn, end: end})
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
				in.drawBarcode(m-65, data)
			}
		}
		return in.startPayload(4, &payload{left: int64(n), fn: fn, end: end})
	default:
		in.report(3, fmt.Sprintf("GS k with invalid barcode system %d", m))
		in.consume(1)
		return true
	}
}

func (in *interpreter) drawBarcode(system byte, data []byte) {
	in.reportOnce(0, "barcode not rendered: printed as a placeholder box")
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
	w := modules * in.m.barW
	if w > in.areaWidth() {
		w = in.areaWidth()
	}
	h := in.m.barH
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
		for x := 4; x < w-4; x += 2 * in.m.barW {
			if (x/(2*in.m.barW)+len(data))%3 != 0 {
				for t := 0; t < in.m.barW; t++ {
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
	saveB := in.m.fontB
	hri := func() {
		in.m.fontB = in.m.hriFontB
		for _, b := range label {
			if b >= 0x20 && b < 0x7F {
				r := rune(b)
				in.putCell(r, in.fonts.glyph(in.m.fontB, r), 0)
			}
		}
		in.ln.align = in.m.align
		in.printLine(0)
		in.m.fontB = saveB
	}
	if in.m.hriPos&1 != 0 {
		hri()
	}
	in.drawBlock(bm)
	if in.m.hriPos&2 != 0 {
		hri()
	}
}
