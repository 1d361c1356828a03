// Package vietqr builds and parses dynamic VietQR payloads: the EMVCo merchant-presented QR code of
// NAPAS 247 for a transfer to a bank account (service QRIBFTTA), as the kiosk shows it for a
// dossier's fee.
//
// A payload is a sequence of ID–length–value fields (two-digit ID, two-digit length, value):
//
//	00=01 · 01=12 (dynamic) · 38={00=A000000727, 01={00=BIN, 01=account}, 02=QRIBFTTA} ·
//	53=704 · 54=amount in đồng · 58=VN · 62={01=dossier code, 08=purpose} · 63=CRC
//
// The CRC is CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF) over the whole payload up
// to and including "6304", written as four upper-case hex digits. Only what the receiving side needs
// is in the code: nothing about the payer.
package vietqr

import (
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/vntext"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Fixed values of a VietQR payload.
const (
	NapasGUID       = "A000000727" // tag 38.00: the NAPAS global unique identifier
	ServiceAccount  = "QRIBFTTA"   // tag 38.02: inter-bank fund transfer to an account
	ServiceCard     = "QRIBFTTC"   // tag 38.02: to a card number (parsed, not built)
	CurrencyVND     = "704"        // tag 53: ISO 4217 đồng
	CountryVN       = "VN"         // tag 58
	MaxReference    = 25           // tag 62.01: characters
	MaxPurpose      = 25           // tag 62.08: characters, after folding to ASCII
	MaxAccount      = 19           // tag 38.01.01
	MaxAmountDigits = 13           // tag 54
)

// ErrInvalid is matched (errors.Is) by every refusal of Build and Parse.
var ErrInvalid = errors.New("mã VietQR không hợp lệ (invalid VietQR)")

// InputError is a refusal of Build or Parse: one sentence, Vietnamese then English. It matches
// ErrInvalid.
type InputError struct {
	VI, EN string
}

// Error gives the sentence, Vietnamese then English in parentheses.
func (e *InputError) Error() string { return e.VI + " (" + e.EN + ")" }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InputError) Is(target error) bool { return target == ErrInvalid }

// Payment is what a dynamic VietQR carries.
type Payment struct {
	BIN       string // the receiving bank's 6-digit acquirer BIN (NAPAS)
	Account   string // the receiving account: 1–19 digits or letters
	Amount    int64  // in đồng, > 0
	Reference string // the dossier code (tag 62.01), printable ASCII, at most 25 characters
	// Purpose is the transfer note (tag 62.08). Build folds it to ASCII (Vietnamese diacritics
	// removed, đ → d) and cuts it to 25 characters; Parse returns it as found.
	Purpose string
	// Service is ServiceAccount for what Build makes; Parse reports what it found.
	Service string
	// Dynamic is true for point of initiation 12 (Build always makes dynamic codes).
	Dynamic bool
}

func invalid(vi, en string) error { return &InputError{VI: vi, EN: en} }

// Check reports why p cannot be put in a VietQR, or nil.
func (p Payment) Check() error {
	if len(p.BIN) != 6 || !allDigits(p.BIN) {
		return invalid("mã BIN ngân hàng phải gồm đúng 6 chữ số", "the bank BIN must be exactly 6 digits")
	}
	if n := len(p.Account); n == 0 || n > MaxAccount || !alnum(p.Account) {
		return invalid("số tài khoản phải gồm 1–19 chữ số hoặc chữ cái", "the account must be 1–19 digits or letters")
	}
	if p.Amount <= 0 {
		return invalid("số tiền phải là số nguyên dương (đồng)", "the amount must be a positive whole number of đồng")
	}
	if len(strconv.FormatInt(p.Amount, 10)) > MaxAmountDigits {
		return invalid("số tiền quá lớn", "the amount is too large")
	}
	if p.Reference == "" {
		return invalid("thiếu mã tham chiếu (mã hồ sơ)", "the reference (dossier code) is missing")
	}
	if len(p.Reference) > MaxReference || !printableASCII(p.Reference) {
		return invalid("mã tham chiếu phải là chữ ASCII, tối đa 25 ký tự", "the reference must be ASCII, at most 25 characters")
	}
	if _, err := FoldPurpose(p.Purpose); err != nil {
		return err
	}
	return nil
}

