package screens

import (
	"image"
	"image/color"
	"strings"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// tracker draws "Tra cứu hồ sơ": how to find the dossier (the receipt's QR, the code typed, the ID
// card), the wait while central is asked, the holder's dossiers, and one dossier's status.
func (a *App) tracker(f *widget.Frame) {
	tv := a.services().Tracker
	if tv == nil {
		tv = &wire.TrackerView{}
	}
	switch a.view.Step {
	case wire.StepTrackCode:
		a.trackCode(f)
	case wire.StepTrackCard:
		if s := a.svc; s != nil && s.typing == "id" {
			a.trackID(f)
			return
		}
		r := a.page(f, "Đưa mã QR trên thẻ Căn cước vào đầu đọc, rồi đặt thẻ lên đầu đọc thẻ",
			"Show your ID card's QR code, then place the card on the reader to see your dossiers", true,
			choice{"Nhập mã hồ sơ", "Type the code", widget.Secondary, a.act(wire.ActTrackType, "")},
			choice{"Nhập số định danh", "Type the ID number", widget.Secondary, func() {
				s := a.svcLocal()
				s.typing, s.kb = "id", widget.NewKeyboard(widget.Digits, "")
				s.kb.Max = 12
				a.changed()
			}})
		half := min(r.Dx()*2/5, 560) * 6 / 10
		cx := r.Min.X + r.Dx()/2
		f.Custom(image.Rect(cx-half, r.Min.Y, cx+half, r.Max.Y), a.cardAnimation(false))
	case wire.StepTrackReading, wire.StepTrackLookup:
		title, en := "Đang tìm hồ sơ…", "Looking the dossier up… please wait"
		if a.view.Step == wire.StepTrackReading {
			title, en = "Đang đọc thẻ… Xin đừng nhấc thẻ ra", "Reading the card… please do not remove it"
		}
		r := a.page(f, title, en, true)
		y := r.Min.Y
		if tv.Code != "" {
			y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Mã hồ sơ: "+tv.Code, theme.Body, true, widget.Center, a.th.Fg)
		}
		a.bigWait(f, r, y)
	case wire.StepTrackList:
		a.trackList(f, tv)
	case wire.StepTrackResult:
		a.trackResult(f, tv)
	default:
		a.trackWay(f)
	}
}

// trackWay offers the three ways to find a dossier; the receipt's QR needs no touch (the code
// reader sees it).
func (a *App) trackWay(f *widget.Frame) {
	p := a.th.Palette
	r := a.page(f, "Tra cứu hồ sơ", "Track a dossier", true)
	y := r.Min.Y
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Đưa mã QR trên giấy tiếp nhận hồ sơ vào đầu đọc mã.", theme.Title, true, widget.Start, p.Fg)
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Hold the QR code of your receipt under the code reader. Or:", theme.Small, false, widget.Start, p.Muted)
	y += gap * 2
	// Two large targets for the other ways, side by side in landscape, one above the other in
	// portrait.
	h := min(260, (r.Max.Y-y-gap)/2)
	if a.w > a.h {
		w := (r.Dx() - gap) / 2
		f.Button(image.Rect(r.Min.X, y, r.Min.X+w, y+h), "Nhập mã hồ sơ", "Type the dossier code", widget.Primary, a.act(wire.ActTrackType, ""))
		f.Button(image.Rect(r.Max.X-w, y, r.Max.X, y+h), "Dùng thẻ Căn cước", "Use your ID card: all your dossiers", widget.Primary, a.act(wire.ActTrackCard, ""))
		return
	}
	f.Button(image.Rect(r.Min.X, y, r.Max.X, y+h), "Nhập mã hồ sơ", "Type the dossier code", widget.Primary, a.act(wire.ActTrackType, ""))
	y += h + gap
	f.Button(image.Rect(r.Min.X, y, r.Max.X, y+h), "Dùng thẻ Căn cước", "Use your ID card: all your dossiers", widget.Primary, a.act(wire.ActTrackCard, ""))
}

// trackID is the 12-digit ID number typed instead of the card's QR code (it opens the chip).
func (a *App) trackID(f *widget.Frame) {
	s := a.svc
	kb := s.kb
	r := a.page(f, "Nhập số định danh cá nhân", "Type the 12-digit personal ID number on your card", true,
		choice{"Quay lại", "Back", widget.Secondary, func() { s.typing, s.kb = "", nil; a.changed() }},
		choice{"Xác nhận", "Confirm", widget.Primary, func() { a.act(wire.ActEnterID, kb.Text())() }})
	a.entryLine(f, &r, kb.Text(), "12 chữ số in trên thẻ Căn cước")
	kb.Layout(f, image.Rect(r.Min.X, r.Min.Y, r.Max.X, min(r.Max.Y, r.Min.Y+600)), a.changed)
}

// trackCode is the dossier code typed on the character pad.
func (a *App) trackCode(f *widget.Frame) {
	s := a.svcLocal()
	if s.typing != "code" {
		s.typing, s.text = "code", ""
	}
	r := a.page(f, "Nhập mã hồ sơ", "Type the dossier code printed on your receipt, then touch Tra cứu", true,
		choice{"Tra cứu", "Look up", widget.Primary, func() { a.act(wire.ActTrackCode, strings.TrimSpace(s.text))() }})
	a.entryLine(f, &r, s.text, "Ví dụ: 000.00.21.H26-261207-0001")
	a.charPad(f, image.Rect(r.Min.X, r.Min.Y, r.Max.X, min(r.Max.Y, r.Min.Y+660)), codeRows)
}

// trackList is the card holder's dossiers, newest first.
func (a *App) trackList(f *widget.Frame, tv *wire.TrackerView) {
	r := a.page(f, "Hồ sơ của bạn", "Your dossiers, newest first: touch one to see its status", true)
	r.Min.Y = a.offlineNote(f, tv, r.Min.Y)
	if len(tv.Dossiers) == 0 {
		f.Text(r, "Không tìm thấy hồ sơ nào của bạn. (No dossier found.)", theme.Body, true, widget.Center, a.th.Muted)
		return
	}
	f.BeginScroll("tracked", r)
	y := r.Min.Y
	for i, d := range tv.Dossiers {
		label := d.DossierCode
		if d.ProcedureName != "" {
			label += " · " + d.ProcedureName
		}
		sub := a.statusLine(d)
		if !d.ReceivedAt.IsZero() {
			sub += " · nộp ngày " + dateVN(d.ReceivedAt)
		}
		h := f.TextHeight(label, theme.Body, true, r.Dx()-60) + f.TextHeight(sub, theme.Small, false, r.Dx()-60) + 48
		f.Button(image.Rect(r.Min.X, y, r.Max.X-16, y+h), label, sub, widget.Row, a.actWith(wire.ActTrackSelect, "", "", i))
		y += h + 16
	}
	f.EndScroll()
}

// offlineNote says that central cannot be reached and what is shown instead.
func (a *App) offlineNote(f *widget.Frame, tv *wire.TrackerView, y int) int {
	if !tv.Offline || a.view.Message != nil {
		return y
	}
	return a.note(f, y, "Hiện không kết nối được hệ thống của cơ quan. Kiosk chỉ hiển thị những gì kiosk biết về hồ sơ đã nộp tại đây.",
		"The central system cannot be reached: the kiosk shows only what it knows itself. Please try again later.")
}

// statusLine is a dossier's status in words: what central said, or, for a line from the kiosk's
// own outbox, what the kiosk knows. The kiosk never makes a status up.
func (a *App) statusLine(d wire.TrackedView) string {
	if d.Status.Vi != "" {
		return msgText(d.Status)
	}
	if d.Local || d.StatusCode == 0 {
		return "Chưa biết trạng thái (status not known yet)"
	}
	vi, en, _ := statusWords(d.StatusCode)
	return vi + " (" + en + ")"
}

// statusColour is how a status is drawn: done in green, waiting on the citizen or refused in red.
func (a *App) statusColour(d wire.TrackedView) color.RGBA {
	p := a.th.Palette
	if d.Local {
		return p.Fg
	}
	switch d.StatusCode {
	case 9, 10:
		return p.Ok
	case 3, 5, 6, 8:
		return p.Danger
	}
	return p.Accent
}

// statusParts is a dossier's status in words, Vietnamese and English apart (see statusLine).
func statusParts(d wire.TrackedView) (vi, en string) {
	switch {
	case d.Status.Vi != "":
		return d.Status.Vi, d.Status.En
	case d.Local || d.StatusCode == 0:
		return "Chưa biết trạng thái", "Status not known yet"
	}
	vi, en, _ = statusWords(d.StatusCode)
	return vi, en
}

// trackResult is one dossier: its status in plain words, what to do next, the dates, what is owed
// and, with the ID card only, the holder's name and documents. Landscape has two columns, portrait
// one that scrolls.
func (a *App) trackResult(f *widget.Frame, tv *wire.TrackerView) {
	var d wire.TrackedView
	if tv.Shown >= 0 && tv.Shown < len(tv.Dossiers) {
		d = tv.Dossiers[tv.Shown]
	}
	var btns []choice
	if len(tv.Dossiers) > 1 {
		btns = append(btns, choice{"Quay lại", "Back to the list", widget.Secondary, a.act(wire.ActBack, "")})
	}
	if d.CanRate {
		btns = append(btns, choice{"Đánh giá", "Rate the service", widget.Secondary, a.act(wire.ActRate, "")})
	}
	if o := d.Owed; o != nil && !d.Local && o.FeeVND > 0 && !o.FeePaid {
		btns = append(btns, choice{"Nộp phí", "Pay the fee by VietQR", widget.Primary, a.act(wire.ActPay, "")})
	}
	if !d.Local {
		// The kiosk's own knowledge (central offline) is no status to print.
		btns = append(btns, choice{"In phiếu", "Print slip", widget.Primary, a.act(wire.ActPrintStatus, "")})
	}
	r := a.page(f, "Tình trạng hồ sơ", "Dossier status", true, btns...)
	r.Min.Y = a.offlineNote(f, tv, r.Min.Y)
	if a.w > a.h {
		left, right := a.split(r, 0.5)
		f.BeginScroll("track-status", left)
		a.trackStatus(f, left, left.Min.Y, d)
		f.EndScroll()
		f.BeginScroll("track-detail", right)
		a.trackDetail(f, right, right.Min.Y, d)
		f.EndScroll()
		return
	}
	f.BeginScroll("track-status", r)
	y := a.trackStatus(f, r, r.Min.Y, d)
	a.trackDetail(f, r, y+gap/2, d)
	f.EndScroll()
}

// trackStatus draws the code, the status and the next step in r from y; it returns the y below.
func (a *App) trackStatus(f *widget.Frame, r image.Rectangle, y int, d wire.TrackedView) int {
	p := a.th.Palette
	y += a.slipLine(f, r, y)
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Mã hồ sơ (dossier code)", theme.Small, false, widget.Start, p.Muted)
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), d.DossierCode, theme.Title, true, widget.Start, p.Fg)
	if d.ProcedureName != "" {
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), d.ProcedureName, theme.Body, false, widget.Start, p.Fg)
	}
	y += gap / 2
	vi, en := statusParts(d)
	in := r.Dx() - 16 - 2*gap
	h := f.TextHeight(vi, theme.Title, true, in) + f.TextHeight(en, theme.Small, false, in) + 2*gap
	clr := a.statusColour(d)
	f.Box(image.Rect(r.Min.X, y, r.Max.X-16, y+h), p.Panel, clr)
	ty := y + gap
	ty += f.Text(image.Rect(r.Min.X+gap, ty, r.Max.X-16-gap, ty), vi, theme.Title, true, widget.Start, clr)
	f.Text(image.Rect(r.Min.X+gap, ty, r.Max.X-16-gap, ty), en, theme.Small, false, widget.Start, p.Muted)
	y += h + gap/2
	next := ""
	switch {
	case d.NextStep != nil:
		next = msgText(*d.NextStep)
	case !d.Local && d.StatusCode > 0:
		_, _, next = statusWords(d.StatusCode)
	}
	if next != "" {
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X-16, y), "Việc cần làm tiếp (next step)", theme.Small, false, widget.Start, p.Muted)
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X-16, y), next, theme.Body, true, widget.Start, p.Fg)
	}
	return y
}

