package screens

import (
	"fmt"
	"image"
	"sort"
	"strings"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// Staff screens. Counter staff open them from the attract screen ("Dành cho cán bộ") with their PIN:
// today's dossiers with reprint and resend, the devices' status; the technician screen adds the
// self-test and a printer test page. The calls go to kioskd's staff API through the game's helper
// goroutine (StaffRequest out, SetStaffResult back), never from the game loop.

// Staff request kinds.
const (
	StaffLogin    = "login"
	StaffDossiers = "dossiers"
	StaffDevices  = "devices"
	StaffReprint  = "reprint"
	StaffRetry    = "retry"
	StaffTestPage = "testpage"
	StaffSelfTest = "selftest"
	StaffLogout   = "logout"
)

// StaffIdle is how long staff screens stay open without a touch.
const StaffIdle = 2 * time.Minute

// StaffRequest is a call to kioskd's staff API the App asks for.
type StaffRequest struct {
	Kind string
	PIN  string // login
	ID   int64  // reprint, retry: the outbox entry
}

// StaffResult is the answer to a StaffRequest. Err is the worded reason of a failure.
type StaffResult struct {
	Kind     string
	Err      string
	Dossiers []StaffDossier
	Devices  map[string]any
	Checks   []wire.Check
	Note     string // what was done (a reprint, a test page)
}

// StaffDossier is one line of today's dossiers (GET /v1/staff/dossiers): no personal data.
type StaffDossier struct {
	ID            int64     `json:"id"`
	ReceiptNo     string    `json:"receiptNo"`
	State         string    `json:"state"`
	DossierCode   string    `json:"dossierCode"`
	ProcedureCode string    `json:"procedureCode"`
	Reason        string    `json:"reason,omitempty"`
	LastError     string    `json:"lastError,omitempty"`
	Attempts      int       `json:"attempts"`
	CapturedAt    time.Time `json:"capturedAt"`
	// Check names the papers the citizen kept although the kiosk warned they did not look like
	// their document ("" when none): staff check them.
	Check string `json:"check,omitempty"`
}

// staffState is the staff screens' local state; nil when they are closed.
type staffState struct {
	screen   string // pin, menu, dossiers, devices, technician
	pin      *widget.Keyboard
	busy     string // the request in flight, "" for none
	err      string
	note     string
	dossiers []StaffDossier
	selected int64
	devices  map[string]any
	checks   []wire.Check
	lastTap  time.Time
	loggedIn bool
	zone     *time.Location // Asia/Ho_Chi_Minh: the times staff read
}

// SetStaffPort gives the App the function that makes staff calls; it must not block (hand the
// request to a goroutine). Without it the staff entry is not shown.
func (a *App) SetStaffPort(fn func(StaffRequest)) { a.staffPort = fn }

// SetStaffResult delivers the answer to a staff request.
func (a *App) SetStaffResult(r StaffResult) {
	s := a.staff
	if s == nil {
		return
	}
	if r.Kind == s.busy {
		s.busy = ""
	}
	s.err, s.note = r.Err, r.Note
	switch {
	case r.Kind == StaffLogin && r.Err == "":
		s.loggedIn, s.screen = true, "menu"
	case r.Kind == StaffLogin:
		s.pin = widget.NewKeyboard(widget.Digits, "")
	case r.Kind == StaffDossiers && r.Err == "":
		s.dossiers = r.Dossiers
	case r.Kind == StaffDevices && r.Err == "":
		s.devices = r.Devices
	case r.Kind == StaffSelfTest && r.Err == "":
		s.checks = r.Checks
	}
	a.rebuild = true
	if r.Kind == StaffRetry && r.Err == "" {
		note := s.note
		a.staffCall(StaffRequest{Kind: StaffDossiers}) // show the new state
		s.note = note
	}
}

// Staff reports whether the staff screens are open.
func (a *App) Staff() bool { return a.staff != nil }

func (a *App) openStaff() {
	pin := widget.NewKeyboard(widget.Digits, "")
	pin.Max = 12
	a.staff = &staffState{screen: "pin", pin: pin, lastTap: a.now(), zone: vntime.Zone()}
	a.touch = widget.NewTouch()
	a.rebuild = true
}

func (a *App) closeStaff() {
	if a.staff != nil && a.staff.loggedIn && a.staffPort != nil {
		a.staffPort(StaffRequest{Kind: StaffLogout})
	}
	a.staff = nil
	a.touch = widget.NewTouch()
	a.rebuild = true
}

// staffCall sends a request unless one is in flight.
func (a *App) staffCall(r StaffRequest) {
	s := a.staff
	if s == nil || s.busy != "" || a.staffPort == nil {
		return
	}
	s.busy, s.err, s.note = r.Kind, "", ""
	a.staffPort(r)
	a.rebuild = true
}

func (a *App) staffGo(screen string, load ...StaffRequest) func() {
	return func() {
		a.staff.screen, a.staff.err, a.staff.note = screen, "", ""
		a.offsets[screen] = 0
		for _, r := range load {
			a.staffCall(r)
		}
		a.rebuild = true
	}
}

// staffPage draws a staff screen's title, its notice (an error or what was done) and its footer
// with Thoát (log out) on the left; it returns the room for the content.
func (a *App) staffPage(f *widget.Frame, title, en string, buttons ...choice) image.Rectangle {
	s := a.staff
	y := a.header(f, title, en)
	switch {
	case s.err != "":
		y = a.note(f, y, s.err, "")
	case s.busy != "":
		y = a.note(f, y, "Đang thực hiện…", "Working…")
	case s.note != "":
		y = a.note(f, y, s.note, "")
	}
	// Log out sits where the citizen's Hủy sits.
	bottom := a.footer(f, &choice{"Thoát", "Log out", widget.Danger, a.closeStaff}, buttons)
	return image.Rect(margin, y, a.w-margin, bottom)
}

// staffScreen builds the open staff screen.
func (a *App) staffScreen(f *widget.Frame) {
	s := a.staff
	switch s.screen {
	case "pin":
		a.staffPIN(f)
	case "dossiers":
		a.staffDossiers(f)
	case "devices":
		a.staffDevices(f, false)
	case "technician":
		a.staffDevices(f, true)
	default:
		a.staffMenu(f)
	}
}

func (a *App) staffPIN(f *widget.Frame) {
	s := a.staff
	kb := s.pin
	y := a.header(f, "Đăng nhập cán bộ", "Staff sign-in: type your PIN")
	if s.err != "" {
		y = a.note(f, y, s.err, "")
	}
	ok := func() {
		if kb.Text() != "" {
			a.staffCall(StaffRequest{Kind: StaffLogin, PIN: kb.Text()})
		}
	}
	bottom := a.footer(f, &choice{"Quay lại", "Back", widget.Secondary, a.closeStaff}, []choice{{"Đăng nhập", "Sign in", widget.Primary, ok}})
	r := image.Rect(margin, y, a.w-margin, bottom)
	// The PIN is never shown: one dot per digit.
	a.entryLine(f, &r, strings.Repeat("•", len([]rune(kb.Text()))), "Mã PIN cán bộ")
	w := min(r.Dx(), 900)
	x := r.Min.X + (r.Dx()-w)/2
	kb.Layout(f, image.Rect(x, r.Min.Y, x+w, min(r.Max.Y, r.Min.Y+600)), a.changed)
}

func (a *App) staffMenu(f *widget.Frame) {
	r := a.staffPage(f, "Dành cho cán bộ", "Staff")
	items := []struct {
		label, sub string
		fn         func()
	}{
		{"Hồ sơ hôm nay", "Today's dossiers: reprint a receipt, resend", a.staffGo("dossiers", StaffRequest{Kind: StaffDossiers})},
		{"Trạng thái thiết bị", "Device status", a.staffGo("devices", StaffRequest{Kind: StaffDevices})},
		{"Kỹ thuật viên", "Technician: device status, self-test, printer test page", a.staffGo("technician", StaffRequest{Kind: StaffDevices})},
	}
	h := min(200, (r.Dy()-gap*(len(items)-1))/len(items))
	y := r.Min.Y
	for _, it := range items {
		f.Button(image.Rect(r.Min.X, y, r.Max.X, y+h), it.label, it.sub, widget.Row, it.fn)
		y += h + gap
	}
}

// outboxState is how an outbox state reads to staff.
func outboxState(d StaffDossier) string {
	switch d.State {
	case "captured", "queued":
		return "Chờ gửi (waiting)"
	case "uploading":
		return "Đang gửi (sending)"
	case "accepted":
		return "Đã tiếp nhận (accepted)"
	case "rejected":
		return "Bị từ chối (rejected)"
	}
	return d.State
}

func (a *App) staffDossiers(f *widget.Frame) {
	s := a.staff
	p := a.th.Palette
	var sel *StaffDossier
	for i := range s.dossiers {
		if s.dossiers[i].ID == s.selected {
			sel = &s.dossiers[i]
		}
	}
	btns := []choice{{"Menu", "Back to the menu", widget.Secondary, a.staffGo("menu")}}
	if sel != nil {
		id := sel.ID
		if sel.State == "rejected" {
			btns = append(btns, choice{"Gửi lại", "Resend", widget.Secondary, func() { a.staffCall(StaffRequest{Kind: StaffRetry, ID: id}) }})
		}
		btns = append(btns, choice{"In lại biên nhận", "Reprint the receipt", widget.Primary, func() { a.staffCall(StaffRequest{Kind: StaffReprint, ID: id}) }})
	}
	r := a.staffPage(f, "Hồ sơ hôm nay", "Today's dossiers: tap one, then reprint its receipt", btns...)
	if len(s.dossiers) == 0 {
		msg := "Hôm nay chưa có hồ sơ nào. (No dossiers today.)"
		if s.busy != "" {
			msg = ""
		}
		f.Text(r, msg, theme.Body, false, widget.Center, p.Muted)
		return
	}
	f.BeginScroll("dossiers", r)
	y := r.Min.Y
	for _, d := range s.dossiers {
		code := d.DossierCode
		if code == "" {
			code = d.ReceiptNo + " (tạm / provisional)"
		}
		sub := fmt.Sprintf("%s · %s · thủ tục %s", d.CapturedAt.In(s.zone).Format("15:04"), outboxState(d), d.ProcedureCode)
		if d.Reason != "" {
			sub += " · " + d.Reason
		}
		if d.Check != "" {
			sub += " · " + d.Check
		}
		kind := widget.Row
		if d.ID == s.selected {
			kind = widget.Selected
		}
		id := d.ID
		h := f.TextHeight(code, theme.Body, true, r.Dx()-60) + f.TextHeight(sub, theme.Small, false, r.Dx()-60) + 48
		f.Button(image.Rect(r.Min.X, y, r.Max.X-16, y+h), code, sub, kind, func() {
			s.selected, s.note, s.err = id, "", ""
			a.rebuild = true
		})
		y += h + 16
	}
	f.EndScroll()
}

// deviceNames are the device status keys staff see, in order, with their Vietnamese names.
var deviceNames = [...][2]string{
	{"printer", "Máy in biên nhận (receipt printer)"},
	{"scanner", "Máy quét giấy tờ (document scanner)"},
	{"cardReader", "Đầu đọc thẻ căn cước (ID card reader)"},
	{"qrScanner", "Máy quét mã QR (QR scanner)"},
	{"outboxPending", "Hồ sơ chờ gửi (dossiers waiting to send)"},
	{"uploader", "Gửi hồ sơ lên hệ thống tỉnh (uploader)"},
	{"catalogue", "Danh mục thủ tục (procedure catalogue)"},
	{"kioskId", "Mã kiosk (kiosk ID)"},
	{"uptimeSeconds", "Thời gian chạy, giây (uptime, s)"},
}

func (a *App) staffDevices(f *widget.Frame, technician bool) {
	s := a.staff
	p := a.th.Palette
	btns := []choice{{"Menu", "Back to the menu", widget.Secondary, a.staffGo("menu")}}
	title, en := "Trạng thái thiết bị", "Device status"
	if !technician {
		btns = append(btns, choice{"Làm mới", "Refresh", widget.Secondary, func() { a.staffCall(StaffRequest{Kind: StaffDevices}) }})
	} else {
		title, en = "Kỹ thuật viên", "Technician: device status and self-test"
		btns = append(btns,
			choice{"In trang thử", "Printer test page", widget.Secondary, func() { a.staffCall(StaffRequest{Kind: StaffTestPage}) }},
			choice{"Tự kiểm tra", "Run the self-test", widget.Primary, func() { a.staffCall(StaffRequest{Kind: StaffSelfTest}) }})
	}
	r := a.staffPage(f, title, en, btns...)
	f.BeginScroll(s.screen, r)
	y := r.Min.Y
	row := func(label, value string, ok bool, fix string) {
		clr := p.Fg
		if !ok {
			clr = p.Danger
		}
		lw := r.Dx() * 2 / 5
		h := max(f.TextHeight(label, theme.Body, true, lw-gap), f.TextHeight(value, theme.Body, false, r.Dx()-lw-16))
		f.Text(image.Rect(r.Min.X, y, r.Min.X+lw-gap, y), label, theme.Body, true, widget.Start, p.Fg)
		f.Text(image.Rect(r.Min.X+lw, y, r.Max.X-16, y), value, theme.Body, false, widget.Start, clr)
		y += h
		if fix != "" {
			y += f.Text(image.Rect(r.Min.X+lw, y, r.Max.X-16, y), "Cách khắc phục (fix): "+fix, theme.Small, false, widget.Start, p.Muted)
		}
		y += gap / 2
	}
	if s.devices != nil {
		keys := map[string]bool{}
		for _, d := range deviceNames {
			v, ok := s.devices[d[0]]
			if !ok {
				continue
			}
			keys[d[0]] = true
			val := fmt.Sprint(v)
			row(d[1], val, !strings.Contains(val, "lỗi") && !strings.Contains(val, "error"), "")
		}
		var rest []string
		for k := range s.devices {
			if !keys[k] {
				rest = append(rest, k)
			}
		}
		sort.Strings(rest)
		for _, k := range rest {
			row(k, fmt.Sprint(s.devices[k]), true, "")
		}
	}
	if technician && len(s.checks) > 0 {
		y += gap
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Kết quả tự kiểm tra (self-test)", theme.Body, true, widget.Start, p.Fg) + gap/2
		for _, c := range s.checks {
			mark := "ĐẠT (PASS): "
			if !c.OK {
				mark = "LỖI (FAIL): "
			}
			row(c.Device, mark+c.Result, c.OK, c.Fix)
		}
	}
	f.EndScroll()
}
