package pn532

import (
	"context"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"time"

	"github.com/tramso/tramso/drivers/serial"
)

// ErrSpeed is a speed change (serial line or RF bit rate) that did not happen: the device or
// the card stays at the speed it had, and keeps working at it.
var ErrSpeed = errors.New("không đổi được tốc độ, giữ tốc độ cũ (speed change refused, the old speed is kept)")

// serialBauds are the line speeds of SetSerialBaudRate's BR codes 00h–08h (UM0701-02
// SetSerialBaudRate). 1 288 000 baud has no termios speed and is not used by the host.
var serialBauds = [...]int{9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1288000}

// baudCode returns the BR code of a line speed.
func baudCode(baud int) (byte, bool) {
	for i, b := range serialBauds {
		if b == baud {
			return byte(i), true
		}
	}
	return 0, false
}

// baudSetter is a line whose speed can change while open (*serial.Port).
type baudSetter interface{ SetBaud(baud int) error }

// lineCheck is the payload of the Diagnose line test used to prove a new speed.
const lineCheck = "\x00TRAMSO"

// SetBaud changes the HSU line speed with SetSerialBaudRate (10h). The PN532 acknowledges and
// answers at the old speed; the host acknowledges the answer, after which both sides use the
// new speed (the driver sets it on its line with tcsetattr). The new speed is then proven
// with Diagnose's line test. When the PN532 refuses (error frame, no answer) or the test fails
// at the new speed, the host goes back to the old speed, checks the line there, and returns an
// error wrapping ErrSpeed: the device and a selected card keep working at the old speed.
func (d *Device) SetBaud(ctx context.Context, baud int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.setBaud(ctx, baud)
}

func (d *Device) setBaud(ctx context.Context, baud int) error {
	h, ok := d.t.(*hsu)
	if !ok || d.baud == 0 {
		return fmt.Errorf("%w: not a serial line", ErrSpeed)
	}
	setter, ok := h.line.(baudSetter)
	if !ok {
		return fmt.Errorf("%w: the line cannot change speed", ErrSpeed)
	}
	code, ok := baudCode(baud)
	if !ok || !serial.Supported(baud) {
		return fmt.Errorf("%w: %d baud", ErrSpeed, baud)
	}
	old := d.baud
	if baud == old {
		return nil
	}
	if _, err := d.call(ctx, "SetSerialBaudRate", []byte{CmdSetSerialBaudRate, code}, d.opt.CommandTimeout, nil); err != nil {
		if errors.Is(err, ErrGone) {
			return err
		}
		return errtext.Wrap(ErrSpeed, fmt.Errorf("%d baud: %w", baud, err))
	}
	// The host's ACK to the answer is the PN532's go-ahead; it goes out at the old speed.
	deadline := time.Now().Add(d.opt.CommandTimeout)
	if err := d.send([]byte(ACKFrame), deadline); err != nil {
		return d.fail(ctx, "SetSerialBaudRate", err)
	}
	if err := setter.SetBaud(baud); err != nil {
		return errtext.Wrap(ErrSpeed, fmt.Errorf("%d baud: %w", baud, d.backTo(ctx, setter, old, err)))
	}
	d.baud = baud
	if err := d.lineTest(ctx); err == nil {
		return nil
	} else if errors.Is(err, ErrGone) || ctx.Err() != nil {
		return err
	} else {
		return errtext.Wrap(ErrSpeed, fmt.Errorf("%d baud: %w", baud, d.backTo(ctx, setter, old, err)))
	}
}

// backTo returns the line to the old speed after a failed change and checks that the PN532
// answers there. cause is why the change failed.
func (d *Device) backTo(ctx context.Context, setter baudSetter, old int, cause error) error {
	if err := setter.SetBaud(old); err != nil {
		d.gone = errtext.Wrap(ErrGone, err)
		return fmt.Errorf("%w (%w)", cause, d.gone)
	}
	d.baud = old
	if err := d.lineTest(ctx); err != nil {
		return fmt.Errorf("%w; no answer at the old speed either: %w", cause, err)
	}
	return cause
}

// lineTest runs Diagnose's communication line test: the PN532 echoes the bytes.
func (d *Device) lineTest(ctx context.Context) error {
	cmd := append([]byte{CmdDiagnose}, lineCheck...)
	r, err := d.call(ctx, "Diagnose", cmd, d.opt.CommandTimeout, nil)
	if err != nil {
		return err
	}
	if string(r) != lineCheck {
		return fmt.Errorf("%w: Diagnose line test answered % X", ErrProtocol, r)
	}
	return nil
}

// raise moves the line to the fastest speed not above max that the PN532 and the line take,
// trying each speed down from max and keeping the first that works. It reports the speed
// reached; failures only leave the line where it was.
func (d *Device) raise(ctx context.Context, max int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := len(serialBauds) - 1; i >= 0; i-- {
		b := serialBauds[i]
		if b > max || b <= d.baud || !serial.Supported(b) {
			continue
		}
		if err := d.setBaud(ctx, b); err == nil || errors.Is(err, ErrGone) || ctx.Err() != nil {
			break
		}
	}
	return d.baud
}

// Bit rates in kbps of the InPSL codes.
func rateKbps(r byte) int { return 106 << r }

// rateCode is the InPSL code of a bit rate in kbps (0 for anything not listed).
func rateCode(kbps int) byte {
	switch kbps {
	case 212:
		return Rate212
	case 424:
		return Rate424
	case 848:
		return Rate848
	}
	return Rate106
}

// Rates returns the highest InPSL bit rates the card announces, reader to card (DR) and card
// to reader (DS), not above limit: from TA(1) of the ATS (type A) or the bit rate capability
// byte of the ATQB (type B), which share one layout (ISO/IEC 14443-4 §5.2.4, -3 §7.9.4):
// b7–b5 card to reader 848/424/212, b3–b1 reader to card 848/424/212, b8 the same rate both
// ways. A card that announces nothing gets 106 kbps both ways.
func (c *Card) Rates(limit byte) (dr, ds byte) {
	var ta byte
	switch {
	case c.Type == TypeA && len(c.ATS) >= 3 && c.ATS[1]&0x10 != 0:
		ta = c.ATS[2]
	case c.Type == TypeB && len(c.ATQB) >= 11:
		ta = c.ATQB[9]
	default:
		return Rate106, Rate106
	}
	best := func(bits byte) byte {
		for r := min(limit, Rate848); r > Rate106; r-- {
			if bits&(1<<(r-1)) != 0 {
				return r
			}
		}
		return Rate106
	}
	if ta&0x80 != 0 {
		// One rate both ways: the fastest announced in both directions.
		r := best(ta & (ta >> 4) & 0x07)
		return r, r
	}
	return best(ta & 0x07), best((ta >> 4) & 0x07)
}

// raiseBitRate moves the card to the fastest bit rates it announces, not above the device's
// limit; when the card refuses, it tries 424 kbps (if lower and allowed), else stays at 106.
func (c *Card) raiseBitRate(ctx context.Context, limit byte) {
	dr, ds := c.Rates(limit)
	if dr == Rate106 && ds == Rate106 {
		return
	}
	if c.setBitRates(ctx, dr, ds) == nil {
		return
	}
	dr2, ds2 := min(dr, Rate424), min(ds, Rate424)
	if (dr2 != dr || ds2 != ds) && ctx.Err() == nil {
		c.setBitRates(ctx, dr2, ds2)
	}
}
