package pn532

import (
	"context"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"strconv"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/host/v3"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/serial"
)

// Command codes (UM0701-02 §7), sent after TFI D4; the response code is the command code + 1.
const (
	CmdDiagnose            = 0x00
	CmdGetFirmwareVersion  = 0x02
	CmdSetSerialBaudRate   = 0x10
	CmdSAMConfiguration    = 0x14
	CmdRFConfiguration     = 0x32
	CmdInDataExchange      = 0x40
	CmdInDeselect          = 0x44
	CmdInListPassiveTarget = 0x4A
	CmdInPSL               = 0x4E
	CmdInRelease           = 0x52
)

// Defaults.
const (
	// DefaultBaud is the PN532's HSU speed after power-up.
	DefaultBaud = 115200
	// DefaultAddr is the PN532's 7-bit I²C address.
	DefaultAddr = 0x24
)

// Options tune the driver. The zero value of each field means its default.
type Options struct {
	ACKTimeout      time.Duration // wait for the ACK after a command, plus line time; default 100 ms
	CommandTimeout  time.Duration // wait for the answer to a housekeeping command; default 1 s
	ExchangeTimeout time.Duration // wait for a card's answer to one APDU; default 5 s
	Retries         int           // resends after a missing ACK and NACKs after a broken answer; default 2, negative for none
	PollInterval    time.Duration // pause between polls in WaitForCard; default 200 ms
	Modulations     []Modulation  // what WaitForCard polls for; default TypeA then TypeB
	NoHighSpeed     bool          // stay at 106 kbps: no InPSL
	// MaxBitRate caps the RF bit rate InPSL may reach, in kbps (106, 212, 424, 848);
	// default 848. The card's ATS decides below the cap.
	MaxBitRate int
	// MaxBaud raises the HSU line after first contact to the fastest speed up to it that the
	// PN532 and the line take (SetSerialBaudRate, proven by a line test; see SetBaud); 0 keeps
	// the opening speed. When first contact fails at the opening speed, the speeds up to
	// MaxBaud are probed: a PN532 left at a higher speed by an earlier run answers there.
	MaxBaud int
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.ACKTimeout <= 0 {
		r.ACKTimeout = 100 * time.Millisecond
	}
	if r.CommandTimeout <= 0 {
		r.CommandTimeout = time.Second
	}
	if r.ExchangeTimeout <= 0 {
		r.ExchangeTimeout = 5 * time.Second
	}
	if r.Retries == 0 {
		r.Retries = 2
	} else if r.Retries < 0 {
		r.Retries = 0
	}
	if r.PollInterval <= 0 {
		r.PollInterval = 200 * time.Millisecond
	}
	if len(r.Modulations) == 0 {
		r.Modulations = []Modulation{TypeA, TypeB}
	}
	if r.MaxBitRate <= 0 {
		r.MaxBitRate = 848
	}
	return r
}

// Version is the answer to GetFirmwareVersion.
type Version struct {
	IC      byte // 32h for a PN532
	Ver     byte // firmware version
	Rev     byte // firmware revision
	Support byte // bit 0 ISO/IEC 14443 type A, bit 1 type B, bit 2 ISO 18092
}

func (v Version) String() string {
	return fmt.Sprintf("PN5%02X v%d.%d support %02Xh", v.IC, v.Ver, v.Rev, v.Support)
}

// Device is a PN532 on a UART or an I²C bus. Its methods are safe for concurrent use;
// commands are sent one at a time.
type Device struct {
	mu      sync.Mutex
	t       transport
	opt     Options
	baud    int // HSU line speed, 0 on I²C
	base    int // the speed the line was opened at, restored on Close
	stats   Stats
	version Version
	gone    error // set once the line failed
}

