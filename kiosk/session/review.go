package session

import (
	"strings"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// The review step: the procedure's form, filled from the card and from the documents' OCR as it
// comes in, checked and corrected by the citizen, then confirmed (to consent).

// enterReview shows the form, filled from the card the first time.
func (s *session) enterReview() {
	s.state = wire.Review
	if s.form == nil {
		for _, f := range s.proc.Fields {
			ff := &formField{def: f}
			if v := cardValue(f.From, s.citizen.Citizen); v != "" {
				ff.value, ff.source = f.Display(v), wire.SourceCard
			}
			s.form = append(s.form, ff)
		}
	}
	s.mergeOCR()
	s.step = wire.StepEditing
	if s.jobsLeft > 0 {
		s.step = wire.StepProcessing
	}
}

// cardValue is the card data a field names in its From; "" for none.
func cardValue(from catalog.From, c identity.Citizen) string {
	switch from {
	case catalog.FromFullName:
		return c.FullName
	case catalog.FromIDNumber:
		return c.IDNumber
	case catalog.FromDateOfBirth:
		return c.DateOfBirth.String()
	case catalog.FromSex:
		return c.Sex
	case catalog.FromPlaceOfResidence:
		return c.PlaceOfResidence
	case catalog.FromPlaceOfOrigin:
		return c.PlaceOfOrigin
	case catalog.FromNationality:
		return c.Nationality
	case catalog.FromEthnicity:
		return c.Ethnicity
	}
	return ""
}

// lowConfidence is the recogniser confidence under which a field is marked for checking.
const lowConfidence = 0.80

// mergeOCR fills fields the citizen has not typed and the card did not give from the documents'
// recognised values.
func (s *session) mergeOCR() {
	for _, ff := range s.form {
		if ff.source == wire.SourceCard || ff.source == wire.SourceCitizen {
			continue
		}
		for _, d := range s.docs {
			if d.result == nil {
				continue
			}
			if f, ok := d.result.Fields[ff.def.Key]; ok && f.Value != "" {
				ff.value, ff.source, ff.low = ff.def.Display(f.Value), wire.SourceOCR, f.Confidence < lowConfidence
				break
			}
		}
	}
}

// actReview applies an action on the review screen.
func (s *session) actReview(a Action) error {
	switch a.Action {
	case wire.ActSetField:
		for _, ff := range s.form {
			if ff.def.Key == a.Key {
				if err := s.check(ff.def, a.Value); err != nil {
					ff.err = err.Error()
					return err
				}
				old := ff.value
				ff.value, ff.source, ff.low, ff.err = strings.TrimSpace(a.Value), wire.SourceCitizen, false, ""
				if ff.value != old {
					s.dropStaleCommunes(ff.def.Key)
				}
				return nil
			}
		}
		return invalid("không có trường này", "no such field")
	case wire.ActConfirm:
		if s.step == wire.StepProcessing {
			return ErrNotNow
		}
		missing := false
		for _, ff := range s.form {
			if err := s.check(ff.def, ff.value); err != nil {
				ff.err, missing = err.Error(), true
			}
		}
		if missing {
			s.message = msg("form_incomplete", "Còn trường chưa điền hoặc chưa đúng, xem các ô được đánh dấu.",
				"Some fields are missing or wrong: see the marked boxes.")
			return invalid("biểu mẫu chưa đầy đủ", "the form is incomplete")
		}
		s.message = nil
		s.state = wire.Consent
		return nil
	case wire.ActBack:
		s.state, s.step = wire.Documents, wire.StepPreview
		s.current = len(s.docs) - 1
		return nil
	}
	return ErrNotNow
}

// check checks value for field f as the citizen fills it in (catalog.Field.Check on the resolved
// field); the error matches ErrInvalid and reads as the catalogue's reason, shown at the field.
func (s *session) check(f catalog.Field, value string) error {
	if err := s.resolved(f).Check(value); err != nil {
		return refused(err)
	}
	return nil
}

// resolved is f as the citizen fills it in (catalog.Catalogue.Resolve): an address field with its
// choices from the catalogue's places, a sex field as a choice.
func (s *session) resolved(f catalog.Field) catalog.Field {
	return s.m.catalog().Resolve(f, s.fieldValue)
}

// fieldValue is the form's current value for field key.
func (s *session) fieldValue(key string) string {
	for _, ff := range s.form {
		if ff.def.Key == key {
			return ff.value
		}
	}
	return ""
}

// dropStaleCommunes empties the commune fields of province field key, just changed, unless their
// value is one of the communes listed for the province now chosen.
func (s *session) dropStaleCommunes(key string) {
	for _, ff := range s.form {
		if ff.def.Kind != wire.FieldCommune || ff.def.Of != key || ff.value == "" {
			continue
		}
		if def := s.resolved(ff.def); def.Kind == wire.FieldText || def.Check(ff.value) != nil {
			ff.value, ff.source, ff.low = "", "", false
		}
	}
}
