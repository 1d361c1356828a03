package screens

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
)

// cutLines lists the lines of text on a's screen that show only in part: cut at the edge of their
// scroll region or of the screen, as the screen first shows (nothing scrolled).
func cutLines(a *App) []string {
	var out []string
	for _, l := range a.Frame().Lines() {
		if l.Cut() {
			out = append(out, fmt.Sprintf("%q at %v, shown %v", l.Text, l.Box, l.Shown))
		}
	}
	return out
}

// overlaps lists the pairs of lines of text on a's screen that are drawn over each other.
func overlaps(a *App) []string {
	var out []string
	lines := a.Frame().Lines()
	for i, l := range lines {
		for _, m := range lines[i+1:] {
			if l.Shown.Overlaps(m.Shown) {
				out = append(out, fmt.Sprintf("%q at %v over %q at %v", l.Text, l.Shown, m.Text, m.Shown))
			}
		}
	}
	return out
}

// shownText is the text of the lines that show whole on a's screen, as it first shows.
func shownText(a *App) string {
	var sb strings.Builder
	for _, l := range a.Frame().Lines() {
		if !l.Cut() && !l.Hidden() {
			sb.WriteString(l.Text + " ")
		}
	}
	return sb.String()
}

// layouts are the screen variants a citizen may see: both orientations, with and without large text.
var layouts = []struct {
	name     string
	portrait bool
	o        theme.Options
}{
	{"landscape", false, theme.Options{}},
	{"portrait", true, theme.Options{}},
	{"large-landscape", false, theme.Options{LargeText: true}},
	{"large-portrait", true, theme.Options{LargeText: true}},
}

// A long place name on the procedure detail wraps: no line of the detail (papers, fee, time, place)
// is cut at the edge of its panel, in either orientation, with or without large text. Without
// large text the demo's place shows whole; a longer one scrolls, its lines whole.
func TestProcedureDetailNothingCut(t *testing.T) {
	for _, where := range []string{"Bộ phận Một cửa, Ủy ban nhân dân phường Ô Chợ Dừa (giả lập)",
		"Bộ phận Một cửa, Ủy ban nhân dân phường Ô Chợ Dừa (giả lập), số 12 ngõ 34 phố Hoàng Cầu, thành phố Hà Nội"} {
		pr := sampleProc
		pr.Fee = "Miễn lệ phí nếu đăng ký đúng hạn"
		pr.Where = where
		for _, l := range layouts {
			a, _ := newApp(t, l.portrait, l.o)
			v := samples()["choose-procedure"]
			v.Procedure = &pr
			a.SetView(v)
			if o := overlaps(a); len(o) > 0 {
				t.Errorf("%s, %q: lines drawn over each other:\n%s", l.name, where, strings.Join(o, "\n"))
			}
			if cut := cutLines(a); len(cut) > 0 {
				t.Errorf("%s, %q: lines cut at an edge:\n%s", l.name, where, strings.Join(cut, "\n"))
			}
			if !l.o.LargeText && strings.HasSuffix(where, "(giả lập)") && !strings.Contains(shownText(a), "(giả lập)") {
				t.Errorf("%s: the end of the place does not show: %q", l.name, shownText(a))
			}
		}
	}
}

// The payment screen shows the amount and the whole waiting sentence, Vietnamese and English, in
// both orientations and with large text (offline, the notice at the top says the wait); no line is
// cut at an edge or drawn over another.
func TestPaymentWaitingShowsWhole(t *testing.T) {
	// The demo's payment: the centre's payee name, a dossier code of the national form.
	pay := &wire.PaymentView{DossierCode: "000.00.21.H26-261207-0002", AmountVND: 10000, Amount: "10.000 đồng",
		PayeeName: "TRUNG TAM PHUC VU HANH CHINH CONG", Purpose: "Le phi Chung thuc chu ky", VietQR: samples()["payment-pay_qr"].Services.Payment.VietQR}
	offline := *pay
	offline.Offline = true
	for _, pv := range []*wire.PaymentView{pay, &offline, samples()["payment-pay_qr"].Services.Payment} {
		for _, l := range layouts {
			a, _ := newApp(t, l.portrait, l.o)
			a.SetView(wire.View{Session: "s1", State: wire.Payment, Step: wire.StepPayQR, Services: &wire.ServicesView{Payment: pv}})
			if cut := cutLines(a); len(cut) > 0 {
				t.Errorf("%s offline %v: lines cut at an edge:\n%s", l.name, pv.Offline, strings.Join(cut, "\n"))
			}
			if o := overlaps(a); len(o) > 0 {
				t.Errorf("%s offline %v: lines drawn over each other:\n%s", l.name, pv.Offline, strings.Join(o, "\n"))
			}
			shown := shownText(a)
			wait := []string{"Đang chờ thanh toán", "bank confirms it."}
			if pv.Offline {
				// The notice at the top is the wait.
				wait = []string{"xin chờ thêm.", "If you have paid, please wait."}
			}
			// A label shows only with its value (the column never ends between them).
			for label, value := range map[string]string{"Người nhận (payee)": pv.PayeeName, "Mã hồ sơ (dossier code)": pv.DossierCode, "Nội dung (purpose)": pv.Purpose} {
				if strings.Contains(shown, label) && !strings.Contains(shown, label+" "+value) {
					t.Errorf("%s offline %v: %q shows without its value: %q", l.name, pv.Offline, label, shown)
				}
			}
			for _, want := range append(wait, amountText(pv)) {
				if !strings.Contains(shown, want) {
					t.Errorf("%s offline %v: %q does not show whole: %q", l.name, pv.Offline, want, shown)
				}
			}
		}
	}
}

// The checklist over the documents screen, with large text too: no line cut at its edge.
func TestChecklistNothingCut(t *testing.T) {
	for _, l := range layouts {
		a, _ := newApp(t, l.portrait, l.o)
		a.SetView(samples()["documents-place"])
		tap(t, a, "Cần mang theo")
		if cut := cutLines(a); len(cut) > 0 {
			t.Errorf("%s: lines cut at an edge:\n%s", l.name, strings.Join(cut, "\n"))
		}
	}
}
