package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/receipt"
	"github.com/tramso/tramso/kiosk/session"
	"github.com/tramso/tramso/kiosk/vietqr"
)

// citizenServices is the session's Services: the tracker, the queue and the rating, through the
// central client the uploader connected (none: offline), the kiosk's own outbox, the durable
// ratings queue and the receipt printer.
type citizenServices struct {
	store   *outbox.Store
	ratings *outbox.ServicesQueue
	printer *receiptPrinter
	kiosk   KioskInfo
	client  atomic.Pointer[central.Client]
	// wake nudges the ratings forwarder when a rating was stored.
	wake chan struct{}
	// timeout bounds each question to central while a citizen waits.
	timeout time.Duration
	// poll bounds the waits between the polls of a payment.
	poll central.PollOptions

	mu      sync.Mutex
	forward context.CancelFunc // the forwarder of the current connection
}

// newCitizenServices opens the ratings queue in the state folder.
func newCitizenServices(ctx context.Context, stateDir string, store *outbox.Store, p *receiptPrinter, k KioskInfo) (*citizenServices, error) {
	r, err := outbox.OpenServicesQueue(ctx, stateDir)
	if err != nil {
		return nil, err
	}
	return &citizenServices{store: store, ratings: r, printer: p, kiosk: k, wake: make(chan struct{}, 1),
		timeout: 15 * time.Second, poll: central.PollOptions{Min: time.Second, Max: 15 * time.Second}}, nil
}

// close stops the forwarder and closes the ratings queue.
func (c *citizenServices) close() {
	if c == nil {
		return
	}
	c.disconnected()
	c.ratings.Close()
}

// connected hands the services the central client the uploader connected, and starts forwarding
// the ratings through it until ctx ends or disconnected is called.
func (c *citizenServices) connected(ctx context.Context, cl *central.Client) {
	if c == nil {
		return
	}
	c.client.Store(cl)
	fctx, cancel := context.WithCancel(ctx)
	c.mu.Lock()
	if c.forward != nil {
		c.forward()
	}
	c.forward = cancel
	c.mu.Unlock()
	go c.forwardRatings(fctx, cl)
}

// disconnected drops the central client: the services answer offline.
func (c *citizenServices) disconnected() {
	if c == nil {
		return
	}
	c.client.Store(nil)
	c.mu.Lock()
	if c.forward != nil {
		c.forward()
		c.forward = nil
	}
	c.mu.Unlock()
}

// forwardRatings sends the stored ratings and notification opt-ins when one is added and every
// 30 s; every 5 s after a failure or while an opt-in waits for central to hold its dossier.
func (c *citizenServices) forwardRatings(ctx context.Context, cl *central.Client) {
	wait := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-time.After(wait):
		}
		_, err := c.ratings.ForwardRatings(ctx, cl)
		_, nerr := c.ratings.ForwardNotify(ctx, cl)
		held, _ := c.ratings.PendingNotify(ctx)
		wait = 30 * time.Second
		if err != nil || nerr != nil || held > 0 {
			wait = 5 * time.Second
		}
	}
}

// Notify stores the citizen's opt-in with the idempotency key of the dossier just committed; it is
// handed to central once central holds the dossier, and the kiosk then forgets the contact.
func (c *citizenServices) Notify(ctx context.Context, s *session.Submitted, n session.NotifyChoice) error {
	id, err := strconv.ParseInt(s.ID, 10, 64)
	if err != nil {
		return fmt.Errorf("outbox id %q: %w", s.ID, err)
	}
	e, err := c.store.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := c.ratings.AddNotify(ctx, e.IdempotencyKey, central.NotifyOptIn{Channels: n.Channels, Phone: n.Phone, Email: n.Email,
		ConsentAt: n.ConsentAt.UTC()}); err != nil {
		return err
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return nil
}

// central returns the connected client or ErrOffline.
func (c *citizenServices) central() (*central.Client, error) {
	cl := c.client.Load()
	if cl == nil {
		return nil, session.ErrOffline
	}
	return cl, nil
}

// classify turns a central error into the session's: no answer, a 5xx or a 429 is offline; a 404
// is not found.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var e *central.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%w: %w", session.ErrOffline, err)
	}
	switch {
	case e.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: %w", session.ErrNotFound, err)
	case e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%w: %w", session.ErrOffline, err)
	}
	return err
}

