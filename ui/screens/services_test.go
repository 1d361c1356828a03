package screens

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/internal/uitest"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// endsService reports whether the screen ends a service with its own button instead of Hủy: the
// ticket, the thanks, the payment (pay later, finish).
func endsService(a *App) bool {
	b := a.Frame().Buttons()
	return slices.Contains(b, "Hoàn tất") || slices.Contains(b, "Thanh toán sau")
}

// last is the last action sent.
func last(t *testing.T, sent *[]wire.Action) wire.Action {
	t.Helper()
	if len(*sent) == 0 {
		t.Fatal("no action sent")
	}
	return (*sent)[len(*sent)-1]
}

func TestDong(t *testing.T) {
	for in, want := range map[int64]string{0: "0 đồng", 999: "999 đồng", 1000: "1.000 đồng", 58000: "58.000 đồng",
		1250000: "1.250.000 đồng", 100000000: "100.000.000 đồng", -5000: "-5.000 đồng"} {
		if got := dong(in); got != want {
			t.Errorf("dong(%d) = %q, want %q", in, got, want)
		}
	}
}

// The ten national statuses read as ten different plain phrases, each with a next step; a code
// outside 1–10 is not made into one of them.
func TestStatusWords(t *testing.T) {
	seen := map[string]int{}
	for c := 1; c <= 10; c++ {
		vi, en, next := statusWords(c)
		if vi == "" || en == "" || next == "" {
			t.Errorf("status %d: %q %q %q", c, vi, en, next)
		}
		if o, ok := seen[vi]; ok {
			t.Errorf("statuses %d and %d both read %q", o, c, vi)
		}
		seen[vi] = c
	}
	for _, c := range []int{0, 11, -1} {
		if vi, _, _ := statusWords(c); seen[vi] != 0 {
			t.Errorf("unknown status %d reads as a known one: %q", c, vi)
		}
	}
}

func TestAttractOffersTheServices(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	a.SetView(wire.View{State: wire.Attract})
	tap(t, a, "Tra cứu hồ sơ")
	tap(t, a, "Lấy số thứ tự")
	tap(t, a, "Chạm để bắt đầu")
	if len(*sent) != 3 || (*sent)[0].Action != wire.ActTrack || (*sent)[1].Action != wire.ActQueue || (*sent)[2].Action != wire.ActStart {
		t.Fatalf("sent %+v", *sent)
	}
	// kioskd's tiles: a service not available now is shown but cannot be touched.
	*sent = nil
	a.SetView(wire.View{State: wire.Attract, Seq: 2, Services: &wire.ServicesView{Tiles: []wire.ServiceTile{
		{Action: wire.ActStart, Label: wire.Message{Vi: "Nộp hồ sơ", En: "Submit"}, Available: true},
		{Action: wire.ActTrack, Label: wire.Message{Vi: "Tra cứu hồ sơ", En: "Track"}, Available: true},
		{Action: wire.ActQueue, Label: wire.Message{Vi: "Lấy số thứ tự", En: "Queue"}}}}})
	if !strings.Contains(a.Frame().Texts(), "tạm ngừng") {
		t.Fatalf("the unavailable queue is not marked: %q", a.Frame().Texts())
	}
	tap(t, a, "Lấy số thứ tự")
	tap(t, a, "Nộp hồ sơ")
	if len(*sent) != 1 || (*sent)[0].Action != wire.ActStart {
		t.Fatalf("sent %+v, want only start", *sent)
	}
	// In maintenance no service starts.
	a.SetView(wire.View{State: wire.Attract, Seq: 3, Maintenance: true})
	for _, l := range []string{"Tra cứu hồ sơ", "Lấy số thứ tự", "Chạm để bắt đầu"} {
		if _, ok := a.Frame().Center(l); ok {
			t.Errorf("%q offered during maintenance", l)
		}
	}
}

