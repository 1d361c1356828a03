package screens

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/ui/internal/uitest"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

func staffApp(t *testing.T, portrait bool) (*App, *[]StaffRequest) {
	a, _ := newApp(t, portrait, theme.Options{})
	var reqs []StaffRequest
	a.SetStaffPort(func(r StaffRequest) { reqs = append(reqs, r) })
	a.SetView(wire.View{Session: "", State: wire.Attract})
	return a, &reqs
}

var staffDossiers = []StaffDossier{
	{ID: 3, ReceiptNo: "K01-20261125-0003", State: "queued", ProcedureCode: "1.001193", CapturedAt: time.Date(2026, 11, 25, 10, 12, 0, 0, vntime.Zone())},
	{ID: 2, ReceiptNo: "K01-20261125-0002", State: "rejected", Reason: "thiếu giấy chứng sinh", ProcedureCode: "2.000986", CapturedAt: time.Date(2026, 11, 25, 9, 40, 0, 0, vntime.Zone())},
	{ID: 1, ReceiptNo: "K01-20261125-0001", State: "accepted", DossierCode: "000.00.21.H26-261125-0001", ProcedureCode: "1.001193", CapturedAt: time.Date(2026, 11, 25, 8, 5, 0, 0, vntime.Zone())},
}

var staffDevices = map[string]any{"printer": "sẵn sàng (ready)", "scanner": "lỗi (error): không trả lời (no answer)",
	"outboxPending": 1, "uploader": "đang chờ mạng (waiting for the network)", "catalogue": "2026-11-20", "kioskId": "K01", "uptimeSeconds": 5400}

var staffChecks = []wire.Check{
	{Device: "máy in (printer)", OK: true, Result: "sẵn sàng (ready)"},
	{Device: "máy quét giấy tờ (document scanner)", OK: false, Result: "không trả lời trong 10 giây (no answer within 10 s)", Fix: "kiểm tra nguồn, cáp/mạng và devices.scanner"},
	{Device: "kho hồ sơ (dossier store)", OK: true, Result: "toàn vẹn, 1 hồ sơ chờ gửi (intact, 1 waiting)"},
}

// The staff journey: PIN (never shown), menu, today's dossiers, a reprint, log out.
func TestStaffSignInAndReprint(t *testing.T) {
	a, reqs := staffApp(t, false)
	tap(t, a, "Dành cho cán bộ")
	if a.Name() != "staff-pin" {
		t.Fatalf("screen %s, want staff-pin", a.Name())
	}
	for _, d := range []string{"4", "8", "1", "5", "1", "6"} {
		tap(t, a, d)
	}
	if strings.Contains(a.Frame().Texts(), "481516") {
		t.Error("the PIN is shown on the screen")
	}
	tap(t, a, "Đăng nhập")
	if len(*reqs) != 1 || (*reqs)[0] != (StaffRequest{Kind: StaffLogin, PIN: "481516"}) {
		t.Fatalf("requests %+v, want one login with the PIN", *reqs)
	}
	// A wrong PIN: the reason is shown and the pad is cleared.
	a.SetStaffResult(StaffResult{Kind: StaffLogin, Err: "sai mã PIN (wrong PIN), còn 4 lần thử"})
	a.build()
	if a.Name() != "staff-pin" || !strings.Contains(a.Frame().Texts(), "sai mã PIN") || a.staff.pin.Text() != "" {
		t.Fatalf("after a refused PIN: %s %q", a.Name(), a.Frame().Texts())
	}
	a.SetStaffResult(StaffResult{Kind: StaffLogin})
	a.build()
	if a.Name() != "staff-menu" {
		t.Fatalf("screen %s after sign-in, want staff-menu", a.Name())
	}
	tap(t, a, "Hồ sơ hôm nay")
	if last := (*reqs)[len(*reqs)-1]; last.Kind != StaffDossiers {
		t.Fatalf("opening today's dossiers asked %+v", last)
	}
	a.SetStaffResult(StaffResult{Kind: StaffDossiers, Dossiers: staffDossiers})
	a.build()
	tap(t, a, "K01-20261125-0002 (tạm / provisional)")
	if _, ok := a.Frame().Center("Gửi lại"); !ok {
		t.Error("a rejected dossier offers no resend")
	}
	tap(t, a, "In lại biên nhận")
	if last := (*reqs)[len(*reqs)-1]; last != (StaffRequest{Kind: StaffReprint, ID: 2}) {
		t.Fatalf("reprint asked %+v, want dossier 2", last)
	}
	a.SetStaffResult(StaffResult{Kind: StaffReprint, Note: "Đã in lại biên nhận K01-20261125-0002 (receipt reprinted)"})
	a.build()
	if !strings.Contains(a.Frame().Texts(), "Đã in lại biên nhận") {
		t.Error("the reprint is not confirmed on screen")
	}
	tap(t, a, "Thoát")
	if a.Staff() || a.Name() != "attract" {
		t.Fatalf("after log out: %s", a.Name())
	}
	if last := (*reqs)[len(*reqs)-1]; last.Kind != StaffLogout {
		t.Errorf("log out did not end the staff session: %+v", last)
	}
}

