package session

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tramso/tramso/kiosk/api/wire"
	"golang.org/x/text/unicode/norm"
)

// The satisfaction rating: the kiosk's own service at the end of a session (optional, a single
// touch), or a finished dossier from the tracker. Không hài lòng offers reasons and a comment.
// The rating is stored durably by Services.Rate and forwarded from there; it carries no personal
// data beyond the dossier code.

// maxComment is the longest comment, in characters (central's limit).
const maxComment = 500

// startRating shows the rating's levels for subject (the dossier code with rateDossier).
func (s *session) startRating(subject, code string, back wire.State) {
	s.waitSeq++
	s.state, s.step, s.message, s.svc.slip = wire.Rating, wire.StepRateLevel, nil, nil
	s.svc.rating = &wire.RatingView{Subject: subject, DossierCode: code, Levels: levels(), MaxComment: maxComment}
	s.svc.backTo = back
}

// actRateFromDone rates the kiosk's service from the done screen; a level given is the single
// touch.
func (s *session) actRateFromDone(a Action) error {
	if s.m.dev.Services == nil {
		return ErrNotNow
	}
	if a.Value != "" && !validLevel(a.Value) {
		return invalid("mức đánh giá không có", "unknown rating level")
	}
	s.startRating(rateKiosk, "", wire.Done)
	if a.Value != "" {
		return s.chooseLevel(a.Value)
	}
	return nil
}

func validLevel(l string) bool {
	return l == wire.RateVerySatisfied || l == wire.RateSatisfied || l == wire.RateDissatisfied
}

// chooseLevel takes the level: Không hài lòng asks for reasons, the others are stored at once.
func (s *session) chooseLevel(level string) error {
	if !validLevel(level) {
		return invalid("mức đánh giá không có", "unknown rating level")
	}
	s.svc.rating.Level = level
	if level == wire.RateDissatisfied {
		s.step = wire.StepRateReasons
		s.svc.rating.Reasons = reasons()
		return nil
	}
	s.storeRating()
	return nil
}

// actRating applies an action on the rating screens.
func (s *session) actRating(a Action) error {
	r := s.svc.rating
	switch a.Action {
	case wire.ActRate:
		if s.step != wire.StepRateLevel {
			return ErrNotNow
		}
		return s.chooseLevel(a.Value)
	case wire.ActRateReason:
		if s.step != wire.StepRateReasons {
			return ErrNotNow
		}
		if !slices.ContainsFunc(reasons(), func(m Message) bool { return m.Code == a.Value }) {
			return invalid("lý do không có trong danh sách", "no such reason")
		}
		if i := slices.Index(r.Chosen, a.Value); i >= 0 {
			r.Chosen = slices.Delete(r.Chosen, i, i+1)
		} else {
			r.Chosen = append(r.Chosen, a.Value)
		}
		return nil
	case wire.ActRateComment:
		if s.step != wire.StepRateReasons {
			return ErrNotNow
		}
		c := strings.TrimSpace(norm.NFC.String(a.Value))
		if !utf8.ValidString(c) || utf8.RuneCountInString(c) > maxComment {
			return invalid("góp ý dài quá 500 ký tự", "the comment is longer than 500 characters")
		}
		r.Comment = c
		return nil
	case wire.ActRateSend:
		if s.step != wire.StepRateReasons {
			return ErrNotNow
		}
		s.storeRating()
		return nil
	case wire.ActBack:
		switch {
		case s.step == wire.StepRateReasons:
			s.step, r.Level, r.Reasons, r.Chosen, r.Comment = wire.StepRateLevel, "", nil, nil, ""
		case s.step == wire.StepRateLevel && s.svc.backTo == wire.Tracker:
			s.state, s.step, s.svc.rating = wire.Tracker, wire.StepTrackResult, nil
		case s.step == wire.StepRateLevel:
			s.finish()
			s.svc.rating = nil
		default:
			return ErrNotNow
		}
		return nil
	case wire.ActFinish:
		s.wipe()
		return nil
	}
	return ErrNotNow
}

// storeRating hands the rating to the durable queue; the thanks screen shows once it is stored.
func (s *session) storeRating() {
	r := s.svc.rating
	rt := Rating{ID: newKey(), Subject: r.Subject, DossierCode: r.DossierCode, Level: r.Level,
		Reasons: slices.Clone(r.Chosen), Comment: r.Comment, RatedAt: s.m.now()}
	s.step, s.message = wire.StepRateThanks, nil
	s.doneAt = s.m.now()
	sv := s.m.dev.Services
	// Stored whatever the citizen does meanwhile: the answer only lands on the same citizen.
	citizen, m := s.citizenSeq, s.m
	go func() {
		err := sv.Rate(context.Background(), rt)
		m.post(serviceEvent{citizen, -1, func(s *session) {
			if s.state != wire.Rating || s.svc.rating == nil {
				return
			}
			if err != nil {
				s.message = msg("rating_not_stored", "Chưa lưu được đánh giá. Xin cảm ơn ý kiến của quý vị.",
					"The rating could not be stored. Thank you for your opinion.")
				return
			}
			s.svc.rating.Stored = true
			s.message = msg("rating_thanks", "Cảm ơn quý vị đã đánh giá.", "Thank you for rating the service.")
		}})
	}()
}
