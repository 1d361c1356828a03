package session

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
)

// The session's transition table: every state of the journey × every event (each action made on
// the current view, each action made on a view that is gone, each answer of a device, the clock
// passing the idle and done timeouts, and the late results of device work that was superseded).
// The session is driven by hand, with no loop and no sleeps: the devices are fakes at the
// session's own device interfaces that hand every call to the test and block until the test
// answers it, the clock is Config.Now, and the results the device goroutines post are handled one
// at a time as Run would handle them.
//
// A cell says what the event does in the state:
//
//	"="        accepted (or dropped) and nothing on the screen changes
//	"!now"     refused with ErrNotNow, nothing changes
//	"!stale"   refused with ErrStale, nothing changes
//	"!invalid" refused with ErrInvalid; the citizen stays on the same screen (told why)
//	"-"        cannot happen: no call of that device is outstanding in the state
//	"s/step#d:code"  accepted: the screen is then state s, step, document d (in the documents
//	           state) with the message code (when given)
//
// Refused actions are also checked to publish the current view (the local API answers them with
// it). Events a row does not list take commonCells, else the default of their kind
// (transitionDefault).

// States of the table: each is reached by a walk of events from the attract screen.
var transitionStates = []struct {
	name string
	walk []string
}{
	{"attract", nil},
	{"identify/qr", []string{"start"}},
	{"identify/type_key", []string{"start", "type_key"}},
	// The citizen gave up waiting for the card and types instead: the read still runs, unwanted.
	{"identify/type_key, card read given up", []string{"start", "enter_id", "type_key"}},
	{"identify/card", []string{"start", "enter_id"}},
	{"identify/reading", []string{"start", "enter_id", "card present"}},
	{"choose_procedure", []string{"start", "enter_id", "card present", "card read"}},
	{"documents/place", []string{"start", "enter_id", "card read", "choose"}},
	{"documents/scanning", []string{"start", "enter_id", "card read", "choose", "scan"}},
	{"documents/preview", []string{"start", "enter_id", "card read", "choose", "scan", "scan page"}},
	{"documents/preview, mismatch", []string{"start", "enter_id", "card read", "choose", "scan", "scan blank"}},
	{"documents/place, next", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept"}},
	// Back to a document being digitised, and its pages dropped for a rescan: the OCR still runs.
	{"documents/preview, digitising", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "back"}},
	{"documents/place, digitising dropped", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "back", "rescan"}},
	{"documents/scanning, optional", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "scan"}},
	{"review/processing", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "skip"}},
	{"review/editing", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "skip", "ocr done"}},
	{"consent", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "skip", "ocr done", "confirm"}},
	{"submitting", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "skip", "ocr done", "confirm", "agree"}},
	{"receipt/printing", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "skip", "ocr done", "confirm", "agree", "committed"}},
	{"receipt/print_failed", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "skip", "ocr done", "confirm", "agree", "committed", "print failed"}},
	{"done", []string{"start", "enter_id", "card read", "choose", "scan", "scan page", "accept", "skip", "ocr done", "confirm", "agree", "committed", "printed"}},
}

