package escpossim

import (
	"fmt"
	"image"
	"log/slog"
	"path/filepath"
)

// receiptFile is a receipt's PNG file waiting to be written.
type receiptFile struct {
	index int
	name  string
	img   *image.Gray
}

// mechanism is the printer's hardware: the paper roll and its sensors, the cover, the online
// switch, the cutter, and the pieces of paper that left the printer. It answers the status
// questions (DLE EOT, GS r 1, automatic status back) from what it knows; it never sees the
// host's bytes.
type mechanism struct {
	cfg Config
	log *slog.Logger
	// reply sends status bytes to the host (the receiver's back channel).
	reply func(...byte)
	// report records a problem at the interpreter's position (the strip cap).
	report func(n int, reason string)

	// Faults.
	paperOut, nearEnd, coverOpen, offline bool
	paperLeft                             int  // -1 = unlimited
	stopOnNearEnd                         bool // ESC c 4: stop printing on near end (survives ESC @)
	// cutterJam is the cause of an autocutter error (paper jammed at the blade); cutterError is the
	// error itself, which stays until the host recovers it (DLE ENQ 1/2) once the jam is gone.
	cutterJam, cutterError bool

	// Paper.
	sheet     *paper
	fed       int64
	capHit    bool
	sheetText []string // lines printed in the ROM font on the current piece
	sheetQR   []string // QR payloads printed on the current piece
	receipts  []Receipt
	pieces    int
	files     []receiptFile // receipts whose PNG file is still to be written

	// Automatic status back (GS a).
	asbMask byte
	asbLast [4]byte
}

func newMechanism(cfg Config, log *slog.Logger) *mechanism {
	m := &mechanism{cfg: cfg, log: log, paperLeft: -1, sheet: newPaper(cfg.PaperDots)}
	if cfg.PaperOutAfterDots > 0 {
		m.paperLeft = cfg.PaperOutAfterDots
	}
	return m
}

// stopped reports whether the printer has stopped processing print data.
func (m *mechanism) stopped() bool {
	return m.paperOut || m.coverOpen || m.offline || m.cutterError || (m.nearEnd && m.stopOnNearEnd)
}

// recover ends an autocutter error whose cause is gone (DLE ENQ 1 or 2); it reports whether it did.
func (m *mechanism) recover() bool {
	if !m.cutterError || m.cutterJam {
		return false
	}
	m.cutterError = false
	m.log.Info("printer error recovered", "fault", "autocutter")
	return true
}

// setPaperOut takes the paper out or loads a fresh roll; it reports whether anything changed.
func (m *mechanism) setPaperOut(out bool) bool {
	if out == m.paperOut {
		return false
	}
	if out {
		m.paperOut = true
		m.paperLeft = 0
		m.log.Info("printer fault", "fault", "paper out")
	} else {
		if m.sheet.rows > 0 {
			m.endSheet("paper end", true, 0)
		}
		m.paperOut = false
		m.paperLeft = -1
		m.log.Info("printer fault cleared", "fault", "paper out")
	}
	return true
}

// feed moves the paper n dots, stopping where the roll ends or the strip reaches
// Config.MaxPaperDots. It returns the dots actually fed.
func (m *mechanism) feed(n int) int {
	if n <= 0 {
		return 0
	}
	if m.paperLeft >= 0 && n >= m.paperLeft {
		n = m.paperLeft
		if !m.paperOut {
			m.paperOut = true
			m.log.Info("printer fault", "fault", "paper end")
		}
	}
	if m.sheet.rows+n > m.cfg.MaxPaperDots {
		n = m.cfg.MaxPaperDots - m.sheet.rows
		if !m.capHit {
			m.capHit = true
			m.report(1, fmt.Sprintf("paper longer than %d dots without a cut: the rest is not drawn", m.cfg.MaxPaperDots))
		}
	}
	if n <= 0 {
		return 0
	}
	m.sheet.extend(m.sheet.rows + n)
	m.fed += int64(n)
	if m.paperLeft > 0 {
		m.paperLeft -= n
	}
	return n
}

