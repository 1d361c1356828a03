package screens

import (
	"flag"
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/internal/uitest"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs")

func TestMain(m *testing.M) { uitest.Main(m) }

func newApp(t testing.TB, portrait bool, o theme.Options) (*App, *[]wire.Action) {
	t.Helper()
	th, err := theme.Load(theme.RegularFont, theme.BoldFont, o)
	if err != nil {
		t.Skipf("font: %v", err)
	}
	var sent []wire.Action
	a := New(th, portrait, func(a wire.Action) { sent = append(sent, a) })
	a.SetStaffPort(func(StaffRequest) {}) // as kiosk-ui does: the staff entry shows
	return a, &sent
}

var docs = []wire.DocumentView{
	{Type: "to_khai", Name: "Tờ khai đăng ký khai sinh", Required: true, Status: "done", Pages: 1},
	{Type: "chung_sinh", Name: "Giấy chứng sinh", Required: true, Status: "scanned", Pages: 1,
		Quality: []wire.Quality{{Code: "blurry", Message: "Ảnh bị mờ, hãy quét lại (blurry)"}}},
	{Type: "cmnd", Name: "Giấy tờ tùy thân của người đi đăng ký", Required: true, Status: "missing"},
	{Type: "ket_hon", Name: "Giấy chứng nhận kết hôn của cha mẹ (nếu có)", Status: "missing"},
}

var proc = wire.ProcedureView{Code: "1.001193", Name: "Đăng ký khai sinh", Popular: true, Fee: "Miễn phí", ProcessingTime: "Trong ngày", Documents: 4}

// fixtures are views of every state of the journey (no real person's data).
func fixtures() map[string]wire.View {
	procs := []wire.ProcedureView{
		{Code: "2.000986", Name: "Đăng ký thường trú", Fee: "20.000 đồng", ProcessingTime: "7 ngày làm việc", Documents: 3},
		proc,
		{Code: "1.004222", Name: "Cấp bản sao trích lục hộ tịch", Popular: true, Fee: "8.000 đồng", Documents: 1},
		{Code: "1.001022", Name: "Đăng ký kết hôn", Popular: true, Documents: 2},
		{Code: "2.001159", Name: "Chứng thực bản sao từ bản chính giấy tờ, văn bản", Documents: 1},
		{Code: "1.000656", Name: "Đăng ký khai tử", Documents: 2},
		{Code: "2.000992", Name: "Đăng ký tạm trú", Documents: 2},
	}
	form := []wire.FieldView{
		{Key: "child_name", Label: "Họ, chữ đệm, tên của trẻ", Kind: "text", Value: "Lê Thị Ỷ", Required: true, Source: "ocr", LowConfidence: true},
		{Key: "child_dob", Label: "Ngày, tháng, năm sinh của trẻ", Kind: "date", Value: "", Required: true, Source: "ocr", Error: "bắt buộc (required)"},
		{Key: "sex", Label: "Giới tính của trẻ", Kind: "choice", Value: "Nữ", Choices: []string{"Nam", "Nữ"}, Source: "ocr"},
		{Key: "applicant", Label: "Họ, chữ đệm, tên người đi đăng ký", Kind: "text", Value: "Phạm Văn Ễ", Source: "card"},
		{Key: "phone", Label: "Số điện thoại", Kind: "number", Value: "", Source: "citizen"},
	}
	rc := &wire.ReceiptView{DossierCode: "000.00.21.H26-261125-0001", Printed: true, ReceivedAt: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)}
	prov := &wire.ReceiptView{DossierCode: "K01-20260102-0007", Provisional: true, ReceivedAt: rc.ReceivedAt}
	s := "s1"
	return map[string]wire.View{
		"attract":              {State: wire.Attract},
		"identify-qr":          {Session: s, State: wire.Identify, Step: wire.StepQR},
		"identify-card-retry":  {Session: s, State: wire.Identify, Step: wire.StepCard, Message: &wire.Message{Code: "card_removed", Vi: "Thẻ bị nhấc ra quá sớm. Hãy đặt lại thẻ và giữ yên.", En: "The card was removed too early. Put it back and keep it still.", Retry: true}},
		"identify-reading":     {Session: s, State: wire.Identify, Step: wire.StepReading},
		"identify-type_key":    {Session: s, State: wire.Identify, Step: wire.StepTypeKey},
		"choose":               {Session: s, State: wire.ChooseProcedure, Procedures: procs},
		"documents-place":      {Session: s, State: wire.Documents, Step: wire.StepPlace, Procedure: &proc, Documents: docs, Current: 3},
		"documents-scanning":   {Session: s, State: wire.Documents, Step: wire.StepScanning, Procedure: &proc, Documents: docs, Current: 2},
		"documents-preview":    {Session: s, State: wire.Documents, Step: wire.StepPreview, Procedure: &proc, Documents: docs, Current: 1},
		"review-processing":    {Session: s, State: wire.Review, Step: wire.StepProcessing, Documents: []wire.DocumentView{{Name: "Tờ khai đăng ký khai sinh", Status: "processing", Progress: 0.4, Required: true}, {Name: "Giấy chứng sinh", Status: "done", Required: true}}},
		"review-editing":       {Session: s, State: wire.Review, Step: wire.StepEditing, Form: form, Message: &wire.Message{Code: "form_incomplete", Vi: "Còn trường chưa điền hoặc chưa đúng, xem các ô được đánh dấu.", En: "Some fields are missing or wrong: see the marked boxes."}},
		"consent":              {Session: s, State: wire.Consent, Procedure: &proc},
		"submitting":           {Session: s, State: wire.Submitting},
		"receipt-printing":     {Session: s, State: wire.Receipt, Step: wire.StepPrinting, Receipt: rc},
		"receipt-print_failed": {Session: s, State: wire.Receipt, Step: wire.StepPrintFail, Receipt: prov, Message: &wire.Message{Code: "printer_paper_out", Vi: "Máy in hết giấy.", En: "The printer is out of paper."}},
		"done":                 {Session: s, State: wire.Done, Step: wire.StepPrinted, Receipt: rc},
		"choose-idle":          {Session: s, State: wire.ChooseProcedure, Procedures: procs, IdleWarning: true, IdleSecondsLeft: 30},
	}
}

