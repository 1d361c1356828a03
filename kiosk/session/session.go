package session

import (
	"context"
	"image"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// session is one citizen's data. Only the Run goroutine touches it.
type session struct {
	m  *Machine
	id string
	// waitSeq numbers the device wait the session is in. It moves on to a new number when a card
	// or scan wait begins, when the citizen leaves a card wait (type_key, a card that is not
	// genuine) and on every wipe. A card or scan result carries the number of the wait it
	// answers and is dropped unless that wait is still the current one.
	waitSeq int64
	// citizenSeq numbers the citizens: it moves on on every wipe only. The results of a
	// citizen's background jobs (digitising, the commit, the receipt), which outlive any one wait,
	// carry it and are dropped once that citizen is gone.
	citizenSeq int64
	ctx        context.Context
	cancel     context.CancelFunc

	state    wire.State
	step     wire.Step
	message  *Message
	lastAct  time.Time // when the citizen last acted (or the kiosk last kept them waiting)
	doneAt   time.Time // when the done screen appeared
	key      *identity.Key
	citizen  *identity.Result
	preview  *identity.Preview // the identity read so far, shown while the card is verified; never accepted
	query    string
	results  []catalog.Procedure
	proc     *catalog.Procedure
	docs     []*doc
	current  int
	form     []*formField
	dossier  *Dossier
	receipt  *Submitted
	printed  bool
	jobsLeft int   // documents being digitised
	svc      svc   // the citizen services (services.go)
	where    where // where to go with the chosen procedure's papers (choose.go)
}

// doc is one document of the chosen procedure's checklist.
type doc struct {
	def      catalog.Document
	pages    []*Prepared // worked once at scan time; the scanner's decodes are not kept
	quality  []Quality
	status   wire.DocStatus
	result   *Digitized
	errMsg   string
	progress float64
	// job numbers the digitising of the document's pages: it moves on when they are sent to be
	// digitised and when they are replaced, and an OCR result for another job is dropped.
	job int
	// mismatch says the pages do not look like this document (another paper, a blank page, a page
	// upside down); the citizen rescans or keeps them (kept), and a kept one is marked for staff.
	mismatch *Message
	why      Mismatch
	kept     bool
}

// formField is one field of the review form and where its value came from.
type formField struct {
	def    catalog.Field
	value  string
	source wire.FieldSource
	low    bool   // read by the OCR with a low confidence: the citizen should check it
	err    string // why the value was refused, shown at the field
}

// begin starts a new citizen's session.
func (s *session) begin() {
	s.wipe()
	s.id = newSessionID()
	s.state, s.step = wire.Identify, wire.StepQR
	s.lastAct = s.m.now()
	if s.m.dev.QR == nil {
		s.step = wire.StepTypeKey
	}
}

// handle handles one event: an action, or a device result (dropped when what it answers is gone).
func (s *session) handle(ev any) {
	switch e := ev.(type) {
	case actionEvent:
		err := s.act(e.a)
		if err == nil && e.a.Action != wire.ActCancel && e.a.Action != wire.ActFinish {
			s.lastAct = s.m.now()
		}
		// Published before the answer: the caller's next read of the view (the API answers the
		// action with it) shows the action's effect, never the view from before it.
		s.m.publish(s.view())
		e.reply <- err
	case qrEvent:
		s.onQR(e.payload)
	case cardPresentEvent:
		if e.wait == s.waitSeq && s.state == wire.Identify {
			s.step, s.message = wire.StepReading, nil
		}
		if e.wait == s.waitSeq && s.state == wire.Tracker && s.step == wire.StepTrackCard {
			s.step, s.message = wire.StepTrackReading, nil
		}
	case serviceEvent:
		if e.citizen == s.citizenSeq && (e.wait < 0 || e.wait == s.waitSeq) {
			e.apply(s)
		}
	case cardIdentityEvent:
		if e.wait == s.waitSeq && s.state == wire.Identify && s.step == wire.StepReading {
			s.onIdentity(e.p)
		}
	case cardEvent:
		if e.wait == s.waitSeq {
			s.onCard(e.res, e.err)
		}
	case scanEvent:
		if e.wait == s.waitSeq {
			s.onScan(e.pages, e.unreadable, e.err)
		} else {
			clearPages(e.pages) // a scan the citizen abandoned
		}
	case progressEvent:
		if d := s.wanted(e.citizen, e.doc, e.job); d != nil && d.status == wire.DocProcessing {
			d.progress = max(d.progress, float64(e.pagesDone)/float64(max(len(d.pages), 1)))
		}
	case digitizedEvent:
		if s.wanted(e.citizen, e.doc, e.job) != nil {
			s.onDigitized(e.doc, e.res, e.err)
		}
	case submittedEvent:
		if e.citizen == s.citizenSeq {
			s.onSubmitted(e.s, e.err)
		}
	case printedEvent:
		if e.citizen == s.citizenSeq {
			s.onPrinted(e.err)
		}
	case previewEvent:
		var img image.Image
		if e.doc >= 0 && e.doc < len(s.docs) && e.page >= 0 && e.page < len(s.docs[e.doc].pages) {
			if p := s.docs[e.doc].pages[e.page].Preview; p != nil {
				img = p
			}
		}
		e.reply <- img
	}
}

// wanted returns document i when an OCR result of job number job for citizen number citizen is
// still wanted for it, else nil.
func (s *session) wanted(citizen int64, i, job int) *doc {
	if citizen != s.citizenSeq || i >= len(s.docs) || s.docs[i].job != job {
		return nil
	}
	return s.docs[i]
}

// tick runs the idle timeout and the done screen's return to attract.
func (s *session) tick() {
	now := s.m.now()
	switch s.state {
	case wire.Attract, wire.Submitting:
		return
	case wire.Receipt:
		if s.step == wire.StepPrinting {
			return
		}
	case wire.Done:
		if now.Sub(s.doneAt) >= s.m.cfg.DoneAfter {
			s.wipe()
		}
		return
	case wire.Rating:
		if s.step == wire.StepRateThanks {
			if now.Sub(s.doneAt) >= s.m.cfg.DoneAfter {
				s.wipe()
			}
			return
		}
	}
	if s.busy() {
		s.lastAct = now // the citizen is waiting for the kiosk, not the other way round
		return
	}
	if now.Sub(s.lastAct) >= s.m.cfg.IdleTimeout {
		if s.state == wire.Payment && s.svc.payFrom == wire.Receipt {
			s.leavePayment() // the dossier is in: its receipt is printed (unpaid: with the fee owed)
			return
		}
		s.wipe()
	}
}

// busy reports whether the kiosk is working and the citizen can only wait.
func (s *session) busy() bool {
	switch {
	case s.state == wire.Identify && s.step == wire.StepReading,
		s.state == wire.Documents && s.step == wire.StepScanning,
		s.state == wire.Review && s.step == wire.StepProcessing,
		s.state == wire.Tracker && (s.step == wire.StepTrackReading || s.step == wire.StepTrackLookup),
		s.state == wire.Queue && s.step == wire.StepQueueTaking:
		return true
	}
	return false
}

// act applies a citizen's action, or refuses it (ErrStale, ErrNotNow, ErrInvalid).
func (s *session) act(a Action) error {
	if err := s.stale(a); err != nil {
		return err
	}
	if a.Action == wire.ActCancel {
		if s.state == wire.Submitting || (s.state == wire.Receipt && s.step == wire.StepPrinting) {
			return ErrNotNow // the dossier is being committed or printed: it cannot be abandoned now
		}
		if s.state == wire.Payment && s.svc.payFrom == wire.Receipt {
			s.leavePayment() // the dossier is in: its receipt is printed, with the fee owed
			return nil
		}
		s.wipe()
		return nil
	}
	if a.Action == wire.ActMoreTime {
		return nil // lastAct is reset by handle
	}
	switch s.state {
	case wire.Attract:
		switch a.Action {
		case wire.ActStart:
			s.begin()
			return nil
		case wire.ActTrack:
			return s.actTrack(a)
		case wire.ActQueue:
			return s.actQueue(a)
		}
	case wire.Tracker:
		return s.actTracker(a)
	case wire.Queue:
		return s.actQueueScreen(a)
	case wire.Rating:
		return s.actRating(a)
	case wire.Payment:
		return s.actPayment(a)
	case wire.Identify:
		return s.actIdentify(a)
	case wire.ChooseProcedure:
		switch {
		case a.Action == wire.ActQueue && s.step != wire.StepProcedure:
			return s.actQueue(a)
		case a.Action == wire.ActPrintChecklist:
			return s.actPrintChecklist(a)
		}
		return s.actChoose(a)
	case wire.Documents:
		if a.Action == wire.ActPrintChecklist {
			return s.actPrintChecklist(a)
		}
		return s.actDocuments(a)
	case wire.Review:
		return s.actReview(a)
	case wire.Consent:
		return s.actConsent(a)
	case wire.Receipt, wire.Done:
		if s.state == wire.Done && a.Action == wire.ActRate {
			return s.actRateFromDone(a)
		}
		if s.state == wire.Done && a.Action == wire.ActQueue {
			return s.actQueue(a)
		}
		return s.actFinish(a)
	}
	return ErrNotNow
}
