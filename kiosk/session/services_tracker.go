package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/identity"
)

// ---- Tracker ----

// actTrack starts the tracker from the attract screen; a code given looks it up at once.
func (s *session) actTrack(a Action) error {
	if s.m.dev.Services == nil {
		return ErrNotNow
	}
	code := ""
	if a.Value != "" {
		var ok bool
		if code, ok = DossierCodeFrom(a.Value); !ok {
			return invalid("mã hồ sơ không đúng dạng", "the dossier code is not well formed")
		}
	}
	s.beginService(wire.Tracker, wire.StepTrackWay)
	s.svc.tracker = &wire.TrackerView{}
	if code != "" {
		s.lookup(code)
	}
	return nil
}

// actTracker applies an action on the tracker's screens.
func (s *session) actTracker(a Action) error {
	switch a.Action {
	case wire.ActTrackType:
		if s.step == wire.StepTrackLookup || s.step == wire.StepTrackReading {
			return ErrNotNow
		}
		s.waitSeq++ // a card wait is given up
		s.step, s.message = wire.StepTrackCode, nil
		return nil
	case wire.ActTrackCard:
		if s.step == wire.StepTrackLookup || s.step == wire.StepTrackReading {
			return ErrNotNow
		}
		s.waitSeq++
		s.step, s.message = wire.StepTrackCard, msg("track_card",
			"Đưa mã QR trên thẻ căn cước vào máy quét hoặc nhập số định danh, rồi đặt thẻ lên đầu đọc.",
			"Show the ID card's QR code to the scanner or type the ID number, then put the card on the reader.")
		return nil
	case wire.ActTrackCode:
		if s.step == wire.StepTrackLookup || s.step == wire.StepTrackReading {
			return ErrNotNow
		}
		code, ok := DossierCodeFrom(a.Value)
		if !ok {
			s.message = &Message{Code: "track_code_invalid", Retry: true,
				Vi: "Mã hồ sơ không đúng dạng. Mã in trên biên nhận, ví dụ 000.00.21.H26-261207-0001.",
				En: "The dossier code is not well formed. It is printed on the receipt, e.g. 000.00.21.H26-261207-0001."}
			return invalid("mã hồ sơ không đúng dạng", "the dossier code is not well formed")
		}
		s.lookup(code)
		return nil
	case wire.ActEnterID:
		if s.step != wire.StepTrackCard {
			return ErrNotNow
		}
		id := strings.TrimSpace(a.Value)
		if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
			return invalid("số định danh gồm 12 chữ số", "the ID number has 12 digits")
		}
		key, _ := identity.KeyFromCAN(id[6:])
		s.trackCard(key)
		return nil
	case wire.ActTrackSelect:
		if s.step != wire.StepTrackList || a.Index < 0 || a.Index >= len(s.svc.tracker.Dossiers) {
			if s.step != wire.StepTrackList {
				return ErrNotNow
			}
			return invalid("không có hồ sơ này trong danh sách", "no such dossier in the list")
		}
		s.svc.tracker.Shown = a.Index
		s.step, s.message, s.svc.slip = wire.StepTrackResult, nil, nil
		return nil
	case wire.ActPrintStatus:
		if s.step != wire.StepTrackResult || (s.svc.slip != nil && s.svc.slip.State == wire.SlipPrinting) {
			return ErrNotNow
		}
		t := s.svc.tracked[s.svc.tracker.Shown]
		if t.Local != "" {
			return ErrNotNow // the kiosk's own knowledge is no status to print
		}
		s.printSlip(Slip{Kind: wire.SlipStatus, Tracked: &t, At: s.m.now()})
		return nil
	case wire.ActPay:
		return s.actPayFromTracker()
	case wire.ActRate:
		if s.step != wire.StepTrackResult || !s.svc.tracker.Dossiers[s.svc.tracker.Shown].CanRate {
			return ErrNotNow
		}
		s.startRating(rateDossier, s.svc.tracker.Dossiers[s.svc.tracker.Shown].DossierCode, wire.Tracker)
		if a.Value != "" {
			return s.chooseLevel(a.Value)
		}
		return nil
	case wire.ActBack:
		switch {
		case s.step == wire.StepTrackResult && len(s.svc.tracker.Dossiers) > 1:
			s.step, s.message, s.svc.slip = wire.StepTrackList, nil, nil
		case s.step == wire.StepTrackWay:
			s.wipe()
		default:
			s.waitSeq++ // a lookup or card wait is given up
			s.step, s.message, s.svc.slip = wire.StepTrackWay, nil, nil
			s.svc.tracker = &wire.TrackerView{}
			s.svc.tracked = nil
		}
		return nil
	case wire.ActFinish:
		s.wipe()
		return nil
	}
	return ErrNotNow
}