// endSheet ends the current piece of paper: it becomes receipt number m.pieces+1 unless it is
// empty. carry rows at its bottom (paper between the cut and the print line) start the next piece.
func (m *mechanism) endSheet(reason string, partial bool, carry int) {
	old := m.sheet
	if carry > old.rows {
		carry = old.rows
	}
	rows := old.rows - carry
	next := newPaper(m.cfg.PaperDots)
	if carry > 0 {
		next.extend(carry)
		copy(next.bits, old.bits[rows*old.stride:])
	}
	m.sheet = next
	m.capHit = false
	text, qr := m.sheetText, m.sheetQR
	m.sheetText, m.sheetQR = nil, nil
	if rows == 0 {
		return
	}
	old.rows = rows
	old.bits = old.bits[:rows*old.stride]
	m.pieces++
	r := Receipt{Index: m.pieces, Image: old.image(), Partial: partial, Reason: reason, Text: text, QR: qr}
	if m.cfg.OutDir != "" {
		name := fmt.Sprintf("receipt-%04d.png", r.Index)
		if partial {
			name = fmt.Sprintf("receipt-%04d-partial.png", r.Index)
		}
		// The file is written once the printer is unlocked (Printer.unlock), so encoding it never
		// delays the answers to real-time commands.
		r.Path = filepath.Join(m.cfg.OutDir, name)
		m.files = append(m.files, receiptFile{index: r.Index, name: name, img: r.Image})
	}
	m.log.Info("printer: receipt out", "index", r.Index, "reason", reason, "partial", partial, "rows", rows, "path", r.Path)
	m.receipts = append(m.receipts, r)
	if k := m.cfg.KeepReceipts; k > 0 && len(m.receipts) > k {
		m.receipts = append(m.receipts[:0], m.receipts[len(m.receipts)-k:]...)
	}
}

// tearOff tears off what was printed since the last cut; false when there was nothing.
func (m *mechanism) tearOff() bool {
	if m.sheet.rows == 0 {
		return false
	}
	reason := "torn off"
	if m.paperOut {
		reason = "paper end"
	}
	m.endSheet(reason, true, 0)
	return true
}

// cut ends the receipt. feedFirst moves the cut position down to the print line (function B/D)
// and feeds n more dots.
func (m *mechanism) cut(partial bool, feedFirst bool, n int) {
	if feedFirst {
		m.feed(m.cfg.CutterOffsetDots + n)
	}
	if m.paperOut {
		// The roll ended before the cut position: nothing is cut, the piece stays on the printer.
		return
	}
	reason := "full cut"
	if partial {
		reason = "partial cut"
	}
	m.endSheet(reason, false, m.cfg.CutterOffsetDots)
}

// Automatic status back (GS a).

func (m *mechanism) asbBytes() [4]byte {
	b := [4]byte{0x10, 0x00, 0x00, 0x00}
	if m.stopped() {
		b[0] |= 0x08
	}
	if m.coverOpen {
		b[0] |= 0x20
	}
	if m.cutterError {
		b[1] |= 0x08
	}
	if m.nearEnd {
		b[2] |= 0x03
	}
	if m.paperOut {
		b[2] |= 0x0C
	}
	return b
}

// checkASB sends the 4-byte status when an enabled status category changed.
func (m *mechanism) checkASB() {
	if m.asbMask == 0 {
		return
	}
	cur := m.asbBytes()
	changed := byte(0)
	if (cur[0]^m.asbLast[0])&0x04 != 0 {
		changed |= 0x01 // drawer
	}
	if (cur[0]^m.asbLast[0])&0x68 != 0 {
		changed |= 0x02 // online/offline, cover, FEED button
	}
	if cur[1] != m.asbLast[1] {
		changed |= 0x04 // errors
	}
	if cur[2] != m.asbLast[2] {
		changed |= 0x08 // roll paper sensor
	}
	if changed&m.asbMask != 0 {
		m.asbLast = cur
		m.reply(cur[:]...)
	}
}

// enableASB handles GS a n: with n ≠ 0 the current status is sent at once.
func (m *mechanism) enableASB(n byte) {
	m.asbMask = n & 0x0F
	if m.asbMask != 0 {
		m.asbLast = m.asbBytes()
		m.reply(m.asbLast[:]...)
	}
}

// rtStatus is the reply to DLE EOT n.
func (m *mechanism) rtStatus(n byte) byte {
	s := byte(0x12)
	switch n {
	case 1:
		if m.stopped() {
			s |= 0x08
		}
	case 2:
		if m.coverOpen {
			s |= 0x04
		}
		if m.paperOut {
			s |= 0x20
		}
		if m.cutterError {
			s |= 0x40
		}
	case 3:
		// Of the errors only the autocutter's is simulated (no unrecoverable or auto-recoverable).
		if m.cutterError {
			s |= 0x08
		}
	case 4:
		if m.nearEnd {
			s |= 0x0C
		}
		if m.paperOut {
			s |= 0x60
		}
	}
	return s
}

// paperSensor is the GS r 1 reply.
func (m *mechanism) paperSensor() byte {
	s := byte(0)
	if m.nearEnd {
		s |= 0x03
	}
	if m.paperOut {
		s |= 0x0C
	}
	return s
}
