package pcsc

import (
	"context"
	"errors"
	"fmt"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/internal/errtext"
)

// Errors of the package. ErrNoService and ErrNoReader wrap the apdu sentinel callers act on
// (apdu.ErrReaderGone), whose text they reduce to English (errtext.Wrap): one sentence per chain.
var (
	// ErrNoService is pcscd not running or not reachable on its socket.
	ErrNoService = errtext.Wrap(errors.New("dịch vụ thẻ thông minh pcscd không chạy, hãy khởi động pcscd bằng lệnh "+
		"systemctl start pcscd (PC/SC daemon pcscd is not running; start it)"), apdu.ErrReaderGone)
	// ErrNoReader is no PC/SC reader plugged in, or none whose name matches the one asked for.
	ErrNoReader = errtext.Wrap(errors.New("không thấy đầu đọc thẻ, hãy cắm đầu đọc NFC vào máy "+
		"(no card reader found; plug the NFC reader in)"), apdu.ErrReaderGone)
	// ErrClosed is a call on a context that was released or a card that was disconnected.
	ErrClosed = errors.New("kết nối PC/SC đã đóng (PC/SC handle already closed)")
)

// Return codes of pcscd that the package tells apart.
const (
	rvSuccess            = 0x00000000
	rvCancelled          = 0x80100002
	rvInvalidHandle      = 0x80100003
	rvInsufficientBuffer = 0x80100008
	rvUnknownReader      = 0x80100009
	rvTimeout            = 0x8010000A
	rvSharingViolation   = 0x8010000B
	rvNoSmartcard        = 0x8010000C
	rvProtoMismatch      = 0x8010000F
	rvNotReady           = 0x80100010
	rvCommError          = 0x80100013
	rvNotTransacted      = 0x80100016
	rvReaderUnavailable  = 0x80100017
	rvNoService          = 0x8010001D
	rvServiceStopped     = 0x8010001E
	rvNoReaders          = 0x8010002E
	rvUnresponsiveCard   = 0x80100066
	rvUnpoweredCard      = 0x80100067
	rvResetCard          = 0x80100068
	rvRemovedCard        = 0x80100069
)

var rvNames = map[uint32]string{
	rvCancelled:          "SCARD_E_CANCELLED",
	rvInvalidHandle:      "SCARD_E_INVALID_HANDLE",
	rvInsufficientBuffer: "SCARD_E_INSUFFICIENT_BUFFER",
	rvUnknownReader:      "SCARD_E_UNKNOWN_READER",
	rvTimeout:            "SCARD_E_TIMEOUT",
	rvSharingViolation:   "SCARD_E_SHARING_VIOLATION",
	rvNoSmartcard:        "SCARD_E_NO_SMARTCARD",
	rvProtoMismatch:      "SCARD_E_PROTO_MISMATCH",
	rvNotReady:           "SCARD_E_NOT_READY",
	rvCommError:          "SCARD_F_COMM_ERROR",
	rvNotTransacted:      "SCARD_E_NOT_TRANSACTED",
	rvReaderUnavailable:  "SCARD_E_READER_UNAVAILABLE",
	rvNoService:          "SCARD_E_NO_SERVICE",
	rvServiceStopped:     "SCARD_E_SERVICE_STOPPED",
	rvNoReaders:          "SCARD_E_NO_READERS_AVAILABLE",
	rvUnresponsiveCard:   "SCARD_W_UNRESPONSIVE_CARD",
	rvUnpoweredCard:      "SCARD_W_UNPOWERED_CARD",
	rvResetCard:          "SCARD_W_RESET_CARD",
	rvRemovedCard:        "SCARD_W_REMOVED_CARD",
}

// Error is a failure code returned by pcscd. errors.Is matches it against the apdu sentinel that
// says what the caller can do: apdu.ErrCardRemoved, apdu.ErrNoCard, apdu.ErrReaderGone or
// apdu.ErrTimeout.
type Error struct {
	Op   string // the call, e.g. "Transmit"
	Code uint32 // the SCARD_E_*/SCARD_W_* value
}

func (e *Error) Error() string {
	name := rvNames[e.Code]
	if name == "" {
		name = "PC/SC error"
	}
	return fmt.Sprintf("%s: %s (%s: %s 0x%08X)", e.Op, e.vi(), e.Op, name, e.Code)
}

func (e *Error) vi() string {
	switch e.sentinel() {
	case apdu.ErrCardRemoved:
		return "thẻ đã rời khỏi đầu đọc, xin đặt lại thẻ và giữ yên"
	case apdu.ErrNoCard:
		return "chưa có thẻ hoặc thẻ không trả lời, xin đặt lại thẻ"
	case apdu.ErrReaderGone:
		return "mất kết nối đầu đọc thẻ, kiểm tra dây cắm"
	case apdu.ErrTimeout:
		return "đầu đọc thẻ không phản hồi kịp"
	}
	switch e.Code {
	case rvSharingViolation:
		return "đầu đọc đang được chương trình khác dùng"
	case rvProtoMismatch:
		return "thẻ không hỗ trợ giao thức T=0/T=1"
	}
	return "đầu đọc thẻ báo lỗi"
}

// Unwrap returns the apdu sentinel for the code, if any.
func (e *Error) Unwrap() error { return e.sentinel() }

func (e *Error) sentinel() error {
	switch e.Code {
	case rvRemovedCard, rvResetCard, rvUnpoweredCard, rvNotTransacted:
		// Mid-session, a contactless card leaving the field shows up as removed, or, when it
		// leaves during an exchange, as a failed transmission.
		if e.Op == "Connect" {
			return apdu.ErrNoCard
		}
		return apdu.ErrCardRemoved
	case rvNoSmartcard, rvUnresponsiveCard:
		if e.Op == "Connect" {
			return apdu.ErrNoCard
		}
		return apdu.ErrCardRemoved
	case rvUnknownReader, rvReaderUnavailable, rvNoReaders, rvNoService, rvServiceStopped, rvCommError:
		return apdu.ErrReaderGone
	case rvTimeout:
		return apdu.ErrTimeout
	}
	return nil
}

// ctxError turns a context's end into the package's error: a deadline is apdu.ErrTimeout.
func ctxError(ctx context.Context, op string) error {
	err := context.Cause(ctx)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w (%w)", op, apdu.ErrTimeout, err)
	}
	return fmt.Errorf("%s: đã huỷ (cancelled): %w", op, err)
}
