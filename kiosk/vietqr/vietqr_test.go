package vietqr

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// publicExample is the payload printed in the README of github.com/subiz/vietqr for 120.000 đồng to
// account 0011001932418 at BIN 970415 with the note "ủng hộ lũ lụt": a code made by software we did
// not write, with its CRC.
const publicExample = "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C"

func TestVietQRCRC16CheckValue(t *testing.T) {
	// The catalogued check value of CRC-16/CCITT-FALSE (CRC-16/IBM-3740) over "123456789".
	if got := CRC16("123456789"); got != 0x29B1 {
		t.Fatalf("CRC16(123456789) = %04X, want 29B1", got)
	}
}

func TestVietQRParsePublicExample(t *testing.T) {
	p, err := Parse(publicExample)
	if err != nil {
		t.Fatal(err)
	}
	want := Payment{BIN: "970415", Account: "0011001932418", Amount: 120000, Purpose: "ung ho lu lut", Service: ServiceAccount, Dynamic: true}
	if p != want {
		t.Fatalf("parsed %+v, want %+v", p, want)
	}
	// Our folding of the same note gives what that generator put in 62.08.
	if f, _ := FoldPurpose("ủng hộ lũ lụt"); f != p.Purpose {
		t.Fatalf("FoldPurpose = %q, want %q", f, p.Purpose)
	}
	// One changed character anywhere breaks the CRC.
	for _, i := range []int{10, 60, 100} {
		b := []byte(publicExample)
		b[i] ^= 1
		if _, err := Parse(string(b)); !errors.Is(err, ErrInvalid) {
			t.Errorf("flipped byte %d: %v", i, err)
		}
	}
}

func TestVietQRBuildLayout(t *testing.T) {
	p := Payment{BIN: "970436", Account: "0071000123456", Amount: 50000, Reference: "000.00.21.H26-251124-0417", Purpose: "Lệ phí đăng ký khai sinh — Đống Đa"}
	s, err := Build(p)
	if err != nil {
		t.Fatal(err)
	}
	wantPrefix := "000201" + "010212" +
		"3857" + "0010A000000727" + "0127" + "0006970436" + "01130071000123456" + "0208QRIBFTTA" +
		"5303704" + "540550000" + "5802VN" +
		"6257" + "0125000.00.21.H26-251124-0417" + "0824Le phi dang ky khai sinh" + "6304"
	if !strings.HasPrefix(s, wantPrefix) || len(s) != len(wantPrefix)+4 {
		t.Fatalf("payload\n%s\nwant prefix\n%s", s, wantPrefix)
	}
	crc := s[len(s)-4:]
	if crc != strings.ToUpper(crc) {
		t.Fatalf("CRC %q not upper-case", crc)
	}
	back, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	p.Purpose, p.Service, p.Dynamic = "Le phi dang ky khai sinh", ServiceAccount, true
	if back != p {
		t.Fatalf("round trip %+v, want %+v", back, p)
	}
}

func TestVietQRBuildRefuses(t *testing.T) {
	ok := Payment{BIN: "970415", Account: "113366668888", Amount: 79000, Reference: "H56.14-240823-0001"}
	for name, mut := range map[string]func(*Payment){
		"zero amount":       func(p *Payment) { p.Amount = 0 },
		"negative amount":   func(p *Payment) { p.Amount = -5 },
		"huge amount":       func(p *Payment) { p.Amount = 99999999999999 },
		"BIN 5 digits":      func(p *Payment) { p.BIN = "97041" },
		"BIN 7 digits":      func(p *Payment) { p.BIN = "9704155" },
		"BIN letters":       func(p *Payment) { p.BIN = "97041A" },
		"no account":        func(p *Payment) { p.Account = "" },
		"account 20 chars":  func(p *Payment) { p.Account = strings.Repeat("1", 20) },
		"account dash":      func(p *Payment) { p.Account = "1133-6666" },
		"account non-ASCII": func(p *Payment) { p.Account = "11336666８" },
		"no reference":      func(p *Payment) { p.Reference = "" },
		"reference 26":      func(p *Payment) { p.Reference = strings.Repeat("A", 26) },
		"reference accents": func(p *Payment) { p.Reference = "HỒ-SƠ-1" },
		"reference newline": func(p *Payment) { p.Reference = "H56\n1" },
		"purpose emoji":     func(p *Payment) { p.Purpose = "lệ phí 🙂" },
		"purpose Han":       func(p *Payment) { p.Purpose = "費用" },
	} {
		p := ok
		mut(&p)
		if s, err := Build(p); !errors.Is(err, ErrInvalid) || s != "" {
			t.Errorf("%s: built %q, err %v", name, s, err)
		} else if !strings.Contains(err.Error(), "(") {
			t.Errorf("%s: message not bilingual: %v", name, err)
		}
	}
	if _, err := Build(ok); err != nil {
		t.Fatalf("the good payment was refused: %v", err)
	}
	edge := ok
	edge.Reference, edge.Account = strings.Repeat("Z", 25), strings.Repeat("9", 19)
	if _, err := Build(edge); err != nil {
		t.Fatalf("25-character reference / 19-character account refused: %v", err)
	}
}

