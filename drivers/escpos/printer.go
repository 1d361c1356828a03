package escpos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tramso/tramso/drivers/serial"
)

// Conn is the line to a printer: job bytes out, status bytes back, with deadlines so a dead printer
// can never hang the kiosk. *serial.Port and an opened /dev/usb/lp* device satisfy it.
type Conn interface {
	io.ReadWriteCloser
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// Errors a printer reports. PrintError wraps them with what was printed.
var (
	ErrNoReply    = errors.New("máy in không trả lời: kiểm tra nguồn, cáp và tốc độ baud (printer does not answer: check power, cable and baud rate)")
	ErrBadStatus  = errors.New("máy in trả lời không đúng giao thức (printer reply is not an ESC/POS status byte)")
	ErrNotReady   = errors.New("máy in chưa sẵn sàng (printer not ready)")
	ErrStalled    = errors.New("máy in ngừng in giữa chừng (printer stopped mid-job)")
	ErrDisconnect = errors.New("mất kết nối máy in (printer disconnected)")
)

// Printer is a receipt printer on a line, described by a profile.
type Printer struct {
	conn    Conn
	profile Profile
	baud    int // 0 when the line is not a serial line at a known speed (USB)

	// ReplyTimeout bounds the wait for a real-time status reply.
	ReplyTimeout time.Duration
	// StallTimeout is how long a printer may take, beyond the line time, to confirm a chunk.
	StallTimeout time.Duration
}

// New returns a printer on conn. baud is the line speed for serial lines (used to size timeouts),
// 0 for USB.
func New(conn Conn, p Profile, baud int) *Printer {
	return &Printer{conn: conn, profile: p, baud: baud, ReplyTimeout: time.Second, StallTimeout: 4 * time.Second}
}

// Open opens a printer by device string: "serial:/dev/ttyUSB0?baud=115200[&rtscts=1]",
// "usblp:/dev/usb/lp0", or a bare path. A path that is, or links to, /dev/usb/lp* is a USB printer
// class device (so the stable name /dev/tramso/printer works for both kinds); anything else serial.
func Open(device string, p Profile) (*Printer, error) {
	kind, path := "serial", device
	switch {
	case strings.HasPrefix(device, "usblp:"):
		kind, path = "usblp", strings.TrimPrefix(device, "usblp:")
	case strings.HasPrefix(device, "/dev/usb/lp"):
		kind = "usblp"
	case strings.HasPrefix(device, "serial:"):
		// A stable name (/dev/tramso/printer) may point at a USB printer class device.
		if p, _, err := serial.ParseDevice(device); err == nil {
			if real, err := filepath.EvalSymlinks(p); err == nil && strings.HasPrefix(real, "/dev/usb/lp") {
				kind, path = "usblp", real
			}
		}
	case strings.HasPrefix(device, "/"):
		if real, err := filepath.EvalSymlinks(device); err == nil && strings.HasPrefix(real, "/dev/usb/lp") {
			kind, path = "usblp", real
		}
	case strings.Contains(device, ":") && !strings.HasPrefix(device, "/"):
		return nil, fmt.Errorf("thiết bị máy in %q không hỗ trợ; dùng serial:ĐƯỜNG_DẪN hoặc usblp:/dev/usb/lpN (unsupported printer device)", device)
	}
	if kind == "usblp" {
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if err != nil {
			return nil, fmt.Errorf("không mở được máy in USB %s (cannot open USB printer; is the service user in group lp?): %w", path, err)
		}
		return New(os.NewFile(uintptr(fd), path), p, 0), nil
	}
	path, cfg, err := serial.ParseDevice(path)
	if err != nil {
		return nil, err
	}
	if cfg.Baud == 0 {
		cfg.Baud = p.Baud
	}
	port, err := serial.Open(path, cfg)
	if err != nil {
		return nil, err
	}
	return New(port, p, cfg.Baud), nil
}

// Close closes the line.
func (pr *Printer) Close() error { return pr.conn.Close() }

// Profile returns the printer's profile.
func (pr *Printer) Profile() Profile { return pr.profile }

// lineTime is how long n bytes take on the line (8N1: 10 bits per byte).
func (pr *Printer) lineTime(n int) time.Duration {
	if pr.baud <= 0 {
		return 0
	}
	return time.Duration(n) * 10 * time.Second / time.Duration(pr.baud)
}

// write sends b with a deadline sized to the line speed.
func (pr *Printer) write(ctx context.Context, b []byte) error {
	deadline := time.Now().Add(2*pr.lineTime(len(b)) + pr.StallTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	pr.conn.SetWriteDeadline(deadline)
	_, err := pr.conn.Write(b)
	if err != nil {
		return classifyIOErr(err)
	}
	return nil
}

func classifyIOErr(err error) error {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%w: %v", ErrStalled, err)
	case errors.Is(err, unix.EIO), errors.Is(err, unix.ENODEV), errors.Is(err, unix.ENXIO),
		errors.Is(err, os.ErrClosed), errors.Is(err, io.EOF), errors.Is(err, unix.EPIPE):
		return fmt.Errorf("%w: %v", ErrDisconnect, err)
	}
	return err
}

// drainInput discards bytes already waiting: stale replies, and replies a printer gave to byte
// sequences inside raster data that happened to look like status requests.
func (pr *Printer) drainInput() error {
	buf := make([]byte, 256)
	for {
		pr.conn.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
		n, err := pr.conn.Read(buf)
		if n > 0 {
			continue
		}
		if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			return nil
		}
		return classifyIOErr(err)
	}
}

