package cccd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Citizen is the data printed on and stored in a CCCD. It is the JSON contract between the
// simulated card, `card read --json` and the forms: keys exactly as tagged, dates YYYY-MM-DD,
// text in Unicode NFC, an empty string meaning absent (ExpiryDate empty: the card does not
// expire).
type Citizen struct {
	IDNumber         string `json:"idNumber"`    // 12-digit personal identification number
	OldIDNumber      string `json:"oldIdNumber"` // old 9-digit CMND (or 12-digit number), if any
	FullName         string `json:"fullName"`
	DateOfBirth      string `json:"dateOfBirth"`
	Sex              string `json:"sex"` // "Nam" or "Nữ"
	Nationality      string `json:"nationality"`
	Ethnicity        string `json:"ethnicity"`
	Religion         string `json:"religion"`
	PlaceOfOrigin    string `json:"placeOfOrigin"`
	PlaceOfResidence string `json:"placeOfResidence"`
	IdentifyingMarks string `json:"identifyingMarks"`
	IssueDate        string `json:"issueDate"`
	ExpiryDate       string `json:"expiryDate"`
	FatherName       string `json:"fatherName"`
	MotherName       string `json:"motherName"`
	SpouseName       string `json:"spouseName"`
	// Photo is the face image file, relative to the JSON file's folder (see LoadPhoto).
	Photo string `json:"photo"`
}

// Sex values as printed on the card.
const (
	SexMale   = "Nam"
	SexFemale = "Nữ"
)

// ErrInvalidField is matched (errors.Is) by every *FieldError.
var ErrInvalidField = errors.New("dữ liệu công dân không hợp lệ (invalid citizen data)")

// FieldError names the field that failed validation. It never carries the field's value.
type FieldError struct {
	Field  string // JSON key, e.g. "dateOfBirth"
	Reason string // Vietnamese (English)
}

// fieldLabels gives each JSON key its Vietnamese name for messages.
var fieldLabels = map[string]string{
	"idNumber": "số định danh", "oldIdNumber": "số CMND cũ", "fullName": "họ và tên",
	"dateOfBirth": "ngày sinh", "sex": "giới tính", "nationality": "quốc tịch", "ethnicity": "dân tộc",
	"religion": "tôn giáo", "placeOfOrigin": "quê quán", "placeOfResidence": "nơi thường trú",
	"identifyingMarks": "đặc điểm nhận dạng", "issueDate": "ngày cấp", "expiryDate": "ngày hết hạn",
	"fatherName": "họ tên cha", "motherName": "họ tên mẹ", "spouseName": "họ tên vợ/chồng",
	"photo": "ảnh", "address": "địa chỉ", "qr": "mã QR", "can": "CAN",
}

func (e *FieldError) Error() string {
	label := fieldLabels[e.Field]
	if label == "" {
		label = e.Field
	}
	return fmt.Sprintf("%s (%s): %s", label, e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidField) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidField }

func fieldErr(field, reason string) error { return &FieldError{Field: field, Reason: reason} }

const (
	reasonRequired = "bắt buộc (required)"
	reasonDate     = "ngày không hợp lệ (invalid date)"
	reasonNFC      = "văn bản không ở dạng Unicode NFC (text is not Unicode NFC)"
	reasonUTF8     = "không phải UTF-8 hợp lệ (not valid UTF-8)"
	reasonDigits12 = "phải gồm đúng 12 chữ số (must be exactly 12 digits)"
)

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseDate parses YYYY-MM-DD, rejecting impossible dates.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// textFields lists the string fields with their JSON keys, for uniform checks.
func (c *Citizen) textFields() []struct {
	key string
	val *string
} {
	return []struct {
		key string
		val *string
	}{
		{"idNumber", &c.IDNumber}, {"oldIdNumber", &c.OldIDNumber}, {"fullName", &c.FullName},
		{"dateOfBirth", &c.DateOfBirth}, {"sex", &c.Sex}, {"nationality", &c.Nationality},
		{"ethnicity", &c.Ethnicity}, {"religion", &c.Religion}, {"placeOfOrigin", &c.PlaceOfOrigin},
		{"placeOfResidence", &c.PlaceOfResidence}, {"identifyingMarks", &c.IdentifyingMarks},
		{"issueDate", &c.IssueDate}, {"expiryDate", &c.ExpiryDate}, {"fatherName", &c.FatherName},
		{"motherName", &c.MotherName}, {"spouseName", &c.SpouseName}, {"photo", &c.Photo},
	}
}

