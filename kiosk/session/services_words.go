package session

import (
	"strconv"

	"github.com/tramso/tramso/kiosk/dossier"
)

// statusWords says a national status code in plain words, with what the citizen does next.
func statusWords(code int) (Message, *Message) {
	vi, en := dossier.Status(code).Label()
	if vi == "" {
		return Message{Code: "status_unknown", Vi: "Chưa rõ trạng thái", En: "Status unknown"}, nil
	}
	st := Message{Code: "status_" + strconv.Itoa(code), Vi: vi, En: en}
	nvi, nen := dossier.Status(code).Next()
	if nvi == "" {
		return st, nil
	}
	return st, &Message{Code: "next_" + strconv.Itoa(code), Vi: nvi, En: nen}
}

// localWords says what the kiosk's own outbox knows of a dossier: whether it has reached central,
// never a status of its handling.
func localWords(state string) (Message, *Message) {
	next := &Message{Code: "next_local", Vi: "Xin tra cứu lại khi kiosk kết nối được hệ thống trung tâm, hoặc hỏi cán bộ tại quầy.",
		En: "Look it up again once the kiosk reaches the central system, or ask the staff at the counter."}
	switch state {
	case "captured", "queued", "uploading":
		return Message{Code: "local_waiting", Vi: "Kiosk đã lưu hồ sơ, đang chờ gửi lên hệ thống trung tâm",
			En: "The kiosk holds the dossier; it is waiting to be sent to the central system"}, next
	case "accepted":
		return Message{Code: "local_sent", Vi: "Kiosk đã gửi hồ sơ tới hệ thống trung tâm",
			En: "The kiosk sent the dossier to the central system"}, next
	case "rejected", "needs-staff":
		return Message{Code: "local_staff", Vi: "Hồ sơ cần cán bộ kiểm tra trước khi gửi",
				En: "The dossier needs the staff's check before it is sent"},
			&Message{Code: "next_staff", Vi: "Xin đến quầy, mang theo biên nhận.", En: "Go to the counter with the receipt."}
	}
	return Message{Code: "local_unknown", Vi: "Kiosk biết hồ sơ này nhưng chưa rõ tình trạng gửi",
		En: "The kiosk knows this dossier but not whether it was sent"}, next
}
