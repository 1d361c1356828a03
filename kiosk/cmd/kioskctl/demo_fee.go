//go:build !nosim

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/vietqr"
)

// The fee at the end of a session: a short second journey, signature attestation (2.000884, a fee
// of 10.000 đồng in the catalogue). After submission the kiosk shows the payment screen with the
// VietQR; the bank's notice, simulated on the development central server, makes it print the fee
// receipt (biên lai) and then the dossier's receipt.

// attestCase is the second journey: signature attestation of the declaration the citizen signed,
// its name typed on the review screen, its fee paid at the kiosk.
func attestCase() demoCase {
	return demoCase{search: "chứng thực chữ ký", code: "2.000884", fee: 10000,
		fields: map[string]string{"documentName": "Tờ khai đăng ký khai sinh"}}
}

// demoPiece is a piece of paper the simulated printer printed (GET /v1/sim/receipts).
type demoPiece struct {
	Index   int    `json:"index"`
	Partial bool   `json:"partial"`
	Reason  string `json:"reason"`
}

// printed lists what the simulated printer has printed so far.
func (d *demo) printed(ctx context.Context) ([]demoPiece, error) {
	var out []demoPiece
	if err := d.c.Sim(ctx, http.MethodGet, "receipts", nil, &out); err != nil {
		return nil, fmt.Errorf("không đọc được máy in giả lập (cannot read the simulated printer): %w", err)
	}
	return out, nil
}

// feeJourney plays the second journey and saves the biên lai, the receipt and the copies central
// received. It fails unless exactly the biên lai and then the receipt come out of the printer.
func (d *demo) feeJourney(ctx context.Context) error {
	before, err := d.printed(ctx)
	if err != nil {
		return err
	}
	v, err := d.play(ctx, attestCase())
	if err != nil {
		return err
	}
	code := v.Receipt.DossierCode
	after, err := d.printed(ctx)
	if err != nil {
		return err
	}
	pieces := after[len(before):]
	if len(pieces) != 2 {
		return fmt.Errorf("phí đã nộp nhưng máy in ra %d tờ, cần biên lai rồi biên nhận (%d pieces printed, want the fee receipt then the receipt)", len(pieces), len(pieces))
	}
	names := []string{"fee-session-bien-lai.png", "fee-session-receipt.png"}
	for i, p := range pieces {
		if p.Partial {
			return fmt.Errorf("%s in dở (printed partly): %s", names[i], p.Reason)
		}
		b, err := d.c.SimFile(ctx, fmt.Sprintf("receipts/%d", p.Index))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d.out, names[i]), b, 0o644); err != nil {
			return err
		}
	}
	d.note("biên lai thu phí rồi biên nhận đã in (the fee receipt, then the receipt): %s, %s", names[0], names[1])
	var held []devserver.DumpEntry
	if err := d.c.Sim(ctx, http.MethodGet, "central", nil, &held); err != nil {
		return err
	}
	found := false
	for _, rec := range held {
		if rec.DossierCode == code {
			if err := d.savePDFs(ctx, rec, "fee-session-dossier"); err != nil {
				return err
			}
			found = true
		}
	}
	if !found {
		return fmt.Errorf("máy chủ trung tâm không có hồ sơ %s (central does not hold the dossier)", code)
	}
	_, err = d.c.ActOn(ctx, v, wire.ActFinish, "")
	return err
}

// pay checks the payment screen's VietQR (the fee of the catalogue, for the dossier's code),
// keeps the touchscreen's picture of it, and plays the bank's notice of the transfer on the
// development central server.
func (d *demo) pay(ctx context.Context, p *wire.PaymentView, fee int64, since time.Time) error {
	qr, err := vietqr.Parse(p.VietQR)
	if err != nil {
		return fmt.Errorf("mã VietQR trên màn hình thanh toán không đọc được (the VietQR does not parse): %w", err)
	}
	if qr.Amount != fee || p.AmountVND != fee || qr.Reference != p.DossierCode || p.DossierCode == "" {
		return fmt.Errorf("mã VietQR %d đồng cho %q, cần %d đồng cho hồ sơ %q (the VietQR's amount or reference is wrong)",
			qr.Amount, qr.Reference, fee, p.DossierCode)
	}
	d.note("màn hình thanh toán phí (payment screen): %s cho %s, hồ sơ %s, VietQR %s", p.Amount, p.PayeeName, p.DossierCode, p.VietQR)
	if err := d.keepShot(ctx, "payment-pay_qr", "fee-session-payment", since); err != nil {
		return err
	}
	if err := d.c.Sim(ctx, http.MethodPost, "central/paid/"+p.DossierCode,
		devserver.BankNotice{AmountVND: p.AmountVND, BankRef: "DEMO" + time.Now().Format("150405")}, nil); err != nil {
		return err
	}
	d.note("ngân hàng báo đã nhận %s (the bank's notice, simulated)", p.Amount)
	return nil
}

// keepShot waits (up to 20 s) for the touchscreen's screenshot name.png taken since since, whole,
// and copies it as as.png when as is set. Without the touchscreen (no --ui) there is none.
func (d *demo) keepShot(ctx context.Context, name, as string, since time.Time) error {
	if d.shots == "" {
		return nil
	}
	path := filepath.Join(d.shots, name+".png")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if st, err := os.Stat(path); err == nil && !st.ModTime().Before(since) {
			b, err := os.ReadFile(path)
			if _, derr := png.Decode(bytes.NewReader(b)); err == nil && derr == nil { // else still being written
				if as == "" {
					return nil
				}
				return os.WriteFile(filepath.Join(d.shots, as+".png"), b, 0o644)
			}
		}
		if time.Now().After(deadline) {
			return errors.New("màn hình cảm ứng chưa chụp " + name + " (the touchscreen took no screenshot of it)")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
