package escpossim

import (
	"bytes"
	"testing"
)

// An autocutter error stops the printer and is reported where Epson reports it; it outlives its
// cause until the host recovers it with DLE ENQ 1 (resume) or DLE ENQ 2 (clear, then resume).
func TestCutterError(t *testing.T) {
	status := []byte{0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4}
	p := newTestPrinter(t, Config{})
	p.Write([]byte{0x1D, 'a', 0x0F})
	drain(p)
	p.SetCutterJam(true)
	if got := drain(p); !bytes.Equal(got, []byte{0x18, 0x08, 0, 0}) {
		t.Fatalf("ASB on the cutter error % X, want 18 08 00 00", got)
	}
	p.Write(status)
	if got := drain(p); !bytes.Equal(got, []byte{0x1A, 0x52, 0x1A, 0x12}) {
		t.Fatalf("DLE EOT 1-4 with a cutter error % X, want 1A 52 1A 12", got)
	}
	job := new(job).init().line("sau lỗi").cut().b
	p.Write(job)
	p.Write([]byte{0x10, 0x05, 1}) // still jammed: no recovery
	if st := p.Status(); !st.CutterError || !st.Stopped || st.Receipts != 0 {
		t.Fatalf("jammed, after DLE ENQ 1: %+v", st)
	}
	p.SetCutterJam(false) // the jam is gone, the error is not
	if st := p.Status(); !st.CutterError || st.CutterJam || st.Receipts != 0 {
		t.Fatalf("jam cleared before recovery: %+v", st)
	}
	drain(p)
	p.Write([]byte{0x10, 0x05, 1}) // resume: the buffered job prints
	if st := p.Status(); st.CutterError || st.Receipts != 1 {
		t.Fatalf("after DLE ENQ 1: %+v", st)
	}
	if got := drain(p); !bytes.Equal(got, []byte{0x10, 0, 0, 0}) {
		t.Fatalf("ASB on recovery % X", got)
	}

	// DLE ENQ 2 recovers after throwing the waiting job away.
	p.SetCutterJam(true)
	p.Write(job)
	p.SetCutterJam(false)
	p.Write([]byte{0x10, 0x05, 2})
	if st := p.Status(); st.CutterError || st.Receipts != 1 || st.Buffered != 0 {
		t.Fatalf("after DLE ENQ 2: %+v", st)
	}
	if err := p.Fault("cutter-jam"); err != nil || !p.Status().CutterJam {
		t.Fatalf("Fault(cutter-jam): %v", err)
	}
	if err := p.Fault("cutter-clear"); err != nil || p.Status().CutterJam || !p.Status().CutterError {
		t.Fatalf("Fault(cutter-clear): %v %+v", err, p.Status())
	}
}
