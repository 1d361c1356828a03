package lds

import (
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/tlv"
)

// MRZFormat is the layout of a machine readable zone (ICAO 9303 Parts 4–6).
type MRZFormat int

// MRZ layouts.
const (
	TD1 MRZFormat = 1 // ID-1 cards: 3 lines × 30 (the CCCD)
	TD2 MRZFormat = 2 // 2 lines × 36
	TD3 MRZFormat = 3 // passports: 2 lines × 44
)

func (f MRZFormat) String() string {
	switch f {
	case TD1:
		return "TD1"
	case TD2:
		return "TD2"
	case TD3:
		return "TD3"
	}
	return "unknown"
}

// MRZ is a parsed machine readable zone (the content of DG1). Text fields have their trailing
// fillers removed; dates are YYMMDD as printed.
type MRZ struct {
	Format       MRZFormat
	DocumentCode string // e.g. "ID", "I", "P"
	IssuingState string // e.g. "VNM"
	// DocumentNumber is the full document number, including an overflow carried in the optional
	// data (the long-document-number rule of TD1/TD2). The CCCD has 9 digits: the last 9 of the ID.
	DocumentNumber string
	// OptionalData is the optional data of line 1 (TD1) or line 2 (TD2), after any document number
	// overflow, or the personal number (TD3). The CCCD carries the 12-digit ID number here.
	OptionalData string
	// OptionalData2 is the optional data of TD1 line 2 (positions 19–29).
	OptionalData2 string
	DateOfBirth   string // YYMMDD
	Sex           string // "M", "F" or "<" (unspecified)
	// DateOfExpiry is YYMMDD, or "<<<<<<" for a document without expiry (a CCCD issued at 60 or
	// later).
	DateOfExpiry        string
	Nationality         string
	PrimaryIdentifier   string // surname(s), fillers as spaces
	SecondaryIdentifier string // given names, fillers as spaces

	docCheck, dobCheck, expCheck byte
	raw                          string
}

// HasExpiry reports whether the MRZ carries an expiry date.
func (m MRZ) HasExpiry() bool { return m.DateOfExpiry != "" && strings.Trim(m.DateOfExpiry, "<") != "" }

// String returns the MRZ as printed, lines separated by "\n".
func (m MRZ) String() string {
	w := 0
	switch len(m.raw) {
	case 90:
		w = 30
	case 72:
		w = 36
	case 88:
		w = 44
	default:
		return m.raw
	}
	var lines []string
	for i := 0; i < len(m.raw); i += w {
		lines = append(lines, m.raw[i:i+w])
	}
	return strings.Join(lines, "\n")
}

// MRZInformation returns the BAC key seed input of ICAO 9303-11 §4.3: document number (with its
// overflow, at least 9 characters), its check digit, date of birth and check digit, date of
// expiry and check digit, exactly as printed.
func (m MRZ) MRZInformation() string {
	doc := m.DocumentNumber
	for len(doc) < 9 {
		doc += "<"
	}
	return doc + string(m.docCheck) + m.DateOfBirth + string(m.dobCheck) + m.DateOfExpiry + string(m.expCheck)
}

// ErrCheckDigit is matched (errors.Is) by every *CheckDigitError.
var ErrCheckDigit = errors.New("sai số kiểm tra MRZ (MRZ check digit mismatch)")

// CheckDigitError names the MRZ field whose check digit is wrong: "documentNumber",
// "dateOfBirth", "dateOfExpiry", "optionalData" (TD3 personal number) or "composite".
type CheckDigitError struct{ Field string }

func (e *CheckDigitError) Error() string {
	return fmt.Sprintf("sai số kiểm tra của trường %s (check digit mismatch: %s)", e.Field, e.Field)
}

// Is makes errors.Is(err, ErrCheckDigit) true.
func (e *CheckDigitError) Is(target error) bool { return target == ErrCheckDigit }

// ErrMRZFormat is matched by every *MRZFieldError.
var ErrMRZFormat = errors.New("MRZ sai định dạng (malformed MRZ)")

// MRZFieldError names an MRZ field (or "mrz" for the whole zone) that is malformed.
type MRZFieldError struct {
	Field  string
	Reason string // Vietnamese (English)
}

