package dossier

// Status is a dossier's status as the national public service portal numbers it (TrangThaiHoSo),
// 1 to 10.
type Status int

// The national dossier statuses.
const (
	StatusRegistered   Status = 1  // Mới đăng ký
	StatusAccepted     Status = 2  // Được tiếp nhận
	StatusRefused      Status = 3  // Không được tiếp nhận
	StatusProcessing   Status = 4  // Đang xử lý
	StatusNeedsPapers  Status = 5  // Yêu cầu bổ sung giấy tờ
	StatusNeedsPayment Status = 6  // Yêu cầu thực hiện nghĩa vụ tài chính
	StatusWithdrawn    Status = 7  // Công dân yêu cầu rút hồ sơ
	StatusStopped      Status = 8  // Dừng xử lý
	StatusDone         Status = 9  // Đã xử lý xong
	StatusReturned     Status = 10 // Đã trả kết quả
)

// statusText is the label of each status in Vietnamese (the portal's words) and English, and the
// next step for the citizen.
type statusText struct{ vi, en, nextVi, nextEn string }

func (s Status) text() (statusText, bool) {
	switch s {
	case StatusRegistered:
		return statusText{"Mới đăng ký", "Registered",
			"Hồ sơ đang chờ cán bộ tiếp nhận.", "The dossier is waiting for an officer to accept it."}, true
	case StatusAccepted:
		return statusText{"Được tiếp nhận", "Accepted",
			"Hồ sơ đã được tiếp nhận và sẽ được xử lý.", "The dossier was accepted and will be processed."}, true
	case StatusRefused:
		return statusText{"Không được tiếp nhận", "Not accepted",
			"Xin đến quầy một cửa để biết lý do.", "Ask at the one-stop counter for the reason."}, true
	case StatusProcessing:
		return statusText{"Đang xử lý", "Being processed",
			"Xin chờ đến ngày hẹn trả kết quả.", "Please wait for the appointment date."}, true
	case StatusNeedsPapers:
		return statusText{"Yêu cầu bổ sung giấy tờ", "Additional papers requested",
			"Mang các giấy tờ dưới đây đến quầy một cửa.", "Bring the papers listed below to the one-stop counter."}, true
	case StatusNeedsPayment:
		return statusText{"Yêu cầu thực hiện nghĩa vụ tài chính", "Payment requested",
			"Nộp số tiền dưới đây bằng VietQR tại kiosk hoặc tại quầy.", "Pay the amount below by VietQR at the kiosk or at the counter."}, true
	case StatusWithdrawn:
		return statusText{"Công dân yêu cầu rút hồ sơ", "Withdrawn by the citizen",
			"Hồ sơ đã được rút theo yêu cầu của công dân.", "The dossier was withdrawn at the citizen's request."}, true
	case StatusStopped:
		return statusText{"Dừng xử lý", "Processing stopped",
			"Xin đến quầy một cửa để biết lý do.", "Ask at the one-stop counter for the reason."}, true
	case StatusDone:
		return statusText{"Đã xử lý xong", "Processed",
			"Mang phiếu này và thẻ căn cước đến quầy trả kết quả.", "Bring this slip and your ID card to the counter to collect the result."}, true
	case StatusReturned:
		return statusText{"Đã trả kết quả", "Result returned",
			"Hồ sơ đã hoàn tất. Xin đánh giá mức độ hài lòng tại kiosk.", "The dossier is finished. Please rate the service at the kiosk."}, true
	}
	return statusText{}, false
}

// Label returns the status's Vietnamese label, as the national portal words it ("Đang xử lý"),
// and its English gloss; "" for a code outside 1–10.
func (s Status) Label() (vi, en string) {
	t, _ := s.text()
	return t.vi, t.en
}

// Valid reports whether s is one of the ten national statuses.
func (s Status) Valid() bool { _, ok := s.text(); return ok }

// Next returns what the citizen does next at status s, in Vietnamese and English; "" for a code
// outside 1–10.
func (s Status) Next() (vi, en string) {
	t, _ := s.text()
	return t.nextVi, t.nextEn
}
