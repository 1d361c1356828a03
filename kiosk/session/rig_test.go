package session

import (
	"context"
	"errors"
	"image"
	"image/color"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// The rig of the transition table (transition_test.go): the session driven by hand, its clock, and
// fakes of its devices that hand every call to the test.

// transitionQR is the QR code on the front of a CCCD (ID number, old ID, name, date of birth, sex,
// address, date of issue).
const transitionQR = "079092001234|012345678|Trần Văn Ẩn|03021992|Nam|Phường Ô Chợ Dừa, Hà Nội|15082021"

const transitionCatalogue = `{"version": "t", "procedures": [{"code": "T1", "name": "Thủ tục thử",
	"documents": [{"type": "giay-a", "name": "Giấy A", "required": true}, {"type": "giay-b", "name": "Giấy B"}],
	"fields": [
		{"key": "name", "label": "Họ tên", "kind": "text", "required": true, "from": "citizen.fullName"},
		{"key": "dob", "label": "Ngày sinh", "kind": "date", "required": true, "from": "citizen.dateOfBirth"},
		{"key": "sex", "label": "Giới tính", "kind": "sex", "required": true},
		{"key": "note", "label": "Ghi chú", "kind": "text"}]},
	{"code": "T2", "name": "Thủ tục có lệ phí", "fee": "50.000 đồng",
	"documents": [{"type": "giay-a", "name": "Giấy A", "required": true}],
	"fields": [{"key": "name", "label": "Họ tên", "kind": "text", "required": true, "from": "citizen.fullName"}]}]}`

type rig struct {
	t   *testing.T
	m   *Machine
	s   *session
	now time.Time
	// before is the citizen number of the attract screen the rig starts on.
	before int64
	// beforeWait is the number of the device wait of that attract screen.
	beforeWait int64
	// quit ends the fakes' waits for the test (the outbox and printer run on their own context).
	quit chan struct{}

	cards    chan *cardCall
	scans    chan *scanCall
	ocrs     chan *ocrCall
	submits  chan chan error
	prints   chan chan error
	svcs     chan chan error // central (services_rig_test.go)
	slips    chan chan error
	rates    chan chan error
	inflight map[string]*atomic.Int32

	// The calls outstanding, held by the test until it answers them.
	card   *cardCall
	scan   *scanCall
	ocr    *ocrCall
	submit chan error
	print  chan error
	svc    chan error
	slip   chan error
	rate   chan error
}

func newRig(t *testing.T, cat *catalog.Catalogue) *rig {
	r := &rig{t: t, now: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), quit: make(chan struct{}),
		cards: make(chan *cardCall), scans: make(chan *scanCall), ocrs: make(chan *ocrCall),
		submits: make(chan chan error), prints: make(chan chan error), inflight: map[string]*atomic.Int32{},
		svcs: make(chan chan error), slips: make(chan chan error), rates: make(chan chan error)}
	for _, d := range []string{"card", "scanner", "digitizer", "outbox", "printer", "central", "slip printer", "ratings"} {
		r.inflight[d] = new(atomic.Int32)
	}
	r.m = New(Config{Now: func() time.Time { return r.now }},
		Devices{QR: rigQR{}, Card: rigCard{r}, Scanner: rigScanner{r}, Digitizer: rigDigitizer{r}, Outbox: rigOutbox{r}, Receipts: rigPrinter{r},
			Services: rigServices{r}},
		func() *catalog.Catalogue { return cat })
	r.s = &session{m: r.m}
	r.s.wipe()
	r.before, r.beforeWait = r.s.citizenSeq, r.s.waitSeq
	return r
}

// previousCitizen is the number the results of the citizen before the current one carry: the
// attract screen's the rig started on, once the walk started a session.
func (r *rig) previousCitizen() int64 {
	if r.s.id == "" {
		return r.s.citizenSeq - 1 // still on that attract screen
	}
	return r.before
}

// supersededWait is the number a result of a wait the session no longer waits in carries: the
// attract screen's the rig started on, once the walk started a session.
func (r *rig) supersededWait() int64 {
	if r.s.id == "" {
		return r.s.waitSeq - 1
	}
	return r.beforeWait
}

// stop wipes the session (its device work ends) and releases every fake still waiting.
func (r *rig) stop() {
	r.s.wipe()
	close(r.quit)
	close(r.m.done) // posts of the goroutines still running return
}

// do hands an action to the session as Run does and returns its answer.
func (r *rig) do(a Action) error {
	reply := make(chan error, 1)
	r.s.handle(actionEvent{a, reply})
	return <-reply
}

// pump handles the events the device goroutines post, as Run does, until one satisfies until.
func (r *rig) pump(until func(any) bool) {
	r.t.Helper()
	for {
		select {
		case ev := <-r.m.events:
			r.s.handle(ev)
			if until(ev) {
				return
			}
		case <-time.After(5 * time.Second):
			r.t.Fatalf("the device result never came; at %s", viewLabel(r.s.view()))
		}
	}
}

// collect takes hold of the device calls the session's state waits for.
func (r *rig) collect() {
	r.t.Helper()
	s := r.s
	if s.state == wire.Identify && s.step == wire.StepCard && r.card == nil {
		r.card = await(r, r.cards, "card read")
	}
	if s.step == wire.StepScanning && r.scan == nil {
		r.scan = await(r, r.scans, "scan")
	}
	if s.jobsLeft > 0 && r.ocr == nil {
		r.ocr = await(r, r.ocrs, "digitizing")
	}
	if s.state == wire.Submitting && r.submit == nil && s.receipt == nil {
		r.submit = await(r, r.submits, "commit")
	}
	if s.state == wire.Receipt && s.step == wire.StepPrinting && r.print == nil {
		r.print = await(r, r.prints, "receipt print")
	}
	r.collectServices()
}