// render draws the app's screen offscreen at its logical size and reads it back.
func render(a *App) *image.RGBA {
	w, h := a.Size()
	img := ebiten.NewImage(w, h)
	a.Draw(img)
	return uitest.Snapshot(img)
}

// halve makes a half-size copy (2×2 average) so the goldens stay small.
func halve(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	for y := range dst.Bounds().Dy() {
		for x := range dst.Bounds().Dx() {
			var r, g, bl int
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				c := src.RGBAAt(2*x+d[0], 2*y+d[1])
				r, g, bl = r+int(c.R), g+int(c.G), bl+int(c.B)
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(r / 4), uint8(g / 4), uint8(bl / 4), 0xFF})
		}
	}
	return dst
}

func TestScreensGolden(t *testing.T) {
	previewPage := image.NewRGBA(image.Rect(0, 0, 700, 990))
	for i := range previewPage.Pix {
		previewPage.Pix[i] = 0xF0
	}
	for y := 100; y < 900; y += 60 {
		for x := 80; x < 620; x++ {
			previewPage.SetRGBA(x, y, color.RGBA{0x30, 0x30, 0x30, 0xFF})
		}
	}
	for name, v := range fixtures() {
		for _, portrait := range []bool{false, true} {
			orient := "landscape"
			if portrait {
				orient = "portrait"
			}
			t.Run(name+"/"+orient, func(t *testing.T) {
				a, _ := newApp(t, portrait, theme.Options{})
				a.SetView(v)
				if name == "documents-preview" {
					a.SetPreview(1, 0, previewPage)
				}
				img := render(a)
				if !strings.Contains(a.Frame().Texts(), "Hủy") && v.State != wire.Attract && v.State != wire.Submitting &&
					v.State != wire.Receipt && v.State != wire.Done {
					t.Errorf("no Hủy (cancel) on %s", name)
				}
				uitest.Golden(t, name+"-"+orient, halve(img), *update)
			})
		}
	}
	// The same screens in the large-text and high-contrast variants.
	for _, o := range []theme.Options{{LargeText: true}, {HighContrast: true}} {
		a, _ := newApp(t, false, o)
		a.SetView(fixtures()["review-editing"])
		name := "review-editing-large"
		if o.HighContrast {
			name = "review-editing-contrast"
		}
		uitest.Golden(t, name, halve(render(a)), *update)
	}
	a, _ := newApp(t, false, theme.Options{})
	a.SetView(wire.View{State: wire.Attract})
	a.SetOffline()
	uitest.Golden(t, "offline", halve(render(a)), *update)
}

// tap presses and releases at the centre of the button labelled label.
func tap(t *testing.T, a *App, label string) {
	t.Helper()
	pt, ok := a.Frame().Center(label)
	if !ok {
		t.Fatalf("no button %q on %s; buttons: %q", label, a.Name(), a.Frame().Buttons())
	}
	a.Update(widget.Pointer{X: pt.X, Y: pt.Y, Down: true})
	a.Update(widget.Pointer{X: pt.X, Y: pt.Y})
}

