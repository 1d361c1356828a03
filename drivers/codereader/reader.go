package codereader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/serial"
	"github.com/tramso/tramso/internal/errtext"
)

// DefaultDedup is the window in which the same payload read again is collapsed into one scan.
const DefaultDedup = 2 * time.Second

// Errors of the package. ErrNotUTF8 and ErrTooLong concern one scan: the Reader goes on with the
// next. ErrGone ends the Reader.
var (
	// ErrNotUTF8 is a scanned line that is not valid UTF-8: the scanner sends a legacy code page.
	ErrNotUTF8 = errors.New("mã quét không phải UTF-8, hãy cài máy quét xuất UTF-8 " +
		"(scanned code is not valid UTF-8; set the scanner to UTF-8 output)")
	// ErrTooLong is a line longer than the maximum; it was dropped.
	ErrTooLong = errors.New("mã quét quá dài nên bị bỏ qua (scanned line too long, dropped)")
	// ErrGone is the scanner's line failing or closing: unplugged, or the simulator stopped.
	ErrGone = errors.New("mất kết nối máy quét QR, kiểm tra dây cắm (QR scanner disconnected)")
)

// Scan is one scanned code.
type Scan struct {
	Payload string    // the code's text, NFC, without line ending, prefix or suffix
	At      time.Time // when the line was complete
}

// Options tune a Reader. The zero value suits a scanner sending bare codes.
type Options struct {
	// Dedup is the window in which a payload equal to the previous one is dropped; each repeat
	// restarts the window, so a code held under a scanner in continuous mode counts once.
	// 0 means DefaultDedup, a negative value turns collapsing off.
	Dedup time.Duration
	// MaxLine is the longest line accepted, in bytes; 0 means DefaultMaxLine.
	MaxLine int
	// Prefix and Suffix are removed from a payload that starts or ends with them, for scanners
	// the installer set to frame codes (e.g. with STX/ETX or an AIM identifier).
	Prefix, Suffix string
}

// Port is the serial line a Reader reads: *serial.Port, or anything with a read deadline.
type Port interface {
	io.ReadCloser
	SetReadDeadline(t time.Time) error
}

// Reader yields the codes a scanner sends. Next may be called from one goroutine at a time (calls
// are serialised); Close may be called from any.
type Reader struct {
	port Port
	opt  Options

	mu      sync.Mutex // held by Next
	sp      splitter
	pending []line
	buf     []byte

	dmu    sync.Mutex // guards the last payload, for collapsing repeats
	last   string
	lastAt time.Time
}

// Open opens a scanner by device string, e.g. "serial:/dev/ttyACM0?baud=9600". Besides the line
// settings serial.ParseDevice takes (baud, rtscts), the string may set the Options: prefix and
// suffix (URL-escaped, e.g. suffix=%03), dedup (a duration such as 2s, or 0 for off) and maxline.
func Open(device string) (*Reader, error) {
	path, cfg, opt, err := ParseDevice(device)
	if err != nil {
		return nil, err
	}
	p, err := serial.Open(path, cfg)
	if err != nil {
		return nil, errtext.Wrap(errors.New("không mở được máy quét QR (cannot open QR scanner)"), err)
	}
	return NewReader(p, opt), nil
}

// ParseDevice splits a scanner device string into the serial line (path and settings) and the
// reader Options (see Open).
func ParseDevice(device string) (path string, cfg serial.Config, opt Options, err error) {
	base, query, _ := strings.Cut(device, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", cfg, opt, fmt.Errorf("tham số thiết bị sai (bad device options) %q: %w", query, err)
	}
	rest := url.Values{}
	for k, v := range q {
		val := v[len(v)-1]
		switch k {
		case "prefix":
			opt.Prefix = val
		case "suffix":
			opt.Suffix = val
		case "dedup":
			d, err := time.ParseDuration(val)
			if val == "0" {
				d, err = -1, nil
			}
			if err != nil {
				return "", cfg, opt, fmt.Errorf("dedup phải là khoảng thời gian như 2s (dedup must be a duration): %q", val)
			}
			if d == 0 {
				d = -1
			}
			opt.Dedup = d
		case "maxline":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 {
				return "", cfg, opt, fmt.Errorf("maxline phải là số dương (maxline must be a positive number): %q", val)
			}
			opt.MaxLine = n
		default:
			rest[k] = v
		}
	}
	if len(rest) > 0 {
		base += "?" + rest.Encode()
	}
	path, cfg, err = serial.ParseDevice(base)
	return path, cfg, opt, err
}

