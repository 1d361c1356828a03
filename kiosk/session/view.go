package session

import (
	"slices"
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
		pv.PageURL, pv.Where = s.pageURL(s.proc.Code), s.where.text
		v.Procedure = &pv
	}
	for _, d := range s.docs {
		dv := wire.DocumentView{Type: d.def.Type, Name: d.def.Name, Required: d.def.Required, Originals: d.def.Originals,
			Copies: d.def.Copies, Status: d.status, Pages: len(d.pages), Quality: d.quality, Mismatch: d.mismatch, Kept: d.kept}
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
	return snapshotOf(v)
}

// snapshotOf copies everything v points to. The published view is read by other goroutines (the
// local API encodes it, the screens and the metrics follow it) while the loop goes on changing the
// session's own state in place: a rating stored, the counters arrived, a reason ticked. Nothing the
// loop keeps may therefore be reachable from a view it published.
func snapshotOf(v View) View {
	v.Message = ptr(v.Message)
	v.OutOfService = ptr(v.OutOfService)
	v.Citizen = ptr(v.Citizen)
	v.Procedures = slices.Clone(v.Procedures)
	v.Procedure = ptr(v.Procedure)
	v.Documents = cloneEach(v.Documents, func(d wire.DocumentView) wire.DocumentView {
		d.Quality, d.Mismatch = slices.Clone(d.Quality), ptr(d.Mismatch)
		return d
	})
	v.Form = cloneEach(v.Form, func(f wire.FieldView) wire.FieldView {
		f.Choices = slices.Clone(f.Choices)
		return f
	})
	v.Receipt = ptr(v.Receipt)
	if v.Services != nil {
		sv := *v.Services
		sv.Tiles, sv.QueueReason, sv.Levels = slices.Clone(sv.Tiles), ptr(sv.QueueReason), slices.Clone(sv.Levels)
		if sv.Tracker != nil {
			t := *sv.Tracker
			t.Dossiers = cloneEach(t.Dossiers, func(d wire.TrackedView) wire.TrackedView {
				d.NextStep, d.Owed, d.Holder = ptr(d.NextStep), ptr(d.Owed), ptr(d.Holder)
				if d.Owed != nil {
					d.Owed.Documents = slices.Clone(d.Owed.Documents)
				}
				if d.Holder != nil {
					d.Holder.Documents = slices.Clone(d.Holder.Documents)
				}
				return d
			})
			sv.Tracker = &t
		}
		if sv.Queue != nil {
			q := *sv.Queue
			q.Counters = cloneEach(q.Counters, func(c wire.CounterView) wire.CounterView {
				c.Label = ptr(c.Label)
				return c
			})
			q.Ticket = ptr(q.Ticket)
			sv.Queue = &q
		}
		if sv.Rating != nil {
			r := *sv.Rating
			r.Levels, r.Reasons, r.Chosen = slices.Clone(r.Levels), slices.Clone(r.Reasons), slices.Clone(r.Chosen)
			sv.Rating = &r
		}
		sv.Payment = ptr(sv.Payment)
		if sv.Notify != nil {
			n := *sv.Notify
			n.Channels, n.Chosen, n.Error = slices.Clone(n.Channels), slices.Clone(n.Chosen), ptr(n.Error)
			sv.Notify = &n
		}
		if sv.Slip != nil {
			sl := *sv.Slip
			sl.Message = ptr(sl.Message)
			sv.Slip = &sl
		}
		v.Services = &sv
	}
	return v
}

// ptr copies what p points to (nil stays nil); for types with no pointer or slice inside.
func ptr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// cloneEach copies s, each element through deep (nil stays nil).
func cloneEach[T any](s []T, deep func(T) T) []T {
	if s == nil {
		return nil
	}
	c := make([]T, len(s))
	for i, e := range s {
		c[i] = deep(e)
	}
	return c
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
