package receipt

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/escpos/escpossim"
	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/dossier"
)

// testVietQR is a dynamic VietQR for 50.000 đồng to a test account, reference the dossier code,
// with its CRC-16/CCITT-FALSE.
const testVietQR = "00020101021238560010A0000007270126000697041501121133666688880208QRIBFTTA5303704540550000" +
	"5802VN62500125000.00.21.H26-251124-04170817Le phi chung thuc63049DC8"

const testUnit = "Ủy ban nhân dân phường Ô Chợ Dừa"

// at is a time in Vietnam.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, vntime.Zone())
}

func testStatusSlip() *StatusSlip {
	return &StatusSlip{
		Unit: testUnit, DossierCode: "000.00.21.H26-251124-0417", Status: dossier.StatusNeedsPapers,
		ProcedureName: "Đăng ký thường trú",
		ReceivedAt:    at(2026, 11, 24, 9, 15), UpdatedAt: at(2026, 11, 26, 14, 40), AppointmentAt: at(2026, 12, 3, 15, 0),
		Papers:    []string{"Giấy tờ chứng minh chỗ ở hợp pháp", "Văn bản đồng ý của chủ hộ"},
		LookupURL: "https://dichvucong.hanoi.gov.vn/tra-cuu?ma=000.00.21.H26-251124-0417",
		PrintedAt: at(2026, 11, 27, 8, 5), KioskID: "HN-OCD-02", Hotline: "1900 1234",
	}
}

func testPaymentSlip() *StatusSlip {
	s := testStatusSlip()
	s.Status, s.Papers, s.AmountDue = dossier.StatusNeedsPayment, nil, 1_250_000
	return s
}

func testQueueTicket() *QueueTicket {
	return &QueueTicket{
		Unit: testUnit, Number: "A042", Counter: "Quầy số 3", Field: "Hộ tịch",
		ProcedureName: "Đăng ký khai sinh", Ahead: 7, Wait: 24*time.Minute + 10*time.Second,
		IssuedAt:  time.Date(2026, 11, 24, 2, 15, 0, 0, time.UTC), // 09:15 in Vietnam
		FollowURL: "https://hanhchinhcong.hanoi.gov.vn/hang-doi?so=A042&quay=3",
		KioskID:   "HN-OCD-02", Hotline: "1900 1234",
	}
}

func testFeeReceipt() *FeeReceipt {
	return &FeeReceipt{
		Unit: testUnit, DossierCode: "000.00.21.H26-251124-0417", Purpose: "Lệ phí chứng thực bản sao",
		ProcedureName: "Chứng thực bản sao từ bản chính", Amount: 50_000, PaidAt: at(2026, 11, 24, 9, 32),
		Method: "Chuyển khoản VietQR (NAPAS 247)", TransactionRef: "FT26328123456789",
		LookupURL: "https://dichvucong.hanoi.gov.vn/tra-cuu?ma=000.00.21.H26-251124-0417",
		KioskID:   "HN-OCD-02", Hotline: "1900 1234",
	}
}

func testChecklist(t *testing.T) *Checklist {
	t.Helper()
	p, err := catalog.Starter().Get("1.001193")
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChecklist(p, Guide{Unit: testUnit, Where: "Bộ phận Một cửa, tầng 1, quầy 3",
		PageURL: "https://dichvucong.gov.vn/thu-tuc?ma={code}", Missing: []string{"giay-chung-sinh"}},
		at(2026, 11, 24, 9, 20), Kiosk{Hotline: "1900 1234"})
	if err != nil {
		t.Fatal(err)
	}
	c.KioskID = "HN-OCD-02"
	return c
}

