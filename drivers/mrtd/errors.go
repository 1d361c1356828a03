package mrtd

import (
	"context"
	"errors"
	"fmt"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/internal/errtext"
)

// Errors callers can test with errors.Is. Transport errors from the reader (apdu.ErrCardRemoved,
// apdu.ErrTimeout, apdu.ErrReaderGone, apdu.ErrNoCard) and context errors are passed up wrapped, so
// errors.Is works for them too. No error carries key material, MRZ data or file contents.
var (
	// ErrAuthentication: BAC or PACE failed, normally because the CAN or the MRZ data is wrong.
	ErrAuthentication = errors.New("xác thực với thẻ không thành công, hãy kiểm tra số CAN hoặc thông tin MRZ (card authentication failed: check the CAN or MRZ data)")
	// ErrSecureMessaging: the secure messaging session broke (bad MAC, unprotected answer, 6987/6988).
	// The session is dead; a fresh authentication is needed.
	ErrSecureMessaging = errors.New("phiên bảo mật với thẻ bị lỗi, cần xác thực lại (secure messaging failed, authenticate again)")
	// ErrAccessDenied: the card answered 6982, e.g. DG3 needs Extended Access Control.
	ErrAccessDenied = errors.New("thẻ không cho phép đọc tệp này (security status not satisfied)")
	// ErrFileNotFound: the card answered 6A82.
	ErrFileNotFound = errors.New("thẻ không có tệp này (file not found on the card)")
	// ErrNotSupported: the card asks for a mechanism this package does not implement
	// (PACE-DH, integrated or chip-authentication mapping, Chip Authentication, …).
	ErrNotSupported = errors.New("thẻ dùng cơ chế chưa được hỗ trợ (mechanism not supported)")
	// ErrBadResponse: the card's answer does not have the expected form.
	ErrBadResponse = errors.New("thẻ trả lời dữ liệu không hợp lệ (malformed answer from the card)")
	// ErrInvalidKey: the access key is not usable (CAN not digits, dates not YYMMDD, …).
	ErrInvalidKey = errors.New("khóa truy cập thẻ không hợp lệ (invalid card access key)")
)

// Sentences of transport failures that are not one of the apdu sentinels.
var (
	errStopped = errors.New("đã dừng đọc thẻ (card reading stopped)")
	errComm    = errors.New("lỗi liên lạc với thẻ (card communication error)")
)

// transportError keeps a reader error testable with errors.Is and adds what was under way. A
// reader error that wraps an apdu sentinel already carries the bilingual sentence (the sentinel's),
// so only English detail is added to it; any other reader error is put under mrtd's sentence
// with its own text reduced to English (errtext.Wrap): one sentence per chain.
func transportError(err error) error {
	switch {
	case errors.Is(err, apdu.ErrCardRemoved), errors.Is(err, apdu.ErrTimeout), errors.Is(err, apdu.ErrReaderGone),
		errors.Is(err, apdu.ErrNoCard):
		return fmt.Errorf("while reading the chip: %w", err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errtext.Wrap(errStopped, err)
	}
	return errtext.Wrap(errComm, err)
}

// statusError maps the status words every file operation may meet to the package's errors.
func statusError(sw uint16, op string) error {
	se := &apdu.StatusError{SW: sw, Op: op}
	switch sw {
	case 0x6982:
		return errtext.Wrap(ErrAccessDenied, se)
	case 0x6A82:
		return errtext.Wrap(ErrFileNotFound, se)
	case 0x6987, 0x6988:
		return errtext.Wrap(ErrSecureMessaging, se)
	}
	return se
}
