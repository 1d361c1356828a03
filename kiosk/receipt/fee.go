package receipt

import (
	"time"

	"github.com/tramso/tramso/drivers/escpos"
)

// FeeReceipt is the receipt ("biên lai") of a fee paid for a dossier. It names no payer: only the
// dossier code, what the fee was for, the amount in đồng and the bank's transaction reference.
type FeeReceipt struct {
	Unit        string
	DossierCode string
	// Purpose is what was paid for, e.g. "Lệ phí chứng thực bản sao".
	Purpose       string
	ProcedureName string // optional
	Amount        int64  // in đồng
	PaidAt        time.Time
	// Method is how it was paid, e.g. "Chuyển khoản VietQR (NAPAS 247)".
	Method string
	// TransactionRef is the bank's or the payment platform's reference of the transfer.
	TransactionRef string
	LookupURL      string // the dossier's lookup address, for the QR code
	KioskID        string
	Hotline        string
}

// Validate checks the receipt and puts its text in NFC.
func (f *FeeReceipt) Validate() error {
	nfc(&f.Unit, &f.DossierCode, &f.Purpose, &f.ProcedureName, &f.Method, &f.TransactionRef, &f.LookupURL, &f.KioskID, &f.Hotline)
	switch {
	case f.Unit == "":
		return invalidField("unit", missingField)
	case f.Purpose == "":
		return invalidField("purpose", missingField)
	case f.PaidAt.IsZero():
		return invalidField("paidAt", missingField)
	case f.TransactionRef == "":
		return invalidField("transactionRef", missingField)
	case len(f.TransactionRef) > 64 || !isPrintableASCII(f.TransactionRef):
		return invalidField("transactionRef", "mã giao dịch không dấu, tối đa 64 ký tự (ASCII, at most 64 characters)")
	}
	if err := checkCode("dossierCode", f.DossierCode); err != nil {
		return err
	}
	if err := checkAmount("amount", f.Amount); err != nil {
		return err
	}
	return checkURL("lookupUrl", f.LookupURL)
}

// Layout lays the fee receipt out.
func (f *FeeReceipt) Layout(p escpos.Profile) *escpos.Document {
	st := slipStyles()
	d := new(escpos.Document)
	header(d, f.Unit)
	title(d, "BIÊN LAI THU PHÍ, LỆ PHÍ", "Fee receipt")
	d.Text("ĐÃ THANH TOÁN", st.marker)
	d.Text("Paid", st.smallCenter)
	d.Feed(8)
	d.Text("Số tiền (amount)", st.center)
	d.Text(Dong(f.Amount), st.huge)
	d.Rule()
	d.Text("Mã hồ sơ (dossier): "+f.DossierCode, st.bold)
	d.Text("Nội dung (for): "+f.Purpose, st.plain)
	if f.ProcedureName != "" {
		d.Text("Thủ tục (procedure): "+f.ProcedureName, st.plain)
	}
	if f.Method != "" {
		d.Text("Hình thức (method): "+f.Method, st.plain)
	}
	d.Text("Mã giao dịch (transaction): "+f.TransactionRef, st.plain)
	d.Text("Thời gian nộp (paid at): "+vnTime(inVietnam(f.PaidAt)), st.plain)
	d.Rule()
	qrSection(d, "Quét mã để tra cứu hồ sơ (scan to track)", f.LookupURL, false)
	d.Feed(8)
	footer(d, f.KioskID, f.Hotline)
	d.Text("Vui lòng giữ biên lai này. (Please keep this receipt.)", st.centerBold)
	return d
}
