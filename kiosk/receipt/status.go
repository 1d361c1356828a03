package receipt

import (
	"fmt"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/kiosk/dossier"
)

// StatusSlip is the slip printed after a dossier lookup: the code, the status and its dates, what
// is owed when more papers (5) or a payment (6) are asked for, and the QR of the lookup address.
// A lookup by code alone carries no name and no document of the applicant, so neither does this
// slip.
type StatusSlip struct {
	Unit          string
	DossierCode   string
	Status        dossier.Status
	ProcedureName string    // optional
	ReceivedAt    time.Time // zero: not printed
	UpdatedAt     time.Time // when the status was set; zero: not printed
	AppointmentAt time.Time // zero: not printed
	// Papers are the papers to add, for dossier.StatusNeedsPapers.
	Papers []string
	// AmountDue is what is to pay in đồng, for dossier.StatusNeedsPayment (0: not said).
	AmountDue int64
	LookupURL string
	PrintedAt time.Time
	KioskID   string
	Hotline   string
}

// Validate checks the slip and puts its text in NFC.
func (s *StatusSlip) Validate() error {
	nfc(&s.Unit, &s.DossierCode, &s.ProcedureName, &s.LookupURL, &s.KioskID, &s.Hotline)
	for i := range s.Papers {
		nfc(&s.Papers[i])
	}
	if s.Unit == "" {
		return invalidField("unit", missingField)
	}
	if err := checkCode("dossierCode", s.DossierCode); err != nil {
		return err
	}
	if !s.Status.Valid() {
		return invalidField("status", "mã tình trạng phải từ 1 đến 10 (status must be 1 to 10)")
	}
	if s.AmountDue != 0 {
		if err := checkAmount("amountDue", s.AmountDue); err != nil {
			return err
		}
	}
	return checkURL("lookupUrl", s.LookupURL)
}

// Layout lays the status slip out.
func (s *StatusSlip) Layout(p escpos.Profile) *escpos.Document {
	st := slipStyles()
	d := new(escpos.Document)
	header(d, s.Unit)
	title(d, "PHIẾU TÌNH TRẠNG HỒ SƠ", "Dossier status")
	d.Text("Mã hồ sơ (dossier code)", st.center)
	d.Text(s.DossierCode, st.huge)
	d.Rule()
	label, labelEn := s.Status.Label()
	next, nextEn := s.Status.Next()
	d.Text("Tình trạng (status):", st.center)
	d.Text(fmt.Sprintf("%d. %s", int(s.Status), label), st.large)
	d.Text(labelEn, st.smallCenter)
	d.Feed(6)
	d.Text(next, st.bold)
	d.Text("("+nextEn+")", st.small)
	d.Feed(6)
	if s.ProcedureName != "" {
		d.Text("Thủ tục (procedure): "+s.ProcedureName, st.plain)
	}
	if !s.ReceivedAt.IsZero() {
		d.Text("Ngày nhận hồ sơ (received): "+vnDate(inVietnam(s.ReceivedAt)), st.plain)
	}
	if !s.UpdatedAt.IsZero() {
		d.Text("Cập nhật lúc (updated): "+vnTime(inVietnam(s.UpdatedAt)), st.plain)
	}
	if !s.AppointmentAt.IsZero() {
		d.Text("Hẹn trả kết quả (result due): "+vnTime(inVietnam(s.AppointmentAt)), st.bold)
	}
	switch s.Status {
	case dossier.StatusNeedsPapers:
		d.Feed(6)
		d.Text("Giấy tờ cần bổ sung (papers to add):", st.bold)
		for i, name := range s.Papers {
			d.Text(fmt.Sprintf("%d. %s", i+1, name), st.plain)
		}
		if len(s.Papers) == 0 {
			d.Text("Xin hỏi cán bộ tại quầy một cửa. (Ask at the counter.)", st.plain)
		}
	case dossier.StatusNeedsPayment:
		d.Feed(6)
		if s.AmountDue > 0 {
			d.Text("Số tiền phải nộp (amount due)", st.center)
			d.Text(Dong(s.AmountDue), st.large)
		} else {
			d.Text("Xin hỏi cán bộ số tiền phải nộp. (Ask at the counter for the amount.)", st.plain)
		}
	}
	d.Rule()
	qrSection(d, "Quét mã để tra cứu hồ sơ (scan to track)", s.LookupURL, true)
	d.Feed(8)
	footer(d, s.KioskID, s.Hotline)
	printedAt(d, s.PrintedAt)
	return d
}
