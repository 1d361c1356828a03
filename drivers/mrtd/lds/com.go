package lds

import (
	"errors"
	"github.com/tramso/tramso/internal/errtext"

	"github.com/tramso/tramso/drivers/tlv"
)

// Errors shared by the parsers of this package; callers test them with errors.Is.
var (
	ErrMalformed = errors.New("dữ liệu LDS không hợp lệ (malformed LDS data)")
	ErrWrongTag  = errors.New("sai thẻ gốc của tệp (wrong file tag)")
)

// Root tags of the LDS files (ICAO 9303-10).
const (
	TagCOM  tlv.Tag = 0x60
	TagDG1  tlv.Tag = 0x61
	TagDG2  tlv.Tag = 0x75
	TagDG13 tlv.Tag = 0x6D
	TagDG14 tlv.Tag = 0x6E
	TagDG15 tlv.Tag = 0x6F
	TagSOD  tlv.Tag = 0x77
)

// Elementary file identifiers in the eMRTD application.
const (
	FileCOM        uint16 = 0x011E
	FileSOD        uint16 = 0x011D
	FileCardAccess uint16 = 0x011C // in the MF
)

// dgTags maps data group numbers 1..16 to their root tags (ICAO 9303-10 table).
var dgTags = [17]tlv.Tag{0, 0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70}

// DGTag returns the root tag of data group n (1..16), or 0.
func DGTag(n int) tlv.Tag {
	if n < 1 || n > 16 {
		return 0
	}
	return dgTags[n]
}

// DGNumber returns the data group number whose root tag is t, or 0.
func DGNumber(t tlv.Tag) int {
	for n := 1; n <= 16; n++ {
		if dgTags[n] == t {
			return n
		}
	}
	return 0
}

// DGFileID returns the file identifier of data group n (0x0101…0x0110), or 0.
func DGFileID(n int) uint16 {
	if n < 1 || n > 16 {
		return 0
	}
	return 0x0100 + uint16(n)
}

// COM is EF.COM: the LDS and Unicode versions and the list of data groups present.
type COM struct {
	LDSVersion     string    // four digits, e.g. "0107" for LDS 1.7
	UnicodeVersion string    // six digits, e.g. "040000"
	Tags           []tlv.Tag // root tags of the data groups present, e.g. 0x61, 0x75
}

// DataGroups returns the data group numbers listed in the tag list.
func (c COM) DataGroups() []int {
	var out []int
	for _, t := range c.Tags {
		if n := DGNumber(t); n != 0 {
			out = append(out, n)
		}
	}
	return out
}

// ParseCOM parses EF.COM (tag 60 containing 5F01, 5F36 and 5C).
func ParseCOM(b []byte) (COM, error) {
	v, err := unwrap(b, TagCOM, "EF.COM")
	if err != nil {
		return COM{}, err
	}
	objs, err := tlv.Parse(v)
	if err != nil {
		return COM{}, errtext.Wrap(errors.New("EF.COM hỏng (malformed EF.COM)"), err)
	}
	var c COM
	var haveList bool
	for _, o := range objs {
		switch o.Tag {
		case 0x5F01:
			c.LDSVersion = string(o.Value)
		case 0x5F36:
			c.UnicodeVersion = string(o.Value)
		case 0x5C:
			haveList = true
			for _, t := range o.Value {
				c.Tags = append(c.Tags, tlv.Tag(t))
			}
		}
	}
	if !haveList {
		return COM{}, errtext.Wrap(errors.New("EF.COM thiếu danh sách thẻ (EF.COM has no tag list)"), ErrMalformed)
	}
	if !digits(c.LDSVersion, 4) {
		return COM{}, errtext.Wrap(errors.New("EF.COM: phiên bản LDS không hợp lệ (bad LDS version)"), ErrMalformed)
	}
	if c.UnicodeVersion != "" && !digits(c.UnicodeVersion, 6) {
		return COM{}, errtext.Wrap(errors.New("EF.COM: phiên bản Unicode không hợp lệ (bad Unicode version)"), ErrMalformed)
	}
	return c, nil
}

// Bytes encodes EF.COM. Empty versions default to LDS "0107" and Unicode "040000". Only
// single-byte tags can be listed (as in every LDS 1 data group).
func (c COM) Bytes() []byte {
	lv, uv := c.LDSVersion, c.UnicodeVersion
	if lv == "" {
		lv = "0107"
	}
	if uv == "" {
		uv = "040000"
	}
	list := make([]byte, 0, len(c.Tags))
	for _, t := range c.Tags {
		list = append(list, byte(t))
	}
	var v []byte
	v = append(v, tlv.Encode(0x5F01, []byte(lv))...)
	v = append(v, tlv.Encode(0x5F36, []byte(uv))...)
	v = append(v, tlv.Encode(0x5C, list)...)
	return tlv.Encode(TagCOM, v)
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
