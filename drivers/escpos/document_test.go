package escpos

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func loadFonts(t testing.TB) *Fonts {
	t.Helper()
	f, err := LoadFonts()
	if err != nil {
		t.Fatalf("%v (make deps installs fonts-noto-core)", err)
	}
	return f
}

func TestWrapNeverExceedsWidth(t *testing.T) {
	f := loadFonts(t)
	s := "Giấy chứng nhận kết hôn của cha mẹ, bản sao có chứng thực từ bản chính, kèm Tờ khai đăng ký khai sinh Siêuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuudàiiiiiii"
	for _, w := range []int{200, 376, 568} {
		lines := f.Wrap(s, 26, false, w)
		if strings.Join(strings.Fields(strings.Join(lines, " ")), "") != strings.Join(strings.Fields(s), "") {
			t.Fatalf("wrapping lost or changed text at %d: %q", w, lines)
		}
		for _, l := range lines {
			if f.Measure(l, 26, false) > w {
				t.Errorf("line %q is %d wide, limit %d", l, f.Measure(l, 26, false), w)
			}
		}
	}
}

// Stacked marks (Ễ, Ộ, Ữ) must fit inside the band: no ink on its top or bottom row.
func TestStackedDiacriticsNotClipped(t *testing.T) {
	f := loadFonts(t)
	for _, px := range []int{22, 26, 34, 44} {
		for _, bold := range []bool{false, true} {
			bm := f.RenderLine("ỄỘỮẪẶỰ Ỳg ậ", px, bold)
			ink := bm.InkBounds()
			if ink.Min.Y == 0 || ink.Max.Y == bm.H {
				t.Errorf("px %d bold %v: ink %v touches the band edge (height %d)", px, bold, ink, bm.H)
			}
		}
	}
}

func TestCompileChoosesNativeOrRaster(t *testing.T) {
	f := loadFonts(t)
	d := new(Document)
	d.Text("000.00.21.H26-251124-0417", Style{})
	d.Text("Nguyễn Thị Ngọc Huyền", Style{})
	generic, _ := LookupProfile("generic-80")
	job, err := Compile(d, generic, f)
	if err != nil {
		t.Fatal(err)
	}
	if job.TextLines != 1 || job.RasterLines != 1 {
		t.Fatalf("generic: ASCII line should be native, Vietnamese raster: %+v", job)
	}
	if !bytes.Contains(job.Data, []byte("000.00.21.H26-251124-0417\n")) {
		t.Fatal("ASCII code not sent as text")
	}
	epson, _ := LookupProfile("epson-tm-t82")
	job, err = Compile(d, epson, f)
	if err != nil {
		t.Fatal(err)
	}
	if job.RasterLines != 0 || job.TextLines != 2 {
		t.Fatalf("TCVN-3 profile should print everything natively: %+v", job)
	}
	// "Nguyễn" needs table 30 for ễ; the bytes switch tables with ESC t.
	if !bytes.Contains(job.Data, []byte{0x1B, 't', 30}) {
		t.Fatal("no ESC t 30 for lower-case Vietnamese")
	}
}

func TestCompileRasterFraming(t *testing.T) {
	f := loadFonts(t)
	d := new(Document)
	d.Text(strings.Repeat("Thủ tục hành chính một cửa liên thông ", 12), Style{Bold: true})
	d.QR("https://dichvucong.gov.vn/x")
	for _, name := range []string{"generic-80", "generic-80-noqr", "pos-5890"} {
		p, _ := LookupProfile(name)
		job, err := Compile(d, p, f)
		if err != nil {
			t.Fatal(err)
		}
		// Walk the job: every GS v 0 header's size must match the bytes that follow, fit the paper,
		// respect the row limit and, on POS-5890, never be a multiple of 48 rows.
		b := job.Data
		n := 0
		for i := 0; i+8 <= len(b); {
			if b[i] == 0x1D && b[i+1] == 'v' && b[i+2] == '0' {
				w := int(b[i+4]) | int(b[i+5])<<8
				h := int(b[i+6]) | int(b[i+7])<<8
				if w*8 > p.DotsPerLine || h > p.MaxRasterRows || h == 0 || i+8+w*h > len(b) {
					t.Fatalf("%s: bad raster header w=%d h=%d at %d", name, w, h, i)
				}
				if p.AvoidRowMultiple > 0 && h%p.AvoidRowMultiple == 0 {
					t.Fatalf("%s: raster height %d is a multiple of %d", name, h, p.AvoidRowMultiple)
				}
				n++
				i += 8 + w*h
				continue
			}
			i++
		}
		if n == 0 {
			t.Fatalf("%s: no raster", name)
		}
		hasNativeQR := bytes.Contains(b, []byte{0x1D, '(', 'k', 3, 0, 0x31, 0x51, 0x30})
		if hasNativeQR != p.NativeQR {
			t.Fatalf("%s: native QR %v, profile says %v", name, hasNativeQR, p.NativeQR)
		}
		// Every piece between safe break points fits half the printer's buffer, so a paced sender
		// never has more in flight than the printer can hold when it stops.
		prev := 0
		for _, x := range Breaks(b) {
			if x-prev > p.BufferBytes/2 {
				t.Fatalf("%s: %d bytes between break points, buffer %d", name, x-prev, p.BufferBytes)
			}
			prev = x
		}
	}
}

func TestCompileNFC(t *testing.T) {
	f := loadFonts(t)
	epson, _ := LookupProfile("epson-tm-t82")
	nfd := norm.NFD.String("Hoà Bình")
	d := new(Document)
	d.Text(nfd, Style{})
	job, err := Compile(d, epson, f)
	if err != nil {
		t.Fatal(err)
	}
	if job.RasterLines != 0 {
		t.Fatal("NFD input was not normalised: combining marks fell back to raster")
	}
}
