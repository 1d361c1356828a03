package screens

import (
	"maps"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
)

var sampleDocs = []wire.DocumentView{
	{Type: "to_khai", Name: "Tờ khai đăng ký khai sinh", Required: true, Originals: 1, Status: "done", Pages: 1},
	{Type: "chung_sinh", Name: "Giấy chứng sinh", Required: true, Originals: 1, Status: "scanned", Pages: 1,
		Quality: []wire.Quality{{Code: "blurry", Message: "Ảnh bị mờ, hãy quét lại (blurry)"}}},
	{Type: "cmnd", Name: "Giấy tờ tùy thân của người đi đăng ký", Required: true, Originals: 1, Copies: 1, Status: "missing"},
	{Type: "ket_hon", Name: "Giấy chứng nhận kết hôn của cha mẹ (nếu có)", Copies: 1, Status: "missing"},
}

// detailDocs are sampleDocs as the procedure's detail shows them: none scanned yet.
var detailDocs = func() []wire.DocumentView {
	out := make([]wire.DocumentView, len(sampleDocs))
	for i, d := range sampleDocs {
		out[i] = wire.DocumentView{Type: d.Type, Name: d.Name, Required: d.Required, Originals: d.Originals, Copies: d.Copies, Status: wire.DocMissing}
	}
	return out
}()

// paperMismatch is the warning of a birth certificate offered as the ID copy.
var paperMismatch = &wire.Message{Code: "paper_mismatch", Retry: true,
	Vi: "Trang này giống Giấy chứng sinh, không phải giấy tờ đang cần. Hãy quét lại đúng giấy, hoặc chọn Vẫn dùng trang này.",
	En: "This page looks like another document. Scan the right one, or keep this page."}

// mismatchDocs are sampleDocs with the birth certificate scanned as the ID copy.
var mismatchDocs = []wire.DocumentView{sampleDocs[0], {Type: "chung_sinh", Name: "Giấy chứng sinh", Required: true, Status: "done", Pages: 1},
	{Type: "cmnd", Name: "Giấy tờ tùy thân của người đi đăng ký", Required: true, Status: "scanned", Pages: 1, PreviewReady: true, Mismatch: paperMismatch},
	sampleDocs[3]}

var sampleProc = wire.ProcedureView{Code: "1.001193", Name: "Đăng ký khai sinh", NameEn: "Birth registration", Popular: true, Fee: "Miễn phí",
	ProcessingTime: "Trong ngày", Documents: 4, PageURL: samplePage, Where: "Quầy 2 · Hộ tịch, Bộ phận Một cửa, UBND phường Mẫu"}

// samplePage is the page of sampleProc on the national portal, as kioskd configures it.
const samplePage = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193"

