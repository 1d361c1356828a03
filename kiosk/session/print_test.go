package session

import (
	"errors"
	"github.com/tramso/tramso/kiosk/api/wire"
	"testing"

	"github.com/tramso/tramso/kiosk/catalog"
)

// A receipt sent to a printer that cannot confirm it finishes the session with a message that
// says where to look and what to do if nothing came out; it is never shown as printed. A printer
// that failed keeps the print_failed step.
func TestPrintOutcomes(t *testing.T) {
	cat := catalog.Starter()
	m := New(Config{}, Devices{}, func() *catalog.Catalogue { return cat })
	for _, c := range []struct {
		err     error
		state   wire.State
		step    wire.Step
		code    string
		printed bool
	}{
		{nil, wire.Done, wire.StepPrinted, "done", true},
		{ErrPrintUnconfirmed, wire.Done, wire.StepPrinted, "done_print_unconfirmed", false},
		{errors.New("máy in hết giấy (paper out)"), wire.Receipt, wire.StepPrintFail, "print_failed", false},
	} {
		s := &session{m: m, state: wire.Receipt, step: wire.StepPrinting, receipt: &Submitted{DossierCode: "K01-20261206-0001"}}
		s.onPrinted(c.err)
		v := s.view()
		if v.State != c.state || v.Step != c.step || v.Message == nil || v.Message.Code != c.code {
			t.Errorf("after %v: %s/%s %+v, want %s/%s %s", c.err, v.State, v.Step, v.Message, c.state, c.step, c.code)
		}
		if v.Receipt == nil || v.Receipt.Printed != c.printed {
			t.Errorf("after %v: receipt %+v, want printed=%v", c.err, v.Receipt, c.printed)
		}
	}
}
