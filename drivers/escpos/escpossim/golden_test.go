package escpossim

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// textJob exercises the text modes on 80 mm paper, with Vietnamese sent through TCVN-3.
func textJob() []byte {
	j := new(job).init()
	j.raw(0x1B, 'a', 1, 0x1D, '!', 0x11, 0x1B, 'E', 1).line("PHIẾU TIẾP NHẬN")
	j.raw(0x1D, '!', 0x00, 0x1B, 'E', 0).line("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
	j.raw(0x1B, 'a', 0).line("Mã hồ sơ:\t000.00.00.H12-240101-0001")
	j.raw(0x1B, '-', 1).line("Gạch chân 1 chấm").raw(0x1B, '-', 2).line("Gạch chân 2 chấm").raw(0x1B, '-', 0)
	j.raw(0x1D, 'B', 1).line(" ĐẢO MÀU (GS B) ").raw(0x1D, 'B', 0)
	j.raw(0x1B, '!', 0x01).line("Font B: Thủ tục hành chính cấp xã, phường").raw(0x1B, '!', 0)
	j.raw(0x1B, '!', 0x30).line("ESC ! cao+rộng").raw(0x1B, '!', 0x08).line("ESC ! đậm").raw(0x1B, '!', 0)
	j.raw(0x1D, '!', 0x20).line("GS ! x3").raw(0x1D, '!', 0x02).line("GS ! cao x3").raw(0x1D, '!', 0)
	j.raw(0x1B, 'a', 2).line("Căn phải").raw(0x1B, 'a', 0)
	j.raw(0x1D, 'L', 48, 0).line("Lề trái 48 chấm").raw(0x1D, 'L', 0, 0)
	j.raw(0x1B, '3', 48).line("Giãn dòng 48 chấm").raw(0x1B, '2')
	j.raw(0x1B, 'J', 20)
	j.line("ẮẰẲẴẶ ẤẦẨẪẬ ÉÈẺẼẸ ẾỀỂỄỆ ÍÌỈĨỊ ÓÒỎÕỌ ỐỒỔỖỘ ỚỜỞỠỢ ÚÙỦŨỤ ỨỪỬỮỰ ÝỲỶỸỴ Đđ")
	j.line("Công dân vui lòng mang theo giấy tiếp nhận này khi đến nhận kết quả.")
	j.raw(0x1B, 'd', 2)
	return j.cut().b
}

// narrowJob is a short receipt on 58 mm paper, ended by a function A partial cut.
func narrowJob() []byte {
	j := new(job).init()
	j.raw(0x1B, 'a', 1, 0x1B, 'E', 1).line("TRẠM SỐ HÓA").raw(0x1B, 'E', 0, 0x1B, 'a', 0)
	j.line("Dòng này dài hơn ba mươi hai ký tự nên phải xuống dòng.")
	j.line("12345678901234567890123456789012")
	j.raw(0x1B, 'd', 3)
	return j.raw(0x1D, 'V', 1).b
}

// graphicsJob prints raster images in the four GS v 0 scales, GS ( L graphics and an ESC *
// column image, centred.
func graphicsJob() []byte {
	j := new(job).init()
	j.raw(0x1B, 'a', 1)
	pat := testPattern(64, 32)
	for m := byte(0); m < 4; m++ {
		j.raster(m, 8, pat)
		j.raw(0x1B, 'J', 8)
	}
	j.raw(0x1B, 'a', 0)
	// GS ( L function 112: 40 × 20 dots, double width, then function 50.
	g := testPattern(40, 20)
	k := 5 * 20
	n := 10 + k
	j.raw(0x1D, '(', 'L', byte(n), byte(n>>8), 48, 112, 48, 2, 1, 49, 40, 0, 20, 0)
	for _, r := range g {
		j.raw(r...)
	}
	j.raw(0x1D, '(', 'L', 2, 0, 48, 50)
	// ESC * 33: 24-dot columns, 48 columns wide, on a text line.
	j.text("ESC * ")
	j.raw(0x1B, '*', 33, 48, 0)
	for x := 0; x < 48; x++ {
		j.raw(0xFF, byte(x*5), 0x81)
	}
	j.line(" end")
	return j.cut().b
}

const testURL = "https://dichvucong.example.vn/tra-cuu?ma=000.00.00.H12-240101-0001"

// qrJob prints a QR code and a CODE128 barcode placeholder with its text below.
func qrJob() []byte {
	j := new(job).init()
	j.raw(0x1B, 'a', 1).line("Quét mã để tra cứu hồ sơ").raw('\n')
	j.qr(testURL, 5, '1').raw('\n')
	j.raw(0x1D, 'h', 60, 0x1D, 'w', 2, 0x1D, 'H', 2)
	code := "{B000.00.00.H12"
	j.raw(0x1D, 'k', 73, byte(len(code))).raw([]byte(code)...).raw('\n')
	return j.cut().b
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name   string
		dots   int
		data   []byte
		reason string
		text   string // a line that must be in the decoded text
	}{
		{"text_80mm", Paper80mm, textJob(), "full cut", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"},
		{"text_58mm", Paper58mm, narrowJob(), "partial cut", "TRẠM SỐ HÓA"},
		{"graphics_80mm", Paper80mm, graphicsJob(), "full cut", "ESC *  end"},
		{"qr_barcode_80mm", Paper80mm, qrJob(), "full cut", "Quét mã để tra cứu hồ sơ"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := EmulateConfig(c.data, Config{PaperDots: c.dots, Fonts: testFonts(t)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Unknown) != 0 && c.name != "qr_barcode_80mm" {
				t.Errorf("unknown commands: %v", res.Unknown)
			}
			if len(res.Receipts) != 1 {
				t.Fatalf("%d receipts, want 1", len(res.Receipts))
			}
			r := res.Receipts[0]
			if r.Reason != c.reason || r.Partial {
				t.Errorf("receipt ended by %q (partial %v), want %q", r.Reason, r.Partial, c.reason)
			}
			if r.Image.Rect.Dx() != c.dots {
				t.Errorf("image %d dots wide, want %d", r.Image.Rect.Dx(), c.dots)
			}
			if !slices.Contains(res.Text, c.text) {
				t.Errorf("text %q missing from %q", c.text, res.Text)
			}
			checkGolden(t, c.name, r.Image)
		})
	}
}

func TestTextLayout(t *testing.T) {
	res, err := EmulateConfig(narrowJob(), Config{PaperDots: Paper58mm, Fonts: testFonts(t)})
	if err != nil {
		t.Fatal(err)
	}
	// 32 Font A characters fill 384 dots exactly; the long line wraps at 32.
	want := []string{"TRẠM SỐ HÓA", "Dòng này dài hơn ba mươi hai ký", "tự nên phải xuống dòng.", "12345678901234567890123456789012"}
	if !slices.Equal(res.Text, want) {
		t.Errorf("text %q, want %q", res.Text, want)
	}
	img := res.Pages[0]
	// 4 lines of 30 dots + ESC d 3 (90 dots) = 210 rows.
	if h := img.Rect.Dy(); h != 210 {
		t.Errorf("receipt %d rows, want 210", h)
	}
	// The 32-character line reaches the right edge; the centred title does not touch the margins.
	inkX := func(y0, y1 int) (int, int) {
		lo, hi := img.Rect.Dx(), -1
		for y := y0; y < y1; y++ {
			for x := 0; x < img.Rect.Dx(); x++ {
				if img.GrayAt(x, y).Y == 0 {
					lo, hi = min(lo, x), max(hi, x)
				}
			}
		}
		return lo, hi
	}
	if lo, hi := inkX(90, 120); lo > 4 || hi < 380 {
		t.Errorf("full line inked from %d to %d, want about 0 to 383", lo, hi)
	}
	lo, hi := inkX(0, 30)
	if lo < 100 || hi > 284 || (lo+hi)/2 < 182 || (lo+hi)/2 > 202 {
		t.Errorf("centred title inked from %d to %d", lo, hi)
	}
}

func TestQRDecodesWithZbar(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (Debian package zbar-tools): QR decoding not checked")
	}
	dir := t.TempDir()
	res, err := EmulateConfig(qrJob(), Config{PaperDots: Paper80mm, Fonts: testFonts(t), OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Receipts) != 1 || res.Receipts[0].Path == "" {
		t.Fatalf("receipts %+v", res.Receipts)
	}
	r := res.Receipts[0]
	if !slices.Equal(r.QR, []string{testURL}) {
		t.Errorf("receipt QR payloads %q", r.QR)
	}
	if filepath.Base(r.Path) != "receipt-0001.png" {
		t.Errorf("path %s", r.Path)
	}
	out, err := exec.Command(zbar, "-q", "--raw", "-Sdisable", "-Sqrcode.enable", r.Path).Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != testURL {
		t.Errorf("zbarimg read %q, want %q", got, testURL)
	}
	// The barcode is only a placeholder, and says so once.
	n := 0
	for _, u := range res.Unknown {
		if strings.Contains(u.Reason, "barcode not rendered") {
			n++
		}
	}
	if n != 1 || len(res.Unknown) != 1 {
		t.Errorf("unknown %v: want exactly one barcode notice", res.Unknown)
	}
	if _, err := os.Stat(filepath.Join(dir, "receipt-0001.png")); err != nil {
		t.Error(err)
	}
}