func (e *MRZFieldError) Error() string {
	return fmt.Sprintf("MRZ trường %s: %s", e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrMRZFormat) true.
func (e *MRZFieldError) Is(target error) bool { return target == ErrMRZFormat }

// CheckDigit returns the ICAO 9303 check digit of s (weights 7, 3, 1; A–Z = 10–35; '<' = 0).
// It returns false if s holds a character outside 0–9, A–Z and '<'.
func CheckDigit(s string) (byte, bool) {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		case c == '<':
			v = 0
		default:
			return 0, false
		}
		sum += v * weights[i%3]
	}
	return byte('0' + sum%10), true
}

func cd(s string) byte {
	c, _ := CheckDigit(s)
	return c
}

// ParseMRZ parses a TD1, TD2 or TD3 machine readable zone, verifying every check digit. Line
// breaks (and carriage returns) between lines are ignored.
func ParseMRZ(s string) (MRZ, error) {
	s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '<') {
			return MRZ{}, &MRZFieldError{Field: "mrz", Reason: "ký tự không hợp lệ (invalid character)"}
		}
	}
	switch len(s) {
	case 90:
		return parseTD1(s)
	case 72:
		return parseTD2or3(s, TD2, 36)
	case 88:
		return parseTD2or3(s, TD3, 44)
	}
	return MRZ{}, &MRZFieldError{Field: "mrz", Reason: fmt.Sprintf("độ dài %d không phải TD1/TD2/TD3 (length %d is not TD1, TD2 or TD3)", len(s), len(s))}
}

func trimFill(s string) string { return strings.TrimRight(s, "<") }

// documentNumber applies the long-document-number rule: number is the 9-character field, check
// its check digit position and opt the optional data that may carry the overflow.
func documentNumber(number string, check byte, opt string) (doc string, docCheck byte, rest string, err error) {
	if check != '<' {
		doc = trimFill(number)
		if cd(number) != check {
			return "", 0, "", &CheckDigitError{Field: "documentNumber"}
		}
		return doc, check, opt, nil
	}
	// Overflow: the optional data starts with the remaining characters, the last of which is
	// the check digit over the whole number, ended by a filler.
	end := strings.IndexByte(opt, '<')
	if end < 0 {
		end = len(opt)
	}
	if end < 2 {
		return "", 0, "", &MRZFieldError{Field: "documentNumber", Reason: "thiếu phần số tràn (missing long document number overflow)"}
	}
	full := number + opt[:end-1]
	c := opt[end-1]
	if cd(full) != c {
		return "", 0, "", &CheckDigitError{Field: "documentNumber"}
	}
	return full, c, trimFill(opt[end:]), nil
}

func checkDate(field, d string, check byte, allowNone bool) error {
	if allowNone && d == "<<<<<<" && (check == '<' || check == '0') {
		return nil
	}
	if !validYYMMDD(d) {
		return &MRZFieldError{Field: field, Reason: "ngày không hợp lệ (invalid date)"}
	}
	if cd(d) != check {
		return &CheckDigitError{Field: field}
	}
	return nil
}

// validYYMMDD accepts YYMMDD with a real month and day; an unknown day or month may be "<<".
func validYYMMDD(d string) bool {
	if len(d) != 6 {
		return false
	}
	num := func(s string) (int, bool) {
		if s == "<<" {
			return 0, true
		}
		if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
			return -1, false
		}
		return int(s[0]-'0')*10 + int(s[1]-'0'), true
	}
	yy, ok1 := num(d[0:2])
	mm, ok2 := num(d[2:4])
	dd, ok3 := num(d[4:6])
	if !ok1 || !ok2 || !ok3 || d[0:2] == "<<" {
		return false
	}
	if mm == 0 {
		return d[2:4] == "<<" && (dd == 0)
	}
	if mm > 12 {
		return false
	}
	if dd == 0 {
		return d[4:6] == "<<"
	}
	days := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if mm == 2 && yy%4 != 0 && dd == 29 {
		return false
	}
	return dd <= days[mm]
}

func parseSex(s string) (string, error) {
	switch s {
	case "M", "F", "<", "X":
		return s, nil
	}
	return "", &MRZFieldError{Field: "sex", Reason: "giới tính không hợp lệ (invalid sex)"}
}

func splitName(s string) (primary, secondary string) {
	s = trimFill(s)
	p, sec, _ := strings.Cut(s, "<<")
	clean := func(x string) string {
		return strings.Join(strings.FieldsFunc(x, func(r rune) bool { return r == '<' }), " ")
	}
	return clean(p), clean(sec)
}