// onTrackQR takes a QR code shown on the tracker: an ID card's QR code opens the card (the
// holder's dossiers); a receipt's QR code (its lookup address) looks the dossier up.
func (s *session) onTrackQR(payload string) {
	if s.step == wire.StepTrackLookup || s.step == wire.StepTrackReading {
		return
	}
	if key, _, err := identity.KeyFromQR(payload); err == nil {
		s.lastAct = s.m.now()
		s.trackCard(key)
		return
	}
	code, ok := DossierCodeFrom(payload)
	if !ok {
		s.message = &Message{Code: "track_qr_invalid", Retry: true,
			Vi: "Mã QR này không phải của biên nhận hồ sơ. Hãy quét mã QR trên biên nhận, hoặc nhập mã hồ sơ.",
			En: "This QR code is not a dossier receipt's. Scan the QR code on the receipt, or type the dossier code."}
		return
	}
	s.lastAct = s.m.now()
	s.lookup(code)
}

// lookup asks central for the dossier code; offline, the kiosk's own outbox answers.
func (s *session) lookup(code string) {
	s.waitSeq++
	s.step, s.message, s.svc.slip = wire.StepTrackLookup, nil, nil
	s.svc.tracker = &wire.TrackerView{Code: code}
	s.svc.tracked = nil
	sv := s.m.dev.Services
	s.call(func(ctx context.Context) func(*session) {
		t, err := sv.Track(ctx, code)
		if errors.Is(err, ErrOffline) {
			known, kerr := sv.Known(ctx, code)
			return func(s *session) { s.onOffline(code, known, kerr) }
		}
		return func(s *session) {
			if err != nil {
				s.onTrackFailed(err)
				return
			}
			s.showTracked([]Tracked{*t}, false)
		}
	})
}

// trackCard waits for the ID card that key opens, to list its holder's dossiers.
func (s *session) trackCard(key identity.Key) { s.trackCardAfter(key, 0) }

// trackCardAfter waits for the card after a pause (a reader that fails at once must not spin).
func (s *session) trackCardAfter(key identity.Key, pause time.Duration) {
	s.waitSeq++
	s.key = &key
	s.step = wire.StepTrackCard
	s.message = msg("track_card_place", "Đặt thẻ căn cước lên đầu đọc và giữ yên.", "Put the ID card on the reader and keep it still.")
	wait, ctx, m := s.waitSeq, s.ctx, s.m
	go func() {
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return
		}
		res, err := m.dev.Card.ReadCard(ctx, key, identity.Progress{
			Present: func() { m.post(cardPresentEvent{wait}) },
			// The tracker shows no one before the card is verified: the loop drops this.
			Identified: func(p identity.Preview) { m.post(cardIdentityEvent{wait, p}) },
		})
		m.post(cardEvent{wait, res, err}) // onCard hands it to onTrackCard
	}()
}

// onTrackCard takes the card read of the tracker: a verified card asks central for its holder's
// dossiers; the card's data is not kept.
func (s *session) onTrackCard(res *identity.Result, err error) {
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		s.trackCardAfter(*s.key, time.Second)
		s.message = cardMessage(err)
		return
	}
	s.key = nil
	if wire.PassiveAuth(res.PassiveAuth) != wire.PassiveValid || wire.ChipAuth(res.ChipAuth) == wire.ChipFailed {
		res.Citizen = identity.Citizen{}
		s.waitSeq++
		s.step = wire.StepTrackWay
		s.message = &Message{Code: "card_not_genuine",
			Vi: "Không xác thực được dữ liệu trên thẻ, nên không thể xem hồ sơ theo thẻ. Hãy tra cứu bằng mã hồ sơ hoặc đến quầy.",
			En: "The card's data could not be authenticated, so dossiers cannot be shown by card. Look up by the dossier code or go to the counter."}
		return
	}
	s.waitSeq++
	s.step, s.message = wire.StepTrackLookup, nil
	sv := s.m.dev.Services
	s.call(func(ctx context.Context) func(*session) {
		list, err := sv.TrackHolder(ctx, res)
		res.Citizen = identity.Citizen{} // the card's data is not kept past the question
		return func(s *session) {
			if err != nil {
				s.onTrackFailed(err)
				return
			}
			if len(list) == 0 {
				s.step = wire.StepTrackWay
				s.message = msg("track_none", "Không có hồ sơ nào của người giữ thẻ này.", "There are no dossiers of this card's holder.")
				return
			}
			s.showTracked(list, true)
		}
	})
}

