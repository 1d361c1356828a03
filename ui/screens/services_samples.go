package screens

import (
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// serviceSamples are made-up views of the citizen services' screens (no real person's data), for
// the screenshots, the guidance tests and the rehearsal.
func serviceSamples() map[string]wire.View {
	s := "s2"
	at := time.Date(2026, 11, 25, 2, 30, 0, 0, time.UTC) // 09:30 in Vietnam
	levels := []wire.Message{
		{Code: wire.RateVerySatisfied, Vi: "Rất hài lòng", En: "Very satisfied"},
		{Code: wire.RateSatisfied, Vi: "Hài lòng", En: "Satisfied"},
		{Code: wire.RateDissatisfied, Vi: "Không hài lòng", En: "Not satisfied"},
	}
	processing := wire.TrackedView{DossierCode: "H26.21-261120-0042", ProcedureName: "Đăng ký thường trú", StatusCode: 4,
		Status: wire.Message{Vi: "Đang xử lý", En: "Being processed"}, ReceivedAt: at.AddDate(0, 0, -5), UpdatedAt: at.AddDate(0, 0, -1),
		Appointment: "2026-11-27"}
	missing := wire.TrackedView{DossierCode: "H26.21-261118-0007", ProcedureName: "Đăng ký khai sinh", StatusCode: 5,
		Status:     wire.Message{Vi: "Yêu cầu bổ sung giấy tờ", En: "Additional papers requested"},
		NextStep:   &wire.Message{Vi: "Mang giấy tờ còn thiếu đến quầy số 2 trước ngày 02/12/2026.", En: "Bring the missing papers to counter 2 before 2 Dec 2026."},
		ReceivedAt: at.AddDate(0, 0, -7), UpdatedAt: at.AddDate(0, 0, -2),
		Owed: &wire.OwedView{Documents: []wire.OwedDocumentView{{Name: "Giấy chứng sinh", Note: "bản chính"}, {Name: "Giấy chứng nhận kết hôn của cha mẹ", Note: "bản sao"}},
			Where: "Quầy số 2 · Lĩnh vực Hộ tịch"}}
	fee := wire.TrackedView{DossierCode: "H26.21-261115-0019", ProcedureName: "Cấp bản sao trích lục hộ tịch", StatusCode: 6,
		Status: wire.Message{Vi: "Yêu cầu thực hiện nghĩa vụ tài chính", En: "Payment requested"}, ReceivedAt: at.AddDate(0, 0, -10),
		Appointment: "2026-11-28", Owed: &wire.OwedView{FeeVND: 58000, Fee: "58.000 đồng", Where: "Quầy thu phí hoặc VietQR tại kiosk"}}
	finished := wire.TrackedView{DossierCode: "H26.21-261101-0003", ProcedureName: "Đăng ký kết hôn", StatusCode: 10,
		Status: wire.Message{Vi: "Đã trả kết quả", En: "Result handed over"}, ReceivedAt: at.AddDate(0, 0, -24), UpdatedAt: at.AddDate(0, 0, -20),
		Appointment: "2026-11-05", CanRate: true,
		Holder: &wire.HolderView{FullName: "TRẦN VĂN MƯỜI", Documents: []string{"Tờ khai đăng ký kết hôn", "Giấy xác nhận tình trạng hôn nhân"}}}
	local := wire.TrackedView{DossierCode: "K01-20261125-0004", ProcedureName: "Đăng ký khai sinh", Local: true,
		Status: wire.Message{Vi: "Đã nộp tại kiosk, đang chờ gửi đi", En: "Filed at this kiosk, waiting to be sent"}, ReceivedAt: at}
	counters := []wire.CounterView{
		{ID: "q1", Name: "Quầy 1", Field: "Đất đai", Waiting: 12},
		{ID: "q2", Name: "Quầy 2", Field: "Hộ tịch", Waiting: 3, Serves: true},
		{ID: "q3", Name: "Quầy 3", Field: "Chứng thực", Waiting: 0, Paused: true, PauseReason: "cán bộ đi họp đến 10:30"},
		{ID: "q4", Name: "Quầy 4", Field: "Cư trú", Waiting: 5},
	}
	ticket := &wire.TicketView{Number: "B017", CounterName: "Quầy 2", Field: "Hộ tịch", Ahead: 3, WaitMinutes: 12, IssuedAt: at,
		FollowURL: "https://hcc.example.vn/q/B017"}
	pay := &wire.PaymentView{DossierCode: "H26.21-261125-0011", AmountVND: 1250000, Amount: "1.250.000 đồng", PayeeName: "UBND PHƯỜNG MẪU",
		BankBIN: "970415", Account: "113366668888", Purpose: "Le phi ho so",
		VietQR: "00020101021238560010A0000007270126000697041501121133666688880208QRIBFTTA5303704540712500005802VN" +
			"62380118H26.21-261125-00110812Le phi ho so63047C69"}
	paid := *pay
	paid.Paid, paid.PaidAt, paid.ReceiptNo = true, at.Add(3*time.Minute), "BL-2026-000187"
	reasons := []wire.Message{
		{Code: "wait", Vi: "Phải chờ lâu", En: "Long wait"},
		{Code: "hard", Vi: "Khó sử dụng", En: "Hard to use"},
		{Code: "broken", Vi: "Máy quét hoặc máy in bị lỗi", En: "Scanner or printer fault"},
		{Code: "unclear", Vi: "Hướng dẫn chưa rõ", En: "Unclear instructions"},
	}
	notify := &wire.NotifyView{Channels: []wire.Message{{Code: wire.NotifySMS, Vi: "Tin nhắn SMS", En: "SMS"}, {Code: wire.NotifyZalo, Vi: "Zalo", En: "Zalo"},
		{Code: wire.NotifyEmail, Vi: "Thư điện tử", En: "E-mail"}}, Chosen: []string{wire.NotifyZalo}, Phone: "+84912000111"}
	notifyBad := &wire.NotifyView{Channels: notify.Channels, Chosen: []string{wire.NotifyEmail}, Email: "ten@@example",
		Error: &wire.Message{Code: "bad_email", Vi: "Địa chỉ thư điện tử chưa đúng", En: "The e-mail address is not valid"}}
	rc := &wire.ReceiptView{DossierCode: "H26.21-261125-0011", Printed: true, ReceivedAt: at}
	tr := func(step wire.Step, tv *wire.TrackerView) wire.View {
		return wire.View{Session: s, State: wire.Tracker, Step: step, Services: &wire.ServicesView{Tracker: tv}}
	}
	offlinePay := *pay
	offlinePay.Offline = true
	return map[string]wire.View{
		// kioskd's tiles, the queue service not configured.
		"attract-tiles": {State: wire.Attract, Services: &wire.ServicesView{Tiles: []wire.ServiceTile{
			{Action: wire.ActStart, Label: wire.Message{Vi: "Nộp hồ sơ", En: "Submit a dossier"}, Available: true},
			{Action: wire.ActTrack, Label: wire.Message{Vi: "Tra cứu hồ sơ", En: "Track a dossier"}, Available: true},
			{Action: wire.ActQueue, Label: wire.Message{Vi: "Lấy số thứ tự", En: "Take a queue number"}}}}},
		"payment-offline":        {Session: s, State: wire.Payment, Step: wire.StepPayQR, Services: &wire.ServicesView{Payment: &offlinePay}},
		"tracker-track_way":      tr(wire.StepTrackWay, nil),
		"tracker-track_code":     tr(wire.StepTrackCode, nil),
		"tracker-track_card":     tr(wire.StepTrackCard, nil),
		"tracker-track_lookup":   tr(wire.StepTrackLookup, &wire.TrackerView{Code: processing.DossierCode}),
		"tracker-track_list":     tr(wire.StepTrackList, &wire.TrackerView{ByCard: true, Dossiers: []wire.TrackedView{missing, fee, finished}}),
		"tracker-track_result":   tr(wire.StepTrackResult, &wire.TrackerView{Code: processing.DossierCode, Dossiers: []wire.TrackedView{processing}}),
		"tracker-result-missing": tr(wire.StepTrackResult, &wire.TrackerView{Code: missing.DossierCode, Dossiers: []wire.TrackedView{missing}}),
		"tracker-result-fee":     tr(wire.StepTrackResult, &wire.TrackerView{Code: fee.DossierCode, Dossiers: []wire.TrackedView{fee}}),
		"tracker-result-card": {Session: s, State: wire.Tracker, Step: wire.StepTrackResult, Services: &wire.ServicesView{
			Tracker: &wire.TrackerView{ByCard: true, Dossiers: []wire.TrackedView{missing, fee, finished}, Shown: 2},
			Slip:    &wire.SlipView{Kind: wire.SlipStatus, State: wire.SlipPrinted}}},
		"tracker-result-offline": tr(wire.StepTrackResult, &wire.TrackerView{Code: local.DossierCode, Offline: true, Dossiers: []wire.TrackedView{local}}),

		"queue-queue_choose": {Session: s, State: wire.Queue, Step: wire.StepQueueChoose, Services: &wire.ServicesView{
			Queue: &wire.QueueView{ProcedureCode: "1.001193", Counters: counters}}},
		"queue-offline":      {Session: s, State: wire.Queue, Step: wire.StepQueueChoose, Services: &wire.ServicesView{Queue: &wire.QueueView{Offline: true}}},
		"queue-queue_taking": {Session: s, State: wire.Queue, Step: wire.StepQueueTaking, Services: &wire.ServicesView{Queue: &wire.QueueView{Counters: counters}}},
		"queue-queue_ticket": {Session: s, State: wire.Queue, Step: wire.StepQueueTicket, Services: &wire.ServicesView{
			Queue: &wire.QueueView{Counters: counters, Ticket: ticket}, Slip: &wire.SlipView{Kind: wire.SlipQueue, State: wire.SlipPrinting}}},

		"rating-rate_level": {Session: s, State: wire.Rating, Step: wire.StepRateLevel, Services: &wire.ServicesView{
			Rating: &wire.RatingView{Subject: "kiosk", Levels: levels}}},
		"rating-dossier": {Session: s, State: wire.Rating, Step: wire.StepRateLevel, Services: &wire.ServicesView{
			Rating: &wire.RatingView{Subject: "dossier", DossierCode: finished.DossierCode, Levels: levels}}},
		"rating-rate_reasons": {Session: s, State: wire.Rating, Step: wire.StepRateReasons, Services: &wire.ServicesView{
			Rating: &wire.RatingView{Subject: "kiosk", Levels: levels, Level: wire.RateDissatisfied, Reasons: reasons, Chosen: []string{"wait"},
				Comment: "Máy in chậm", MaxComment: 500}}},
		"rating-rate_thanks": {Session: s, State: wire.Rating, Step: wire.StepRateThanks, Services: &wire.ServicesView{
			Rating: &wire.RatingView{Subject: "kiosk", Levels: levels, Level: wire.RateSatisfied, Stored: true}}},

		"payment-pay_qr":     {Session: s, State: wire.Payment, Step: wire.StepPayQR, Services: &wire.ServicesView{Payment: pay}},
		"payment-pay_paid":   {Session: s, State: wire.Payment, Step: wire.StepPayPaid, Services: &wire.ServicesView{Payment: &paid, Slip: &wire.SlipView{Kind: wire.SlipFee, State: wire.SlipPrinting}}},
		"payment-pay_unpaid": {Session: s, State: wire.Payment, Step: wire.StepPayUnpaid, Services: &wire.ServicesView{Payment: pay}},

		"consent-notify":     {Session: s, State: wire.Consent, Procedure: &sampleProc, Services: &wire.ServicesView{Notify: notify}},
		"consent-notify-bad": {Session: s, State: wire.Consent, Procedure: &sampleProc, Services: &wire.ServicesView{Notify: notifyBad}},
		"done-offers": {Session: s, State: wire.Done, Step: wire.StepPrinted, Receipt: rc, Services: &wire.ServicesView{
			QueueOffered: true, QueueReason: &wire.Message{Vi: "Hồ sơ còn thiếu giấy tờ: hãy đến quầy số 2.", En: "Papers are missing: go to counter 2."},
			RatingOffered: true, Levels: levels}},
	}
}
