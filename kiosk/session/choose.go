package session

import (
	"context"
	"strings"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
)

// The choose_procedure step: the citizen browses or searches the catalogue, looks at a procedure's
// detail (what to bring: its papers with their originals and copies, the fee, the processing time,
// where to go, the QR code of its page) and goes on with it: its documents become the checklist.
// A client may also choose straight from the list (kioskctl demo, older clients).

// where is where the citizen goes with the chosen procedure's papers: the configured place, or
// the counter the queue service says serves the procedure.
type where struct {
	text string
	// ask is the question to the queue service outstanding, nil when none is; its answer lands
	// only while it is still the current one.
	ask *whereAsk
}

// whereAsk is one question to the queue service: which counter serves the procedure.
type whereAsk struct {
	code string
	stop context.CancelFunc
}

// actChoose applies an action on the catalogue screen, or on a procedure's detail.
func (s *session) actChoose(a Action) error {
	if s.step == wire.StepProcedure {
		return s.actDetail(a)
	}
	switch a.Action {
	case wire.ActSearch:
		s.query = a.Value
		s.results = s.m.catalog().Search(a.Value)
		return nil
	case wire.ActProcedure, wire.ActChoose:
		p, err := s.m.catalog().Get(a.Value)
		if err != nil {
			return refused(err)
		}
		s.setProcedure(p)
		if a.Action == wire.ActProcedure {
			s.step, s.message = wire.StepProcedure, nil
			s.askWhere(p.Code)
			return nil
		}
		s.state, s.step, s.message = wire.Documents, wire.StepPlace, nil
		return nil
	case wire.ActBack:
		s.wipe()
		return nil
	}
	return ErrNotNow
}

// actDetail applies an action on a procedure's detail: choose goes on with it (to its
// documents), back returns to the list. Printing its list is actPrintChecklist's.
func (s *session) actDetail(a Action) error {
	switch a.Action {
	case wire.ActChoose:
		if a.Value != "" && a.Value != s.proc.Code {
			return invalid("đây không phải thủ tục đang xem", "not the procedure shown")
		}
		s.stopWhere()
		s.setProcedure(s.proc)
		s.state, s.step, s.message = wire.Documents, wire.StepPlace, nil
		return nil
	case wire.ActBack:
		s.stopWhere()
		s.proc, s.docs, s.current, s.where = nil, nil, 0, where{}
		s.step, s.message = "", nil
		return nil
	}
	return ErrNotNow
}

// setProcedure makes p the procedure being filed: its documents, none scanned, are the checklist.
func (s *session) setProcedure(p *catalog.Procedure) {
	if s.proc == nil || s.proc.Code != p.Code {
		s.stopWhere()
		s.where = where{text: s.m.cfg.Where}
	}
	s.proc = p
	s.docs = nil
	for _, d := range p.Documents {
		s.docs = append(s.docs, &doc{def: d, status: wire.DocMissing})
	}
	s.current = 0
}

// askWhere asks the queue service, in the background, which counter serves procedure code; the
// answer names the counter on the detail and the checklist. No answer (offline, no counter):
// the configured place stays.
func (s *session) askWhere(code string) {
	sv := s.m.dev.Services
	if sv == nil || s.where.ask != nil {
		return
	}
	ctx, stop := context.WithCancel(s.ctx)
	ask := &whereAsk{code: code, stop: stop}
	s.where.ask = ask
	citizen, m := s.citizenSeq, s.m
	go func() {
		cs, err := sv.Counters(ctx, code)
		m.post(serviceEvent{citizen, -1, func(s *session) {
			stop()
			if s.where.ask != ask {
				return // the citizen left the procedure meanwhile
			}
			s.where.ask = nil
			if err != nil {
				return
			}
			for _, c := range cs {
				if c.Serves {
					s.where.text = counterPlace(c, s.m.cfg.Where)
					return
				}
			}
		}})
	}()
}

// stopWhere ends the question to the queue service, if one is outstanding.
func (s *session) stopWhere() {
	if a := s.where.ask; a != nil {
		a.stop()
		s.where.ask = nil
	}
}

// counterPlace words counter c as a place to go, in the configured place when there is one:
// "Quầy 2 · Hộ tịch, Bộ phận Một cửa, …".
func counterPlace(c wire.CounterView, place string) string {
	out := c.Name
	if c.Field != "" {
		out += " · " + c.Field
	}
	if place != "" {
		out += ", " + place
	}
	return out
}

// pageURL is the address of procedure code's page, or "" when none is configured.
func (s *session) pageURL(code string) string {
	if s.m.cfg.ProcedurePage == "" {
		return ""
	}
	return strings.ReplaceAll(s.m.cfg.ProcedurePage, "{code}", code)
}
