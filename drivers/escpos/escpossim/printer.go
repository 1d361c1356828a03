package escpossim

import (
	"errors"
	"fmt"
	"image"
	"log/slog"
	"sync"

	"github.com/tramso/tramso/drivers/escpos/codepage"
)

// Paper widths in dots of 203 dpi printers.
const (
	Paper80mm = 576 // 72 mm printable on 80 mm paper
	Paper58mm = 384 // 48 mm printable on 58 mm paper
)

// Defaults and limits.
const (
	DefaultBufferBytes  = 4096  // receive buffer of a typical ESC/POS printer
	DefaultMaxPaperDots = 80000 // 10 m at 8 dots/mm: longest strip kept between two cuts
	DefaultKeepReceipts = 32    // receipts kept in memory by Receipts
	minBufferBytes      = 64    // longest command header is 17 bytes
	maxUnknown          = 1000  // unknown commands kept; further ones are only counted
	maxReplyQueue       = 4096  // status bytes waiting for the host; further ones are lost
)

// ErrBadConfig is returned for a configuration the simulator cannot run with.
var ErrBadConfig = errors.New("cấu hình máy in giả lập sai (bad printer simulator configuration)")

// Config describes the simulated printer.
type Config struct {
	// PaperDots is the printable width in dots: Paper80mm (576) or Paper58mm (384). 0 means 576.
	PaperDots int
	// PaperOutAfterDots makes the paper run out after this many dots (8 per mm) of paper have been
	// fed since power-on. 0 means the roll never ends.
	PaperOutAfterDots int
	// BufferBytes is the receive buffer. 0 means DefaultBufferBytes. While the printer is stopped,
	// bytes arriving beyond a full buffer are lost (and counted), as on a printer without flow control.
	BufferBytes int
	// OutDir is where receipts are written as PNG files (receipt-0001.png, …). "" keeps them in
	// memory only.
	OutDir string
	// CutterOffsetDots is the distance from the print line up to the cutter blade. 0 (the default)
	// is an ideal printer that cuts right under the last printed row; a real one (about 120 dots)
	// shows why a plain GS V 0 without a feed cuts through the last lines.
	CutterOffsetDots int
	// MaxPaperDots caps the length of paper between two cuts. 0 means DefaultMaxPaperDots.
	MaxPaperDots int
	// KanjiAtReset makes the printer behave like Chinese firmware: power-on and ESC @ select
	// the double-byte (Kanji) mode, so a host must send FS . after ESC @.
	KanjiAtReset bool
	// KeepReceipts is how many recent receipts Receipts returns. 0 means DefaultKeepReceipts,
	// a negative number keeps them all.
	KeepReceipts int
	// Fonts draws the ROM fonts. nil loads DefaultFontPath; if that fails characters print as
	// boxes and the failure is logged.
	Fonts *Fonts
	// Logger receives events (receipts, faults, unknown commands); nil discards them. Printed
	// text is never logged.
	Logger *slog.Logger
}

// Receipt is one piece of paper that left the printer.
type Receipt struct {
	Index   int         // 1, 2, … in the order the pieces left the printer
	Path    string      // the PNG file, "" when Config.OutDir is ""
	Image   *image.Gray // white paper, black dots, 1 px per dot, exactly PaperDots wide
	Partial bool        // not ended by a cut: paper ran out, or torn off uncut
	Reason  string      // "full cut", "partial cut", "paper end", "torn off"
	Text    []string    // lines printed in the ROM font, decoded to Unicode
	QR      []string    // payloads of the QR codes printed on it
	Err     error       // writing the PNG failed
}

// Unknown is a command the printer did not understand or found malformed.
type Unknown struct {
	Offset int64  // position in the byte stream the interpreter processed
	Bytes  []byte // the first bytes of the command (at most 8)
	Reason string
}

func (u Unknown) String() string {
	return fmt.Sprintf("@%d % X: %s", u.Offset, u.Bytes, u.Reason)
}

