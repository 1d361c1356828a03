// Package apdu holds the ISO/IEC 7816-4 application protocol data units that card readers (PN532,
// PC/SC) carry and that the eMRTD code speaks, and the errors every reader reports in the same way,
// so the code above a reader can tell "the citizen pulled the card out" from "the reader is gone"
// whatever the reader is.
package apdu

import (
	"context"
	"errors"
	"fmt"
)

// Transceiver sends one command APDU and returns the card's whole response APDU (data || SW1 SW2).
type Transceiver interface {
	Transmit(ctx context.Context, command []byte) ([]byte, error)
}

// Errors every reader wraps, so callers can use errors.Is whatever the reader.
var (
	// ErrCardRemoved: the card left the field or was pulled out mid-exchange. The citizen can retry.
	ErrCardRemoved = errors.New("thẻ đã bị rút ra (card removed)")
	// ErrNoCard: no card is present on the reader.
	ErrNoCard = errors.New("chưa có thẻ trên đầu đọc (no card on the reader)")
	// ErrReaderGone: the reader itself is unplugged or its line closed.
	ErrReaderGone = errors.New("mất kết nối đầu đọc thẻ (card reader disconnected)")
	// ErrTimeout: the reader or the card did not answer in time.
	ErrTimeout = errors.New("đầu đọc thẻ không phản hồi (card reader timed out)")
	// ErrMalformed: bytes that do not form an APDU.
	ErrMalformed = errors.New("APDU không hợp lệ (malformed APDU)")
)

// Command is a command APDU. Ne is the expected response length: 0 means no Le field; 1…256 use the
// short form (256 encodes as 00); 257…65536 the extended form. The extended form is used for the
// whole command when Ne > 256 or len(Data) > 255.
type Command struct {
	CLA, INS, P1, P2 byte
	Data             []byte
	Ne               int
}

// Extended reports whether the command needs the extended length form.
func (c Command) Extended() bool { return c.Ne > 256 || len(c.Data) > 255 }

// Bytes encodes the command (ISO 7816-4 §5.1, cases 1 to 4, short or extended).
func (c Command) Bytes() ([]byte, error) {
	if len(c.Data) > 65535 {
		return nil, fmt.Errorf("%w: data of %d bytes", ErrMalformed, len(c.Data))
	}
	if c.Ne < 0 || c.Ne > 65536 {
		return nil, fmt.Errorf("%w: Ne %d", ErrMalformed, c.Ne)
	}
	b := []byte{c.CLA, c.INS, c.P1, c.P2}
	ext := c.Extended()
	if len(c.Data) > 0 {
		if ext {
			b = append(b, 0, byte(len(c.Data)>>8), byte(len(c.Data)))
		} else {
			b = append(b, byte(len(c.Data)))
		}
		b = append(b, c.Data...)
	}
	if c.Ne > 0 {
		switch {
		case !ext:
			b = append(b, byte(c.Ne)) // 256 → 00
		case len(c.Data) > 0:
			b = append(b, byte(c.Ne>>8), byte(c.Ne)) // 65536 → 00 00
		default:
			b = append(b, 0, byte(c.Ne>>8), byte(c.Ne))
		}
	}
	return b, nil
}

// ParseCommand decodes a command APDU, for card simulators.
func ParseCommand(b []byte) (Command, error) {
	if len(b) < 4 {
		return Command{}, fmt.Errorf("%w: %d bytes", ErrMalformed, len(b))
	}
	c := Command{CLA: b[0], INS: b[1], P1: b[2], P2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0: // case 1
		return c, nil
	case len(body) == 1: // case 2 short
		c.Ne = shortNe(body[0])
		return c, nil
	case body[0] != 0: // case 3 or 4 short
		lc := int(body[0])
		switch len(body) {
		case 1 + lc:
		case 2 + lc:
			c.Ne = shortNe(body[1+lc])
		default:
			return Command{}, fmt.Errorf("%w: Lc %d does not match %d body bytes", ErrMalformed, lc, len(body))
		}
		c.Data = append([]byte(nil), body[1:1+lc]...)
		return c, nil
	case len(body) == 3: // case 2 extended
		c.Ne = extNe(body[1], body[2])
		return c, nil
	case len(body) > 3: // case 3 or 4 extended
		lc := int(body[1])<<8 | int(body[2])
		if lc == 0 {
			return Command{}, fmt.Errorf("%w: extended Lc of zero", ErrMalformed)
		}
		switch len(body) {
		case 3 + lc:
		case 5 + lc:
			c.Ne = extNe(body[3+lc], body[4+lc])
		default:
			return Command{}, fmt.Errorf("%w: extended Lc %d does not match %d body bytes", ErrMalformed, lc, len(body))
		}
		c.Data = append([]byte(nil), body[3:3+lc]...)
		return c, nil
	}
	return Command{}, fmt.Errorf("%w: body of %d bytes", ErrMalformed, len(body))
}

func shortNe(b byte) int {
	if b == 0 {
		return 256
	}
	return int(b)
}

func extNe(hi, lo byte) int {
	n := int(hi)<<8 | int(lo)
	if n == 0 {
		return 65536
	}
	return n
}

// Response is a response APDU.
type Response struct {
	Data []byte
	SW   uint16
}

// ParseResponse splits a response APDU into its data and status word.
func ParseResponse(b []byte) (Response, error) {
	if len(b) < 2 {
		return Response{}, fmt.Errorf("%w: response of %d bytes has no status word", ErrMalformed, len(b))
	}
	n := len(b) - 2
	return Response{Data: b[:n:n], SW: uint16(b[n])<<8 | uint16(b[n+1])}, nil
}

// Bytes encodes the response.
func (r Response) Bytes() []byte {
	b := make([]byte, 0, len(r.Data)+2)
	b = append(b, r.Data...)
	return append(b, byte(r.SW>>8), byte(r.SW))
}

// OK reports whether the status word is 9000 (normal processing).
func (r Response) OK() bool { return r.SW == 0x9000 }

// StatusError is a status word the caller did not expect. Op names the operation, e.g. "READ BINARY DG13".
type StatusError struct {
	SW uint16
	Op string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("thẻ trả lời %04X cho %s (card answered %04X: %s)", e.SW, e.Op, e.SW, Meaning(e.SW))
}

// Meaning returns the ISO 7816-4 meaning of common status words, in English, for messages and logs.
func Meaning(sw uint16) string {
	switch {
	case sw == 0x9000:
		return "success"
	case sw == 0x6282:
		return "end of file reached before Ne bytes"
	case sw&0xFFF0 == 0x63C0:
		return fmt.Sprintf("verification failed, %d tries left", sw&0xF)
	case sw == 0x6300:
		return "authentication failed"
	case sw == 0x6700:
		return "wrong length"
	case sw&0xFF00 == 0x6C00:
		return fmt.Sprintf("wrong Le, %d bytes available", sw&0xFF)
	case sw == 0x6982:
		return "security status not satisfied"
	case sw == 0x6983:
		return "authentication method blocked"
	case sw == 0x6985:
		return "conditions of use not satisfied"
	case sw == 0x6987:
		return "expected secure messaging data objects missing"
	case sw == 0x6988:
		return "secure messaging data objects incorrect"
	case sw == 0x6A80:
		return "incorrect data"
	case sw == 0x6A82:
		return "file or application not found"
	case sw == 0x6A86:
		return "incorrect P1-P2"
	case sw == 0x6B00:
		return "wrong parameters (offset outside the file)"
	case sw == 0x6D00:
		return "instruction not supported"
	case sw == 0x6E00:
		return "class not supported"
	}
	return "unexpected status"
}
