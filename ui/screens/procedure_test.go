package screens

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/internal/uitest"
	"github.com/tramso/tramso/ui/theme"
)

// decodeQR renders the app's screen at its full size and returns what zbarimg reads in it ("" when
// it finds no QR code).
func decodeQR(t *testing.T, a *App) string {
	t.Helper()
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (zbar-tools)")
	}
	path := filepath.Join(t.TempDir(), "screen.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, render(a)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path).Output()
	if err != nil {
		return "" // zbarimg exits 4 when it finds nothing
	}
	return strings.TrimSpace(string(out))
}

// The detail a procedure row opens: each paper with its originals and copies, the fee, the time and
// where to go; its three buttons post continue (choose), print and back, named on the detail.
func TestProcedureDetail(t *testing.T) {
	a, sent := newApp(t, false, theme.Options{})
	a.SetView(samples()["choose"])
	tap(t, a, "Đăng ký khai sinh")
	if got := last(t, sent); got.Action != wire.ActProcedure || got.Value != "1.001193" || got.State != wire.ChooseProcedure {
		t.Fatalf("a procedure row sent %+v, want its detail", got)
	}
	v := samples()["choose-procedure"]
	a.SetView(v)
	if a.Name() != "choose_procedure-procedure" {
		t.Fatalf("name %s", a.Name())
	}
	txt := a.Frame().Texts()
	for _, want := range []string{"Giấy tờ cần mang", "Tờ khai đăng ký khai sinh", "1 bản chính, 1 bản sao", "1 bản sao · Không bắt buộc",
		"Miễn phí", "Trong ngày", "Quầy 2 · Hộ tịch", "bản chính: original", "Quét mã xem thủ tục"} {
		if !strings.Contains(txt, want) {
			t.Errorf("detail lacks %q: %q", want, txt)
		}
	}
	*sent = nil
	for _, b := range []string{"Tiếp tục", "In danh sách giấy tờ", "Quay lại", "Hủy"} {
		tap(t, a, b)
	}
	want := []wire.ActionName{wire.ActChoose, wire.ActPrintChecklist, wire.ActBack, wire.ActCancel}
	if len(*sent) != len(want) {
		t.Fatalf("sent %+v", *sent)
	}
	for i, w := range want {
		got := (*sent)[i]
		if got.Action != w || got.Step != wire.StepProcedure || got.Session != v.Session {
			t.Errorf("button %d sent %+v, want %s named on the detail", i, got, w)
		}
		if (w == wire.ActChoose || w == wire.ActPrintChecklist) && got.Value != "1.001193" {
			t.Errorf("%s for %q, want the procedure shown", w, got.Value)
		}
	}
	// Spoken: the papers with their counts, the fee, the time, the place and the buttons.
	g := a.Guidance()
	for _, want := range []string{"Thủ tục Đăng ký khai sinh.", "Giấy tờ tùy thân của người đi đăng ký, 1 bản chính, 1 bản sao",
		"Lệ phí: Miễn phí", "Nơi nộp: Quầy 2", "chạm Tiếp tục", "chạm In danh sách giấy tờ", "chạm Quay lại"} {
		if !strings.Contains(g, want) {
			t.Errorf("guidance lacks %q: %q", want, g)
		}
	}
	// Printing: where the slip stands, on the detail itself.
	v.Services = &wire.ServicesView{Slip: &wire.SlipView{Kind: wire.SlipChecklist, State: wire.SlipPrinted}}
	v.Seq = 2
	a.SetView(v)
	if !strings.Contains(a.Frame().Texts(), "Đã in danh sách cần mang theo") {
		t.Errorf("the printed slip is not said: %q", a.Frame().Texts())
	}
}

