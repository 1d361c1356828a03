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
// any, optional; still missing first) with its originals and copies, the fee, the processing time
// and where to go.
func checklistLines(proc *wire.ProcedureView, docs []wire.DocumentView) []string {
	var missing, rest []string
	for _, d := range docs {
		line := "• " + d.Name
		if !d.Required && !strings.Contains(d.Name, "nếu có") {
			line += " (nếu có)"
		}
		if c := counts(d); c != "" {
			line += ": " + c
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
		if proc.Where != "" {
			lines = append(lines, "Nơi nộp: "+proc.Where)
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
	if v.Procedure != nil && v.Procedure.PageURL != "" {
		// The QR code of the procedure's page beside the list (below it, upright).
		var qr image.Rectangle
		if a.w > a.h {
			r, qr = a.split(r, 0.7)
		} else {
			r, qr = a.split(r, 0.72)
		}
		a.pageQR(f, qr, v.Procedure.PageURL)
	}
	// The list scrolls when it does not fit (large text), never cut at the edge.
	var paras []para
	if v.Procedure != nil {
		paras = append(paras, para{s: "Thủ tục: " + v.Procedure.Name, size: theme.Body, bold: true, clr: p.Muted, keep: true})
	}
	if counted(v.Documents) {
		paras = append(paras, a.label(countsLegend))
	}
	if len(paras) > 0 {
		paras[len(paras)-1].after = gap / 2
	}
	for _, l := range checklistLines(v.Procedure, v.Documents) {
		clr := p.Fg
		if strings.HasSuffix(l, "còn thiếu") {
			clr = p.Danger
		}
		paras = append(paras, para{s: l, size: theme.Title, bold: !strings.HasPrefix(l, "• ") || clr == p.Danger, clr: clr, after: gap / 2})
	}
	if slip, clr := a.slipText(); slip != "" && len(paras) > 0 {
		paras[len(paras)-1].after += gap
		paras = append(paras, para{s: slip, size: theme.Body, bold: true, clr: clr})
	}
	a.column(f, "bring", r, paras)
}

// counted reports whether the catalogue gives the originals or copies of any of docs.
func counted(docs []wire.DocumentView) bool {
	return slices.ContainsFunc(docs, func(d wire.DocumentView) bool { return d.Originals > 0 || d.Copies > 0 })
}

// pageQR draws the QR code of the procedure's page at the top of r with what it is for below it,
// as large as r allows; too small a room (a code a phone could not read) shows none.
func (a *App) pageQR(f *widget.Frame, r image.Rectangle, url string) {
	p := a.th.Palette
	side := a.pageQRSide(f, r.Dx(), r.Dy())
	if side < 160 {
		return
	}
	box := image.Rect(r.Min.X+(r.Dx()-side)/2, r.Min.Y, r.Min.X+(r.Dx()+side)/2, r.Min.Y+side)
	if !a.drawQR(f, box, url) {
		return
	}
	ty := box.Max.Y + gap/2
	cap1, cap2 := pageQRCaption()
	ty += f.Text(image.Rect(r.Min.X, ty, r.Max.X, ty), cap1, theme.Small, false, widget.Center, p.Fg)
	f.Text(image.Rect(r.Min.X, ty, r.Max.X, ty), cap2, theme.Small, false, widget.Center, p.Muted)
}

// pageQRCaption is what pageQR writes under the code, Vietnamese then English.
func pageQRCaption() (string, string) { return "Quét mã xem thủ tục", "Scan: procedure page" }

// pageQRSide is the side of the code pageQR draws in a room w×h, its caption below it.
func (a *App) pageQRSide(f *widget.Frame, w, h int) int {
	cap1, cap2 := pageQRCaption()
	ch := f.TextHeight(cap1, theme.Small, false, w) + f.TextHeight(cap2, theme.Small, false, w)
	return min(w, h-ch-gap/2, 400)
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
