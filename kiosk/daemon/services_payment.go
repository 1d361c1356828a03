package daemon

import (
	"context"
	"fmt"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/receipt"
	"github.com/tramso/tramso/kiosk/vietqr"
)

// Payment is central's word on a dossier's fee, with the VietQR that pays it while it is unpaid;
// nil when there is nothing to pay.
func (c *citizenServices) Payment(ctx context.Context, code string) (*wire.PaymentView, error) {
	cl, err := c.central()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	st, err := cl.Payment(ctx, code)
	if err != nil {
		return nil, classify(err)
	}
	return paymentView(st)
}

// WaitPaid polls central with backoff until the fee is paid or ctx ends.
func (c *citizenServices) WaitPaid(ctx context.Context, code string) (*wire.PaymentView, error) {
	cl, err := c.central()
	if err != nil {
		return nil, err
	}
	st, err := cl.WaitPaid(ctx, code, c.poll)
	if err != nil {
		return nil, classify(err)
	}
	return paymentView(st)
}

// paymentView words central's payment state; an unpaid fee gets its VietQR (payee, amount, the
// dossier code as the bill number, the purpose folded to ASCII: nothing of the payer).
func paymentView(st *central.PaymentStatus) (*wire.PaymentView, error) {
	if st.State == central.PaymentNone || st.AmountVND <= 0 {
		return nil, nil
	}
	v := &wire.PaymentView{DossierCode: st.DossierCode, AmountVND: st.AmountVND, Amount: receipt.Dong(st.AmountVND),
		Purpose: st.Purpose, Paid: st.State == central.PaymentPaid, PaidAt: st.PaidAt, ReceiptNo: st.ReceiptNo, BankRef: st.BankRef}
	if st.Payee != nil {
		v.PayeeName, v.BankBIN, v.Account = st.Payee.Name, st.Payee.BIN, st.Payee.Account
	}
	if v.Paid {
		return v, nil
	}
	if st.Payee == nil {
		return nil, fmt.Errorf("hệ thống trung tâm không cho biết tài khoản nhận phí (central gave no payee)")
	}
	qr, err := vietqr.Build(vietqr.Payment{BIN: st.Payee.BIN, Account: st.Payee.Account, Amount: st.AmountVND,
		Reference: st.DossierCode, Purpose: st.Purpose})
	if err != nil {
		return nil, fmt.Errorf("không tạo được mã VietQR (cannot build the VietQR): %w", err)
	}
	v.VietQR = qr
	return v, nil
}