// Status is what a technician would see on the printer.
type Status struct {
	PaperOut, NearEnd, CoverOpen, Offline bool
	Stopped                               bool           // not processing print data (paper end, cover open, offline)
	Selected                              bool           // ESC = has the printer selected
	KanjiMode                             bool           // double-byte mode (FS &) is on
	CodeTable                             codepage.Table // current ESC t table
	Buffered                              int            // bytes waiting in the receive buffer
	LostBytes                             int64          // bytes dropped because the receive buffer was full
	ReceivedBytes                         int64
	FedDots                               int64 // paper fed since power-on
	PaperLeftDots                         int   // before the roll ends; -1 when it never ends
	Receipts                              int   // pieces of paper that left the printer so far
	Unknown                               int   // unknown or malformed commands seen
	ASB                                   byte  // GS a mask; 0 = automatic status back off
	RepliesLost                           int64 // status bytes dropped because nobody read them
}

// Printer is the virtual printer mechanism: bytes from the host go in through Write, status
// bytes for the host come out of Replies. It is safe for one writer plus any number of
// goroutines calling the other methods.
type Printer struct {
	mu    sync.Mutex
	cfg   Config
	fonts *Fonts
	log   *slog.Logger

	replies     chan byte
	repliesLost int64

	// Receive side.
	buf      []byte // received, not yet interpreted: buf[head:]
	head     int
	bufCap   int
	received int64
	lost     int64
	lostLog  bool
	rt       rtScanner

	// Faults.
	paperOut, nearEnd, coverOpen, offline bool
	paperLeft                             int // -1 = unlimited

	// Interpreter.
	off     int64    // bytes interpreted so far
	pay     *payload // command data being streamed
	m       modes
	ln      line
	sheet   *paper
	fed     int64
	capHit  bool
	styled  map[styleKey]*bitmap
	qr      qrState
	gfx     *bitmap // GS ( L graphics buffer
	gfxSX   int
	gfxSY   int
	once    map[string]bool // reasons reported once
	asbMask byte
	asbLast [4]byte

	sheetText []string
	sheetQR   []string

	receipts  []Receipt
	pieces    int
	unknown   []Unknown
	unknownN  int
	tornNoted bool
}