func TestVietQRFoldPurpose(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"Đặng Thị Hoà  nộp   lệ phí": "Dang Thi Hoa nop le phi",
		"Đặng Thị Hòa":               "Dang Thi Hoa", // hòa and hoà fold alike
		"phí chứng thực bản sao từ bản chính": "phi chung thuc ban sao tu",
		"ỹ Ỹ ữ Ữ ơ Ơ ư Ư â ă ê ô":             "y Y u U o O u U a a e o",
		"\tle\nphi ":         "le phi",
		"lệ phí – “bản sao”": "le phi - \"ban sao\"",
	} {
		got, err := FoldPurpose(in)
		if err != nil || got != want {
			t.Errorf("FoldPurpose(%q) = %q, %v; want %q", in, got, err, want)
		}
		if len(got) > MaxPurpose {
			t.Errorf("FoldPurpose(%q) is %d long", in, len(got))
		}
	}
}

func TestVietQRParseRefuses(t *testing.T) {
	good, _ := Build(Payment{BIN: "970415", Account: "113366668888", Amount: 79000, Reference: "H56.14-240823-0001"})
	body := good[:len(good)-8]
	withCRC := func(s string) string { s += "6304"; return s + strings.ToUpper(hex4(CRC16(s))) }
	for name, s := range map[string]string{
		"empty":        "",
		"no CRC":       body,
		"wrong CRC":    body + "6304" + "0000",
		"bad framing":  withCRC("000201010212389"),
		"short length": withCRC("0002010102123800"),
		"no 00 first":  withCRC(strings.Replace(body, "000201", "", 1) + "000201"),
		"dup field":    withCRC(body + "5802VN"),
		"USD":          withCRC(strings.Replace(body, "5303704", "5303840", 1)),
		"other GUID":   withCRC(strings.Replace(body, "A000000727", "A000000728", 1)),
		"not VN":       withCRC(strings.Replace(body, "5802VN", "5802SG", 1)),
		"zero amount":  withCRC(strings.Replace(body, "540579000", "540500000", 1)),
		"non-ASCII":    withCRC(body + "0802ầ"),
	} {
		if p, err := Parse(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: parsed %+v, err %v", name, p, err)
		}
	}
	// Lower-case CRC digits are read too (the builder writes upper case).
	low := good[:len(good)-4] + strings.ToLower(good[len(good)-4:])
	if _, err := Parse(low); err != nil {
		t.Errorf("lower-case CRC refused: %v", err)
	}
}

func hex4(v uint16) string {
	const d = "0123456789abcdef"
	return string([]byte{d[v>>12], d[v>>8&15], d[v>>4&15], d[v&15]})
}

// TestZbarReadsRenderedCode renders the payload as a PNG QR code with the QR encoder the receipts use
// and reads it back with zbarimg, a decoder we did not write.
func TestVietQRZbarReadsRenderedCode(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (Debian package zbar-tools)")
	}
	s, err := Build(Payment{BIN: "970436", Account: "0071000123456", Amount: 1250000, Reference: "000.00.21.H26-251124-0417", Purpose: "Lệ phí chứng thực"})
	if err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(t.TempDir(), "vietqr.png")
	if err := qrcode.WriteFile(s, qrcode.Medium, 320, png); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "-q", "--raw", png).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	got := strings.TrimRight(string(out), "\n")
	if got != s {
		t.Fatalf("zbarimg read %q, want %q", got, s)
	}
	if p, err := Parse(got); err != nil || p.Amount != 1250000 || p.Purpose != "Le phi chung thuc" {
		t.Fatalf("parse of the decoded code: %+v %v", p, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(publicExample)
	good, _ := Build(Payment{BIN: "970415", Account: "113366668888", Amount: 79000, Reference: "H56.14-240823-0001", Purpose: "le phi"})
	f.Add(good)
	f.Add("")
	f.Add("6304FFFF")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not wrapping ErrInvalid: %v", err)
			}
			return
		}
		// Whatever parses and is buildable must survive a round trip.
		if p.Dynamic && p.Service == ServiceAccount && p.Reference != "" && p.Check() == nil {
			if f, _ := FoldPurpose(p.Purpose); f != p.Purpose {
				return
			}
			b, err := Build(p)
			if err != nil {
				t.Fatalf("parsed %+v but cannot build: %v", p, err)
			}
			q, err := Parse(b)
			if err != nil || q != p {
				t.Fatalf("round trip %+v -> %q -> %+v %v", p, b, q, err)
			}
		}
	})
}
