package pn532

import (
	"context"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
)

// Modulation is the BrTy of InListPassiveTarget: baud rate and modulation of the target.
type Modulation byte

// Modulations used for ID cards.
const (
	TypeA Modulation = 0x00 // 106 kbps ISO/IEC 14443 type A
	TypeB Modulation = 0x03 // 106 kbps ISO/IEC 14443-3B
)

func (m Modulation) String() string {
	switch m {
	case TypeA:
		return "ISO14443A"
	case TypeB:
		return "ISO14443B"
	}
	return fmt.Sprintf("Modulation(%02Xh)", byte(m))
}

// Bit rate codes for SetBitRate (InPSL BRit and BRti).
const (
	Rate106 = 0x00 // 106 kbps
	Rate212 = 0x01 // 212 kbps
	Rate424 = 0x02 // 424 kbps
	Rate848 = 0x03 // 848 kbps (ISO/IEC 14443-4 type A)
)

// MaxResponse is the largest response APDU (data and SW) that comes back from a card in one
// normal PN532 frame: 255 minus TFI, response code and status byte. It is the size PN532
// readers are known to handle well (idcard.md §6.5–6.6); Transmit also accepts longer
// responses, which arrive in extended frames or with the MI bit over several exchanges.
const MaxResponse = MaxNormalLen - 3

// maxAPDU bounds a reassembled response: an extended-length R-APDU and its SW.
const maxAPDU = 65536 + 2

// Card is a target the PN532 has activated. It implements apdu.Transceiver. A Card is only
// valid until the next WaitForCard or ListPassiveTarget on its Device.
type Card struct {
	Type   Modulation
	UID    []byte  // NFCID1 (type A) or PUPI (type B)
	ATQA   [2]byte // SENS_RES, type A
	SAK    byte    // SEL_RES, type A; bit 5 (20h) = ISO/IEC 14443-4
	ATS    []byte  // answer to select from TL on, type A ISO/IEC 14443-4 cards
	ATQB   []byte  // the 12-byte ATQB, type B
	ATTRIB []byte  // ATTRIB_RES, type B

	dev  *Device
	tg   byte
	dr   byte // InPSL code, reader to card
	ds   byte // InPSL code, card to reader
	gone bool
}

// BitRate is the current RF bit rate from the card to the reader in kbps (106, 212, 424 or
// 848), the direction that carries the files.
func (c *Card) BitRate() int { return rateKbps(c.ds) }

// BitRates are the current RF bit rates in kbps, reader to card and card to reader.
func (c *Card) BitRates() (toCard, fromCard int) { return rateKbps(c.dr), rateKbps(c.ds) }

// MaxResponse is the largest response APDU one exchange returns in a normal frame; choose Le
// (and the secure messaging overhead on top of it) so that responses fit.
func (c *Card) MaxResponse() int { return MaxResponse }

// WaitForCard polls for a card until one is present or ctx ends, then raises the RF bit rates
// with InPSL to the fastest the card announces (TA(1) of the ATS, or the ATQB), up to
// Options.MaxBitRate: 848 kbps where both directions allow it. When the card refuses, it tries
// 424 kbps, and otherwise stays at 106 kbps.
// When ctx ends first the error wraps apdu.ErrNoCard and ctx.Err().
func (d *Device) WaitForCard(ctx context.Context) (*Card, error) {
	for {
		for _, m := range d.opt.Modulations {
			c, err := d.ListPassiveTarget(ctx, m)
			if err == nil {
				if !d.opt.NoHighSpeed {
					c.raiseBitRate(ctx, rateCode(d.opt.MaxBitRate))
				}
				return c, nil
			}
			if err := ctxErr(ctx); err != nil {
				return nil, errtext.Wrap(errNoCard, err)
			}
			if !errors.Is(err, errNoCard) {
				return nil, err
			}
		}
		if err := sleep(ctx, d.opt.PollInterval); err != nil {
			return nil, errtext.Wrap(errNoCard, err)
		}
	}
}

