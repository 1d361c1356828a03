package receipt

import (
	"fmt"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
)

// styles are the paragraph styles every slip is laid out with, so that the receipt and the other
// slips look alike.
type styles struct {
	plain, bold, small, center, centerBold, smallCenter, smallBold, title, large, huge, marker escpos.Style
}

func slipStyles() styles {
	return styles{
		plain:       escpos.Style{},
		bold:        escpos.Style{Bold: true},
		small:       escpos.Style{Size: escpos.Small},
		center:      escpos.Style{Align: escpos.Center},
		centerBold:  escpos.Style{Align: escpos.Center, Bold: true},
		smallCenter: escpos.Style{Size: escpos.Small, Align: escpos.Center},
		smallBold:   escpos.Style{Size: escpos.Small, Bold: true, Align: escpos.Center},
		title:       escpos.Style{Size: escpos.Large, Bold: true, Align: escpos.Center},
		large:       escpos.Style{Size: escpos.Large, Bold: true, Align: escpos.Center},
		huge:        escpos.Style{Size: escpos.Huge, Bold: true, Align: escpos.Center},
		marker:      escpos.Style{Bold: true, Align: escpos.Center, Reverse: true},
	}
}

// header prints the receiving unit and the national motto, as every administrative paper opens.
func header(d *escpos.Document, unit string) {
	st := slipStyles()
	d.Text(strings.ToUpper(unit), st.centerBold)
	d.Text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.smallBold)
	d.Text("Độc lập - Tự do - Hạnh phúc", st.smallCenter)
	d.Rule()
	d.Feed(8)
}

// title prints a slip's title in Vietnamese, large, with its English name under it.
func title(d *escpos.Document, vi, en string) {
	st := slipStyles()
	d.Text(vi, st.title)
	d.Text(en, st.smallCenter)
	d.Feed(12)
}

// qrSection prints a caption, the QR code of payload and, for an address, the address itself in
// small print for those without a phone.
func qrSection(d *escpos.Document, caption, payload string, showPayload bool) {
	st := slipStyles()
	d.Text(caption, st.center)
	d.QR(payload)
	if showPayload {
		d.Text(payload, st.smallCenter)
	}
}

// footer prints the kiosk and the help line.
func footer(d *escpos.Document, kioskID, hotline string) {
	st := slipStyles()
	if kioskID != "" {
		d.Text("Kiosk: "+kioskID, st.smallCenter)
	}
	if hotline != "" {
		d.Text("Hỗ trợ: "+hotline, st.smallCenter)
	}
}

