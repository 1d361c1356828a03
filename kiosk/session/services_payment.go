package session

import (
	"context"
	"errors"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// The fee payment by VietQR: from the tracker (a dossier asked to pay, status 6) or at the end of a
// session whose procedure has a fee central asks for. The kiosk shows the VietQR central's payee
// and amount make, asks central with backoff until the bank's notice is seen, and prints the fee
// receipt (biên lai). A citizen who leaves unpaid gets the fee-owed block on the receipt; a
// payment seen after the citizen left prints nothing (no one is there to take it).

// Payments is the part of Services the payment needs.
type Payments interface {
	// Payment returns what central knows of a dossier's fee, with the VietQR that pays it when it
	// is unpaid; nil when there is nothing to pay.
	Payment(ctx context.Context, code string) (*wire.PaymentView, error)
	// WaitPaid asks central with backoff until the fee is paid (or ctx ends).
	WaitPaid(ctx context.Context, code string) (*wire.PaymentView, error)
}

// payments returns the services' payments, or nil.
func (s *session) payments() Payments {
	p, _ := s.m.dev.Services.(Payments)
	return p
}

// startPayment asks central for the dossier's fee and shows its VietQR; from says where the
// citizen goes back to (wire.Tracker, or wire.Receipt at the end of a session).
//
// At the end of a session the citizen stays on the submitting screen while central is asked (for
// at most Config.SubmitWait): only a fee to pay shows the payment screen.
func (s *session) startPayment(code string, from wire.State) {
	s.waitSeq++
	s.svc.payment = &wire.PaymentView{DossierCode: code}
	s.svc.payFrom = from
	if from == wire.Tracker {
		s.state, s.step, s.message, s.svc.slip = wire.Payment, wire.StepPayQR, nil, nil
	}
	pctx, cancel := context.WithCancel(s.ctx)
	s.svc.payStop = cancel
	limit := time.Duration(0)
	if from == wire.Receipt {
		limit = s.m.cfg.SubmitWait
	}
	p := s.payments()
	citizen, wait, m := s.citizenSeq, s.waitSeq, s.m
	go func() {
		ask, stop := pctx, context.CancelFunc(func() {})
		if limit > 0 {
			ask, stop = context.WithTimeout(pctx, limit)
		}
		pv, err := p.Payment(ask, code)
		stop()
		m.post(serviceEvent{citizen, wait, func(s *session) { s.onPayment(pctx, pv, err) }})
	}()
}

// onPayment takes central's answer about the fee: unpaid, the QR is shown and the kiosk waits for
// the bank's notice; paid, the fee receipt is printed; nothing to pay or no answer, the citizen
// goes on.
func (s *session) onPayment(pctx context.Context, pv *wire.PaymentView, err error) {
	switch {
	case err != nil || pv == nil || (pv.AmountVND <= 0 && !pv.Paid):
		s.stopPayment()
		if s.svc.payFrom == wire.Receipt {
			s.printReceipt(nil)
			return
		}
		s.state, s.step = wire.Tracker, wire.StepTrackResult
		s.svc.payment = nil
		switch {
		case errors.Is(err, ErrOffline):
			s.message = msg("pay_offline", "Hiện không kết nối được hệ thống trung tâm nên chưa thanh toán được. Xin nộp tại quầy.",
				"The central system cannot be reached now, so the fee cannot be paid here. Please pay at the counter.")
		case err != nil:
			s.message = msg("pay_failed", "Chưa thanh toán được tại kiosk. Xin nộp phí tại quầy.",
				"The fee cannot be paid at the kiosk now. Please pay at the counter.")
		default:
			s.message = msg("pay_nothing", "Không có khoản phí nào cần nộp cho hồ sơ này.", "There is no fee to pay for this dossier.")
		}
		return
	case pv.Paid:
		s.svc.payment = pv
		s.onPaid(pv)
		return
	}
	s.svc.payment = pv
	s.state, s.step, s.message, s.svc.slip = wire.Payment, wire.StepPayQR, nil, nil
	p := s.payments()
	citizen, wait, m, code := s.citizenSeq, s.waitSeq, s.m, pv.DossierCode
	go func() {
		paid, err := p.WaitPaid(pctx, code)
		if err != nil {
			// The citizen left (dropped), or central refused for good: the QR stays on the
			// screen and the citizen is told the payment cannot be confirmed here.
			m.post(serviceEvent{citizen, wait, func(s *session) {
				s.message = msg("pay_unconfirmed", "Kiosk chưa xác nhận được khoản thanh toán. Nếu đã chuyển khoản, xin giữ lại biên lai của ngân hàng và hỏi cán bộ tại quầy.",
					"The kiosk cannot confirm the payment. If you have transferred the money, keep the bank's receipt and ask the staff at the counter.")
			}})
			return
		}
		m.post(serviceEvent{citizen, wait, func(s *session) {
			if s.state == wire.Payment && s.step == wire.StepPayQR {
				s.onPaid(paid)
			}
		}})
	}()
}

// onPaid shows the payment as paid and prints the fee receipt.
func (s *session) onPaid(pv *wire.PaymentView) {
	s.stopPayment()
	s.svc.payment = pv
	s.svc.paid = true
	s.step = wire.StepPayPaid
	s.message = msg("pay_paid", "Đã nhận được khoản phí. Xin nhận biên lai ở khe máy in.",
		"The fee has been received. Please take the receipt from the printer slot.")
	sl := Slip{Kind: wire.SlipFee, Payment: pv, At: s.m.now()}
	if s.proc != nil {
		sl.ProcedureName = s.proc.Name
	}
	if s.svc.payFrom != wire.Receipt {
		s.printSlip(sl)
		return
	}
	// At the end of a session the fee receipt comes first, then the dossier's receipt (nothing
	// owed), one after the other: the citizen sees the fee paid while its receipt prints, and
	// takes the two in that order. A citizen who goes on (finish, cancel) meanwhile gets the
	// dossier's receipt at once, and only once.
	s.svc.slip = &wire.SlipView{Kind: sl.Kind, State: wire.SlipPrinting}
	s.svc.slipOn = [2]string{string(s.state), string(s.step)}
	sv, citizen, m := s.m.dev.Services, s.citizenSeq, s.m
	go func() {
		err := sv.PrintSlip(context.Background(), sl)
		m.post(serviceEvent{citizen, -1, func(s *session) {
			s.onSlip(sl.Kind, err)
			if s.state == wire.Payment && s.step == wire.StepPayPaid && s.svc.payFrom == wire.Receipt {
				s.printReceipt(nil)
			}
		}})
	}()
}

// stopPayment ends the wait for the bank's notice.
func (s *session) stopPayment() {
	if s.svc.payStop != nil {
		s.svc.payStop()
		s.svc.payStop = nil
	}
}

// actPayment applies an action on the payment screens.
func (s *session) actPayment(a Action) error {
	switch a.Action {
	case wire.ActPayLater, wire.ActBack:
		if s.step != wire.StepPayQR {
			return ErrNotNow
		}
		s.leavePayment()
		return nil
	case wire.ActFinish:
		if s.svc.payFrom == wire.Receipt {
			if s.step == wire.StepPayQR {
				s.leavePayment()
				return nil
			}
			s.printReceipt(nil)
			return nil
		}
		s.wipe()
		return nil
	}
	return ErrNotNow
}

// leavePayment leaves the payment screen: at the end of a session the receipt is printed, with the
// fee owed and its QR when it was left unpaid; from the tracker the citizen is back at the dossier.
func (s *session) leavePayment() {
	s.stopPayment()
	s.waitSeq++
	pv := s.svc.payment
	s.svc.payment = nil
	if s.svc.payFrom == wire.Receipt {
		var owed *FeeOwed
		if pv != nil && !pv.Paid && pv.AmountVND > 0 && pv.VietQR != "" {
			owed = &FeeOwed{AmountVND: pv.AmountVND, VietQR: pv.VietQR}
			s.svc.owed = true // a number for the counter is offered at the end
		}
		s.printReceipt(owed)
		return
	}
	s.state, s.step, s.message, s.svc.slip = wire.Tracker, wire.StepTrackResult, nil, nil
}

// actPayFromTracker starts the payment of the dossier shown when it owes a fee.
func (s *session) actPayFromTracker() error {
	if s.step != wire.StepTrackResult || s.payments() == nil {
		return ErrNotNow
	}
	d := s.svc.tracker.Dossiers[s.svc.tracker.Shown]
	if d.Local || d.Owed == nil || d.Owed.FeeVND <= 0 || d.Owed.FeePaid {
		return ErrNotNow
	}
	s.startPayment(d.DossierCode, wire.Tracker)
	return nil
}

// FeeOwed is a fee the citizen left without paying: the receipt prints it with its VietQR.
type FeeOwed struct {
	AmountVND int64
	VietQR    string
}