// ListPassiveTarget activates at most one target of modulation m (InListPassiveTarget).
// With no card in the field it returns an error wrapping apdu.ErrNoCard.
func (d *Device) ListPassiveTarget(ctx context.Context, m Modulation) (*Card, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	cmd := []byte{CmdInListPassiveTarget, 0x01, byte(m)}
	if m == TypeB {
		cmd = append(cmd, 0x00) // AFI: all application families
	}
	r, err := d.call(ctx, "InListPassiveTarget", cmd, d.opt.CommandTimeout, nil)
	if err != nil {
		return nil, err
	}
	if len(r) < 1 {
		return nil, fmt.Errorf("%w: InListPassiveTarget answer is empty", ErrProtocol)
	}
	if r[0] == 0 {
		return nil, errNoCard
	}
	c, err := parseTarget(m, r[1:])
	if err != nil {
		return nil, err
	}
	c.dev = d
	return c, nil
}

// parseTarget reads the first TargetData of an InListPassiveTarget answer.
func parseTarget(m Modulation, r []byte) (*Card, error) {
	bad := func(what string) error {
		return fmt.Errorf("%w: InListPassiveTarget %s target data: %s", ErrProtocol, m, what)
	}
	if len(r) < 1 {
		return nil, bad("missing")
	}
	c := &Card{Type: m, tg: r[0]}
	r = r[1:]
	switch m {
	case TypeA:
		// SENS_RES(2) SEL_RES NFCIDLength NFCID1 [ATS]
		if len(r) < 4 {
			return nil, bad("too short")
		}
		c.ATQA = [2]byte{r[0], r[1]}
		c.SAK = r[2]
		n := int(r[3])
		r = r[4:]
		if n == 0 || n > len(r) {
			return nil, bad("bad UID length")
		}
		c.UID = append([]byte(nil), r[:n]...)
		r = r[n:]
		if len(r) > 0 {
			tl := int(r[0])
			if tl == 0 || tl > len(r) {
				return nil, bad("bad ATS length")
			}
			c.ATS = append([]byte(nil), r[:tl]...)
		}
	case TypeB:
		// ATQB(12) ATTRIB_RESLength ATTRIB_RES
		if len(r) < 13 || r[0] != 0x50 {
			return nil, bad("bad ATQB")
		}
		c.ATQB = append([]byte(nil), r[:12]...)
		c.UID = append([]byte(nil), r[1:5]...)
		n := int(r[12])
		if n > len(r)-13 {
			return nil, bad("bad ATTRIB_RES length")
		}
		c.ATTRIB = append([]byte(nil), r[13:13+n]...)
	default:
		return nil, bad("unsupported modulation")
	}
	return c, nil
}

// SetBitRate changes the RF bit rate both ways with InPSL (Rate106 … Rate848).
// When the card refuses, it stays at the rate it had and the error says why.
func (c *Card) SetBitRate(ctx context.Context, rate byte) error {
	return c.setBitRates(ctx, rate, rate)
}

// setBitRates runs InPSL with BRit dr (reader to card) and BRti ds (card to reader).
func (c *Card) setBitRates(ctx context.Context, dr, ds byte) error {
	d := c.dev
	d.mu.Lock()
	defer d.mu.Unlock()
	if dr > Rate848 || ds > Rate848 {
		return fmt.Errorf("%w: bit rate code %d/%d", ErrProtocol, dr, ds)
	}
	r, err := d.call(ctx, "InPSL", []byte{CmdInPSL, c.tg, dr, ds}, d.opt.CommandTimeout, nil)
	if err != nil {
		return err
	}
	if len(r) < 1 {
		return fmt.Errorf("%w: InPSL answer is empty", ErrProtocol)
	}
	if r[0]&0x3F != 0 {
		return &StatusError{Op: "InPSL", Status: r[0]}
	}
	c.dr, c.ds = dr, ds
	return nil
}