// trackDetail draws the dates, what is owed and the holder in r from y.
func (a *App) trackDetail(f *widget.Frame, r image.Rectangle, y int, d wire.TrackedView) {
	p := a.th.Palette
	top := y
	line := func(label, value string, bold bool, clr color.RGBA) {
		if value == "" {
			return
		}
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X-16, y), label, theme.Small, false, widget.Start, p.Muted)
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X-16, y), value, theme.Body, bold, widget.Start, clr) + gap/2
	}
	line("Ngày nộp (received)", dateVN(d.ReceivedAt), false, p.Fg)
	line("Ngày hẹn trả kết quả (appointment)", dayVN(d.Appointment), true, p.Fg)
	line("Cập nhật lúc (last change)", timeVN(d.UpdatedAt), false, p.Fg)
	if o := d.Owed; o != nil {
		if len(o.Documents) > 0 {
			var b strings.Builder
			for i, doc := range o.Documents {
				if i > 0 {
					b.WriteByte('\n')
				}
				b.WriteString("• " + doc.Name)
				if doc.Note != "" {
					b.WriteString(" (" + doc.Note + ")")
				}
			}
			line("Cần bổ sung (papers to bring)", b.String(), true, p.Danger)
		}
		fee := o.Fee
		if o.FeeVND > 0 {
			fee = dong(o.FeeVND)
		}
		if fee != "" && o.FeePaid {
			fee += " · đã nộp (paid)"
		}
		clr := p.Danger
		if o.FeePaid {
			clr = p.Ok
		}
		line("Cần nộp (to pay)", fee, true, clr)
		line("Nơi đến (where to go)", o.Where, false, p.Fg)
	}
	if hv := d.Holder; hv != nil {
		line("Người nộp (applicant)", hv.FullName, true, p.Fg)
		if len(hv.Documents) > 0 {
			line("Giấy tờ đã nộp (documents filed)", "• "+strings.Join(hv.Documents, "\n• "), false, p.Fg)
		}
	}
	if y == top {
		f.Text(image.Rect(r.Min.X, y, r.Max.X-16, y), "Chưa có thông tin về ngày hẹn. (No dates known yet.)", theme.Body, false, widget.Start, p.Muted)
	}
}