// Open opens a PN532 named by a device string:
//
//	pn532:/dev/ttyUSB0             HSU at 115200 baud
//	pn532:/dev/ttyS1?baud=115200   HSU, options as in serial.ParseDevice
//	pn532:/dev/ttyUSB0?baud=115200&max=921600&rf=424
//	                               open at 115200, raise the line up to 921600 (Options.MaxBaud),
//	                               RF bit rate at most 424 kbps (Options.MaxBitRate)
//	pn532-i2c:1:0x24               I²C bus "1" (periph's i2creg name) at address 0x24
//	pn532-i2c:/dev/i2c-1           I²C bus by device node, default address 0x24
func Open(ctx context.Context, device string) (*Device, error) {
	switch {
	case strings.HasPrefix(device, "pn532:"):
		rest, opts, err := speedOptions(strings.TrimPrefix(device, "pn532:"))
		if err != nil {
			return nil, err
		}
		path, cfg, err := serial.ParseDevice(rest)
		if err != nil {
			return nil, err
		}
		return OpenHSU(ctx, path, cfg, opts)
	case strings.HasPrefix(device, "pn532-i2c:"):
		name, addr, err := parseI2C(strings.TrimPrefix(device, "pn532-i2c:"))
		if err != nil {
			return nil, err
		}
		if _, err := host.Init(); err != nil {
			return nil, fmt.Errorf("không khởi tạo được I2C (cannot initialise I2C drivers): %w", err)
		}
		bus, err := i2creg.Open(name)
		if err != nil {
			return nil, fmt.Errorf("không mở được bus I2C %q (cannot open I2C bus): %w", name, err)
		}
		d, err := openI2C(ctx, bus, addr, bus, nil)
		if err != nil {
			bus.Close()
			return nil, err
		}
		return d, nil
	}
	return nil, fmt.Errorf("chuỗi thiết bị PN532 sai (bad PN532 device string) %q: want pn532:PATH or pn532-i2c:BUS[:ADDR]", device)
}

// speedOptions takes the driver's own options (max, rf) out of a device string's query and
// returns the rest for serial.ParseDevice.
func speedOptions(s string) (string, *Options, error) {
	path, query, found := strings.Cut(s, "?")
	if !found {
		return s, nil, nil
	}
	var opts Options
	var keep []string
	for _, kv := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "max":
			n, err := strconv.Atoi(v)
			if _, ok := baudCode(n); err != nil || !ok || !serial.Supported(n) {
				return "", nil, fmt.Errorf("%w: max=%s", serial.ErrBaud, v)
			}
			opts.MaxBaud = n
		case "rf":
			n, err := strconv.Atoi(v)
			if err != nil || (n != 106 && n != 212 && n != 424 && n != 848) {
				return "", nil, fmt.Errorf("tốc độ RF sai, dùng 106, 212, 424 hoặc 848 (bad RF bit rate) rf=%s", v)
			}
			opts.MaxBitRate = n
			opts.NoHighSpeed = n == 106
		default:
			keep = append(keep, kv)
		}
	}
	if len(keep) > 0 {
		path += "?" + strings.Join(keep, "&")
	}
	return path, &opts, nil
}

// parseI2C splits "BUS[:ADDR]".
func parseI2C(s string) (bus string, addr uint16, err error) {
	bus, a, found := strings.Cut(s, ":")
	if bus == "" {
		return "", 0, fmt.Errorf("thiếu tên bus I2C (missing I2C bus) in %q", s)
	}
	if !found {
		return bus, DefaultAddr, nil
	}
	n, err := strconv.ParseUint(a, 0, 7)
	if err != nil {
		return "", 0, fmt.Errorf("địa chỉ I2C sai (bad I2C address) %q: %w", a, err)
	}
	return bus, uint16(n), nil
}

// OpenHSU opens the serial line at path (cfg.Baud 0 means 115200), wakes the PN532 up and
// puts it in normal mode. opts may be nil.
func OpenHSU(ctx context.Context, path string, cfg serial.Config, opts *Options) (*Device, error) {
	if cfg.Baud == 0 {
		cfg.Baud = DefaultBaud
	}
	p, err := serial.Open(path, cfg)
	if err != nil {
		return nil, errtext.Wrap(ErrGone, err)
	}
	d, err := NewHSU(ctx, p, cfg.Baud, opts)
	if err != nil {
		p.Close()
		return nil, err
	}
	return d, nil
}