// NewPrinter returns a powered-on printer with paper, cover closed, online.
func NewPrinter(cfg Config) *Printer {
	if cfg.PaperDots <= 0 {
		cfg.PaperDots = Paper80mm
	}
	if cfg.PaperDots > 4096 {
		cfg.PaperDots = 4096
	}
	if cfg.BufferBytes <= 0 {
		cfg.BufferBytes = DefaultBufferBytes
	}
	if cfg.BufferBytes < minBufferBytes {
		cfg.BufferBytes = minBufferBytes
	}
	if cfg.MaxPaperDots <= 0 {
		cfg.MaxPaperDots = DefaultMaxPaperDots
	}
	if cfg.CutterOffsetDots < 0 {
		cfg.CutterOffsetDots = 0
	}
	if cfg.KeepReceipts == 0 {
		cfg.KeepReceipts = DefaultKeepReceipts
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	fonts := cfg.Fonts
	if fonts == nil {
		f, err := LoadFonts(DefaultFontPath)
		if err != nil {
			log.Warn("printer font missing, characters print as boxes", "err", err)
		} else {
			fonts = f
		}
	}
	p := &Printer{
		cfg:       cfg,
		fonts:     fonts,
		log:       log,
		replies:   make(chan byte, maxReplyQueue),
		buf:       make([]byte, 0, cfg.BufferBytes),
		bufCap:    cfg.BufferBytes,
		paperLeft: -1,
		sheet:     newPaper(cfg.PaperDots),
		styled:    make(map[styleKey]*bitmap),
		once:      make(map[string]bool),
	}
	if cfg.PaperOutAfterDots > 0 {
		p.paperLeft = cfg.PaperOutAfterDots
	}
	p.reset()
	return p
}

// Write receives bytes from the host. Real-time commands (DLE EOT, DLE ENQ, DLE DC4) are
// acted on as they arrive, wherever they are in the stream, even inside image data; everything
// goes into the receive buffer, which the interpreter empties while the printer is running.
// While it is stopped, bytes beyond a full buffer are lost. Write never fails.
func (p *Printer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range b {
		p.received++
		if len(p.buf)-p.head >= p.bufCap && !p.stopped() {
			p.process()
		}
		if len(p.buf) == cap(p.buf) && p.head > 0 {
			p.compact()
		}
		if len(p.buf)-p.head < p.bufCap {
			p.buf = append(p.buf, c)
		} else {
			p.lost++
			if !p.lostLog {
				p.lostLog = true
				p.log.Warn("receive buffer full, bytes lost", "buffer", p.bufCap)
			}
		}
		if act := p.rt.feed(c); act != rtNone {
			p.process()
			p.realtime(act)
		}
	}
	p.process()
	p.checkASB()
	return len(b), nil
}

// Replies returns the channel of bytes the printer sends to the host: DLE EOT and GS r replies,
// ASB messages, QR size information. Bytes nobody reads are dropped after maxReplyQueue.
// A printer run by Serve sends them down the line instead.
func (p *Printer) Replies() <-chan byte { return p.replies }

func (p *Printer) reply(b ...byte) {
	for _, c := range b {
		select {
		case p.replies <- c:
		default:
			p.repliesLost++
		}
	}
}

// stopped reports whether the printer has stopped processing print data.
func (p *Printer) stopped() bool {
	return p.paperOut || p.coverOpen || p.offline || (p.nearEnd && p.m.stopOnNearEnd)
}

// process runs the interpreter over the receive buffer while the printer is running.
func (p *Printer) process() {
	for !p.stopped() && p.head < len(p.buf) {
		if !p.step() {
			break
		}
	}
	if p.head == len(p.buf) {
		p.buf = p.buf[:0]
		p.head = 0
	}
}

func (p *Printer) compact() {
	n := copy(p.buf, p.buf[p.head:])
	p.buf = p.buf[:n]
	p.head = 0
}

// clearBuffers empties the receive and print buffers (DLE ENQ 2, DLE DC4 8).
func (p *Printer) clearBuffers() {
	p.buf = p.buf[:0]
	p.head = 0
	p.pay = nil
	p.ln = line{}
}

// SetPaperOut takes the paper out (true) or loads a fresh roll (false). A piece printed before
// the paper ended is torn off as a partial receipt when the new roll goes in; the new roll does
// not run out unless SetPaperOutAfter says so. Printing resumes from the receive buffer.
func (p *Printer) SetPaperOut(out bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if out == p.paperOut {
		return
	}
	if out {
		p.paperOut = true
		p.paperLeft = 0
		p.log.Info("printer fault", "fault", "paper out")
	} else {
		if p.sheet.rows > 0 {
			p.endSheet("paper end", true, 0)
		}
		p.paperOut = false
		p.paperLeft = -1
		p.lostLog = false
		p.log.Info("printer fault cleared", "fault", "paper out")
	}
	p.afterChange()
}

// SetPaperOutAfter makes the paper run out after dots more dots have been fed (0 = never).
func (p *Printer) SetPaperOutAfter(dots int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paperOut {
		return
	}
	if dots <= 0 {
		p.paperLeft = -1
	} else {
		p.paperLeft = dots
	}
}

// SetNearEnd sets the paper near-end sensor. The printer keeps printing unless the host chose
// to stop on near end with ESC c 4.
func (p *Printer) SetNearEnd(near bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nearEnd = near
	p.log.Info("printer paper sensor", "near_end", near)
	p.afterChange()
}

// SetCoverOpen opens or closes the paper cover; an open cover stops printing.
func (p *Printer) SetCoverOpen(open bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.coverOpen = open
	p.log.Info("printer cover", "open", open)
	p.afterChange()
}

// SetOffline takes the printer offline (it stops printing) or back online.
func (p *Printer) SetOffline(off bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.offline = off
	p.log.Info("printer online state", "offline", off)
	p.afterChange()
}

// afterChange resumes printing if the fault cleared and sends ASB if enabled.
func (p *Printer) afterChange() {
	if !p.stopped() {
		p.lostLog = false
	}
	p.process()
	p.checkASB()
}

// TearOff tears off whatever has been printed since the last cut as a partial receipt (the
// technician's hand, or the simulator stopping). It returns false when there was nothing.
func (p *Printer) TearOff() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sheet.rows == 0 {
		return false
	}
	reason := "torn off"
	if p.paperOut {
		reason = "paper end"
	}
	p.endSheet(reason, true, 0)
	return true
}

// Receipts returns the receipts that left the printer, oldest first (at most
// Config.KeepReceipts of the most recent).
func (p *Printer) Receipts() []Receipt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Receipt(nil), p.receipts...)
}

