package escpossim

import "fmt"

// What the printer says about itself (GS I, transmit printer ID).
const (
	// DefaultMaker is the maker name GS I 66 reports when Config.Maker is empty. The simulator
	// does not claim to be any real maker's printer unless told to.
	DefaultMaker = "TRAMSO"
	// DefaultModel is the model name GS I 67 reports when Config.Model is empty.
	DefaultModel = "ESCPOSSIM-80"
	// modelID is the one-byte printer model ID (GS I 1 / 49). It has the shape of an in-order
	// reply (bits 4 and 7 clear), like every one-byte GS I answer.
	modelID = 0x20
	// maxIDText bounds a maker or model name.
	maxIDText = 32
)

// idText keeps the printable ASCII of s, at most maxIDText bytes, or def when nothing is left. A
// NUL would end the block early, and a byte 0x80 or above is not ASCII.
func idText(s, def string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(out) < maxIDText; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7F {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return def
	}
	return string(out)
}

// gsI handles GS I n (transmit printer ID). Like GS r it is an ordinary command, answered when
// the interpreter reaches it, so a stopped printer answers it only once the fault clears:
//   - n = 1 or 49: the printer model ID, one byte;
//   - n = 2 or 50: the type ID, one byte: bit 1 autocutter fitted (always), bit 0 two-byte
//     characters (Config.KanjiAtReset, the Chinese firmware);
//   - n = 66 and 67: the maker and the model name, each a block 0x5F, the name in ASCII, NUL;
//   - n = 65, 68, 69 (firmware version, serial number, font of language): the empty block 5F 00,
//     as a printer with nothing prepared answers; the simulator has no firmware or serial number.
//
// Any other n gets no answer and is reported.
func gsI(in *interpreter, d []byte) bool {
	n := d[2]
	if !knownID(n) {
		in.report(3, fmt.Sprintf("GS I %d not supported: no answer", n))
		in.consume(3)
		return true
	}
	in.consume(3)
	switch n {
	case 1, 49:
		in.rx.reply(modelID)
	case 2, 50:
		t := byte(0x02)
		if in.cfg.KanjiAtReset {
			t |= 0x01
		}
		in.rx.reply(t)
	case 66:
		in.replyBlock(in.cfg.Maker)
	case 67:
		in.replyBlock(in.cfg.Model)
	case 65, 68, 69:
		in.replyBlock("")
	}
	return true
}

// knownID reports whether GS I n is answered.
func knownID(n byte) bool {
	switch n {
	case 1, 49, 2, 50, 65, 66, 67, 68, 69:
		return true
	}
	return false
}

// replyBlock sends s as a GS I block: 0x5F, s, NUL.
func (in *interpreter) replyBlock(s string) {
	b := make([]byte, 0, len(s)+2)
	b = append(b, 0x5F)
	b = append(b, s...)
	in.rx.reply(append(b, 0)...)
}
