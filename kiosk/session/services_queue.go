package session

import (
	"context"
	"errors"
	"slices"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// The queue number: after choosing a procedure (or "Tôi chỉ cần đến quầy"), or at the end of a
// session whose dossier needs a counter, the citizen takes a number and the ticket is printed.

// actQueue goes to the queue screen: from attract (a new session), from the catalogue (the
// procedure shown, or any counter), or from the done screen when a number is offered.
func (s *session) actQueue(a Action) error {
	if s.m.dev.Services == nil {
		return ErrNotNow
	}
	proc, name, dossierCode := "", "", ""
	switch s.state {
	case wire.Attract:
		if a.Value != "" {
			p, err := s.m.catalog().Get(a.Value)
			if err != nil {
				return invalid("không có thủ tục này", "no such procedure")
			}
			proc, name = p.Code, p.Name
		}
		s.beginService(wire.Queue, wire.StepQueueChoose)
	case wire.ChooseProcedure:
		if a.Value != "" {
			p, err := s.m.catalog().Get(a.Value)
			if err != nil {
				return invalid("không có thủ tục này", "no such procedure")
			}
			proc, name = p.Code, p.Name
		}
	case wire.Done:
		if !s.svc.queueOffered {
			return ErrNotNow
		}
		if s.proc != nil {
			proc, name = s.proc.Code, s.proc.Name
		}
		if s.receipt != nil {
			dossierCode = s.receipt.DossierCode
		}
	default:
		return ErrNotNow
	}
	s.state, s.step, s.message, s.svc.slip = wire.Queue, wire.StepQueueChoose, nil, nil
	s.svc.queue = &wire.QueueView{ProcedureCode: proc}
	s.svc.queueFor = name
	s.svc.queueOffered = false
	s.svc.queueDossier = dossierCode
	s.waitSeq++
	sv := s.m.dev.Services
	s.call(func(ctx context.Context) func(*session) {
		cs, err := sv.Counters(ctx, proc)
		return func(s *session) {
			if err != nil {
				s.queueFailed(err)
				return
			}
			s.svc.queue.Counters = cs
		}
	})
	return nil
}

// actQueueScreen applies an action on the queue screens.
func (s *session) actQueueScreen(a Action) error {
	switch a.Action {
	case wire.ActTakeTicket:
		if s.step != wire.StepQueueChoose {
			return ErrNotNow
		}
		q := s.svc.queue
		if a.Value != "" && !slices.ContainsFunc(q.Counters, func(c wire.CounterView) bool { return c.ID == a.Value }) {
			return invalid("không có quầy này", "no such counter")
		}
		if a.Value == "" && q.ProcedureCode == "" && len(q.Counters) > 0 {
			// "Any counter": the first that is open.
			for _, c := range q.Counters {
				if !c.Paused {
					a.Value = c.ID
					break
				}
			}
		}
		s.take(TicketRequest{CounterID: a.Value, ProcedureCode: q.ProcedureCode, DossierCode: s.svc.queueDossier})
		return nil
	case wire.ActBack:
		if s.step == wire.StepQueueTaking {
			return ErrNotNow
		}
		if s.citizen != nil && s.receipt == nil {
			s.waitSeq++
			s.state, s.step, s.message, s.svc.slip = wire.ChooseProcedure, "", nil, nil
			s.svc.queue = nil
			return nil
		}
		s.wipe()
		return nil
	case wire.ActFinish:
		if s.step == wire.StepQueueTaking {
			return ErrNotNow
		}
		s.wipe()
		return nil
	}
	return ErrNotNow
}

// take asks for a number with a key made now: a retry of the same tap is the same number.
func (s *session) take(req TicketRequest) {
	s.waitSeq++
	s.step, s.message = wire.StepQueueTaking, nil
	key, sv, name := newKey(), s.m.dev.Services, s.svc.queueFor
	s.call(func(ctx context.Context) func(*session) {
		t, err := sv.TakeTicket(ctx, key, req)
		return func(s *session) {
			if err != nil {
				s.step = wire.StepQueueChoose
				s.queueFailed(err)
				return
			}
			s.svc.queue.Ticket = t
			s.step = wire.StepQueueTicket
			s.printSlip(Slip{Kind: wire.SlipQueue, Ticket: t, ProcedureName: name, At: s.m.now()})
		}
	})
}

// queueFailed tells the citizen the queue service cannot give a number now.
func (s *session) queueFailed(err error) {
	if errors.Is(err, ErrOffline) {
		s.svc.queue.Offline = true
		s.message = msg("queue_offline", "Hiện không lấy được số thứ tự. Xin đến bàn hướng dẫn để được xếp lượt.",
			"A queue number cannot be taken now. Please go to the information desk to be given a turn.")
		return
	}
	s.message = &Message{Code: "queue_failed", Retry: true,
		Vi: "Chưa lấy được số thứ tự. Xin thử lại hoặc đến bàn hướng dẫn.",
		En: "The queue number could not be taken. Try again or go to the information desk."}
}

// needsCounter says why the dossier just submitted needs a counter, or nil: a required paper
// missing, or a fee the citizen left unpaid.
func (s *session) needsCounter() *Message {
	for _, d := range s.docs {
		if d.def.Required && d.status != wire.DocDone {
			return msg("counter_missing_papers", "Hồ sơ còn thiếu giấy tờ: xin lấy số để nộp bổ sung tại quầy.",
				"The dossier lacks papers: take a number to hand them in at the counter.")
		}
	}
	if s.svc.owed && !s.svc.paid {
		return msg("counter_fee", "Lệ phí chưa được nộp: xin lấy số để nộp tại quầy (hoặc quét mã VietQR trên biên nhận).",
			"The fee is not paid yet: take a number to pay at the counter (or scan the VietQR on the receipt).")
	}
	return nil
}
