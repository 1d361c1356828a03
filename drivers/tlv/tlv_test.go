package tlv

import (
	"bytes"
	"errors"
	"testing"
)

func TestEncodeNext(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 255, 256, 65535, 65536} {
		v := bytes.Repeat([]byte{0xAB}, n)
		for _, tag := range []Tag{0x87, 0x5F1F, 0x7F49, 0x5F8101} {
			enc := Encode(tag, v)
			gt, gv, rest, err := Next(append(enc, 0x99))
			if err != nil || gt != tag || !bytes.Equal(gv, v) || !bytes.Equal(rest, []byte{0x99}) {
				t.Fatalf("tag %s len %d: %s %d %x %v", tag, n, gt, len(gv), rest, err)
			}
		}
	}
}

func TestKnownEncodings(t *testing.T) {
	// DO'87 from ICAO 9303-11 Appendix D.4: 87 09 01 <8 bytes>.
	got := Encode(0x87, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	if !bytes.Equal(got[:2], []byte{0x87, 0x09}) {
		t.Fatalf("%x", got)
	}
	if !bytes.Equal(EncodeLength(200), []byte{0x81, 0xC8}) || !bytes.Equal(EncodeLength(0x1234), []byte{0x82, 0x12, 0x34}) {
		t.Fatal("DER lengths")
	}
	if !Tag(0x7C).Constructed() || Tag(0x5F1F).Constructed() || !Tag(0x7F49).Constructed() || Tag(0x87).Constructed() {
		t.Fatal("constructed bit")
	}
}

func TestFind(t *testing.T) {
	// 61 { 5F1F "MRZ" } inside a DG1-like structure, with a sibling before it.
	inner := append(Encode(0x02, []byte{1}), Encode(0x5F1F, []byte("MRZ"))...)
	dg1 := Encode(0x61, inner)
	v, err := Find(dg1, 0x61, 0x5F1F)
	if err != nil || string(v) != "MRZ" {
		t.Fatalf("%q %v", v, err)
	}
	if _, err := Find(dg1, 0x61, 0x5F20); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing tag: %v", err)
	}
	if _, err := Find(dg1, 0x61, 0x02, 0x01); !errors.Is(err, ErrMalformed) {
		t.Fatalf("descending into a primitive: %v", err)
	}
}

func TestMalformed(t *testing.T) {
	for name, c := range map[string]struct {
		in   []byte
		want error
	}{
		"empty":       {nil, ErrTruncated},
		"no length":   {[]byte{0x87}, ErrTruncated},
		"short value": {[]byte{0x87, 0x05, 1, 2}, ErrTruncated},
		"indefinite":  {[]byte{0x30, 0x80, 0, 0}, ErrMalformed},
		"5 len bytes": {[]byte{0x04, 0x85, 0, 0, 0, 0, 1, 0}, ErrMalformed},
		"long tag":    {[]byte{0x5F, 0x81, 0x81, 0x81, 0x01, 0x00}, ErrMalformed},
		"cut tag":     {[]byte{0x5F}, ErrTruncated},
		"huge length": {[]byte{0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF}, ErrTruncated},
	} {
		if _, _, _, err := Next(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v want %v", name, err, c.want)
		}
	}
	if _, err := Parse([]byte{0x87, 0x01, 0x01, 0x99}); err == nil {
		t.Error("trailing garbage accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Encode(0x61, Encode(0x5F1F, []byte("I<VNM"))))
	f.Add([]byte{0x7C, 0x82, 0x00, 0x04, 0x80, 0x02, 0x01, 0x02})
	f.Add([]byte{0x30, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		objs, err := Parse(b)
		if err != nil {
			return
		}
		// What parses re-encodes to the same bytes when lengths were minimal; at least the sizes add up.
		total := 0
		for _, o := range objs {
			total += len(Encode(o.Tag, o.Value))
			if o.Tag.Constructed() {
				Parse(o.Value)
			}
		}
		if total > len(b) {
			t.Fatalf("re-encoding is longer (%d) than the input (%d)", total, len(b))
		}
	})
}
