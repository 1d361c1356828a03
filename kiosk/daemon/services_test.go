//go:build !nosim

package daemon

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/vietqr"
)

// The citizen services end to end through the local API on the simulated kiosk: the tracker (by
// the receipt's QR code, by the code typed, by the ID card, and with central offline), the queue
// number, and the ratings, stored and forwarded.

// tracker returns the tracker view, failing when there is none.
func tracker(t *testing.T, v wire.View) *wire.TrackerView {
	t.Helper()
	if v.Services == nil || v.Services.Tracker == nil {
		t.Fatalf("no tracker in the view %s/%s (message %+v)", v.State, v.Step, v.Message)
	}
	return v.Services.Tracker
}

// slipsPrinted counts the slips and receipts the simulated printer has printed.
func (k *kiosk) slipsPrinted() int { return len(k.receipts()) }

func (k *kiosk) waitSlip(kind string) wire.View {
	k.t.Helper()
	return k.waitFor(kind+" slip printed", 30*time.Second, func(v wire.View) bool {
		return v.Services != nil && v.Services.Slip != nil && v.Services.Slip.Kind == kind && v.Services.Slip.State != wire.SlipPrinting
	})
}

func TestCitizenServicesTracker(t *testing.T) {
	k := startKiosk(t, nil)
	ctx := context.Background()

	// A dossier submitted at this kiosk, received by central.
	k.identify()
	k.scanDocuments()
	v := k.submit()
	if v.State != wire.Done || v.Receipt == nil || v.Receipt.Provisional {
		t.Fatalf("receipt %+v", v.Receipt)
	}
	code := v.Receipt.DossierCode
	if v.Services == nil || !v.Services.RatingOffered || len(v.Services.Levels) != 3 {
		t.Fatalf("the end of the session offers no rating: %+v", v.Services)
	}

	// The kiosk's own service rated at the end of the session, central offline: stored, then
	// forwarded once central is back, with its reasons and comment.
	k.control(http.MethodPost, "central", map[string]any{"offline": true})
	v = k.act(wire.ActRate, wire.RateDissatisfied)
	if v.State != wire.Rating || v.Step != wire.StepRateReasons || len(v.Services.Rating.Reasons) == 0 {
		t.Fatalf("dissatisfied: %s/%s %+v", v.State, v.Step, v.Services)
	}
	k.act(wire.ActRateReason, "cho-lau")
	if _, err := k.c.Act(k.ctx(5*time.Second), wire.ActRateReason, "khong-co"); err == nil {
		t.Fatal("an unknown reason was ticked")
	}
	k.act(wire.ActRateComment, "Máy quét hơi chậm")
	k.act(wire.ActRateSend, "")
	k.waitFor("rating stored", 10*time.Second, func(v wire.View) bool {
		return v.Services != nil && v.Services.Rating != nil && v.Services.Rating.Stored
	})
	// The simulated outage loses central's answers: the rating may have arrived, but the kiosk
	// has no word of it, so it stays queued and is sent again (idempotent on its id).
	q, err := outbox.OpenServicesQueue(ctx, k.cfg.Paths.StateDir)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	time.Sleep(time.Second)
	queued, err := q.ListRatings(ctx, "")
	if err != nil || len(queued) != 1 || queued[0].State != outbox.RatingPending || queued[0].Rating.Subject != "kiosk" ||
		queued[0].Rating.DossierCode != "" || queued[0].Rating.Comment != "Máy quét hơi chậm" || len(queued[0].Rating.Reasons) != 1 {
		t.Fatalf("ratings queue while offline: %+v %v", queued, err)
	}
	k.control(http.MethodPost, "central", map[string]any{"offline": false})
	waitRatings(t, k, "kiosk", wire.RateDissatisfied, 1)
	for deadline := time.Now().Add(30 * time.Second * raceSlowdown); ; time.Sleep(200 * time.Millisecond) {
		queued, _ = q.ListRatings(ctx, outbox.RatingSent)
		if len(queued) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the rating was never marked sent")
		}
	}
	waitRatings(t, k, "kiosk", wire.RateDissatisfied, 1) // once, however often it was sent
	k.act(wire.ActFinish, "")
	v = k.waitFor("attract", 5*time.Second, func(v wire.View) bool { return v.State == wire.Attract })
	if v.Services == nil || len(v.Services.Tiles) != 3 || v.Services.Tiles[1].Action != wire.ActTrack || !v.Services.Tiles[1].Available {
		t.Fatalf("attract tiles %+v", v.Services)
	}

	t.Run("receipt QR on the attract screen: status and dates only", func(t *testing.T) {
		k.t = t
		printed := k.slipsPrinted()
		k.control(http.MethodPost, "qr", map[string]any{"payload": "https://dichvucong.example.vn/tra-cuu?ma=" + code})
		v := k.waitFor("result", 20*time.Second, func(v wire.View) bool { return v.State == wire.Tracker && v.Step == wire.StepTrackResult })
		tr := tracker(t, v)
		if tr.ByCard || tr.Offline || len(tr.Dossiers) != 1 {
			t.Fatalf("tracker %+v", tr)
		}
		d := tr.Dossiers[0]
		if d.DossierCode != code || d.StatusCode < 1 || d.StatusCode > 2 || d.Status.Vi == "" || d.Status.En == "" || d.NextStep == nil ||
			d.ReceivedAt.IsZero() || d.Appointment == "" || d.Local {
			t.Fatalf("dossier %+v", d)
		}
		// By code alone: no name, no documents, no procedure.
		if d.Holder != nil || d.ProcedureName != "" || d.CanRate {
			t.Fatalf("a lookup by code shows personal data or offers a rating: %+v", d)
		}
		k.act(wire.ActPrintStatus, "")
		v = k.waitSlip(wire.SlipStatus)
		if v.Services.Slip.State != wire.SlipPrinted || k.slipsPrinted() != printed+1 {
			t.Fatalf("status slip %+v, %d printed before, %d now", v.Services.Slip, printed, k.slipsPrinted())
		}
		k.act(wire.ActFinish, "")
	})

	t.Run("code typed: papers owed (status 5)", func(t *testing.T) {
		k.t = t
		if err := k.sim.Central.SetTracking(ctx, code, devserver.TrackingUpdate{StatusCode: dossier.StatusNeedsPapers,
			Documents: []central.OwedDocument{{Name: "Giấy chứng sinh", Note: "bản chính"}}, Where: "Quầy 2"}); err != nil {
			t.Fatal(err)
		}
		k.act(wire.ActTrack, "")
		k.act(wire.ActTrackType, "")
		if _, err := k.c.Act(k.ctx(5*time.Second), wire.ActTrackCode, "không phải mã"); err == nil {
			t.Fatal("a malformed code was looked up")
		}
		k.act(wire.ActTrackCode, strings.ToLower(code))
		v := k.waitFor("result", 20*time.Second, func(v wire.View) bool { return v.Step == wire.StepTrackResult })
		d := tracker(t, v).Dossiers[0]
		if d.StatusCode != 5 || d.Status.Vi != "Yêu cầu bổ sung giấy tờ" || d.Owed == nil || len(d.Owed.Documents) != 1 ||
			d.Owed.Documents[0].Name != "Giấy chứng sinh" || d.Owed.Where != "Quầy 2" {
			t.Fatalf("dossier %+v owed %+v", d, d.Owed)
		}
		k.act(wire.ActFinish, "")
	})

	t.Run("ID card: the holder's dossiers with names", func(t *testing.T) {
		k.t = t
		k.act(wire.ActTrack, "")
		k.act(wire.ActTrackCard, "")
		k.control(http.MethodPost, "qr", map[string]any{"citizen": citizen})
		k.control(http.MethodPost, "card", map[string]any{"citizen": citizen})
		v := k.waitFor("holder's dossiers", 30*time.Second, func(v wire.View) bool {
			return v.State == wire.Tracker && (v.Step == wire.StepTrackResult || v.Step == wire.StepTrackList)
		})
		k.control(http.MethodDelete, "card", nil)
		tr := tracker(t, v)
		if !tr.ByCard || len(tr.Dossiers) != 1 || tr.Dossiers[0].DossierCode != code || tr.Dossiers[0].Holder == nil ||
			tr.Dossiers[0].Holder.FullName != "Trần Văn Ẩn" || tr.Dossiers[0].ProcedureName == "" {
			t.Fatalf("tracker by card %+v", tr)
		}
		if v.Citizen != nil {
			t.Fatalf("the tracker keeps the card's identity in the view: %+v", v.Citizen)
		}
		k.act(wire.ActFinish, "")
	})

	t.Run("finished dossier rated from the tracker, forwarded once", func(t *testing.T) {
		k.t = t
		if err := k.sim.Central.SetTracking(ctx, code, devserver.TrackingUpdate{StatusCode: dossier.StatusReturned}); err != nil {
			t.Fatal(err)
		}
		k.act(wire.ActTrack, code)
		v := k.waitFor("result", 20*time.Second, func(v wire.View) bool { return v.Step == wire.StepTrackResult })
		if d := tracker(t, v).Dossiers[0]; d.StatusCode != 10 || !d.CanRate {
			t.Fatalf("finished dossier %+v", d)
		}
		v = k.act(wire.ActRate, wire.RateVerySatisfied)
		if v.State != wire.Rating || v.Step != wire.StepRateThanks || v.Services.Rating.DossierCode != code {
			t.Fatalf("rating %s/%s %+v", v.State, v.Step, v.Services)
		}
		k.waitFor("stored", 10*time.Second, func(v wire.View) bool {
			return v.Services != nil && v.Services.Rating != nil && v.Services.Rating.Stored
		})
		waitRatings(t, k, "dossier", wire.RateVerySatisfied, 1)
		k.act(wire.ActFinish, "")
	})

	t.Run("central offline: only what the kiosk knows, never a status", func(t *testing.T) {
		k.t = t
		k.control(http.MethodPost, "central", map[string]any{"offline": true})
		defer k.control(http.MethodPost, "central", map[string]any{"offline": false})
		k.act(wire.ActTrack, code)
		v := k.waitFor("offline result", 60*time.Second, func(v wire.View) bool { return v.Step == wire.StepTrackResult || v.Step == wire.StepTrackWay })
		tr := tracker(t, v)
		if v.Step != wire.StepTrackResult || !tr.Offline || len(tr.Dossiers) != 1 || v.Message == nil || v.Message.Code != "track_offline_local" {
			t.Fatalf("offline lookup %s %+v message %+v", v.Step, tr, v.Message)
		}
		d := tr.Dossiers[0]
		if !d.Local || d.StatusCode != 0 || d.Status.Code != "local_sent" || d.Owed != nil || d.Appointment != "" || d.CanRate {
			t.Fatalf("offline line invents a status: %+v", d)
		}
		if _, err := k.c.Act(k.ctx(5*time.Second), wire.ActPrintStatus, ""); err == nil {
			t.Fatal("a status slip was printed without central's status")
		}
		k.act(wire.ActBack, "")
		// A code the kiosk never saw: nothing is shown.
		k.act(wire.ActTrackType, "")
		k.act(wire.ActTrackCode, "000.00.21.H26-261201-0999")
		v = k.waitFor("offline, unknown", 60*time.Second, func(v wire.View) bool { return v.Step == wire.StepTrackWay && v.Message != nil })
		if tr := tracker(t, v); !tr.Offline || len(tr.Dossiers) != 0 || v.Message.Code != "track_offline" {
			t.Fatalf("offline unknown code %+v %+v", tr, v.Message)
		}
		k.act(wire.ActFinish, "")
	})
}

