package session

import (
	"errors"
	"fmt"
	"github.com/tramso/tramso/kiosk/api/wire"
	"regexp"
	"testing"

	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/drivers/scanner/escl"
)

// camelIdent matches an ASCII identifier in CamelCase (ScannerAdfJam, ErrJammed, adfState): a
// device's or Go's name, never words for a citizen.
var camelIdent = regexp.MustCompile(`\b[A-Za-z]*[a-z][A-Z][A-Za-z]*\b`)

// The scanner's errors, wrapped the way the eSCL driver wraps them, reach the citizen as words:
// no device status names and no Go identifiers, Vietnamese and English both present.
func TestScanFailureMessagesAreWorded(t *testing.T) {
	errs := []error{
		fmt.Errorf("%w: %s", scanner.ErrJammed, escl.AdfJam),
		fmt.Errorf("%w: %s", scanner.ErrADFEmpty, escl.AdfEmpty),
		fmt.Errorf("%w: %s", scanner.ErrCoverOpen, escl.AdfDoorOpen),
		fmt.Errorf("%w: trạng thái máy quét %s (scanner state)", scanner.ErrIO, escl.StateStopped),
		scanner.ErrBusy, scanner.ErrNoDevice, scanner.ErrAccessDenied, scanner.ErrBadImage,
		scanner.ErrNoMemory, scanner.ErrUnsupported, scanner.ErrInvalid,
		errors.New("escl: GET /eSCL/ScannerStatus: dial unix: ECONNREFUSED in ScanJobs.NextDocument"),
	}
	seen := map[string]bool{}
	for _, err := range errs {
		s := &session{docs: []*doc{{status: "missing"}}}
		s.onScan(nil, nil, err)
		m := s.message
		if m == nil || m.Code != "scan_failed" || m.Vi == "" || m.En == "" {
			t.Fatalf("%v: message %+v", err, m)
		}
		if id := camelIdent.FindString(m.Vi + " " + m.En); id != "" {
			t.Errorf("%v: the citizen is shown %q in %q / %q", err, id, m.Vi, m.En)
		}
		if s.step != wire.StepPlace {
			t.Errorf("%v: step %q, want %q", err, s.step, wire.StepPlace)
		}
		seen[m.Vi] = true
	}
	// A jam and an empty feeder ask for different things.
	jam, empty := scanMessage(scanner.ErrJammed), scanMessage(scanner.ErrADFEmpty)
	if jam.Vi == empty.Vi || !jam.Retry {
		t.Errorf("jam %+v, empty %+v", jam, empty)
	}
	if m := scanMessage(scanner.ErrNoDevice); m.Retry {
		t.Errorf("no scanner offered a retry: %+v", m)
	}
	if len(seen) < 5 {
		t.Errorf("only %d distinct messages for %d errors", len(seen), len(errs))
	}
}