// NewHSU starts a PN532 on an already open serial line running at baud. The Device owns
// the line from then on, also when NewHSU fails. opts may be nil.
func NewHSU(ctx context.Context, line Line, baud int, opts *Options) (*Device, error) {
	d := &Device{opt: opts.withDefaults(), baud: baud, base: baud}
	h := &hsu{line: line, stats: &d.stats}
	d.t = h
	err := d.init(ctx, true)
	if err != nil && errors.Is(err, ErrNoAnswer) && d.opt.MaxBaud > baud && ctx.Err() == nil {
		err = d.probe(ctx, h, err)
	}
	if err != nil {
		line.Close()
		return nil, err
	}
	if d.opt.MaxBaud > d.baud {
		d.raise(ctx, d.opt.MaxBaud)
	}
	return d, nil
}

// OpenI2C starts a PN532 at addr (0 means 0x24) on bus. The caller keeps ownership of the
// bus. opts may be nil.
func OpenI2C(ctx context.Context, bus i2c.Bus, addr uint16, opts *Options) (*Device, error) {
	return openI2C(ctx, bus, addr, nil, opts)
}

func openI2C(ctx context.Context, bus i2c.Bus, addr uint16, closer interface{ Close() error }, opts *Options) (*Device, error) {
	if addr == 0 {
		addr = DefaultAddr
	}
	d := &Device{opt: opts.withDefaults()}
	d.t = &i2cLink{dev: i2c.Dev{Bus: bus, Addr: addr}, closer: closer, stats: &d.stats}
	if err := d.init(ctx, false); err != nil {
		return nil, err
	}
	return d, nil
}

// wakeUp is the HSU wake-up sequence: 55 55 and a long run of zeros (idcard.md §6.2).
const wakeUp = "\x55\x55\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// init wakes the chip up, sets normal mode, reads the firmware version and bounds the
// passive activation retries so that polling for a card never blocks the reader.
func (d *Device) init(ctx context.Context, uart bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var prefix []byte
	if uart {
		prefix = []byte(wakeUp)
	}
	// SAMConfiguration: normal mode, timeout 20×50 ms, IRQ pin used.
	if _, err := d.call(ctx, "SAMConfiguration", []byte{CmdSAMConfiguration, 0x01, 0x14, 0x01}, d.opt.CommandTimeout, prefix); err != nil {
		return fmt.Errorf("cannot wake up the PN532: %w", err) // err carries the sentence
	}
	r, err := d.call(ctx, "GetFirmwareVersion", []byte{CmdGetFirmwareVersion}, d.opt.CommandTimeout, nil)
	if err != nil {
		return err
	}
	if d.version, err = parseVersion(r); err != nil {
		return err
	}
	// MxRtyATR FFh (library default), MxRtyPSL 01h, MxRtyPassiveActivation 02h.
	return d.setMaxRetries(ctx, 0xFF, 0x01, 0x02)
}

// probe looks for a PN532 left at a higher speed (an earlier run that could not set it back):
// it tries the speeds above the opening one up to MaxBaud, fastest first. first is the error
// at the opening speed, returned when no speed answers.
func (d *Device) probe(ctx context.Context, h *hsu, first error) error {
	setter, ok := h.line.(baudSetter)
	if !ok {
		return first
	}
	for i := len(serialBauds) - 1; i >= 0; i-- {
		b := serialBauds[i]
		if b > d.opt.MaxBaud || b <= d.base || !serial.Supported(b) {
			continue
		}
		if setter.SetBaud(b) != nil {
			continue
		}
		d.baud = b
		if err := d.init(ctx, true); err == nil {
			return nil
		} else if !errors.Is(err, ErrNoAnswer) || ctx.Err() != nil {
			return err
		}
	}
	if setter.SetBaud(d.base) == nil {
		d.baud = d.base
	}
	return first
}

func parseVersion(r []byte) (Version, error) {
	if len(r) < 4 {
		return Version{}, fmt.Errorf("%w: GetFirmwareVersion answer of %d bytes", ErrProtocol, len(r))
	}
	return Version{IC: r[0], Ver: r[1], Rev: r[2], Support: r[3]}, nil
}

// Version returns the firmware version read when the device was opened.
func (d *Device) Version() Version { return d.version }

// FirmwareVersion asks the PN532 for its firmware version; it doubles as a link check.
func (d *Device) FirmwareVersion(ctx context.Context) (Version, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, err := d.call(ctx, "GetFirmwareVersion", []byte{CmdGetFirmwareVersion}, d.opt.CommandTimeout, nil)
	if err != nil {
		return Version{}, err
	}
	return parseVersion(r)
}