func TestTapsBecomeActions(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	fx := fixtures()
	a.SetView(fx["attract"])
	tap(t, a, "Chạm để bắt đầu")

	a.SetView(fx["identify-qr"])
	tap(t, a, "Nhập số định danh")
	a.SetView(fx["identify-type_key"])
	for _, d := range "079092001234" {
		tap(t, a, string(d))
	}
	tap(t, a, "Xác nhận")

	a.SetView(fx["choose"])
	tap(t, a, "Tìm thủ tục")
	if a.Name() != "choose_procedure-search" {
		t.Fatalf("search keyboard not open: %s", a.Name())
	}
	for _, k := range []string{"k", "h", "a", "i", widget.KeySpace, "s", "i", "n", "h"} {
		tap(t, a, k)
	}
	tap(t, a, "Tìm")
	a.SetView(fx["choose"])
	// Popular first: the first procedure row is a popular one.
	tap(t, a, "Đăng ký khai sinh")

	a.SetView(fx["review-editing"])
	tap(t, a, "Ngày, tháng, năm sinh của trẻ")
	if a.Name() != "review-editing-form_incomplete-edit-date" {
		t.Fatalf("date keypad not open: %s", a.Name())
	}
	for _, d := range "01031990" {
		tap(t, a, string(d))
	}
	tap(t, a, "Lưu")
	// Drag the form up to reach the lines below.
	for y := 850; y >= 450; y -= 40 {
		a.Update(widget.Pointer{X: 900, Y: y, Down: true})
	}
	a.Update(widget.Pointer{X: 900, Y: 450})
	tap(t, a, "Giới tính của trẻ")
	tap(t, a, "Nam")
	a.offsets["form"] = 0
	a.changed()
	tap(t, a, "Họ, chữ đệm, tên của trẻ")
	tap(t, a, "Xóa")
	tap(t, a, "y")
	tap(t, a, "ã ngã")
	tap(t, a, "Lưu")
	tap(t, a, "Tiếp tục")

	a.SetView(fx["choose-idle"])
	tap(t, a, "Hủy") // under the idle overlay: must not act
	tap(t, a, "Thêm thời gian")

	want := []wire.Action{
		{Action: "start"}, {Action: "type_key"}, {Action: "enter_id", Value: "079092001234"},
		{Action: "search", Value: "khai sinh"}, {Action: "choose", Value: "1.001193"},
		{Action: "set_field", Key: "child_dob", Value: "01/03/1990"},
		{Action: "set_field", Key: "sex", Value: "Nam"},
		{Action: "set_field", Key: "child_name", Value: "Lê Thị ỹ"},
		{Action: "confirm"}, {Action: "more_time"},
	}
	if len(*sent) != len(want) {
		t.Fatalf("sent %d actions %+v, want %+v", len(*sent), *sent, want)
	}
	for i := range want {
		if (*sent)[i] != want[i] {
			t.Errorf("action %d = %+v, want %+v", i, (*sent)[i], want[i])
		}
	}
}

func TestIdleCountdownRunsLocally(t *testing.T) {
	a, _ := newApp(t, false, theme.Options{})
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	clock := start
	a.now = func() time.Time { return clock }
	a.SetView(fixtures()["choose-idle"])
	for i := range 5 * TPS {
		a.Update(widget.Pointer{})
		clock = start.Add(time.Duration(i+1) * time.Second / TPS)
	}
	if got := a.secondsLeft(); got != 25 {
		t.Errorf("after 5 s the countdown shows %d, want 25", got)
	}
}

func TestAttractIsStatic(t *testing.T) {
	a, _ := newApp(t, false, theme.Options{})
	a.SetView(wire.View{State: wire.Attract})
	a.Draw(ebiten.NewImage(a.Size()))
	for range 120 {
		if a.Update(widget.Pointer{}) {
			t.Fatal("the attract screen asks for redraws while nothing happens")
		}
	}
}

func TestOfflineThenReconnect(t *testing.T) {
	a, _ := newApp(t, false, theme.Options{})
	a.SetOffline()
	if a.Name() != "starting" || !strings.Contains(a.Frame().Texts(), "Đang khởi động…") {
		t.Fatalf("before kioskd answers: %s %q", a.Name(), a.Frame().Texts())
	}
	a.SetView(wire.View{State: wire.Attract})
	if a.Name() != "attract" {
		t.Errorf("after a view: %s", a.Name())
	}
	a.SetOffline()
	if a.Name() != "offline" || !strings.Contains(a.Frame().Texts(), "Đang kết nối lại…") {
		t.Fatalf("kioskd lost: %s %q", a.Name(), a.Frame().Texts())
	}
	a.SetView(wire.View{State: wire.Attract})
	if a.Name() != "attract" {
		t.Errorf("after reconnecting: %s", a.Name())
	}
}

func BenchmarkDrawReviewScreen(b *testing.B) {
	a, _ := newApp(b, false, theme.Options{})
	a.SetView(fixtures()["review-editing"])
	img := ebiten.NewImage(a.Size())
	px := make([]byte, 4*Long*Short)
	for b.Loop() {
		a.rebuild = true
		a.Draw(img)
		img.ReadPixels(px) // wait for the GPU (llvmpipe) to finish
	}
}
