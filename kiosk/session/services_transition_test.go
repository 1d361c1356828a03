package session

import (
	"github.com/tramso/tramso/kiosk/api/wire"
)

// The citizen services' rows and events of the transition table (transition_test.go): the tracker,
// the queue and the rating, and the actions of the services not built yet, refused everywhere.

func init() {
	for name, ev := range map[string]transitionEvent{
		"track":             action(wire.ActTrack, "", nil),
		"track by code":     action(wire.ActTrack, rigCode, nil),
		"track_type":        action(wire.ActTrackType, "", nil),
		"track_card":        action(wire.ActTrackCard, "", nil),
		"track_code":        action(wire.ActTrackCode, rigCode, nil),
		"track_code bad":    action(wire.ActTrackCode, "không phải mã", nil),
		"track_select":      action(wire.ActTrackSelect, "", func(a *Action) { a.Index = 1 }),
		"print_status":      action(wire.ActPrintStatus, "", nil),
		"queue":             action(wire.ActQueue, "", nil),
		"take_ticket":       action(wire.ActTakeTicket, "", nil),
		"take_ticket bad":   action(wire.ActTakeTicket, "q9", nil),
		"rate":              action(wire.ActRate, "", nil),
		"rate satisfied":    action(wire.ActRate, wire.RateSatisfied, nil),
		"rate dissatisfied": action(wire.ActRate, wire.RateDissatisfied, nil),
		"rate_reason":       action(wire.ActRateReason, "cho-lau", nil),
		"rate_comment":      action(wire.ActRateComment, "Phải chờ lâu ở quầy", nil),
		"rate_send":         action(wire.ActRateSend, "", nil),
		"pay_later":         action(wire.ActPayLater, "", nil),
		"print_checklist":   action(wire.ActPrintChecklist, "T1", nil),
		"notify_channel":    action(wire.ActNotifyChannel, wire.NotifySMS, nil),
		"notify_contact":    action(wire.ActNotifyContact, "0912345678", func(a *Action) { a.Key = "phone" }),

		"choose T2":          action(wire.ActChoose, "T2", nil),
		"track_code fee":     action(wire.ActTrackCode, rigFeeCode, nil),
		"pay":                action(wire.ActPay, "", nil),
		"notify_channel bad": action(wire.ActNotifyChannel, "fax", nil),
		"notify_contact bad": action(wire.ActNotifyContact, "0212345678", func(a *Action) { a.Key = "phone" }),

		"qr receipt": {kind: otherKind, do: func(r *rig) (error, bool) {
			r.s.handle(qrEvent{"https://dichvucong.example.vn/tra-cuu?ma=" + rigCode})
			return nil, true
		}},
		"central answers":   serviceAnswer("central", nil),
		"central offline":   serviceAnswer("central", ErrOffline),
		"central not found": serviceAnswer("central", ErrNotFound),
		"slip printed":      serviceAnswer("slip printer", nil),
		"slip failed":       serviceAnswer("slip printer", errSlip),
		"rating stored":     serviceAnswer("ratings", nil),
		"rating not stored": serviceAnswer("ratings", errSlip),
	} {
		transitionEvents[name] = ev
	}

	result := []string{"track", "track_type", "track_code", "central answers"}
	feeResult := []string{"track", "track_type", "track_code fee", "central answers"}
	consentWalk := []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "skip", "ocr done", "confirm"}
	feeWalk := func(steps ...string) []string {
		return append([]string{"start", "enter_id", "card read", "choose T2", "scan", "scan page", "accept", "ocr done", "confirm", "agree"}, steps...)
	}
	walk := func(steps ...string) []string { return append(append([]string{}, result...), steps...) }
	transitionStates = append(transitionStates, []struct {
		name string
		walk []string
	}{
		{"tracker/track_way", []string{"track"}},
		{"tracker/track_code", []string{"track", "track_type"}},
		{"tracker/track_card", []string{"track", "track_card"}},
		{"tracker/track_card, card read", []string{"track", "track_card", "enter_id"}},
		{"tracker/track_reading", []string{"track", "track_card", "enter_id", "card present"}},
		{"tracker/track_lookup", []string{"track", "track_type", "track_code"}},
		{"tracker/track_lookup, holder", []string{"track", "track_card", "enter_id", "card read"}},
		{"tracker/track_result", result},
		{"tracker/track_list", []string{"track", "track_card", "enter_id", "card read", "central answers"}},
		{"tracker/track_result, offline", []string{"track", "track_type", "track_code", "central offline"}},
		{"tracker/track_result, printing", walk("print_status")},
		{"queue/queue_choose, counters asked", []string{"queue"}},
		{"queue/queue_choose", []string{"queue", "central answers"}},
		{"queue/queue_taking", []string{"queue", "central answers", "take_ticket"}},
		{"queue/queue_ticket", []string{"queue", "central answers", "take_ticket", "central answers"}},
		{"rating/rate_level", walk("rate")},
		{"rating/rate_reasons", walk("rate", "rate dissatisfied")},
		{"rating/rate_thanks", walk("rate", "rate satisfied")},
		{"consent, sms chosen", append(append([]string{}, consentWalk...), "notify_channel")},
		{"submitting, fee asked", feeWalk("committed")},
		{"payment/pay_qr, end of session", feeWalk("committed", "central answers")},
		{"payment/pay_paid, end of session", feeWalk("committed", "central answers", "central answers")},
		{"receipt/printing, fee owed", feeWalk("committed", "central answers", "pay_later")},
		{"done, fee owed", feeWalk("committed", "central answers", "pay_later", "printed")},
		{"tracker/track_result, fee", feeResult},
		{"payment/pay_qr, tracker, asking", append(append([]string{}, feeResult...), "pay")},
		{"payment/pay_qr, tracker", append(append([]string{}, feeResult...), "pay", "central answers")},
		{"payment/pay_paid, tracker", append(append([]string{}, feeResult...), "pay", "central answers", "central answers")},
	}...)

	cells := map[string]map[string]string{
		"attract": {
			"track": "tracker/track_way", "track by code": "tracker/track_lookup", "queue": "queue/queue_choose",
			"qr receipt": "tracker/track_lookup",
		},
		"choose_procedure": {"queue": "queue/queue_choose", "choose T2": "documents/place#0"},
		"done": {
			"rate": "rating/rate_level", "rate satisfied": "rating/rate_thanks", "rate dissatisfied": "rating/rate_reasons",
		},
		"tracker/track_way": {
			"track_type": "tracker/track_code", "track_card": "tracker/track_card:track_card", "track_code": "tracker/track_lookup",
			"track_code bad": "!invalid", "back": "attract", "finish": "attract",
			"qr": "tracker/track_card:track_card_place", "qr unreadable": "tracker/track_way:track_qr_invalid",
			"qr receipt": "tracker/track_lookup",
		},
		"tracker/track_code": {
			"track_type": "tracker/track_code", "track_card": "tracker/track_card:track_card", "track_code": "tracker/track_lookup",
			"track_code bad": "!invalid", "back": "tracker/track_way", "finish": "attract",
			"qr": "tracker/track_card:track_card_place", "qr unreadable": "tracker/track_code:track_qr_invalid",
			"qr receipt": "tracker/track_lookup",
		},
		"tracker/track_card": {
			"track_type": "tracker/track_code", "track_card": "tracker/track_card:track_card", "track_code": "tracker/track_lookup",
			"track_code bad": "!invalid", "back": "tracker/track_way", "finish": "attract",
			"enter_id": "tracker/track_card:track_card_place", "enter_id bad": "!invalid",
			"qr": "tracker/track_card:track_card_place", "qr unreadable": "tracker/track_card:track_qr_invalid",
			"qr receipt": "tracker/track_lookup",
		},
		"tracker/track_card, card read": {
			"track_type": "tracker/track_code", "track_card": "tracker/track_card:track_card", "track_code": "tracker/track_lookup",
			"track_code bad": "!invalid", "back": "tracker/track_way", "finish": "attract",
			"enter_id": "tracker/track_card:track_card_place", "enter_id bad": "!invalid",
			"qr": "tracker/track_card:track_card_place", "qr unreadable": "tracker/track_card:track_qr_invalid",
			"qr receipt":   "tracker/track_lookup",
			"card present": "tracker/track_reading", "card identified": "=", "card read": "tracker/track_lookup",
			"card removed": "tracker/track_card:card_removed", "card not genuine": "tracker/track_way:card_not_genuine",
		},
		"tracker/track_reading": {
			"back": "tracker/track_way", "finish": "attract", "idle timeout": "=",
			"card present": "=", "card identified": "=", "card read": "tracker/track_lookup",
			"card removed": "tracker/track_card:card_removed", "card not genuine": "tracker/track_way:card_not_genuine",
		},
		"tracker/track_lookup": {
			"back": "tracker/track_way", "finish": "attract", "idle timeout": "=",
			"central answers": "tracker/track_result", "central offline": "tracker/track_result:track_offline_local",
			"central not found": "tracker/track_way:track_not_found",
		},
		"tracker/track_lookup, holder": {
			"back": "tracker/track_way", "finish": "attract", "idle timeout": "=",
			"central answers": "tracker/track_list", "central offline": "tracker/track_way:track_offline",
			"central not found": "tracker/track_way:track_not_found",
		},
		"tracker/track_result": {
			"track_type": "tracker/track_code", "track_card": "tracker/track_card:track_card", "track_code": "tracker/track_lookup",
			"track_code bad": "!invalid", "back": "tracker/track_way", "finish": "attract",
			"qr": "tracker/track_card:track_card_place", "qr unreadable": "tracker/track_result:track_qr_invalid",
			"qr receipt":   "tracker/track_lookup",
			"print_status": "tracker/track_result", "rate": "rating/rate_level", "rate satisfied": "rating/rate_thanks",
			"rate dissatisfied": "rating/rate_reasons",
		},
		"tracker/track_list": {
			"track_type": "tracker/track_code", "track_card": "tracker/track_card:track_card", "track_code": "tracker/track_lookup",
			"track_code bad": "!invalid", "back": "tracker/track_way", "finish": "attract",
			"qr": "tracker/track_card:track_card_place", "qr unreadable": "tracker/track_list:track_qr_invalid",
			"qr receipt":   "tracker/track_lookup",
			"track_select": "tracker/track_result",
		},
		"tracker/track_result, offline": {
			"track_type": "tracker/track_code", "track_card": "tracker/track_card:track_card", "track_code": "tracker/track_lookup",
			"track_code bad": "!invalid", "back": "tracker/track_way", "finish": "attract",
			"qr": "tracker/track_card:track_card_place", "qr unreadable": "tracker/track_result:track_qr_invalid",
			"qr receipt": "tracker/track_lookup",
		},
		"tracker/track_result, printing": {
			"track_type": "tracker/track_code", "track_card": "tracker/track_card:track_card", "track_code": "tracker/track_lookup",
			"track_code bad": "!invalid", "back": "tracker/track_way", "finish": "attract",
			"qr": "tracker/track_card:track_card_place", "qr unreadable": "tracker/track_result:track_qr_invalid",
			"qr receipt": "tracker/track_lookup",
			"rate":       "rating/rate_level", "rate satisfied": "rating/rate_thanks", "rate dissatisfied": "rating/rate_reasons",
			"slip printed": "tracker/track_result", "slip failed": "tracker/track_result",
		},
		"queue/queue_choose, counters asked": {
			"take_ticket": "queue/queue_taking", "take_ticket bad": "!invalid", "back": "attract", "finish": "attract",
			"central answers": "queue/queue_choose", "central offline": "queue/queue_choose:queue_offline",
			"central not found": "queue/queue_choose:queue_failed",
		},
		"queue/queue_choose": {
			"take_ticket": "queue/queue_taking", "take_ticket bad": "!invalid", "back": "attract", "finish": "attract",
		},
		"queue/queue_taking": {
			"cancel": "attract", "idle timeout": "=",
			"central answers": "queue/queue_ticket", "central offline": "queue/queue_choose:queue_offline",
			"central not found": "queue/queue_choose:queue_failed",
		},
		"queue/queue_ticket": {
			"back": "attract", "finish": "attract",
			"slip printed": "queue/queue_ticket", "slip failed": "queue/queue_ticket",
		},
		"rating/rate_level": {
			"rate": "!invalid", "rate satisfied": "rating/rate_thanks", "rate dissatisfied": "rating/rate_reasons",
			"back": "tracker/track_result", "finish": "attract",
		},
		"rating/rate_reasons": {
			"rate_reason": "rating/rate_reasons", "rate_comment": "rating/rate_reasons", "rate_send": "rating/rate_thanks",
			"back": "rating/rate_level", "finish": "attract",
		},
		"consent": {
			"notify_channel": "consent/editing", "notify_contact": "consent/editing",
			"notify_channel bad": "!invalid", "notify_contact bad": "!invalid",
		},
		"consent, sms chosen": {
			"agree": "!invalid", "back": "review/editing",
			"notify_channel": "consent/editing", "notify_contact": "consent/editing",
			"notify_channel bad": "!invalid", "notify_contact bad": "!invalid",
		},
		"submitting, fee asked": {
			"cancel": "!now", "idle timeout": "=",
			"central answers": "payment/pay_qr", "central offline": "receipt/printing", "central not found": "receipt/printing",
		},
		"payment/pay_qr, end of session": {
			"cancel": "receipt/printing", "idle timeout": "receipt/printing",
			"pay_later": "receipt/printing", "back": "receipt/printing", "finish": "receipt/printing",
			"central answers": "payment/pay_paid:pay_paid", "central offline": "payment/pay_qr:pay_unconfirmed",
			"central not found": "payment/pay_qr:pay_unconfirmed",
		},
		// Paid at the end of a session: the biên lai prints, then the dossier's receipt; a citizen
		// who goes on (or is timed out) meanwhile gets the receipt at once.
		"payment/pay_paid, end of session": {
			"cancel": "receipt/printing", "idle timeout": "receipt/printing", "finish": "receipt/printing",
			"slip printed": "receipt/printing", "slip failed": "receipt/printing",
		},
		"receipt/printing, fee owed": {
			"cancel": "!now", "idle timeout": "receipt/printing",
			"printed": "done/printed:done", "print unconfirmed": "done/printed:done_print_unconfirmed",
			"print failed": "receipt/print_failed:print_failed",
		},
		"done, fee owed": {
			"finish": "attract", "done timeout": "attract", "queue": "queue/queue_choose",
			"rate": "rating/rate_level", "rate satisfied": "rating/rate_thanks", "rate dissatisfied": "rating/rate_reasons",
		},
		"tracker/track_result, fee": {
			"track_type": "tracker/track_code", "track_card": "tracker/track_card:track_card", "track_code": "tracker/track_lookup",
			"track_code fee": "tracker/track_lookup",
			"track_code bad": "!invalid", "back": "tracker/track_way", "finish": "attract",
			"qr": "tracker/track_card:track_card_place", "qr unreadable": "tracker/track_result:track_qr_invalid",
			"qr receipt":   "tracker/track_lookup",
			"print_status": "tracker/track_result", "pay": "payment/pay_qr",
		},
		"payment/pay_qr, tracker, asking": {
			"pay_later": "tracker/track_result", "back": "tracker/track_result", "finish": "attract",
			"central answers": "payment/pay_qr", "central offline": "tracker/track_result:pay_offline",
			"central not found": "tracker/track_result:pay_failed",
		},
		"payment/pay_qr, tracker": {
			"pay_later": "tracker/track_result", "back": "tracker/track_result", "finish": "attract",
			"central answers": "payment/pay_paid:pay_paid", "central offline": "payment/pay_qr:pay_unconfirmed",
			"central not found": "payment/pay_qr:pay_unconfirmed",
		},
		"payment/pay_paid, tracker": {
			"finish": "attract", "slip printed": "payment/pay_paid", "slip failed": "payment/pay_paid",
		},
		"rating/rate_thanks": {
			"finish": "attract", "idle timeout": "attract", "done timeout": "attract",
			"rating stored": "rating/rate_thanks:rating_thanks", "rating not stored": "rating/rate_thanks:rating_not_stored",
		},
	}
	for _, cs := range cells {
		if want, ok := cs["track_code"]; ok {
			if _, set := cs["track_code fee"]; !set {
				cs["track_code fee"] = want
			}
		}
	}
	for row, cs := range cells {
		if transitionCells[row] == nil {
			transitionCells[row] = map[string]string{}
		}
		for ev, want := range cs {
			transitionCells[row][ev] = want
		}
	}
	// "Cần mang theo" prints from the catalogue and from the documents screens (not while scanning).
	transitionCells["choose_procedure"]["print_checklist"] = "choose_procedure"
	for row, at := range map[string]string{"documents/place": "documents/place#0", "documents/preview": "documents/preview#0",
		"documents/preview, mismatch": "documents/preview#0", "documents/place, next": "documents/place#1",
		"documents/preview, digitising": "documents/preview#0", "documents/place, digitising dropped": "documents/place#0"} {
		transitionCells[row]["print_checklist"] = at
	}
	// The identify screens take a receipt's QR code for an unreadable card QR code.
	for _, row := range []string{"identify/qr", "identify/type_key", "identify/type_key, card read given up", "identify/card"} {
		transitionCells[row]["qr receipt"] = "identify/qr:qr_invalid"
	}
}

var errSlip = errorString("máy in hết giấy (paper out)")

type errorString string

func (e errorString) Error() string { return string(e) }
