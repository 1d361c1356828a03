package cccd

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/mrtd/lds"
)

// ErrUnknownQRVariant is returned for a QR payload that is not the 2021 CCCD layout (for example
// the QR on the back of the 2024 thẻ căn cước, whose format is not published).
var ErrUnknownQRVariant = errors.New("mã QR không phải dạng CCCD 2021 đã biết (unknown ID card QR variant)")

// QRData is the content of the QR code on the front of the 2021 CCCD. JSON keys are the contract;
// dates are YYYY-MM-DD (a year-only date of birth stays "YYYY").
type QRData struct {
	IDNumber    string   `json:"idNumber"`
	OldIDNumber string   `json:"oldIdNumber"`
	FullName    string   `json:"fullName"`
	DateOfBirth string   `json:"dateOfBirth"`
	Sex         string   `json:"sex"`
	Address     string   `json:"address"`
	IssueDate   string   `json:"issueDate"`
	CAN         string   `json:"can"`
	Warnings    []string `json:"warnings"`
}

// qrDate parses ddMMyyyy (or a bare yyyy when yearOnly is allowed).
func qrDate(s, field string, yearOnly bool) (string, error) {
	if !allDigits(s) {
		return "", fieldErr(field, reasonDate)
	}
	switch len(s) {
	case 8:
		t, err := time.Parse("02012006", s)
		if err != nil {
			return "", fieldErr(field, reasonDate)
		}
		return t.Format(time.DateOnly), nil
	case 4:
		if yearOnly && s >= "1900" {
			return s, nil
		}
	}
	return "", fieldErr(field, reasonDate)
}

// ParseQR parses and validates the QR payload of a 2021 CCCD:
//
//	ID|old ID (may be empty)|full name|DOB ddMMyyyy|sex|address|issue date ddMMyyyy
//
// Errors are *FieldError naming the field, or ErrUnknownQRVariant. An ID whose century/sex digit
// or birth year disagrees with the date of birth or sex only adds a warning.
func ParseQR(payload string) (QRData, error) {
	payload = strings.TrimRight(norm.NFC.String(payload), "\r\n\x00 ")
	payload = strings.TrimLeft(payload, "\ufeff ")
	f := strings.Split(payload, "|")
	for len(f) > 7 && strings.TrimSpace(f[len(f)-1]) == "" {
		f = f[:len(f)-1] // trailing separators some encoders add
	}
	switch {
	case len(f) == 7:
	case len(f) == 6 && !allDigits(f[1]) && f[1] != "":
		// old ID field left out entirely
		f = append(f[:1], append([]string{""}, f[1:]...)...)
	default:
		return QRData{}, fmt.Errorf("%w: %d trường (%d fields)", ErrUnknownQRVariant, len(f), len(f))
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	q := QRData{IDNumber: f[0], OldIDNumber: f[1], FullName: f[2], Sex: f[4], Address: f[5], Warnings: []string{}}
	if len(q.IDNumber) != 12 || !allDigits(q.IDNumber) {
		if allDigits(q.IDNumber) || q.IDNumber == "" {
			return QRData{}, fieldErr("idNumber", reasonDigits12)
		}
		return QRData{}, fmt.Errorf("%w: trường đầu không phải số định danh (first field is not an ID number)", ErrUnknownQRVariant)
	}
	if q.OldIDNumber != "" && (!allDigits(q.OldIDNumber) || (len(q.OldIDNumber) != 9 && len(q.OldIDNumber) != 12)) {
		return QRData{}, fieldErr("oldIdNumber", "phải gồm 9 hoặc 12 chữ số (must be 9 or 12 digits)")
	}
	if q.FullName == "" {
		return QRData{}, fieldErr("fullName", reasonRequired)
	}
	var err error
	if q.DateOfBirth, err = qrDate(f[3], "dateOfBirth", true); err != nil {
		return QRData{}, err
	}
	if len(q.DateOfBirth) == 4 {
		q.Warnings = append(q.Warnings, "ngày sinh chỉ có năm (date of birth has the year only)")
	}
	if q.Sex != SexMale && q.Sex != SexFemale {
		return QRData{}, fieldErr("sex", "phải là Nam hoặc Nữ (must be Nam or Nữ)")
	}
	if q.Address == "" {
		return QRData{}, fieldErr("address", reasonRequired)
	}
	if q.IssueDate, err = qrDate(f[6], "issueDate", false); err != nil {
		return QRData{}, err
	}
	if q.IssueDate[:4] < q.DateOfBirth[:4] || (len(q.DateOfBirth) == 10 && q.IssueDate < q.DateOfBirth) {
		return QRData{}, fieldErr("issueDate", "trước ngày sinh (before the date of birth)")
	}
	q.CAN = CAN(q.IDNumber)
	q.Warnings = append(q.Warnings, idWarnings(q.IDNumber, q.DateOfBirth, q.Sex)...)
	return q, nil
}

// Expiry returns the card's expiry computed from the date of birth and issue date by the
// renewal-age rule (ExpiryDate); none is true for a card that does not expire. It fails when the
// QR carries only the birth year.
func (q QRData) Expiry() (expiry time.Time, none bool, err error) {
	dob, ok := parseDate(q.DateOfBirth)
	if !ok {
		return time.Time{}, false, fieldErr("dateOfBirth", "cần ngày sinh đầy đủ (full date of birth needed)")
	}
	issue, ok := parseDate(q.IssueDate)
	if !ok {
		return time.Time{}, false, fieldErr("issueDate", reasonDate)
	}
	exp, none := ExpiryDate(dob, issue)
	return exp, none, nil
}

// BACKey is what Basic Access Control needs from the card: document number (the last 9 digits of
// the ID), date of birth and date of expiry as printed in the MRZ (YYMMDD; "<<<<<<" for a card
// without expiry).
type BACKey struct {
	DocumentNumber string
	DateOfBirth    string
	DateOfExpiry   string
}

// MRZInformation returns the BAC key seed input (ICAO 9303-11 §4.3) with check digits.
func (k BACKey) MRZInformation() string {
	cd := func(s string) string {
		c, _ := lds.CheckDigit(s)
		return string(c)
	}
	exp := k.DateOfExpiry + cd(k.DateOfExpiry)
	return k.DocumentNumber + cd(k.DocumentNumber) + k.DateOfBirth + cd(k.DateOfBirth) + exp
}

// BACKey derives the BAC key from the QR: the expiry is computed (Expiry), since the QR does not
// carry it. Prefer PACE with the CAN; this is the fallback.
func (q QRData) BACKey() (BACKey, error) {
	exp, none, err := q.Expiry()
	if err != nil {
		return BACKey{}, err
	}
	dob, _ := parseDate(q.DateOfBirth)
	k := BACKey{DocumentNumber: DocumentNumber(q.IDNumber), DateOfBirth: dob.Format("060102"), DateOfExpiry: "<<<<<<"}
	if !none {
		k.DateOfExpiry = exp.Format("060102")
	}
	return k, nil
}

// QRPayload returns the QR payload printed on the front of a 2021 CCCD holding c's data: the
// inverse of ParseQR, for simulated cards and tests.
func QRPayload(c Citizen) string {
	d := func(s string) string {
		if len(s) != 10 {
			return s
		}
		return s[8:10] + s[5:7] + s[0:4]
	}
	return strings.Join([]string{c.IDNumber, c.OldIDNumber, c.FullName, d(c.DateOfBirth), c.Sex, c.PlaceOfResidence, d(c.IssueDate)}, "|")
}
