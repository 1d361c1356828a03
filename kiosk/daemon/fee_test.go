//go:build !nosim

package daemon

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/escpos/escpossim"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/vietqr"
)

// The fee at the end of a session, end to end through the local API on the simulated kiosk: the
// development central server assesses the catalogue's fee when it accepts the dossier, the kiosk
// shows its VietQR before the receipt, and prints the fee receipt (biên lai) once the bank's notice
// is seen, or the fee owed with its VietQR on the receipt when the citizen leaves unpaid; with
// central offline nothing is invented, and a free procedure shows no payment screen.

// paper is what the citizen puts in the feeder for one required document: sample sheet n, pages times.
type paper struct{ sheet, pages int }

// feeSession plays a citizen through procedure code: the card, the papers (one per required
// document, in order), the form values fields, and consent (after running atConsent). It returns the first view after
// consent that is the payment screen with its VietQR, the done screen or a failed print.
func (k *kiosk) feeSession(code string, papers []paper, fields map[string]string, atConsent ...func()) wire.View {
	k.t.Helper()
	k.identify()
	v := k.act(wire.ActChoose, code)
	for i := 0; v.State == wire.Documents; {
		if !v.Documents[v.Current].Required {
			v = k.act(wire.ActSkip, "")
			continue
		}
		p := papers[i]
		i++
		k.control(http.MethodPost, "scanner", map[string]any{"load": p.sheet, "pages": p.pages})
		k.act(wire.ActScan, "")
		pv := k.waitFor("preview", 60*time.Second, func(v wire.View) bool { return v.Step == wire.StepPreview })
		if got := pv.Documents[pv.Current].Pages; got != p.pages {
			k.t.Fatalf("%s: %d pages scanned, want %d", pv.Documents[pv.Current].Type, got, p.pages)
		}
		v = k.act(wire.ActAccept, "")
	}
	k.waitFor("form", 90*time.Second, func(v wire.View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
	for key, value := range fields {
		v, _ := k.c.View(k.ctx(5 * time.Second))
		a := wire.ActionOn(v, wire.ActSetField, value)
		a.Key = key
		if _, err := k.c.Do(k.ctx(5*time.Second), a); err != nil {
			k.t.Fatalf("set %s: %v", key, err)
		}
	}
	k.act(wire.ActConfirm, "")
	for _, f := range atConsent {
		f()
	}
	k.act(wire.ActAgree, "")
	return k.waitFor("payment or receipt", 60*time.Second, func(v wire.View) bool {
		return (v.State == wire.Payment && v.Services != nil && v.Services.Payment != nil && v.Services.Payment.VietQR != "") ||
			v.State == wire.Done || (v.State == wire.Receipt && v.Step == wire.StepPrintFail)
	})
}

// pieces returns what the simulated printer has printed since the first before pieces.
func (k *kiosk) pieces(before int) []escpossim.Receipt {
	return k.sim.Printer.Printer().Receipts()[before:]
}

// vietQRs returns the VietQR codes (EMVCo payloads) among a printed piece's QR codes.
func vietQRs(t *testing.T, r escpossim.Receipt) []vietqr.Payment {
	t.Helper()
	var out []vietqr.Payment
	for _, q := range r.QR {
		if strings.HasPrefix(q, "000201") {
			d, err := vietqr.Parse(q)
			if err != nil {
				t.Fatalf("a printed QR looks like a VietQR but does not parse: %v (%s)", err, q)
			}
			out = append(out, d)
		}
	}
	return out
}

// checkVietQR checks a payment view's VietQR: the development payee, the amount in tag 54, the
// dossier code in 62.01, nothing of the payer.
func checkVietQR(t *testing.T, p *wire.PaymentView, amount int64, code string) {
	t.Helper()
	qr, err := vietqr.Parse(p.VietQR)
	if err != nil {
		t.Fatalf("the VietQR does not parse: %v (%s)", err, p.VietQR)
	}
	fields, _ := vietqr.Split(p.VietQR)
	var tag54 string
	for _, f := range fields {
		if f.ID == "54" {
			tag54 = f.Value
		}
	}
	if tag54 != strconv.FormatInt(amount, 10) {
		t.Fatalf("tag 54 = %q, want %d (%s)", tag54, amount, p.VietQR)
	}
	payee := devserver.DevPayee()
	if qr.Amount != amount || qr.Reference != code || qr.BIN != payee.BIN || qr.Account != payee.Account || !qr.Dynamic ||
		qr.Service != vietqr.ServiceAccount || p.AmountVND != amount || p.DossierCode != code || p.Paid {
		t.Fatalf("VietQR %+v, view %+v; want %d đồng for %s", qr, p, amount, code)
	}
	for _, personal := range []string{"079092001234", "TRAN VAN AN", "Trần", "Ẩn"} {
		if strings.Contains(strings.ToUpper(p.VietQR), strings.ToUpper(personal)) {
			t.Fatalf("the QR carries payer data %q: %s", personal, p.VietQR)
		}
	}
}

// centralDossier waits until central holds the dossier of receipt number receiptNo and returns it.
func (k *kiosk) centralDossier(receiptNo string) devserver.DumpEntry {
	k.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		for _, e := range k.central() {
			if e.ReceiptNo == receiptNo || e.DossierCode == receiptNo {
				return e
			}
		}
	}
	k.t.Fatalf("central never received %s", receiptNo)
	return devserver.DumpEntry{}
}

func TestFeeAtTheEndOfASession(t *testing.T) {
	k := startKiosk(t, func(c *config.Config) { c.Session.SubmitWait = config.Duration{Duration: 10 * time.Second} })
	ctx := context.Background()

	t.Run("certified copy: fee by the page shown as a VietQR, paid, biên lai then the receipt", func(t *testing.T) {
		k.t = t
		before := len(k.sim.Printer.Printer().Receipts())
		// The original is 1 page, the copy 3: 3 copies × (2 × 2.000 + 1.000) = 15.000 đồng.
		v := k.feeSession("2.000815", []paper{{2, 1}, {2, 3}}, map[string]string{"documentName": "Giấy chứng sinh", "copies": "3"})
		if v.State != wire.Payment || v.Step != wire.StepPayQR {
			t.Fatalf("no payment screen at the end of the session: %s/%s %+v", v.State, v.Step, v.Message)
		}
		p := v.Services.Payment
		code := p.DossierCode
		if _, err := dossier.ParseCode(code); err != nil {
			t.Fatalf("the payment is not for an official dossier code: %q", code)
		}
		checkVietQR(t, p, 15000, code)
		if p.Amount != "15.000 đồng" || p.Purpose != "Le phi Chung thuc ban sao" { // folded to ASCII, cut to 25 characters
			t.Fatalf("payment view %+v", p)
		}
		if n := len(k.pieces(before)); n != 0 {
			t.Fatalf("%d pieces printed before the fee was paid or left", n)
		}
		e := k.centralDossier(code)
		if len(e.Attachments) != 2 || e.ProcedureCode != "2.000815" {
			t.Fatalf("central holds %+v", e)
		}
		// The bank's notice, simulated on the development server (through the sim's route).
		k.control(http.MethodPost, "central/paid/"+code, devserver.BankNotice{AmountVND: 15000, BankRef: "FT26341FEE1"})
		v = k.waitFor("paid", 30*time.Second, func(v wire.View) bool {
			return v.Step == wire.StepPayPaid || v.State == wire.Receipt || v.State == wire.Done
		})
		if v.State == wire.Payment {
			if p := v.Services.Payment; p == nil || !p.Paid || p.ReceiptNo == "" || p.BankRef != "FT26341FEE1" || p.PaidAt.IsZero() {
				t.Fatalf("paid view %+v", v.Services.Payment)
			}
		}
		v = k.waitFor("done", 60*time.Second, func(v wire.View) bool { return v.State == wire.Done })
		if v.Receipt == nil || v.Receipt.DossierCode != code || v.Receipt.Provisional || !v.Receipt.Printed {
			t.Fatalf("receipt %+v", v.Receipt)
		}
		got := k.pieces(before)
		if len(got) != 2 {
			t.Fatalf("%d pieces printed, want the biên lai and the receipt", len(got))
		}
		for i, r := range got {
			if r.Partial || len(vietQRs(t, r)) != 0 {
				t.Fatalf("piece %d: partial %v, QR %q: a paid fee is printed as owed", i+1, r.Partial, r.QR)
			}
		}
		// The biên lai first: it is the shorter of the two.
		if got[0].Image.Bounds().Dy() >= got[1].Image.Bounds().Dy() {
			t.Fatalf("the biên lai (%d dots) is not the first piece, before the receipt (%d dots)", got[0].Image.Bounds().Dy(), got[1].Image.Bounds().Dy())
		}
		// The same notice again is harmless and answers what central holds: paid once, 15.000 đồng.
		st, err := k.sim.Central.MarkPaid(ctx, code, devserver.BankNotice{AmountVND: 15000, BankRef: "FT26341FEE1"})
		if err != nil || st.State != central.PaymentPaid || st.AmountVND != 15000 {
			t.Fatalf("central: %+v %v", st, err)
		}
		k.act(wire.ActFinish, "")
		if d := k.lookUp(code); d.StatusCode != 4 || d.Owed != nil {
			t.Fatalf("after payment %+v", d)
		}
		k.act(wire.ActFinish, "")
	})

	t.Run("signature attestation left unpaid: the receipt carries the fee owed and its VietQR", func(t *testing.T) {
		k.t = t
		before := len(k.sim.Printer.Printer().Receipts())
		v := k.feeSession("2.000884", []paper{{3, 1}, {2, 1}}, map[string]string{"documentName": "Hợp đồng thuê nhà"})
		if v.State != wire.Payment {
			t.Fatalf("no payment screen: %s/%s", v.State, v.Step)
		}
		code := v.Services.Payment.DossierCode
		checkVietQR(t, v.Services.Payment, 10000, code)
		shown := v.Services.Payment.VietQR
		k.act(wire.ActCancel, "") // the citizen walks away without paying
		v = k.waitFor("done", 60*time.Second, func(v wire.View) bool { return v.State == wire.Done })
		if v.Receipt == nil || v.Receipt.DossierCode != code || !v.Receipt.Printed {
			t.Fatalf("receipt %+v", v.Receipt)
		}
		got := k.pieces(before)
		if len(got) != 1 {
			t.Fatalf("%d pieces printed, want the receipt only (no biên lai for an unpaid fee)", len(got))
		}
		qrs := vietQRs(t, got[0])
		if len(qrs) != 1 || qrs[0].Amount != 10000 || qrs[0].Reference != code || !slices.Contains(got[0].QR, shown) {
			t.Fatalf("the receipt's VietQR %+v (printed %q), want the one shown, 10.000 đồng for %s", qrs, got[0].QR, code)
		}
		if !slices.Contains(got[0].QR, strings.ReplaceAll(k.cfg.Kiosk.LookupURL, "{code}", code)) {
			t.Fatalf("the receipt lost its lookup QR: %q", got[0].QR)
		}
		k.act(wire.ActFinish, "")
		// Central still waits for it, and the tracker says so.
		if d := k.lookUp(code); d.StatusCode != 6 || d.Owed == nil || d.Owed.FeeVND != 10000 || d.Owed.FeePaid {
			t.Fatalf("tracked %+v owed %+v", d, d.Owed)
		}
		k.act(wire.ActFinish, "")
	})

	t.Run("central offline at the end: a provisional receipt, no fee invented, the dossier and its fee reach central later", func(t *testing.T) {
		k.t = t
		before := len(k.sim.Printer.Printer().Receipts())
		v := k.feeSession("2.000884", []paper{{3, 1}, {2, 1}}, map[string]string{"documentName": "Giấy ủy quyền"}, func() {
			k.control(http.MethodPost, "central", map[string]any{"offline": true})
		})
		if v.State != wire.Done || v.Receipt == nil || !v.Receipt.Provisional || !v.Receipt.Printed || v.Services != nil && v.Services.Payment != nil {
			t.Fatalf("offline: %s/%s receipt %+v services %+v", v.State, v.Step, v.Receipt, v.Services)
		}
		got := k.pieces(before)
		if len(got) != 1 || len(vietQRs(t, got[0])) != 0 {
			t.Fatalf("%d pieces printed, QR %q: want the receipt, with no fee the kiosk cannot know", len(got), got[0].QR)
		}
		k.act(wire.ActFinish, "")
		// Back online: the dossier reaches central, which assesses the fee then; the citizen pays
		// it from the tracker (the QR of the receipt leads there).
		k.control(http.MethodPost, "central", map[string]any{"offline": false})
		e := k.centralDossier(v.Receipt.DossierCode)
		st, err := k.sim.Central.MarkPaid(ctx, e.DossierCode, devserver.BankNotice{AmountVND: 9999, BankRef: "FT-WRONG"})
		if err == nil || st != nil {
			t.Fatalf("a wrong amount was taken: %+v", st)
		}
		if d := k.lookUp(e.DossierCode); d.StatusCode != 6 || d.Owed == nil || d.Owed.FeeVND != 10000 {
			t.Fatalf("the fee of the dossier delivered late: %+v owed %+v", d, d.Owed)
		}
		k.act(wire.ActFinish, "")
	})

	t.Run("free procedure: no payment screen, the receipt owes nothing", func(t *testing.T) {
		k.t = t
		before := len(k.sim.Printer.Printer().Receipts())
		k.identify()
		k.scanDocuments()
		k.waitFor("form", 90*time.Second, func(v wire.View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
		k.act(wire.ActConfirm, "")
		k.act(wire.ActAgree, "")
		var seen []wire.State
		v := k.waitFor("done", 60*time.Second, func(v wire.View) bool {
			if len(seen) == 0 || seen[len(seen)-1] != v.State {
				seen = append(seen, v.State)
			}
			return v.State == wire.Done
		})
		if slices.Contains(seen, wire.Payment) || v.Receipt == nil || v.Receipt.Provisional {
			t.Fatalf("states %v, receipt %+v", seen, v.Receipt)
		}
		got := k.pieces(before)
		if len(got) != 1 || len(vietQRs(t, got[0])) != 0 {
			t.Fatalf("%d pieces printed, QR %q: want the receipt alone, nothing owed", len(got), got[0].QR)
		}
		k.act(wire.ActFinish, "")
		k.waitFor("attract", 5*time.Second, func(v wire.View) bool { return v.State == wire.Attract })
		if d := k.lookUp(v.Receipt.DossierCode); d.StatusCode != 2 || d.Owed != nil {
			t.Fatalf("a free dossier is tracked as %+v", d)
		}
		k.act(wire.ActFinish, "")
	})
}

// TestFeeLeftUnpaidByTimeout: a citizen who walks away from the payment screen without a word is
// timed out like any other, but the dossier is in: its receipt is printed with the fee owed and
// its VietQR, and central still waits for the fee.
func TestFeeLeftUnpaidByTimeout(t *testing.T) {
	k := startKiosk(t, func(c *config.Config) {
		c.Session.SubmitWait.Duration = 10 * time.Second
		c.Session.IdleWarn.Duration, c.Session.IdleTimeout.Duration = 3*time.Second, 6*time.Second
	})
	before := len(k.sim.Printer.Printer().Receipts())
	v := k.feeSession("2.000884", []paper{{3, 1}, {2, 1}}, map[string]string{"documentName": "Đơn xin việc"})
	if v.State != wire.Payment {
		t.Fatalf("no payment screen: %s/%s", v.State, v.Step)
	}
	code := v.Services.Payment.DossierCode
	checkVietQR(t, v.Services.Payment, 10000, code)
	v = k.waitFor("timed out to the receipt", 30*time.Second, func(v wire.View) bool { return v.State != wire.Payment })
	if v.State == wire.Attract {
		t.Fatal("the timeout wiped the session without printing the receipt")
	}
	k.waitFor("printed", 60*time.Second, func(v wire.View) bool { return v.State != wire.Receipt || v.Step != wire.StepPrinting })
	got := k.pieces(before)
	if len(got) != 1 {
		t.Fatalf("%d pieces printed, want the receipt", len(got))
	}
	if qrs := vietQRs(t, got[0]); len(qrs) != 1 || qrs[0].Amount != 10000 || qrs[0].Reference != code {
		t.Fatalf("the receipt's VietQR %+v, want 10.000 đồng for %s", qrs, code)
	}
	st, err := k.sim.Central.MarkPaid(context.Background(), code, devserver.BankNotice{AmountVND: 10000, BankRef: "FT26341LATE"})
	if err != nil || st.State != central.PaymentPaid {
		t.Fatalf("the fee owed is not central's to collect: %+v %v", st, err)
	}
}
