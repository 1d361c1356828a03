package escpossim

import (
	"fmt"

	"github.com/tramso/tramso/drivers/escpos/codepage"
)

// command is one entry of the command table: the two bytes that name it, how many bytes must be
// in the buffer before its handler runs (the whole command for fixed-length commands, the header
// for the others), and the handler. A handler gets the buffered bytes from the command's first
// byte on, consumes what it uses, and returns false when it needs more bytes than are buffered.
type command struct {
	prefix [2]byte
	n      int
	run    func(in *interpreter, d []byte) bool
}

// family is what a prefix byte (ESC, GS, FS, DLE) does with a second byte the table does not
// know: it needs n bytes to decide, reports them and skips the prefix byte only, as printers
// resynchronise.
type family struct {
	n       int
	unknown func(in *interpreter, d []byte) bool
}

// commandSet indexes the command table by prefix.
type commandSet struct {
	byPrefix map[[2]byte]command
	families map[byte]family
}

// run interprets the command at the start of d, whose first byte is a family prefix.
func (cs commandSet) run(in *interpreter, d []byte) bool {
	f := cs.families[d[0]]
	if len(d) < 2 {
		return false
	}
	c, ok := cs.byPrefix[[2]byte{d[0], d[1]}]
	if !ok {
		if len(d) < f.n {
			return false
		}
		return f.unknown(in, d)
	}
	if len(d) < c.n {
		return false
	}
	return c.run(in, d)
}

func newCommandSet() commandSet {
	cs := commandSet{byPrefix: make(map[[2]byte]command), families: map[byte]family{
		esc: {2, unknownCommand("ESC")},
		gs:  {2, unknownCommand("GS")},
		fs:  {2, unknownCommand("FS")},
		dle: {3, unknownRealtime},
	}}
	for _, c := range commandTable() {
		cs.byPrefix[c.prefix] = c
	}
	return cs
}

func unknownCommand(name string) func(in *interpreter, d []byte) bool {
	return func(in *interpreter, d []byte) bool {
		in.report(2, fmt.Sprintf("unknown command %s %s", name, printable(d[1])))
		in.consume(1)
		return true
	}
}

func unknownRealtime(in *interpreter, _ []byte) bool {
	in.report(3, "unknown real-time command")
	in.consume(1)
	return true
}

// set returns a handler for a command of n bytes that only changes state.
func set(n int, f func(in *interpreter, d []byte)) func(in *interpreter, d []byte) bool {
	return func(in *interpreter, d []byte) bool {
		f(in, d)
		in.consume(n)
		return true
	}
}

// accept returns a handler that takes a command of n bytes and does nothing with it.
func accept(n int) func(in *interpreter, d []byte) bool {
	return func(in *interpreter, _ []byte) bool {
		in.consume(n)
		return true
	}
}