func (c *citizenServices) Track(ctx context.Context, code string) (*session.Tracked, error) {
	cl, err := c.central()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	t, err := cl.Track(ctx, code)
	if err != nil {
		return nil, classify(err)
	}
	out := tracked(*t)
	return &out, nil
}

func (c *citizenServices) TrackHolder(ctx context.Context, card *identity.Result) ([]session.Tracked, error) {
	cl, err := c.central()
	if err != nil {
		return nil, err
	}
	proof := central.HolderProof{IDHash: central.HolderIDHash(card.Citizen.IDNumber), PassiveAuth: string(card.PassiveAuth), ReadAt: time.Now().UTC()}
	if err := proof.Sign(c.store.DeviceKey()); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	h, err := cl.TrackHolder(ctx, proof)
	if err != nil {
		return nil, classify(err)
	}
	var out []session.Tracked
	for _, t := range h.Dossiers {
		out = append(out, tracked(t))
	}
	return out, nil
}

// tracked converts central's answer for the session.
func tracked(t central.TrackedDossier) session.Tracked {
	out := session.Tracked{DossierCode: t.DossierCode, ProcedureName: t.ProcedureName, StatusCode: int(t.StatusCode),
		ReceivedAt: t.ReceivedAt, UpdatedAt: t.UpdatedAt, Appointment: t.Appointment}
	if o := t.Owed; o != nil {
		ov := &wire.OwedView{FeeVND: o.FeeVND, FeePaid: o.FeePaid, Where: o.Where}
		if o.FeeVND > 0 {
			ov.Fee = receipt.Dong(o.FeeVND)
		}
		for _, d := range o.Documents {
			ov.Documents = append(ov.Documents, wire.OwedDocumentView{Name: d.Name, Note: d.Note})
		}
		out.Owed = ov
	}
	if h := t.Holder; h != nil {
		out.Holder = &wire.HolderView{FullName: h.FullName, Documents: h.Documents}
	}
	return out
}

// Known is what the kiosk's own outbox knows of a code: the dossier's delivery state and when it
// was captured, never a status of its handling.
func (c *citizenServices) Known(ctx context.Context, code string) (*session.Tracked, error) {
	entries, err := c.store.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.DossierCode == code || e.ReceiptNo == code {
			return &session.Tracked{DossierCode: code, ReceivedAt: e.CapturedAt, Local: e.State}, nil
		}
	}
	return nil, nil
}

func (c *citizenServices) Counters(ctx context.Context, procedure string) ([]wire.CounterView, error) {
	cl, err := c.central()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cs, err := cl.QueueCounters(ctx)
	if err != nil {
		return nil, classify(err)
	}
	var out []wire.CounterView
	for _, k := range cs.Counters {
		serves := procedure != "" && slices.Contains(k.Procedures, procedure)
		out = append(out, wire.CounterView{ID: k.ID, Name: k.Name, Field: k.Field, Waiting: k.Waiting, Paused: k.Paused,
			PauseReason: k.PauseReason, Serves: serves})
	}
	// The counters serving the procedure first.
	slices.SortStableFunc(out, func(a, b wire.CounterView) int {
		switch {
		case a.Serves == b.Serves:
			return 0
		case a.Serves:
			return -1
		}
		return 1
	})
	return out, nil
}

func (c *citizenServices) TakeTicket(ctx context.Context, key string, req session.TicketRequest) (*wire.TicketView, error) {
	cl, err := c.central()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	r := central.TicketRequest{CounterID: req.CounterID, Source: central.SourceWalkIn, DossierCode: req.DossierCode}
	if req.CounterID == "" {
		r.ProcedureCode = req.ProcedureCode
	}
	t, err := cl.TakeTicket(ctx, key, r)
	if err != nil {
		return nil, classify(err)
	}
	return &wire.TicketView{Number: t.Number, CounterName: t.CounterName, Field: t.Field, Ahead: t.Ahead,
		WaitMinutes: (t.EstimatedWait + 59) / 60, IssuedAt: t.IssuedAt, FollowURL: t.FollowURL}, nil
}

func (c *citizenServices) Rate(ctx context.Context, r session.Rating) error {
	err := c.ratings.AddRating(ctx, central.Rating{ID: r.ID, Subject: r.Subject, DossierCode: r.DossierCode, Level: r.Level,
		Reasons: r.Reasons, Comment: r.Comment, RatedAt: r.RatedAt.UTC()})
	if err != nil {
		return err
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return nil
}

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