func TestTrackerByCode(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	fx := samples()
	a.SetView(fx["tracker-track_way"])
	tap(t, a, "Nhập mã hồ sơ")
	tap(t, a, "Dùng thẻ Căn cước")
	a.SetView(fx["tracker-track_code"])
	for _, k := range "H26.21-261120-00429" {
		tap(t, a, string(k))
	}
	tap(t, a, widget.KeyBackspace)
	if a.Name() != "tracker-track_code-type-code" {
		t.Errorf("name %s", a.Name())
	}
	tap(t, a, "Tra cứu")
	got := (*sent)[2]
	if (*sent)[0].Action != wire.ActTrackType || (*sent)[1].Action != wire.ActTrackCard || got.Action != wire.ActTrackCode || got.Value != "H26.21-261120-0042" {
		t.Fatalf("sent %+v", *sent)
	}
	// By code: the status and the dates, no name, no rating of an unfinished dossier.
	a.SetView(fx["tracker-track_result"])
	txt := a.Frame().Texts()
	for _, want := range []string{"Đang xử lý", "27/11/2026", "Ngày hẹn trả kết quả"} {
		if !strings.Contains(txt, want) {
			t.Errorf("result lacks %q: %q", want, txt)
		}
	}
	if strings.Contains(txt, "Người nộp") {
		t.Error("a lookup by code shows the applicant")
	}
	if _, ok := a.Frame().Center("Đánh giá"); ok {
		t.Error("rating offered for a dossier being processed")
	}
	tap(t, a, "In phiếu")
	if last(t, sent).Action != wire.ActPrintStatus {
		t.Fatalf("sent %+v", last(t, sent))
	}
	// The card's way: its QR code, or the ID number typed, then the card.
	a.SetView(fx["tracker-track_card"])
	tap(t, a, "Nhập số định danh")
	for _, d := range "001122334455" {
		tap(t, a, string(d))
	}
	tap(t, a, "Xác nhận")
	if got := last(t, sent); got.Action != wire.ActEnterID || got.Value != "001122334455" || got.Step != wire.StepTrackCard {
		t.Fatalf("sent %+v", got)
	}
}

// Status 5 says what to bring, status 6 what to pay (in đồng with dots).
func TestTrackerShowsWhatIsOwed(t *testing.T) {
	a, sent := newApp(t, true, theme.Options{})
	a.SetView(samples()["tracker-result-missing"])
	txt := a.Frame().Texts()
	if !strings.Contains(txt, "Giấy chứng sinh (bản chính)") || !strings.Contains(txt, "Cần bổ sung") {
		t.Errorf("status 5 without the papers: %q", txt)
	}
	if _, ok := a.Frame().Center("Nộp phí"); ok {
		t.Error("payment offered for a dossier that owes no fee")
	}
	a.SetView(samples()["tracker-result-fee"])
	if txt := a.Frame().Texts(); !strings.Contains(txt, "58.000 đồng") || !strings.Contains(txt, "Cần nộp") {
		t.Errorf("status 6 without the fee: %q", txt)
	}
	tap(t, a, "Nộp phí")
	if got := last(t, sent); got.Action != wire.ActPay {
		t.Fatalf("sent %+v", got)
	}
}

// Central offline: the screen says so and shows the kiosk's own knowledge; no national status is
// made up, on screen or aloud.
func TestTrackerOfflineInventsNoStatus(t *testing.T) {
	a, _ := newApp(t, false, theme.Options{})
	v := samples()["tracker-result-offline"]
	a.SetView(v)
	txt := a.Frame().Texts()
	if !strings.Contains(txt, "không kết nối được") || !strings.Contains(txt, "đang chờ gửi") {
		t.Fatalf("offline result: %q", txt)
	}
	if _, ok := a.Frame().Center("In phiếu"); ok {
		t.Error("a status slip offered from the kiosk's own knowledge")
	}
	say := a.Guidance()
	for c := 1; c <= 10; c++ {
		vi, _, next := statusWords(c)
		if strings.Contains(txt, vi) || strings.Contains(say, vi) || strings.Contains(txt, next) {
			t.Errorf("offline result shows status %d %q", c, vi)
		}
	}
	// A local line without even the kiosk's words still invents nothing.
	v.Services.Tracker.Dossiers[0].Status = wire.Message{}
	v.Seq = 5
	a.SetView(v)
	if txt := a.Frame().Texts(); !strings.Contains(txt, "Chưa biết trạng thái") {
		t.Errorf("unknown status not said: %q", txt)
	}
}