// Validate checks the citizen record: a 12-digit ID; an old ID of 9 or 12 digits if present;
// a full name; real dates of birth and issue (and expiry, if present) in order; sex Nam or Nữ;
// every text valid UTF-8 in NFC. The error is a *FieldError naming the first bad field.
func (c Citizen) Validate() error {
	for _, f := range c.textFields() {
		if !utf8.ValidString(*f.val) {
			return fieldErr(f.key, reasonUTF8)
		}
		if !norm.NFC.IsNormalString(*f.val) {
			return fieldErr(f.key, reasonNFC)
		}
	}
	if len(c.IDNumber) != 12 || !allDigits(c.IDNumber) {
		return fieldErr("idNumber", reasonDigits12)
	}
	if c.OldIDNumber != "" && (!allDigits(c.OldIDNumber) || (len(c.OldIDNumber) != 9 && len(c.OldIDNumber) != 12)) {
		return fieldErr("oldIdNumber", "phải gồm 9 hoặc 12 chữ số (must be 9 or 12 digits)")
	}
	if c.FullName == "" {
		return fieldErr("fullName", reasonRequired)
	}
	dob, ok := parseDate(c.DateOfBirth)
	if !ok {
		return fieldErr("dateOfBirth", reasonDate)
	}
	if c.Sex != SexMale && c.Sex != SexFemale {
		return fieldErr("sex", "phải là Nam hoặc Nữ (must be Nam or Nữ)")
	}
	issue, ok := parseDate(c.IssueDate)
	if !ok {
		return fieldErr("issueDate", reasonDate)
	}
	if issue.Before(dob) {
		return fieldErr("issueDate", "trước ngày sinh (before the date of birth)")
	}
	if c.ExpiryDate != "" {
		exp, ok := parseDate(c.ExpiryDate)
		if !ok {
			return fieldErr("expiryDate", reasonDate)
		}
		if !exp.After(issue) {
			return fieldErr("expiryDate", "không sau ngày cấp (not after the issue date)")
		}
	}
	return nil
}

// Warnings returns cross-checks that do not make the record invalid: the century/sex digit and
// birth year encoded in the ID against the date of birth and sex, and an expiry date that differs
// from the one the renewal-age rule gives.
func (c Citizen) Warnings() []string {
	w := idWarnings(c.IDNumber, c.DateOfBirth, c.Sex)
	dob, ok1 := parseDate(c.DateOfBirth)
	issue, ok2 := parseDate(c.IssueDate)
	if ok1 && ok2 {
		exp, none := ExpiryDate(dob, issue)
		want := ""
		if !none {
			want = exp.Format(time.DateOnly)
		}
		if want != c.ExpiryDate {
			w = append(w, "ngày hết hạn khác với quy tắc tuổi đổi thẻ 25/40/60 (expiry date differs from the 25/40/60 renewal-age rule)")
		}
	}
	return w
}

// LoadCitizen reads and validates a citizen JSON file. Unknown keys are an error, so that a
// misspelt key is not silently dropped.
func LoadCitizen(path string) (Citizen, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Citizen{}, fmt.Errorf("không đọc được tệp công dân (reading citizen file): %w", err)
	}
	var c Citizen
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Citizen{}, fmt.Errorf("tệp công dân không phải JSON hợp lệ (citizen file is not valid JSON): %w", err)
	}
	if err := c.Validate(); err != nil {
		return Citizen{}, err
	}
	return c, nil
}

// LoadPhoto reads the face image a citizen file names, relative to that file's folder.
func LoadPhoto(citizenPath string, c Citizen) ([]byte, error) {
	if c.Photo == "" {
		return nil, fieldErr("photo", reasonRequired)
	}
	p := c.Photo
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(citizenPath), p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("không đọc được ảnh (reading photo): %w", err)
	}
	return b, nil
}