func parseTD1(s string) (MRZ, error) {
	l1, l2, l3 := s[0:30], s[30:60], s[60:90]
	m := MRZ{Format: TD1, raw: s}
	m.DocumentCode = trimFill(l1[0:2])
	m.IssuingState = trimFill(l1[2:5])
	doc, dc, opt, err := documentNumber(l1[5:14], l1[14], l1[15:30])
	if err != nil {
		return MRZ{}, err
	}
	m.DocumentNumber, m.docCheck, m.OptionalData = doc, dc, trimFill(opt)
	m.DateOfBirth, m.dobCheck = l2[0:6], l2[6]
	if err := checkDate("dateOfBirth", m.DateOfBirth, m.dobCheck, false); err != nil {
		return MRZ{}, err
	}
	if m.Sex, err = parseSex(l2[7:8]); err != nil {
		return MRZ{}, err
	}
	m.DateOfExpiry, m.expCheck = l2[8:14], l2[14]
	if err := checkDate("dateOfExpiry", m.DateOfExpiry, m.expCheck, true); err != nil {
		return MRZ{}, err
	}
	m.Nationality = trimFill(l2[15:18])
	m.OptionalData2 = trimFill(l2[18:29])
	composite := l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
	if cd(composite) != l2[29] {
		return MRZ{}, &CheckDigitError{Field: "composite"}
	}
	m.PrimaryIdentifier, m.SecondaryIdentifier = splitName(l3)
	return m, nil
}

func parseTD2or3(s string, f MRZFormat, w int) (MRZ, error) {
	l1, l2 := s[:w], s[w:]
	m := MRZ{Format: f, raw: s}
	m.DocumentCode = trimFill(l1[0:2])
	m.IssuingState = trimFill(l1[2:5])
	m.PrimaryIdentifier, m.SecondaryIdentifier = splitName(l1[5:])
	optEnd := w - 1 // TD2: 28..34 optional, 35 composite
	if f == TD3 {
		optEnd = 42 // 28..41 personal number, 42 its check digit, 43 composite
	}
	opt := l2[28:optEnd]
	var err error
	if f == TD2 {
		var doc string
		var dc byte
		doc, dc, opt, err = documentNumber(l2[0:9], l2[9], opt)
		if err != nil {
			return MRZ{}, err
		}
		m.DocumentNumber, m.docCheck = doc, dc
	} else {
		if cd(l2[0:9]) != l2[9] {
			return MRZ{}, &CheckDigitError{Field: "documentNumber"}
		}
		m.DocumentNumber, m.docCheck = trimFill(l2[0:9]), l2[9]
	}
	m.Nationality = trimFill(l2[10:13])
	m.DateOfBirth, m.dobCheck = l2[13:19], l2[19]
	if err := checkDate("dateOfBirth", m.DateOfBirth, m.dobCheck, false); err != nil {
		return MRZ{}, err
	}
	if m.Sex, err = parseSex(l2[20:21]); err != nil {
		return MRZ{}, err
	}
	m.DateOfExpiry, m.expCheck = l2[21:27], l2[27]
	if err := checkDate("dateOfExpiry", m.DateOfExpiry, m.expCheck, true); err != nil {
		return MRZ{}, err
	}
	m.OptionalData = trimFill(opt)
	var composite string
	if f == TD3 {
		pn, pc := l2[28:42], l2[42]
		if !(pc == '<' && trimFill(pn) == "") && cd(pn) != pc {
			return MRZ{}, &CheckDigitError{Field: "optionalData"}
		}
		composite = l2[0:10] + l2[13:20] + l2[21:43]
	} else {
		composite = l2[0:10] + l2[13:20] + l2[21:35]
	}
	if cd(composite) != l2[w-1] {
		return MRZ{}, &CheckDigitError{Field: "composite"}
	}
	return m, nil
}

// TD1Fields is the content of a TD1 MRZ to build. Dates are YYMMDD; an empty DateOfExpiry means
// the document does not expire and is written "<<<<<<" with check digit 0. Names are transliterated
// with MRZName.
type TD1Fields struct {
	DocumentCode        string // "ID" for the CCCD
	IssuingState        string
	DocumentNumber      string // up to 9 characters here (longer numbers use the overflow rule)
	OptionalData        string // line 1, at most 15 characters (fewer with an overflowing number)
	DateOfBirth         string
	Sex                 string // "M", "F" or "<"
	DateOfExpiry        string
	Nationality         string
	OptionalData2       string // line 2, at most 11 characters
	PrimaryIdentifier   string
	SecondaryIdentifier string
}

