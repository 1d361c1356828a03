package screens

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// Guidance is what the kiosk says aloud for the screen shown (spoken guidance, optional): what the
// screen asks of the citizen and which button to touch, in plain Vietnamese. It names no person and
// reads out no personal data, since anyone nearby hears it; a message of the kiosk (an error, a
// warning) comes first. Staff screens have none.
func (a *App) Guidance() string {
	if a.staff != nil {
		return ""
	}
	if !a.online && !a.connected {
		return "Kiosk đang khởi động. Xin vui lòng chờ trong giây lát."
	}
	if !a.online {
		return "Đang kết nối lại. Xin vui lòng chờ trong giây lát."
	}
	v := a.view
	var say []string
	if v.IdleWarning {
		return "Bạn có cần thêm thời gian không? Nếu cần, chạm nút Thêm thời gian."
	}
	if m := v.Message; m != nil && m.Vi != "" {
		say = append(say, m.Vi+".")
	}
	doc := ""
	if v.Current >= 0 && v.Current < len(v.Documents) {
		doc = v.Documents[v.Current].Name
	}
	switch v.State {
	case wire.Attract, "":
		say = append(say, "Xin chào. Chạm vào màn hình để bắt đầu nộp hồ sơ bằng thẻ Căn cước. Muốn xem hồ sơ đã nộp, chạm Tra cứu hồ sơ. Muốn đến quầy, chạm Lấy số thứ tự.")
	case wire.Tracker, wire.Queue, wire.Rating, wire.Payment:
		say = append(say, a.serviceGuidance())
	case wire.Identify:
		switch {
		case v.Step == wire.StepTypeKey || a.edit != nil:
			say = append(say, "Nhập mười hai chữ số định danh cá nhân in trên thẻ Căn cước, rồi chạm Xác nhận.")
		case v.Step == wire.StepCard:
			say = append(say, "Đặt thẻ Căn cước lên đầu đọc thẻ và để yên ở đó.")
		case v.Step == wire.StepReading:
			say = append(say, "Đang đọc thẻ. Xin đừng nhấc thẻ ra.")
		default:
			say = append(say, "Đưa mã QR ở mặt sau thẻ Căn cước vào đầu đọc. Nếu không được, chạm nút Nhập số định danh.")
		}
	case wire.ChooseProcedure:
		if v.Step == wire.StepProcedure {
			say = append(say, procedureSpeech(v))
		} else if a.searching != nil {
			say = append(say, "Gõ vài chữ của tên thủ tục, rồi chạm Tìm.")
		} else {
			say = append(say, "Chọn thủ tục bạn cần làm để xem giấy tờ cần mang. Các thủ tục hay dùng ở trên cùng. Muốn tìm, chạm nút Tìm thủ tục. Nếu chỉ cần lấy số để đến quầy, chạm Chỉ cần đến quầy.")
		}
	case wire.Documents:
		if a.svc != nil && a.svc.checklist {
			say = append(say, checklistSpeech(v))
			break
		}
		switch v.Step {
		case wire.StepScanning:
			say = append(say, "Đang quét. Xin chờ.")
		case wire.StepPreview:
			if v.Current >= 0 && v.Current < len(v.Documents) && v.Documents[v.Current].Mismatch != nil && !v.Documents[v.Current].Kept {
				// The warning (the view's message) is said first; the buttons differ.
				say = append(say, "Chạm Quét lại để quét đúng giấy tờ, hoặc chạm Vẫn dùng trang này.")
			} else {
				say = append(say, "Xem trang vừa quét. Nếu rõ, chạm Dùng trang này. Nếu mờ hay lệch, chạm Quét lại.")
			}
		default:
			say = append(say, "Đặt "+doc+" úp xuống mặt kính máy quét, rồi chạm nút Quét.")
		}
	case wire.Review:
		if v.Step == wire.StepProcessing {
			say = append(say, "Đang đọc giấy tờ của bạn. Xin chờ trong giây lát.")
		} else {
			say = append(say, "Kiểm tra thông tin kiosk đã điền vào tờ khai. Dòng tô màu cần xem kỹ. Chạm vào một dòng để sửa, rồi chạm Tiếp tục.")
		}
	case wire.Consent:
		say = append(say, consentSpeech(a.svc, v))
	case wire.Submitting:
		say = append(say, "Đang nộp hồ sơ. Xin chờ, đừng rời đi.")
	case wire.Receipt, wire.Done:
		switch v.Step {
		case wire.StepPrinting:
			say = append(say, "Hồ sơ của bạn đã được tiếp nhận. Đang in giấy tiếp nhận.")
		case wire.StepPrintFail:
			say = append(say, "Hồ sơ của bạn đã được nộp, nhưng máy in chưa in được giấy tiếp nhận. Hãy ghi lại mã hồ sơ trên màn hình và báo cán bộ tại quầy.")
		default:
			say = append(say, "Hồ sơ của bạn đã được tiếp nhận. Xin nhận giấy tiếp nhận, thẻ Căn cước và giấy tờ của bạn.")
			say = append(say, offersSpeech(v)...)
		}
	}
	return norm.NFC.String(strings.Join(say, " "))
}
