//go:build !nosim

package identity

import (
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/internal/errtext"
)

// Every way a card read fails reads as one bilingual sentence, written by the layer that knows
// the cause: no layer repeats or stacks another Vietnamese sentence on it.
func TestCardReadErrorsAreOneSentence(t *testing.T) {
	for name, c := range map[string]struct {
		sim  SimOptions
		pn   pn532sim.Config
		bad  bool // a wrong CAN
		wait time.Duration
		// known: the chain still holds two sentences (a driver sentinel wrapping apdu's status
		// or timeout sentence); only a repeated sentence fails it.
		known bool
	}{
		"removed early":  {pn: pn532sim.Config{RemoveAfter: 3}},
		"removed mid":    {pn: pn532sim.Config{RemoveAfter: 30}},
		"wrong CAN":      {bad: true, known: true},
		"garbage chip":   {sim: SimOptions{Garbage: true}, known: true},
		"garbage reader": {pn: pn532sim.Config{Fault: pn532sim.FaultRandom}, known: true},
		"silent reader":  {pn: pn532sim.Config{Fault: pn532sim.FaultSilent}, wait: 3 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, citizenFile, c.sim, c.pn)
			key, _ := KeyFromCAN(r.card.CAN)
			if c.bad {
				key, _ = KeyFromCAN("999999")
			}
			wait := c.wait
			if wait == 0 {
				wait = 20 * time.Second
			}
			_, err := r.read(t, ctxT(t, wait), key, Options{})
			if err == nil {
				t.Fatal("read succeeded")
			}
			check := errtext.Check
			if c.known {
				check = errtext.NoRepeat
			}
			if werr := check(err); werr != nil {
				t.Error(werr)
			}
		})
	}
	for _, s := range []string{"12345", "12345a"} {
		if _, err := KeyFromCAN(s); errtext.Check(err) != nil {
			t.Errorf("CAN %q: %v", s, errtext.Check(err))
		}
	}
	// mrtd words a bad MRZ key as its sentinel and the reason, two sentences: not repeated.
	if _, err := KeyFromMRZ("DOC,1,2"); errtext.NoRepeat(err) != nil || err == nil {
		t.Errorf("MRZ key: %v", err)
	}
	if _, err := ParseDate("02/03/1989"); errtext.Check(err) != nil {
		t.Error(errtext.Check(err))
	}
}
