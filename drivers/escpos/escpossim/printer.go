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
	// IgnoreGSr makes the printer behave like the many low-cost clones that answer DLE EOT but
	// take GS r (transmit status) without answering it.
	IgnoreGSr bool
	// OneWay makes the printer one-way, with no back channel at all (a USB printer-class device
	// without a read endpoint, or a TX-only cable): it answers nothing, not even DLE EOT.
	OneWay bool
	// Maker and Model are the names the printer reports to GS I 66 and GS I 67 (transmit printer
	// ID), in printable ASCII, at most 32 bytes each. "" means DefaultMaker and DefaultModel; a
	// test that must look like a particular printer to a host sets them (for example "EPSON" and
	// "TM-T20III").
	Maker, Model string
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
	CutterError                           bool           // autocutter error, until the host recovers it
	CutterJam                             bool           // its cause: paper jammed at the blade
	Stopped                               bool           // not processing print data (paper end, cover open, offline, error)
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

// Printer is the virtual printer: bytes from the host go in through Write, status bytes for the
// host come out of Replies. Inside it has three parts, as a printer does: the receiver (receive
// buffer, real-time commands, loss counting), the interpreter (modes, text, graphics, QR) and the
// mechanism (paper, faults, cutter). It is safe for one writer plus any number of goroutines
// calling the other methods.
type Printer struct {
	mu   sync.Mutex
	cfg  Config
	log  *slog.Logger
	rx   *receiver
	in   *interpreter
	mech *mechanism

	// fileMu is held while receipt PNG files are written (never while holding mu).
	fileMu   sync.Mutex
	fileErrs map[int]error // receipt index → why its file could not be written
	filesCut chan struct{} // set by Serve: its file writer is told of new receipts
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
	cfg.Maker = idText(cfg.Maker, DefaultMaker)
	cfg.Model = idText(cfg.Model, DefaultModel)
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
	rx := newReceiver(cfg.BufferBytes, cfg.OneWay, log)
	mech := newMechanism(cfg, log)
	in := newInterpreter(cfg, fonts, log, rx, mech)
	mech.reply = rx.reply
	mech.report = in.report
	return &Printer{cfg: cfg, log: log, rx: rx, in: in, mech: mech, fileErrs: make(map[int]error)}
}

// unlock releases mu. Receipts cut meanwhile get their PNG files: from the simulator's file
// writer when one runs (Serve), so the goroutine receiving the host's bytes never waits on a disk
// and real-time commands are answered at once, else written here.
func (p *Printer) unlock() {
	pending := len(p.mech.files) > 0
	p.mu.Unlock()
	if !pending {
		return
	}
	if p.filesCut != nil {
		select {
		case p.filesCut <- struct{}{}:
		default:
		}
		return
	}
	p.writeFiles()
}

// writeFiles writes the PNG files of the receipts cut so far. It holds fileMu until they are
// written, so a Receipts that takes fileMu after seeing a receipt finds its file there.
func (p *Printer) writeFiles() {
	p.fileMu.Lock()
	defer p.fileMu.Unlock()
	p.mu.Lock()
	files := p.mech.files
	p.mech.files = nil
	p.mu.Unlock()
	for _, f := range files {
		if _, err := writePNG(p.cfg.OutDir, f.name, f.img); err != nil {
			p.fileErrs[f.index] = err
			p.log.Error("printer: cannot write receipt", "err", err)
		}
	}
}

// Write receives bytes from the host. Real-time commands (DLE EOT, DLE ENQ, DLE DC4) are
// acted on as they arrive, wherever they are in the stream, even inside image data; everything
// goes into the receive buffer, which the interpreter empties while the printer is running.
// While it is stopped, bytes beyond a full buffer are lost. Write never fails.
func (p *Printer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.unlock()
	for _, c := range b {
		if p.rx.full() && !p.mech.stopped() {
			p.process()
		}
		p.rx.put(c)
		if act := p.rx.rt.feed(c); act != rtNone {
			p.process()
			p.realtime(act)
		}
	}
	p.process()
	p.mech.checkASB()
	return len(b), nil
}

// Replies returns the channel of bytes the printer sends to the host: DLE EOT and GS r replies,
// ASB messages, QR size information. Bytes nobody reads are dropped after maxReplyQueue.
// A printer run by Serve sends them down the line instead.
func (p *Printer) Replies() <-chan byte { return p.rx.replies }

// process runs the interpreter over the receive buffer while the printer is running.
func (p *Printer) process() {
	for !p.mech.stopped() && p.rx.buffered() > 0 {
		if !p.in.step() {
			break
		}
	}
	p.rx.settle()
}

// realtime carries out a real-time command.
func (p *Printer) realtime(a rtAction) {
	switch a {
	case rtStatus1, rtStatus2, rtStatus3, rtStatus4:
		p.rx.reply(p.mech.rtStatus(byte(a-rtStatus1) + 1))
	case rtRecover:
		p.mech.recover()
	case rtRecoverClear:
		p.clearBuffers()
		p.mech.recover()
	case rtClear:
		p.clearBuffers()
		p.rx.reply(0x37, 0x25, 0x00)
	}
}

// clearBuffers empties the receive and print buffers (DLE ENQ 2, DLE DC4 8).
func (p *Printer) clearBuffers() {
	p.rx.clear()
	p.in.clear()
}

