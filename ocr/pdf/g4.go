package pdf

import "image"

// bitWriter packs bits MSB first.
type bitWriter struct {
	buf  []byte
	acc  uint32
	nacc uint
}

func (w *bitWriter) put(code uint32, n uint) {
	for n > 0 {
		take := min(n, 8-w.nacc)
		bits := (code >> (n - take)) & (1<<take - 1)
		w.acc = w.acc<<take | bits
		w.nacc += take
		n -= take
		if w.nacc == 8 {
			w.buf = append(w.buf, byte(w.acc))
			w.acc, w.nacc = 0, 0
		}
	}
}

func (w *bitWriter) flush() []byte {
	if w.nacc > 0 {
		w.buf = append(w.buf, byte(w.acc<<(8-w.nacc)))
		w.acc, w.nacc = 0, 0
	}
	return w.buf
}

// code is a Huffman code: the value in its low n bits.
type code struct {
	v uint32
	n uint
}

func c(s string) code {
	var v uint32
	for _, ch := range s {
		v = v<<1 | uint32(ch-'0')
	}
	return code{v, uint(len(s))}
}

// ITU-T T.4 run-length codes, terminating (0–63) and make-up (64–1728 by 64), and the extended
// make-up codes shared by both colours (1792–2560).
var (
	whiteTerm = [64]code{
		c("00110101"), c("000111"), c("0111"), c("1000"), c("1011"), c("1100"), c("1110"), c("1111"),
		c("10011"), c("10100"), c("00111"), c("01000"), c("001000"), c("000011"), c("110100"), c("110101"),
		c("101010"), c("101011"), c("0100111"), c("0001100"), c("0001000"), c("0010111"), c("0000011"), c("0000100"),
		c("0101000"), c("0101011"), c("0010011"), c("0100100"), c("0011000"), c("00000010"), c("00000011"), c("00011010"),
		c("00011011"), c("00010010"), c("00010011"), c("00010100"), c("00010101"), c("00010110"), c("00010111"), c("00101000"),
		c("00101001"), c("00101010"), c("00101011"), c("00101100"), c("00101101"), c("00000100"), c("00000101"), c("00001010"),
		c("00001011"), c("01010010"), c("01010011"), c("01010100"), c("01010101"), c("00100100"), c("00100101"), c("01011000"),
		c("01011001"), c("01011010"), c("01011011"), c("01001010"), c("01001011"), c("00110010"), c("00110011"), c("00110100"),
	}
	whiteMakeup = [27]code{
		c("11011"), c("10010"), c("010111"), c("0110111"), c("00110110"), c("00110111"), c("01100100"), c("01100101"),
		c("01101000"), c("01100111"), c("011001100"), c("011001101"), c("011010010"), c("011010011"), c("011010100"), c("011010101"),
		c("011010110"), c("011010111"), c("011011000"), c("011011001"), c("011011010"), c("011011011"), c("010011000"), c("010011001"),
		c("010011010"), c("011000"), c("010011011"),
	}
	blackTerm = [64]code{
		c("0000110111"), c("010"), c("11"), c("10"), c("011"), c("0011"), c("0010"), c("00011"),
		c("000101"), c("000100"), c("0000100"), c("0000101"), c("0000111"), c("00000100"), c("00000111"), c("000011000"),
		c("0000010111"), c("0000011000"), c("0000001000"), c("00001100111"), c("00001101000"), c("00001101100"), c("00000110111"), c("00000101000"),
		c("00000010111"), c("00000011000"), c("000011001010"), c("000011001011"), c("000011001100"), c("000011001101"), c("000001101000"), c("000001101001"),
		c("000001101010"), c("000001101011"), c("000011010010"), c("000011010011"), c("000011010100"), c("000011010101"), c("000011010110"), c("000011010111"),
		c("000001101100"), c("000001101101"), c("000011011010"), c("000011011011"), c("000001010100"), c("000001010101"), c("000001010110"), c("000001010111"),
		c("000001100100"), c("000001100101"), c("000001010010"), c("000001010011"), c("000000100100"), c("000000110111"), c("000000111000"), c("000000100111"),
		c("000000101000"), c("000001011000"), c("000001011001"), c("000000101011"), c("000000101100"), c("000001011010"), c("000001100110"), c("000001100111"),
	}
	blackMakeup = [27]code{
		c("0000001111"), c("000011001000"), c("000011001001"), c("000001011011"), c("000000110011"), c("000000110100"), c("000000110101"), c("0000001101100"),
		c("0000001101101"), c("0000001001010"), c("0000001001011"), c("0000001001100"), c("0000001001101"), c("0000001110010"), c("0000001110011"), c("0000001110100"),
		c("0000001110101"), c("0000001110110"), c("0000001110111"), c("0000001010010"), c("0000001010011"), c("0000001010100"), c("0000001010101"), c("0000001011010"),
		c("0000001011011"), c("0000001100100"), c("0000001100101"),
	}
	extMakeup = [13]code{
		c("00000001000"), c("00000001100"), c("00000001101"), c("000000010010"), c("000000010011"), c("000000010100"), c("000000010101"),
		c("000000010110"), c("000000010111"), c("000000011100"), c("000000011101"), c("000000011110"), c("000000011111"),
	}
	modePass  = c("0001")
	modeHoriz = c("001")
	modeVert  = [7]code{c("0000010"), c("000010"), c("010"), c("1"), c("011"), c("000011"), c("0000011")} // a1−b1 = −3…+3
	eofb      = c("000000000001")
)

