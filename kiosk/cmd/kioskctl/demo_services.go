//go:build !nosim

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central/devserver"
)

// services plays the citizen services after the journey: a tracker lookup of the dossier just
// submitted with its status slip, a queue number, and its fee paid by VietQR (the bank's notice
// simulated on the development central server), each slip saved beside the receipt.
func (d *demo) services(ctx context.Context) error {
	var held []devserver.DumpEntry
	if err := d.c.Sim(ctx, http.MethodGet, "central", nil, &held); err != nil || len(held) == 0 {
		return fmt.Errorf("máy chủ trung tâm chưa có hồ sơ (central holds no dossier): %v", err)
	}
	code := held[len(held)-1].DossierCode
	v, err := d.c.View(ctx)
	if err != nil {
		return err
	}
	if v.State == wire.Done {
		if _, err := d.c.ActOn(ctx, v, wire.ActFinish, ""); err != nil {
			return err
		}
	}
	wait := func(what string, ok func(wire.View) bool) (wire.View, error) {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		v, err := d.c.WaitFor(wctx, ok)
		if err != nil {
			return v, fmt.Errorf("chờ (waiting for) %s: %w", what, err)
		}
		return v, nil
	}
	act := func(name wire.ActionName, value string) (wire.View, error) {
		v, err := d.c.View(ctx)
		if err != nil {
			return v, err
		}
		return d.c.ActOn(ctx, v, name, value)
	}
	slipPrinted := func(kind string) func(wire.View) bool {
		return func(v wire.View) bool {
			return v.Services != nil && v.Services.Slip != nil && v.Services.Slip.Kind == kind && v.Services.Slip.State != wire.SlipPrinting
		}
	}

	// 1. The tracker: the receipt's code, by code alone (status and dates, no names).
	if _, err := wait("attract", func(v wire.View) bool { return v.State == wire.Attract }); err != nil {
		return err
	}
	if _, err := act(wire.ActTrack, code); err != nil {
		return err
	}
	v, err = wait("tracker", func(v wire.View) bool { return v.State == wire.Tracker && v.Step == wire.StepTrackResult })
	if err != nil {
		return err
	}
	t := v.Services.Tracker.Dossiers[0]
	d.note("tra cứu hồ sơ %s (dossier lookup): %s, hẹn trả %s — %s", t.DossierCode, t.Status.Vi, t.Appointment, nextStep(t))
	if _, err := act(wire.ActPrintStatus, ""); err != nil {
		return err
	}
	if _, err := wait("status slip", slipPrinted(wire.SlipStatus)); err != nil {
		return err
	}
	if err := d.saveLastSlip(ctx, "status-slip.png"); err != nil {
		return err
	}
	d.note("phiếu tình trạng hồ sơ đã in (status slip printed)")
	if _, err := act(wire.ActFinish, ""); err != nil {
		return err
	}

	// 2. A queue number for the counter of birth registration.
	if _, err := wait("attract", func(v wire.View) bool { return v.State == wire.Attract }); err != nil {
		return err
	}
	if _, err := act(wire.ActQueue, "1.001193"); err != nil {
		return err
	}
	if _, err := wait("counters", func(v wire.View) bool {
		return v.Services != nil && v.Services.Queue != nil && (len(v.Services.Queue.Counters) > 0 || v.Message != nil)
	}); err != nil {
		return err
	}
	if _, err := act(wire.ActTakeTicket, ""); err != nil {
		return err
	}
	v, err = wait("ticket", func(v wire.View) bool {
		return v.Step == wire.StepQueueTicket || (v.Message != nil && v.State == wire.Queue)
	})
	if err != nil {
		return err
	}
	tk := v.Services.Queue.Ticket
	if tk == nil {
		return fmt.Errorf("không lấy được số thứ tự (no queue number): %+v", v.Message)
	}
	if _, err := wait("queue ticket", slipPrinted(wire.SlipQueue)); err != nil {
		return err
	}
	if err := d.saveLastSlip(ctx, "queue-ticket.png"); err != nil {
		return err
	}
	d.note("số thứ tự %s tại %s, %d người chờ trước, khoảng %d phút (queue number printed)", tk.Number, tk.CounterName, tk.Ahead, tk.WaitMinutes)
	if _, err := act(wire.ActFinish, ""); err != nil {
		return err
	}

	// 3. The centre asks for a fee; the citizen pays it by VietQR at the kiosk.
	if err := d.c.Sim(ctx, http.MethodPost, "central/tracking/"+code,
		devserver.TrackingUpdate{StatusCode: 6, FeeVND: 50000, Where: "Quầy 1"}, nil); err != nil {
		return err
	}
	d.note("cán bộ yêu cầu nộp lệ phí 50.000 đồng (the centre asks for a fee)")
	if _, err := wait("attract", func(v wire.View) bool { return v.State == wire.Attract }); err != nil {
		return err
	}
	if _, err := act(wire.ActTrack, code); err != nil {
		return err
	}
	if _, err := wait("tracker", func(v wire.View) bool { return v.State == wire.Tracker && v.Step == wire.StepTrackResult }); err != nil {
		return err
	}
	if _, err := act(wire.ActPay, ""); err != nil {
		return err
	}
	v, err = wait("VietQR", func(v wire.View) bool {
		return v.State == wire.Payment && v.Services != nil && v.Services.Payment != nil && v.Services.Payment.VietQR != ""
	})
	if err != nil {
		return err
	}
	p := v.Services.Payment
	d.note("mã VietQR %s cho %s (VietQR shown): %s", p.Amount, p.PayeeName, p.VietQR)
	if err := d.c.Sim(ctx, http.MethodPost, "central/paid/"+code,
		devserver.BankNotice{AmountVND: p.AmountVND, BankRef: "DEMO" + time.Now().Format("150405")}, nil); err != nil {
		return err
	}
	d.note("ngân hàng báo đã nhận tiền (the bank's notice, simulated)")
	if _, err := wait("paid", func(v wire.View) bool { return v.Step == wire.StepPayPaid }); err != nil {
		return err
	}
	if _, err := wait("fee receipt", slipPrinted(wire.SlipFee)); err != nil {
		return err
	}
	if err := d.saveLastSlip(ctx, "fee-receipt.png"); err != nil {
		return err
	}
	d.note("biên lai thu phí đã in (fee receipt printed)")
	_, err = act(wire.ActFinish, "")
	return err
}

func nextStep(t wire.TrackedView) string {
	if t.NextStep == nil {
		return ""
	}
	return t.NextStep.Vi
}

// saveLastSlip saves the last slip the simulated printer printed as name in the output folder.
func (d *demo) saveLastSlip(ctx context.Context, name string) error {
	var printed []struct {
		Index int `json:"index"`
	}
	if err := d.c.Sim(ctx, http.MethodGet, "receipts", nil, &printed); err != nil || len(printed) == 0 {
		return errors.Join(errors.New("không có phiếu in (no slip printed)"), err)
	}
	png, err := d.c.SimFile(ctx, fmt.Sprintf("receipts/%d", printed[len(printed)-1].Index))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.out, name), png, 0o644)
}