// Unknown returns the unknown and malformed commands seen so far (the first 1000).
func (p *Printer) Unknown() []Unknown {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Unknown(nil), p.unknown...)
}

// Status returns the printer's state.
func (p *Printer) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Status{
		PaperOut:      p.paperOut,
		NearEnd:       p.nearEnd,
		CoverOpen:     p.coverOpen,
		Offline:       p.offline,
		Stopped:       p.stopped(),
		Selected:      p.m.selected,
		KanjiMode:     p.m.kanji,
		CodeTable:     p.m.table,
		Buffered:      len(p.buf) - p.head,
		LostBytes:     p.lost,
		ReceivedBytes: p.received,
		FedDots:       p.fed,
		PaperLeftDots: p.paperLeft,
		Receipts:      p.pieces,
		Unknown:       p.unknownN,
		ASB:           p.asbMask,
		RepliesLost:   p.repliesLost,
	}
}

// report records an unknown or malformed command starting at the interpreter's position.
func (p *Printer) report(n int, reason string) {
	p.unknownN++
	if len(p.unknown) >= maxUnknown {
		return
	}
	data := p.buf[p.head:]
	if n > len(data) {
		n = len(data)
	}
	if n > 8 {
		n = 8
	}
	u := Unknown{Offset: p.off, Bytes: append([]byte(nil), data[:n]...), Reason: reason}
	p.unknown = append(p.unknown, u)
	// Only the command bytes are logged: what follows them may be a citizen's data.
	p.log.Warn("printer: unknown or malformed command", "offset", u.Offset, "command", fmt.Sprintf("% X", u.Bytes[:min(2, len(u.Bytes))]), "reason", reason)
}

// reportOnce records reason only the first time it occurs.
func (p *Printer) reportOnce(n int, reason string) {
	if p.once[reason] {
		return
	}
	p.once[reason] = true
	p.report(n, reason)
}

// feed moves the paper n dots, stopping where the roll ends or the strip reaches
// Config.MaxPaperDots. It returns the dots actually fed.
func (p *Printer) feed(n int) int {
	if n <= 0 {
		return 0
	}
	if p.paperLeft >= 0 && n >= p.paperLeft {
		n = p.paperLeft
		if !p.paperOut {
			p.paperOut = true
			p.log.Info("printer fault", "fault", "paper end")
		}
	}
	if p.sheet.rows+n > p.cfg.MaxPaperDots {
		n = p.cfg.MaxPaperDots - p.sheet.rows
		if !p.capHit {
			p.capHit = true
			p.report(1, fmt.Sprintf("paper longer than %d dots without a cut: the rest is not drawn", p.cfg.MaxPaperDots))
		}
	}
	if n <= 0 {
		return 0
	}
	p.sheet.extend(p.sheet.rows + n)
	p.fed += int64(n)
	if p.paperLeft > 0 {
		p.paperLeft -= n
	}
	return n
}

// endSheet ends the current piece of paper: it becomes receipt number p.pieces+1 unless it is
// empty. carry rows at its bottom (paper between the cut and the print line) start the next piece.
func (p *Printer) endSheet(reason string, partial bool, carry int) {
	old := p.sheet
	if carry > old.rows {
		carry = old.rows
	}
	rows := old.rows - carry
	next := newPaper(p.cfg.PaperDots)
	if carry > 0 {
		next.extend(carry)
		copy(next.bits, old.bits[rows*old.stride:])
	}
	p.sheet = next
	p.capHit = false
	text, qr := p.sheetText, p.sheetQR
	p.sheetText, p.sheetQR = nil, nil
	if rows == 0 {
		return
	}
	old.rows = rows
	old.bits = old.bits[:rows*old.stride]
	p.pieces++
	r := Receipt{Index: p.pieces, Image: old.image(), Partial: partial, Reason: reason, Text: text, QR: qr}
	if p.cfg.OutDir != "" {
		name := fmt.Sprintf("receipt-%04d.png", r.Index)
		if partial {
			name = fmt.Sprintf("receipt-%04d-partial.png", r.Index)
		}
		r.Path, r.Err = writePNG(p.cfg.OutDir, name, r.Image)
		if r.Err != nil {
			p.log.Error("printer: cannot write receipt", "err", r.Err)
		}
	}
	p.log.Info("printer: receipt out", "index", r.Index, "reason", reason, "partial", partial, "rows", rows, "path", r.Path)
	p.receipts = append(p.receipts, r)
	if k := p.cfg.KeepReceipts; k > 0 && len(p.receipts) > k {
		p.receipts = append(p.receipts[:0], p.receipts[len(p.receipts)-k:]...)
	}
}

