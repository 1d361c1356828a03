package devserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/vietqr"
)

// DevPayee is the receiving account of every fee on the development server (sample values: the BIN
// is Vietcombank's, the account is made up).
func DevPayee() central.Payee {
	return central.Payee{BIN: "970436", Account: "0011009999999", Name: "TRUNG TAM PHUC VU HANH CHINH CONG"}
}

// BankNotice is the bank's notice that a transfer for a dossier arrived (simulated).
type BankNotice struct {
	AmountVND int64  `json:"amountVnd"`
	BankRef   string `json:"bankRef"`
}

// ErrAmountMismatch is returned by MarkPaid when the transfer is not the amount owed.
var ErrAmountMismatch = errors.New("số tiền chuyển khác số tiền phải nộp (the amount transferred is not the amount owed)")

// MarkPaid records the bank's notice of a dossier's fee, as the bank's link would: the fee becomes
// paid, with an e-receipt number, and a dossier waiting for it (status 6) goes back to processing.
// The same notice again is harmless.
func (s *Server) MarkPaid(ctx context.Context, code string, n BankNotice) (*central.PaymentStatus, error) {
	if n.BankRef == "" || len(n.BankRef) > 64 {
		return nil, fmt.Errorf("thiếu mã giao dịch ngân hàng (bank reference missing)")
	}
	now := s.cfg.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var amount int64
	var state, ref string
	err = tx.QueryRowContext(ctx, "SELECT amount, state, bank_ref FROM payments WHERE code=?", code).Scan(&amount, &state, &ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("hồ sơ %s không có khoản phải nộp (no fee owed for this dossier)", code)
	}
	if err != nil {
		return nil, err
	}
	if state == central.PaymentPaid {
		if ref != n.BankRef {
			return nil, fmt.Errorf("khoản này đã được nộp bằng giao dịch khác (already paid by another transfer)")
		}
		tx.Rollback()
		return s.paymentStatus(ctx, code)
	}
	if n.AmountVND != amount {
		return nil, ErrAmountMismatch
	}
	day := now.In(vntime.Zone()).Format("060102")
	var k int
	if err := tx.QueryRowContext(ctx, "SELECT count(*)+1 FROM payments WHERE state='paid' AND receipt_no LIKE ?", "BL-"+day+"-%").Scan(&k); err != nil {
		return nil, err
	}
	receipt := fmt.Sprintf("BL-%s-%04d", day, k)
	if _, err := tx.ExecContext(ctx, "UPDATE payments SET state='paid', paid_at=?, bank_ref=?, receipt_no=? WHERE code=?",
		now.UnixMilli(), n.BankRef, receipt, code); err != nil {
		return nil, err
	}
	sc, err := statusCode(ctx, tx, code)
	if err != nil {
		return nil, err
	}
	if sc == dossier.StatusNeedsPayment {
		if _, err := tx.ExecContext(ctx, "UPDATE tracking SET status_code=?, updated_at=? WHERE code=?", dossier.StatusProcessing, now.UnixMilli(), code); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE dossiers SET status=?, updated_at=? WHERE code=?", central.StatusProcessing, now.UnixMilli(), code); err != nil {
			return nil, err
		}
		if err := notifyChange(ctx, tx, code, dossier.StatusProcessing, now.UnixMilli()); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s.paymentStatus(ctx, code)
}

func (s *Server) paymentStatus(ctx context.Context, code string) (*central.PaymentStatus, error) {
	var manifest []byte
	if err := s.db.QueryRowContext(ctx, "SELECT manifest FROM dossiers WHERE code=?", code).Scan(&manifest); err != nil {
		return nil, err
	}
	st := &central.PaymentStatus{DossierCode: code, State: central.PaymentNone}
	var paidAt int64
	err := s.db.QueryRowContext(ctx, "SELECT amount, state, paid_at, bank_ref, receipt_no FROM payments WHERE code=?", code).
		Scan(&st.AmountVND, &st.State, &paidAt, &st.BankRef, &st.ReceiptNo)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if paidAt > 0 {
		st.PaidAt = time.UnixMilli(paidAt).UTC()
	}
	payee := DevPayee()
	st.Payee = &payee
	purpose := "Le phi ho so"
	if m, err := dossier.ParseManifest(manifest); err == nil {
		if p, err := vietqr.FoldPurpose("Lệ phí " + m.Procedure.Name); err == nil {
			purpose = p
		}
	}
	st.Purpose = purpose
	return st, nil
}

func (v *services) payment(w http.ResponseWriter, r *http.Request, _ kiosk) {
	st, err := v.s.paymentStatus(r.Context(), r.PathValue("code"))
	if errors.Is(err, sql.ErrNoRows) {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có hồ sơ với mã này (no dossier with this code)")
		return
	}
	if err != nil {
		v.s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (v *services) devPaid(w http.ResponseWriter, r *http.Request) {
	var n BankNotice
	if !readJSON(w, r, &n) {
		return
	}
	st, err := v.s.MarkPaid(r.Context(), r.PathValue("code"), n)
	if err != nil {
		badRequest(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
