package pdf

import (
	"encoding/binary"
	"sort"
)

// glyphlessFont builds a minimal TrueType font with two empty glyphs (.notdef and one blank glyph
// 500 units wide). The text layer maps every character to the blank glyph: nothing is drawn, and
// the ToUnicode map gives the characters back for search and copy.
func glyphlessFont() []byte {
	be := binary.BigEndian
	u16 := func(b []byte, v uint16) []byte { return be.AppendUint16(b, v) }
	u32 := func(b []byte, v uint32) []byte { return be.AppendUint32(b, v) }

	var head []byte
	head = u32(head, 0x00010000)             // version
	head = u32(head, 0x00010000)             // fontRevision
	head = u32(head, 0)                      // checkSumAdjustment, set below
	head = u32(head, 0x5F0F3CF5)             // magic
	head = u16(head, 0x000B)                 // flags
	head = u16(head, 1000)                   // unitsPerEm
	head = append(head, make([]byte, 16)...) // created, modified
	head = u16(head, 0)
	head = u16(head, 0xFF38) // yMin −200
	head = u16(head, 500)    // xMax
	head = u16(head, 800)    // yMax
	head = u16(head, 0)      // macStyle
	head = u16(head, 8)      // lowestRecPPEM
	head = u16(head, 2)      // fontDirectionHint
	head = u16(head, 0)      // indexToLocFormat short
	head = u16(head, 0)      // glyphDataFormat

	var hhea []byte
	hhea = u32(hhea, 0x00010000)
	hhea = u16(hhea, 800)    // ascender
	hhea = u16(hhea, 0xFF38) // descender
	hhea = u16(hhea, 0)      // lineGap
	hhea = u16(hhea, 500)    // advanceWidthMax
	hhea = u16(hhea, 0)
	hhea = u16(hhea, 0)
	hhea = u16(hhea, 500) // xMaxExtent
	hhea = u16(hhea, 1)   // caretSlopeRise
	hhea = u16(hhea, 0)
	hhea = u16(hhea, 0)
	hhea = append(hhea, make([]byte, 8)...)
	hhea = u16(hhea, 0) // metricDataFormat
	hhea = u16(hhea, 2) // numberOfHMetrics

	var maxp []byte
	maxp = u32(maxp, 0x00010000)
	maxp = u16(maxp, 2) // numGlyphs
	maxp = append(maxp, make([]byte, 26)...)
	be.PutUint16(maxp[6+8:], 1)  // maxZones
	be.PutUint16(maxp[6+10:], 0) // maxTwilightPoints

	var hmtx []byte
	hmtx = u16(hmtx, 500)
	hmtx = u16(hmtx, 0)
	hmtx = u16(hmtx, 500)
	hmtx = u16(hmtx, 0)

	loca := []byte{0, 0, 0, 0, 0, 0}
	glyf := []byte{0, 0, 0, 0}

	// cmap format 4 with only the closing segment.
	var cmap []byte
	cmap = u16(cmap, 0)
	cmap = u16(cmap, 1)
	cmap = u16(cmap, 3)
	cmap = u16(cmap, 1)
	cmap = u32(cmap, 12)
	cmap = u16(cmap, 4)
	cmap = u16(cmap, 24)
	cmap = u16(cmap, 0)
	cmap = u16(cmap, 2) // segCountX2
	cmap = u16(cmap, 2)
	cmap = u16(cmap, 0)
	cmap = u16(cmap, 0)
	cmap = u16(cmap, 0xFFFF) // endCode
	cmap = u16(cmap, 0)      // reservedPad
	cmap = u16(cmap, 0xFFFF) // startCode
	cmap = u16(cmap, 1)      // idDelta
	cmap = u16(cmap, 0)      // idRangeOffset

	var post []byte
	post = u32(post, 0x00030000)
	post = append(post, make([]byte, 28)...)

	tables := map[string][]byte{"head": head, "hhea": hhea, "maxp": maxp, "hmtx": hmtx, "loca": loca, "glyf": glyf, "cmap": cmap, "post": post}
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	var out []byte
	out = u32(out, 0x00010000)
	out = u16(out, uint16(n))
	out = u16(out, 128) // searchRange for 8 tables
	out = u16(out, 3)
	out = u16(out, uint16(n*16-128))
	off := 12 + 16*n
	var body []byte
	headOff := 0
	for _, t := range tags {
		d := tables[t]
		out = append(out, t...)
		out = u32(out, checksum(d))
		out = u32(out, uint32(off+len(body)))
		out = u32(out, uint32(len(d)))
		if t == "head" {
			headOff = off + len(body)
		}
		body = append(body, d...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	out = append(out, body...)
	be.PutUint32(out[headOff+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += binary.BigEndian.Uint32(w[:])
	}
	return s
}
