// Package dossier is the citizen's dossier (hồ sơ) as the kiosk captures it: the procedure, the
// receiving unit, the applicant, the form fields and one searchable PDF per document, plus what makes it
// deliverable exactly once: an idempotency key created at capture, a local receipt number, and a
// manifest in canonical JSON signed with the kiosk's device key (ECDSA P-256).
//
// The manifest is the dossier itself serialised by [Dossier.Manifest]; the central server verifies the
// signature over the exact bytes it receives, so the bytes are produced once, at capture, and stored.
package dossier

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/api/wire"
	"golang.org/x/text/unicode/norm"
)

// ManifestVersion is the version of the manifest layout produced by [Dossier.Manifest].
const ManifestVersion = 1

// Dossier is one captured dossier. Its JSON form is the manifest sent to the central system.
type Dossier struct {
	Version        int               `json:"version"`
	IdempotencyKey string            `json:"idempotencyKey"`
	KioskID        string            `json:"kioskId"`
	ReceiptNo      string            `json:"receiptNo"`
	CapturedAt     time.Time         `json:"capturedAt"`
	Procedure      Procedure         `json:"procedure"`
	Unit           Unit              `json:"unit"`
	Applicant      Applicant         `json:"applicant"`
	Fields         map[string]string `json:"fields"`
	Attachments    []Attachment      `json:"attachments"`
	Consent        Consent           `json:"consent"`

	// DateFields names the Fields whose values are dates (the form fields of kind date). It is
	// not part of the manifest: Normalize writes those values YYYY-MM-DD, as it does the
	// applicant's date of birth, and Validate and Manifest refuse one that is not a date.
	DateFields []string `json:"-"`
}

// Procedure is the administrative procedure (thủ tục hành chính) requested.
type Procedure struct {
	Code string `json:"code"` // national procedure code, e.g. 1.001193
	Name string `json:"name"`
}

// Unit is the receiving unit, identified by its agency code (mã định danh cơ quan, QCVN 102:2016).
type Unit struct {
	Code string `json:"code"` // e.g. 000.00.21.H26
	Name string `json:"name"`
}

// Applicant is the person filing the dossier, as read from the identity card.
type Applicant struct {
	IDNumber    string           `json:"idNumber"`              // 12-digit personal identification number
	FullName    string           `json:"fullName"`              // family name first, with diacritics
	DateOfBirth string           `json:"dateOfBirth"`           // YYYY-MM-DD (given dd/mm/yyyy, Normalize converts it)
	Phone       string           `json:"phone,omitempty"`       // contact phone
	Address     string           `json:"address,omitempty"`     // place of residence
	PassiveAuth wire.PassiveAuth `json:"passiveAuth,omitempty"` // valid, invalid or unverified (wire.PassiveAuth)
}

// Attachment is one document of the dossier: a searchable PDF, referenced by its SHA-256.
type Attachment struct {
	Type   string `json:"type"`   // document type, e.g. to-khai
	Name   string `json:"name"`   // document name shown to people
	Pages  int    `json:"pages"`  // page count of the PDF
	SHA256 string `json:"sha256"` // lower-case hex of the file's SHA-256
	Size   int64  `json:"size"`   // file size in bytes
	// Mismatch marks a document whose scanned paper did not look like its type, kept by the
	// citizen anyway: staff check it before the dossier is processed.
	Mismatch *Mismatch `json:"mismatch,omitempty"`
}

// Mismatch codes: what the kiosk saw on a kept paper.
const (
	MismatchPaper      = "paper_mismatch" // the title (or MRZ) of another document type
	MismatchBlank      = "blank_page"     // a blank page
	MismatchUpsideDown = "upside_down"    // a page scanned upside down (filed upright)
)

// Mismatch is why a kept paper did not look like its document type.
type Mismatch struct {
	Code      string `json:"code"`                // one of the Mismatch constants
	LooksLike string `json:"looksLike,omitempty"` // MismatchPaper: the document type the paper looks like
	Page      int    `json:"page,omitempty"`      // the page (1-based) that raised it
}

// Consent records the citizen's agreement to the processing of their personal data.
type Consent struct {
	Given bool      `json:"given"`
	At    time.Time `json:"at,omitzero"`
	Text  string    `json:"text,omitempty"` // version or identifier of the consent text shown
}

// Requirement is one document a procedure requires.
type Requirement struct {
	Type     string `json:"type"`
	Name     string `json:"name"`
	Optional bool   `json:"optional,omitempty"`
	// Originals and Copies say how many originals (bản chính) and copies (bản sao) of the paper
	// to bring; central's catalogue gives them, a dossier's manifest leaves them out.
	Originals int `json:"originals,omitempty"`
	Copies    int `json:"copies,omitempty"`
}

