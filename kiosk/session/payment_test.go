package session

import (
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
)

// walkTo plays the transition table's events steps on a fresh rig.
func walkTo(t *testing.T, steps ...string) *rig {
	t.Helper()
	cat, err := catalog.Parse([]byte(transitionCatalogue))
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, cat)
	for _, step := range steps {
		if err, ran := transitionEvents[step].do(r); err != nil || !ran {
			r.stop()
			t.Fatalf("%s: %v (ran %v)", step, err, ran)
		}
		r.collect()
	}
	return r
}

// noReceiptPrint fails when the session asks for a receipt print within a short while.
func (r *rig) noReceiptPrint(why string) {
	r.t.Helper()
	select {
	case <-r.prints:
		r.t.Fatalf("a receipt print was asked for %s", why)
	case <-time.After(100 * time.Millisecond):
	}
}

// Paid at the end of a session: the fee receipt (biên lai) prints first and the dossier's receipt
// only after it, once, whatever the citizen does meanwhile.
func TestPaymentAtTheEndPrintsTheFeeReceiptThenTheReceiptOnce(t *testing.T) {
	paid := []string{"start", "enter_id", "card read", "choose T2", "scan", "scan page", "accept", "ocr done", "confirm", "agree",
		"committed", "central answers", "central answers"}

	t.Run("waits for the biên lai", func(t *testing.T) {
		r := walkTo(t, paid...)
		defer r.stop()
		if r.s.state != wire.Payment || r.s.step != wire.StepPayPaid || r.slip == nil || r.print != nil {
			t.Fatalf("at %s/%s, slip asked %v, receipt asked %v", r.s.state, r.s.step, r.slip != nil, r.print != nil)
		}
		r.noReceiptPrint("while the biên lai prints")
		if v := r.s.view(); v.Services == nil || v.Services.Slip == nil || v.Services.Slip.Kind != wire.SlipFee || v.Services.Payment == nil || !v.Services.Payment.Paid {
			t.Fatalf("the paid screen does not show the biên lai printing: %+v", v.Services)
		}
		if err, _ := serviceAnswer("slip printer", nil).do(r); err != nil {
			t.Fatal(err)
		}
		r.collect()
		if r.s.state != wire.Receipt || r.s.step != wire.StepPrinting || r.print == nil {
			t.Fatalf("after the biên lai: %s/%s, receipt asked %v", r.s.state, r.s.step, r.print != nil)
		}
	})

	for _, ev := range []string{"finish", "cancel", "idle timeout"} {
		t.Run(ev+" while the biên lai prints", func(t *testing.T) {
			r := walkTo(t, paid...)
			defer r.stop()
			if _, ran := transitionEvents[ev].do(r); !ran {
				t.Fatal(ev + " did not run")
			}
			r.collect()
			if r.s.state != wire.Receipt || r.print == nil {
				t.Fatalf("after %s: %s/%s, receipt asked %v", ev, r.s.state, r.s.step, r.print != nil)
			}
			if err, _ := serviceAnswer("slip printer", nil).do(r); err != nil {
				t.Fatal(err)
			}
			r.noReceiptPrint("twice")
			r.print <- nil
			r.print = nil
			r.pump(isEvent[printedEvent])
			if r.s.state != wire.Done {
				t.Fatalf("at %s/%s, want done", r.s.state, r.s.step)
			}
			r.noReceiptPrint("after the receipt")
		})
	}
}