func testOwedReceipt(t *testing.T) *Receipt {
	t.Helper()
	b, err := os.ReadFile("testdata/typical.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	r.Fee = "50.000 đồng"
	r.FeeOwed = &Owed{Amount: 50_000, VietQR: testVietQR}
	return r
}

// Slip is what every slip has: Validate and Layout.
type Slip interface {
	Validate() error
	Layout(p escpos.Profile) *escpos.Document
}

// slipCase is one golden slip: what Tesseract must read on it and what its QR codes hold.
type slipCase struct {
	name, profile string
	slip          Slip
	headings      []string
	qr            []string
	absent        []string // what must not be on the paper
}

func slipCases(t *testing.T) []slipCase {
	lookup := "https://dichvucong.hanoi.gov.vn/tra-cuu?ma=000.00.21.H26-251124-0417"
	status := []string{"PHIẾU TÌNH TRẠNG HỒ SƠ", "Yêu cầu bổ sung giấy tờ", "Giấy tờ cần bổ sung", "Giấy tờ chứng minh chỗ ở hợp pháp"}
	payment := []string{"PHIẾU TÌNH TRẠNG HỒ SƠ", "Yêu cầu thực hiện nghĩa vụ tài chính", "Số tiền phải nộp", "1.250.000 đồng"}
	queue := []string{"PHIẾU SỐ THỨ TỰ", "Số của bạn", "Quầy số 3", "Số người chờ trước bạn: 7", "khoảng 25 phút", "09 giờ 15 phút"}
	fee := []string{"BIÊN LAI THU PHÍ, LỆ PHÍ", "ĐÃ THANH TOÁN", "50.000 đồng", "Mã giao dịch", "FT26328123456789"}
	check := []string{"CẦN MANG THEO", "Đăng ký khai sinh", "Giấy chứng sinh", "CÒN THIẾU", "Miễn lệ phí"}
	owed := []string{"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "CHƯA NỘP PHÍ, LỆ PHÍ", "Số tiền phải nộp", "50.000 đồng"}
	// Only the receipt names the applicant: no other slip has a field for a person.
	noPerson := []string{"Người nộp", "Số định danh", "Điện thoại"}
	followQ := "https://hanhchinhcong.hanoi.gov.vn/hang-doi?so=A042&quay=3"
	page := "https://dichvucong.gov.vn/thu-tuc?ma=1.001193"
	return []slipCase{
		{"status-80", "generic-80", testStatusSlip(), status, []string{lookup}, noPerson},
		{"status-58", "generic-58", testStatusSlip(), status, []string{lookup}, noPerson},
		{"status-payment-80", "generic-80", testPaymentSlip(), payment, []string{lookup}, append(noPerson, "Giấy tờ cần bổ sung")},
		{"queue-80", "generic-80", testQueueTicket(), queue, []string{followQ}, noPerson},
		{"queue-58", "generic-58", testQueueTicket(), queue, []string{followQ}, noPerson},
		{"fee-receipt-80", "generic-80", testFeeReceipt(), fee, []string{lookup}, noPerson},
		{"fee-receipt-58", "generic-58", testFeeReceipt(), fee, []string{lookup}, noPerson},
		{"checklist-80", "generic-80", testChecklist(t), check, []string{page}, noPerson},
		{"checklist-58", "generic-58", testChecklist(t), check, []string{page}, noPerson},
		{"receipt-owed-80", "generic-80", testOwedReceipt(t), owed, []string{testVietQR, lookup}, []string{"001189012345"}},
	}
}

// render validates, compiles and prints a slip on the simulated printer.
func render(t *testing.T, s Slip, profile string, fonts *escpos.Fonts) image.Image {
	t.Helper()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := escpos.LookupProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	job, err := escpos.Compile(s.Layout(p), p, fonts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := escpossim.Emulate(job.Data, p.DotsPerLine)
	if err != nil || len(res.Pages) != 1 || len(res.Unknown) > 0 {
		t.Fatalf("emulate: %v, %d pages, unknown %v", err, len(res.Pages), res.Unknown)
	}
	return res.Pages[0]
}

// TestGoldenSlips prints each new slip on the simulated printer and compares the paper with the
// reviewed pictures in testdata/golden (go test -update rewrites them; then look at them).
func TestGoldenSlips(t *testing.T) {
	fonts, err := escpos.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range slipCases(t) {
		t.Run(c.name, func(t *testing.T) {
			got := render(t, c.slip, c.profile, fonts)
			path := filepath.Join("testdata", "golden", c.name+".png")
			if *update {
				writePNG(t, path, got)
				return
			}
			want := readPNG(t, path)
			if diff := pixelDiff(got, want); diff != "" {
				t.Fatalf("%s differs from %s: %s", c.name, path, diff)
			}
		})
	}
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -update and look at the picture)", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestSlipsRefuseWhatWouldPrintWrong: each slip names the field that is missing or wrong.
func TestSlipsRefuseWhatWouldPrintWrong(t *testing.T) {
	for _, c := range []struct {
		field string
		slip  Slip
	}{
		{"status", func() Slip { s := testStatusSlip(); s.Status = 0; return s }()},
		{"status", func() Slip { s := testStatusSlip(); s.Status = 11; return s }()},
		{"dossierCode", func() Slip { s := testStatusSlip(); s.DossierCode = "Mã hồ sơ 1"; return s }()},
		{"lookupUrl", func() Slip { s := testStatusSlip(); s.LookupURL = "dichvucong.gov.vn/tra-cuu"; return s }()},
		{"amountDue", func() Slip { s := testPaymentSlip(); s.AmountDue = -5; return s }()},
		{"number", func() Slip { q := testQueueTicket(); q.Number = ""; return q }()},
		{"number", func() Slip { q := testQueueTicket(); q.Number = "A123456789"; return q }()},
		{"counter", func() Slip { q := testQueueTicket(); q.Counter, q.Field = "", ""; return q }()},
		{"ahead", func() Slip { q := testQueueTicket(); q.Ahead = -1; return q }()},
		{"wait", func() Slip { q := testQueueTicket(); q.Wait = -time.Minute; return q }()},
		{"issuedAt", func() Slip { q := testQueueTicket(); q.IssuedAt = time.Time{}; return q }()},
		{"followUrl", func() Slip { q := testQueueTicket(); q.FollowURL = "javascript:alert(1)"; return q }()},
		{"amount", func() Slip { f := testFeeReceipt(); f.Amount = 0; return f }()},
		{"amount", func() Slip { f := testFeeReceipt(); f.Amount = maxAmount + 1; return f }()},
		{"transactionRef", func() Slip { f := testFeeReceipt(); f.TransactionRef = ""; return f }()},
		{"transactionRef", func() Slip { f := testFeeReceipt(); f.TransactionRef = "mã giao dịch"; return f }()},
		{"paidAt", func() Slip { f := testFeeReceipt(); f.PaidAt = time.Time{}; return f }()},
		{"pageUrl", func() Slip { c := testChecklist(t); c.PageURL = ""; return c }()},
		{"documents", func() Slip { c := testChecklist(t); c.Documents = nil; return c }()},
		{"feeOwed", func() Slip { r := testOwedReceipt(t); r.FeeOwed.Amount = 0; return r }()},
		{"feeOwed", func() Slip { r := testOwedReceipt(t); r.FeeOwed.VietQR = "mã\nQR"; return r }()},
	} {
		err := c.slip.Validate()
		var fe *FieldError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: got %v", c.field, err)
		}
		if werr := errtext.Check(err); werr != nil {
			t.Errorf("%s: %v", c.field, werr)
		}
	}
}

// TestFeeReceiptNamesNoPayer: the fee receipt has no field for the payer, and its paper carries
// neither name nor ID number even when the dossier's receipt would.
func TestFeeReceiptNamesNoPayer(t *testing.T) {
	f := testFeeReceipt()
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	text := printedText(t, f)
	if !strings.Contains(text, squeeze("Mã giao dịch (transaction): FT26328123456789")) {
		t.Fatalf("the text printed could not be read: %s", text)
	}
	for _, bad := range []string{"Người nộp", "Số định danh", "Điện thoại", "Địa chỉ"} {
		if strings.Contains(text, squeeze(bad)) {
			t.Fatalf("fee receipt prints %q: %s", bad, text)
		}
	}
}

// TestStatusSlipSaysOnlyWhatIsOwed: the papers are listed for status 5 only, the amount for 6 only.
func TestStatusSlipSaysOnlyWhatIsOwed(t *testing.T) {
	s := testStatusSlip()
	s.Status, s.AmountDue = dossier.StatusProcessing, 1_250_000
	text := printedText(t, s)
	if strings.Contains(text, squeeze("Giấy tờ cần bổ sung")) || strings.Contains(text, "1.250.000") {
		t.Fatalf("a status-4 slip lists what is owed: %s", text)
	}
	if !strings.Contains(text, squeeze("4. Đang xử lý")) {
		t.Fatalf("status label missing: %s", text)
	}
	s.Status = dossier.StatusNeedsPayment
	if text := printedText(t, s); !strings.Contains(text, "1.250.000đồng") || strings.Contains(text, squeeze("Giấy tờ cần bổ sung")) {
		t.Fatalf("a status-6 slip: %s", text)
	}
}

func TestStatusLabels(t *testing.T) {
	want := []string{"", "Mới đăng ký", "Được tiếp nhận", "Không được tiếp nhận", "Đang xử lý", "Yêu cầu bổ sung giấy tờ",
		"Yêu cầu thực hiện nghĩa vụ tài chính", "Công dân yêu cầu rút hồ sơ", "Dừng xử lý", "Đã xử lý xong", "Đã trả kết quả", ""}
	for code, w := range want {
		vi, en := dossier.Status(code).Label()
		if vi != w || (w != "") != (en != "") || !norm.NFC.IsNormalString(vi) {
			t.Errorf("status %d: %q %q, want %q", code, vi, en, w)
		}
	}
}

func TestDong(t *testing.T) {
	for n, want := range map[int64]string{0: "0 đồng", 500: "500 đồng", 1000: "1.000 đồng", 50000: "50.000 đồng",
		1234500: "1.234.500 đồng", 200000: "200.000 đồng", -2000: "-2.000 đồng", maxAmount: "9.999.999.999.999 đồng"} {
		if got := Dong(n); got != want {
			t.Errorf("Dong(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestWaitText(t *testing.T) {
	for w, want := range map[time.Duration]string{
		30 * time.Second:             "khoảng 1 phút (about 1 min)",
		24*time.Minute + time.Second: "khoảng 25 phút (about 25 min)",
		time.Hour:                    "khoảng 1 giờ 00 phút (about 1 h 00 min)",
		65 * time.Minute:             "khoảng 1 giờ 05 phút (about 1 h 05 min)",
		2*time.Hour + 59*time.Minute: "khoảng 2 giờ 59 phút (about 2 h 59 min)",
	} {
		if got := waitText(w); got != want {
			t.Errorf("waitText(%v) = %q, want %q", w, got, want)
		}
	}
}

// TestQueueTicketInVietnamTime: the ticket says the time in Vietnam whatever zone it was given in.
func TestQueueTicketInVietnamTime(t *testing.T) {
	q := testQueueTicket()
	q.IssuedAt = q.IssuedAt.In(time.FixedZone("EST", -5*3600))
	if text := printedText(t, q); !strings.Contains(text, squeeze("Lấy số lúc (issued): 09 giờ 15 phút, ngày 24/11/2026")) {
		t.Fatalf("ticket time not in Vietnam time: %s", text)
	}
}

func TestChecklistFromCatalogue(t *testing.T) {
	c := testChecklist(t)
	if c.ProcedureName != "Đăng ký khai sinh" || c.PageURL != "https://dichvucong.gov.vn/thu-tuc?ma=1.001193" || len(c.Documents) != 4 {
		t.Fatalf("%+v", c)
	}
	var missing []string
	for _, d := range c.Documents {
		if d.Missing {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) != 1 || missing[0] != "Giấy chứng sinh" {
		t.Fatalf("missing %q", missing)
	}
	if _, err := NewChecklist(nil, Guide{}, time.Now(), Kiosk{}); err == nil {
		t.Fatal("a checklist without a procedure was made")
	}
}