// The QR code of the procedure's page on the detail and on the checklist decodes (zbarimg) to the
// page's address, in both orientations, large text and high contrast.
func TestProcedureQRDecodes(t *testing.T) {
	for i, o := range []theme.Options{{}, {}, {LargeText: true}, {LargeText: true}, {HighContrast: true}} {
		portrait := i%2 == 1
		a, _ := newApp(t, portrait, o)
		a.SetView(samples()["choose-procedure"])
		if got := decodeQR(t, a); got != samplePage {
			t.Errorf("detail %+v portrait %v: decoded %q, want %q", o, portrait, got, samplePage)
		}
		b, _ := newApp(t, portrait, o)
		b.SetView(samples()["documents-place"])
		tap(t, b, "Cần mang theo")
		if got := decodeQR(t, b); got != samplePage {
			t.Errorf("checklist %+v portrait %v: decoded %q, want %q", o, portrait, got, samplePage)
		}
	}
}

// What the catalogue does not say is not shown: no papers, no empty list or heading; no page, no
// QR code; no counts, no count words; no fee, time or place, no such line.
func TestProcedureDetailShowsOnlyWhatIsKnown(t *testing.T) {
	for _, portrait := range []bool{false, true} {
		a, _ := newApp(t, portrait, theme.Options{})
		a.SetView(wire.View{Session: "s9", State: wire.ChooseProcedure, Step: wire.StepProcedure,
			Procedure: &wire.ProcedureView{Code: "9.000001", Name: "Thủ tục không cần giấy tờ"}})
		txt := a.Frame().Texts()
		for _, absent := range []string{"Giấy tờ cần mang", "Papers to bring", "bản chính", "bản sao", "Lệ phí", "Thời hạn", "Nơi nộp", "Quét mã"} {
			if strings.Contains(txt, absent) {
				t.Errorf("portrait %v: %q shown for a procedure without it: %q", portrait, absent, txt)
			}
		}
		if _, ok := a.Frame().Center("Tiếp tục"); !ok {
			t.Errorf("portrait %v: no Tiếp tục: %q", portrait, a.Frame().Buttons())
		}
		if got := decodeQR(t, a); got != "" {
			t.Errorf("portrait %v: a QR code %q drawn with no page", portrait, got)
		}
		if g := a.Guidance(); strings.Contains(g, "Cần mang theo") || strings.Contains(g, "Lệ phí") {
			t.Errorf("guidance of what is not there: %q", g)
		}
	}
	// Papers without counts: the names alone, no legend.
	a, _ := newApp(t, false, theme.Options{})
	v := samples()["documents-place"]
	v.Procedure = &wire.ProcedureView{Code: sampleProc.Code, Name: sampleProc.Name}
	v.Documents = []wire.DocumentView{{Type: "a", Name: "Giấy A", Required: true, Status: wire.DocMissing}}
	a.SetView(v)
	tap(t, a, "Cần mang theo")
	txt := a.Frame().Texts()
	if !strings.Contains(txt, "• Giấy A — còn thiếu") || strings.Contains(txt, "bản chính") || strings.Contains(txt, "Quét mã") {
		t.Errorf("checklist of a paper without counts: %q", txt)
	}
}

// The QR code of the page is drawn large enough for a phone at arm's length, in both
// orientations and with large text.
func TestProcedureQRLargeEnough(t *testing.T) {
	for _, portrait := range []bool{false, true} {
		for _, o := range []theme.Options{{}, {LargeText: true}} {
			a, _ := newApp(t, portrait, o)
			a.SetView(samples()["choose-procedure"])
			a.Frame()
			if a.qr == nil || a.qr.img == nil || a.qr.payload != samplePage {
				t.Errorf("portrait %v %+v: no QR code of the page drawn", portrait, o)
				continue
			}
			if s := a.qr.img.Bounds().Dx(); s < 200 {
				t.Errorf("portrait %v %+v: QR code %d px, too small to scan", portrait, o, s)
			}
		}
	}
}

// The detail with large text, in both orientations (reviewed by looking at it).
func TestProcedureGoldenLarge(t *testing.T) {
	for _, portrait := range []bool{false, true} {
		orient := "landscape"
		if portrait {
			orient = "portrait"
		}
		t.Run(orient, func(t *testing.T) {
			a, _ := newApp(t, portrait, theme.Options{LargeText: true})
			a.SetView(samples()["choose-procedure"])
			uitest.Golden(t, "choose-procedure-large-"+orient, halve(render(a)), *update)
		})
	}
}