// FoldPurpose folds a transfer note to what tag 62.08 carries: NFC text with Vietnamese diacritics
// removed (đ → d, Đ → D), typographic dashes and quotes made plain, spaces collapsed, cut to 25 characters. A note with characters that have
// no ASCII form (other scripts, emoji) is refused.
func FoldPurpose(s string) (string, error) {
	out, ok := vntext.ASCII(s)
	if !ok || !printableASCII(out) {
		return "", invalid("nội dung chuyển khoản có ký tự không chuyển được sang ASCII", "the purpose has characters with no ASCII form")
	}
	if len(out) > MaxPurpose { // ASCII now: bytes are runes
		out = strings.TrimRight(out[:MaxPurpose], " ")
	}
	return out, nil
}

// Build returns the payload of a dynamic VietQR for p, or an *InputError (matching ErrInvalid).
func Build(p Payment) (string, error) {
	if err := p.Check(); err != nil {
		return "", err
	}
	purpose, _ := FoldPurpose(p.Purpose)
	var b strings.Builder
	field(&b, "00", "01")
	field(&b, "01", "12")
	bank := tlv("00", p.BIN) + tlv("01", p.Account)
	field(&b, "38", tlv("00", NapasGUID)+tlv("01", bank)+tlv("02", ServiceAccount))
	field(&b, "53", CurrencyVND)
	field(&b, "54", strconv.FormatInt(p.Amount, 10))
	field(&b, "58", CountryVN)
	add := tlv("01", p.Reference)
	if purpose != "" {
		add += tlv("08", purpose)
	}
	field(&b, "62", add)
	b.WriteString("6304")
	b.WriteString(fmt.Sprintf("%04X", CRC16(b.String())))
	return b.String(), nil
}

func tlv(id, v string) string { return id + fmt.Sprintf("%02d", len(v)) + v }

func field(b *strings.Builder, id, v string) { b.WriteString(tlv(id, v)) }