// readReply waits for one byte accepted by want, skipping XON/XOFF and bytes of other kinds.
func (pr *Printer) readReply(ctx context.Context, timeout time.Duration, want func(byte) bool) (byte, error) {
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	buf := make([]byte, 1)
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		pr.conn.SetReadDeadline(deadline)
		n, err := pr.conn.Read(buf)
		if n == 1 {
			if buf[0] != xon && buf[0] != xoff && want(buf[0]) {
				return buf[0], nil
			}
			continue
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, ErrNoReply
		}
		if err != nil {
			return 0, classifyIOErr(err)
		}
	}
}

// Status asks the printer for its real-time status (DLE EOT 1…4). A printer that does not answer
// is reported as ErrNoReply, never as ready.
func (pr *Printer) Status(ctx context.Context) (Status, error) {
	if err := pr.drainInput(); err != nil {
		return Status{}, err
	}
	var r [4]byte
	for i := range r {
		if err := pr.write(ctx, []byte{dle, 0x04, byte(i + 1)}); err != nil {
			return Status{}, err
		}
		b, err := pr.readReply(ctx, pr.ReplyTimeout, func(byte) bool { return true })
		if err != nil {
			return Status{}, err
		}
		r[i] = b
	}
	return ParseStatus(r[0], r[1], r[2], r[3])
}

// Outcome says whether a receipt came out of the printer.
type Outcome int

// Outcomes of a print.
const (
	NotPrinted    Outcome = iota // nothing was sent, or the printer refused the job before printing
	PartlyPrinted                // the job started but did not finish: the receipt must be reprinted
	Printed                      // every byte was confirmed processed by the printer, cut included
)

func (o Outcome) String() string {
	switch o {
	case Printed:
		return "đã in (printed)"
	case PartlyPrinted:
		return "in dở, cần in lại (partly printed: reprint)"
	}
	return "chưa in (not printed)"
}

// Result is what happened to a print job.
type Result struct {
	Outcome   Outcome
	Total     int // bytes in the job
	Sent      int // bytes written to the line
	Confirmed int // bytes the printer confirmed it has processed (in-order status markers)
	Before    Status
	After     *Status  // status after the job, when the printer answered
	Warnings  []string // e.g. paper near end
}

// PrintError is a print that did not complete; Result says exactly how far it got.
type PrintError struct {
	Result Result
	Err    error
}

func (e *PrintError) Error() string {
	r := e.Result
	switch r.Outcome {
	case NotPrinted:
		return fmt.Sprintf("không in được biên nhận (receipt not printed): %v", e.Err)
	default:
		pct := 0
		if r.Total > 0 {
			pct = r.Confirmed * 100 / r.Total
		}
		return fmt.Sprintf("biên nhận in dở (%d%% đã xác nhận), cần in lại (receipt partly printed, %d%% confirmed: reprint it): %v", pct, pct, e.Err)
	}
}