// Staff screens close by themselves when left alone, and give way to a citizen who shows a QR code.
func TestStaffScreensClose(t *testing.T) {
	a, _ := staffApp(t, false)
	clock := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	a.now = func() time.Time { return clock }
	tap(t, a, "Dành cho cán bộ")
	clock = clock.Add(StaffIdle + time.Second)
	a.Update(widget.Pointer{})
	if a.Staff() {
		t.Fatal("staff screens still open after the idle time")
	}
	tap(t, a, "Dành cho cán bộ")
	a.SetView(wire.View{Session: "s9", State: wire.Identify, Step: wire.StepCard})
	if a.Staff() || !strings.HasPrefix(a.Name(), "identify") {
		t.Fatalf("a citizen's session is hidden behind the staff screens: %s", a.Name())
	}
}

func TestStaffScreensGolden(t *testing.T) {
	for _, portrait := range []bool{false, true} {
		orient := "landscape"
		if portrait {
			orient = "portrait"
		}
		a, _ := staffApp(t, portrait)
		a.openStaff()
		a.staff.pin.Press("1")
		a.staff.pin.Press("2")
		uitest.Golden(t, "staff-pin-"+orient, halve(render(a)), *update)

		a.SetStaffResult(StaffResult{Kind: StaffLogin})
		uitest.Golden(t, "staff-menu-"+orient, halve(render(a)), *update)

		a.staffGo("dossiers")()
		a.SetStaffResult(StaffResult{Kind: StaffDossiers, Dossiers: staffDossiers})
		a.staff.selected = 2
		a.rebuild = true
		uitest.Golden(t, "staff-dossiers-"+orient, halve(render(a)), *update)

		a.staffGo("devices")()
		a.SetStaffResult(StaffResult{Kind: StaffDevices, Devices: staffDevices})
		uitest.Golden(t, "staff-devices-"+orient, halve(render(a)), *update)

		a.staffGo("technician")()
		a.SetStaffResult(StaffResult{Kind: StaffDevices, Devices: staffDevices})
		a.SetStaffResult(StaffResult{Kind: StaffSelfTest, Checks: staffChecks})
		uitest.Golden(t, "staff-technician-"+orient, halve(render(a)), *update)
	}
}

