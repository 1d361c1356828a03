package session

import (
	"fmt"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// The choose_procedure step: the citizen browses or searches the catalogue and picks the
// procedure, whose documents become the checklist.

// actChoose applies an action on the catalogue screen.
func (s *session) actChoose(a Action) error {
	switch a.Action {
	case wire.ActSearch:
		s.query = a.Value
		s.results = s.m.catalog().Search(a.Value)
		return nil
	case wire.ActChoose:
		p, err := s.m.catalog().Get(a.Value)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		s.proc = p
		s.docs = nil
		for _, d := range p.Documents {
			s.docs = append(s.docs, &doc{def: d, status: wire.DocMissing})
		}
		s.current = 0
		s.state, s.step, s.message = wire.Documents, wire.StepPlace, nil
		return nil
	case wire.ActBack:
		s.wipe()
		return nil
	}
	return ErrNotNow
}