// With the ID card: the list, the holder's name on the result, the rating of a finished dossier;
// the name is never spoken.
func TestTrackerByCard(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	fx := samples()
	a.SetView(fx["tracker-track_list"])
	tap(t, a, "H26.21-261101-0003 · Đăng ký kết hôn")
	if got := last(t, sent); got.Action != wire.ActTrackSelect || got.Index != 2 {
		t.Fatalf("sent %+v", got)
	}
	a.SetView(fx["tracker-result-card"])
	txt := a.Frame().Texts()
	if !strings.Contains(txt, "TRẦN VĂN MƯỜI") || !strings.Contains(txt, "Đã in phiếu") {
		t.Errorf("card result: %q", txt)
	}
	if g := a.Guidance(); strings.Contains(g, "MƯỜI") || strings.Contains(g, "H26.21") {
		t.Errorf("guidance reads out personal data: %q", g)
	}
	tap(t, a, "Đánh giá")
	tap(t, a, "Quay lại")
	if n := len(*sent); (*sent)[n-2].Action != wire.ActRate || (*sent)[n-1].Action != wire.ActBack {
		t.Fatalf("sent %+v", *sent)
	}
}

func TestQueue(t *testing.T) {
	a, sent := newApp(t, true, theme.Options{})
	fx := samples()
	a.SetView(fx["queue-queue_choose"])
	btns := a.Frame().Buttons()
	if i := slices.Index(btns, "Quầy 2 · Hộ tịch"); i < 0 || i > slices.Index(btns, "Quầy 1 · Đất đai") {
		t.Errorf("the counter serving the procedure is not first: %q", btns)
	}
	tap(t, a, "Quầy 3 · Chứng thực") // paused
	if len(*sent) != 0 {
		t.Fatalf("a paused counter took a number: %+v", *sent)
	}
	tap(t, a, "Quầy 4 · Cư trú")
	tap(t, a, "Lấy số cho thủ tục này")
	if (*sent)[0].Action != wire.ActTakeTicket || (*sent)[0].Value != "q4" || (*sent)[1].Value != "" {
		t.Fatalf("sent %+v", *sent)
	}
	// From the procedure list: "I only need a counter".
	a.SetView(fx["choose"])
	tap(t, a, "Chỉ cần đến quầy")
	if got := last(t, sent); got.Action != wire.ActQueue || got.Value != "" || got.State != wire.ChooseProcedure {
		t.Fatalf("sent %+v", got)
	}
	a.SetView(fx["queue-offline"])
	if _, ok := a.Frame().Center("Lấy số cho thủ tục này"); ok || !strings.Contains(a.Frame().Texts(), "bàn hướng dẫn") {
		t.Errorf("offline queue: %q", a.Frame().Texts())
	}
	a.SetView(fx["queue-queue_ticket"])
	txt := a.Frame().Texts()
	for _, want := range []string{"B017", "Quầy 2 · Hộ tịch", "Còn 3 người trước bạn", "khoảng 12 phút", "09:30 25/11/2026", "Đang in phiếu"} {
		if !strings.Contains(txt, want) {
			t.Errorf("ticket lacks %q: %q", want, txt)
		}
	}
	tap(t, a, "Hoàn tất")
	if last(t, sent).Action != wire.ActFinish {
		t.Fatalf("sent %+v", last(t, sent))
	}
}

