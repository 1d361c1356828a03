package screens

import (
	"image"
	"slices"
	"strings"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// checklistLines is "Cần mang theo" of the procedure being filed: each paper (required or, if
// any, optional; still missing first), the fee and the processing time.
func checklistLines(proc *wire.ProcedureView, docs []wire.DocumentView) []string {
	var missing, rest []string
	for _, d := range docs {
		line := "• " + d.Name
		if !d.Required && !strings.Contains(d.Name, "nếu có") {
			line += " (nếu có)"
		}
		switch d.Status {
		case wire.DocMissing, wire.DocFailed, "":
			if d.Required {
				line += " — còn thiếu"
			}
			missing = append(missing, line)
		default:
			rest = append(rest, line)
		}
	}
	lines := append(missing, rest...)
	if proc != nil {
		if proc.Fee != "" {
			lines = append(lines, "Lệ phí: "+proc.Fee)
		}
		if proc.ProcessingTime != "" {
			lines = append(lines, "Thời gian giải quyết: "+proc.ProcessingTime)
		}
	}
	return lines
}

// checklist draws "Cần mang theo" in large text over the documents screen, with a button to print
// it.
func (a *App) checklist(f *widget.Frame) {
	p := a.th.Palette
	v := a.view
	s := a.svcLocal()
	code := ""
	if v.Procedure != nil {
		code = v.Procedure.Code
	}
	r := a.page(f, "Cần mang theo", "What to bring: print this list and come back prepared", true,
		choice{"Quay lại", "Back", widget.Secondary, func() { s.checklist = false; a.changed() }},
		choice{"In danh sách", "Print the list", widget.Primary, a.act(wire.ActPrintChecklist, code)})
	f.BeginScroll("bring", r)
	y := r.Min.Y
	if v.Procedure != nil {
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X-16, y), "Thủ tục: "+v.Procedure.Name, theme.Body, true, widget.Start, p.Muted) + gap/2
	}
	for _, l := range checklistLines(v.Procedure, v.Documents) {
		clr := p.Fg
		if strings.HasSuffix(l, "còn thiếu") {
			clr = p.Danger
		}
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X-16, y), l, theme.Title, !strings.HasPrefix(l, "• ") || clr == p.Danger, widget.Start, clr) + gap/2
	}
	y += a.slipLine(f, r, y+gap)
	f.EndScroll()
}

// checklistRow puts the button that opens "Cần mang theo" at the bottom of r (the documents
// screen's picture), and returns what is left of r above it.
func (a *App) checklistRow(f *widget.Frame, r image.Rectangle) image.Rectangle {
	h := 120
	f.Button(image.Rect(r.Min.X, r.Max.Y-h, r.Max.X-16, r.Max.Y), "Cần mang theo", "What to bring: see and print", widget.Secondary, func() {
		a.svcLocal().checklist = true
		a.changed()
	})
	return image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Max.Y-h-gap/2)
}

// notifyBlock is the opt-in to status messages on the consent screen, inside r: the channels as
// toggles, then the number or address, checked by kioskd. It returns the height used.
func (a *App) notifyBlock(f *widget.Frame, r image.Rectangle, nv *wire.NotifyView) int {
	p := a.th.Palette
	y := r.Min.Y
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Nhận tin khi hồ sơ đổi trạng thái (không bắt buộc)", theme.Body, true, widget.Start, p.Fg)
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Be told by message when your dossier's status changes (optional). The centre sends it, not the kiosk.", theme.Small, false, widget.Start, p.Muted) + gap/2
	chans := nv.Channels
	if len(chans) == 0 {
		chans = []wire.Message{{Code: wire.NotifySMS, Vi: "Tin nhắn SMS", En: "SMS"}, {Code: wire.NotifyZalo, Vi: "Zalo", En: "Zalo"}, {Code: wire.NotifyEmail, Vi: "Thư điện tử", En: "E-mail"}}
	}
	n := len(chans)
	w := (r.Dx() - gap*(n-1)) / n
	for i, c := range chans {
		kind, sub := widget.Secondary, c.En
		if slices.Contains(nv.Chosen, c.Code) {
			kind, sub = widget.Selected, "Đã chọn (chosen)"
		}
		x := r.Min.X + i*(w+gap)
		f.Button(image.Rect(x, y, x+w, y+130), c.Vi, sub, kind, a.act(wire.ActNotifyChannel, c.Code))
	}
	y += 130 + gap
	s := a.svcLocal()
	contact := func(key, label, value, hint string) {
		shown := value
		if shown == "" {
			shown = hint
		}
		h := 120
		f.Button(image.Rect(r.Min.X, y, r.Max.X, y+h), label+": "+shown, "Chạm để nhập hoặc sửa (touch to type or change)", widget.Row, func() {
			s.typing, s.text = key, value
			if key == "phone" {
				s.kb = widget.NewKeyboard(widget.Digits, value)
				s.kb.Max = 12
			}
			a.changed()
		})
		y += h + gap/2
	}
	if slices.Contains(nv.Chosen, wire.NotifySMS) || slices.Contains(nv.Chosen, wire.NotifyZalo) {
		contact("phone", "Số điện thoại", nv.Phone, "(chưa có)")
	}
	if slices.Contains(nv.Chosen, wire.NotifyEmail) {
		contact("email", "Thư điện tử", nv.Email, "(chưa có)")
	}
	if m := nv.Error; m != nil && m.Vi != "" {
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), msgText(*m), theme.Body, true, widget.Start, p.Danger)
	}
	return y - r.Min.Y
}

// contactEntry is the number (keypad) or the address (character pad) being typed for the opt-in.
func (a *App) contactEntry(f *widget.Frame) {
	s := a.svcLocal()
	closeEd := func() { s.typing, s.kb = "", nil; a.changed() }
	value := func() string {
		if s.kb != nil {
			return s.kb.Text()
		}
		return s.text
	}
	title, en, hint := "Số điện thoại nhận tin", "The mobile number for the messages", "Ví dụ: 0912345678"
	if s.typing == "email" {
		title, en, hint = "Địa chỉ thư điện tử", "The e-mail address for the messages", "ví dụ: ten@example.vn"
	}
	r := a.page(f, title, en, false,
		choice{"Quay lại", "Back", widget.Secondary, closeEd},
		choice{"Lưu", "Save", widget.Primary, func() {
			act := a.actWith(wire.ActNotifyContact, strings.TrimSpace(value()), s.typing, 0)
			act()
			closeEd()
		}})
	a.entryLine(f, &r, value(), hint)
	if s.kb != nil {
		s.kb.Layout(f, image.Rect(r.Min.X, r.Min.Y, r.Max.X, min(r.Max.Y, r.Min.Y+580)), a.changed)
		return
	}
	a.charPad(f, image.Rect(r.Min.X, r.Min.Y, r.Max.X, min(r.Max.Y, r.Min.Y+660)), emailRows)
}
