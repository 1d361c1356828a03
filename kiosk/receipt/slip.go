package receipt

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/internal/vntime"
)

// Layout lays the receipt out, as the function Layout does, so that every slip (Receipt,
// StatusSlip, QueueTicket, FeeReceipt, Checklist) has the methods Validate and Layout and a printer
// can take any of them through an interface of its own.
func (r *Receipt) Layout(p escpos.Profile) *escpos.Document { return Layout(r, p) }

// invalidField is a validation error naming the field: a *FieldError, which matches ErrInvalid;
// msg, "Vietnamese (English)", is its one sentence.
func invalidField(field, msg string) error { return &FieldError{field, msg} }

const missingField = "thiếu trường bắt buộc (missing required field)"

// nfc puts each text in NFC and trims it.
func nfc(ss ...*string) {
	for _, s := range ss {
		*s = strings.TrimSpace(norm.NFC.String(*s))
	}
}

// checkCode checks a dossier code: printable ASCII, at most 64 characters.
func checkCode(field, code string) error {
	if code == "" {
		return invalidField(field, missingField)
	}
	if len(code) > 64 || !isPrintableASCII(code) {
		return invalidField(field, "chỉ gồm chữ, số và . - / không dấu, tối đa 64 ký tự (ASCII letters, digits and . - / only, at most 64)")
	}
	return nil
}

// checkURL checks an address printed as a QR code: absolute http(s), in ASCII.
func checkURL(field, s string) error {
	if s == "" {
		return invalidField(field, missingField)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !isPrintableASCII(s) || len(s) > 512 {
		return invalidField(field, "cần địa chỉ http(s) đầy đủ, không dấu (want an absolute http(s) URL in ASCII)")
	}
	return nil
}

// checkAmount checks an amount in đồng: positive, at most 13 digits.
func checkAmount(field string, amount int64) error {
	if amount <= 0 || amount > maxAmount {
		return invalidField(field, "số tiền phải là số nguyên dương, tối đa 13 chữ số (amount must be a positive integer of at most 13 digits)")
	}
	return nil
}

// inVietnam is t as read in Vietnam.
func inVietnam(t time.Time) time.Time { return t.In(vntime.Zone()) }

// printedAt prints when the slip was printed, in Vietnam time.
func printedAt(d *escpos.Document, at time.Time) {
	if !at.IsZero() {
		d.Text("In lúc (printed at): "+vnTime(inVietnam(at)), slipStyles().smallCenter)
	}
}

// errNoProcedure is returned by NewChecklist without a procedure.
var errNoProcedure = errors.New("không có thủ tục để in danh sách giấy tờ (no procedure to print a checklist for)")
