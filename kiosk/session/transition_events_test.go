package session

import (
	"errors"
	"fmt"
	"image"
	"slices"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// The events of the transition table (transition_test.go).

type eventKind int

const (
	actionKind eventKind = iota // an action made on the current view
	staleKind                   // an action made on a view that is not the current one
	deviceKind                  // a device answers its outstanding call
	otherKind                   // the QR reader, the clock, a late result
)

type transitionEvent struct {
	kind   eventKind
	device string // deviceKind: which device answers
	// do applies the event; ran is false when it could not happen (no call outstanding).
	do func(r *rig) (err error, ran bool)
}

// staleSession is a session id that is never the current one.
const staleSession = "feedfacefeedface"

var transitionEvents = map[string]transitionEvent{
	"start":          action(wire.ActStart, "", nil),
	"cancel":         action(wire.ActCancel, "", nil),
	"more_time":      action(wire.ActMoreTime, "", nil),
	"type_key":       action(wire.ActTypeKey, "", nil),
	"enter_id":       action(wire.ActEnterID, "079092001234", nil),
	"enter_id bad":   action(wire.ActEnterID, "0790920", nil),
	"enter_mrz":      action(wire.ActEnterMRZ, "AB1234567,920203,320203", nil),
	"search":         action(wire.ActSearch, "thử", nil),
	"choose":         action(wire.ActChoose, "T1", nil),
	"choose unknown": action(wire.ActChoose, "9.999999", nil),
	"scan":           action(wire.ActScan, "", nil),
	"accept":         action(wire.ActAccept, "", nil),
	"rescan":         action(wire.ActRescan, "", nil),
	"keep":           action(wire.ActKeep, "", nil),
	"skip":           action(wire.ActSkip, "", nil),
	"set_field":      action(wire.ActSetField, "Đã có giấy hẹn", func(a *Action) { a.Key = "note" }),
	"set_field bad":  action(wire.ActSetField, "hôm qua", func(a *Action) { a.Key = "dob" }),
	"confirm":        action(wire.ActConfirm, "", nil),
	"agree":          action(wire.ActAgree, "", nil),
	"back":           action(wire.ActBack, "", nil),
	"finish":         action(wire.ActFinish, "", nil),

	"stale session": stale(wire.ActCancel, func(a *Action) { a.Session = staleSession }),
	"stale state": stale(wire.ActBack, func(a *Action) {
		a.State = other(a.State, wire.Attract, wire.Identify)
	}),
	"stale step": stale(wire.ActBack, func(a *Action) {
		a.Step = other(a.Step, wire.StepQR, wire.StepCard)
	}),
	// A field typed while the papers were read lands on the form that came after: the review's two
	// steps are one screen to set_field.
	"set_field on the other step": stale(wire.ActSetField, func(a *Action) {
		a.Key, a.Value = "note", "Đã có giấy hẹn"
		a.Step = other(a.Step, wire.StepProcessing, wire.StepEditing)
	}),
	// An accept made on another document's screen (the same accept sent twice).
	"stale document": stale(wire.ActAccept, func(a *Action) {
		other := 1
		if a.Document != nil && *a.Document == 1 {
			other = 0
		}
		a.Document = &other
	}),

	"qr":            {kind: otherKind, do: func(r *rig) (error, bool) { r.s.handle(qrEvent{transitionQR}); return nil, true }},
	"qr unreadable": {kind: otherKind, do: func(r *rig) (error, bool) { r.s.handle(qrEvent{"https://example.com/"}); return nil, true }},
	// The answers are made afresh for every cell: the session overwrites what it drops.
	"card present":      cardAnswer(func() cardStep { return cardStep{present: true} }),
	"card identified":   cardAnswer(func() cardStep { return cardStep{identified: true} }),
	"card read":         cardAnswer(func() cardStep { return cardStep{res: genuineRead()} }),
	"card removed":      cardAnswer(func() cardStep { return cardStep{err: fmt.Errorf("đọc DG13: %w", apdu.ErrCardRemoved)} }),
	"card not genuine":  cardAnswer(func() cardStep { return cardStep{res: forged()} }),
	"scan page":         scanAnswer(func() scanned { return scanned{pages: []Page{printedPage()}} }),
	"scan blank":        scanAnswer(func() scanned { return scanned{pages: []Page{blankPage()}} }),
	"scan jam":          scanAnswer(func() scanned { return scanned{err: fmt.Errorf("escl: %w", scanner.ErrJammed)} }),
	"ocr done":          ocrAnswer(nil),
	"ocr failed":        ocrAnswer(errors.New("tesseract: hết bộ nhớ (out of memory)")),
	"committed":         outboxAnswer(nil),
	"not committed":     outboxAnswer(errors.New("đĩa đầy (disk full)")),
	"printed":           printerAnswer(nil),
	"print unconfirmed": printerAnswer(ErrPrintUnconfirmed),
	"print failed":      printerAnswer(errors.New("máy in hết giấy (paper out)")),

	"idle timeout": {kind: otherKind, do: func(r *rig) (error, bool) { r.now = r.now.Add(r.m.cfg.IdleTimeout); r.s.tick(); return nil, true }},
	"done timeout": {kind: otherKind, do: func(r *rig) (error, bool) { r.now = r.now.Add(r.m.cfg.DoneAfter); r.s.tick(); return nil, true }},

	// Results of device work superseded since: a card read for a wait given up, a scan the citizen
	// left, an OCR of pages since replaced, the previous citizen's commit and receipt.
	"late card read": {kind: otherKind, do: func(r *rig) (error, bool) {
		r.s.handle(cardEvent{r.supersededWait(), genuineRead(), nil})
		return nil, true
	}},
	"late scan": {kind: otherKind, do: func(r *rig) (error, bool) {
		r.s.handle(scanEvent{r.supersededWait(), []*Prepared{{Preview: image.NewGray(image.Rect(0, 0, 4, 4))}}, nil, nil})
		return nil, true
	}},
	"late ocr": {kind: otherKind, do: func(r *rig) (error, bool) {
		job := 0
		if len(r.s.docs) > 0 {
			job = r.s.docs[0].job - 1
		}
		r.s.handle(progressEvent{r.s.citizenSeq, 0, job, 1})
		r.s.handle(digitizedEvent{r.s.citizenSeq, 0, job, ocrResult(), nil})
		return nil, true
	}},
	"previous citizen's ocr": {kind: otherKind, do: func(r *rig) (error, bool) {
		job := 0
		if len(r.s.docs) > 0 {
			job = r.s.docs[0].job // the same document and job number, another citizen
		}
		r.s.handle(progressEvent{r.previousCitizen(), 0, job, 1})
		r.s.handle(digitizedEvent{r.previousCitizen(), 0, job, ocrResult(), nil})
		return nil, true
	}},
	"late commit": {kind: otherKind, do: func(r *rig) (error, bool) {
		r.s.handle(submittedEvent{r.previousCitizen(), &Submitted{DossierCode: "K01-20261206-0009"}, nil})
		return nil, true
	}},
	"late print": {kind: otherKind, do: func(r *rig) (error, bool) {
		r.s.handle(printedEvent{r.previousCitizen(), nil})
		return nil, true
	}},
}

// transitionEventNames lists the events in a stable order.
func transitionEventNames() []string {
	names := make([]string, 0, len(transitionEvents))
	for n := range transitionEvents {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// action is the citizen's action name with value, made on the current view.
func action(name wire.ActionName, value string, edit func(*Action)) transitionEvent {
	return transitionEvent{kind: actionKind, do: func(r *rig) (error, bool) {
		a := wire.ActionOn(r.s.view(), name, value)
		if edit != nil {
			edit(&a)
		}
		return r.do(a), true
	}}
}

// stale is the action name made on the current view as edit changes it into another one.
func stale(name wire.ActionName, edit func(*Action)) transitionEvent {
	return transitionEvent{kind: staleKind, do: func(r *rig) (error, bool) {
		a := wire.ActionOn(r.s.view(), name, "")
		edit(&a)
		return r.do(a), true
	}}
}

func isEvent[T any](ev any) bool { _, ok := ev.(T); return ok }

// other returns b when v is a, else a: a value that is not v.
func other[T comparable](v, a, b T) T {
	if v == a {
		return b
	}
	return a
}

// cardAnswer has the outstanding card read take step st: the card comes onto the reader, its
// identity is read, or the read ends with a result or an error.
func cardAnswer(step func() cardStep) transitionEvent {
	return transitionEvent{kind: deviceKind, device: "card", do: func(r *rig) (error, bool) {
		if r.card == nil {
			return nil, false
		}
		st := step()
		r.card.steps <- st
		switch {
		case st.present:
			r.pump(isEvent[cardPresentEvent])
		case st.identified:
			r.pump(isEvent[cardIdentityEvent])
		default:
			r.card = nil // the read is over
			r.pump(isEvent[cardEvent])
		}
		return nil, true
	}}
}

func scanAnswer(a func() scanned) transitionEvent {
	return transitionEvent{kind: deviceKind, device: "scanner", do: func(r *rig) (error, bool) {
		if r.scan == nil {
			return nil, false
		}
		r.scan.answer <- a()
		r.scan = nil
		r.pump(isEvent[scanEvent])
		return nil, true
	}}
}

func ocrAnswer(err error) transitionEvent {
	return transitionEvent{kind: deviceKind, device: "digitizer", do: func(r *rig) (error, bool) {
		if r.ocr == nil {
			return nil, false
		}
		r.ocr.answer <- err
		r.ocr = nil
		r.pump(isEvent[digitizedEvent])
		return nil, true
	}}
}

func outboxAnswer(err error) transitionEvent {
	return transitionEvent{kind: deviceKind, device: "outbox", do: func(r *rig) (error, bool) {
		if r.submit == nil {
			return nil, false
		}
		r.submit <- err
		r.submit = nil
		r.pump(isEvent[submittedEvent])
		return nil, true
	}}
}

func printerAnswer(err error) transitionEvent {
	return transitionEvent{kind: deviceKind, device: "printer", do: func(r *rig) (error, bool) {
		if r.print == nil {
			return nil, false
		}
		r.print <- err
		r.print = nil
		r.pump(isEvent[printedEvent])
		return nil, true
	}}
}
