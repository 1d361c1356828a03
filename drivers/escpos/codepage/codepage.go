// Package codepage maps between Unicode and the single-byte character code tables of ESC/POS
// printers, identified by the number the printer expects in ESC t n.
//
// Only the tables the kiosk uses are known: PC437 (the power-on default), WPC1252, and Epson's two
// TCVN-3 tables that together hold every precomposed Vietnamese letter (30 = lower case,
// 31 = upper case). In every table the bytes 0x00–0x7F are ASCII. The TCVN-3 tables follow the
// layout that printers implement (the escpos-printer-db grids TCVN-3-1 and TCVN-3-2), with the
// capital D-bar at 0xA7 of table 31 being U+0110 (Đ). They use no byte below 0x20 and leave
// 0x80–0x9F empty.
//
// Text given to Encode and TablesFor must be NFC (golang.org/x/text/unicode/norm): a letter
// spelt as base + combining mark is not found in any table.
package codepage

import (
	"fmt"

	"golang.org/x/text/encoding/charmap"
)

// Table identifies a printer code table by its ESC t number.
type Table int

// The code tables this package knows.
const (
	PC437      Table = 0  // USA, standard Europe (IBM code page 437); the power-on default
	WPC1252    Table = 16 // Windows-1252 Latin 1
	TCVN3Lower Table = 30 // TCVN-3 (1): precomposed lower-case Vietnamese
	TCVN3Upper Table = 31 // TCVN-3 (2): precomposed upper-case Vietnamese
)

// String returns the table's name and number, e.g. "TCVN-3 (1) [30]".
func (t Table) String() string {
	switch t {
	case PC437:
		return "PC437 [0]"
	case WPC1252:
		return "WPC1252 [16]"
	case TCVN3Lower:
		return "TCVN-3 (1) [30]"
	case TCVN3Upper:
		return "TCVN-3 (2) [31]"
	}
	return fmt.Sprintf("table %d", int(t))
}

// Known reports whether this package has the contents of table t.
func Known(t Table) bool {
	switch t {
	case PC437, WPC1252, TCVN3Lower, TCVN3Upper:
		return true
	}
	return false
}

// Tables returns every known table, in the order TablesFor uses when given no preference.
func Tables() []Table { return []Table{PC437, WPC1252, TCVN3Lower, TCVN3Upper} }

// VietnameseTables returns the two TCVN-3 tables, lower case first: between them they hold all
// 134 non-ASCII Vietnamese letters.
func VietnameseTables() []Table { return []Table{TCVN3Lower, TCVN3Upper} }

// The upper halves (0x80–0xFF) of the TCVN-3 tables, sixteen slots a row; a space is an empty slot
// (0xA0 is empty in both tables, so no real space is lost).
const (
	tcvn3LowerHigh = "" +
		"                " + // 0x80
		"                " + // 0x90
		"        ăâêôơưđ " + // 0xA0
		"     àảãáạ ằẳẵắ " + // 0xB0
		"      ặầẩẫấậè ẻẽ" + // 0xC0
		"éẹềểễếệìỉ   ĩíịò" + // 0xD0
		" ỏõóọồổỗốộờởỡớợù" + // 0xE0
		" ủũúụừửữứựỳỷỹýỵ " // 0xF0
	tcvn3UpperHigh = "" +
		"                " + // 0x80
		"                " + // 0x90
		" ĂÂ    Đ  ÊÔƠƯ  " + // 0xA0 (0xA7 is U+0110, not the Icelandic eth U+00D0)
		"     ÀẢÃÁẠ ẰẲẴẮ " + // 0xB0
		"      ẶẦẨẪẤẬÈ ẺẼ" + // 0xC0
		"ÉẸỀỂỄẾỆÌỈ   ĨÍỊÒ" + // 0xD0
		" ỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙ" + // 0xE0
		" ỦŨÚỤỪỬỮỨỰỲỶỸÝỴ " // 0xF0
)

// highHalf expands one of the grids above into its 128 slots; an empty slot is U+FFFD.
func highHalf(grid string) [128]rune {
	var h [128]rune
	i := 0
	for _, r := range grid {
		if i >= len(h) {
			panic("codepage: grid longer than 128 slots")
		}
		if r == ' ' {
			r = '\uFFFD'
		}
		h[i] = r
		i++
	}
	if i != len(h) {
		panic("codepage: grid shorter than 128 slots")
	}
	return h
}

// The expanded TCVN-3 grids. They are read-only after package initialisation.
var (
	tcvn3Lower = highHalf(tcvn3LowerHigh)
	tcvn3Upper = highHalf(tcvn3UpperHigh)
)

// Decode returns the character that byte b prints in table t, or U+FFFD when the slot is empty
// or the table is unknown. Bytes below 0x80 decode as ASCII (including control codes) in every
// known table.
func Decode(t Table, b byte) rune {
	if !Known(t) {
		if b < 0x80 {
			return rune(b)
		}
		return '\uFFFD'
	}
	if b < 0x80 {
		return rune(b)
	}
	switch t {
	case PC437:
		return charmap.CodePage437.DecodeByte(b)
	case WPC1252:
		return charmap.Windows1252.DecodeByte(b)
	case TCVN3Lower:
		return tcvn3Lower[b-0x80]
	case TCVN3Upper:
		return tcvn3Upper[b-0x80]
	}
	return '\uFFFD'
}

// Encode returns the byte that prints r in table t. ASCII maps to itself in every table; the
// second result is false when t has no slot for r (or t is unknown). r must be NFC.
func Encode(t Table, r rune) (byte, bool) {
	if r >= 0 && r < 0x80 {
		return byte(r), true
	}
	if r == '\uFFFD' {
		return 0, false
	}
	switch t {
	case PC437:
		return charmap.CodePage437.EncodeRune(r)
	case WPC1252:
		return charmap.Windows1252.EncodeRune(r)
	case TCVN3Lower:
		return findHigh(&tcvn3Lower, r)
	case TCVN3Upper:
		return findHigh(&tcvn3Upper, r)
	}
	return 0, false
}

func findHigh(h *[128]rune, r rune) (byte, bool) {
	for i, c := range h {
		if c == r {
			return byte(0x80 + i), true
		}
	}
	return 0, false
}

// TablesFor returns the tables among the given ones that hold r, in the order given, which is
// the caller's order of preference (for per-character table switching: keep the current table
// while it holds the next character, else switch to the first one that does). A nil among
// means Tables(). The result is empty when no table holds r.
func TablesFor(r rune, among []Table) []Table {
	if among == nil {
		among = Tables()
	}
	var out []Table
	for _, t := range among {
		if _, ok := Encode(t, r); ok {
			out = append(out, t)
		}
	}
	return out
}
