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
	for name, v := range samples() {
		for _, portrait := range []bool{false, true} {
			orient := "landscape"
			if portrait {
				orient = "portrait"
			}
			t.Run(name+"/"+orient, func(t *testing.T) {
				a, _ := newApp(t, portrait, theme.Options{})
				a.SetView(v)
				if name == "documents-preview" || name == "documents-preview-mismatch" {
					a.SetPreview(v.Current, 0, previewPage)
				}
				img := render(a)
				if !strings.Contains(a.Frame().Texts(), "Hủy") && v.State != wire.Attract && v.State != wire.Submitting &&
					v.State != wire.Receipt && v.State != wire.Done && !endsService(a) {
					t.Errorf("no Hủy (cancel) on %s", name)
				}
				uitest.Golden(t, name+"-"+orient, halve(img), *update)
			})
		}
	}
	// The same screens in the large-text and high-contrast variants.
	for _, o := range []theme.Options{{LargeText: true}, {HighContrast: true}} {
		a, _ := newApp(t, false, o)
		a.SetView(samples()["review-editing"])
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
	fx := samples()
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

	a.SetView(fx["documents-place"])
	tap(t, a, "Quét")

	// Each action names the view it was tapped on, so kioskd can refuse it once that view is gone.
	on := func(view string, a wire.Action) wire.Action {
		v := fx[view]
		a.Session, a.State, a.Step = v.Session, v.State, v.Step
		return a
	}
	three := 3
	want := []wire.Action{
		on("attract", wire.Action{Action: "start"}), on("identify-qr", wire.Action{Action: "type_key"}),
		on("identify-type_key", wire.Action{Action: "enter_id", Value: "079092001234"}),
		on("choose", wire.Action{Action: "search", Value: "khai sinh"}), on("choose", wire.Action{Action: "procedure", Value: "1.001193"}),
		on("review-editing", wire.Action{Action: "set_field", Key: "child_dob", Value: "01/03/1990"}),
		on("review-editing", wire.Action{Action: "set_field", Key: "sex", Value: "Nam"}),
		on("review-editing", wire.Action{Action: "set_field", Key: "child_name", Value: "Lê Thị ỹ"}),
		on("review-editing", wire.Action{Action: "confirm"}), on("choose-idle", wire.Action{Action: "more_time"}),
		on("documents-place", wire.Action{Action: "scan", Document: &three}),
	}
	if len(*sent) != len(want) {
		t.Fatalf("sent %d actions %+v, want %+v", len(*sent), *sent, want)
	}
	for i := range want {
		if !sameAction((*sent)[i], want[i]) {
			t.Errorf("action %d = %+v, want %+v", i, (*sent)[i], want[i])
		}
	}
}

// sameAction compares two actions, the document they name by value.
func sameAction(a, b wire.Action) bool {
	if (a.Document == nil) != (b.Document == nil) || (a.Document != nil && *a.Document != *b.Document) {
		return false
	}
	a.Document, b.Document = nil, nil
	return a == b
}

// A tap on a button built for an earlier view names that view, not the one that came since: kioskd
// then refuses it instead of applying it to the new step. A view older than the one shown (the
// answer to an action arriving after the event stream brought the next view) is not shown again.
func TestActionsNameTheViewTheyWereMadeOn(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	prev := samples()["documents-preview"]
	prev.Seq = 10
	a.SetView(prev)
	handler := a.act(wire.ActAccept, "") // the button as built on the preview of document 1
	next := samples()["documents-place"]
	next.Seq = 11
	a.SetView(next)
	handler() // the finger lands after the view moved on
	if len(*sent) != 1 || (*sent)[0].Document == nil || *(*sent)[0].Document != 1 || (*sent)[0].Step != wire.StepPreview {
		t.Fatalf("sent %+v, want the accept named on document 1's preview", *sent)
	}
	a.SetView(prev) // older: ignored
	if v := a.View(); v.Seq != 11 || v.Step != wire.StepPlace {
		t.Fatalf("an older view replaced the newer one: %s seq %d", v.Step, v.Seq)
	}
	other := samples()["attract"]
	other.Seq = 2 // a new session (kioskd restarted, or the session wiped): shown whatever its seq
	a.SetView(other)
	if a.View().State != wire.Attract {
		t.Fatalf("the attract screen of another session was not shown: %s", a.View().State)
	}
}

func TestIdleCountdownRunsLocally(t *testing.T) {
	a, _ := newApp(t, false, theme.Options{})
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	clock := start
	a.now = func() time.Time { return clock }
	a.SetView(samples()["choose-idle"])
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
	a.SetView(samples()["review-editing"])
	img := ebiten.NewImage(a.Size())
	px := make([]byte, 4*Long*Short)
	for b.Loop() {
		a.rebuild = true
		a.Draw(img)
		img.ReadPixels(px) // wait for the GPU (llvmpipe) to finish
	}
}

// The citizen accepts only a page they have seen: until the preview image is on screen, "Dùng
// trang này" is there but does nothing; the frame that draws the page is the first it works in.
func TestAcceptWaitsForThePreview(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	v := samples()["documents-preview-loading"]
	a.SetView(v)
	render(a)
	if !strings.Contains(a.Frame().Texts(), "Đang tải ảnh trang") {
		t.Fatalf("no loading note: %q", a.Frame().Texts())
	}
	tap(t, a, "Dùng trang này")
	if len(*sent) != 0 {
		t.Fatalf("accept sent before the page was shown: %+v", *sent)
	}
	// A preview of another page (the previous document's) does not count.
	a.SetPreview(0, 0, image.NewRGBA(image.Rect(0, 0, 70, 99)))
	render(a)
	tap(t, a, "Dùng trang này")
	if len(*sent) != 0 {
		t.Fatalf("accept sent with another page on screen: %+v", *sent)
	}
	page := image.NewRGBA(image.Rect(0, 0, 70, 99))
	a.SetPreview(v.Current, 0, page)
	render(a)
	if strings.Contains(a.Frame().Texts(), "Đang tải ảnh trang") {
		t.Fatal("the page is shown and the loading note too")
	}
	tap(t, a, "Dùng trang này")
	if len(*sent) != 1 || (*sent)[0].Action != wire.ActAccept {
		t.Fatalf("sent %+v, want one accept", *sent)
	}
}

// A page that looks like another paper: rescan is the advised button, "Vẫn dùng trang này" keeps it
// (action keep), and there is no plain accept.
func TestMismatchOffersRescanOrKeep(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	v := samples()["documents-preview-mismatch"]
	a.SetView(v)
	a.SetPreview(v.Current, 0, image.NewRGBA(image.Rect(0, 0, 70, 99)))
	render(a)
	if !strings.Contains(a.Frame().Texts(), "giống Giấy chứng sinh") {
		t.Fatalf("the warning is not shown: %q", a.Frame().Texts())
	}
	if _, ok := a.Frame().Center("Dùng trang này"); ok {
		t.Fatal("plain accept offered over the warning")
	}
	tap(t, a, "Vẫn dùng trang này")
	tap(t, a, "Quét lại")
	if len(*sent) != 2 || (*sent)[0].Action != wire.ActKeep || (*sent)[1].Action != wire.ActRescan {
		t.Fatalf("sent %+v, want keep then rescan", *sent)
	}
}
