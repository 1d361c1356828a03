package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"image"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// Config sets the session's timing and policy.
type Config struct {
	IdleWarn    time.Duration // no citizen action for this long: warn (default 60 s)
	IdleTimeout time.Duration // no action for this long: wipe (default 90 s)
	DoneAfter   time.Duration // the done screen returns to attract after this (default 20 s)
	// SubmitWait is how long submit waits for the official dossier code before printing a
	// provisional one (default 5 s).
	SubmitWait time.Duration
	// AllowUnverified accepts cards whose passive authentication is "unverified" (no CSCA trust
	// store configured). Never for production.
	AllowUnverified bool
	// ProcedurePage is the address of a procedure's page, with {code} where its code goes: the
	// QR code of its detail and of "Cần mang theo" on the screen (the printed list's too). Empty:
	// no QR code is shown.
	ProcedurePage string
	// Where is where the citizen goes with a procedure's papers, e.g. "Bộ phận Một cửa, …", when
	// the queue service names no counter serving it.
	Where string
	// Now is the clock the session reads: when the citizen last acted, when the done screen
	// appeared, when the dossier was captured (default time.Now). Waits (the pause before the card
	// is read again, the loop's tick) run on real time.
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.IdleWarn <= 0 {
		c.IdleWarn = 60 * time.Second
	}
	if c.IdleTimeout <= c.IdleWarn {
		c.IdleTimeout = c.IdleWarn + 30*time.Second
	}
	if c.DoneAfter <= 0 {
		c.DoneAfter = 20 * time.Second
	}
	if c.SubmitWait <= 0 {
		c.SubmitWait = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Devices are the session's collaborators. QR may be nil (no scanner: the citizen types the ID).
type Devices struct {
	QR        CodeReader
	Card      CardReader
	Scanner   Scanner
	Digitizer Digitizer
	Outbox    Outbox
	Receipts  Receipts
	// Services are the citizen services (tracker, queue, rating); nil: submission only.
	Services Services
}

// Errors of Do.
var (
	// ErrPrintUnconfirmed: Receipts sent the receipt whole to a printer that cannot say whether it
	// printed (no status back channel). The session then tells the citizen where to look and what
	// to do if nothing came out, never that it printed.
	ErrPrintUnconfirmed = errors.New("đã gửi biên nhận tới máy in nhưng máy in không xác nhận được (receipt sent; the printer cannot confirm it)")
	// ErrNotNow: the action does not apply in the current state (a stale tap).
	ErrNotNow = errors.New("thao tác không áp dụng ở bước này (action not valid in this state)")
	// ErrStale: the action names a view (session, state, step, document) that is no longer the
	// current one; it was not applied anywhere.
	ErrStale = errors.New("màn hình đã chuyển sang bước khác trước khi thao tác tới nơi, thao tác không được thực hiện (the screen had already changed; the action was not applied)")
	// ErrInvalid: the action's value is wrong. Matched with errors.Is: the error's text is the
	// reason alone ("ngày dạng dd/mm/yyyy (date as dd/mm/yyyy)"), never this sentence.
	ErrInvalid = errors.New("giá trị không hợp lệ (invalid value)")
	// ErrStopped: the machine is not running.
	ErrStopped = errors.New("phiên đã dừng (session machine stopped)")
)

// Machine runs the sessions of one kiosk, one citizen at a time.
type Machine struct {
	cfg     Config
	dev     Devices
	catalog func() *catalog.Catalogue
	events  chan any
	done    chan struct{}

	mu   sync.Mutex
	view View
	subs map[chan View]struct{}

	lastLoop atomic.Int64 // unix nanoseconds of the loop's last iteration, for the watchdog
}

// LastLoop returns when the session loop last ran; a loop stuck for seconds is a hung kioskd.
func (m *Machine) LastLoop() time.Time { return time.Unix(0, m.lastLoop.Load()) }

// New returns a machine; catalogue returns the current procedure catalogue (it may change when the
// kiosk syncs).
func New(cfg Config, dev Devices, catalogue func() *catalog.Catalogue) *Machine {
	cfg.defaults()
	m := &Machine{cfg: cfg, dev: dev, catalog: catalogue, events: make(chan any, 16),
		done: make(chan struct{}), subs: map[chan View]struct{}{}}
	m.view = View{State: wire.Attract}
	return m
}

// Events posted to the loop. A device result carries the number of what it answers: wait is the
// session's waitSeq when the card or scan wait began, citizen its citizenSeq when the background
// job began, job the document's job number (see session).
type (
	actionEvent struct {
		a     Action
		reply chan error
	}
	qrEvent           struct{ payload string }
	cardPresentEvent  struct{ wait int64 }
	cardIdentityEvent struct {
		wait int64
		p    identity.Preview
	}
	cardEvent struct {
		wait int64
		res  *identity.Result
		err  error
	}
	scanEvent struct {
		wait       int64
		pages      []*Prepared
		unreadable []string // why pages could not be read, each naming its page
		err        error
	}
	progressEvent struct {
		citizen   int64
		doc, job  int
		pagesDone int
	}
	digitizedEvent struct {
		citizen  int64
		doc, job int
		res      *Digitized
		err      error
	}
	submittedEvent struct {
		citizen int64
		s       *Submitted
		err     error
	}
	printedEvent struct {
		citizen int64
		err     error
	}
	previewEvent struct {
		doc, page int
		reply     chan image.Image
	}
)

// Do posts a citizen action and returns once the machine has handled it and published the view
// after it (View then shows its effect). An action naming a view that is no longer current is
// refused with ErrStale and changes nothing.
func (m *Machine) Do(ctx context.Context, a Action) error {
	reply := make(chan error, 1)
	select {
	case m.events <- actionEvent{a, reply}:
	case <-m.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-m.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// View returns the current view.
func (m *Machine) View() View {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.view
}

// Watch returns a channel that receives the current view and then every new one until ctx ends.
// A slow reader only misses intermediate views: it always gets the latest.
func (m *Machine) Watch(ctx context.Context) <-chan View {
	ch := make(chan View, 1)
	m.mu.Lock()
	m.subs[ch] = struct{}{}
	ch <- m.view
	m.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-m.done:
		}
		m.mu.Lock()
		delete(m.subs, ch)
		close(ch)
		m.mu.Unlock()
	}()
	return ch
}

// Preview returns page p of document d of the current session, for the preview screen.
func (m *Machine) Preview(ctx context.Context, d, p int) (image.Image, bool) {
	reply := make(chan image.Image, 1)
	select {
	case m.events <- previewEvent{d, p, reply}:
	case <-ctx.Done():
		return nil, false
	case <-m.done:
		return nil, false
	}
	select {
	case img := <-reply:
		return img, img != nil
	case <-ctx.Done():
		return nil, false
	case <-m.done:
		return nil, false
	}
}

// publish hands a changed view to the subscribers; an unchanged one is not sent again, so an idle
// kiosk's screen is not redrawn four times a second.
func (m *Machine) publish(v View) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v.Seq = m.view.Seq
	if v.Seq > 0 && reflect.DeepEqual(v, m.view) {
		return
	}
	v.Seq++
	m.view = v
	for ch := range m.subs {
		select {
		case <-ch: // drop the stale view
		default:
		}
		ch <- v
	}
}

// post delivers a device result to the loop unless the machine stopped.
func (m *Machine) post(ev any) {
	select {
	case m.events <- ev:
	case <-m.done:
	}
}

// Run handles events until ctx ends. The QR scanner is read throughout: a QR code shown on the
// attract screen starts a session.
func (m *Machine) Run(ctx context.Context) error {
	defer close(m.done)
	s := &session{m: m}
	s.wipe()
	if m.dev.QR != nil {
		go m.readQR(ctx)
	}
	tick := time.NewTicker(time.Second / 4)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			s.wipe()
			return ctx.Err()
		case ev := <-m.events:
			s.handle(ev)
		case <-tick.C:
			s.tick()
		}
		m.lastLoop.Store(time.Now().UnixNano()) // real time: the watchdog compares it with its own clock
		m.publish(s.view())
	}
}

