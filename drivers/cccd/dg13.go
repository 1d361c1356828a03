package cccd

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/tlv"
)

// ErrDG13 is matched by every DG13 structure error.
var ErrDG13 = errors.New("DG13 không hợp lệ (malformed DG13)")

// DG13 field numbers (idcard.md §3.4).
const (
	FieldIDNumber         = 1
	FieldFullName         = 2
	FieldDateOfBirth      = 3
	FieldSex              = 4
	FieldNationality      = 5
	FieldEthnicity        = 6
	FieldReligion         = 7
	FieldPlaceOfOrigin    = 8
	FieldPlaceOfResidence = 9
	FieldIdentifyingMarks = 10
	FieldIssueDate        = 11
	FieldExpiryDate       = 12
	FieldParents          = 13 // SEQUENCE { father, mother }
	FieldSpouse           = 14 // SEQUENCE { spouse }, absent if unmarried
	FieldOldIDNumber      = 15 // old CMND number, absent if none
)

// NoExpiry is the text DG13 field 12 holds for a card that does not expire.
const NoExpiry = "Không thời hạn"

// dg13OID is 1.0.10646.1.0.8 as found in DG13 (meaning unconfirmed: the ISO 10646 UTF-8 arc).
var dg13OID = asn1.ObjectIdentifier{1, 0, 10646, 1, 0, 8}

// DG13Field is a DG13 field kept as raw DER: unknown field numbers and field 16, whose meaning
// is unconfirmed (a 16-hex-character string on real cards).
type DG13Field struct {
	Number int
	Value  []byte // DER of the value element
}

// String returns the field's text if it is a string, else its hex.
func (f DG13Field) String() string {
	var s string
	if _, err := asn1.Unmarshal(f.Value, &s); err == nil {
		return s
	}
	return fmt.Sprintf("%X", f.Value)
}

// DG13 is the Vietnamese civil-data group (tag 6D).
type DG13 struct {
	// Citizen holds the fields found; absent fields are empty. Photo is always empty.
	Citizen Citizen
	// Extra holds fields this package does not map, by field number.
	Extra []DG13Field
}

func dg13Err(what string) error {
	return fmt.Errorf("DG13: %s: %w", what, ErrDG13)
}

