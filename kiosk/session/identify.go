package session

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/identity"
)

// The identify step: the QR code on the card (or the ID number or MRZ typed) gives the key that
// opens the chip; the chip is read and verified, and only a whole, verified read is the identity.

// onQR takes a QR code shown to the scanner: on the attract screen it starts a session, on the
// identify screens it is the card's key; later in the journey it is ignored.
func (s *session) onQR(payload string) {
	switch {
	case s.state == wire.Tracker:
		s.onTrackQR(payload)
		return
	case s.state == wire.Attract && s.m.dev.Services != nil && isDossierQR(payload):
		// A receipt's QR code shown on the attract screen: the citizen wants to track it.
		s.beginService(wire.Tracker, wire.StepTrackWay)
		s.svc.tracker = &wire.TrackerView{}
		s.onTrackQR(payload)
		return
	case s.state == wire.Attract:
		s.begin()
	case s.state == wire.Identify && (s.step == wire.StepQR || s.step == wire.StepTypeKey || s.step == wire.StepCard):
	default:
		return // a QR code shown later in the journey is not an identity
	}
	key, _, err := identity.KeyFromQR(payload)
	if err != nil {
		s.step = wire.StepQR
		s.message = &Message{Code: "qr_invalid", Retry: true,
			Vi: "Không đọc được mã QR trên thẻ căn cước. Hãy đưa mặt trước của thẻ vào máy quét, hoặc chọn nhập số định danh.",
			En: "The ID card's QR code could not be read. Show the front of the card to the scanner, or type the ID number."}
		return
	}
	s.lastAct = s.m.now()
	s.startCard(key)
}

// actIdentify applies an action on the identify screens.
func (s *session) actIdentify(a Action) error {
	switch a.Action {
	case wire.ActTypeKey:
		if s.step == wire.StepReading {
			return ErrNotNow
		}
		s.waitSeq++ // stop waiting for a card with the old key
		s.step, s.message = wire.StepTypeKey, nil
		return nil
	case wire.ActEnterID:
		id := strings.TrimSpace(a.Value)
		if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
			return invalid("số định danh gồm 12 chữ số", "the ID number has 12 digits")
		}
		key, _ := identity.KeyFromCAN(id[6:])
		s.startCard(key)
		return nil
	case wire.ActEnterMRZ:
		key, err := identity.KeyFromMRZ(a.Value)
		if err != nil {
			return refused(err)
		}
		s.startCard(key)
		return nil
	case wire.ActBack:
		s.wipe()
		return nil
	}
	return ErrNotNow
}

// startCard waits for the card that key opens.
func (s *session) startCard(key identity.Key) { s.retryCard(key, 0) }

// retryCard waits for the card after a pause (a reader that fails at once must not spin).
func (s *session) retryCard(key identity.Key, pause time.Duration) {
	s.key = &key
	s.step = wire.StepCard
	s.message = nil
	s.preview = nil
	s.waitSeq++
	// The goroutine keeps its own copies: a wipe rewrites *s while a read may still run.
	wait, ctx, m := s.waitSeq, s.ctx, s.m
	go func() {
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			m.post(cardEvent{wait, nil, ctx.Err()})
			return
		}
		res, err := m.dev.Card.ReadCard(ctx, key, identity.Progress{
			Present:    func() { m.post(cardPresentEvent{wait}) },
			Identified: func(p identity.Preview) { m.post(cardIdentityEvent{wait, p}) },
		})
		m.post(cardEvent{wait, res, err})
	}()
}

// onIdentity shows the citizen who they are while the rest of the card is read and verified; the
// identity is accepted only by onCard, once the whole read has checked out.
func (s *session) onIdentity(p identity.Preview) {
	s.preview = &p
	s.message = &Message{Code: "card_keep_still",
		Vi: "Đã đọc thông tin trên thẻ. Xin giữ yên thẻ trên đầu đọc trong khi thẻ được xác thực.",
		En: "The card's details are read. Keep the card still on the reader while it is verified."}
}

// onCard takes the end of a card read: a verified, genuine card is the citizen's identity; a failed
// read is tried again; a card that is not genuine is refused.
func (s *session) onCard(res *identity.Result, err error) {
	if s.state == wire.Tracker {
		s.onTrackCard(res, err)
		return
	}
	s.preview = nil // a preview is never the identity: only a whole, verified read is
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		// Wait for the card again with the same key; say what went wrong.
		s.retryCard(*s.key, time.Second)
		s.message = cardMessage(err)
		return
	}
	if !s.genuine(res) {
		res.Citizen = identity.Citizen{}
		s.key = nil
		s.waitSeq++ // stop waiting on the reader
		s.step = wire.StepQR
		s.message = &Message{Code: "card_not_genuine",
			Vi: "Không xác thực được dữ liệu trên thẻ. Vui lòng đến quầy để được hỗ trợ.",
			En: "The card's data could not be authenticated. Please go to the counter for help."}
		return
	}
	s.citizen = res
	s.key = nil
	s.message = nil
	s.state, s.step = wire.ChooseProcedure, ""
	s.results = s.m.catalog().Browse()
}

// genuine reports whether a card read is accepted as the citizen's identity: passive
// authentication valid (or unverified, where the configuration allows it) and the chip not
// failing its authentication.
func (s *session) genuine(res *identity.Result) bool {
	switch wire.PassiveAuth(res.PassiveAuth) {
	case wire.PassiveInvalid:
		return false
	case wire.PassiveUnverified:
		if !s.m.cfg.AllowUnverified {
			return false
		}
	}
	return wire.ChipAuth(res.ChipAuth) != wire.ChipFailed
}

// cardMessage tells the citizen what to do after a failed card read.
func cardMessage(err error) *Message {
	switch {
	case errors.Is(err, apdu.ErrCardRemoved):
		return &Message{Code: "card_removed", Retry: true,
			Vi: "Thẻ bị nhấc ra khi đang đọc. Hãy đặt lại thẻ và giữ yên cho đến khi đọc xong.",
			En: "The card was lifted while being read. Put it back and keep it still until done."}
	case errors.Is(err, apdu.ErrReaderGone):
		return &Message{Code: "reader_gone",
			Vi: "Đầu đọc thẻ đang gặp sự cố. Vui lòng liên hệ cán bộ tại quầy.",
			En: "The card reader has a problem. Please ask the staff at the counter."}
	}
	return &Message{Code: "card_unreadable", Retry: true,
		Vi: "Không đọc được thẻ. Kiểm tra đúng thẻ của mã QR vừa quét, đặt thẻ nằm yên giữa đầu đọc rồi thử lại.",
		En: "The card could not be read. Check it is the card whose QR code was scanned, keep it flat on the reader and try again."}
}

// isDossierQR reports whether a QR payload carries a dossier code and is not an ID card's QR code.
func isDossierQR(payload string) bool {
	if _, _, err := identity.KeyFromQR(payload); err == nil {
		return false
	}
	_, ok := DossierCodeFrom(payload)
	return ok
}