func await[T any](r *rig, ch chan T, what string) T {
	r.t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(5 * time.Second):
		r.t.Fatalf("at %s the session started no %s", viewLabel(r.s.view()), what)
	}
	var zero T
	return zero
}

// outstanding counts the calls of device d not answered yet.
func (r *rig) outstanding(d string) int32 { return r.inflight[d].Load() }

// enter counts a call of device d in, and returns the function that counts it out.
func (r *rig) enter(d string) func() {
	r.inflight[d].Add(1)
	return func() { r.inflight[d].Add(-1) }
}

func genuineRead() *identity.Result {
	return &identity.Result{PassiveAuth: "valid", ChipAuth: "AA-valid", Citizen: identity.Citizen{FullName: "Trần Văn Ẩn",
		IDNumber: "079092001234", DateOfBirth: identity.Date{Year: 1992, Month: 2, Day: 3}, Sex: "Nam", PlaceOfResidence: "Phường Ô Chợ Dừa, Hà Nội"}}
}

// forged is a read whose signature did not verify.
func forged() *identity.Result {
	r := genuineRead()
	r.PassiveAuth = "invalid"
	return r
}

func ocrResult() *Digitized {
	return &Digitized{PDF: []byte("%PDF-1.7"), Pages: 1, Fields: map[string]Field{"sex": {Value: "Nữ", Confidence: 0.95}}}
}

func printedPage() Page {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	img.SetGray(2, 2, color.Gray{})
	return Page{Image: img, DPI: 300}
}

func blankPage() Page {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	return Page{Image: img, DPI: 300}
}

// The fakes, at the session's device interfaces: each call is handed to the test, which answers it.

type rigQR struct{}

func (rigQR) Next(ctx context.Context) (string, error) { <-ctx.Done(); return "", ctx.Err() }
func (rigQR) Forget()                                  {}

type cardStep struct {
	present, identified bool
	res                 *identity.Result
	err                 error
}

type cardCall struct{ steps chan cardStep }

type rigCard struct{ r *rig }

func (f rigCard) ReadCard(ctx context.Context, _ identity.Key, p identity.Progress) (*identity.Result, error) {
	defer f.r.enter("card")()
	c := &cardCall{steps: make(chan cardStep)}
	select {
	case f.r.cards <- c:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		select {
		case st := <-c.steps:
			switch {
			case st.present:
				p.Present()
			case st.identified:
				p.Identified(identity.Preview{Citizen: genuineRead().Citizen, PassiveAuth: "valid"})
			default:
				return st.res, st.err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

type scanned struct {
	pages []Page
	err   error
}

type scanCall struct{ answer chan scanned }

type rigScanner struct{ r *rig }

func (f rigScanner) Scan(ctx context.Context, page func(Page) error) error {
	defer f.r.enter("scanner")()
	c := &scanCall{answer: make(chan scanned)}
	select {
	case f.r.scans <- c:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case a := <-c.answer:
		for _, p := range a.pages {
			if err := page(p); err != nil {
				return err
			}
		}
		return a.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

type ocrCall struct{ answer chan error }

type rigDigitizer struct{ r *rig }

// Prepare works a page at once: a page with nothing printed on it is blank.
func (rigDigitizer) Prepare(_ context.Context, p Page, _ bool) (*Prepared, error) {
	g := p.Image.(*image.Gray)
	blank := true
	for _, v := range g.Pix {
		blank = blank && v == 0xff
	}
	return &Prepared{Preview: image.NewGray(image.Rect(0, 0, 4, 4)), Blank: blank}, nil
}

func (f rigDigitizer) Digitize(ctx context.Context, _ string, pages []*Prepared, _ []catalog.Field, done func(int)) (*Digitized, error) {
	defer f.r.enter("digitizer")()
	c := &ocrCall{answer: make(chan error)}
	select {
	case f.r.ocrs <- c:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case err := <-c.answer:
		if err != nil {
			return nil, err
		}
		for i := range pages {
			done(i + 1)
		}
		return ocrResult(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type rigOutbox struct{ r *rig }

func (f rigOutbox) Submit(_ context.Context, _ *Dossier, _ time.Duration) (*Submitted, error) {
	defer f.r.enter("outbox")()
	answer := make(chan error)
	select {
	case f.r.submits <- answer:
	case <-f.r.quit:
		return nil, errors.New("test over")
	}
	select {
	case err := <-answer:
		if err != nil {
			return nil, err
		}
		return &Submitted{ID: "1", DossierCode: "K01-20261207-0001", ReceivedAt: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)}, nil
	case <-f.r.quit:
		return nil, errors.New("test over")
	}
}

type rigPrinter struct{ r *rig }

func (f rigPrinter) PrintReceipt(context.Context, *Dossier, *Submitted) error {
	defer f.r.enter("printer")()
	answer := make(chan error)
	select {
	case f.r.prints <- answer:
	case <-f.r.quit:
		return errors.New("test over")
	}
	select {
	case err := <-answer:
		return err
	case <-f.r.quit:
		return errors.New("test over")
	}
}
