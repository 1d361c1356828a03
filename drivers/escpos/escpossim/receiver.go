package escpossim

import "log/slog"

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

// receiver is the printer's serial interface: it takes the host's bytes into the receive buffer,
// acts on real-time commands as they arrive (through the Printer), counts what a full buffer
// loses, and holds the back channel to the host.
type receiver struct {
	buf      []byte // received, not yet interpreted: buf[head:]
	head     int
	bufCap   int
	received int64
	lost     int64
	lostLog  bool
	rt       rtScanner
	log      *slog.Logger

	oneWay      bool // no back channel: replies go nowhere
	replies     chan byte
	repliesLost int64
}

func newReceiver(bufferBytes int, oneWay bool, log *slog.Logger) *receiver {
	return &receiver{
		buf:     make([]byte, 0, bufferBytes),
		bufCap:  bufferBytes,
		log:     log,
		oneWay:  oneWay,
		replies: make(chan byte, maxReplyQueue),
	}
}

// buffered is how many received bytes wait for the interpreter.
func (r *receiver) buffered() int { return len(r.buf) - r.head }

// full reports whether the receive buffer is full.
func (r *receiver) full() bool { return r.buffered() >= r.bufCap }

// put stores one received byte, or loses (and counts) it when the buffer is full.
func (r *receiver) put(c byte) {
	r.received++
	if len(r.buf) == cap(r.buf) && r.head > 0 {
		n := copy(r.buf, r.buf[r.head:])
		r.buf = r.buf[:n]
		r.head = 0
	}
	if !r.full() {
		r.buf = append(r.buf, c)
		return
	}
	r.lost++
	if !r.lostLog {
		r.lostLog = true
		r.log.Warn("receive buffer full, bytes lost", "buffer", r.bufCap)
	}
}

// data is what the interpreter has not taken yet.
func (r *receiver) data() []byte { return r.buf[r.head:] }

// take marks n bytes as taken by the interpreter.
func (r *receiver) take(n int) { r.head += n }

// settle rewinds the buffer once the interpreter has taken everything.
func (r *receiver) settle() {
	if r.head == len(r.buf) {
		r.buf = r.buf[:0]
		r.head = 0
	}
}

// clear empties the receive buffer (DLE ENQ 2, DLE DC4 8).
func (r *receiver) clear() {
	r.buf = r.buf[:0]
	r.head = 0
}

// reply sends bytes to the host; bytes nobody reads are dropped after maxReplyQueue. A one-way
// printer has no line back: its replies go nowhere.
func (r *receiver) reply(b ...byte) {
	if r.oneWay {
		return
	}
	for _, c := range b {
		select {
		case r.replies <- c:
		default:
			r.repliesLost++
		}
	}
}
