// Package serial opens serial lines (RS-232, USB-CDC /dev/ttyACM*, USB-serial /dev/ttyUSB*) and
// pseudo-terminals in raw 8N1 mode, with read and write deadlines, drain, and optional RTS/CTS
// hardware flow control.
//
// The kiosk's printers, NFC readers and QR scanners all sit on serial lines. A driver must never hang
// on a device that stopped answering, and a receipt printer must be able to wait until its bytes have
// really left the host. github.com/tarm/serial offers neither deadlines nor a drain, and sets no flow
// control, so this package configures the line with termios directly and hands the descriptor to the
// Go runtime poller, which makes SetReadDeadline and SetWriteDeadline work as they do for sockets.
package serial

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Config says how to set up a serial line. Lines are always raw 8N1.
type Config struct {
	Baud   int  // 1200…921600; 0 means 9600
	RTSCTS bool // hardware flow control (CRTSCTS) where the cable wires it
}

// Port is an open serial line. Its Read and Write honour deadlines.
type Port struct {
	f    *os.File
	path string
}

var bauds = map[int]uint32{
	1200: unix.B1200, 2400: unix.B2400, 4800: unix.B4800, 9600: unix.B9600, 19200: unix.B19200,
	38400: unix.B38400, 57600: unix.B57600, 115200: unix.B115200, 230400: unix.B230400,
	460800: unix.B460800, 921600: unix.B921600,
}

// ErrBaud is returned for a baud rate the line cannot be set to.
var ErrBaud = errors.New("tốc độ baud không hỗ trợ (unsupported baud rate)")

// Open opens the serial device at path and configures it as cfg says.
func Open(path string, cfg Config) (*Port, error) {
	if cfg.Baud == 0 {
		cfg.Baud = 9600
	}
	speed, ok := bauds[cfg.Baud]
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrBaud, cfg.Baud)
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("không mở được cổng nối tiếp %s (cannot open serial line %s): %w", path, path, err)
	}
	if err := configure(fd, speed, cfg.RTSCTS); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("không cấu hình được cổng %s (cannot configure serial line %s): %w", path, path, err)
	}
	// os.NewFile registers a non-blocking descriptor with the runtime poller, so deadlines work.
	return &Port{f: os.NewFile(uintptr(fd), path), path: path}, nil
}

// configure puts the line into raw 8N1 at the given speed.
func configure(fd int, speed uint32, rtscts bool) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	makeRaw(t)
	t.Cflag &^= unix.CBAUD | unix.CSIZE | unix.PARENB | unix.CSTOPB | unix.CRTSCTS
	t.Cflag |= speed | unix.CS8 | unix.CREAD | unix.CLOCAL
	if rtscts {
		t.Cflag |= unix.CRTSCTS
	}
	t.Ispeed = speed
	t.Ospeed = speed
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

// makeRaw clears every input, output and line processing flag, so bytes pass through unchanged.
func makeRaw(t *unix.Termios) {
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR |
		unix.ICRNL | unix.IXON | unix.IXOFF | unix.IXANY | unix.INPCK
	t.Iflag |= unix.IGNPAR
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
}

// Read reads bytes that arrived on the line; it waits until at least one arrives or the read deadline passes.
func (p *Port) Read(b []byte) (int, error) { return p.f.Read(b) }

// Write writes b to the line; it waits while the kernel's buffer is full, until the write deadline passes.
func (p *Port) Write(b []byte) (int, error) { return p.f.Write(b) }

// SetDeadline sets both the read and the write deadline.
func (p *Port) SetDeadline(t time.Time) error { return p.f.SetDeadline(t) }

// SetReadDeadline sets the time after which a waiting Read returns an error wrapping os.ErrDeadlineExceeded.
func (p *Port) SetReadDeadline(t time.Time) error { return p.f.SetReadDeadline(t) }

// SetWriteDeadline sets the time after which a waiting Write returns an error wrapping os.ErrDeadlineExceeded.
func (p *Port) SetWriteDeadline(t time.Time) error { return p.f.SetWriteDeadline(t) }

// SetBaud changes the line speed of an open port (tcsetattr, after the output has drained), for
// devices that agree a new speed at run time such as the PN532's SetSerialBaudRate.
func (p *Port) SetBaud(baud int) error {
	speed, ok := bauds[baud]
	if !ok {
		return fmt.Errorf("%w: %d", ErrBaud, baud)
	}
	rc, err := p.f.SyscallConn()
	if err != nil {
		return err
	}
	var ioerr error
	err = rc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if err != nil {
			ioerr = err
			return
		}
		t.Cflag &^= unix.CBAUD
		t.Cflag |= speed
		t.Ispeed, t.Ospeed = speed, speed
		ioerr = unix.IoctlSetTermios(int(fd), unix.TCSETSW, t)
	})
	if err != nil {
		return err
	}
	if ioerr != nil {
		return fmt.Errorf("không đổi được tốc độ cổng %s (cannot change the speed of %s): %w", p.path, p.path, ioerr)
	}
	return nil
}

// Supported reports whether baud is a speed Open and SetBaud accept.
func Supported(baud int) bool {
	_, ok := bauds[baud]
	return ok
}

// speedBaud turns a termios speed code back into bits per second (0 when unknown).
func speedBaud(speed uint32) int {
	for b, s := range bauds {
		if s == speed {
			return b
		}
	}
	return 0
}

// Drain waits until every byte written has left the host (tcdrain).
func (p *Port) Drain() error {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return err
	}
	var ioerr error
	err = rc.Control(func(fd uintptr) {
		ioerr = unix.IoctlSetInt(int(fd), unix.TCSBRK, 1)
	})
	if err != nil {
		return err
	}
	return ioerr
}

// DiscardInput drops bytes that arrived but were not read yet.
func (p *Port) DiscardInput() error {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return err
	}
	var ioerr error
	err = rc.Control(func(fd uintptr) {
		ioerr = unix.IoctlSetInt(int(fd), unix.TCFLSH, unix.TCIFLUSH)
	})
	if err != nil {
		return err
	}
	return ioerr
}

// Path returns the device path the port was opened with.
func (p *Port) Path() string { return p.path }

// Close closes the line.
func (p *Port) Close() error { return p.f.Close() }

// ParseDevice parses a device string such as "serial:/dev/ttyUSB0?baud=115200&rtscts=1" (the
// "serial:" prefix is optional) into the device path and its line settings.
func ParseDevice(s string) (path string, cfg Config, err error) {
	s = strings.TrimPrefix(s, "serial:")
	path, query, _ := strings.Cut(s, "?")
	if path == "" {
		return "", cfg, fmt.Errorf("thiếu đường dẫn thiết bị (missing device path) in %q", s)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", cfg, fmt.Errorf("tham số thiết bị sai (bad device options) %q: %w", query, err)
	}
	for k, v := range q {
		val := v[len(v)-1]
		switch k {
		case "baud":
			n, err := strconv.Atoi(val)
			if err != nil {
				return "", cfg, fmt.Errorf("%w: %q", ErrBaud, val)
			}
			if _, ok := bauds[n]; !ok {
				return "", cfg, fmt.Errorf("%w: %d", ErrBaud, n)
			}
			cfg.Baud = n
		case "rtscts":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return "", cfg, fmt.Errorf("rtscts phải là 0 hoặc 1 (rtscts must be 0 or 1): %q", val)
			}
			cfg.RTSCTS = b
		default:
			return "", cfg, fmt.Errorf("tham số thiết bị không biết (unknown device option) %q", k)
		}
	}
	return path, cfg, nil
}
