// Package receipt is the citizen's receipt, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" (form 01 of
// Circular 01/2018/TT-VPCP): its JSON form, its validation, and its layout on thermal paper.
//
// The JSON form is a contract shared with other tools; fields may be added, never renamed:
//
//	{"unit":"Ủy ban nhân dân phường …","dossierCode":"000.00.21.H26-251124-0417","provisional":false,
//	 "applicant":{"name":"…","idNumber":"…","phone":"…","address":"…","email":"…"},
//	 "procedure":{"code":"1.001193","name":"Đăng ký khai sinh"},
//	 "documents":[{"name":"Tờ khai đăng ký khai sinh","originals":1,"copies":0,"certifiedCopies":0}],
//	 "receivedAt":"2026-11-24T09:15:00+07:00","appointmentAt":"2026-11-25T15:00:00+07:00",
//	 "resultDelivery":"Nhận trực tiếp tại Bộ phận Một cửa","lookupUrl":"https://…","kioskId":"HN-OCD-02",
//	 "processingTime":"Trong ngày làm việc","sets":1,"fee":"Miễn phí","hotline":"1900 1234"}
//
// Required: unit, dossierCode, applicant.name, procedure.name, documents (at least one), receivedAt,
// lookupUrl. Extensions beyond the contract: applicant.email, documents[].certifiedCopies,
// processingTime, sets, fee, hotline, feeOwed ({"amount":50000,"vietqr":"000201…"}: a fee left
// unpaid, printed with the code that pays it).
//
// In the kiosk a receipt is made by [Build] from the committed dossier, for the first print and
// every reprint alike; the other slips (status slip, queue ticket, fee receipt, checklist) share its
// layout conventions: Vietnamese first, English second, text in NFC.
package receipt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Receipt is the content of one receipt.
type Receipt struct {
	Unit           string     `json:"unit"`
	DossierCode    string     `json:"dossierCode"`
	Provisional    bool       `json:"provisional"`
	Applicant      Applicant  `json:"applicant"`
	Procedure      Procedure  `json:"procedure"`
	Documents      []Document `json:"documents"`
	ReceivedAt     time.Time  `json:"receivedAt"`
	AppointmentAt  time.Time  `json:"appointmentAt,omitzero"` // zero: no appointment printed
	ResultDelivery string     `json:"resultDelivery,omitempty"`
	LookupURL      string     `json:"lookupUrl"`
	KioskID        string     `json:"kioskId,omitempty"`
	ProcessingTime string     `json:"processingTime,omitempty"`
	Sets           int        `json:"sets,omitempty"`
	Fee            string     `json:"fee,omitempty"`
	Hotline        string     `json:"hotline,omitempty"`
	// FeeOwed is the fee the citizen left without paying, printed with its VietQR code; nil when
	// nothing is owed.
	FeeOwed *Owed `json:"feeOwed,omitempty"`
}

// Owed is a fee still to pay: the amount and the VietQR payload that pays it (built by
// kiosk/vietqr; printed as given).
type Owed struct {
	Amount int64  `json:"amount"` // in đồng, > 0
	VietQR string `json:"vietqr"` // the EMVCo payload, printable ASCII
}