// An address is picked from lists: the province editor is a scrolling list of the 34 provinces.
func TestProvincePickerGolden(t *testing.T) {
	provinces := catalog.Starter().Provinces()
	for _, portrait := range []bool{false, true} {
		orient := "landscape"
		if portrait {
			orient = "portrait"
		}
		a, sent := newApp(t, portrait, theme.Options{})
		a.SetView(wire.View{Session: "s1", State: wire.Review, Step: wire.StepEditing, Form: []wire.FieldView{
			{Key: "newProvince", Label: "Tỉnh, thành phố nơi đăng ký thường trú", Kind: "choice", Choices: provinces, Required: true},
			{Key: "newCommune", Label: "Xã, phường nơi đăng ký thường trú", Kind: "text", Required: true},
		}})
		tap(t, a, "Tỉnh, thành phố nơi đăng ký thường trú")
		if !strings.HasSuffix(a.Name(), "edit-choice") {
			t.Fatalf("screen %s, want the choice list", a.Name())
		}
		uitest.Golden(t, "review-edit-province-"+orient, halve(render(a)), *update)
		// A long list can be searched, without diacritics.
		tap(t, a, "Tìm")
		if !strings.HasSuffix(a.Name(), "edit-choice-search") {
			t.Fatalf("screen %s, want the list's search", a.Name())
		}
		for _, k := range []string{"c", "a", " ", "m", "a", "u"} {
			a.edit.find.Press(map[string]string{" ": widget.KeySpace}[k] + strings.TrimSpace(k))
		}
		tap(t, a, "Tìm")
		if got := a.Frame().Buttons(); !slices.Contains(got, "Tỉnh Cà Mau") || slices.Contains(got, "Thành phố Hà Nội") {
			t.Fatalf("searching \"ca mau\" shows %q", got)
		}
		tap(t, a, "Tìm: ca mau")
		for range len("ca mau") {
			a.edit.find.Press(widget.KeyBackspace)
		}
		a.changed()
		tap(t, a, "Tìm")
		tap(t, a, "Thành phố Hà Nội")
		if n := len(*sent); n == 0 || (*sent)[n-1].Action != wire.ActSetField || (*sent)[n-1].Key != "newProvince" ||
			(*sent)[n-1].Value != "Thành phố Hà Nội" || (*sent)[n-1].State != wire.Review {
			t.Errorf("picking Hà Nội sent %+v", *sent)
		}
	}
}

// Today's dossiers show Vietnam time whatever the machine's zone: 17:30 UTC is 00:30 in Hà Nội.
func TestStaffDossierTimesAreVietnamTime(t *testing.T) {
	a, _ := staffApp(t, false)
	tap(t, a, "Dành cho cán bộ")
	a.SetStaffResult(StaffResult{Kind: StaffLogin})
	a.build()
	tap(t, a, "Hồ sơ hôm nay")
	a.SetStaffResult(StaffResult{Kind: StaffDossiers, Dossiers: []StaffDossier{{ID: 9, ReceiptNo: "K01-261207-0009",
		State: "queued", ProcedureCode: "1.001193", CapturedAt: time.Date(2026, 12, 6, 17, 30, 0, 0, time.UTC)}}})
	a.build()
	texts := a.Frame().Texts()
	if !strings.Contains(texts, "00:30") || strings.Contains(texts, "17:30") {
		t.Fatalf("dossier time not in Vietnam time: %q", texts)
	}
}

// The card reader and the QR scanner are named in words on the devices screen, not by their keys.
func TestStaffDevicesNameTheReaders(t *testing.T) {
	a, _ := staffApp(t, false)
	a.openStaff()
	a.SetStaffResult(StaffResult{Kind: StaffLogin})
	a.staffGo("devices")()
	a.SetStaffResult(StaffResult{Kind: StaffDevices, Devices: map[string]any{"printer": "sẵn sàng (ready)",
		"cardReader": "mở được, phản hồi đúng (opens and answers)", "qrScanner": "lỗi (error): máy quét QR đã bị rút ra (QR scanner unplugged)"}})
	a.build()
	texts := a.Frame().Texts()
	for _, want := range []string{"Đầu đọc thẻ căn cước", "Máy quét mã QR", "opens and answers", "unplugged"} {
		if !strings.Contains(texts, want) {
			t.Errorf("devices screen lacks %q: %q", want, texts)
		}
	}
	if strings.Contains(texts, "cardReader") || strings.Contains(texts, "qrScanner") {
		t.Errorf("devices screen shows a key: %q", texts)
	}
}