// SetPaperOut takes the paper out (true) or loads a fresh roll (false). A piece printed before
// the paper ended is torn off as a partial receipt when the new roll goes in; the new roll does
// not run out unless SetPaperOutAfter says so. Printing resumes from the receive buffer.
func (p *Printer) SetPaperOut(out bool) {
	p.mu.Lock()
	defer p.unlock()
	if !p.mech.setPaperOut(out) {
		return
	}
	if !out {
		p.rx.lostLog = false
	}
	p.afterChange()
}

// SetPaperOutAfter makes the paper run out after dots more dots have been fed (0 = never).
func (p *Printer) SetPaperOutAfter(dots int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mech.paperOut {
		return
	}
	if dots <= 0 {
		p.mech.paperLeft = -1
	} else {
		p.mech.paperLeft = dots
	}
}

// SetNearEnd sets the paper near-end sensor. The printer keeps printing unless the host chose
// to stop on near end with ESC c 4.
func (p *Printer) SetNearEnd(near bool) {
	p.mu.Lock()
	defer p.unlock()
	p.mech.nearEnd = near
	p.log.Info("printer paper sensor", "near_end", near)
	p.afterChange()
}

// SetCoverOpen opens or closes the paper cover; an open cover stops printing.
func (p *Printer) SetCoverOpen(open bool) {
	p.mu.Lock()
	defer p.unlock()
	p.mech.coverOpen = open
	p.log.Info("printer cover", "open", open)
	p.afterChange()
}

// SetOffline takes the printer offline (it stops printing) or back online.
func (p *Printer) SetOffline(off bool) {
	p.mu.Lock()
	defer p.unlock()
	p.mech.offline = off
	p.log.Info("printer online state", "offline", off)
	p.afterChange()
}

// SetCutterJam jams the autocutter (true): an autocutter error, which stops the printer and is
// reported by DLE EOT 2 (bit 6), DLE EOT 3 (bit 3) and ASB (byte 2, bit 3). Clearing the jam
// (false) removes the cause but not the error: as on Epson printers, the host recovers with
// DLE ENQ 1 (resume) or DLE ENQ 2 (clear the buffers, then resume), which do nothing while the
// paper is still jammed.
func (p *Printer) SetCutterJam(jam bool) {
	p.mu.Lock()
	defer p.unlock()
	p.mech.cutterJam = jam
	if jam {
		p.mech.cutterError = true
	}
	p.log.Info("printer cutter", "jammed", jam)
	p.afterChange()
}

// afterChange resumes printing if the fault cleared and sends ASB if enabled.
func (p *Printer) afterChange() {
	if !p.mech.stopped() {
		p.rx.lostLog = false
	}
	p.process()
	p.mech.checkASB()
}

// TearOff tears off whatever has been printed since the last cut as a partial receipt (the
// technician's hand, or the simulator stopping). It returns false when there was nothing.
func (p *Printer) TearOff() bool {
	p.mu.Lock()
	defer p.unlock()
	return p.mech.tearOff()
}

// Receipts returns the receipts that left the printer, oldest first (at most
// Config.KeepReceipts of the most recent).
func (p *Printer) Receipts() []Receipt {
	p.mu.Lock()
	rs := append([]Receipt(nil), p.mech.receipts...)
	p.mu.Unlock()
	p.writeFiles()
	p.fileMu.Lock()
	defer p.fileMu.Unlock()
	for i, r := range rs {
		if err := p.fileErrs[r.Index]; err != nil {
			rs[i].Path, rs[i].Err = "", err
		}
	}
	return rs
}

// Unknown returns the unknown and malformed commands seen so far (the first 1000).
func (p *Printer) Unknown() []Unknown {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Unknown(nil), p.in.unknown...)
}

// Status returns the printer's state.
func (p *Printer) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Status{
		PaperOut:      p.mech.paperOut,
		NearEnd:       p.mech.nearEnd,
		CoverOpen:     p.mech.coverOpen,
		Offline:       p.mech.offline,
		CutterError:   p.mech.cutterError,
		CutterJam:     p.mech.cutterJam,
		Stopped:       p.mech.stopped(),
		Selected:      p.in.m.selected,
		KanjiMode:     p.in.m.kanji,
		CodeTable:     p.in.m.table,
		Buffered:      p.rx.buffered(),
		LostBytes:     p.rx.lost,
		ReceivedBytes: p.rx.received,
		FedDots:       p.mech.fed,
		PaperLeftDots: p.mech.paperLeft,
		Receipts:      p.mech.pieces,
		Unknown:       p.in.unknownN,
		ASB:           p.mech.asbMask,
		RepliesLost:   p.rx.repliesLost,
	}
}

// addRepliesLost counts replies the line could not deliver.
func (p *Printer) addRepliesLost(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rx.repliesLost += int64(n)
}

// ErrUnknownFault is returned by Fault for a word it does not know.
var ErrUnknownFault = errors.New("sự cố không biết (unknown fault); dùng (use) paper-out, paper-in, near-end, near-end-off, cover-open, cover-close, offline, online, cutter-jam, cutter-clear")

// Fault applies a fault by the word technicians and tests use: paper-out, paper-in, near-end,
// near-end-off, cover-open, cover-close, offline, online, cutter-jam, cutter-clear (the jam
// removed; the host still has to recover with DLE ENQ 1 or 2).
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
	case "cutter-jam":
		p.SetCutterJam(true)
	case "cutter-clear":
		p.SetCutterJam(false)
	default:
		return fmt.Errorf("%w: %q", ErrUnknownFault, word)
	}
	return nil
}