// NewReader reads scans from port with the given options.
func NewReader(port Port, opt Options) *Reader {
	if opt.Dedup == 0 {
		opt.Dedup = DefaultDedup
	}
	if opt.MaxLine <= 0 {
		opt.MaxLine = DefaultMaxLine
	}
	return &Reader{port: port, opt: opt, sp: splitter{max: opt.MaxLine}, buf: make([]byte, 512)}
}

// Next waits for the next scan. It returns an error wrapping ErrNotUTF8 or ErrTooLong for a bad scan
// (call Next again for the following one), ErrGone when the scanner's line closed, and ctx's error
// when ctx ends first.
func (r *Reader) Next(ctx context.Context) (Scan, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		for len(r.pending) > 0 {
			l := r.pending[0]
			r.pending = r.pending[1:]
			if s, err, ok := r.process(l); ok {
				return s, err
			}
		}
		if err := ctx.Err(); err != nil {
			return Scan{}, fmt.Errorf("chờ quét mã (waiting for a scan): %w", err)
		}
		dl, _ := ctx.Deadline()
		r.port.SetReadDeadline(dl)
		stop := context.AfterFunc(ctx, func() { r.port.SetReadDeadline(time.Unix(1, 0)) })
		n, err := r.port.Read(r.buf)
		stop()
		if n > 0 {
			r.pending = append(r.pending, r.sp.feed(r.buf[:n])...)
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue // ctx ended (checked above), or a wake-up meant for an earlier call
			}
			return Scan{}, fmt.Errorf("%w: %w", ErrGone, err)
		}
	}
}

// process turns a line into a scan; ok false means the line is dropped silently (duplicate, empty).
func (r *Reader) process(l line) (s Scan, err error, ok bool) {
	if l.tooLong {
		return Scan{}, fmt.Errorf("%w (> %d bytes)", ErrTooLong, r.opt.MaxLine), true
	}
	if !utf8.Valid(l.b) {
		return Scan{}, fmt.Errorf("%w (%d bytes)", ErrNotUTF8, len(l.b)), true
	}
	p := string(l.b)
	if r.opt.Prefix != "" {
		p = strings.TrimPrefix(p, r.opt.Prefix)
	}
	if r.opt.Suffix != "" {
		p = strings.TrimSuffix(p, r.opt.Suffix)
	}
	p = norm.NFC.String(p)
	if p == "" {
		return Scan{}, nil, false
	}
	now := time.Now()
	r.dmu.Lock()
	defer r.dmu.Unlock()
	if r.opt.Dedup > 0 && p == r.last && now.Sub(r.lastAt) < r.opt.Dedup {
		r.lastAt = now
		return Scan{}, nil, false
	}
	r.last, r.lastAt = p, now
	return Scan{Payload: p, At: now}, nil, true
}

// Forget drops the remembered last payload (kept to collapse repeats), for instance when a citizen's
// session ends, so no personal data stays in memory and the same card scanned again counts.
func (r *Reader) Forget() {
	r.dmu.Lock()
	defer r.dmu.Unlock()
	r.last, r.lastAt = "", time.Time{}
}

// Close closes the scanner's line; a Next in progress returns ErrGone.
func (r *Reader) Close() error { return r.port.Close() }