// rawElements splits DER content into its elements.
func rawElements(b []byte) ([]asn1.RawValue, error) {
	var out []asn1.RawValue
	for len(b) > 0 {
		var v asn1.RawValue
		var err error
		if b, err = asn1.Unmarshal(b, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func dg13String(v asn1.RawValue, field string) (string, error) {
	if v.Class != asn1.ClassUniversal {
		return "", fieldErr(field, "không phải chuỗi (not a string)")
	}
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, asn1.TagT61String:
	default:
		return "", fieldErr(field, "không phải chuỗi (not a string)")
	}
	if !utf8.Valid(v.Bytes) {
		return "", fieldErr(field, reasonUTF8)
	}
	return strings.TrimSpace(norm.NFC.String(string(v.Bytes))), nil
}

// chipDate converts a DG13 date (dd/mm/yyyy; dd-mm-yyyy, ddmmyyyy and yyyy-mm-dd accepted) to
// YYYY-MM-DD.
func chipDate(s, field string) (string, error) {
	for _, layout := range []string{"02/01/2006", "02-01-2006", "02012006", time.DateOnly, "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", fieldErr(field, reasonDate)
}

// ParseDG13 parses DG13 by field number (never by position): fields may come in any order or be
// absent; unknown field numbers are kept in Extra. Dates come back as YYYY-MM-DD, text as NFC.
func ParseDG13(b []byte) (DG13, error) {
	tag, v, rest, err := tlv.Next(b)
	if err != nil {
		return DG13{}, fmt.Errorf("DG13 hỏng (malformed DG13): %w", errors.Join(ErrDG13, err))
	}
	if tag != lds.TagDG13 {
		return DG13{}, dg13Err(fmt.Sprintf("thẻ gốc %s (root tag %s)", tag, tag))
	}
	for _, c := range rest {
		if c != 0 && c != 0xFF {
			return DG13{}, dg13Err("dữ liệu thừa (trailing data)")
		}
	}
	outer, err := rawElements(v)
	if err != nil || len(outer) == 0 || outer[0].Tag != asn1.TagSequence {
		return DG13{}, dg13Err("thiếu SEQUENCE (no content SEQUENCE)")
	}
	content, err := rawElements(outer[0].Bytes)
	if err != nil {
		return DG13{}, dg13Err("SEQUENCE hỏng (malformed content)")
	}
	var set *asn1.RawValue
	for i := range content {
		if content[i].Class == asn1.ClassUniversal && content[i].Tag == asn1.TagSet {
			set = &content[i]
			break
		}
	}
	if set == nil {
		return DG13{}, dg13Err("thiếu SET các trường (no SET of fields)")
	}
	entries, err := rawElements(set.Bytes)
	if err != nil {
		return DG13{}, dg13Err("SET hỏng (malformed SET)")
	}
	var d DG13
	seen := map[int]bool{}
	c := &d.Citizen
	strField := map[int]struct {
		key string
		dst *string
	}{
		FieldIDNumber: {"idNumber", &c.IDNumber}, FieldFullName: {"fullName", &c.FullName},
		FieldDateOfBirth: {"dateOfBirth", &c.DateOfBirth}, FieldSex: {"sex", &c.Sex},
		FieldNationality: {"nationality", &c.Nationality}, FieldEthnicity: {"ethnicity", &c.Ethnicity},
		FieldReligion: {"religion", &c.Religion}, FieldPlaceOfOrigin: {"placeOfOrigin", &c.PlaceOfOrigin},
		FieldPlaceOfResidence: {"placeOfResidence", &c.PlaceOfResidence},
		FieldIdentifyingMarks: {"identifyingMarks", &c.IdentifyingMarks},
		FieldIssueDate:        {"issueDate", &c.IssueDate}, FieldExpiryDate: {"expiryDate", &c.ExpiryDate},
		FieldOldIDNumber: {"oldIdNumber", &c.OldIDNumber},
	}
	for _, e := range entries {
		if e.Class != asn1.ClassUniversal || e.Tag != asn1.TagSequence {
			return DG13{}, dg13Err("trường không phải SEQUENCE (field is not a SEQUENCE)")
		}
		parts, err := rawElements(e.Bytes)
		if err != nil || len(parts) == 0 || parts[0].Tag != asn1.TagInteger || parts[0].Class != asn1.ClassUniversal {
			return DG13{}, dg13Err("trường thiếu số thứ tự (field without number)")
		}
		var n int
		if _, err := asn1.Unmarshal(parts[0].FullBytes, &n); err != nil || n < 0 {
			return DG13{}, dg13Err("số thứ tự trường hỏng (bad field number)")
		}
		if seen[n] {
			return DG13{}, dg13Err(fmt.Sprintf("trường %d lặp lại (field %d repeated)", n, n))
		}
		seen[n] = true
		if len(parts) < 2 {
			continue // a field without a value is absent
		}
		val := parts[1]
		if sf, ok := strField[n]; ok {
			s, err := dg13String(val, sf.key)
			if err != nil {
				return DG13{}, err
			}
			*sf.dst = s
			continue
		}
		switch n {
		case FieldParents, FieldSpouse:
			if val.Class != asn1.ClassUniversal || val.Tag != asn1.TagSequence {
				return DG13{}, dg13Err(fmt.Sprintf("trường %d không phải SEQUENCE (field %d is not a SEQUENCE)", n, n))
			}
			names, err := rawElements(val.Bytes)
			if err != nil {
				return DG13{}, dg13Err(fmt.Sprintf("trường %d hỏng (field %d malformed)", n, n))
			}
			dsts := []struct {
				key string
				dst *string
			}{{"fatherName", &c.FatherName}, {"motherName", &c.MotherName}}
			if n == FieldSpouse {
				dsts = dsts[:0]
				dsts = append(dsts, struct {
					key string
					dst *string
				}{"spouseName", &c.SpouseName})
			}
			for i, nm := range names {
				if i >= len(dsts) {
					break
				}
				s, err := dg13String(nm, dsts[i].key)
				if err != nil {
					return DG13{}, err
				}
				*dsts[i].dst = s
			}
		default:
			d.Extra = append(d.Extra, DG13Field{Number: n, Value: val.FullBytes})
		}
	}
	sort.Slice(d.Extra, func(i, j int) bool { return d.Extra[i].Number < d.Extra[j].Number })
	for _, f := range []struct {
		key string
		dst *string
	}{{"dateOfBirth", &c.DateOfBirth}, {"issueDate", &c.IssueDate}, {"expiryDate", &c.ExpiryDate}} {
		if *f.dst == "" {
			continue
		}
		if f.key == "expiryDate" && strings.EqualFold(*f.dst, NoExpiry) {
			*f.dst = ""
			continue
		}
		s, err := chipDate(*f.dst, f.key)
		if err != nil {
			return DG13{}, err
		}
		*f.dst = s
	}
	return d, nil
}

// BuildDG13 encodes a citizen as DG13 the way the card lays it out: 6D { SEQUENCE { INTEGER 1,
// OID 1.0.10646.1.0.8, SET { SEQUENCE { INTEGER n, value } … } } }, fields in number order, text
// as UTF8String, dates dd/mm/yyyy, field 12 "Không thời hạn" for a card without expiry, parents
// as a nested SEQUENCE, spouse (14) and old ID (15) absent when empty.
func BuildDG13(c Citizen) ([]byte, error) {
	return DG13{Citizen: c}.Bytes()
}

func utf8String(s string) []byte { return tlv.Encode(0x0C, []byte(norm.NFC.String(s))) }

func toChipDate(s, field string) (string, error) {
	t, ok := parseDate(s)
	if !ok {
		return "", fieldErr(field, reasonDate)
	}
	return t.Format("02/01/2006"), nil
}

// Bytes encodes the DG13, with Extra fields placed by number among the others.
func (d DG13) Bytes() ([]byte, error) {
	c := d.Citizen
	type field struct {
		n   int
		val []byte
	}
	var fields []field
	add := func(n int, s string) {
		if s != "" {
			fields = append(fields, field{n, utf8String(s)})
		}
	}
	add(FieldIDNumber, c.IDNumber)
	add(FieldFullName, c.FullName)
	for _, df := range []struct {
		n        int
		key, val string
	}{{FieldDateOfBirth, "dateOfBirth", c.DateOfBirth}, {FieldIssueDate, "issueDate", c.IssueDate}, {FieldExpiryDate, "expiryDate", c.ExpiryDate}} {
		switch {
		case df.n == FieldExpiryDate && df.val == "":
			if c.IssueDate != "" {
				add(df.n, NoExpiry)
			}
		case df.val != "":
			s, err := toChipDate(df.val, df.key)
			if err != nil {
				return nil, err
			}
			add(df.n, s)
		}
	}
	add(FieldSex, c.Sex)
	add(FieldNationality, c.Nationality)
	add(FieldEthnicity, c.Ethnicity)
	add(FieldReligion, c.Religion)
	add(FieldPlaceOfOrigin, c.PlaceOfOrigin)
	add(FieldPlaceOfResidence, c.PlaceOfResidence)
	add(FieldIdentifyingMarks, c.IdentifyingMarks)
	if c.FatherName != "" || c.MotherName != "" {
		fields = append(fields, field{FieldParents, tlv.Encode(0x30, append(utf8String(c.FatherName), utf8String(c.MotherName)...))})
	}
	if c.SpouseName != "" {
		fields = append(fields, field{FieldSpouse, tlv.Encode(0x30, utf8String(c.SpouseName))})
	}
	add(FieldOldIDNumber, c.OldIDNumber)
	for _, e := range d.Extra {
		fields = append(fields, field{e.Number, e.Value})
	}
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].n < fields[j].n })
	var set []byte
	for _, f := range fields {
		num, err := asn1.Marshal(f.n)
		if err != nil {
			return nil, err
		}
		set = append(set, tlv.Encode(0x30, append(num, f.val...))...)
	}
	oid, err := asn1.Marshal(dg13OID)
	if err != nil {
		return nil, err
	}
	seq := append([]byte{0x02, 0x01, 0x01}, oid...)
	seq = append(seq, tlv.Encode(0x31, set)...)
	return tlv.Encode(lds.TagDG13, tlv.Encode(0x30, seq)), nil
}