// The cells that differ from the defaults; common applies to every state unless it says otherwise.
var (
	commonCells = map[string]string{
		"cancel": "attract", "more_time": "=", "idle timeout": "attract",
		// Outside the documents state an action's document is not looked at: the accept is
		// refused as not applying there.
		"stale document": "!now",
	}
	transitionCells = map[string]map[string]string{
		"attract": {
			"start": "identify/qr", "idle timeout": "=",
			"qr": "identify/card", "qr unreadable": "identify/qr:qr_invalid",
		},
		"identify/qr": {
			"type_key": "identify/type_key", "enter_id": "identify/card", "enter_id bad": "!invalid",
			"enter_mrz": "identify/card", "back": "attract",
			"qr": "identify/card", "qr unreadable": "identify/qr:qr_invalid",
		},
		"identify/type_key": {
			"type_key": "identify/type_key", "enter_id": "identify/card", "enter_id bad": "!invalid",
			"enter_mrz": "identify/card", "back": "attract",
			"qr": "identify/card", "qr unreadable": "identify/qr:qr_invalid",
		},
		"identify/type_key, card read given up": {
			"type_key": "identify/type_key", "enter_id": "identify/card", "enter_id bad": "!invalid",
			"enter_mrz": "identify/card", "back": "attract",
			"qr": "identify/card", "qr unreadable": "identify/qr:qr_invalid",
			"card present": "=", "card identified": "=", "card read": "=", "card removed": "=", "card not genuine": "=",
		},
		"identify/card": {
			"type_key": "identify/type_key", "enter_id": "identify/card", "enter_id bad": "!invalid",
			"enter_mrz": "identify/card", "back": "attract",
			"qr": "identify/card", "qr unreadable": "identify/qr:qr_invalid",
			"card present": "identify/reading", "card identified": "=", "card read": "choose_procedure",
			"card removed": "identify/card:card_removed", "card not genuine": "identify/qr:card_not_genuine",
		},
		"identify/reading": {
			"type_key": "!now", "enter_id": "identify/card", "enter_id bad": "!invalid",
			"enter_mrz": "identify/card", "back": "attract",
			"card present": "=", "card identified": "identify/reading:card_keep_still", "card read": "choose_procedure",
			"card removed": "identify/card:card_removed", "card not genuine": "identify/qr:card_not_genuine",
			"idle timeout": "=",
		},
		"choose_procedure": {
			"search": "choose_procedure", "choose": "documents/place#0", "choose unknown": "!invalid", "back": "attract",
		},
		"documents/place": {
			"scan": "documents/scanning#0", "skip": "!invalid", "back": "choose_procedure/place",
			"stale document": "!stale",
		},
		"documents/scanning": {
			"skip":      "!invalid",
			"scan page": "documents/preview#0", "scan blank": "documents/preview#0:blank_page",
			"scan jam":     "documents/place#0:scan_failed",
			"idle timeout": "=", "stale document": "!stale",
		},
		"documents/preview": {
			"scan": "documents/scanning#0", "accept": "documents/place#1", "rescan": "documents/place#0",
			"skip": "!invalid", "back": "choose_procedure/preview", "stale document": "!stale",
		},
		"documents/preview, mismatch": {
			"scan": "documents/scanning#0", "accept": "!invalid", "keep": "documents/place#1",
			"rescan": "documents/place#0", "skip": "!invalid", "back": "choose_procedure/preview",
			"stale document": "!stale",
		},
		"documents/place, next": {
			"scan": "documents/scanning#1", "skip": "review/processing", "back": "documents/preview#0",
			"ocr done": "documents/place#1", "ocr failed": "documents/place#1",
			"stale document": "!stale",
		},
		"documents/preview, digitising": {
			"scan": "documents/scanning#0", "accept": "documents/place#1", "rescan": "documents/place#0",
			"skip": "!invalid", "back": "choose_procedure/preview", "stale document": "!stale",
			"ocr done": "documents/preview#0", "ocr failed": "documents/preview#0",
		},
		"documents/place, digitising dropped": {
			"scan": "documents/scanning#0", "skip": "!invalid", "back": "choose_procedure/place",
			"ocr done": "=", "ocr failed": "=", "stale document": "!stale",
		},
		"documents/scanning, optional": {
			"skip":      "!invalid",
			"scan page": "documents/preview#1", "scan blank": "documents/preview#1:blank_page",
			"scan jam": "documents/place#1:scan_failed",
			"ocr done": "documents/scanning#1", "ocr failed": "documents/scanning#1",
			"idle timeout": "=", "stale document": "!stale",
		},
		"review/processing": {
			"set_field": "review/processing", "set_field bad": "!invalid", "back": "documents/preview#1",
			"set_field on the other step": "review/processing",
			"ocr done":                    "review/editing", "ocr failed": "documents/preview#0:digitize_failed",
			"idle timeout": "=",
		},
		"review/editing": {
			"set_field": "review/editing", "set_field bad": "!invalid", "confirm": "consent/editing",
			"back": "documents/preview#1", "set_field on the other step": "review/editing",
		},
		"consent": {
			"agree": "submitting", "back": "review/editing",
		},
		"submitting": {
			"cancel": "!now", "idle timeout": "=",
			"committed": "receipt/printing", "not committed": "consent:submit_failed",
		},
		"receipt/printing": {
			// Not wiped while the receipt prints, but the idle warning shows (no time left).
			"cancel": "!now", "idle timeout": "receipt/printing",
			"printed": "done/printed:done", "print unconfirmed": "done/printed:done_print_unconfirmed",
			"print failed": "receipt/print_failed:print_failed",
		},
		"receipt/print_failed": {
			"finish": "done/print_failed:done",
		},
		"done": {
			"finish": "attract", "done timeout": "attract",
		},
	}
)

