package screens

import (
	"fmt"
	"strings"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// serviceGuidance is what is said on the citizen services' screens. Like the rest of the guidance
// it reads out no name, no dossier code and no contact: only the status, the steps and the buttons.
func (a *App) serviceGuidance() string {
	v := a.view
	sv := a.services()
	typing := ""
	if a.svc != nil {
		typing = a.svc.typing
	}
	switch v.State {
	case wire.Tracker:
		switch v.Step {
		case wire.StepTrackCode:
			return "Nhập mã hồ sơ in trên giấy tiếp nhận, rồi chạm Tra cứu."
		case wire.StepTrackCard:
			if typing == "id" {
				return "Nhập mười hai chữ số định danh cá nhân in trên thẻ Căn cước, rồi chạm Xác nhận."
			}
			return "Đưa mã QR trên thẻ Căn cước vào đầu đọc, hoặc chạm Nhập số định danh. Rồi đặt thẻ lên đầu đọc thẻ để xem các hồ sơ của bạn."
		case wire.StepTrackReading:
			return "Đang đọc thẻ. Xin đừng nhấc thẻ ra."
		case wire.StepTrackLookup:
			return "Đang tìm hồ sơ. Xin chờ trong giây lát."
		case wire.StepTrackList:
			return "Đây là các hồ sơ của bạn, mới nhất ở trên. Chạm vào một hồ sơ để xem tình trạng."
		case wire.StepTrackResult:
			return trackSpeech(sv.Tracker)
		}
		return "Tra cứu hồ sơ. Đưa mã QR trên giấy tiếp nhận vào đầu đọc mã, hoặc chạm Nhập mã hồ sơ, hoặc chạm Dùng thẻ Căn cước."
	case wire.Queue:
		switch v.Step {
		case wire.StepQueueTaking:
			return "Đang lấy số thứ tự. Xin chờ."
		case wire.StepQueueTicket:
			if q := sv.Queue; q != nil && q.Ticket != nil {
				t := q.Ticket
				s := fmt.Sprintf("Số thứ tự của bạn là %s, tại %s. Còn %d người trước bạn.", t.Number, t.CounterName, t.Ahead)
				if t.WaitMinutes > 0 {
					s += fmt.Sprintf(" Thời gian chờ khoảng %d phút.", t.WaitMinutes)
				}
				return s + " Xin nhận phiếu ở khe máy in và chờ gọi số."
			}
			return "Xin nhận phiếu số thứ tự ở khe máy in và chờ gọi số."
		}
		if q := sv.Queue; q != nil && q.Offline {
			return "Hệ thống xếp hàng hiện không hoạt động. Xin vui lòng lấy số tại bàn hướng dẫn."
		}
		return "Chọn quầy hoặc lĩnh vực bạn cần để lấy số thứ tự."
	case wire.Rating:
		switch {
		case typing == "comment":
			return "Gõ góp ý của bạn, rồi chạm Lưu."
		case v.Step == wire.StepRateReasons:
			return "Chạm vào những điều chưa làm bạn hài lòng. Có thể viết thêm góp ý. Rồi chạm Gửi đánh giá."
		case v.Step == wire.StepRateThanks:
			return "Cảm ơn bạn đã đánh giá."
		}
		return "Bạn có hài lòng không? Chạm một trong ba nút: Rất hài lòng, Hài lòng, hoặc Không hài lòng. Không bắt buộc."
	case wire.Payment:
		p := sv.Payment
		amount := ""
		if p != nil {
			amount = amountText(p)
		}
		switch v.Step {
		case wire.StepPayPaid:
			return "Đã thanh toán " + amount + ". Xin nhận biên lai ở khe máy in."
		case wire.StepPayUnpaid:
			return "Bạn sẽ thanh toán sau. Giấy tiếp nhận có mã VietQR để thanh toán, hoặc nộp tại quầy."
		}
		return "Mở ứng dụng ngân hàng và quét mã VietQR trên màn hình để nộp " + amount + ". Màn hình tự chuyển khi ngân hàng xác nhận. Nếu muốn trả sau, chạm Thanh toán sau."
	}
	return ""
}

// trackSpeech says a dossier's status and the next step, never its code or the holder.
func trackSpeech(tv *wire.TrackerView) string {
	if tv == nil || tv.Shown < 0 || tv.Shown >= len(tv.Dossiers) {
		return "Không tìm thấy hồ sơ."
	}
	d := tv.Dossiers[tv.Shown]
	var say []string
	if tv.Offline {
		say = append(say, "Hiện không kết nối được hệ thống của cơ quan. Kiosk chỉ cho biết những gì kiosk biết.")
	}
	switch {
	case d.Status.Vi != "":
		say = append(say, "Tình trạng hồ sơ: "+d.Status.Vi+".")
	case !d.Local && d.StatusCode > 0:
		vi, _, _ := statusWords(d.StatusCode)
		say = append(say, "Tình trạng hồ sơ: "+vi+".")
	default:
		say = append(say, "Chưa biết tình trạng hồ sơ.")
	}
	if d.NextStep != nil && d.NextStep.Vi != "" {
		say = append(say, d.NextStep.Vi)
	}
	if d.Appointment != "" {
		say = append(say, "Ngày hẹn trả kết quả: "+dayVN(d.Appointment)+".")
	}
	if o := d.Owed; o != nil && len(o.Documents) > 0 {
		names := make([]string, len(o.Documents))
		for i, doc := range o.Documents {
			names[i] = doc.Name
		}
		say = append(say, "Cần bổ sung: "+strings.Join(names, ", ")+".")
	}
	if o := d.Owed; o != nil && !o.FeePaid && (o.FeeVND > 0 || o.Fee != "") {
		fee := o.Fee
		if o.FeeVND > 0 {
			fee = dong(o.FeeVND)
		}
		say = append(say, "Cần nộp "+fee+".")
	}
	if !d.Local {
		say = append(say, "Muốn in phiếu, chạm In phiếu.")
	}
	return strings.Join(say, " ")
}

// checklistSpeech reads "Cần mang theo" out: the papers, the fee and the time.
func checklistSpeech(v wire.View) string {
	lines := checklistLines(v.Procedure, v.Documents)
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "• ")
	}
	return "Cần mang theo: " + strings.Join(lines, ". ") + ". Muốn in danh sách, chạm In danh sách."
}

// consentSpeech is the consent screen's guidance, with the opt-in when it is offered.
func consentSpeech(s *svcState, v wire.View) string {
	if s != nil && s.typing == "phone" {
		return "Nhập số điện thoại nhận tin, rồi chạm Lưu."
	}
	if s != nil && s.typing == "email" {
		return "Nhập địa chỉ thư điện tử nhận tin, rồi chạm Lưu."
	}
	say := "Đọc lời cam đoan. Nếu đồng ý, chạm nút Đồng ý để nộp hồ sơ."
	if v.Services != nil && v.Services.Notify != nil {
		say += " Nếu muốn nhận tin khi hồ sơ đổi trạng thái, chạm SMS, Zalo hoặc thư điện tử, rồi nhập số điện thoại hoặc địa chỉ."
	}
	return say
}

// offersSpeech names the end-of-session offers.
func offersSpeech(v wire.View) []string {
	var say []string
	if s := v.Services; s != nil {
		if s.QueueOffered {
			say = append(say, "Hồ sơ của bạn cần đến quầy: chạm Lấy số thứ tự.")
		}
		if s.RatingOffered {
			say = append(say, "Nếu muốn, hãy chạm một nút để đánh giá mức độ hài lòng.")
		}
	}
	return say
}