// Applicant is the person who filed the dossier.
type Applicant struct {
	Name     string `json:"name"`
	IDNumber string `json:"idNumber,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Address  string `json:"address,omitempty"`
	Email    string `json:"email,omitempty"`
}

// Procedure is the administrative procedure requested.
type Procedure struct {
	Code string `json:"code,omitempty"`
	Name string `json:"name"`
}

// Document is one paper received, with how many of each kind.
type Document struct {
	Name            string `json:"name"`
	Originals       int    `json:"originals"`
	Copies          int    `json:"copies"`
	CertifiedCopies int    `json:"certifiedCopies,omitempty"`
}

// FieldError names the field that is missing or wrong. It matches ErrInvalid (errors.Is); its
// Msg is the chain's one sentence, so its text does not repeat ErrInvalid's.
type FieldError struct {
	Field string
	Msg   string // Vietnamese (English)
}

func (e *FieldError) Error() string { return fmt.Sprintf("trường %q: %s", e.Field, e.Msg) }

// Is makes errors.Is(err, ErrInvalid) true for every *FieldError.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// ErrInvalid is matched by every validation error, of the receipt and of the other slips: a
// *FieldError, or ErrInvalid itself with English detail (malformed JSON).
var ErrInvalid = errors.New("biên nhận hoặc phiếu in không hợp lệ (invalid receipt or slip)")

// Parse decodes and validates a receipt from JSON. All text is normalised to NFC.
func Parse(b []byte) (*Receipt, error) {
	// The times are decoded as text first, so that a malformed one is refused naming its field.
	type plain Receipt
	var r Receipt
	w := struct {
		*plain
		ReceivedAt    string `json:"receivedAt"`
		AppointmentAt string `json:"appointmentAt"`
	}{plain: (*plain)(&r)}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := strings.TrimPrefix(te.Field, "plain.") // the embedded receipt is not a field of the JSON
			return nil, invalidField(field, fmt.Sprintf("sai kiểu dữ liệu, cần %s (wrong type, want %s)", te.Type, te.Type))
		}
		return nil, fmt.Errorf("%w: malformed JSON: %v", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrInvalid)
	}
	bad := func(field, example string) error {
		return invalidField(field, "cần dạng RFC 3339, ví dụ "+example+" (want an RFC 3339 date-time)")
	}
	if at := strings.TrimSpace(w.ReceivedAt); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return nil, bad("receivedAt", "2026-11-24T09:15:00+07:00")
		}
		r.ReceivedAt = t
	}
	if at := strings.TrimSpace(w.AppointmentAt); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return nil, bad("appointmentAt", "2026-11-25T15:00:00+07:00")
		}
		r.AppointmentAt = t
	}
	r.normalize()
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *Receipt) normalize() {
	for _, s := range []*string{&r.Unit, &r.DossierCode, &r.Applicant.Name, &r.Applicant.IDNumber,
		&r.Applicant.Phone, &r.Applicant.Address, &r.Applicant.Email, &r.Procedure.Code, &r.Procedure.Name,
		&r.ResultDelivery, &r.LookupURL, &r.KioskID, &r.ProcessingTime,
		&r.Fee, &r.Hotline} {
		*s = strings.TrimSpace(norm.NFC.String(*s))
	}
	for i := range r.Documents {
		r.Documents[i].Name = strings.TrimSpace(norm.NFC.String(r.Documents[i].Name))
	}
	if r.FeeOwed != nil {
		r.FeeOwed.VietQR = strings.TrimSpace(r.FeeOwed.VietQR)
	}
}

// Validate checks the required fields and the format of the others.
func (r *Receipt) Validate() error {
	bad := invalidField
	missing := "thiếu trường bắt buộc (missing required field)"
	switch {
	case r.Unit == "":
		return bad("unit", missing)
	case r.DossierCode == "":
		return bad("dossierCode", missing)
	case r.Applicant.Name == "":
		return bad("applicant.name", missing)
	case r.Procedure.Name == "":
		return bad("procedure.name", missing)
	case len(r.Documents) == 0:
		return bad("documents", "cần ít nhất một giấy tờ (at least one document is required)")
	case r.ReceivedAt.IsZero():
		return bad("receivedAt", missing)
	case r.LookupURL == "":
		return bad("lookupUrl", missing)
	}
	if len(r.DossierCode) > 64 || strings.IndexFunc(r.DossierCode, func(c rune) bool {
		return c < 0x21 || c > 0x7E
	}) >= 0 {
		return bad("dossierCode", "chỉ gồm chữ, số và . - / không dấu, tối đa 64 ký tự (ASCII letters, digits and . - / only, at most 64)")
	}
	if !r.AppointmentAt.IsZero() && r.AppointmentAt.Before(r.ReceivedAt) {
		return bad("appointmentAt", "hẹn trả trước ngày nhận (appointment is before the received time)")
	}
	u, err := url.Parse(r.LookupURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !isPrintableASCII(r.LookupURL) {
		return bad("lookupUrl", "cần địa chỉ http(s) đầy đủ, không dấu (want an absolute http(s) URL in ASCII)")
	}
	if id := r.Applicant.IDNumber; id != "" && (!isDigits(id) || (len(id) != 12 && len(id) != 9)) {
		return bad("applicant.idNumber", "cần 12 chữ số (CCCD) hoặc 9 chữ số (CMND) (want 12 or 9 digits)")
	}
	if ph := r.Applicant.Phone; ph != "" && strings.IndexFunc(ph, func(c rune) bool {
		return !unicode.IsDigit(c) && !strings.ContainsRune("+ .-()", c)
	}) >= 0 {
		return bad("applicant.phone", "chỉ gồm chữ số (digits only)")
	}
	for i, d := range r.Documents {
		f := fmt.Sprintf("documents[%d]", i)
		if d.Name == "" {
			return bad(f+".name", missing)
		}
		if d.Originals < 0 || d.Copies < 0 || d.CertifiedCopies < 0 {
			return bad(f, "số lượng không được âm (counts cannot be negative)")
		}
		if d.Originals+d.Copies+d.CertifiedCopies > 999 {
			return bad(f, "số lượng quá lớn (count too large)")
		}
	}
	if r.Sets < 0 || r.Sets > 99 {
		return bad("sets", "số bộ hồ sơ 0–99 (number of sets 0 to 99)")
	}
	if o := r.FeeOwed; o != nil {
		if err := o.check(); err != nil {
			return bad("feeOwed", err.Error())
		}
	}
	return nil
}

// check says what is wrong with an owed fee, in one bilingual phrase.
func (o *Owed) check() error {
	switch {
	case o.Amount <= 0 || o.Amount > maxAmount:
		return errors.New("số tiền phải là số nguyên dương, tối đa 13 chữ số (amount must be a positive integer of at most 13 digits)")
	case o.VietQR == "" || len(o.VietQR) > 512 || !isPrintableASCIIOrSpace(o.VietQR):
		return errors.New("cần mã VietQR dạng chữ ASCII, tối đa 512 ký tự (want a VietQR payload in printable ASCII, at most 512 characters)")
	}
	return nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// isPrintableASCIIOrSpace reports whether s is printable ASCII, spaces allowed (a VietQR purpose
// may hold spaces).
func isPrintableASCIIOrSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// MaskedID returns the ID number with all but its last 4 digits hidden.
func MaskedID(id string) string {
	if len(id) <= 4 {
		return id
	}
	return strings.Repeat("*", len(id)-4) + id[len(id)-4:]
}
