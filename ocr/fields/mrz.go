package fields

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tramso/tramso/drivers/mrtd/lds"
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
	// DocOK, BirthOK, ExpiryOK and CompositeOK say which check digits hold (after correction).
	DocOK, BirthOK, ExpiryOK, CompositeOK bool
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

// checkDigit is the ICAO 9303 check digit of s (lds.CheckDigit, shared with the card reader);
// 0, which matches no check digit, when s holds a character outside the MRZ alphabet.
func checkDigit(s string) byte {
	c, _ := lds.CheckDigit(s)
	return c
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

// findTD1 returns the three 30-character lines of a TD1 zone in text. Lines one or two characters
// too long or too short (a filler read twice, a character split in two) are repaired where check
// digits can tell how.
func findTD1(text string) ([3]string, bool) {
	lines := strings.Split(text, "\n")
	zoneLine := func(l string) (string, bool) {
		c := cleanMRZLine(strings.ReplaceAll(l, " ", ""))
		return c, len(c) >= 22 && len(c) <= 34 && mrzShare(l) >= 0.8
	}
	for i, l := range lines {
		c1, ok := zoneLine(l)
		if !ok || !strings.ContainsRune("IACTL1", rune(c1[0])) {
			continue
		}
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		if j >= len(lines) {
			break
		}
		c2, ok := zoneLine(lines[j])
		if !ok {
			continue
		}
		// the name line may come out short when its fillers are lost
		c3 := ""
		for k := j + 1; k < len(lines); k++ {
			if strings.TrimSpace(lines[k]) != "" {
				if mrzShare(lines[k]) >= 0.8 {
					c3 = cleanMRZLine(strings.ReplaceAll(lines[k], " ", ""))
				}
				break
			}
		}
		return [3]string{repairLine1(c1), repairLine2(c2), fit30(c3)}, true
	}
	return [3]string{}, false
}

// mrzShare is the share of the non-space runes of s that belong to the MRZ alphabet (or are read
// for its filler).
func mrzShare(s string) float64 {
	n, in := 0, 0
	for _, r := range s {
		if r == ' ' {
			continue
		}
		n++
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("<«‹≪", r) {
			in++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(in) / float64(n)
}

// variants30 lists 30-character readings of s: s itself when it has 30 characters, else s with
// one or two characters removed or one filler added, the filler-trimmed or padded form first (for
// a line ending in a check digit, the fillers before it).
func variants30(s string) []string {
	out := []string{fit30(s)}
	if n := len(s); n >= 22 && n < 30 && s[n-1] >= '0' && s[n-1] <= '9' {
		// fillers lost: put them back in the last run of fillers, or else before the check digit
		if i := strings.LastIndex(s[:n-1], "<"); i >= 0 {
			out = append([]string{s[:i] + strings.Repeat("<", 30-n) + s[i:]}, out...)
		}
		out = append([]string{s[:n-1] + strings.Repeat("<", 30-n) + s[n-1:]}, out...)
	}
	if n := len(s); n > 30 && n <= 34 {
		// fillers read too many times: drop them from the last run of fillers
		if i := strings.LastIndex(s, strings.Repeat("<", n-30+1)); i >= 0 {
			out = append([]string{s[:i] + s[i+n-30:]}, out...)
		}
	}
	switch {
	case len(s) == 31:
		for i := 0; i < len(s); i++ {
			out = append(out, s[:i]+s[i+1:])
		}
	case len(s) == 32:
		for i := 0; i < len(s); i++ {
			for j := i + 1; j < len(s); j++ {
				out = append(out, s[:i]+s[i+1:j]+s[j+1:])
			}
		}
	case len(s) == 29:
		for i := 0; i <= len(s); i++ {
			out = append(out, s[:i]+"<"+s[i:])
		}
	}
	return out
}

// repairLine1 picks the reading of line 1 whose document number check digit holds.
func repairLine1(s string) string {
	for _, v := range variants30(s) {
		if _, _, ok, _ := alnumField(v[5:14], v[14]); ok {
			return v
		}
	}
	return fit30(s)
}

// repairLine2 picks the reading of line 2 whose birth and expiry check digits hold. The
// nationality (positions 16–18) anchors the line: fillers lost or added before it are put back in
// the filler run before it, and what follows it is 11 fillers and the composite check digit.
func repairLine2(s string) string {
	cands := variants30(s)
	if i := strings.Index(s, "VNM"); i >= 8 && i != 15 {
		pre, post := s[:i], s[i+3:]
		if len(pre) < 15 {
			if j := strings.LastIndex(pre, "<"); j >= 0 {
				pre = pre[:j] + strings.Repeat("<", 15-len(pre)) + pre[j:]
			}
		} else if k := strings.Index(pre, strings.Repeat("<", len(pre)-15+1)); k >= 0 {
			pre = pre[:k] + pre[k+len(pre)-15:]
		}
		last := byte('<')
		if t := strings.TrimRight(post, "<"); t != "" {
			last = t[len(t)-1]
		}
		if len(pre) == 15 {
			cands = append(cands, pre+"VNM"+strings.Repeat("<", 11)+string(last))
		}
	}
	best, bestN := fit30(s), -1
	for _, v := range cands {
		n := 0
		if _, _, ok := numericField(v[0:6], v[6]); ok {
			n++
		}
		if _, _, ok := numericField(v[8:14], v[14]); ok {
			n++
		}
		if n > bestN {
			best, bestN = v, n
		}
	}
	return best
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
	if strings.Trim(field, "<") == "" && (check == '<' || check == '0') {
		return field, check, true // a date not given: fillers
	}
	f := digits(field)
	c := digits(string(check))[0]
	return f, c, checkDigit(f) == c
}

// alnumField chooses, among the field as read and its variants with single confusable characters
// swapped, one whose check digit holds.
func alnumField(field string, check byte) (string, byte, bool, bool) {
	c := digits(string(check))[0]
	if checkDigit(field) == c {
		return field, c, true, c != check
	}
	if d := digits(field); checkDigit(d) == c {
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
			if checkDigit(string(b)) == c {
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
	if m.Country == "VNM" || letters(l2[15:18]) == "VNM" {
		// a Vietnamese document number is the last 9 digits of the ID number: read as digits
		d, c, ok := numericField(l1[5:14], l1[14])
		docNum, docCheck, okDoc, corrDoc = d, c, ok, d != l1[5:14] || c != l1[14]
	}
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
	okComp := checkDigit(composite) == compCheck
	if !okComp && m.Country == "VNM" {
		composite = docNum + string(docCheck) + fit15(opt1) + birth + string(birthCheck) + expiry + string(expiryCheck) + opt2
		okComp = checkDigit(composite) == compCheck
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
	m.DocOK, m.BirthOK, m.ExpiryOK, m.CompositeOK = okDoc, okBirth, okExpiry, okComp
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

// checks counts the check digits that hold.
func (m *MRZ) checks() int {
	n := 0
	for _, ok := range []bool{m.DocOK, m.BirthOK, m.ExpiryOK, m.CompositeOK} {
		if ok {
			n++
		}
	}
	return n
}

// Values gives the zone's fields as kioskctl prints them: documentNumber, idNumber,
// dateOfBirth and expiryDate (YYYY-MM-DD; expiryDate "" when the zone carries fillers, a card valid
// without limit) and sex (M or F). A field whose check digit fails after correction is left out;
// the ID number and sex, which have no check digit of their own, are kept only when the composite
// check digit holds or, for the ID number, when it ends with the checked document number.
func (m *MRZ) Values() map[string]Value {
	out := map[string]Value{}
	conf := 1.0
	if m.Corrected || !m.Valid {
		conf = 0.9
	}
	if !m.CompositeOK {
		conf -= 0.2
	}
	if m.DocOK && len(m.DocNumber) == 9 && (!m.vietnamese() || strings.Trim(m.DocNumber, "0123456789") == "") {
		out["documentNumber"] = Value{m.DocNumber, conf}
	}
	id := m.Optional1
	if len(id) >= 12 {
		id = id[:12]
	}
	if len(id) == 12 && strings.Trim(id, "0123456789") == "" && (m.CompositeOK || (m.DocOK && id[3:] == m.DocNumber)) {
		out["idNumber"] = Value{id, conf}
	}
	century := func(yy int) int {
		// the ID number's 4th digit codes the century when its 5th and 6th are the same year
		if out["idNumber"].Value != "" && int(id[4]-'0')*10+int(id[5]-'0') == yy {
			return 1900 + 100*int((id[3]-'0')/2)
		}
		if yy > 40 {
			return 1900
		}
		return 2000
	}
	if m.BirthOK {
		if v, ok := yymmdd(m.BirthDate, century); ok {
			out["dateOfBirth"] = Value{v, conf}
		}
	}
	if m.ExpiryOK {
		if strings.Trim(m.ExpiryDate, "<") == "" {
			out["expiryDate"] = Value{"", conf}
		} else if v, ok := yymmdd(m.ExpiryDate, func(int) int { return 2000 }); ok {
			out["expiryDate"] = Value{v, conf}
		}
	}
	// the sex has no check digit: it is taken when the composite holds or it lies between the
	// birth and expiry dates whose own check digits hold
	if (m.Sex == "M" || m.Sex == "F") && (m.CompositeOK || m.BirthOK && m.ExpiryOK) {
		out["sex"] = Value{m.Sex, conf}
	}
	return out
}

func yymmdd(s string, century func(yy int) int) (string, bool) {
	if len(s) != 6 || strings.Trim(s, "0123456789") != "" {
		return "", false
	}
	yy := int(s[0]-'0')*10 + int(s[1]-'0')
	mo := int(s[2]-'0')*10 + int(s[3]-'0')
	d := int(s[4]-'0')*10 + int(s[5]-'0')
	y := century(yy) + yy
	if !validDate(y, mo, d) {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, mo, d), true
}

// vietnamese says the zone is a Vietnamese card's: VNM as issuing state or nationality (one
// letter may be misread in one of them), whose document number is 9 digits.
func (m *MRZ) vietnamese() bool {
	near := func(a string) bool {
		d := 0
		for i := 0; i < 3 && i < len(a); i++ {
			if a[i] != "VNM"[i] {
				d++
			}
		}
		return len(a) == 3 && d <= 1
	}
	return m.Country == "VNM" || m.Nationality == "VNM" || near(m.Country) && near(m.Nationality)
}
