package screens

import (
	"image"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// amountText is the fee in đồng with dots between thousands.
func amountText(pv *wire.PaymentView) string {
	if pv.AmountVND > 0 {
		return dong(pv.AmountVND)
	}
	return pv.Amount
}

// payment draws the fee payment: the VietQR drawn large with the amount, waiting for the bank's
// notice (the citizen may pay later instead), then paid or owed.
func (a *App) payment(f *widget.Frame) {
	p := a.th.Palette
	pv := a.services().Payment
	if pv == nil {
		pv = &wire.PaymentView{}
	}
	switch a.view.Step {
	case wire.StepPayPaid:
		r := a.page(f, "Đã thanh toán", "Paid: thank you", false,
			choice{"Hoàn tất", "Finish", widget.Primary, a.act(wire.ActFinish, "")})
		y := r.Min.Y
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), amountText(pv), theme.Huge, true, widget.Center, p.Ok) + gap
		line := func(s string) {
			if s != "" {
				y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), s, theme.Body, false, widget.Center, p.Fg)
			}
		}
		line("Mã hồ sơ: " + pv.DossierCode)
		if pv.ReceiptNo != "" {
			line("Số biên lai (receipt no.): " + pv.ReceiptNo)
		}
		if !pv.PaidAt.IsZero() {
			line("Thanh toán lúc (paid at): " + timeVN(pv.PaidAt))
		}
		y += gap
		y += a.slipLine(f, r, y)
		f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Xin nhận biên lai thu phí, lệ phí ở khe máy in. (Take the fee receipt from the printer.)", theme.Body, true, widget.Center, p.Fg)
	case wire.StepPayUnpaid:
		r := a.page(f, "Bạn sẽ thanh toán sau", "You will pay later", false,
			choice{"Hoàn tất", "Finish", widget.Primary, a.act(wire.ActFinish, "")})
		y := r.Min.Y
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Còn phải nộp: "+amountText(pv), theme.Title, true, widget.Center, p.Danger) + gap
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Giấy tiếp nhận ghi số tiền còn nợ và in mã VietQR: bạn có thể quét mã đó bằng ứng dụng ngân hàng sau, hoặc nộp tại quầy.", theme.Body, false, widget.Start, p.Fg)
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "The receipt shows the fee owed and its VietQR: pay with your banking app later, or at the counter.", theme.Small, false, widget.Start, p.Muted) + gap
		a.slipLine(f, r, y)
	default:
		a.payQR(f, pv)
	}
}

// minPayQR is the side, in logical pixels, below which the VietQR gives up room to the wait.
const minPayQR = 400

// payQR is the VietQR and what it pays, with the wait for the bank's notice.
func (a *App) payQR(f *widget.Frame, pv *wire.PaymentView) {
	p := a.th.Palette
	r := a.page(f, "Thanh toán phí bằng mã VietQR", "Pay the fee: scan the QR with your banking app", false,
		choice{"Thanh toán sau", "Pay later (cancel)", widget.Secondary, a.act(wire.ActPayLater, "")})
	offline := pv.Offline && a.view.Message == nil
	if offline {
		// The notice is the wait, said at the top.
		r.Min.Y = a.note(f, r.Min.Y, "Đang chờ kết nối với hệ thống để xác nhận thanh toán. Nếu bạn đã chuyển tiền, xin chờ thêm.",
			"Waiting for the central system to confirm the payment. If you have paid, please wait.")
	}
	qr, info := a.split(r, 0.5)
	if a.w < a.h {
		qr, info = a.split(r, 0.55)
	}
	if !offline {
		qr, info = a.payWait(f, qr, info)
	}
	if !a.drawQR(f, qr, pv.VietQR) {
		f.Text(image.Rect(qr.Min.X, qr.Min.Y+qr.Dy()/3, qr.Max.X, qr.Max.Y), "Chưa có mã VietQR. Xin nộp phí tại quầy. (No QR: pay at the counter.)", theme.Body, true, widget.Center, p.Danger)
	}
	// The words scroll when they do not fit (the notice, large text), never cut at the edge; the
	// QR code and the wait never scroll.
	paras := []para{a.label("Số tiền (amount)"), {s: amountText(pv), size: theme.Huge, bold: true, clr: p.Fg, after: gap / 2}}
	if a.columnHeight(paras[:2], info.Dx()) > info.Dy() {
		// Large text in landscape: the amount smaller rather than out of sight.
		paras[1].size = theme.Title
	}
	line := func(label, value string) {
		if value != "" {
			paras = append(paras, a.label(label), para{s: value, size: theme.Body, bold: true, clr: p.Fg, after: gap / 3})
		}
	}
	line("Người nhận (payee)", pv.PayeeName)
	line("Mã hồ sơ (dossier code)", pv.DossierCode)
	line("Nội dung (purpose)", pv.Purpose)
	a.column(f, "pay-info", info, paras)
}

// payWait draws the wait for the bank's notice, the spinner beside it, outside any scrolling so that
// it shows whole in every layout: under the code, or under the words when that would leave the
// code too small to scan at arm's length. It returns the rooms left to the code and the words.
func (a *App) payWait(f *widget.Frame, qr, info image.Rectangle) (image.Rectangle, image.Rectangle) {
	p := a.th.Palette
	const vi, en = "Đang chờ thanh toán…", "Waiting for the payment: the screen changes by itself once the bank confirms it."
	sp := int(90 * a.th.Scale)
	waitH := func(col image.Rectangle) int {
		w := col.Dx() - sp - gap
		return max(sp, f.TextHeight(vi, theme.Body, true, w)+f.TextHeight(en, theme.Small, false, w))
	}
	wait := qr
	if wh := waitH(qr); min(qr.Dx(), qr.Dy()-wh-gap) >= minPayQR {
		wait.Min.Y = qr.Max.Y - wh
		qr.Max.Y = wait.Min.Y - gap
	} else {
		wait = info
		wait.Min.Y = info.Max.Y - waitH(info)
		info.Max.Y = wait.Min.Y - gap
	}
	f.Custom(image.Rect(wait.Min.X, wait.Min.Y+(wait.Dy()-sp)/2, wait.Min.X+sp, wait.Min.Y+(wait.Dy()+sp)/2), spinner(a.th))
	tx, ty := wait.Min.X+sp+gap, wait.Min.Y
	ty += f.Text(image.Rect(tx, ty, wait.Max.X, ty), vi, theme.Body, true, widget.Start, p.Accent)
	f.Text(image.Rect(tx, ty, wait.Max.X, ty), en, theme.Small, false, widget.Start, p.Muted)
	return qr, info
}
