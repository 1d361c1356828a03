package session

import (
	"strings"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
)

// The session's view and actions are the local API's wire format; its states, steps, actions and
// statuses are the wire package's constants.
type (
	// View is what the screens draw (wire.View).
	View = wire.View
	// Action is a citizen's tap or entry (wire.Action).
	Action = wire.Action
	// Message is an instruction or an error for the citizen (wire.Message).
	Message = wire.Message
	// Quality is a problem with a scanned page (wire.Quality).
	Quality = wire.Quality
)

// view builds the view published to the screens: what the current step shows, and nothing
// personal beyond it.
func (s *session) view() View {
	v := View{Session: s.id, State: s.state, Step: s.step, Message: s.message, Current: s.current, Query: s.query}
	if s.state != wire.Attract && s.state != wire.Done && s.state != wire.Submitting {
		idle := s.m.now().Sub(s.lastAct)
		if idle >= s.m.cfg.IdleWarn {
			v.IdleWarning = true
			v.IdleSecondsLeft = int((s.m.cfg.IdleTimeout - idle + time.Second - 1) / time.Second)
		}
	}
	if s.citizen != nil {
		c := s.citizen.Citizen
		v.Citizen = &wire.CitizenView{FullName: c.FullName, IDMasked: maskID(c.IDNumber), PassiveAuth: wire.PassiveAuth(s.citizen.PassiveAuth)}
	} else if s.preview != nil && s.state == wire.Identify && s.step == wire.StepReading {
		// Being verified: the name is shown, passive authentication is not finished.
		c := s.preview.Citizen
		v.Citizen = &wire.CitizenView{FullName: c.FullName, IDMasked: maskID(c.IDNumber), PassiveAuth: wire.PassivePending}
	}
	if s.state == wire.ChooseProcedure {
		for _, p := range s.results {
			v.Procedures = append(v.Procedures, procView(p))
		}
	}
	if s.proc != nil {
		pv := procView(*s.proc)
		v.Procedure = &pv
	}
	for _, d := range s.docs {
		dv := wire.DocumentView{Type: d.def.Type, Name: d.def.Name, Required: d.def.Required,
			Status: d.status, Pages: len(d.pages), Quality: d.quality, Mismatch: d.mismatch, Kept: d.kept}
		if d.status == wire.DocProcessing {
			dv.Progress = d.progress // real: the share of pages read; 0 until the first is
		}
		dv.PreviewReady = len(d.pages) > 0 && d.pages[len(d.pages)-1].Preview != nil
		v.Documents = append(v.Documents, dv)
	}
	if s.state == wire.Review || s.state == wire.Consent {
		for _, ff := range s.form {
			def := s.resolved(ff.def)
			v.Form = append(v.Form, wire.FieldView{Key: def.Key, Label: def.Label, Kind: def.Kind, Value: ff.value,
				Required: def.Required, Choices: def.Choices, Source: ff.source, LowConfidence: ff.low, Error: ff.err})
		}
	}
	if s.receipt != nil {
		v.Receipt = &wire.ReceiptView{DossierCode: s.receipt.DossierCode, Provisional: s.receipt.Provisional,
			Printed: s.printed, ReceivedAt: s.receipt.ReceivedAt}
	}
	v.Services = s.servicesView()
	return v
}

func procView(p catalog.Procedure) wire.ProcedureView {
	return wire.ProcedureView{Code: p.Code, Name: p.Name, NameEn: p.NameEn, Popular: p.Popular > 0, Fee: p.Fee,
		ProcessingTime: p.ProcessingTime, Documents: len(p.Documents)}
}

// maskID keeps the last 4 digits of an ID number.
func maskID(id string) string {
	if len(id) > 4 {
		return strings.Repeat("*", len(id)-4) + id[len(id)-4:]
	}
	return id
}