// CRC16 is CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR.
func CRC16(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// Field is one ID–length–value element of a payload.
type Field struct {
	ID    string
	Value string
}

// Split reads s as a sequence of EMVCo fields. It checks only the framing: two-digit IDs, two-digit
// lengths, values that fit.
func Split(s string) ([]Field, error) {
	var out []Field
	for i := 0; i < len(s); {
		if len(s)-i < 4 || !allDigits(s[i:i+4]) {
			return nil, invalid(fmt.Sprintf("trường ở vị trí %d không đọc được", i), fmt.Sprintf("unreadable field at offset %d", i))
		}
		id := s[i : i+2]
		n, _ := strconv.Atoi(s[i+2 : i+4])
		i += 4
		if n == 0 || len(s)-i < n {
			return nil, invalid("trường "+id+" có độ dài sai", "field "+id+" has a wrong length")
		}
		out = append(out, Field{ID: id, Value: s[i : i+n]})
		i += n
	}
	return out, nil
}

// Parse reads a VietQR payload back into a Payment. It checks the CRC (tag 63, last), the framing,
// that every ID appears once, the fixed values (00=01, 38.00=A000000727, 53=704, 58=VN), the BIN,
// the account and, when present, the amount. A static code (01=11) parses with Amount 0.
func Parse(s string) (Payment, error) {
	var p Payment
	if !utf8.ValidString(s) || !printableASCII(s) {
		return p, invalid("mã có ký tự ngoài ASCII", "the payload has non-ASCII characters")
	}
	if len(s) < 8 || s[len(s)-8:len(s)-4] != "6304" {
		return p, invalid("thiếu mã kiểm tra CRC ở cuối", "the CRC field is not at the end")
	}
	want, err := strconv.ParseUint(s[len(s)-4:], 16, 16)
	if err != nil {
		return p, invalid("mã kiểm tra CRC không đọc được", "the CRC is unreadable")
	}
	if got := CRC16(s[:len(s)-4]); uint64(got) != want {
		return p, invalid(fmt.Sprintf("sai mã kiểm tra CRC (tính được %04X)", got), fmt.Sprintf("CRC mismatch, computed %04X", got))
	}
	fields, err := Split(s[:len(s)-8])
	if err != nil {
		return p, err
	}
	root, err := unique(fields)
	if err != nil {
		return p, err
	}
	if len(fields) == 0 || fields[0].ID != "00" || root["00"] != "01" {
		return p, invalid("trường 00 phải là 01 và đứng đầu", "field 00 must come first and be 01")
	}
	switch root["01"] {
	case "12":
		p.Dynamic = true
	case "11", "":
	default:
		return p, invalid("trường 01 phải là 11 hoặc 12", "field 01 must be 11 or 12")
	}
	if root["53"] != CurrencyVND {
		return p, invalid("tiền tệ (53) phải là 704", "the currency (53) must be 704")
	}
	if root["58"] != CountryVN {
		return p, invalid("quốc gia (58) phải là VN", "the country (58) must be VN")
	}
	acct, ok := root["38"]
	if !ok {
		return p, invalid("thiếu thông tin tài khoản (38)", "the merchant account (38) is missing")
	}
	if err := parseAccount(acct, &p); err != nil {
		return p, err
	}
	if a, ok := root["54"]; ok {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n <= 0 || !allDigits(a) {
			return p, invalid("số tiền (54) phải là số nguyên dương", "the amount (54) must be a positive integer")
		}
		p.Amount = n
	} else if p.Dynamic {
		return p, invalid("mã động thiếu số tiền (54)", "a dynamic code without an amount (54)")
	}
	if add, ok := root["62"]; ok {
		sub, err := Split(add)
		if err != nil {
			return p, err
		}
		m, err := unique(sub)
		if err != nil {
			return p, err
		}
		p.Reference, p.Purpose = m["01"], m["08"]
	}
	return p, nil
}

func parseAccount(v string, p *Payment) error {
	sub, err := Split(v)
	if err != nil {
		return err
	}
	m, err := unique(sub)
	if err != nil {
		return err
	}
	if m["00"] != NapasGUID {
		return invalid("không phải mã NAPAS (38.00 khác A000000727)", "not a NAPAS code: 38.00 is not A000000727")
	}
	p.Service = m["02"]
	if p.Service != ServiceAccount && p.Service != ServiceCard {
		return invalid("dịch vụ (38.02) phải là QRIBFTTA hoặc QRIBFTTC", "the service (38.02) must be QRIBFTTA or QRIBFTTC")
	}
	bank, err := Split(m["01"])
	if err != nil {
		return err
	}
	bm, err := unique(bank)
	if err != nil {
		return err
	}
	p.BIN, p.Account = bm["00"], bm["01"]
	if len(p.BIN) != 6 || !allDigits(p.BIN) {
		return invalid("mã BIN ngân hàng phải gồm đúng 6 chữ số", "the bank BIN must be exactly 6 digits")
	}
	if n := len(p.Account); n == 0 || n > MaxAccount || !alnum(p.Account) {
		return invalid("số tài khoản phải gồm 1–19 chữ số hoặc chữ cái", "the account must be 1–19 digits or letters")
	}
	return nil
}

func unique(fs []Field) (map[string]string, error) {
	m := make(map[string]string, len(fs))
	for _, f := range fs {
		if _, dup := m[f.ID]; dup {
			return nil, invalid("trường "+f.ID+" lặp lại", "field "+f.ID+" appears twice")
		}
		m[f.ID] = f.Value
	}
	return m, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
