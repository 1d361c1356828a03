package pn532

import (
	"errors"
	"fmt"

	"github.com/tramso/tramso/drivers/apdu"
)

// Errors of the driver. Each one that callers act on wraps the matching apdu sentinel, so
// code written against apdu.Transceiver can test errors.Is(err, apdu.ErrCardRemoved) etc.
var (
	// ErrCardRemoved is the card leaving the field: the PN532 reported the target released or
	// gone (status 29h, 2Ah, 2Bh), or the card stopped answering and no longer shows up.
	// The citizen can put the card back and the read starts again.
	// Its sentence is apdu.ErrCardRemoved's: the driver adds English detail only.
	ErrCardRemoved = fmt.Errorf("PN532 lost the card: %w", apdu.ErrCardRemoved)
	// ErrNoAnswer is the PN532 not acknowledging or not answering a command in time.
	ErrNoAnswer = fmt.Errorf("PN532 not answering: %w", apdu.ErrTimeout)
	// ErrGone is the line to the PN532 closed or failing (unplugged USB adapter, closed pty).
	ErrGone = fmt.Errorf("PN532 line closed: %w", apdu.ErrReaderGone)
	// ErrGarbled is the PN532 answering with frames that stay broken after the retries.
	ErrGarbled = errors.New("đầu đọc thẻ NFC trả lời sai khung (PN532 sent garbled frames)")
	// ErrProtocol is a well-formed answer that does not fit the command (wrong code, too short).
	ErrProtocol = errors.New("đầu đọc thẻ NFC trả lời không đúng giao thức (PN532 protocol error)")
	// ErrRejected is the PN532's application error frame: it refused the command's syntax.
	ErrRejected = errors.New("đầu đọc thẻ NFC từ chối lệnh (PN532 rejected the command)")
)

// StatusError is a non-zero status byte returned by a PN532 command (InDataExchange, InPSL,
// InRelease, …). errors.Is matches it against ErrCardRemoved / apdu.ErrCardRemoved for the
// codes meaning the card left, and against apdu.ErrTimeout for code 01h.
type StatusError struct {
	Op     string // the command, e.g. "InDataExchange"
	Status byte   // the status byte as received (bits 5–0 are the error code)
}

// Code returns the error code (bits 5–0 of the status byte).
func (e *StatusError) Code() byte { return e.Status & 0x3F }

func (e *StatusError) Error() string {
	if e.Unwrap() != nil { // the sentinel it unwraps to carries the sentence
		return fmt.Sprintf("PN532 %s status %02Xh: %s", e.Op, e.Code(), statusEN(e.Code()))
	}
	return fmt.Sprintf("đầu đọc thẻ NFC báo lỗi %02Xh: %s (PN532 %s status %02Xh: %s)",
		e.Code(), statusVI(e.Code()), e.Op, e.Code(), statusEN(e.Code()))
}

// Unwrap gives the sentinel that describes the status for callers.
func (e *StatusError) Unwrap() error {
	switch e.Code() {
	case 0x29, 0x2A, 0x2B:
		return ErrCardRemoved
	case 0x01:
		return apdu.ErrTimeout
	}
	return nil
}

// CardGone reports whether the status code means the target left or was released.
func (e *StatusError) CardGone() bool {
	c := e.Code()
	return c == 0x29 || c == 0x2A || c == 0x2B
}

func statusEN(c byte) string {
	switch c {
	case 0x01:
		return "timeout, the card did not answer"
	case 0x02:
		return "CRC error"
	case 0x03:
		return "parity error"
	case 0x04:
		return "wrong bit count during anticollision"
	case 0x05:
		return "framing error"
	case 0x06:
		return "abnormal bit collision"
	case 0x07:
		return "communication buffer too small"
	case 0x09:
		return "RF buffer overflow"
	case 0x0A:
		return "RF field not switched on in time"
	case 0x0B:
		return "RF protocol error"
	case 0x0D:
		return "overheating"
	case 0x0E:
		return "internal buffer overflow"
	case 0x10:
		return "invalid parameter"
	case 0x12:
		return "DEP: unsupported command"
	case 0x13:
		return "data format mismatch"
	case 0x14:
		return "MIFARE authentication error"
	case 0x23:
		return "UID check byte wrong"
	case 0x25:
		return "invalid device state"
	case 0x26:
		return "operation not allowed"
	case 0x27:
		return "command not acceptable in context"
	case 0x29:
		return "target released by initiator"
	case 0x2A:
		return "card ID mismatch, card exchanged"
	case 0x2B:
		return "card disappeared"
	case 0x2C:
		return "NFCID3 mismatch"
	case 0x2D:
		return "over-current"
	case 0x2E:
		return "NAD missing"
	}
	return "unknown error"
}

func statusVI(c byte) string {
	switch c {
	case 0x01:
		return "thẻ không trả lời"
	case 0x02, 0x03, 0x04, 0x05, 0x06, 0x0B:
		return "lỗi truyền sóng với thẻ"
	case 0x07, 0x09, 0x0E:
		return "tràn bộ đệm"
	case 0x0A, 0x0D, 0x2D:
		return "lỗi phần cứng đầu đọc"
	case 0x29, 0x2A, 0x2B:
		return "thẻ đã rời khỏi đầu đọc"
	}
	return "lỗi lệnh"
}