// SAMConfiguration sets the SAM mode (1 normal, 2 virtual card, 3 wired card, 4 dual card),
// the virtual card timeout in units of 50 ms and whether the PN532 drives its IRQ pin.
func (d *Device) SAMConfiguration(ctx context.Context, mode, timeout byte, irq bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	cmd := []byte{CmdSAMConfiguration, mode, timeout, 0}
	if irq {
		cmd[3] = 1
	}
	_, err := d.call(ctx, "SAMConfiguration", cmd, d.opt.CommandTimeout, nil)
	return err
}

// SetMaxRetries sets RFConfiguration item 05h: retries of ATR_REQ, of PSL_REQ and of passive
// activation (InListPassiveTarget); FFh means for ever. Open sets FFh, 01h, 02h.
func (d *Device) SetMaxRetries(ctx context.Context, atr, psl, passive byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.setMaxRetries(ctx, atr, psl, passive)
}

func (d *Device) setMaxRetries(ctx context.Context, atr, psl, passive byte) error {
	_, err := d.call(ctx, "RFConfiguration", []byte{CmdRFConfiguration, 0x05, atr, psl, passive}, d.opt.CommandTimeout, nil)
	return err
}

// SetTimeouts sets RFConfiguration item 02h: the ATR_RES timeout and the timeout of
// InCommunicateThru/InDataExchange retries, each as the UM's code (0Bh = 102.4 ms, 0Eh = 819 ms…).
func (d *Device) SetTimeouts(ctx context.Context, atrRes, retry byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, err := d.call(ctx, "RFConfiguration", []byte{CmdRFConfiguration, 0x02, 0x00, atrRes, retry}, d.opt.CommandTimeout, nil)
	return err
}

// SetField switches the RF field on or off (RFConfiguration item 01h).
func (d *Device) SetField(ctx context.Context, on bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var v byte
	if on {
		v = 0x01
	}
	_, err := d.call(ctx, "RFConfiguration", []byte{CmdRFConfiguration, 0x01, v}, d.opt.CommandTimeout, nil)
	return err
}

// Stats returns what went over the line so far.
func (d *Device) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

// Baud is the HSU line speed now (it changes with SetBaud), or 0 on I²C.
func (d *Device) Baud() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.baud
}

// Close closes the line (and the I²C bus when Open opened it). A line raised above its
// opening speed is first set back to it, so that the next opener finds the PN532 where the
// configuration says.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.gone == nil && d.base > 0 && d.baud != d.base {
		ctx, cancel := context.WithTimeout(context.Background(), 2*d.opt.ACKTimeout+d.lineTime(2*MaxWireLen))
		d.setBaud(ctx, d.base)
		cancel()
	}
	if d.gone == nil {
		d.gone = fmt.Errorf("%w: closed", ErrGone)
	}
	return d.t.close()
}

// lineTime is how long n bytes take on the line.
func (d *Device) lineTime(n int) time.Duration {
	if d.baud <= 0 {
		return 0
	}
	return time.Duration(int64(n) * 10 * int64(time.Second) / int64(d.baud))
}