func TestRating(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	fx := samples()
	a.SetView(fx["rating-rate_level"])
	tap(t, a, "Không hài lòng")
	if got := last(t, sent); got.Action != wire.ActRate || got.Value != wire.RateDissatisfied {
		t.Fatalf("sent %+v", got)
	}
	a.SetView(fx["rating-rate_reasons"])
	tap(t, a, "Khó sử dụng")
	if got := last(t, sent); got.Action != wire.ActRateReason || got.Value != "hard" {
		t.Fatalf("sent %+v", got)
	}
	tap(t, a, "Sửa góp ý")
	if a.Name() != "rating-rate_reasons-type-comment" {
		t.Fatalf("comment keyboard not open: %s", a.Name())
	}
	for _, k := range []string{widget.KeySpace, "q", "u", "a", "s"} {
		tap(t, a, k)
	}
	n := len(*sent)
	tap(t, a, "Lưu")
	if got := last(t, sent); len(*sent) != n+1 || got.Action != wire.ActRateComment || got.Value != "Máy in chậm quá" {
		t.Fatalf("sent %+v", got)
	}
	tap(t, a, "Gửi đánh giá")
	if last(t, sent).Action != wire.ActRateSend {
		t.Fatalf("sent %+v", last(t, sent))
	}
	// Optional and single touch at the end of a session, on the receipt screen itself.
	a.SetView(fx["done-offers"])
	tap(t, a, "Hài lòng")
	if got := last(t, sent); got.Action != wire.ActRate || got.Value != wire.RateSatisfied || got.State != wire.Done {
		t.Fatalf("sent %+v", got)
	}
	tap(t, a, "Lấy số thứ tự")
	if last(t, sent).Action != wire.ActQueue {
		t.Fatalf("sent %+v", last(t, sent))
	}
	// Not offered: not there.
	a.SetView(fx["done"])
	for _, l := range []string{"Hài lòng", "Lấy số thứ tự"} {
		if _, ok := a.Frame().Center(l); ok {
			t.Errorf("%q offered when kioskd did not", l)
		}
	}
}

// The VietQR on the screen decodes (zbarimg, as the slips are checked) to the payload of the view,
// and the amount reads in đồng with dots.
func TestPaymentQRDecodes(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (zbar-tools)")
	}
	for i, o := range []theme.Options{{}, {}, {HighContrast: true}, {LargeText: true}} {
		portrait := i%2 == 1
		a, sent := newApp(t, portrait, o)
		v := samples()["payment-pay_qr"]
		a.SetView(v)
		if !strings.Contains(a.Frame().Texts(), "1.250.000 đồng") {
			t.Errorf("amount: %q", a.Frame().Texts())
		}
		path := filepath.Join(t.TempDir(), "pay.png")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, render(a)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path).Output()
		if err != nil {
			t.Fatalf("%+v portrait %v: zbarimg found no QR code: %v", o, portrait, err)
		}
		if got := strings.TrimSpace(string(out)); got != v.Services.Payment.VietQR {
			t.Errorf("%+v portrait %v: decoded %q, want %q", o, portrait, got, v.Services.Payment.VietQR)
		}
		tap(t, a, "Thanh toán sau")
		if got := last(t, sent); got.Action != wire.ActPayLater {
			t.Fatalf("sent %+v", got)
		}
	}
	// No payload: no QR drawn and a clear word instead.
	a, _ := newApp(t, false, theme.Options{})
	v := samples()["payment-pay_qr"]
	p := *v.Services.Payment
	p.VietQR = ""
	v.Services = &wire.ServicesView{Payment: &p}
	a.SetView(v)
	if !strings.Contains(a.Frame().Texts(), "Chưa có mã VietQR") {
		t.Errorf("missing QR not said: %q", a.Frame().Texts())
	}
}

