package session

import (
	"context"
	"errors"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/identity"
)

// The citizen services' part of the transition rig: a fake of Services whose calls to central,
// the slip printer and the ratings queue are handed to the test, which answers each.

// rigCode is the dossier code the fake central knows.
const rigCode = "000.00.21.H26-261207-0001"

type rigServices struct{ r *rig }

// wait hands a call of device d to the test through ch and returns its answer.
func (f rigServices) wait(ctx context.Context, d string, ch chan chan error) error {
	defer f.r.enter(d)()
	answer := make(chan error)
	select {
	case ch <- answer:
	case <-ctx.Done():
		return ctx.Err()
	case <-f.r.quit:
		return errors.New("test over")
	}
	select {
	case err := <-answer:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-f.r.quit:
		return errors.New("test over")
	}
}

func rigTracked(code string, status int) Tracked {
	return Tracked{DossierCode: code, ProcedureName: "Thủ tục thử", StatusCode: status,
		ReceivedAt: time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC),
		Appointment: "2026-12-10", Holder: &wire.HolderView{FullName: "Trần Văn Ẩn"}}
}

// rigFeeCode is a dossier the fake central asks a fee for (status 6).
const rigFeeCode = "000.00.21.H26-261207-0006"

func (f rigServices) Track(ctx context.Context, code string) (*Tracked, error) {
	if err := f.wait(ctx, "central", f.r.svcs); err != nil {
		return nil, err
	}
	if code == rigFeeCode {
		t := rigTracked(code, 6)
		t.Owed = &wire.OwedView{FeeVND: 50000, Fee: "50.000 đồng"}
		return &t, nil
	}
	t := rigTracked(code, 10)
	return &t, nil
}

func (f rigServices) Payment(ctx context.Context, code string) (*wire.PaymentView, error) {
	if err := f.wait(ctx, "central", f.r.svcs); err != nil {
		return nil, err
	}
	return &wire.PaymentView{DossierCode: code, AmountVND: 50000, Amount: "50.000 đồng", VietQR: "00020101021238570010A000000727"}, nil
}

func (f rigServices) WaitPaid(ctx context.Context, code string) (*wire.PaymentView, error) {
	if err := f.wait(ctx, "central", f.r.svcs); err != nil {
		return nil, err
	}
	return &wire.PaymentView{DossierCode: code, AmountVND: 50000, Amount: "50.000 đồng", Paid: true, PaidAt: f.r.now,
		ReceiptNo: "BL-261207-0001", BankRef: "FT1"}, nil
}

func (f rigServices) Notify(context.Context, *Submitted, NotifyChoice) error { return nil }

func (f rigServices) TrackHolder(ctx context.Context, _ *identity.Result) ([]Tracked, error) {
	if err := f.wait(ctx, "central", f.r.svcs); err != nil {
		return nil, err
	}
	return []Tracked{rigTracked(rigCode, 5), rigTracked("000.00.21.H26-261201-0002", 10)}, nil
}

func (f rigServices) Known(_ context.Context, code string) (*Tracked, error) {
	if code != rigCode {
		return nil, nil
	}
	return &Tracked{DossierCode: code, Local: "queued", ReceivedAt: time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)}, nil
}

func (f rigServices) Counters(ctx context.Context, _ string) ([]wire.CounterView, error) {
	if err := f.wait(ctx, "central", f.r.svcs); err != nil {
		return nil, err
	}
	return []wire.CounterView{{ID: "q1", Name: "Quầy 1", Field: "Hộ tịch", Waiting: 2, Serves: true}, {ID: "q2", Name: "Quầy 2", Paused: true}}, nil
}

func (f rigServices) TakeTicket(ctx context.Context, _ string, req TicketRequest) (*wire.TicketView, error) {
	if err := f.wait(ctx, "central", f.r.svcs); err != nil {
		return nil, err
	}
	return &wire.TicketView{Number: "A012", CounterName: "Quầy 1", Ahead: 2, WaitMinutes: 10, IssuedAt: f.r.now}, nil
}

func (f rigServices) Rate(_ context.Context, _ Rating) error {
	return f.wait(context.Background(), "ratings", f.r.rates)
}

func (f rigServices) PrintSlip(_ context.Context, _ Slip) error {
	return f.wait(context.Background(), "slip printer", f.r.slips)
}

// collectServices takes hold of the service calls the session's state waits for.
func (r *rig) collectServices() {
	r.t.Helper()
	s := r.s
	if s.state == wire.Tracker && s.step == wire.StepTrackCard && s.key != nil && r.card == nil {
		r.card = await(r, r.cards, "card read")
	}
	waiting := s.state == wire.Tracker && s.step == wire.StepTrackLookup ||
		s.state == wire.Queue && s.step == wire.StepQueueTaking ||
		s.state == wire.Queue && s.step == wire.StepQueueChoose && s.svc.queue != nil && s.svc.queue.Counters == nil &&
			!s.svc.queue.Offline && s.message == nil
	waiting = waiting || s.svc.payStop != nil || s.where.ask != nil
	if !waiting && r.svc != nil {
		// A call the session gave up (its context ended: the citizen left the payment) returns
		// on its own; its answer is handled (and dropped) as Run would.
		for i := 0; i < 200 && r.outstanding("central") > 0; i++ {
			time.Sleep(time.Millisecond)
		}
		if r.outstanding("central") == 0 {
			r.pump(isEvent[serviceEvent])
			r.svc = nil
		}
	}
	if waiting && r.svc == nil {
		r.svc = await(r, r.svcs, "central call")
	}
	if s.svc.slip != nil && s.svc.slip.State == wire.SlipPrinting && r.slip == nil {
		r.slip = await(r, r.slips, "slip print")
	}
	if s.state == wire.Rating && s.step == wire.StepRateThanks && s.svc.rating != nil && !s.svc.rating.Stored && s.message == nil && r.rate == nil {
		r.rate = await(r, r.rates, "rating store")
	}
}

// serviceAnswer has the outstanding call of device d answer err.
func serviceAnswer(d string, err error) transitionEvent {
	return transitionEvent{kind: deviceKind, device: d, do: func(r *rig) (error, bool) {
		held := map[string]*chan error{"central": &r.svc, "slip printer": &r.slip, "ratings": &r.rate}[d]
		if *held == nil {
			return nil, false
		}
		*held <- err
		*held = nil
		r.pump(isEvent[serviceEvent])
		return nil, true
	}}
}
