package session

import (
	"context"
	"errors"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// The citizen services besides submission (issue 16): the dossier tracker, the queue number and
// the satisfaction rating. Their work with central and the printer runs in goroutines, like the
// device work, and comes back as a serviceEvent that the loop applies only while the same citizen
// is still at the same wait.

// Services are the citizen services' collaborators; nil in Devices: only submission is offered.
type Services interface {
	// Track looks a dossier up by its code alone: status and dates, no names. It fails with
	// ErrOffline when central cannot be reached and ErrNotFound when central knows no such code.
	Track(ctx context.Context, code string) (*Tracked, error)
	// TrackHolder returns the dossiers of the holder of the card just read (verified), newest
	// first, with names and documents; ErrOffline when central cannot be reached.
	TrackHolder(ctx context.Context, card *identity.Result) ([]Tracked, error)
	// Known returns what the kiosk's own outbox knows of a dossier code (Tracked.Local set), or
	// nil when it knows nothing.
	Known(ctx context.Context, code string) (*Tracked, error)
	// Counters lists the centre's counters, those serving procedure first (procedure may be
	// empty: any counter); ErrOffline when the queue service cannot be reached.
	Counters(ctx context.Context, procedure string) ([]wire.CounterView, error)
	// TakeTicket takes a number; key is made when the citizen tapped, so a retry is the same
	// number.
	TakeTicket(ctx context.Context, key string, req TicketRequest) (*wire.TicketView, error)
	// Rate stores a rating durably (it is forwarded to central from there).
	Rate(ctx context.Context, r Rating) error
	// PrintSlip prints a slip (status slip, queue ticket).
	PrintSlip(ctx context.Context, s Slip) error
}

// Errors of Services.
var (
	// ErrOffline: central (or the queue service) cannot be reached now.
	ErrOffline = errors.New("không kết nối được hệ thống trung tâm (central system unreachable)")
	// ErrNotFound: central knows no such dossier.
	ErrNotFound = errors.New("không tìm thấy hồ sơ (no such dossier)")
)

// Tracked is a dossier as a Services implementation reports it; the session words it.
type Tracked struct {
	DossierCode   string
	ProcedureName string
	StatusCode    int // national 1–10; 0 unknown
	ReceivedAt    time.Time
	UpdatedAt     time.Time
	Appointment   string // YYYY-MM-DD
	Owed          *wire.OwedView
	Holder        *wire.HolderView
	// Local is the outbox state of a dossier only the kiosk knows of (central offline): captured,
	// queued, uploading, accepted, rejected or needs-staff; "" for central's answer.
	Local string
}

// TicketRequest asks for a queue number.
type TicketRequest struct {
	CounterID     string
	ProcedureCode string
	DossierCode   string
}

// Rating is a satisfaction rating as the citizen gave it: no personal data beyond the dossier code.
type Rating struct {
	ID          string // made when the citizen chose; the idempotency key
	Subject     string // "kiosk" or "dossier"
	DossierCode string
	Level       string
	Reasons     []string
	Comment     string
	RatedAt     time.Time
}

// Slip is a slip to print: Kind says which, and the matching field is set.
type Slip struct {
	Kind    string // wire.SlipStatus, wire.SlipQueue
	Tracked *Tracked
	Ticket  *wire.TicketView
	Payment *wire.PaymentView // wire.SlipFee: the fee paid
	// Procedure and Missing: wire.SlipChecklist, the procedure and the types of the required
	// papers the citizen lacks.
	Procedure     *catalog.Procedure
	Missing       []string
	ProcedureName string
	At            time.Time
}

// serviceEvent is the answer of a service call: apply runs in the loop while the citizen and the
// wait it was made for are current.
type serviceEvent struct {
	citizen, wait int64
	apply         func(s *session)
}

// svc is the session's part of the citizen services.
type svc struct {
	tracker *wire.TrackerView
	tracked []Tracked
	queue   *wire.QueueView
	rating  *wire.RatingView
	slip    *wire.SlipView
	// slipOn is the screen the slip was printed from: the view shows it there only.
	slipOn   [2]string
	queueFor string // procedure name of the queue number
	// queueDossier is the dossier the number is for (offered at the end of a session).
	queueDossier string
	// paid: the fee of the dossier just submitted was paid here; owed: the citizen left it unpaid.
	paid, owed bool
	// queueOffered and queueReason: the dossier just submitted needs a counter.
	queueOffered bool
	queueReason  *Message
	// back is where the rating returns to (the tracker result).
	backTo wire.State
	// payment is the fee being paid (services_payment.go); payFrom where the citizen came from
	// (wire.Tracker, or wire.Receipt at the end of a session); payStop ends the wait for the
	// bank's notice.
	payment *wire.PaymentView
	payFrom wire.State
	payStop context.CancelFunc
	// notify is the opt-in being filled in at consent; notifyChoice the one submitted.
	notify       notifyState
	notifyChoice *NotifyChoice
}

// Rating subjects of the view.
const (
	rateKiosk   = "kiosk"
	rateDossier = "dossier"
)

// call runs fn in a goroutine with the session's context and posts its apply to the loop; the
// answer is dropped when the citizen or the wait has changed since.
func (s *session) call(fn func(ctx context.Context) func(*session)) {
	citizen, wait, ctx, m := s.citizenSeq, s.waitSeq, s.ctx, s.m
	go func() {
		apply := fn(ctx)
		m.post(serviceEvent{citizen, wait, apply})
	}()
}

// beginService starts a session for a citizen service from the attract screen.
func (s *session) beginService(st wire.State, step wire.Step) {
	s.wipe()
	s.id = newSessionID()
	s.state, s.step = st, step
	s.lastAct = s.m.now()
}

// levels are the three rating levels, for the screens.
func levels() []Message {
	return []Message{
		{Code: wire.RateVerySatisfied, Vi: "Rất hài lòng", En: "Very satisfied"},
		{Code: wire.RateSatisfied, Vi: "Hài lòng", En: "Satisfied"},
		{Code: wire.RateDissatisfied, Vi: "Không hài lòng", En: "Dissatisfied"},
	}
}

// reasons are the reasons offered with Không hài lòng (the central rating's reason codes).
func reasons() []Message {
	return []Message{
		{Code: "cho-lau", Vi: "Phải chờ lâu", En: "Waited too long"},
		{Code: "qua-han", Vi: "Trả kết quả trễ hẹn", En: "Result later than promised"},
		{Code: "di-lai-nhieu-lan", Vi: "Phải đi lại nhiều lần", En: "Had to come back several times"},
		{Code: "huong-dan-kho-hieu", Vi: "Hướng dẫn khó hiểu", En: "Guidance hard to understand"},
		{Code: "thai-do", Vi: "Thái độ phục vụ chưa tốt", En: "Staff attitude"},
		{Code: "may-kho-dung", Vi: "Máy khó sử dụng", En: "The kiosk was hard to use"},
		{Code: "khac", Vi: "Lý do khác", En: "Another reason"},
	}
}

// servicesView is the services' part of the view.
func (s *session) servicesView() *wire.ServicesView {
	has := s.m.dev.Services != nil
	v := &wire.ServicesView{}
	switch s.state {
	case wire.Attract:
		v.Tiles = []wire.ServiceTile{
			{Action: wire.ActStart, Label: Message{Code: "submit", Vi: "Nộp hồ sơ", En: "Submit a dossier"}, Available: true},
			{Action: wire.ActTrack, Label: Message{Code: "track", Vi: "Tra cứu hồ sơ", En: "Track a dossier"}, Available: has},
			{Action: wire.ActQueue, Label: Message{Code: "queue", Vi: "Lấy số thứ tự", En: "Take a queue number"}, Available: has},
		}
	case wire.Done:
		if has {
			v.RatingOffered = true
			v.Levels = levels()
			v.QueueOffered, v.QueueReason = s.svc.queueOffered, s.svc.queueReason
		}
	case wire.Tracker:
		v.Tracker = s.svc.tracker
	case wire.Queue:
		v.Queue = s.svc.queue
	case wire.Rating:
		v.Rating = s.svc.rating
	case wire.Payment:
		v.Payment = s.svc.payment
	case wire.Consent:
		v.Notify = s.notifyView()
	}
	if s.svc.slipOn == [2]string{string(s.state), string(s.step)} {
		v.Slip = s.svc.slip
	}
	if v.Tiles == nil && !v.RatingOffered && v.Tracker == nil && v.Queue == nil && v.Rating == nil && v.Payment == nil && v.Notify == nil && v.Slip == nil {
		return nil
	}
	return v
}

// ---- Slips ----

// printSlip prints a slip in the background; the view says how it went.
func (s *session) printSlip(sl Slip) {
	s.svc.slip = &wire.SlipView{Kind: sl.Kind, State: wire.SlipPrinting}
	s.svc.slipOn = [2]string{string(s.state), string(s.step)}
	sv := s.m.dev.Services
	citizen, m := s.citizenSeq, s.m
	// The slip is printed whatever the citizen does meanwhile; its answer only lands on the
	// screen it was asked from.
	go func() {
		err := sv.PrintSlip(context.Background(), sl)
		m.post(serviceEvent{citizen, -1, func(s *session) { s.onSlip(sl.Kind, err) }})
	}()
}

// onSlip takes the printer's answer for a slip.
func (s *session) onSlip(kind string, err error) {
	if s.svc.slip == nil || s.svc.slip.Kind != kind {
		return
	}
	switch {
	case err == nil:
		s.svc.slip = &wire.SlipView{Kind: kind, State: wire.SlipPrinted}
	case errors.Is(err, ErrPrintUnconfirmed):
		s.svc.slip = &wire.SlipView{Kind: kind, State: wire.SlipPrinted, Message: msg("slip_unconfirmed",
			"Đã gửi tới máy in. Xin lấy phiếu ở khe máy in; nếu không thấy, hãy ghi lại thông tin trên màn hình.",
			"Sent to the printer. Take the slip from the printer slot; if there is none, note what the screen shows.")}
	default:
		s.svc.slip = &wire.SlipView{Kind: kind, State: wire.SlipFailed, Message: msg("slip_failed",
			"Máy in gặp sự cố, chưa in được phiếu. Hãy ghi lại thông tin trên màn hình hoặc hỏi cán bộ tại quầy.",
			"The printer failed; the slip was not printed. Note what the screen shows or ask the staff.")}
	}
}

// ---- What to bring ----

// actPrintChecklist prints "Cần mang theo": from the catalogue, of the procedure named by the
// value; in the documents state, of the chosen procedure with the required papers not scanned yet
// marked as missing (the citizen does not have them with them).
func (s *session) actPrintChecklist(a Action) error {
	if s.m.dev.Services == nil || (s.svc.slip != nil && s.svc.slip.State == wire.SlipPrinting && s.svc.slip.Kind == wire.SlipChecklist) {
		return ErrNotNow
	}
	var sl Slip
	switch s.state {
	case wire.ChooseProcedure:
		p, err := s.m.catalog().Get(a.Value)
		if err != nil {
			return invalid("không có thủ tục này", "no such procedure")
		}
		sl = Slip{Kind: wire.SlipChecklist, Procedure: p, ProcedureName: p.Name}
	case wire.Documents:
		if s.step == wire.StepScanning {
			return ErrNotNow
		}
		sl = Slip{Kind: wire.SlipChecklist, Procedure: s.proc, ProcedureName: s.proc.Name}
		for _, d := range s.docs {
			if d.def.Required && d.status == wire.DocMissing {
				sl.Missing = append(sl.Missing, d.def.Type)
			}
		}
	default:
		return ErrNotNow
	}
	sl.At = s.m.now()
	s.printSlip(sl)
	return nil
}
