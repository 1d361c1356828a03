package screens

import (
	"fmt"
	"image"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// queue draws "Lấy số thứ tự": the counters to choose from, the wait for a number, and the ticket
// shown big while it prints.
func (a *App) queue(f *widget.Frame) {
	qv := a.services().Queue
	if qv == nil {
		qv = &wire.QueueView{}
	}
	switch a.view.Step {
	case wire.StepQueueTaking:
		r := a.page(f, "Đang lấy số thứ tự…", "Taking your number… please wait", true)
		a.bigWait(f, r, r.Min.Y)
	case wire.StepQueueTicket:
		a.ticket(f, qv)
	default:
		a.counters(f, qv)
	}
}

// counters lists the counters (those serving the chosen procedure first, marked); a paused one
// cannot be touched.
func (a *App) counters(f *widget.Frame, qv *wire.QueueView) {
	p := a.th.Palette
	var btns []choice
	if qv.ProcedureCode != "" && !qv.Offline {
		btns = append(btns, choice{"Lấy số cho thủ tục này", "Number for the counter of this procedure", widget.Primary, a.act(wire.ActTakeTicket, "")})
	}
	r := a.page(f, "Lấy số thứ tự", "Take a queue number: choose the counter or field", true, btns...)
	if qv.Offline {
		if a.view.Message == nil {
			a.note(f, r.Min.Y, "Hệ thống xếp hàng hiện không hoạt động. Xin vui lòng lấy số tại bàn hướng dẫn.",
				"The queue system cannot be reached: please take a number at the information desk.")
		}
		return
	}
	ordered := make([]wire.CounterView, 0, len(qv.Counters))
	for _, c := range qv.Counters {
		if c.Serves {
			ordered = append(ordered, c)
		}
	}
	for _, c := range qv.Counters {
		if !c.Serves {
			ordered = append(ordered, c)
		}
	}
	f.BeginScroll("counters", r)
	y := r.Min.Y
	for _, c := range ordered {
		label := c.Name
		if c.Label != nil && c.Label.Vi != "" {
			label = c.Label.Vi
		}
		if c.Field != "" {
			label += " · " + c.Field
		}
		sub := fmt.Sprintf("%d người đang chờ (waiting)", c.Waiting)
		if c.Serves {
			sub = "Phục vụ thủ tục của bạn (serves your procedure) · " + sub
		}
		var fn func()
		if c.Paused {
			sub = "Tạm dừng (paused)"
			if c.PauseReason != "" {
				sub += ": " + c.PauseReason
			}
		} else {
			fn = a.act(wire.ActTakeTicket, c.ID)
		}
		h := f.TextHeight(label, theme.Body, true, r.Dx()-60) + f.TextHeight(sub, theme.Small, false, r.Dx()-60) + 48
		kind := widget.Row
		if c.Serves {
			kind = widget.Selected
		}
		f.Button(image.Rect(r.Min.X, y, r.Max.X-16, y+h), label, sub, kind, fn)
		y += h + 16
	}
	if len(ordered) == 0 {
		f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Chưa có quầy nào mở. Xin hỏi bàn hướng dẫn. (No counter is open: ask at the desk.)", theme.Body, true, widget.Center, p.Muted)
	}
	f.EndScroll()
}

// ticket shows the number big: the counter, the people ahead, the estimated wait, the time, and
// the QR to follow the queue on a phone.
func (a *App) ticket(f *widget.Frame, qv *wire.QueueView) {
	p := a.th.Palette
	t := qv.Ticket
	if t == nil {
		t = &wire.TicketView{}
	}
	r := a.page(f, "Số thứ tự của bạn", "Your queue number", false,
		choice{"Hoàn tất", "Finish", widget.Primary, a.act(wire.ActFinish, "")})
	main, side := r, image.Rectangle{}
	if t.FollowURL != "" {
		if a.w > a.h {
			main, side = a.split(r, 0.64)
		} else {
			main, side = a.split(r, 0.62)
		}
	}
	y := main.Min.Y
	f.Box(image.Rect(main.Min.X, y, main.Max.X, y+int(theme.Huge*2*theme.LineSpacing)+2*gap), p.Panel, p.Accent)
	y += gap
	y += f.Text(image.Rect(main.Min.X, y, main.Max.X, y), t.Number, theme.Huge*2, true, widget.Center, p.Accent) + 2*gap
	counter := t.CounterName
	if t.Field != "" {
		counter += " · " + t.Field
	}
	y += f.Text(image.Rect(main.Min.X, y, main.Max.X, y), counter, theme.Title, true, widget.Center, p.Fg)
	ahead := fmt.Sprintf("Còn %d người trước bạn (%d ahead of you)", t.Ahead, t.Ahead)
	if t.Ahead == 0 {
		ahead = "Bạn là người tiếp theo (you are next)"
	}
	y += f.Text(image.Rect(main.Min.X, y, main.Max.X, y), ahead, theme.Body, true, widget.Center, p.Fg)
	if t.WaitMinutes > 0 {
		y += f.Text(image.Rect(main.Min.X, y, main.Max.X, y), fmt.Sprintf("Thời gian chờ dự kiến: khoảng %d phút (about %d min)", t.WaitMinutes, t.WaitMinutes), theme.Body, false, widget.Center, p.Fg)
	}
	if !t.IssuedAt.IsZero() {
		y += f.Text(image.Rect(main.Min.X, y, main.Max.X, y), "Lấy số lúc "+timeVN(t.IssuedAt), theme.Small, false, widget.Center, p.Muted)
	}
	y += gap
	y += a.slipLine(f, main, y)
	f.Text(image.Rect(main.Min.X, y, main.Max.X, y), "Xin chờ gọi số trên màn hình và loa. (Wait for your number on the display.)", theme.Small, false, widget.Center, p.Muted)
	if t.FollowURL != "" {
		sy := side.Min.Y
		sy += f.Text(image.Rect(side.Min.X, sy, side.Max.X, sy), "Theo dõi lượt trên điện thoại", theme.Body, true, widget.Center, p.Fg)
		sy += f.Text(image.Rect(side.Min.X, sy, side.Max.X, sy), "Follow the queue on your phone", theme.Small, false, widget.Center, p.Muted)
		q := min(side.Dx(), side.Max.Y-sy, 520)
		a.drawQR(f, image.Rect(side.Min.X+(side.Dx()-q)/2, sy+gap/2, side.Min.X+(side.Dx()+q)/2, sy+gap/2+q), t.FollowURL)
	}
}