func TestChecklistOverDocuments(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	a.SetView(samples()["documents-place"])
	tap(t, a, "Cần mang theo")
	if a.Name() != "documents-place-checklist" {
		t.Fatalf("name %s", a.Name())
	}
	txt := a.Frame().Texts()
	for _, want := range []string{"Giấy tờ tùy thân của người đi đăng ký: 1 bản chính, 1 bản sao — còn thiếu", "Giấy chứng nhận kết hôn của cha mẹ (nếu có): 1 bản sao\n",
		"Lệ phí: Miễn phí", "Thời gian giải quyết: Trong ngày", "Nơi nộp: Quầy 2 · Hộ tịch", "bản chính: original", "Quét mã xem thủ tục"} {
		if !strings.Contains(txt, want) {
			t.Errorf("checklist lacks %q: %q", want, txt)
		}
	}
	if g := a.Guidance(); !strings.HasPrefix(g, "Cần mang theo:") || !strings.Contains(g, "Giấy chứng sinh: 1 bản chính") {
		t.Errorf("guidance %q", g)
	}
	tap(t, a, "In danh sách")
	if got := last(t, sent); got.Action != wire.ActPrintChecklist || got.Value != "1.001193" {
		t.Fatalf("sent %+v", got)
	}
	tap(t, a, "Quay lại")
	if len(*sent) != 1 || a.Name() != "documents-place" {
		t.Fatalf("back: %s, sent %+v", a.Name(), *sent)
	}
}

func TestNotifyOptIn(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	fx := samples()
	a.SetView(fx["consent-notify"])
	tap(t, a, "Thư điện tử")
	if got := last(t, sent); got.Action != wire.ActNotifyChannel || got.Value != wire.NotifyEmail {
		t.Fatalf("sent %+v", got)
	}
	tap(t, a, "Số điện thoại: +84912000111")
	if a.Name() != "consent-type-phone" {
		t.Fatalf("name %s", a.Name())
	}
	for range 12 {
		tap(t, a, widget.KeyBackspace)
	}
	for _, d := range "0912000222" {
		tap(t, a, string(d))
	}
	tap(t, a, "Lưu")
	if got := last(t, sent); got.Action != wire.ActNotifyContact || got.Key != "phone" || got.Value != "0912000222" {
		t.Fatalf("sent %+v", got)
	}
	a.SetView(fx["consent-notify-bad"])
	if !strings.Contains(a.Frame().Texts(), "Địa chỉ thư điện tử chưa đúng") {
		t.Errorf("refusal not shown: %q", a.Frame().Texts())
	}
	tap(t, a, "Thư điện tử: ten@@example")
	for range 14 {
		tap(t, a, widget.KeyBackspace)
	}
	for _, k := range "an@mail.vn" {
		tap(t, a, string(k))
	}
	tap(t, a, "Lưu")
	if got := last(t, sent); got.Key != "email" || got.Value != "an@mail.vn" {
		t.Fatalf("sent %+v", got)
	}
	tap(t, a, "Đồng ý")
	if last(t, sent).Action != wire.ActAgree {
		t.Fatalf("sent %+v", last(t, sent))
	}
}

// The screens that exist only locally (a keyboard or list opened over a view), in both
// orientations.
func TestServicesLocalGolden(t *testing.T) {
	for _, portrait := range []bool{false, true} {
		orient := "landscape"
		if portrait {
			orient = "portrait"
		}
		for name, open := range map[string]func(a *App){
			"documents-checklist": func(a *App) { a.SetView(samples()["documents-place"]); tap(t, a, "Cần mang theo") },
			"rating-comment":      func(a *App) { a.SetView(samples()["rating-rate_reasons"]); tap(t, a, "Sửa góp ý") },
			"consent-type-email": func(a *App) {
				a.SetView(samples()["consent-notify-bad"])
				tap(t, a, "Thư điện tử: ten@@example")
			},
		} {
			t.Run(name+"/"+orient, func(t *testing.T) {
				a, _ := newApp(t, portrait, theme.Options{})
				open(a)
				uitest.Golden(t, name+"-"+orient, halve(render(a)), *update)
			})
		}
	}
}
