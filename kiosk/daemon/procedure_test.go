//go:build !nosim

package daemon

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// The procedure's detail, end to end through the local API on the simulated kiosk (with the
// catalogue synced from the development central server): what to bring with the originals and
// copies of each paper, the fee, the processing time, the counter that serves it and its page; its
// checklist printed from it; back to the list; and only the procedure shown can be gone on with.
func TestProcedureDetail(t *testing.T) {
	k := startKiosk(t, nil)
	k.identify()
	pageOf := func(code string) string { return strings.ReplaceAll(procedurePageURL, "{code}", code) }

	v := k.act(wire.ActSearch, "khai sinh")
	if v.Step != "" || v.Procedure != nil || len(v.Documents) != 0 {
		t.Fatalf("the list shows a procedure before one is tapped: %s %+v %d papers", v.Step, v.Procedure, len(v.Documents))
	}
	for _, p := range v.Procedures {
		if p.PageURL != "" || p.Where != "" {
			t.Fatalf("the list carries a detail: %+v", p)
		}
	}
	if _, err := k.c.Act(k.ctx(5*time.Second), wire.ActProcedure, "9.999999"); err == nil {
		t.Fatal("the detail of an unknown procedure was shown")
	}

	v = k.act(wire.ActProcedure, "1.001193")
	if v.State != wire.ChooseProcedure || v.Step != wire.StepProcedure || v.Procedure == nil || v.Procedure.Code != "1.001193" {
		t.Fatalf("procedure: %s/%s %+v", v.State, v.Step, v.Procedure)
	}
	pr := v.Procedure
	if pr.PageURL != pageOf("1.001193") || pr.Fee == "" || pr.ProcessingTime == "" || pr.Documents != 4 {
		t.Fatalf("detail %+v", pr)
	}
	// Each paper with how many originals and copies (starter.json), none scanned yet.
	want := map[string][2]int{"to-khai-khai-sinh": {1, 0}, "giay-chung-sinh": {1, 0}, "giay-to-tuy-than": {0, 1}, "giay-chung-nhan-ket-hon": {0, 1}}
	if len(v.Documents) != len(want) {
		t.Fatalf("%d papers on the detail, want %d", len(v.Documents), len(want))
	}
	for _, d := range v.Documents {
		if w, ok := want[d.Type]; !ok || d.Originals != w[0] || d.Copies != w[1] || d.Status != wire.DocMissing || d.Pages != 0 {
			t.Fatalf("paper %+v, want %v originals/copies", d, w)
		}
	}
	// Where to go: the counter the queue service says serves it.
	v = k.waitFor("the counter serving it", 20*time.Second, func(v wire.View) bool {
		return v.Procedure != nil && strings.HasPrefix(v.Procedure.Where, "Quầy 1 · Hộ tịch, Bộ phận Một cửa")
	})
	if v.Step != wire.StepProcedure {
		t.Fatalf("the counter's answer moved the screen: %s/%s", v.State, v.Step)
	}

	// The checklist, printed from the detail, on the simulated printer, with the page's QR code.
	before := len(k.pieces(0))
	k.act(wire.ActPrintChecklist, "1.001193")
	v = k.waitSlip(wire.SlipChecklist)
	if v.State != wire.ChooseProcedure || v.Step != wire.StepProcedure || v.Services.Slip.State != wire.SlipPrinted {
		t.Fatalf("after the checklist: %s/%s %+v", v.State, v.Step, v.Services.Slip)
	}
	got := k.pieces(before)
	if len(got) != 1 || got[0].Partial || !slices.Contains(got[0].QR, pageOf("1.001193")) {
		t.Fatalf("%d pieces printed; want the checklist with the QR of %s", len(got), pageOf("1.001193"))
	}
	if qrs := vietQRs(t, got[0]); len(qrs) != 0 {
		t.Fatalf("the checklist of a free procedure carries a VietQR: %+v", qrs)
	}

	// Another procedure cannot be gone on with from this one's detail: refused, nothing changes.
	_, err := k.c.Act(k.ctx(5*time.Second), wire.ActChoose, "2.000884")
	var p *client.Problem
	if !errors.As(err, &p) || p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("choose of another procedure from the detail: %v", err)
	}
	if v, _ = k.c.View(k.ctx(5 * time.Second)); v.Step != wire.StepProcedure || v.Procedure == nil || v.Procedure.Code != "1.001193" {
		t.Fatalf("the refused choose moved the screen: %s/%s %+v", v.State, v.Step, v.Procedure)
	}

	// Back: the list again, as it was, with nothing chosen.
	v = k.act(wire.ActBack, "")
	if v.State != wire.ChooseProcedure || v.Step != "" || v.Procedure != nil || len(v.Documents) != 0 ||
		v.Query != "khai sinh" || len(v.Procedures) == 0 || v.Procedures[0].Code != "1.001193" {
		t.Fatalf("back: %s/%s %+v, %d papers, query %q", v.State, v.Step, v.Procedure, len(v.Documents), v.Query)
	}

	// From another procedure's detail, choose (naming it, or not) goes on to its papers.
	v = k.act(wire.ActProcedure, "2.000884")
	if v.Procedure == nil || v.Procedure.Code != "2.000884" || v.Procedure.Fee != "10.000 đồng/trường hợp" || v.Procedure.PageURL != pageOf("2.000884") {
		t.Fatalf("detail of 2.000884: %+v", v.Procedure)
	}
	v = k.act(wire.ActChoose, "")
	if v.State != wire.Documents || v.Step != wire.StepPlace || v.Procedure == nil || v.Procedure.Code != "2.000884" ||
		len(v.Documents) != 2 || v.Documents[0].Type != "giay-to-tuy-than" || v.Documents[0].Copies != 1 {
		t.Fatalf("choose from the detail: %s/%s %+v %+v", v.State, v.Step, v.Procedure, v.Documents)
	}
	if v := k.act(wire.ActCancel, ""); v.State != wire.Attract {
		t.Fatalf("cancel: %s", v.State)
	}
}