// cut ends the receipt. feedFirst moves the cut position down to the print line (function B/D)
// and feeds n more dots.
func (p *Printer) cut(partial bool, feedFirst bool, n int) {
	if feedFirst {
		p.feed(p.cfg.CutterOffsetDots + n)
	}
	if p.paperOut {
		// The roll ended before the cut position: nothing is cut, the piece stays on the printer.
		return
	}
	reason := "full cut"
	if partial {
		reason = "partial cut"
	}
	p.endSheet(reason, false, p.cfg.CutterOffsetDots)
}

// Automatic status back (GS a).

func (p *Printer) asbBytes() [4]byte {
	b := [4]byte{0x10, 0x00, 0x00, 0x00}
	if p.stopped() {
		b[0] |= 0x08
	}
	if p.coverOpen {
		b[0] |= 0x20
	}
	if p.nearEnd {
		b[2] |= 0x03
	}
	if p.paperOut {
		b[2] |= 0x0C
	}
	return b
}

// checkASB sends the 4-byte status when an enabled status category changed.
func (p *Printer) checkASB() {
	if p.asbMask == 0 {
		return
	}
	cur := p.asbBytes()
	changed := byte(0)
	if (cur[0]^p.asbLast[0])&0x04 != 0 {
		changed |= 0x01 // drawer
	}
	if (cur[0]^p.asbLast[0])&0x68 != 0 {
		changed |= 0x02 // online/offline, cover, FEED button
	}
	if cur[1] != p.asbLast[1] {
		changed |= 0x04 // errors
	}
	if cur[2] != p.asbLast[2] {
		changed |= 0x08 // roll paper sensor
	}
	if changed&p.asbMask != 0 {
		p.asbLast = cur
		p.reply(cur[:]...)
	}
}

// enableASB handles GS a n: with n ≠ 0 the current status is sent at once.
func (p *Printer) enableASB(n byte) {
	p.asbMask = n & 0x0F
	if p.asbMask != 0 {
		p.asbLast = p.asbBytes()
		p.reply(p.asbLast[:]...)
	}
}

// Real-time status (DLE EOT n).
func (p *Printer) rtStatus(n byte) byte {
	s := byte(0x12)
	switch n {
	case 1:
		if p.stopped() {
			s |= 0x08
		}
	case 2:
		if p.coverOpen {
			s |= 0x04
		}
		if p.paperOut {
			s |= 0x20
		}
	case 3:
		// No cutter, unrecoverable or auto-recoverable errors are simulated.
	case 4:
		if p.nearEnd {
			s |= 0x0C
		}
		if p.paperOut {
			s |= 0x60
		}
	}
	return s
}

// paperSensor is the GS r 1 reply.
func (p *Printer) paperSensor() byte {
	s := byte(0)
	if p.nearEnd {
		s |= 0x03
	}
	if p.paperOut {
		s |= 0x0C
	}
	return s
}

// ErrUnknownFault is returned by Fault for a word it does not know.
var ErrUnknownFault = errors.New("sự cố không biết (unknown fault); dùng (use) paper-out, paper-in, near-end, near-end-off, cover-open, cover-close, offline, online")

// Fault applies a fault by the word technicians and tests use: paper-out, paper-in, near-end,
// near-end-off, cover-open, cover-close, offline, online.
func (p *Printer) Fault(word string) error {
	switch word {
	case "paper-out":
		p.SetPaperOut(true)
	case "paper-in":
		p.SetPaperOut(false)
	case "near-end":
		p.SetNearEnd(true)
	case "near-end-off":
		p.SetNearEnd(false)
	case "cover-open":
		p.SetCoverOpen(true)
	case "cover-close":
		p.SetCoverOpen(false)
	case "offline":
		p.SetOffline(true)
	case "online":
		p.SetOffline(false)
	default:
		return fmt.Errorf("%w: %q", ErrUnknownFault, word)
	}
	return nil
}
