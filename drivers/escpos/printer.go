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
	// ErrNoStatus is a status asked of a printer that has no back channel (status=none).
	ErrNoStatus = errors.New("máy in không có đường trả lời nên không đọc được trạng thái (printer has no back channel: its status cannot be read)")
)

// Printer is a receipt printer on a line, described by a profile.
type Printer struct {
	conn    Conn
	profile Profile
	baud    int // 0 when the line is not a serial line at a known speed (USB)

	forced  StatusMode // from the device address (status=…); StatusAuto when not given
	learned StatusMode // what probing found; StatusAuto until known
	inOrder []byte     // GS r replies read while waiting for a real-time reply during a job

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
// Either kind takes status=full|realtime|none (default auto) to say which status requests the
// printer answers instead of learning it by probing (see StatusMode).
func Open(device string, p Profile) (*Printer, error) {
	device, mode, err := splitStatusOption(device)
	if err != nil {
		return nil, err
	}
	pr, err := open(device, p)
	if err != nil {
		return nil, err
	}
	pr.forced = mode
	return pr, nil
}

func open(device string, p Profile) (*Printer, error) {
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
		path, _, _ = strings.Cut(path, "?") // status= was the only option, taken by Open
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

// drainInput discards bytes already waiting (and GS r replies kept from before): stale replies, and replies a printer gave to byte
// sequences inside raster data that happened to look like status requests.
func (pr *Printer) drainInput() error {
	pr.inOrder = pr.inOrder[:0]
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
			b := buf[0]
			switch {
			case b == xon || b == xoff:
			case want(b):
				return b, nil
			case IsInOrderReply(b) && len(pr.inOrder) < 64:
				pr.inOrder = append(pr.inOrder, b)
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
// is reported as ErrNoReply, never as ready; one whose address says it has no back channel
// (status=none) as ErrNoStatus, without asking.
func (pr *Printer) Status(ctx context.Context) (Status, error) {
	if pr.forced == StatusNone {
		return Status{}, ErrNoStatus
	}
	if err := pr.drainInput(); err != nil {
		return Status{}, err
	}
	return pr.query(ctx)
}

// query asks DLE EOT 1…4 without discarding what is waiting on the line. A byte shaped like a GS r
// reply cannot answer DLE EOT (bit 4 tells them apart): it is a late answer to a GS r marker, kept
// for the job that sent it, and never read as a status byte.
func (pr *Printer) query(ctx context.Context) (Status, error) {
	return pr.queryWithin(ctx, pr.ReplyTimeout)
}

// queryWithin is query with its own bound on each reply: during a job the printer is given
// StallTimeout, as for a chunk's confirmation, since the status it answers is that chunk's check.
func (pr *Printer) queryWithin(ctx context.Context, timeout time.Duration) (Status, error) {
	var r [4]byte
	for i := range r {
		if err := pr.write(ctx, []byte{dle, 0x04, byte(i + 1)}); err != nil {
			return Status{}, err
		}
		b, err := pr.readReply(ctx, timeout, func(b byte) bool { return !IsInOrderReply(b) })
		if err != nil {
			return Status{}, err
		}
		r[i] = b
	}
	return ParseStatus(r[0], r[1], r[2], r[3])
}
