// Package tlv reads and writes BER-TLV as used by ISO/IEC 7816-4 and ICAO 9303 (data groups, secure
// messaging data objects, PACE dynamic authentication data). Lengths are DER (definite, at most four
// length bytes); indefinite lengths are rejected.
package tlv

import (
	"errors"
	"fmt"
)

// Tag is a BER tag as its bytes read big-endian: 0x61, 0x5F1F, 0x7F49, 0x7C, 0x87.
type Tag uint32

// Constructed reports whether the tag's constructed bit (b6 of its first byte) is set.
func (t Tag) Constructed() bool {
	first := uint32(t)
	for first > 0xFF {
		first >>= 8
	}
	return first&0x20 != 0
}

func (t Tag) bytes() []byte {
	switch {
	case t > 0xFFFFFF:
		return []byte{byte(t >> 24), byte(t >> 16), byte(t >> 8), byte(t)}
	case t > 0xFFFF:
		return []byte{byte(t >> 16), byte(t >> 8), byte(t)}
	case t > 0xFF:
		return []byte{byte(t >> 8), byte(t)}
	}
	return []byte{byte(t)}
}

func (t Tag) String() string { return fmt.Sprintf("%X", uint32(t)) }

// Errors returned by the parsers.
var (
	ErrTruncated = errors.New("TLV bị cắt cụt (truncated TLV)")
	ErrMalformed = errors.New("TLV không hợp lệ (malformed TLV)")
	ErrNotFound  = errors.New("không tìm thấy thẻ TLV (TLV tag not found)")
)

// EncodeLength returns the DER encoding of a length.
func EncodeLength(n int) []byte {
	switch {
	case n < 0x80:
		return []byte{byte(n)}
	case n <= 0xFF:
		return []byte{0x81, byte(n)}
	case n <= 0xFFFF:
		return []byte{0x82, byte(n >> 8), byte(n)}
	case n <= 0xFFFFFF:
		return []byte{0x83, byte(n >> 16), byte(n >> 8), byte(n)}
	}
	return []byte{0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

// Encode returns tag || DER length || value.
func Encode(tag Tag, value []byte) []byte {
	tb := tag.bytes()
	lb := EncodeLength(len(value))
	b := make([]byte, 0, len(tb)+len(lb)+len(value))
	b = append(b, tb...)
	b = append(b, lb...)
	return append(b, value...)
}

// Next reads one TLV from the start of b and returns its tag, its value and the bytes after it.
// The value aliases b.
func Next(b []byte) (tag Tag, value, rest []byte, err error) {
	if len(b) == 0 {
		return 0, nil, nil, fmt.Errorf("%w: empty input", ErrTruncated)
	}
	i := 0
	tag = Tag(b[0])
	i++
	if b[0]&0x1F == 0x1F { // multi-byte tag
		for {
			if i >= len(b) {
				return 0, nil, nil, fmt.Errorf("%w: tag", ErrTruncated)
			}
			if i >= 4 {
				return 0, nil, nil, fmt.Errorf("%w: tag longer than 4 bytes", ErrMalformed)
			}
			tag = tag<<8 | Tag(b[i])
			i++
			if b[i-1]&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return 0, nil, nil, fmt.Errorf("%w: length of tag %s", ErrTruncated, tag)
	}
	l := int(b[i])
	i++
	if l == 0x80 {
		return 0, nil, nil, fmt.Errorf("%w: indefinite length", ErrMalformed)
	}
	if l > 0x80 {
		nb := l & 0x7F
		if nb > 4 {
			return 0, nil, nil, fmt.Errorf("%w: %d length bytes", ErrMalformed, nb)
		}
		if i+nb > len(b) {
			return 0, nil, nil, fmt.Errorf("%w: length of tag %s", ErrTruncated, tag)
		}
		l = 0
		for _, c := range b[i : i+nb] {
			l = l<<8 | int(c)
		}
		i += nb
		if l < 0 {
			return 0, nil, nil, fmt.Errorf("%w: length overflow", ErrMalformed)
		}
	}
	if l > len(b)-i {
		return 0, nil, nil, fmt.Errorf("%w: tag %s wants %d bytes, %d left", ErrTruncated, tag, l, len(b)-i)
	}
	return tag, b[i : i+l : i+l], b[i+l:], nil
}

// Object is one parsed TLV.
type Object struct {
	Tag   Tag
	Value []byte
}

// Parse parses all of b as a sequence of TLVs. Trailing bytes that do not form a TLV are an error.
func Parse(b []byte) ([]Object, error) {
	var out []Object
	for len(b) > 0 {
		tag, v, rest, err := Next(b)
		if err != nil {
			return nil, err
		}
		out = append(out, Object{Tag: tag, Value: v})
		b = rest
	}
	return out, nil
}

// Find descends through constructed TLVs along path and returns the value of the last tag. At each
// level the first TLV with the wanted tag is taken.
func Find(b []byte, path ...Tag) ([]byte, error) {
	if len(path) == 0 {
		return b, nil
	}
	cur := b
	for depth, want := range path {
		found := false
		for len(cur) > 0 {
			tag, v, rest, err := Next(cur)
			if err != nil {
				return nil, err
			}
			if tag == want {
				if depth < len(path)-1 && !tag.Constructed() {
					return nil, fmt.Errorf("%w: tag %s is primitive", ErrMalformed, tag)
				}
				cur = v
				found = true
				break
			}
			cur = rest
		}
		if !found {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, want)
		}
	}
	return cur, nil
}
