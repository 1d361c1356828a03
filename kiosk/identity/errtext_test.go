//go:build !nosim

package identity

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/pcsc"
	"github.com/tramso/tramso/drivers/pn532"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/internal/errtext"
)

// Every way a card read fails reads as one bilingual sentence, written by the layer that knows
// the cause: no layer repeats or stacks another Vietnamese sentence on it. Each chain still
// answers errors.Is for the sentinel callers map to the citizen's message (cardMessage) and the
// metrics (cardOutcome).
func TestCardReadErrorsAreOneSentence(t *testing.T) {
	for name, c := range map[string]struct {
		sim  SimOptions
		pn   pn532sim.Config
		bad  bool // a wrong CAN
		wait time.Duration
		want []error // what errors.Is must find in the chain
	}{
		"removed early":    {pn: pn532sim.Config{RemoveAfter: 3}, want: []error{apdu.ErrCardRemoved, pn532.ErrCardRemoved}},
		"removed mid":      {pn: pn532sim.Config{RemoveAfter: 30}, want: []error{apdu.ErrCardRemoved}},
		"wrong CAN":        {bad: true, want: []error{mrtd.ErrAuthentication}},
		"chip refuses key": {sim: SimOptions{WrongKey: true}, want: []error{mrtd.ErrAuthentication}},
		"garbage chip":     {sim: SimOptions{Garbage: true}, want: []error{mrtd.ErrNotSupported}},
		"garbage reader":   {pn: pn532sim.Config{Fault: pn532sim.FaultRandom}, want: []error{pn532.ErrGarbled, apdu.ErrTimeout}},
		"bad checksums":    {pn: pn532sim.Config{Fault: pn532sim.FaultChecksum}, want: []error{pn532.ErrGarbled}},
		"reader refuses":   {pn: pn532sim.Config{Fault: pn532sim.FaultRefuseCommand}, want: []error{pn532.ErrRejected}},
		"silent reader":    {pn: pn532sim.Config{Fault: pn532sim.FaultSilent}, wait: 3 * time.Second, want: []error{apdu.ErrTimeout}},
		"slow card":        {sim: SimOptions{Delay: 300 * time.Millisecond}, wait: 2 * time.Second},
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
			t.Logf("%v", err)
			if werr := errtext.Check(err); werr != nil {
				t.Error(werr)
			}
			for _, w := range c.want {
				if !errors.Is(err, w) {
					t.Errorf("errors.Is(%v) false for %q", w, err)
				}
			}
		})
	}
	// A reader that is not there: the pty is gone, pcscd is not running.
	for name, dev := range map[string]string{
		"no pn532": "pn532:" + filepath.Join(t.TempDir(), "none"),
		"no pcscd": "pcsc:reader?socket=" + filepath.Join(t.TempDir(), "none.comm"),
		"bad name": "nfc:/dev/x",
	} {
		rd, err := OpenReader(ctxT(t, 5*time.Second), dev)
		if err == nil {
			_, err = rd.WaitForCard(ctxT(t, 2*time.Second))
			rd.Close()
		}
		if err == nil {
			t.Fatalf("%s: opened", name)
		}
		t.Logf("%s: %v", name, err)
		if werr := errtext.Check(err); werr != nil {
			t.Errorf("%s: %v", name, werr)
		}
		if name == "no pcscd" && !errors.Is(err, pcsc.ErrNoService) {
			t.Errorf("%s: %v is not pcsc.ErrNoService", name, err)
		}
		if name != "bad name" && !errors.Is(err, apdu.ErrReaderGone) { // cardMessage: "reader_gone"
			t.Errorf("%s: %v is not apdu.ErrReaderGone", name, err)
		}
	}
	for _, s := range []string{"12345", "12345a"} {
		if _, err := KeyFromCAN(s); errtext.Check(err) != nil {
			t.Errorf("CAN %q: %v", s, errtext.Check(err))
		}
	}
	// mrtd words a bad MRZ key as its sentence with the reason in English.
	for _, s := range []string{"DOC,1,2", ",890312,310312", "DOC!,890312,310312", "DOC,1"} {
		_, err := KeyFromMRZ(s)
		if err == nil {
			t.Fatalf("MRZ key %q accepted", s)
		}
		if werr := errtext.Check(err); werr != nil {
			t.Errorf("MRZ key %q: %v", s, werr)
		}
	}
	if _, err := KeyFromMRZ("DOC,1,2"); !errors.Is(err, mrtd.ErrInvalidKey) {
		t.Errorf("MRZ key: %v is not mrtd.ErrInvalidKey", err)
	}
	if _, err := ParseDate("02/03/1989"); errtext.Check(err) != nil {
		t.Error(errtext.Check(err))
	}
}