func (e *PrintError) Unwrap() error { return e.Err }

// Print sends a job and reports exactly whether it printed. It checks the status first and refuses
// to start on a printer that is offline, open or out of paper; it sends the job in chunks no larger
// than half the printer's buffer at safe points (Breaks), each followed by an in-order status marker
// (GS r 1), and never has more than two chunks unconfirmed, so a printer that stops can lose nothing
// the host does not know about. When the printer stops mid-job, the rest of its buffer is cleared so
// half a receipt does not come out when the paper is replaced, and the error says how far it got.
func (pr *Printer) Print(ctx context.Context, job []byte) (Result, error) {
	res := Result{Total: len(job)}
	st, err := pr.Status(ctx)
	if err != nil {
		return res, &PrintError{res, err}
	}
	res.Before = st
	if !st.OK() {
		return res, &PrintError{res, fmt.Errorf("%w: %s", ErrNotReady, st)}
	}
	limit := max(256, pr.profile.BufferBytes/2)
	chunks := chunk(job, Breaks(job), limit)
	marker := []byte{gs, 'r', 1}
	var pending []int // chunk end offsets not yet confirmed
	waitOne := func() error {
		b, err := pr.readReply(ctx, pr.StallTimeout+2*pr.lineTime(res.Sent-res.Confirmed), IsInOrderReply)
		if err != nil {
			return err
		}
		res.Confirmed = pending[0]
		pending = pending[1:]
		if b&0x0C != 0 && len(pending) > 0 {
			// The paper sensor says end: the printer will stop before the next chunk.
			res.Warnings = append(res.Warnings, "giấy hết trong khi in (paper ran out during the job)")
		}
		return nil
	}
	fail := func(cause error) (Result, error) {
		res.Outcome = PartlyPrinted
		if errors.Is(cause, ErrNoReply) {
			cause = ErrStalled
		}
		if !errors.Is(cause, ErrDisconnect) {
			if st, err := pr.Status(ctx); err == nil {
				res.After = &st
				if p := st.Problems(); len(p) > 0 {
					cause = fmt.Errorf("%w: %s", cause, strings.Join(p, "; "))
				}
			}
			pr.clearBuffer(ctx)
		}
		return res, &PrintError{res, cause}
	}
	if err := pr.drainInput(); err != nil {
		return res, &PrintError{res, err}
	}
	for _, c := range chunks {
		for len(pending) >= 2 {
			if err := waitOne(); err != nil {
				return fail(err)
			}
		}
		if err := pr.write(ctx, job[res.Sent:c]); err != nil {
			return fail(err)
		}
		res.Sent = c
		if err := pr.write(ctx, marker); err != nil {
			return fail(err)
		}
		pending = append(pending, c)
	}
	for len(pending) > 0 {
		if err := waitOne(); err != nil {
			return fail(err)
		}
	}
	res.Outcome = Printed
	if st, err := pr.Status(ctx); err == nil {
		res.After = &st
		if st.PaperNearEnd {
			res.Warnings = append(res.Warnings, "sắp hết giấy, hãy thay cuộn giấy (paper near end: replace the roll)")
		}
	}
	return res, nil
}

// clearBuffer discards what the printer holds of a failed job, so half a receipt does not come out
// when the fault is cleared, and returns once the printer has received the command: real-time
// commands are taken in the order they arrive, so the reply to a DLE EOT sent after the clear
// proves the clear arrived.
func (pr *Printer) clearBuffer(ctx context.Context) {
	var e Encoder
	e.ClearBuffer().StatusRequest(4)
	if err := pr.write(ctx, e.Bytes()); err != nil {
		return
	}
	pr.readReply(ctx, pr.ReplyTimeout, IsRealtimeReply)
}

// chunk groups the job into pieces ending at break offsets, each at most limit bytes unless a
// single command is larger.
func chunk(job []byte, breaks []int, limit int) []int {
	var out []int
	start, last := 0, 0
	for _, b := range breaks {
		if b-start > limit && last > start {
			out = append(out, last)
			start = last
		}
		last = b
	}
	if len(job) > start {
		out = append(out, len(job))
	}
	return out
}