// onTrackFailed tells the citizen why nothing is shown.
func (s *session) onTrackFailed(err error) {
	s.step = wire.StepTrackWay
	switch {
	case errors.Is(err, ErrNotFound):
		s.message = &Message{Code: "track_not_found", Retry: true,
			Vi: "Không tìm thấy hồ sơ với mã này. Hãy kiểm tra lại mã trên biên nhận.",
			En: "No dossier has this code. Check the code on the receipt."}
	case errors.Is(err, ErrOffline):
		s.svc.tracker.Offline = true
		s.message = msg("track_offline", "Hiện không kết nối được hệ thống trung tâm nên chưa tra cứu được. Xin thử lại sau hoặc hỏi cán bộ tại quầy.",
			"The central system cannot be reached now, so the lookup is not possible. Try again later or ask the staff.")
	default:
		s.message = &Message{Code: "track_failed", Retry: true,
			Vi: "Chưa tra cứu được hồ sơ. Xin thử lại hoặc hỏi cán bộ tại quầy.",
			En: "The dossier could not be looked up. Try again or ask the staff."}
	}
}

// onOffline shows what the kiosk itself knows of the code while central is unreachable: never a
// status central did not give.
func (s *session) onOffline(code string, known *Tracked, err error) {
	s.svc.tracker = &wire.TrackerView{Code: code, Offline: true}
	if err != nil || known == nil {
		s.step = wire.StepTrackWay
		s.svc.tracker.Offline = true
		s.message = msg("track_offline", "Hiện không kết nối được hệ thống trung tâm nên chưa tra cứu được. Xin thử lại sau hoặc hỏi cán bộ tại quầy.",
			"The central system cannot be reached now, so the lookup is not possible. Try again later or ask the staff.")
		return
	}
	s.showTracked([]Tracked{*known}, false)
	s.svc.tracker.Offline = true
	s.message = msg("track_offline_local", "Hiện không kết nối được hệ thống trung tâm. Dưới đây chỉ là điều kiosk này biết về hồ sơ.",
		"The central system cannot be reached now. Below is only what this kiosk knows of the dossier.")
}

// showTracked shows the dossiers found.
func (s *session) showTracked(list []Tracked, byCard bool) {
	offline := s.svc.tracker != nil && s.svc.tracker.Offline
	tv := &wire.TrackerView{ByCard: byCard, Offline: offline}
	for _, t := range list {
		tv.Dossiers = append(tv.Dossiers, trackedView(t, byCard))
	}
	tv.Code = list[0].DossierCode
	s.svc.tracker, s.svc.tracked = tv, list
	s.message = nil
	s.step = wire.StepTrackResult
	if len(list) > 1 {
		s.step = wire.StepTrackList
	}
}

// trackedView words a dossier for the screen; by code alone only the status and the dates.
func trackedView(t Tracked, byCard bool) wire.TrackedView {
	v := wire.TrackedView{DossierCode: t.DossierCode, StatusCode: t.StatusCode, ReceivedAt: t.ReceivedAt, UpdatedAt: t.UpdatedAt,
		Appointment: t.Appointment, Local: t.Local != ""}
	if t.Local != "" {
		v.StatusCode = 0
		v.Status, v.NextStep = localWords(t.Local)
		v.Appointment = ""
		return v
	}
	v.Status, v.NextStep = statusWords(t.StatusCode)
	v.Owed = t.Owed
	v.CanRate = t.StatusCode == 9 || t.StatusCode == 10
	if byCard {
		v.ProcedureName, v.Holder = t.ProcedureName, t.Holder
	}
	return v
}

// newKey makes an idempotency key or rating id.
func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// DossierCodeFrom finds the dossier code in what the citizen typed or the QR scanner read: the code
// itself, or a receipt's lookup address that carries it (in its query or its last path segment).
// It reports false when there is none.
func DossierCodeFrom(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 512 {
		return "", false
	}
	if codeLike(s) {
		return strings.ToUpper(s), true
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", false
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if v = strings.TrimSpace(v); codeLike(v) {
				return strings.ToUpper(v), true
			}
		}
	}
	if i := strings.LastIndexByte(u.Path, '/'); i >= 0 && codeLike(u.Path[i+1:]) {
		return strings.ToUpper(u.Path[i+1:]), true
	}
	return "", false
}

// codeLike reports whether s looks like an official dossier code (AGENCY-YYMMDD-NNNN) or a kiosk's
// provisional receipt number (KIOSK-YYMMDD-NNNN): letters, digits, dots and dashes, ending in six
// digits of the day and four of the sequence.
func codeLike(s string) bool {
	if len(s) < 8 || len(s) > 48 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '.' || r == '-') {
			return false
		}
	}
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	last, day := parts[len(parts)-1], parts[len(parts)-2]
	return len(last) == 4 && strings.Trim(last, "0123456789") == "" && len(day) == 6 && strings.Trim(day, "0123456789") == "" &&
		parts[0] != ""
}
