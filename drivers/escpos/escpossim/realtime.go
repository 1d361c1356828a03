package escpossim

// Real-time commands are recognised as the bytes arrive, before and independently of the
// interpreter, exactly like a printer does: so they are answered even while the printer is
// stopped or the buffer is full, and also when the same bytes happen to occur inside image data.

const (
	dle = 0x10
	eot = 0x04
	enq = 0x05
	dc4 = 0x14
)

type rtAction int

const (
	rtNone rtAction = iota
	rtStatus1
	rtStatus2
	rtStatus3
	rtStatus4
	rtRecover      // DLE ENQ 1
	rtRecoverClear // DLE ENQ 2
	rtClear        // DLE DC4 8 1 3 20 1 6 2 8
)

// dc4Clear are the parameters of DLE DC4 fn=8 (buffer clear).
var dc4Clear = [7]byte{1, 3, 20, 1, 6, 2, 8}

// rtScanner matches real-time commands in the received byte stream.
type rtScanner struct {
	state int // 0 idle, 1 DLE, 2 DLE EOT, 3 DLE ENQ, 4 DLE DC4, 5 DLE DC4 8 …
	n     int // parameters of DLE DC4 8 matched so far
}

// feed takes the next received byte and returns the real-time command it completes, if any.
func (s *rtScanner) feed(c byte) rtAction {
	switch s.state {
	case 1:
		switch c {
		case eot:
			s.state = 2
		case enq:
			s.state = 3
		case dc4:
			s.state = 4
		case dle:
			s.state = 1
		default:
			s.state = 0
		}
		return rtNone
	case 2:
		s.state = 0
		if c >= 1 && c <= 4 {
			return rtStatus1 + rtAction(c-1)
		}
	case 3:
		s.state = 0
		switch c {
		case 1:
			return rtRecover
		case 2:
			return rtRecoverClear
		}
	case 4:
		s.state = 0
		if c == 8 {
			s.state, s.n = 5, 0
		}
	case 5:
		if c != dc4Clear[s.n] {
			s.state = 0
			break
		}
		s.n++
		if s.n == len(dc4Clear) {
			s.state = 0
			return rtClear
		}
		return rtNone
	}
	if c == dle {
		s.state = 1
	}
	return rtNone
}

// realtime carries out a real-time command.
func (p *Printer) realtime(a rtAction) {
	switch a {
	case rtStatus1, rtStatus2, rtStatus3, rtStatus4:
		p.reply(p.rtStatus(byte(a-rtStatus1) + 1))
	case rtRecover:
		// No recoverable errors are simulated.
	case rtRecoverClear:
		p.clearBuffers()
	case rtClear:
		p.clearBuffers()
		p.reply(0x37, 0x25, 0x00)
	}
}
