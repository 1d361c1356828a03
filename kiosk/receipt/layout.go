package receipt

import (
	"fmt"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
)

// Layout lays the receipt out as a printer-independent document. The profile decides only whether the
// full ID number is printed (by default only its last 4 digits are).
func Layout(r *Receipt, p escpos.Profile) *escpos.Document {
	d := new(escpos.Document)
	center := escpos.Style{Align: escpos.Center}
	centerBold := escpos.Style{Align: escpos.Center, Bold: true}
	small := escpos.Style{Size: escpos.Small}
	smallCenter := escpos.Style{Size: escpos.Small, Align: escpos.Center}

	d.Text(strings.ToUpper(r.Unit), centerBold)
	d.Text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", escpos.Style{Size: escpos.Small, Bold: true, Align: escpos.Center})
	d.Text("Độc lập - Tự do - Hạnh phúc", smallCenter)
	d.Rule()
	d.Feed(8)
	d.Text("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", escpos.Style{Size: escpos.Large, Bold: true, Align: escpos.Center})
	d.Text("Dossier receipt and result appointment", smallCenter)
	d.Feed(12)
	d.Text("Mã hồ sơ (dossier code)", center)
	d.Text(r.DossierCode, escpos.Style{Size: escpos.Huge, Bold: true, Align: escpos.Center})
	if r.Provisional {
		d.Feed(6)
		d.Text("MÃ TẠM - CHỜ MÃ CHÍNH THỨC", escpos.Style{Bold: true, Align: escpos.Center, Reverse: true})
		d.Text("Mã chính thức sẽ có khi hệ thống tiếp nhận hồ sơ; cán bộ một cửa in lại phiếu khi cần. "+
			"(Provisional code: the official code follows.)", smallCenter)
	}
	d.Rule()

	d.Text("Người nộp: "+r.Applicant.Name, escpos.Style{Bold: true})
	if id := r.Applicant.IDNumber; id != "" {
		if !p.PrintFullID {
			id = MaskedID(id)
		}
		d.Text("Số định danh: "+id, escpos.Style{})
	}
	if r.Applicant.Phone != "" {
		d.Text("Điện thoại: "+r.Applicant.Phone, escpos.Style{})
	}
	if r.Applicant.Email != "" {
		d.Text("Email: "+r.Applicant.Email, escpos.Style{})
	}
	if r.Applicant.Address != "" {
		d.Text("Địa chỉ: "+r.Applicant.Address, escpos.Style{})
	}
	proc := r.Procedure.Name
	if r.Procedure.Code != "" {
		proc += " (mã " + r.Procedure.Code + ")"
	}
	d.Text("Thủ tục: "+proc, escpos.Style{Bold: true})
	d.Feed(6)
	d.Text("Giấy tờ đã nhận:", escpos.Style{Bold: true})
	for i, doc := range r.Documents {
		d.Columns(fmt.Sprintf("%d. %s", i+1, doc.Name), counts(doc), escpos.Style{})
	}
	d.Text("BC: bản chính, BS: bản sao, BSCT: bản sao chứng thực", small)
	sets := r.Sets
	if sets == 0 {
		sets = 1
	}
	d.Text(fmt.Sprintf("Số lượng hồ sơ: %02d bộ", sets), escpos.Style{})
	if r.ProcessingTime != "" {
		d.Text("Thời hạn giải quyết: "+r.ProcessingTime, escpos.Style{})
	}
	if r.Fee != "" {
		d.Text("Phí, lệ phí: "+r.Fee, escpos.Style{})
	}
	d.Feed(6)
	if t, err := r.Received(); err == nil {
		d.Text("Nhận hồ sơ lúc: "+vnTime(t), escpos.Style{})
	}
	if t, err := time.Parse(time.RFC3339, r.AppointmentAt); err == nil {
		d.Text("Hẹn trả kết quả: "+vnTime(t), escpos.Style{Bold: true})
	}
	if r.ResultDelivery != "" {
		d.Text("Nhận kết quả: "+r.ResultDelivery, escpos.Style{})
	}
	d.Rule()
	d.Text("Quét mã để tra cứu hồ sơ (scan to track)", center)
	d.QR(r.LookupURL)
	d.Text(r.LookupURL, smallCenter)
	d.Feed(8)
	if r.KioskID != "" {
		d.Text("Kiosk: "+r.KioskID, smallCenter)
	}
	if r.Hotline != "" {
		d.Text("Hỗ trợ: "+r.Hotline, smallCenter)
	}
	d.Text("Vui lòng giữ phiếu này để nhận kết quả.", centerBold)
	return d
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
