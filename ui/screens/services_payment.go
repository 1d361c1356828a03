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

// payQR is the VietQR and what it pays, with the wait for the bank's notice.
func (a *App) payQR(f *widget.Frame, pv *wire.PaymentView) {
	p := a.th.Palette
	r := a.page(f, "Thanh toán phí bằng mã VietQR", "Pay the fee: scan the QR with your banking app", false,
		choice{"Thanh toán sau", "Pay later (cancel)", widget.Secondary, a.act(wire.ActPayLater, "")})
	if pv.Offline && a.view.Message == nil {
		r.Min.Y = a.note(f, r.Min.Y, "Đang chờ kết nối với hệ thống để xác nhận thanh toán. Nếu bạn đã chuyển tiền, xin chờ thêm.",
			"Waiting for the central system to confirm the payment. If you have paid, please wait.")
	}
	qr, info := a.split(r, 0.5)
	if a.w < a.h {
		qr, info = a.split(r, 0.55)
	}
	if !a.drawQR(f, qr, pv.VietQR) {
		f.Text(image.Rect(qr.Min.X, qr.Min.Y+qr.Dy()/3, qr.Max.X, qr.Max.Y), "Chưa có mã VietQR. Xin nộp phí tại quầy. (No QR: pay at the counter.)", theme.Body, true, widget.Center, p.Danger)
	}
	// The words scroll when the notice leaves them too little room; the QR code never does.
	f.BeginScroll("pay-info", info)
	defer f.EndScroll()
	y := info.Min.Y
	y += f.Text(image.Rect(info.Min.X, y, info.Max.X, y), "Số tiền (amount)", theme.Small, false, widget.Start, p.Muted)
	y += f.Text(image.Rect(info.Min.X, y, info.Max.X, y), amountText(pv), theme.Huge, true, widget.Start, p.Fg) + gap/2
	line := func(label, value string) {
		if value == "" {
			return
		}
		y += f.Text(image.Rect(info.Min.X, y, info.Max.X, y), label, theme.Small, false, widget.Start, p.Muted)
		y += f.Text(image.Rect(info.Min.X, y, info.Max.X, y), value, theme.Body, true, widget.Start, p.Fg) + gap/3
	}
	line("Người nhận (payee)", pv.PayeeName)
	line("Mã hồ sơ (dossier code)", pv.DossierCode)
	line("Nội dung (purpose)", pv.Purpose)
	y += gap / 2
	y += f.Text(image.Rect(info.Min.X, y, info.Max.X, y), "Đang chờ thanh toán…", theme.Body, true, widget.Start, p.Accent)
	y += f.Text(image.Rect(info.Min.X, y, info.Max.X, y), "Waiting for the payment: the screen changes by itself once the bank confirms it.", theme.Small, false, widget.Start, p.Muted)
	if s := min(info.Max.Y-y-gap, 140); s > 60 {
		f.Custom(image.Rect(info.Min.X, y+gap/2, info.Min.X+s, y+gap/2+s), spinner(a.th))
	}
}