// defaults by kind of event: an action that does not apply is refused as not now, an action made
// on a gone view as stale, a device answer cannot happen where nothing waits for it, a late result
// is dropped, the clock changes nothing.
func transitionDefault(event string) string {
	switch transitionEvents[event].kind {
	case actionKind:
		return "!now"
	case staleKind:
		return "!stale"
	case deviceKind:
		return "-"
	}
	return "="
}

func TestTransitionTable(t *testing.T) {
	cat, err := catalog.Parse([]byte(transitionCatalogue))
	if err != nil {
		t.Fatal(err)
	}
	for row := range transitionCells {
		if !hasState(row) {
			t.Errorf("cells for a state the table has no walk to: %q", row)
		}
		for ev := range transitionCells[row] {
			if _, ok := transitionEvents[ev]; !ok {
				t.Errorf("%s: cell for an unknown event %q", row, ev)
			}
		}
	}
	for _, st := range transitionStates {
		for _, ev := range transitionEventNames() {
			want, ok := transitionCells[st.name][ev]
			if !ok {
				if want, ok = commonCells[ev]; !ok {
					want = transitionDefault(ev)
				}
			}
			t.Run(st.name+"×"+ev, func(t *testing.T) {
				r := newRig(t, cat)
				defer r.stop()
				for _, step := range st.walk {
					if err, ran := transitionEvents[step].do(r); err != nil || !ran {
						t.Fatalf("walking to %s: %s: %v (ran %v)", st.name, step, err, ran)
					}
					r.collect()
				}
				r.check(ev, want)
			})
		}
	}
}

func hasState(name string) bool {
	for _, st := range transitionStates {
		if st.name == name {
			return true
		}
	}
	return false
}

// check applies event ev in the rig's current state and checks the outcome against cell want.
func (r *rig) check(ev string, want string) {
	r.t.Helper()
	e := transitionEvents[ev]
	if want == "-" {
		if n := r.outstanding(e.device); n != 0 {
			r.t.Fatalf("the table says no %s call is outstanding, there are %d: say what its answer does", e.device, n)
		}
		return
	}
	before := r.s.view()
	err, ran := e.do(r)
	if !ran {
		r.t.Fatalf("no %s call outstanding, the table says %q", e.device, want)
	}
	after := r.s.view()
	if e.kind == actionKind || e.kind == staleKind {
		// The action's answer is the view after it: published before the reply.
		if pub := r.m.View(); !sameView(pub, after) {
			r.t.Errorf("published view %s, current %s", viewLabel(pub), viewLabel(after))
		}
	}
	switch {
	case want == "=":
		if err != nil {
			r.t.Fatalf("refused: %v", err)
		}
		if !sameView(before, after) {
			r.t.Fatalf("the screen changed: %s → %s\nbefore %+v\nafter  %+v", viewLabel(before), viewLabel(after), before, after)
		}
	case strings.HasPrefix(want, "!"):
		sentinel := map[string]error{"!now": ErrNotNow, "!stale": ErrStale, "!invalid": ErrInvalid}[want]
		if sentinel == nil {
			r.t.Fatalf("bad cell %q", want)
		}
		if !errors.Is(err, sentinel) {
			r.t.Fatalf("%v, want %v; now at %s", err, sentinel, viewLabel(after))
		}
		if want != "!invalid" && !sameView(before, after) {
			r.t.Fatalf("a refused action changed the screen: %s → %s", viewLabel(before), viewLabel(after))
		}
		if want == "!invalid" && viewLabel(after) != viewLabel(before) {
			r.t.Fatalf("an invalid value moved the citizen: %s → %s", viewLabel(before), viewLabel(after))
		}
	default:
		if err != nil {
			r.t.Fatalf("refused: %v; want %s", err, want)
		}
		label, code, _ := strings.Cut(want, ":")
		if got := viewLabel(after); got != label {
			r.t.Fatalf("now at %s, want %s (message %+v)", got, label, after.Message)
		}
		if code != "" && (after.Message == nil || after.Message.Code != code) {
			r.t.Fatalf("message %+v, want %s", after.Message, code)
		}
	}
}

// viewLabel names a screen: state, step and, in the documents state, the current document.
func viewLabel(v View) string {
	s := string(v.State)
	if v.Step != "" {
		s += "/" + string(v.Step)
	}
	if v.State == wire.Documents {
		s += fmt.Sprintf("#%d", v.Current)
	}
	return s
}

func sameView(a, b View) bool {
	a.Seq, b.Seq = 0, 0
	return reflect.DeepEqual(a, b)
}