func (w *bitWriter) run(n int, black bool) {
	term, makeup := &whiteTerm, &whiteMakeup
	if black {
		term, makeup = &blackTerm, &blackMakeup
	}
	for n >= 2560 {
		w.put(extMakeup[12].v, extMakeup[12].n)
		n -= 2560
	}
	if n >= 64 {
		m := n / 64
		if m <= 27 {
			w.put(makeup[m-1].v, makeup[m-1].n)
		} else {
			e := extMakeup[m-28]
			w.put(e.v, e.n)
		}
		n -= m * 64
	}
	w.put(term[n].v, term[n].n)
}

// nextChange returns the first position p > x (p ≥ 0) where line[p] differs from line[p−1], with an
// imaginary white pixel before the line; len(line) when there is none.
func nextChange(line []bool, x int) int {
	p := x + 1
	if p < 0 {
		p = 0
	}
	prev := false
	if p > 0 {
		prev = line[p-1]
	}
	for ; p < len(line); p++ {
		if line[p] != prev {
			return p
		}
	}
	return len(line)
}

// EncodeG4 compresses a bilevel image (ink where the grey level is below 128) with CCITT Group 4
// (ITU-T T.6), as read by PDF's /CCITTFaxDecode with /K -1 and /BlackIs1 false.
func EncodeG4(g *image.Gray) []byte {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	ref := make([]bool, W)
	cur := make([]bool, W)
	w := &bitWriter{buf: make([]byte, 0, W*H/40)}
	for y := 0; y < H; y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+W]
		for x, v := range row {
			cur[x] = v < 128
		}
		a0 := -1
		colour := false // false white, true black
		for a0 < W {
			a1 := nextChange(cur, a0)
			b1 := nextChange(ref, a0)
			if b1 < W && ref[b1] == colour {
				b1 = nextChange(ref, b1)
			}
			b2 := W
			if b1 < W {
				b2 = nextChange(ref, b1)
			}
			switch {
			case b2 < a1:
				w.put(modePass.v, modePass.n)
				a0 = b2
			case a1-b1 >= -3 && a1-b1 <= 3:
				m := modeVert[a1-b1+3]
				w.put(m.v, m.n)
				a0 = a1
				colour = !colour
			default:
				a2 := W
				if a1 < W {
					a2 = nextChange(cur, a1)
				}
				start := max(a0, 0)
				w.put(modeHoriz.v, modeHoriz.n)
				w.run(a1-start, colour)
				w.run(a2-a1, !colour)
				a0 = a2
			}
		}
		ref, cur = cur, ref
	}
	w.put(eofb.v, eofb.n)
	w.put(eofb.v, eofb.n)
	return w.flush()
}
