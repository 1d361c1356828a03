package screens

import (
	"image"
	"slices"
	"strings"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// defaultLevels are the three levels when kioskd names none.
var defaultLevels = [...]wire.Message{
	{Code: wire.RateVerySatisfied, Vi: "Rất hài lòng", En: "Very satisfied"},
	{Code: wire.RateSatisfied, Vi: "Hài lòng", En: "Satisfied"},
	{Code: wire.RateDissatisfied, Vi: "Không hài lòng", En: "Not satisfied"},
}

// levels are the rating levels of lv, or the default three.
func levels(lv []wire.Message) []wire.Message {
	if len(lv) == 0 {
		return defaultLevels[:]
	}
	return lv
}

// levelKind is the look of a level's button: the two good ones in the accent, the bad one red.
func levelKind(code string) widget.Kind {
	if code == wire.RateDissatisfied {
		return widget.Danger
	}
	return widget.Primary
}

// rateButtons lays out one large button per level in r, side by side when r is wide and one above
// the other when it is narrow; a touch rates at once.
func (a *App) rateButtons(f *widget.Frame, r image.Rectangle, lv []wire.Message) {
	lv = levels(lv)
	n := len(lv)
	if r.Dx() >= 3*400 || (r.Dx() >= 3*300 && r.Dy() < 3*theme.MinTarget) {
		w := (r.Dx() - gap*(n-1)) / n
		for i, l := range lv {
			x := r.Min.X + i*(w+gap)
			f.Button(image.Rect(x, r.Min.Y, x+w, r.Max.Y), l.Vi, l.En, levelKind(l.Code), a.act(wire.ActRate, l.Code))
		}
		return
	}
	h := (r.Dy() - gap*(n-1)) / n
	for i, l := range lv {
		y := r.Min.Y + i*(h+gap)
		f.Button(image.Rect(r.Min.X, y, r.Max.X, y+h), l.Vi, l.En, levelKind(l.Code), a.act(wire.ActRate, l.Code))
	}
}

// rating draws the satisfaction rating: three levels, single touch; for "Không hài lòng" the reasons
// and an optional comment; then thanks.
func (a *App) rating(f *widget.Frame) {
	p := a.th.Palette
	rv := a.services().Rating
	if rv == nil {
		rv = &wire.RatingView{}
	}
	subject := "Bạn có hài lòng với dịch vụ của kiosk không? (không bắt buộc)"
	subEn := "How satisfied are you with the kiosk? Optional: one touch is enough"
	if rv.Subject == "dossier" {
		subject = "Bạn có hài lòng với việc giải quyết hồ sơ không?"
		subEn = "How satisfied are you with how your dossier was handled? One touch is enough"
	}
	switch a.view.Step {
	case wire.StepRateReasons:
		a.rateReasons(f, rv)
	case wire.StepRateThanks:
		r := a.page(f, "Cảm ơn bạn đã đánh giá", "Thank you for your rating", false,
			choice{"Hoàn tất", "Finish", widget.Primary, a.act(wire.ActFinish, "")})
		y := r.Min.Y + gap
		msg := "Ý kiến của bạn giúp chúng tôi phục vụ tốt hơn. (Your opinion helps us serve you better.)"
		if !rv.Stored {
			msg = "Đang lưu đánh giá… (saving your rating)"
		}
		f.Text(image.Rect(r.Min.X, y, r.Max.X, y), msg, theme.Title, false, widget.Center, p.Fg)
	default:
		var btns []choice
		if rv.Subject == "dossier" {
			btns = append(btns, choice{"Quay lại", "Back", widget.Secondary, a.act(wire.ActBack, "")})
		}
		r := a.page(f, subject, subEn, true, btns...)
		y := r.Min.Y
		if rv.DossierCode != "" {
			y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Mã hồ sơ: "+rv.DossierCode, theme.Body, true, widget.Start, p.Fg) + gap
		}
		// Under 400 px: the widget draws a taller Primary button's label huge, the red one not.
		h := min(r.Max.Y-y, 380)
		if a.w < a.h {
			h = min(r.Max.Y-y, 3*260+2*gap)
		}
		a.rateButtons(f, image.Rect(r.Min.X, y, r.Max.X, y+h), rv.Levels)
	}
}

// rateReasons is the reasons list (each a toggle) and the optional comment, typed on the Vietnamese
// keyboard.
func (a *App) rateReasons(f *widget.Frame, rv *wire.RatingView) {
	p := a.th.Palette
	s := a.svcLocal()
	if s.typing == "comment" {
		kb := s.kb
		closeKb := func() { s.typing, s.kb = "", nil; a.changed() }
		r := a.page(f, "Góp ý của bạn (không bắt buộc)", "Your comment (optional): type it, then touch Lưu", false,
			choice{"Quay lại", "Back", widget.Secondary, closeKb},
			choice{"Lưu", "Save", widget.Primary, func() {
				text := kb.Text()
				if m := rv.MaxComment; m > 0 && len([]rune(text)) > m {
					text = string([]rune(text)[:m])
				}
				a.act(wire.ActRateComment, text)()
				closeKb()
			}})
		a.entryLine(f, &r, kb.Text(), "Ví dụ: phải chờ lâu")
		kb.Layout(f, image.Rect(r.Min.X, r.Min.Y, r.Max.X, min(r.Max.Y, r.Min.Y+640)), a.changed)
		return
	}
	r := a.page(f, "Điều gì chưa làm bạn hài lòng?", "What did not satisfy you? Touch all that apply (optional)", true,
		choice{"Gửi đánh giá", "Send the rating", widget.Primary, a.act(wire.ActRateSend, "")})
	// The comment's button stays under the list, which scrolls.
	comment := strings.TrimSpace(rv.Comment)
	label, sub := "Viết góp ý", "Write a comment (optional)"
	if comment != "" {
		label, sub = "Sửa góp ý", comment
	}
	ch := f.TextHeight(label, theme.Body, true, r.Dx()-60) + f.TextHeight(sub, theme.Small, false, r.Dx()-60) + 40
	f.Button(image.Rect(r.Min.X, r.Max.Y-ch, r.Max.X-16, r.Max.Y), label, sub, widget.Secondary, func() {
		s.typing, s.kb = "comment", widget.NewKeyboard(widget.Letters, rv.Comment)
		a.changed()
	})
	r.Max.Y -= ch + gap
	f.BeginScroll("reasons", r)
	y := r.Min.Y
	for _, rs := range rv.Reasons {
		kind := widget.Row
		if slices.Contains(rv.Chosen, rs.Code) {
			kind = widget.Selected
		}
		h := f.TextHeight(rs.Vi, theme.Body, true, r.Dx()-60) + f.TextHeight(rs.En, theme.Small, false, r.Dx()-60) + 40
		f.Button(image.Rect(r.Min.X, y, r.Max.X-16, y+h), rs.Vi, rs.En, kind, a.act(wire.ActRateReason, rs.Code))
		y += h + 16
	}
	if len(rv.Reasons) == 0 {
		f.Text(image.Rect(r.Min.X, y+gap, r.Max.X, y+gap), "Bạn có thể gửi ngay mà không cần chọn lý do. (You may send it as it is.)", theme.Small, false, widget.Start, p.Muted)
	}
	f.EndScroll()
}
