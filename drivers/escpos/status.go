package escpos

import (
	"fmt"
	"strings"

	"github.com/tramso/tramso/internal/errtext"
)

// Status is what the printer's real-time status replies (DLE EOT 1…4) say.
type Status struct {
	Online          bool // not offline
	CoverOpen       bool
	FeedButton      bool // paper being fed by the FEED button
	PaperEnd        bool // roll paper sensor: paper out
	PaperNearEnd    bool // roll paper near-end sensor
	StoppedByEnd    bool // printing stopped because the paper ran out
	Error           bool // an error occurred (see the error flags)
	CutterError     bool
	Unrecoverable   bool
	AutoRecoverable bool // e.g. head overheating; clears by itself
	Recoverable     bool
}

// OK reports whether the printer can print a receipt now. Near end alone does not stop printing.
func (s Status) OK() bool {
	return s.Online && !s.CoverOpen && !s.PaperEnd && !s.StoppedByEnd && !s.Error && !s.CutterError &&
		!s.Unrecoverable && !s.AutoRecoverable
}

// Problems lists what is wrong, in words for a technician (Vietnamese (English)). Near end is a
// warning, listed too.
func (s Status) Problems() []string {
	var p []string
	if !s.Online {
		p = append(p, "máy in đang ngoại tuyến (printer offline)")
	}
	if s.CoverOpen {
		p = append(p, "nắp máy in đang mở (cover open)")
	}
	if s.PaperEnd || s.StoppedByEnd {
		p = append(p, "hết giấy (paper out)")
	}
	if s.CutterError {
		p = append(p, "lỗi dao cắt (autocutter error)")
	}
	if s.Unrecoverable {
		p = append(p, "lỗi không tự phục hồi, cần tắt bật máy in (unrecoverable error: power-cycle the printer)")
	}
	if s.AutoRecoverable {
		p = append(p, "đầu in quá nóng, chờ nguội (head overheated, waiting to recover)")
	}
	if s.Error && !s.CutterError && !s.Unrecoverable && !s.AutoRecoverable {
		p = append(p, "máy in báo lỗi (printer error)")
	}
	if s.FeedButton {
		p = append(p, "đang bấm nút FEED (FEED button pressed)")
	}
	if s.PaperNearEnd && !s.PaperEnd {
		p = append(p, "sắp hết giấy (paper near end)")
	}
	return p
}

// Detail is what is wrong, in English only: the detail of an error whose sentence is ErrNotReady
// or ErrStalled ("printer offline; paper out"), so that the chain keeps one bilingual sentence.
func (s Status) Detail() string { return errtext.English(strings.Join(s.Problems(), "; ")) }

// NotReady is ErrNotReady with what st reports as its English detail:
// "máy in chưa sẵn sàng (printer not ready): cover open; paper out".
func NotReady(st Status) error { return fmt.Errorf("%w: %s", ErrNotReady, st.Detail()) }

func (s Status) String() string {
	p := s.Problems()
	if len(p) == 0 {
		return "sẵn sàng (ready)"
	}
	return strings.Join(p, "; ")
}

// ParseStatus decodes the replies to DLE EOT 1, 2, 3 and 4, in that order. A byte that does not have
// the fixed bits of a DLE EOT reply (0xx1xx10) is rejected: it is not a status reply, and guessing
// would report a broken line as a healthy printer.
func ParseStatus(r1, r2, r3, r4 byte) (Status, error) {
	for i, b := range []byte{r1, r2, r3, r4} {
		if !IsRealtimeReply(b) {
			return Status{}, fmt.Errorf("%w: byte %d = %#02x", ErrBadStatus, i+1, b)
		}
	}
	return Status{
		Online:          r1&0x08 == 0,
		FeedButton:      r2&0x08 != 0,
		CoverOpen:       r2&0x04 != 0,
		StoppedByEnd:    r2&0x20 != 0,
		Error:           r2&0x40 != 0,
		Recoverable:     r3&0x04 != 0,
		CutterError:     r3&0x08 != 0,
		Unrecoverable:   r3&0x20 != 0,
		AutoRecoverable: r3&0x40 != 0,
		PaperNearEnd:    r4&0x0C != 0,
		PaperEnd:        r4&0x60 != 0,
	}, nil
}

// IsRealtimeReply reports whether b has the fixed bits of a DLE EOT reply: bit 0 = 0, bit 1 = 1,
// bit 4 = 1, bit 7 = 0.
func IsRealtimeReply(b byte) bool { return b&0x93 == 0x12 }

// IsInOrderReply reports whether b has the shape of a GS r reply (0xx0xxxx).
func IsInOrderReply(b byte) bool { return b&0x90 == 0 }

// xon and xoff are software flow control bytes some printers insert into the reply stream.
const (
	xon  = 0x11
	xoff = 0x13
)