// Transmit sends one command APDU and returns the whole response APDU (data and SW1 SW2).
// Commands longer than MaxDataOut go out in several InDataExchange with the MI bit set;
// responses the PN532 marks with MI are collected from further InDataExchange.
//
// If the card leaves the field the error wraps ErrCardRemoved (and apdu.ErrCardRemoved);
// every later Transmit fails the same way until a new card is found.
func (c *Card) Transmit(ctx context.Context, command []byte) ([]byte, error) {
	d := c.dev
	d.mu.Lock()
	defer d.mu.Unlock()
	if c.gone {
		return nil, ErrCardRemoved
	}
	if len(command) == 0 {
		return nil, fmt.Errorf("%w: empty command APDU", ErrProtocol)
	}
	var resp []byte
	for off := 0; off < len(command); {
		chunk := command[off:min(off+MaxDataOut, len(command))]
		off += len(chunk)
		tg := c.tg
		if off < len(command) {
			tg |= 0x40 // MI: more data follows
		}
		st, data, err := c.exchange(ctx, tg, chunk)
		if err != nil {
			return nil, err
		}
		if off < len(command) {
			continue
		}
		resp = append(resp, data...)
		for st&0x40 != 0 {
			if len(resp) > maxAPDU {
				return nil, fmt.Errorf("%w: response longer than %d bytes", ErrProtocol, maxAPDU)
			}
			st, data, err = c.exchange(ctx, c.tg, nil)
			if err != nil {
				return nil, err
			}
			resp = append(resp, data...)
		}
	}
	if len(resp) < 2 {
		return nil, fmt.Errorf("%w: response APDU of %d bytes has no status word", ErrProtocol, len(resp))
	}
	d.stats.APDUs++
	return resp, nil
}

// exchange runs one InDataExchange and returns its status byte and DataIn. d.mu must be held.
func (c *Card) exchange(ctx context.Context, tg byte, out []byte) (byte, []byte, error) {
	d := c.dev
	cmd := make([]byte, 0, 2+len(out))
	cmd = append(cmd, CmdInDataExchange, tg)
	cmd = append(cmd, out...)
	r, err := d.call(ctx, "InDataExchange", cmd, d.opt.ExchangeTimeout, nil)
	if err != nil {
		return 0, nil, err
	}
	if len(r) < 1 {
		return 0, nil, fmt.Errorf("%w: InDataExchange answer is empty", ErrProtocol)
	}
	st := r[0]
	if st&0x3F == 0 {
		return st, r[1:], nil
	}
	se := &StatusError{Op: "InDataExchange", Status: st}
	if se.CardGone() {
		c.gone = true
		return 0, nil, errtext.Wrap(ErrCardRemoved, se)
	}
	if se.Code() == 0x01 {
		// The card did not answer: tell a card that left from a slow one.
		if present, err := c.present(ctx); err == nil && !present {
			c.gone = true
			return 0, nil, errtext.Wrap(ErrCardRemoved, se)
		}
	}
	return 0, nil, se
}

// Present reports whether the card is still in the field (Diagnose, ISO/IEC 14443-4 card
// presence detection, NumTst 06h).
func (c *Card) Present(ctx context.Context) (bool, error) {
	c.dev.mu.Lock()
	defer c.dev.mu.Unlock()
	if c.gone {
		return false, nil
	}
	p, err := c.present(ctx)
	if err == nil && !p {
		c.gone = true
	}
	return p, err
}

func (c *Card) present(ctx context.Context) (bool, error) {
	d := c.dev
	r, err := d.call(ctx, "Diagnose", []byte{CmdDiagnose, 0x06}, d.opt.CommandTimeout, nil)
	if err != nil {
		return false, err
	}
	if len(r) < 1 {
		return false, fmt.Errorf("%w: Diagnose answer is empty", ErrProtocol)
	}
	return r[0]&0x3F == 0, nil
}

// Release ends the card session and frees the target (InRelease); the card must be found
// again with WaitForCard.
func (c *Card) Release(ctx context.Context) error {
	return c.targetCommand(ctx, "InRelease", CmdInRelease)
}

// Deselect puts the card to sleep but keeps it known to the PN532 (InDeselect); the next
// Transmit wakes it again.
func (c *Card) Deselect(ctx context.Context) error {
	return c.targetCommand(ctx, "InDeselect", CmdInDeselect)
}

func (c *Card) targetCommand(ctx context.Context, op string, code byte) error {
	d := c.dev
	d.mu.Lock()
	defer d.mu.Unlock()
	r, err := d.call(ctx, op, []byte{code, c.tg}, d.opt.CommandTimeout, nil)
	if err != nil {
		return err
	}
	if len(r) < 1 {
		return fmt.Errorf("%w: %s answer is empty", ErrProtocol, op)
	}
	if r[0]&0x3F != 0 {
		se := &StatusError{Op: op, Status: r[0]}
		if se.CardGone() {
			c.gone = true
		}
		return se
	}
	if code == CmdInRelease {
		c.gone = true
	}
	return nil
}