// commandTable lists the commands the printer understands.
func commandTable() []command {
	e := func(c byte, n int, run func(in *interpreter, d []byte) bool) command {
		return command{[2]byte{esc, c}, n, run}
	}
	g := func(c byte, n int, run func(in *interpreter, d []byte) bool) command {
		return command{[2]byte{gs, c}, n, run}
	}
	f := func(c byte, n int, run func(in *interpreter, d []byte) bool) command {
		return command{[2]byte{fs, c}, n, run}
	}
	upsideDown := set(3, func(in *interpreter, d []byte) { in.m.upsideDown = d[2]&1 == 1 }) // remembered, not drawn
	cut := func(in *interpreter, d []byte) bool {
		ok := in.atLineStart(2, "ESC "+string(d[1])+" cut")
		in.consume(2)
		if ok {
			in.mech.cut(d[1] == 'm', false, 0)
		}
		return true
	}
	return []command{
		e('@', 2, set(2, func(in *interpreter, _ []byte) { in.reset() })),
		e('=', 3, set(3, func(in *interpreter, d []byte) { in.m.selected = d[2]&1 == 1 })),
		e('c', 4, escC),
		e('t', 3, set(3, func(in *interpreter, d []byte) {
			in.m.table = codepage.Table(d[2])
			if !codepage.Known(in.m.table) {
				in.reportOnce(3, fmt.Sprintf("code table %d not known to the simulator: its characters print as replacement marks", d[2]))
			}
		})),
		e('!', 3, set(3, func(in *interpreter, d []byte) {
			n := d[2]
			in.m.fontB = n&0x01 != 0
			in.m.bold = n&0x08 != 0
			in.m.sizeH = 1 + int(n>>4&1)
			in.m.sizeW = 1 + int(n>>5&1)
			if n&0x80 != 0 {
				in.m.underline = 1
			} else {
				in.m.underline = 0
			}
		})),
		e('E', 3, set(3, func(in *interpreter, d []byte) { in.m.bold = d[2]&1 == 1 })),
		e('G', 3, set(3, func(in *interpreter, d []byte) { in.m.bold = d[2]&1 == 1 })),
		e('-', 3, set(3, func(in *interpreter, d []byte) {
			switch d[2] {
			case 0, '0':
				in.m.underline = 0
			case 1, '1':
				in.m.underline = 1
			case 2, '2':
				in.m.underline = 2
			}
		})),
		e('M', 3, set(3, func(in *interpreter, d []byte) {
			switch d[2] {
			case 0, '0':
				in.m.fontB = false
			case 1, '1':
				in.m.fontB = true
			default:
				in.reportOnce(3, fmt.Sprintf("font %d not available: Font B used", d[2]))
				in.m.fontB = true
			}
		})),
		e('a', 3, set(3, func(in *interpreter, d []byte) {
			switch d[2] {
			case 0, '0':
				in.m.align = 0
			case 1, '1':
				in.m.align = 1
			case 2, '2':
				in.m.align = 2
			}
		})),
		e('d', 3, func(in *interpreter, d []byte) bool {
			in.consume(3)
			in.printLine(int(d[2]) * in.m.lineSpacing)
			return true
		}),
		e('J', 3, func(in *interpreter, d []byte) bool {
			in.consume(3)
			in.printLine(int(d[2]))
			return true
		}),
		// Print and reverse feed: the paper cannot go back on this simulator.
		e('e', 3, func(in *interpreter, d []byte) bool {
			in.consume(3)
			in.printLine(0)
			return true
		}),
		e('2', 2, set(2, func(in *interpreter, _ []byte) { in.m.lineSpacing = 30 })),
		e('3', 3, set(3, func(in *interpreter, d []byte) { in.m.lineSpacing = int(d[2]) })),
		e(' ', 3, set(3, func(in *interpreter, d []byte) { in.m.charSpacing = int(d[2]) })),
		e('$', 4, set(4, func(in *interpreter, d []byte) {
			if x := le16(d[2:]); x <= in.areaWidth() {
				in.ln.width = x
				in.ln.used = true
			}
		})),
		e('\\', 4, set(4, func(in *interpreter, d []byte) {
			x := in.ln.width + int(int16(le16(d[2:])))
			if x >= 0 && x <= in.areaWidth() {
				in.ln.width = x
				in.ln.used = true
			}
		})),
		e('D', 2, escD),
		e('i', 2, cut),
		e('m', 2, cut),
		e('p', 5, accept(5)), // drawer kick: no drawer
		e('{', 3, upsideDown),
		e('V', 3, upsideDown),
		e('R', 3, accept(3)),
		e('r', 3, accept(3)),
		e('U', 3, accept(3)),
		e('S', 2, accept(2)), // select standard mode
		e('*', 5, (*interpreter).columnImage),

		g('!', 3, func(in *interpreter, d []byte) bool {
			n := d[2]
			w, h := int(n>>4), int(n&0x0F)
			if w > 7 || h > 7 {
				in.report(3, fmt.Sprintf("GS ! %#02x: size out of range", n))
				in.consume(1)
				return true
			}
			in.m.sizeW, in.m.sizeH = w+1, h+1
			in.consume(3)
			return true
		}),
		g('B', 3, set(3, func(in *interpreter, d []byte) { in.m.reverse = d[2]&1 == 1 })),
		g('L', 4, set(4, func(in *interpreter, d []byte) { in.m.leftMargin = le16(d[2:]) })),
		g('W', 4, set(4, func(in *interpreter, d []byte) { in.m.printWidth = le16(d[2:]) })),
		g('P', 4, accept(4)), // motion units: fixed at 1 dot
		g('V', 3, (*interpreter).gsCut),
		g('v', 3, (*interpreter).rasterImage),
		g('(', 5, (*interpreter).gsParen),
		g('8', 3, (*interpreter).gs8),
		g('k', 3, (*interpreter).barcode),
		g('h', 3, set(3, func(in *interpreter, d []byte) {
			if d[2] > 0 {
				in.m.barH = int(d[2])
			}
		})),
		g('w', 3, set(3, func(in *interpreter, d []byte) {
			if d[2] >= 1 && d[2] <= 6 {
				in.m.barW = int(d[2])
			}
		})),
		g('H', 3, set(3, func(in *interpreter, d []byte) { in.m.hriPos = int(d[2] & 0x03) })),
		g('f', 3, set(3, func(in *interpreter, d []byte) { in.m.hriFontB = d[2]&1 == 1 })),
		g('r', 3, gsR),
		g('a', 3, func(in *interpreter, d []byte) bool {
			in.consume(3)
			in.mech.enableASB(d[2])
			return true
		}),
		g('b', 3, accept(3)), // smoothing
		g('I', 3, gsI),

		f('.', 2, set(2, func(in *interpreter, _ []byte) { in.m.kanji = false })),
		f('&', 2, set(2, func(in *interpreter, _ []byte) { in.m.kanji = true })),
		// Kanji print mode, underline, code system, quadruple: accepted.
		f('!', 3, accept(3)),
		f('-', 3, accept(3)),
		f('C', 3, accept(3)),
		f('W', 3, accept(3)),
		f('S', 4, accept(4)),
		f('(', 5, fsParen),
		f('p', 4, func(in *interpreter, d []byte) bool {
			in.report(4, fmt.Sprintf("FS p: NV bit image %d not stored in the simulator", d[2]))
			in.consume(4)
			return true
		}),

		// Real-time commands met in the data stream were carried out when they arrived (by the
		// receiver): the interpreter only skips them.
		{[2]byte{dle, eot}, 3, realtimeSkip(map[byte]int{1: 3, 2: 3, 3: 3, 4: 3, 7: 4, 8: 4})},
		{[2]byte{dle, enq}, 3, func(in *interpreter, _ []byte) bool { in.consume(3); return true }},
		{[2]byte{dle, dc4}, 3, realtimeSkip(map[byte]int{1: 5, 2: 5, 7: 4, 8: 10})},
	}
}

