package codereader

// DefaultMaxLine is the longest line accepted when Options.MaxLine is 0. A CCCD QR code holds well
// under 1 KB; version 40 QR codes top out under 3 KB of bytes.
const DefaultMaxLine = 4096

// line is one complete line from the scanner, or the mark of a line that grew too long.
type line struct {
	b       []byte
	tooLong bool
}

// splitter cuts the byte stream from a scanner into lines ending in CR, LF or CR LF. Empty lines are
// skipped; a line longer than max is dropped whole and reported once, when its end arrives.
type splitter struct {
	max      int
	buf      []byte
	afterCR  bool // the last byte was CR: an LF right after it ends nothing
	overflow bool // the line in progress is too long and being skipped
}

// feed takes the next bytes read and returns the lines they complete, in order.
func (s *splitter) feed(b []byte) []line {
	var out []line
	for _, c := range b {
		if c == '\n' && s.afterCR {
			s.afterCR = false
			continue
		}
		s.afterCR = c == '\r'
		if c == '\r' || c == '\n' {
			switch {
			case s.overflow:
				out = append(out, line{tooLong: true})
				s.overflow = false
			case len(s.buf) > 0:
				out = append(out, line{b: append([]byte(nil), s.buf...)})
			}
			s.buf = s.buf[:0]
			continue
		}
		if s.overflow {
			continue
		}
		if len(s.buf) >= s.max {
			s.overflow = true
			s.buf = s.buf[:0]
			continue
		}
		s.buf = append(s.buf, c)
	}
	return out
}