// BuildTD1 returns the 90-character TD1 MRZ (no line breaks) with correct check digits.
func BuildTD1(f TD1Fields) (string, error) {
	up := func(s string) string { return strings.ToUpper(strings.ReplaceAll(s, " ", "<")) }
	field := func(name, s string, n int) (string, error) {
		s = up(s)
		if len(s) > n {
			return "", &MRZFieldError{Field: name, Reason: "quá dài (too long)"}
		}
		if _, ok := CheckDigit(s); !ok {
			return "", &MRZFieldError{Field: name, Reason: "ký tự không hợp lệ (invalid character)"}
		}
		return s + strings.Repeat("<", n-len(s)), nil
	}
	code, err := field("documentCode", f.DocumentCode, 2)
	if err != nil {
		return "", err
	}
	state, err := field("issuingState", f.IssuingState, 3)
	if err != nil {
		return "", err
	}
	docNo := up(f.DocumentNumber)
	if _, ok := CheckDigit(docNo); !ok || docNo == "" {
		return "", &MRZFieldError{Field: "documentNumber", Reason: "không hợp lệ (invalid)"}
	}
	var docPart string
	if len(docNo) <= 9 {
		d, _ := field("documentNumber", docNo, 9)
		docPart = d + string(cd(d))
	} else {
		docPart = docNo[:9] + "<" + docNo[9:] + string(cd(docNo)) + "<"
	}
	opt, err := field("optionalData", f.OptionalData, 25-len(docPart))
	if err != nil {
		return "", err
	}
	l1 := code + state + docPart + opt
	if !validYYMMDD(f.DateOfBirth) {
		return "", &MRZFieldError{Field: "dateOfBirth", Reason: "ngày không hợp lệ (invalid date)"}
	}
	dob := f.DateOfBirth + string(cd(f.DateOfBirth))
	sex, err := parseSex(f.Sex)
	if err != nil {
		return "", err
	}
	exp := "<<<<<<0"
	if f.DateOfExpiry != "" {
		if !validYYMMDD(f.DateOfExpiry) {
			return "", &MRZFieldError{Field: "dateOfExpiry", Reason: "ngày không hợp lệ (invalid date)"}
		}
		exp = f.DateOfExpiry + string(cd(f.DateOfExpiry))
	}
	nat, err := field("nationality", f.Nationality, 3)
	if err != nil {
		return "", err
	}
	opt2, err := field("optionalData2", f.OptionalData2, 11)
	if err != nil {
		return "", err
	}
	l2 := dob + sex + exp + nat + opt2
	l2 += string(cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]))
	name := MRZName(f.PrimaryIdentifier) + "<<" + MRZName(f.SecondaryIdentifier)
	if len(name) > 30 {
		name = name[:30]
	}
	l3 := name + strings.Repeat("<", 30-len(name))
	return l1 + l2 + l3, nil
}

// MRZName transliterates a name for the MRZ: diacritics removed (Đ → D), letters upper-cased,
// spaces and any other character turned into '<'.
func MRZName(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'Đ' || r == 'đ':
			b.WriteByte('D')
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		default:
			b.WriteByte('<')
		}
	}
	return strings.Join(strings.FieldsFunc(b.String(), func(r rune) bool { return r == '<' }), "<")
}

// ParseDG1 parses DG1 (tag 61 containing 5F1F with the MRZ).
func ParseDG1(b []byte) (MRZ, error) {
	v, err := unwrap(b, TagDG1, "DG1")
	if err != nil {
		return MRZ{}, err
	}
	mrz, err := tlv.Find(v, 0x5F1F)
	if err != nil {
		return MRZ{}, errtext.Wrap(errors.New("DG1 thiếu MRZ (DG1 has no MRZ)"), err)
	}
	return ParseMRZ(string(mrz))
}

// BuildDG1 wraps an MRZ (line breaks removed) in DG1. It does not validate the MRZ.
func BuildDG1(mrz string) []byte {
	mrz = strings.NewReplacer("\r", "", "\n", "").Replace(mrz)
	return tlv.Encode(TagDG1, tlv.Encode(0x5F1F, []byte(mrz)))
}
