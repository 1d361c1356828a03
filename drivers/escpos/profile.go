package escpos

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tramso/tramso/drivers/escpos/codepage"
)

// Profile describes one printer model, so one driver serves many: paper width, what the firmware
// supports and its quirks. The fields follow the community escpos-printer-db profiles plus what a
// kiosk needs that they lack (feed before cut, raster chunking, buffer size, sensors).
type Profile struct {
	Name        string // short id used on the command line and in config, e.g. "epson-tm-t82"
	Description string

	DotsPerLine int // printable width in dots: 576 (80 mm, 203 dpi), 512 (TM-T88, 180 dpi), 384 (58 mm)
	DPI         int // 203 or 180
	FontAWidth  int // ROM Font A cell width in dots (12 at 203 dpi, 10 on TM-T88 compatible mode)
	FontAHeight int // ROM Font A cell height in dots (24)

	NativeQR         bool // GS ( k QR codes
	Cutter           bool // has an autocutter
	PartialCut       bool // prefer a partial cut (leaves a hinge, the ticket does not fall)
	LegacyCut        bool // use ESC i / ESC m instead of GS V
	FeedBeforeCut    int  // extra dots fed before the cut beyond the cutter position (GS V 65 n)
	MaxRasterRows    int  // rows per GS v 0 command
	AvoidRowMultiple int  // raster heights that are multiples of this print garbage (POS-5890K: 48); 0 = none
	BufferBytes      int  // receive buffer; a job is paced so no more than this is in flight
	NearEndSensor    bool // reports paper near end
	Baud             int  // usual line speed when on serial

	// CodeTables lists the code tables (ESC t numbers) verified by a test print to hold precomposed
	// Vietnamese letters (Epson TCVN-3: 30 lower case, 31 upper case). Empty means Vietnamese text is
	// always printed as raster images.
	CodeTables []codepage.Table

	// PrintFullID prints the citizen's full ID number on receipts instead of only its last 4 digits.
	PrintFullID bool
}

// Columns returns how many Font A characters fit on a line at width multiplier 1.
func (p Profile) Columns() int { return p.DotsPerLine / p.FontAWidth }

// Vietnamese reports how the profile prints Vietnamese text: "tcvn3" or "raster".
func (p Profile) Vietnamese() string {
	if len(p.CodeTables) > 0 {
		return "tcvn3"
	}
	return "raster"
}

// Validate checks that the profile's numbers make sense.
func (p Profile) Validate() error {
	switch {
	case p.DotsPerLine < 64 || p.DotsPerLine > 832 || p.DotsPerLine%8 != 0:
		return fmt.Errorf("hồ sơ máy in %q: số điểm mỗi dòng %d không hợp lệ (bad dots per line)", p.Name, p.DotsPerLine)
	case p.FontAWidth < 8 || p.FontAHeight < 16:
		return fmt.Errorf("hồ sơ máy in %q: phông A không hợp lệ (bad font A cell)", p.Name)
	case p.MaxRasterRows < 8:
		return fmt.Errorf("hồ sơ máy in %q: số dòng ảnh tối đa quá nhỏ (max raster rows too small)", p.Name)
	case p.BufferBytes < 256:
		return fmt.Errorf("hồ sơ máy in %q: bộ đệm quá nhỏ (buffer too small)", p.Name)
	}
	for _, t := range p.CodeTables {
		if t != codepage.TCVN3Lower && t != codepage.TCVN3Upper {
			return fmt.Errorf("hồ sơ máy in %q: bảng mã %d không in được tiếng Việt dựng sẵn (code table holds no precomposed Vietnamese)", p.Name, t)
		}
	}
	return nil
}

func base80() Profile {
	return Profile{
		DotsPerLine: 576, DPI: 203, FontAWidth: 12, FontAHeight: 24,
		NativeQR: true, Cutter: true, PartialCut: true, FeedBeforeCut: 0,
		MaxRasterRows: 256, BufferBytes: 4096, Baud: 115200,
	}
}

// Profiles returns the built-in printer profiles by name.
func Profiles() map[string]Profile {
	ps := map[string]Profile{}
	add := func(p Profile) { ps[p.Name] = p }

	p := base80()
	p.Name, p.Description = "generic-80", "Máy in nhiệt 80 mm ESC/POS phổ thông (generic 80 mm, 203 dpi, QR, cutter)"
	add(p)

	p = base80()
	p.Name, p.Description = "generic-80-noqr", "80 mm không có lệnh QR (80 mm without native QR: QR printed as an image)"
	p.NativeQR = false
	add(p)

	p = base80()
	p.Name, p.Description = "epson-tm-t82", "Epson TM-T82/TM-T20II, TCVN-3 (bảng 30/31 đã in thử / tables 30/31 verified)"
	p.NearEndSensor = true
	p.CodeTables = []codepage.Table{codepage.TCVN3Lower, codepage.TCVN3Upper}
	add(p)

	p = base80()
	p.Name, p.Description = "epson-tm-t88", "Epson TM-T88 IV–VI, 180 dpi, 512 điểm (512 dots)"
	p.DotsPerLine, p.DPI, p.FontAWidth = 512, 180, 12
	p.NearEndSensor = true
	add(p)

	p = base80()
	p.Name, p.Description = "xprinter-80", "Xprinter XP-Q200/Q260 và tương tự (and alike), 80 mm"
	p.BufferBytes = 2048
	add(p)

	p = base80()
	p.Name, p.Description = "generic-58", "Máy in nhiệt 58 mm phổ thông (generic 58 mm, 384 dots, no cutter)"
	p.DotsPerLine, p.Cutter, p.PartialCut = 384, false, false
	p.BufferBytes, p.Baud = 2048, 9600
	add(p)

	p = base80()
	p.Name, p.Description = "pos-5890", "Zjiang POS-5890 / Xprinter XP-58 (58 mm, lỗi ảnh cao bội số 48 / 48-row raster bug)"
	p.DotsPerLine, p.Cutter, p.PartialCut = 384, false, false
	p.AvoidRowMultiple, p.BufferBytes, p.Baud = 48, 2048, 9600
	add(p)
	return ps
}

// ProfileNames returns the built-in profile names, sorted.
func ProfileNames() []string {
	var n []string
	for k := range Profiles() {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// LookupProfile returns a built-in profile by name. As a shorthand, "80" and "58" name the generic
// profiles for those paper widths.
func LookupProfile(name string) (Profile, error) {
	switch name {
	case "", "80":
		name = "generic-80"
	case "58":
		name = "generic-58"
	}
	p, ok := Profiles()[name]
	if !ok {
		return Profile{}, fmt.Errorf("không có hồ sơ máy in %q (unknown printer profile); có (known): %s",
			name, strings.Join(ProfileNames(), ", "))
	}
	return p, nil
}