// samples are views of every state of the journey, made up (no real person's data): the screens'
// tests draw them, and Rehearsal.
func samples() map[string]wire.View {
	procs := []wire.ProcedureView{
		{Code: "2.000986", Name: "Đăng ký thường trú", Fee: "20.000 đồng", ProcessingTime: "7 ngày làm việc", Documents: 3},
		sampleProc,
		{Code: "1.004222", Name: "Cấp bản sao trích lục hộ tịch", Popular: true, Fee: "8.000 đồng", Documents: 1},
		{Code: "1.001022", Name: "Đăng ký kết hôn", Popular: true, Documents: 2},
		{Code: "2.001159", Name: "Chứng thực bản sao từ bản chính giấy tờ, văn bản", Documents: 1},
		{Code: "1.000656", Name: "Đăng ký khai tử", Documents: 2},
		{Code: "2.000992", Name: "Đăng ký tạm trú", Documents: 2},
	}
	form := []wire.FieldView{
		{Key: "child_name", Label: "Họ, chữ đệm, tên của trẻ", Kind: "text", Value: "Lê Thị Ỷ", Required: true, Source: "ocr", LowConfidence: true},
		{Key: "child_dob", Label: "Ngày, tháng, năm sinh của trẻ", Kind: "date", Value: "", Required: true, Source: "ocr", Error: "bắt buộc (required)"},
		{Key: "sex", Label: "Giới tính của trẻ", Kind: "choice", Value: "Nữ", Choices: []string{"Nam", "Nữ"}, Source: "ocr"},
		{Key: "applicant", Label: "Họ, chữ đệm, tên người đi đăng ký", Kind: "text", Value: "Phạm Văn Ễ", Source: "card"},
		{Key: "phone", Label: "Số điện thoại", Kind: "number", Value: "", Source: "citizen"},
	}
	rc := &wire.ReceiptView{DossierCode: "000.00.21.H26-261125-0001", Printed: true, ReceivedAt: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)}
	prov := &wire.ReceiptView{DossierCode: "K01-20260102-0007", Provisional: true, ReceivedAt: rc.ReceivedAt}
	s := "s1"
	m := map[string]wire.View{
		"attract":             {State: wire.Attract},
		"identify-qr":         {Session: s, State: wire.Identify, Step: wire.StepQR},
		"identify-card-retry": {Session: s, State: wire.Identify, Step: wire.StepCard, Message: &wire.Message{Code: "card_removed", Vi: "Thẻ bị nhấc ra quá sớm. Hãy đặt lại thẻ và giữ yên.", En: "The card was removed too early. Put it back and keep it still.", Retry: true}},
		"identify-reading":    {Session: s, State: wire.Identify, Step: wire.StepReading},
		// Identity first: the name is shown while the rest of the card is read and verified.
		"identify-verifying": {Session: s, State: wire.Identify, Step: wire.StepReading,
			Citizen: &wire.CitizenView{FullName: "NGUYỄN THỊ HỒNG NHUNG", IDMasked: "********0123", PassiveAuth: "pending"},
			Message: &wire.Message{Code: "card_keep_still", Vi: "Đã đọc thông tin trên thẻ. Xin giữ yên thẻ trên đầu đọc trong khi thẻ được xác thực.",
				En: "The card's details are read. Keep the card still on the reader while it is verified."}},
		"identify-type_key": {Session: s, State: wire.Identify, Step: wire.StepTypeKey},
		"choose":            {Session: s, State: wire.ChooseProcedure, Procedures: procs},
		// A procedure's detail, picked from the list: what to bring, before going on with it.
		"choose-procedure":   {Session: s, State: wire.ChooseProcedure, Step: wire.StepProcedure, Procedure: &sampleProc, Documents: detailDocs},
		"documents-place":    {Session: s, State: wire.Documents, Step: wire.StepPlace, Procedure: &sampleProc, Documents: sampleDocs, Current: 3},
		"documents-scanning": {Session: s, State: wire.Documents, Step: wire.StepScanning, Procedure: &sampleProc, Documents: sampleDocs, Current: 2},
		"documents-preview":  {Session: s, State: wire.Documents, Step: wire.StepPreview, Procedure: &sampleProc, Documents: sampleDocs, Current: 1},
		// The preview screen before the page image has come: accept cannot be touched yet.
		"documents-preview-loading": {Session: s, State: wire.Documents, Step: wire.StepPreview, Procedure: &sampleProc, Documents: sampleDocs, Current: 1},
		"documents-preview-mismatch": {Session: s, State: wire.Documents, Step: wire.StepPreview, Procedure: &sampleProc, Documents: mismatchDocs,
			Current: 2, Message: paperMismatch},
		"review-processing":    {Session: s, State: wire.Review, Step: wire.StepProcessing, Documents: []wire.DocumentView{{Name: "Tờ khai đăng ký khai sinh", Status: "processing", Progress: 0.4, Required: true}, {Name: "Giấy chứng sinh", Status: "done", Required: true}}},
		"review-editing":       {Session: s, State: wire.Review, Step: wire.StepEditing, Form: form, Message: &wire.Message{Code: "form_incomplete", Vi: "Còn trường chưa điền hoặc chưa đúng, xem các ô được đánh dấu.", En: "Some fields are missing or wrong: see the marked boxes."}},
		"consent":              {Session: s, State: wire.Consent, Procedure: &sampleProc},
		"submitting":           {Session: s, State: wire.Submitting},
		"receipt-printing":     {Session: s, State: wire.Receipt, Step: wire.StepPrinting, Receipt: rc},
		"receipt-print_failed": {Session: s, State: wire.Receipt, Step: wire.StepPrintFail, Receipt: prov, Message: &wire.Message{Code: "printer_paper_out", Vi: "Máy in hết giấy.", En: "The printer is out of paper."}},
		"done":                 {Session: s, State: wire.Done, Step: wire.StepPrinted, Receipt: rc},
		"choose-idle":          {Session: s, State: wire.ChooseProcedure, Procedures: procs, IdleWarning: true, IdleSecondsLeft: 30},
	}
	maps.Copy(m, serviceSamples()) // the citizen services (services_samples.go)
	return m
}
