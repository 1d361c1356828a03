package escpos

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// StatusMode says which status requests a printer answers, and so how far a print can be
// confirmed. Printers differ: Epson-compatible ones answer both real-time status (DLE EOT) and the
// in-order "transmit status" (GS r), many low-cost clones answer DLE EOT but take GS r without a
// word, and a one-way line (a USB printer-class device without a read endpoint, a TX-only cable)
// answers nothing.
type StatusMode int

// Status modes. The zero value, StatusAuto, learns the mode by probing.
const (
	StatusAuto     StatusMode = iota // not given: learn it (Probe, or the first print)
	StatusFull                       // DLE EOT and GS r: every chunk confirmed as processed
	StatusRealtime                   // DLE EOT only: chunks paced, the printer checked between them
	StatusNone                       // no back channel: paced by line time, never confirmed
)

// String returns the name used in device addresses: auto, full, realtime, none.
func (m StatusMode) String() string {
	switch m {
	case StatusFull:
		return "full"
	case StatusRealtime:
		return "realtime"
	case StatusNone:
		return "none"
	}
	return "auto"
}

// Describe says in words for a technician what a printer in this mode can report.
func (m StatusMode) Describe() string {
	switch m {
	case StatusFull:
		return "máy in trả lời DLE EOT và GS r: từng phần biên nhận được xác nhận (printer answers DLE EOT and GS r: every part of a receipt is confirmed)"
	case StatusRealtime:
		return "máy in chỉ trả lời DLE EOT: in theo nhịp, kiểm tra giấy và lỗi giữa các phần (printer answers DLE EOT only: paced printing, paper and errors checked between parts)"
	case StatusNone:
		return "máy in không trả lời trạng thái: biên nhận chỉ được ghi là đã gửi, không phát hiện được hết giấy (printer answers no status: receipts are only known to be sent, and paper-out cannot be detected)"
	}
	return "chưa biết máy in trả lời những gì (not yet known what the printer answers)"
}

// ErrBadStatusMode is a status= option that is not auto, full, realtime or none.
var ErrBadStatusMode = errors.New("tham số status phải là auto, full, realtime hoặc none (status must be auto, full, realtime or none)")

// ParseStatusMode parses auto, full, realtime or none.
func ParseStatusMode(s string) (StatusMode, error) {
	for _, m := range []StatusMode{StatusAuto, StatusFull, StatusRealtime, StatusNone} {
		if s == m.String() {
			return m, nil
		}
	}
	return StatusAuto, fmt.Errorf("%w: %q", ErrBadStatusMode, s)
}

// splitStatusOption takes status=… out of a device address and returns the rest.
func splitStatusOption(device string) (string, StatusMode, error) {
	base, query, ok := strings.Cut(device, "?")
	if !ok {
		return device, StatusAuto, nil
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", StatusAuto, fmt.Errorf("tham số thiết bị sai (bad device options) %q: %w", query, err)
	}
	mode := StatusAuto
	if v, ok := q["status"]; ok {
		if mode, err = ParseStatusMode(v[len(v)-1]); err != nil {
			return "", StatusAuto, err
		}
		q.Del("status")
	}
	if strings.HasPrefix(base, "usblp:") || strings.HasPrefix(base, "/dev/usb/lp") {
		for k := range q {
			return "", StatusAuto, fmt.Errorf("tham số thiết bị không biết (unknown device option) %q", k)
		}
	}
	if len(q) == 0 {
		return base, mode, nil
	}
	return base + "?" + q.Encode(), mode, nil
}

// Mode returns the status mode prints use: the one the device address gives, else the one probing
// learned, else StatusAuto (not known yet: the next print probes).
func (pr *Printer) Mode() StatusMode {
	if pr.forced != StatusAuto {
		return pr.forced
	}
	return pr.learned
}

// Forced reports whether the device address sets the status mode (status=…).
func (pr *Printer) Forced() bool { return pr.forced != StatusAuto }

// Learn seeds what an earlier Probe of the same printer found, so a caller that opens the printer
// for each job probes once, not every time. It does nothing when the address sets the mode.
func (pr *Printer) Learn(m StatusMode) {
	if m == StatusFull || m == StatusRealtime || m == StatusNone {
		pr.learned = m
	}
}

// Probe finds out what the printer answers: DLE EOT, then GS r 1. It returns what it found and
// keeps it for the prints that follow (unless the address sets the mode). Silence to DLE EOT is a
// finding, StatusNone, not an error; it is also what a printer that is off looks like, which is
// why the mode is probed again at every self-test. GS r is only answered by a printer that is
// printing, so with a fault it cannot be tested: Probe then returns StatusRealtime and leaves the
// mode unknown, and the next print tests GS r once the fault is cleared.
func (pr *Printer) Probe(ctx context.Context) (StatusMode, error) {
	if err := pr.drainInput(); err != nil {
		return StatusAuto, err
	}
	st, err := pr.query(ctx)
	switch {
	case errors.Is(err, ErrNoReply):
		pr.learned = StatusNone
		return StatusNone, nil
	case err != nil:
		return StatusAuto, err
	case !st.OK():
		if pr.learned == StatusNone {
			pr.learned = StatusAuto
		}
		return StatusRealtime, nil
	}
	m, err := pr.probeInOrder(ctx)
	if err != nil {
		return StatusAuto, err
	}
	pr.learned = m
	return m, nil
}

// probeInOrder sends GS r 1 to a printer that is ready and reports whether it answered.
func (pr *Printer) probeInOrder(ctx context.Context) (StatusMode, error) {
	if err := pr.write(ctx, []byte{gs, 'r', 1}); err != nil {
		return StatusAuto, err
	}
	_, err := pr.readReply(ctx, pr.ReplyTimeout, IsInOrderReply)
	switch {
	case errors.Is(err, ErrNoReply):
		return StatusRealtime, nil
	case err != nil:
		return StatusAuto, err
	}
	return StatusFull, nil
}