// Layout lays the receipt out as a printer-independent document. The profile decides only whether the
// full ID number is printed (by default only its last 4 digits are).
func Layout(r *Receipt, p escpos.Profile) *escpos.Document {
	st := slipStyles()
	d := new(escpos.Document)
	header(d, r.Unit)
	d.Text("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", st.title)
	d.Text("Dossier receipt and result appointment", st.smallCenter)
	d.Feed(12)
	d.Text("Mã hồ sơ (dossier code)", st.center)
	d.Text(r.DossierCode, st.huge)
	if r.Provisional {
		d.Feed(6)
		d.Text("MÃ TẠM - CHỜ MÃ CHÍNH THỨC", st.marker)
		d.Text("Mã chính thức sẽ có khi hệ thống tiếp nhận hồ sơ; cán bộ một cửa in lại phiếu khi cần. "+
			"(Provisional code: the official code follows.)", st.smallCenter)
	}
	d.Rule()

	d.Text("Người nộp: "+r.Applicant.Name, st.bold)
	if id := r.Applicant.IDNumber; id != "" {
		if !p.PrintFullID {
			id = MaskedID(id)
		}
		d.Text("Số định danh: "+id, st.plain)
	}
	if r.Applicant.Phone != "" {
		d.Text("Điện thoại: "+r.Applicant.Phone, st.plain)
	}
	if r.Applicant.Email != "" {
		d.Text("Email: "+r.Applicant.Email, st.plain)
	}
	if r.Applicant.Address != "" {
		d.Text("Địa chỉ: "+r.Applicant.Address, st.plain)
	}
	proc := r.Procedure.Name
	if r.Procedure.Code != "" {
		proc += " (mã " + r.Procedure.Code + ")"
	}
	d.Text("Thủ tục: "+proc, st.bold)
	d.Feed(6)
	d.Text("Giấy tờ đã nhận:", st.bold)
	for i, doc := range r.Documents {
		d.Columns(fmt.Sprintf("%d. %s", i+1, doc.Name), counts(doc), st.plain)
	}
	d.Text("BC: bản chính, BS: bản sao, BSCT: bản sao chứng thực", st.small)
	sets := r.Sets
	if sets == 0 {
		sets = 1
	}
	d.Text(fmt.Sprintf("Số lượng hồ sơ: %02d bộ", sets), st.plain)
	if r.ProcessingTime != "" {
		d.Text("Thời hạn giải quyết: "+r.ProcessingTime, st.plain)
	}
	if r.Fee != "" {
		d.Text("Phí, lệ phí: "+r.Fee, st.plain)
	}
	d.Feed(6)
	if !r.ReceivedAt.IsZero() {
		d.Text("Nhận hồ sơ lúc: "+vnTime(r.ReceivedAt), st.plain)
	}
	if !r.AppointmentAt.IsZero() {
		d.Text("Hẹn trả kết quả: "+vnTime(r.AppointmentAt), st.bold)
	}
	if r.ResultDelivery != "" {
		d.Text("Nhận kết quả: "+r.ResultDelivery, st.plain)
	}
	if o := r.FeeOwed; o != nil {
		d.Rule()
		owedSection(d, o)
	}
	d.Rule()
	qrSection(d, "Quét mã để tra cứu hồ sơ (scan to track)", r.LookupURL, true)
	d.Feed(8)
	footer(d, r.KioskID, r.Hotline)
	d.Text("Vui lòng giữ phiếu này để nhận kết quả.", st.centerBold)
	return d
}

// owedSection prints a fee left unpaid and the VietQR code that pays it.
func owedSection(d *escpos.Document, o *Owed) {
	st := slipStyles()
	d.Text("CHƯA NỘP PHÍ, LỆ PHÍ", st.marker)
	d.Text("Fee not yet paid", st.smallCenter)
	d.Feed(6)
	d.Text("Số tiền phải nộp (amount due)", st.center)
	d.Text(Dong(o.Amount), st.large)
	d.Feed(6)
	qrSection(d, "Quét mã VietQR bằng ứng dụng ngân hàng để nộp (scan with a banking app to pay)", o.VietQR, false)
	d.Text("Hoặc nộp tại quầy thu phí. Biên lai được in khi đã nhận tiền. "+
		"(Or pay at the fee counter; the receipt is printed once the payment is seen.)", st.smallCenter)
}

// counts is the right-hand column of a document row: "1 BC, 2 BS".
func counts(d Document) string {
	var parts []string
	if d.Originals > 0 {
		parts = append(parts, fmt.Sprintf("%d BC", d.Originals))
	}
	if d.Copies > 0 {
		parts = append(parts, fmt.Sprintf("%d BS", d.Copies))
	}
	if d.CertifiedCopies > 0 {
		parts = append(parts, fmt.Sprintf("%d BSCT", d.CertifiedCopies))
	}
	return strings.Join(parts, ", ")
}

// vnTime formats a time the way Vietnamese administrative forms write it, in the time's own zone:
// "09 giờ 15 phút, ngày 24/11/2026".
func vnTime(t time.Time) string {
	return fmt.Sprintf("%02d giờ %02d phút, ngày %02d/%02d/%04d", t.Hour(), t.Minute(), t.Day(), int(t.Month()), t.Year())
}

// vnDate formats a date as Vietnamese forms write it: "25/11/2026".
func vnDate(t time.Time) string {
	return fmt.Sprintf("%02d/%02d/%04d", t.Day(), int(t.Month()), t.Year())
}