func (m *Machine) readQR(ctx context.Context) {
	for {
		p, err := m.dev.QR.Next(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// A scanner error (unplugged, wrong code page) must not spin: wait and retry.
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
				return
			}
			continue
		}
		m.post(qrEvent{p})
	}
}

func newSessionID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// now reads the session's clock.
func (m *Machine) now() time.Time { return m.cfg.Now() }

func msg(code, vi, en string) *Message { return &Message{Code: code, Vi: vi, En: en} }

// invalid returns an ErrInvalid whose text is the reason, "vi (en)": the chain's one sentence.
func invalid(vi, en string) error { return invalidValue{errors.New(vi + " (" + en + ")")} }

// refused returns an ErrInvalid whose text is reason's: the layer that refused the value (the
// catalogue, the card key parser) wrote the chain's sentence.
func refused(reason error) error { return invalidValue{reason} }

// invalidValue is an ErrInvalid that reads as its reason alone, the sentence shown at the field or
// in the answer to the action: errors.Is matches ErrInvalid and, through Unwrap, the reason.
type invalidValue struct{ reason error }

func (e invalidValue) Error() string        { return e.reason.Error() }
func (e invalidValue) Unwrap() error        { return e.reason }
func (e invalidValue) Is(target error) bool { return target == ErrInvalid }