// call sends one command (code and parameters) and returns the response after its code.
// prefix is written before the frame on every attempt (the HSU wake-up).
//
// The dialogue follows UM0701-02 §6.2: command → ACK → response. No ACK at all: abort with an
// ACK and send again. A broken response: NACK, and the PN532 sends it again. No response by
// the deadline: abort with an ACK and report ErrNoAnswer. d.mu must be held.
func (d *Device) call(ctx context.Context, op string, cmd []byte, timeout time.Duration, prefix []byte) ([]byte, error) {
	if d.gone != nil {
		return nil, d.gone
	}
	frame, err := AppendFrame(append([]byte(nil), prefix...), TFIHost, cmd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	deadline := time.Now().Add(timeout + d.lineTime(len(frame)+MaxWireLen))
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	want := cmd[0] + 1

	var resp *Frame
	acked, noisy := false, false
	for attempt := 0; attempt <= d.opt.Retries && !acked; attempt++ {
		d.t.flush()
		if err := d.send(frame, deadline); err != nil {
			return nil, d.fail(ctx, op, err)
		}
		ackBy := time.Now().Add(d.opt.ACKTimeout + d.lineTime(len(frame)+len(ACKFrame)))
		if deadline.Before(ackBy) {
			ackBy = deadline
		}
		f, err := d.recv(ctx, ackBy, len(ACKFrame))
		switch {
		case err == nil && f.Type == FrameACK:
			acked = true
		case err == nil && f.Type == FrameError:
			return nil, fmt.Errorf("%w: %s", ErrRejected, op)
		case err == nil && f.Type == FrameInfo && f.TFI == TFIReader && len(f.Data) > 0 && f.Data[0] == want:
			// The ACK was lost but the answer came.
			acked, resp = true, &f
		case err == nil, errors.Is(err, errNoise), errors.Is(err, ErrChecksum), errors.Is(err, ErrFrameLength):
			// Something answered: the PN532 heard the command. Sending it again could run
			// it twice, so wait for the response instead.
			acked, noisy = true, err != nil
		case errors.Is(err, errSilence):
			d.abort(deadline)
		default:
			return nil, d.fail(ctx, op, err)
		}
	}
	if !acked {
		return nil, d.fail(ctx, op, errSilence)
	}
	nacks := 0
	for resp == nil {
		f, err := d.recv(ctx, deadline, MaxWireLen)
		switch {
		case err == nil && f.Type == FrameError:
			return nil, fmt.Errorf("%w: %s", ErrRejected, op)
		case err == nil && f.Type == FrameInfo && f.TFI == TFIReader && len(f.Data) > 0 && f.Data[0] == want:
			resp = &f
		case err == nil:
			// A repeated ACK or a stale answer: keep waiting.
		case errors.Is(err, errNoise), errors.Is(err, ErrChecksum), errors.Is(err, ErrFrameLength):
			noisy = true
			if nacks >= d.opt.Retries {
				d.abort(deadline)
				return nil, errtext.Wrap(ErrGarbled, fmt.Errorf("%s: %w", op, err))
			}
			nacks++
			if err := d.send([]byte(NACKFrame), deadline); err != nil {
				return nil, d.fail(ctx, op, err)
			}
		default:
			if !errors.Is(err, ErrGone) {
				d.abort(deadline)
			}
			if noisy && errors.Is(err, errSilence) {
				// Only noise came back: say so, and that no answer came in time.
				return nil, errtext.Wrap(ErrGarbled, d.fail(ctx, op, err))
			}
			return nil, d.fail(ctx, op, err)
		}
	}
	d.stats.Commands++
	return resp.Data[1:], nil
}

func (d *Device) send(b []byte, deadline time.Time) error {
	d.stats.FramesSent++
	return d.t.send(b, deadline)
}

func (d *Device) recv(ctx context.Context, deadline time.Time, size int) (Frame, error) {
	f, err := d.t.recv(ctx, deadline, size)
	if err == nil {
		d.stats.FramesReceived++
	}
	return f, err
}

// abort sends an ACK, which stops a command the PN532 may still be running.
func (d *Device) abort(deadline time.Time) {
	if d.gone != nil {
		return
	}
	if until := time.Now().Add(pollStep); until.After(deadline) {
		deadline = until
	}
	d.send([]byte(ACKFrame), deadline)
}

// fail turns a transport error into the error callers see.
func (d *Device) fail(ctx context.Context, op string, err error) error {
	switch {
	case errors.Is(err, ErrGone):
		d.gone = err
		return fmt.Errorf("%s: %w", op, err)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || pastDeadline(ctx):
		return fmt.Errorf("%w: %s: %w", ErrNoAnswer, op, context.DeadlineExceeded)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", op, ctx.Err())
	case errors.Is(err, errSilence):
		return fmt.Errorf("%w: %s", ErrNoAnswer, op)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// pastDeadline reports whether ctx's deadline has passed, even if its timer has not fired yet.
func pastDeadline(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// ctxErr is ctx.Err(), or context.DeadlineExceeded as soon as the deadline has passed.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if pastDeadline(ctx) {
		return context.DeadlineExceeded
	}
	return nil
}

// errNoCard reports that polling found no card.
var errNoCard = fmt.Errorf("PN532 found no card in the field: %w", apdu.ErrNoCard)
