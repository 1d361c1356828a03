package fields

import (
	"errors"
	"strings"
)

// MRZ is the machine-readable zone of an ID card (ICAO 9303 TD1: three lines of 30 characters).
type MRZ struct {
	DocCode     string
	Country     string
	DocNumber   string
	Optional1   string // on a CCCD: the 12-digit personal ID number and its check digit
	BirthDate   string // YYMMDD
	Sex         string // M, F or <
	ExpiryDate  string // YYMMDD
	Nationality string
	Optional2   string
	Surname     string
	GivenNames  string
	// Valid is true when every check digit (document number, birth, expiry, composite) holds.
	Valid bool
	// Corrected is true when OCR confusions had to be undone to make the check digits hold.
	Corrected bool
	// Conf is 1 for a zone read as is, 0.9 when corrected, 0.3 when check digits still fail.
	Conf float64
}

// ErrNoMRZ reports text without a TD1 machine-readable zone.
var ErrNoMRZ = errors.New("không tìm thấy vùng MRZ (no machine-readable zone found)")

// mrzDigitFor and mrzLetterFor undo the usual OCR-B confusions.
var (
	mrzDigitFor  = map[byte]byte{'O': '0', 'Q': '0', 'D': '0', 'U': '0', 'I': '1', 'L': '1', 'T': '1', 'B': '8', 'S': '5', 'Z': '2', 'G': '6', 'A': '4'}
	mrzLetterFor = map[byte]byte{'0': 'O', '1': 'I', '8': 'B', '5': 'S', '2': 'Z', '6': 'G', '4': 'A'}
)

// CheckDigit computes the ICAO 9303 check digit (weights 7, 3, 1) of s.
func CheckDigit(s string) byte {
	w := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * w[i%3]
	}
	return byte('0' + sum%10)
}

// cleanMRZLine keeps the MRZ alphabet, mapping look-alikes of the filler '<'.
func cleanMRZLine(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '«' || r == '‹' || r == '≪' || r == '(' || r == '[' || r == '{':
			b.WriteByte('<')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '<':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// findTD1 returns the three 30-character lines of a TD1 zone in text.
func findTD1(text string) ([3]string, bool) {
	var cand []string
	for _, l := range strings.Split(text, "\n") {
		c := cleanMRZLine(l)
		if len(c) >= 28 && len(c) <= 32 && strings.Count(c, "<") >= 1 {
			cand = append(cand, c)
		}
	}
	for i := 0; i+3 <= len(cand); i++ {
		if cand[i][0] == 'I' || cand[i][0] == 'A' || cand[i][0] == 'C' || cand[i][0] == '1' {
			var out [3]string
			for j := 0; j < 3; j++ {
				out[j] = fit30(cand[i+j])
			}
			return out, true
		}
	}
	return [3]string{}, false
}

// fit30 pads with filler or cuts trailing filler to 30 characters.
func fit30(s string) string {
	for len(s) < 30 {
		s += "<"
	}
	for len(s) > 30 && strings.HasSuffix(s, "<") {
		s = s[:len(s)-1]
	}
	return s[:30]
}

func digits(s string) string {
	b := []byte(s)
	for i, c := range b {
		if d, ok := mrzDigitFor[c]; ok {
			b[i] = d
		}
	}
	return string(b)
}

func letters(s string) string {
	b := []byte(s)
	for i, c := range b {
		if l, ok := mrzLetterFor[c]; ok {
			b[i] = l
		}
	}
	return string(b)
}

// numericField returns the field and check digit with confusions undone, and whether it checks.
func numericField(field string, check byte) (string, byte, bool) {
	f := digits(field)
	c := digits(string(check))[0]
	return f, c, CheckDigit(f) == c
}

// alnumField chooses, among the field as read and its variants with single confusable characters
// swapped, one whose check digit holds.
func alnumField(field string, check byte) (string, byte, bool, bool) {
	c := digits(string(check))[0]
	if CheckDigit(field) == c {
		return field, c, true, c != check
	}
	if d := digits(field); CheckDigit(d) == c {
		return d, c, true, true
	}
	b := []byte(field)
	for i, ch := range b {
		alts := []byte{}
		if d, ok := mrzDigitFor[ch]; ok {
			alts = append(alts, d)
		}
		if l, ok := mrzLetterFor[ch]; ok {
			alts = append(alts, l)
		}
		for _, a := range alts {
			b[i] = a
			if CheckDigit(string(b)) == c {
				return string(b), c, true, true
			}
		}
		b[i] = ch
	}
	return field, c, false, false
}

// ParseMRZ finds and parses a TD1 zone in OCR text, undoing O↔0, I↔1, B↔8, S↔5, Z↔2 confusions:
// numeric fields are read as digits, alphabetic ones as letters, and check digits choose between
// candidates where a field may hold both.
func ParseMRZ(text string) (*MRZ, error) {
	l, ok := findTD1(text)
	if !ok {
		return nil, ErrNoMRZ
	}
	m := &MRZ{}
	l1, l2, l3 := l[0], l[1], l[2]
	m.DocCode = strings.TrimRight(letters(l1[0:2]), "<")
	m.Country = letters(l1[2:5])
	docNum, docCheck, okDoc, corrDoc := alnumField(l1[5:14], l1[14])
	// Optional data on a CCCD carries the 12-digit ID number and a check digit.
	opt1 := l1[15:30]
	if m.Country == "VNM" {
		opt1 = digits(strings.TrimRight(opt1, "<"))
	}
	birth, birthCheck, okBirth := numericField(l2[0:6], l2[6])
	m.Sex = strings.NewReplacer("H", "M", "E", "F").Replace(string(l2[7]))
	expiry, expiryCheck, okExpiry := numericField(l2[8:14], l2[14])
	m.Nationality = letters(l2[15:18])
	opt2 := l2[18:29]
	composite := docNum + string(docCheck) + l1[15:30] + birth + string(birthCheck) + expiry + string(expiryCheck) + opt2
	compCheck := digits(string(l2[29]))[0]
	okComp := CheckDigit(composite) == compCheck
	if !okComp && m.Country == "VNM" {
		composite = docNum + string(docCheck) + fit15(opt1) + birth + string(birthCheck) + expiry + string(expiryCheck) + opt2
		okComp = CheckDigit(composite) == compCheck
	}
	m.DocNumber = strings.TrimRight(docNum, "<")
	m.Optional1 = strings.TrimRight(opt1, "<")
	m.BirthDate, m.ExpiryDate = birth, expiry
	m.Optional2 = strings.TrimRight(opt2, "<")
	name := letters(l3)
	parts := strings.SplitN(name, "<<", 2)
	m.Surname = strings.TrimSpace(strings.ReplaceAll(parts[0], "<", " "))
	if len(parts) == 2 {
		m.GivenNames = strings.TrimSpace(strings.ReplaceAll(strings.Trim(parts[1], "<"), "<", " "))
	}
	m.Valid = okDoc && okBirth && okExpiry && okComp
	m.Corrected = m.Valid && (corrDoc || docNum != l1[5:14] || birth != l2[0:6] || birthCheck != l2[6] ||
		expiry != l2[8:14] || expiryCheck != l2[14] || compCheck != l2[29])
	switch {
	case m.Valid && !m.Corrected:
		m.Conf = 1
	case m.Valid:
		m.Conf = 0.9
	default:
		m.Conf = 0.3
	}
	return m, nil
}

func fit15(s string) string {
	for len(s) < 15 {
		s += "<"
	}
	return s[:15]
}