// waitRatings waits until central holds n ratings of subject at level.
func waitRatings(t *testing.T, k *kiosk, subject, level string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second * raceSlowdown)
	for {
		got, err := k.sim.Central.RatingCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got[subject][level] == n {
			return
		}
		if got[subject][level] > n || time.Now().After(deadline) {
			t.Fatalf("central holds %v ratings, want %d %s/%s", got, n, subject, level)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestCitizenServicesQueueAndRating(t *testing.T) {
	k := startKiosk(t, nil)
	// Wait until the kiosk has connected to central.
	deadline := time.Now().Add(60 * time.Second * raceSlowdown)
	for {
		h, _ := k.c.Health(k.ctx(5 * time.Second))
		if s, _ := h["uploader"].(string); strings.HasPrefix(s, "đang chạy") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the uploader never connected: %v", h["uploader"])
		}
		time.Sleep(100 * time.Millisecond)
	}

	t.Run("queue number from the attract screen, printed", func(t *testing.T) {
		k.t = t
		printed := k.slipsPrinted()
		k.act(wire.ActQueue, "1.001193")
		v := k.waitFor("counters", 20*time.Second, func(v wire.View) bool {
			return v.Services != nil && v.Services.Queue != nil && len(v.Services.Queue.Counters) > 0
		})
		q := v.Services.Queue
		if v.State != wire.Queue || v.Step != wire.StepQueueChoose || q.ProcedureCode != "1.001193" {
			t.Fatalf("queue %s/%s %+v", v.State, v.Step, q)
		}
		if _, err := k.c.Act(k.ctx(5*time.Second), wire.ActTakeTicket, "no-such-counter"); err == nil {
			t.Fatal("a ticket for an unknown counter was taken")
		}
		k.act(wire.ActTakeTicket, "")
		v = k.waitFor("ticket", 20*time.Second, func(v wire.View) bool { return v.Step == wire.StepQueueTicket })
		tk := v.Services.Queue.Ticket
		if tk == nil || tk.Number == "" || tk.CounterName == "" || tk.IssuedAt.IsZero() || tk.FollowURL == "" {
			t.Fatalf("ticket %+v", tk)
		}
		v = k.waitSlip(wire.SlipQueue)
		if v.Services.Slip.State != wire.SlipPrinted || k.slipsPrinted() != printed+1 {
			t.Fatalf("ticket slip %+v", v.Services.Slip)
		}
		k.act(wire.ActFinish, "")
		// A second citizen's number comes after the first.
		k.act(wire.ActQueue, "1.001193")
		k.waitFor("counters", 20*time.Second, func(v wire.View) bool {
			return v.Services != nil && v.Services.Queue != nil && len(v.Services.Queue.Counters) > 0
		})
		k.act(wire.ActTakeTicket, "")
		v = k.waitFor("ticket", 20*time.Second, func(v wire.View) bool { return v.Step == wire.StepQueueTicket })
		if v.Services.Queue.Ticket.Number == tk.Number || v.Services.Queue.Ticket.Ahead < tk.Ahead+1 {
			t.Fatalf("second ticket %+v after %+v", v.Services.Queue.Ticket, tk)
		}
		k.act(wire.ActFinish, "")
	})

	t.Run("what to bring, from the catalogue and the documents screen; a number from the catalogue", func(t *testing.T) {
		k.t = t
		k.identify()
		printed := k.slipsPrinted()
		if _, err := k.c.Act(k.ctx(5*time.Second), wire.ActPrintChecklist, "9.999999"); err == nil {
			t.Fatal("a checklist of an unknown procedure was printed")
		}
		k.act(wire.ActPrintChecklist, "1.001193")
		v := k.waitSlip(wire.SlipChecklist)
		if v.State != wire.ChooseProcedure || v.Services.Slip.State != wire.SlipPrinted || k.slipsPrinted() != printed+1 {
			t.Fatalf("checklist from the catalogue: %s %+v, %d slips (was %d)", v.State, v.Services.Slip, k.slipsPrinted(), printed)
		}
		v = k.act(wire.ActChoose, "1.001193")
		if v.State != wire.Documents || (v.Services != nil && v.Services.Slip != nil) {
			t.Fatalf("the catalogue's slip follows the citizen: %+v", v.Services)
		}
		// The citizen lacks the first paper: the checklist marks it.
		k.act(wire.ActPrintChecklist, "")
		v = k.waitSlip(wire.SlipChecklist)
		if v.Services.Slip.State != wire.SlipPrinted || k.slipsPrinted() != printed+2 {
			t.Fatalf("checklist from the documents screen: %+v", v.Services.Slip)
		}
		k.act(wire.ActBack, "")
		k.act(wire.ActQueue, "1.001193")
		v = k.waitFor("counters", 20*time.Second, func(v wire.View) bool {
			return v.Services != nil && v.Services.Queue != nil && len(v.Services.Queue.Counters) > 0
		})
		if !v.Services.Queue.Counters[0].Serves {
			t.Fatalf("the counter serving the procedure is not first: %+v", v.Services.Queue.Counters)
		}
		k.act(wire.ActBack, "")
		if v := k.act(wire.ActCancel, ""); v.State != wire.Attract {
			t.Fatalf("cancel: %s", v.State)
		}
	})

	t.Run("queue offline: the citizen is sent to the desk", func(t *testing.T) {
		k.t = t
		k.control(http.MethodPost, "central", map[string]any{"offline": true})
		defer k.control(http.MethodPost, "central", map[string]any{"offline": false})
		k.act(wire.ActQueue, "")
		v := k.waitFor("offline", 60*time.Second, func(v wire.View) bool { return v.Message != nil })
		if v.Message.Code != "queue_offline" || !v.Services.Queue.Offline || v.Services.Queue.Ticket != nil {
			t.Fatalf("offline queue %+v %+v", v.Message, v.Services.Queue)
		}
		k.act(wire.ActFinish, "")
	})
}

// submitted plays a citizen who submits a birth registration and leaves; it returns the code.
func (k *kiosk) submitted() string {
	k.t.Helper()
	k.identify()
	k.scanDocuments()
	v := k.submit()
	if v.State != wire.Done || v.Receipt == nil || v.Receipt.Provisional {
		k.t.Fatalf("receipt %+v", v.Receipt)
	}
	k.act(wire.ActFinish, "")
	k.waitFor("attract", 5*time.Second, func(v wire.View) bool { return v.State == wire.Attract })
	return v.Receipt.DossierCode
}

// lookUp looks a code up from the attract screen and returns the result.
func (k *kiosk) lookUp(code string) wire.TrackedView {
	k.t.Helper()
	k.act(wire.ActTrack, code)
	v := k.waitFor("result", 20*time.Second, func(v wire.View) bool { return v.State == wire.Tracker && v.Step == wire.StepTrackResult })
	return tracker(k.t, v).Dossiers[0]
}

// submittedWithOptIn plays a citizen who opts in to SMS and Zalo messages at consent (after a
// wrong number and an agree without one are refused) and submits; it returns the code.
func (k *kiosk) submittedWithOptIn() string {
	k.t.Helper()
	k.identify()
	k.scanDocuments()
	k.waitFor("form", 90*time.Second, func(v wire.View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
	v := k.act(wire.ActConfirm, "")
	if v.State != wire.Consent || v.Services == nil || v.Services.Notify == nil || len(v.Services.Notify.Channels) != 3 {
		k.t.Fatalf("consent offers no opt-in: %+v", v.Services)
	}
	k.act(wire.ActNotifyChannel, wire.NotifySMS)
	k.act(wire.ActNotifyChannel, wire.NotifyZalo)
	if _, err := k.c.Act(k.ctx(5*time.Second), wire.ActAgree, ""); err == nil {
		k.t.Fatal("agreed to SMS without a number")
	}
	phone := func(n string) error {
		v, _ := k.c.View(k.ctx(5 * time.Second))
		a := wire.ActionOn(v, wire.ActNotifyContact, n)
		a.Key = "phone"
		_, err := k.c.Do(k.ctx(5*time.Second), a)
		return err
	}
	if err := phone("0212 345 678"); err == nil {
		k.t.Fatal("a landline number was taken for SMS")
	}
	if err := phone("091.234.5678"); err != nil {
		k.t.Fatal(err)
	}
	v, _ = k.c.View(k.ctx(5 * time.Second))
	if n := v.Services.Notify; n.Phone != "+84912345678" || len(n.Chosen) != 2 || n.Error != nil {
		k.t.Fatalf("opt-in %+v", n)
	}
	k.act(wire.ActAgree, "")
	v = k.waitFor("receipt", 60*time.Second, func(v wire.View) bool { return v.State == wire.Done })
	if v.Receipt == nil || v.Receipt.Provisional {
		k.t.Fatalf("receipt %+v", v.Receipt)
	}
	k.act(wire.ActFinish, "")
	return v.Receipt.DossierCode
}

func TestCitizenServicesPayment(t *testing.T) {
	k := startKiosk(t, nil)
	ctx := context.Background()
	paidCode, leftCode := k.submittedWithOptIn(), k.submitted()

	t.Run("opt-in handed to central, contact forgotten by the kiosk, messages sent by central", func(t *testing.T) {
		k.t = t
		q, err := outbox.OpenServicesQueue(ctx, k.cfg.Paths.StateDir)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		for deadline := time.Now().Add(60 * time.Second * raceSlowdown); ; time.Sleep(200 * time.Millisecond) {
			if n, err := q.PendingNotify(ctx); err == nil && n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the opt-in never reached central")
			}
		}
		if err := k.sim.Central.SetTracking(ctx, paidCode, devserver.TrackingUpdate{StatusCode: dossier.StatusProcessing}); err != nil {
			t.Fatal(err)
		}
		sent, err := k.sim.Central.Sent(ctx, paidCode)
		if err != nil || len(sent) != 2 || sent[0].StatusCode != dossier.StatusProcessing {
			t.Fatalf("central sent %+v %v, want SMS and Zalo", sent, err)
		}
		if sent, _ := k.sim.Central.Sent(ctx, leftCode); len(sent) != 0 {
			t.Fatalf("a citizen who did not opt in was sent %+v", sent)
		}
	})

	t.Run("fee paid by VietQR while the citizen waits: biên lai printed", func(t *testing.T) {
		k.t = t
		if err := k.sim.Central.SetTracking(ctx, paidCode, devserver.TrackingUpdate{StatusCode: dossier.StatusNeedsPayment, FeeVND: 50000}); err != nil {
			t.Fatal(err)
		}
		d := k.lookUp(paidCode)
		if d.StatusCode != 6 || d.Owed == nil || d.Owed.FeeVND != 50000 || d.Owed.Fee != "50.000 đồng" || d.Owed.FeePaid {
			t.Fatalf("dossier %+v owed %+v", d, d.Owed)
		}
		printed := k.slipsPrinted()
		k.act(wire.ActPay, "")
		v := k.waitFor("VietQR", 20*time.Second, func(v wire.View) bool {
			return v.State == wire.Payment && v.Services != nil && v.Services.Payment != nil && v.Services.Payment.VietQR != ""
		})
		p := v.Services.Payment
		qr, err := vietqr.Parse(p.VietQR)
		if err != nil {
			t.Fatalf("the VietQR does not parse: %v (%s)", err, p.VietQR)
		}
		payee := devserver.DevPayee()
		if qr.Amount != 50000 || qr.Reference != paidCode || qr.BIN != payee.BIN || qr.Account != payee.Account || !qr.Dynamic ||
			qr.Service != vietqr.ServiceAccount || p.Amount != "50.000 đồng" || p.Paid {
			t.Fatalf("VietQR %+v, view %+v", qr, p)
		}
		for _, personal := range []string{"079092001234", "TRAN VAN AN", "Trần", "Ẩn"} {
			if strings.Contains(strings.ToUpper(p.VietQR), strings.ToUpper(personal)) {
				t.Fatalf("the QR carries payer data %q: %s", personal, p.VietQR)
			}
		}
		if _, err := k.sim.Central.MarkPaid(ctx, paidCode, devserver.BankNotice{AmountVND: 50000, BankRef: "FT26341ABC"}); err != nil {
			t.Fatal(err)
		}
		v = k.waitFor("paid", 30*time.Second, func(v wire.View) bool { return v.Step == wire.StepPayPaid })
		if p := v.Services.Payment; p == nil || !p.Paid || p.ReceiptNo == "" || p.BankRef != "FT26341ABC" || p.PaidAt.IsZero() {
			t.Fatalf("paid view %+v", v.Services.Payment)
		}
		v = k.waitSlip(wire.SlipFee)
		if v.Services.Slip.State != wire.SlipPrinted || k.slipsPrinted() != printed+1 {
			t.Fatalf("fee receipt %+v; %d slips before, %d now", v.Services.Slip, printed, k.slipsPrinted())
		}
		k.act(wire.ActFinish, "")
		// Paid: the dossier is back in processing and owes nothing.
		if d := k.lookUp(paidCode); d.StatusCode != 4 || d.Owed != nil {
			t.Fatalf("after payment %+v", d)
		}
		if _, err := k.c.Act(k.ctx(5*time.Second), wire.ActPay, ""); err == nil {
			t.Fatal("a paid fee was offered again")
		}
		k.act(wire.ActFinish, "")
	})

	t.Run("payment seen after the citizen left: nothing printed for no one, the tracker shows it", func(t *testing.T) {
		k.t = t
		if err := k.sim.Central.SetTracking(ctx, leftCode, devserver.TrackingUpdate{StatusCode: dossier.StatusNeedsPayment, FeeVND: 30000}); err != nil {
			t.Fatal(err)
		}
		k.lookUp(leftCode)
		k.act(wire.ActPay, "")
		k.waitFor("VietQR", 20*time.Second, func(v wire.View) bool {
			return v.State == wire.Payment && v.Services != nil && v.Services.Payment != nil && v.Services.Payment.VietQR != ""
		})
		printed := k.slipsPrinted()
		k.act(wire.ActCancel, "") // the citizen walks away with the QR photographed
		k.waitFor("attract", 5*time.Second, func(v wire.View) bool { return v.State == wire.Attract })
		if _, err := k.sim.Central.MarkPaid(ctx, leftCode, devserver.BankNotice{AmountVND: 30000, BankRef: "FT26341XYZ"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Second) // longer than the kiosk's poll
		v, err := k.c.View(k.ctx(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if v.State != wire.Attract || (v.Services != nil && (v.Services.Payment != nil || v.Services.Slip != nil)) || k.slipsPrinted() != printed {
			t.Fatalf("a payment seen after the citizen left reached the screen or the printer: %s %+v, %d slips (was %d)",
				v.State, v.Services, k.slipsPrinted(), printed)
		}
		if d := k.lookUp(leftCode); d.StatusCode != 4 || d.Owed != nil {
			t.Fatalf("after the late payment %+v", d)
		}
		k.act(wire.ActFinish, "")
	})
}
