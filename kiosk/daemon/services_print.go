package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/receipt"
	"github.com/tramso/tramso/kiosk/session"
)

// procedurePageURL is the national portal's page of a procedure, for the checklist's QR code.
const procedurePageURL = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}"

// layout is a slip the printer lays out.
type layout interface {
	Validate() error
	Layout(p escpos.Profile) *escpos.Document
}

func (c *citizenServices) PrintSlip(ctx context.Context, s session.Slip) error {
	var l layout
	switch s.Kind {
	case wire.SlipStatus:
		t := s.Tracked
		if t == nil || t.StatusCode == 0 {
			return fmt.Errorf("không in phiếu khi chưa có tình trạng từ hệ thống trung tâm (no slip without central's status)")
		}
		st := &receipt.StatusSlip{Unit: c.kiosk.UnitName, DossierCode: t.DossierCode, Status: dossier.Status(t.StatusCode),
			ProcedureName: "", ReceivedAt: t.ReceivedAt, UpdatedAt: t.UpdatedAt, LookupURL: c.kiosk.lookupURL(t.DossierCode),
			PrintedAt: s.At, KioskID: c.kiosk.ID, Hotline: c.kiosk.Hotline}
		if t.Holder != nil {
			st.ProcedureName = t.ProcedureName
		}
		if t.Appointment != "" {
			if d, err := time.ParseInLocation(time.DateOnly, t.Appointment, c.zone()); err == nil {
				st.AppointmentAt = d
			}
		}
		if o := t.Owed; o != nil {
			for _, d := range o.Documents {
				st.Papers = append(st.Papers, d.Name)
			}
			if !o.FeePaid {
				st.AmountDue = o.FeeVND
			}
		}
		l = st
	case wire.SlipQueue:
		t := s.Ticket
		if t == nil {
			return fmt.Errorf("không có số thứ tự để in (no ticket to print)")
		}
		l = &receipt.QueueTicket{Unit: c.kiosk.UnitName, Number: t.Number, Counter: t.CounterName, Field: t.Field,
			ProcedureName: s.ProcedureName, Ahead: t.Ahead, Wait: time.Duration(t.WaitMinutes) * time.Minute,
			IssuedAt: t.IssuedAt, FollowURL: t.FollowURL, KioskID: c.kiosk.ID, Hotline: c.kiosk.Hotline}
	case wire.SlipFee:
		p := s.Payment
		if p == nil || !p.Paid {
			return fmt.Errorf("không in biên lai khi chưa nộp phí (no fee receipt before the fee is paid)")
		}
		purpose := "Lệ phí hồ sơ " + p.DossierCode
		if s.ProcedureName != "" {
			purpose = "Lệ phí " + s.ProcedureName
		}
		l = &receipt.FeeReceipt{Unit: c.kiosk.UnitName, DossierCode: p.DossierCode, Purpose: purpose, ProcedureName: s.ProcedureName,
			Amount: p.AmountVND, PaidAt: p.PaidAt, Method: "Chuyển khoản VietQR (NAPAS 247), biên lai số " + p.ReceiptNo, TransactionRef: p.BankRef,
			LookupURL: c.kiosk.lookupURL(p.DossierCode), KioskID: c.kiosk.ID, Hotline: c.kiosk.Hotline}
	case wire.SlipChecklist:
		if s.Procedure == nil {
			return fmt.Errorf("không có thủ tục để in (no procedure to print)")
		}
		cl, err := receipt.NewChecklist(s.Procedure, receipt.Guide{Unit: c.kiosk.UnitName, Where: "Bộ phận Một cửa, " + c.kiosk.UnitName,
			PageURL: procedurePageURL, Missing: s.Missing}, s.At, c.kiosk.slips())
		if err != nil {
			return err
		}
		cl.KioskID = c.kiosk.ID
		l = cl
	default:
		return fmt.Errorf("loại phiếu không có: %q (unknown slip kind)", s.Kind)
	}
	err := c.printer.printLayout(ctx, l)
	if errors.Is(err, escpos.ErrUnconfirmed) {
		return session.ErrPrintUnconfirmed
	}
	return err
}

func (c *citizenServices) zone() *time.Location {
	if c.kiosk.Location != nil {
		return c.kiosk.Location
	}
	return time.UTC
}

// printLayout validates, lays out and prints a slip.
func (p *receiptPrinter) printLayout(ctx context.Context, l layout) error {
	if err := l.Validate(); err != nil {
		return err
	}
	job, err := escpos.Compile(l.Layout(p.profile), p.profile, p.fonts)
	if err != nil {
		return err
	}
	return p.printJob(ctx, job.Data)
}