// le16 reads a little-endian 16-bit number.
func le16(b []byte) int { return int(b[0]) | int(b[1])<<8 }

// escC handles ESC c 0/1/3/4/5.
func escC(in *interpreter, d []byte) bool {
	switch d[2] {
	case '0', '1', '3', '5':
		// paper type, paper sensors for signals, panel buttons: accepted
	case '4':
		in.mech.stopOnNearEnd = d[3]&0x03 != 0
	default:
		in.report(4, "ESC c with unknown function")
		in.consume(1)
		return true
	}
	in.consume(4)
	return true
}

// escD handles ESC D n1 … nk NUL, k ≤ 32.
func escD(in *interpreter, d []byte) bool {
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
		in.report(2, "ESC D without NUL within 32 tab positions")
		in.consume(1)
		return true
	}
	cw, _ := cellSize(in.m.fontB)
	cw += in.m.charSpacing
	in.m.tabs = in.m.tabs[:0:0]
	prev := 0
	for _, n := range d[2:end] {
		if int(n) <= prev {
			break
		}
		prev = int(n)
		in.m.tabs = append(in.m.tabs, int(n)*cw)
	}
	in.consume(end + 1)
	return true
}

// gsR handles GS r 1/2 (transmit status). It is answered when the interpreter reaches it, so a
// stopped printer does not answer it; a clone configured with IgnoreGSr takes it silently.
func gsR(in *interpreter, d []byte) bool {
	switch {
	case in.cfg.IgnoreGSr:
	case d[2] == 1 || d[2] == '1':
		in.rx.reply(in.mech.paperSensor())
	case d[2] == 2 || d[2] == '2':
		in.rx.reply(0x00) // drawer kick-out connector pin 3 low
	default:
		in.report(3, fmt.Sprintf("GS r %d not supported", d[2]))
	}
	in.consume(3)
	return true
}

// fsParen handles FS ( x pL pH …, whose length field lets an unknown function be skipped whole.
// FS ( A function 48 (select the Kanji character font, m = 0/48 font A, 1/49 font B, 2/50 font C)
// is taken: the simulator draws Kanji as boxes in a single size, so the choice changes nothing on
// the paper. Everything else is skipped whole and reported.
func fsParen(in *interpreter, d []byte) bool {
	n := int64(le16(d[3:]))
	if d[2] == 'A' && n == 2 {
		if len(d) < 7 {
			return false
		}
		if d[5] == 48 && (d[6] <= 2 || d[6] >= 48 && d[6] <= 50) {
			in.consume(7)
			return true
		}
	}
	in.report(5, fmt.Sprintf("FS ( %s not supported", printable(d[2])))
	return in.startPayload(5, discard(n))
}

// realtimeSkip skips a real-time command whose length depends on its third byte.
func realtimeSkip(lengths map[byte]int) func(in *interpreter, d []byte) bool {
	return func(in *interpreter, d []byte) bool {
		n, ok := lengths[d[2]]
		if !ok {
			return unknownRealtime(in, d)
		}
		if len(d) < n {
			return false
		}
		in.consume(n)
		return true
	}
}