var (
	agencyCodeRE  = regexp.MustCompile(`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$`)
	dossierCodeRE = regexp.MustCompile(`^([0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2})-([0-9]{6})-([0-9]{4})$`)
	idNumberRE    = regexp.MustCompile(`^[0-9]{12}$`)
	sha256RE      = regexp.MustCompile(`^[0-9a-f]{64}$`)
	docTypeRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,63}$`)
)

// ValidAgencyCode reports whether s has the agency-code form V1V2V3.Z1Z2.Y1Y2.MX1X2.
func ValidAgencyCode(s string) bool { return agencyCodeRE.MatchString(s) }

// NewIdempotencyKey returns a random UUID (version 4) to be stored with the dossier at capture and
// sent as the Idempotency-Key of every submission attempt.
func NewIdempotencyKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Normalize puts every text of d in Unicode NFC, trims surrounding spaces, writes every date
// (the applicant's date of birth and the DateFields) YYYY-MM-DD and sets times to UTC with
// millisecond precision, so that the manifest bytes do not depend on how the text was typed. A
// date that is not one is left as it is, for Validate and Manifest to refuse.
func (d *Dossier) Normalize() {
	n := func(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }
	d.IdempotencyKey, d.KioskID, d.ReceiptNo = n(d.IdempotencyKey), n(d.KioskID), n(d.ReceiptNo)
	d.CapturedAt = d.CapturedAt.UTC().Truncate(time.Millisecond)
	d.Procedure = Procedure{n(d.Procedure.Code), n(d.Procedure.Name)}
	d.Unit = Unit{n(d.Unit.Code), n(d.Unit.Name)}
	a := &d.Applicant
	a.IDNumber, a.FullName, a.DateOfBirth, a.Phone, a.Address, a.PassiveAuth =
		n(a.IDNumber), n(a.FullName), n(a.DateOfBirth), n(a.Phone), n(a.Address), wire.PassiveAuth(n(string(a.PassiveAuth)))
	if d.Fields != nil {
		f := make(map[string]string, len(d.Fields))
		for k, v := range d.Fields {
			f[n(k)] = norm.NFC.String(v)
		}
		d.Fields = f
	}
	if v, err := ManifestDate(a.DateOfBirth); err == nil {
		a.DateOfBirth = v
	}
	for _, k := range d.DateFields {
		if v, err := ManifestDate(d.Fields[n(k)]); err == nil && v != "" {
			d.Fields[n(k)] = v
		}
	}
	for i := range d.Attachments {
		at := &d.Attachments[i]
		at.Type, at.Name, at.SHA256 = n(at.Type), n(at.Name), strings.ToLower(n(at.SHA256))
		if at.Mismatch != nil {
			at.Mismatch.Code, at.Mismatch.LooksLike = n(at.Mismatch.Code), n(at.Mismatch.LooksLike)
		}
	}
	d.Consent.Text = n(d.Consent.Text)
	if !d.Consent.At.IsZero() {
		d.Consent.At = d.Consent.At.UTC().Truncate(time.Millisecond)
	}
}

// ManifestDate writes a date as the manifest holds it, YYYY-MM-DD, from YYYY-MM-DD or
// dd/mm/yyyy as citizens type it (surrounding spaces ignored); "" stays "". Anything else, and an
// impossible day, is refused with an error wrapping ErrBadDate (it does not repeat the value).
func ManifestDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", ErrBadDate
}

// badDates is the keys of the DateFields of d whose values ManifestDate refuses, sorted.
// (A bad date of birth is Validate's to refuse: a manifest received from elsewhere must still
// re-encode.)
func (d *Dossier) badDates() []string {
	var bad []string
	keys := slices.Clone(d.DateFields)
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if _, err := ManifestDate(d.Fields[k]); err != nil {
			bad = append(bad, k)
		}
	}
	return bad
}

// Manifest returns the canonical JSON of d: the fields in the fixed order of the Go types, map keys
// sorted, no insignificant white space, text in NFC, dates YYYY-MM-DD, times in UTC (RFC 3339).
// These are the bytes that are signed and sent; d is normalised first. A date field (DateFields)
// that is not a date (see ManifestDate) is refused with an error wrapping ErrBadDate.
func (d *Dossier) Manifest() ([]byte, error) {
	d.Normalize()
	if bad := d.badDates(); len(bad) > 0 {
		what := "field"
		if len(bad) > 1 {
			what = "fields"
		}
		return nil, fmt.Errorf("%w: %s %s", ErrBadDate, what, strings.Join(bad, ", "))
	}
	if d.Version == 0 {
		d.Version = ManifestVersion
	}
	if d.Fields == nil {
		d.Fields = map[string]string{}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("không tạo được bản kê hồ sơ (cannot encode the dossier manifest): %w", err)
	}
	return b, nil
}

// ParseManifest decodes manifest bytes received from elsewhere. It rejects trailing data; unknown
// fields of a later manifest version are ignored (the signature covers the bytes as received).
func ParseManifest(b []byte) (*Dossier, error) {
	var d Dossier
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadManifest, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", ErrBadManifest)
	}
	return &d, nil
}

// Validate checks that d is complete enough to be submitted and that every required document of
// the procedure is attached. The error is a *ValidationError listing every problem; its text names
// fields, never their values, so it may be logged.
func (d *Dossier) Validate(required []Requirement) error {
	var v ValidationError
	add := func(vi, en string) { v.Problems = append(v.Problems, vi+" ("+en+")") }
	if d.IdempotencyKey == "" {
		add("thiếu khóa chống trùng", "idempotency key missing")
	}
	if d.KioskID == "" {
		add("thiếu mã kiosk", "kiosk id missing")
	}
	if d.CapturedAt.IsZero() {
		add("thiếu thời điểm tiếp nhận", "capture time missing")
	}
	if d.Procedure.Code == "" || d.Procedure.Name == "" {
		add("thiếu mã hoặc tên thủ tục", "procedure code or name missing")
	}
	if !ValidAgencyCode(d.Unit.Code) {
		add("mã đơn vị tiếp nhận không đúng dạng 000.00.00.H00", "receiving unit code malformed")
	}
	if d.Unit.Name == "" {
		add("thiếu tên đơn vị tiếp nhận", "receiving unit name missing")
	}
	if !idNumberRE.MatchString(d.Applicant.IDNumber) {
		add("số định danh cá nhân phải có 12 chữ số", "personal id number must have 12 digits")
	}
	if d.Applicant.FullName == "" {
		add("thiếu họ tên người nộp", "applicant name missing")
	}
	if _, err := time.Parse("2006-01-02", d.Applicant.DateOfBirth); err != nil {
		add("ngày sinh không đúng dạng YYYY-MM-DD", "date of birth malformed")
	}
	keys := slices.Clone(d.DateFields)
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if _, err := ManifestDate(d.Fields[k]); err != nil {
			add(fmt.Sprintf("trường %s: ngày không hợp lệ, cần dạng dd/mm/yyyy", k), fmt.Sprintf("field %s: not a date, want dd/mm/yyyy", k))
		}
	}
	switch d.Applicant.PassiveAuth {
	case "", wire.PassiveValid, wire.PassiveInvalid, wire.PassiveUnverified:
	default:
		add("kết quả xác thực chip không hợp lệ", "passive authentication result unknown")
	}
	if len(d.Attachments) == 0 {
		add("hồ sơ chưa có giấy tờ nào", "no document attached")
	}
	have := map[string]bool{}
	for i, a := range d.Attachments {
		if !docTypeRE.MatchString(a.Type) {
			add(fmt.Sprintf("giấy tờ %d: loại giấy tờ không hợp lệ", i+1), fmt.Sprintf("document %d: bad document type", i+1))
		}
		if !sha256RE.MatchString(a.SHA256) || a.Size <= 0 || a.Pages < 0 {
			add(fmt.Sprintf("giấy tờ %d: thiếu mã băm, kích thước hoặc số trang", i+1), fmt.Sprintf("document %d: hash, size or page count missing", i+1))
		}
		if m := a.Mismatch; m != nil {
			switch {
			case m.Code != MismatchPaper && m.Code != MismatchBlank && m.Code != MismatchUpsideDown,
				m.Code == MismatchPaper && !docTypeRE.MatchString(m.LooksLike),
				m.Page < 0 || (a.Pages > 0 && m.Page > a.Pages):
				add(fmt.Sprintf("giấy tờ %d: dấu hiệu giấy không khớp không hợp lệ", i+1), fmt.Sprintf("document %d: bad mismatch mark", i+1))
			}
		}
		have[a.Type] = true
	}
	for _, r := range required {
		if !r.Optional && !have[r.Type] {
			v.Missing = append(v.Missing, r)
		}
	}
	if len(v.Problems) == 0 && len(v.Missing) == 0 {
		return nil
	}
	return &v
}

// ValidationError lists what is wrong with a dossier. Missing holds the required documents that are
// not attached, so the kiosk can tell the citizen which papers to bring.
type ValidationError struct {
	Problems []string
	Missing  []Requirement
}

func (v *ValidationError) Error() string {
	parts := append([]string(nil), v.Problems...)
	if len(v.Missing) > 0 {
		var names []string
		for _, r := range v.Missing {
			names = append(names, r.Type)
		}
		sort.Strings(names)
		parts = append(parts, "thiếu giấy tờ bắt buộc (required documents missing): "+strings.Join(names, ", "))
	}
	// One sentence per chain: ErrInvalid's; the problems, each a sentence of its own in Problems
	// (for people), are its English detail here.
	return ErrInvalid.Error() + ": " + errtext.English(strings.Join(parts, "; "))
}

// Is makes errors.Is(err, ErrInvalid) true for every *ValidationError.
func (v *ValidationError) Is(target error) bool { return target == ErrInvalid }
