//go:build !nosim

package daemon

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/ocr/preprocess"
)

// feed puts pages into the simulated scanner's feeder as the citizen would: "sheet N" (a sample
// paper), "blank" (a white page) or "upside-down N" (sample paper N turned over).
func (k *kiosk) feed(what string) {
	k.t.Helper()
	var n int
	switch {
	case strings.HasPrefix(what, "sheet "):
		fmt.Sscan(strings.TrimPrefix(what, "sheet "), &n)
		k.control(http.MethodPost, "scanner", map[string]any{"load": n})
		return
	case strings.HasPrefix(what, "upside-down "):
		fmt.Sscan(strings.TrimPrefix(what, "upside-down "), &n)
	}
	feeder := filepath.Join(k.sim.Dir, "feeder")
	old, _ := os.ReadDir(feeder)
	for _, e := range old {
		os.Remove(filepath.Join(feeder, e.Name()))
	}
	var img *image.Gray
	if n > 0 {
		f, err := os.ReadFile(filepath.Join(k.sim.Dir, "sheets", fmt.Sprintf("sheet-%02d.png", n)))
		if err != nil {
			k.t.Fatal(err)
		}
		src, _, err := scanner.DecodePage(f, 200, 1<<26)
		if err != nil {
			k.t.Fatal(err)
		}
		g, _ := preprocess.Gray(src)
		img = preprocess.Rotate90(g, 2)
	} else {
		img = image.NewGray(image.Rect(0, 0, 1654, 2339)) // A4 at 200 dpi
		draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	}
	out, err := os.Create(filepath.Join(feeder, "page-01.png"))
	if err != nil {
		k.t.Fatal(err)
	}
	defer out.Close()
	if err := scanner.EncodePNG(out, img, 200); err != nil {
		k.t.Fatal(err)
	}
}

// scanFor scans what is fed and returns the first view that shows the preview, checking that the
// preview was served by then and not before the scan.
func (k *kiosk) scanFor(what string) wire.View {
	k.t.Helper()
	k.feed(what)
	v := k.act(wire.ActScan, "")
	if d := v.Documents[v.Current]; v.Step != wire.StepScanning || d.PreviewReady || d.Mismatch != nil {
		k.t.Fatalf("%s: while scanning: step %s, document %+v", what, v.Step, d)
	}
	if v.Documents[v.Current].Pages == 0 {
		// Served only once the view says so: a page served now means the view already says ready.
		if _, err := k.c.Preview(k.ctx(5*time.Second), v.Current, 0); err == nil {
			if now, _ := k.c.View(k.ctx(5 * time.Second)); !now.Documents[v.Current].PreviewReady {
				k.t.Fatalf("%s: preview served before the view said it was ready", what)
			}
		}
	}
	v = k.waitFor("preview of "+what, 60*time.Second, func(v wire.View) bool {
		return v.Step == wire.StepPreview || (v.Message != nil && v.Message.Code == "scan_failed")
	})
	d := v.Documents[v.Current]
	if v.Step != wire.StepPreview || !d.PreviewReady || d.Pages == 0 {
		k.t.Fatalf("%s: the preview step came without its preview: %+v %+v", what, v.Message, d)
	}
	img, err := k.c.Preview(k.ctx(5*time.Second), v.Current, d.Pages-1)
	if err != nil {
		k.t.Fatalf("%s: the view says the preview is ready, the API does not serve it: %v", what, err)
	}
	if b := img.Bounds(); max(b.Dx(), b.Dy()) > previewSide || min(b.Dx(), b.Dy()) < 100 {
		k.t.Fatalf("%s: preview of %v", what, b)
	}
	return v
}

func TestWrongPaperWarning(t *testing.T) {
	k := startKiosk(t, nil)
	k.identify()
	v := k.act(wire.ActChoose, "1.001193")
	if v.Documents[2].Type != "giay-to-tuy-than" {
		t.Fatalf("documents %+v", v.Documents)
	}

	// The right papers: no warning, and keep has nothing to keep.
	for doc, sheet := range []string{"sheet 1", "sheet 2"} {
		v = k.scanFor(sheet)
		if d := v.Documents[doc]; d.Mismatch != nil || v.Message != nil {
			t.Fatalf("%s for %s warned: %+v %+v", sheet, d.Name, d.Mismatch, v.Message)
		}
		if _, err := k.c.Act(k.ctx(5*time.Second), wire.ActKeep, ""); err == nil {
			t.Fatal("keep accepted on a page without a warning")
		}
		v = k.act(wire.ActAccept, "")
	}
	if v.Current != 2 || v.Step != wire.StepPlace {
		t.Fatalf("not at the ID copy: %d %s", v.Current, v.Step)
	}

	// The birth certificate offered as the ID copy.
	v = k.scanFor("sheet 2")
	d := v.Documents[2]
	if d.Mismatch == nil || d.Mismatch.Code != "paper_mismatch" || !strings.Contains(d.Mismatch.Vi, "Giấy chứng sinh") ||
		d.Mismatch.En == "" || v.Message == nil || v.Message.Code != "paper_mismatch" || d.Kept {
		t.Fatalf("birth certificate as the ID copy: mismatch %+v, message %+v", d.Mismatch, v.Message)
	}
	// Accept is refused while the warning is unanswered, and nothing moves.
	_, err := k.c.Act(k.ctx(5*time.Second), wire.ActAccept, "")
	var p *client.Problem
	if !errors.As(err, &p) || p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Detail, "Quét lại") {
		t.Fatalf("accept over the warning: %v", err)
	}
	if v, _ = k.c.View(k.ctx(5 * time.Second)); v.Current != 2 || v.Step != wire.StepPreview || v.Documents[2].Status != "scanned" {
		t.Fatalf("the refused accept moved the session: %d %s %s", v.Current, v.Step, v.Documents[2].Status)
	}
	// Rescan drops the pages and the warning.
	v = k.act(wire.ActRescan, "")
	if d := v.Documents[2]; v.Step != wire.StepPlace || d.Mismatch != nil || d.Pages != 0 || d.PreviewReady || v.Message != nil {
		t.Fatalf("after rescan: %s %+v %+v", v.Step, d, v.Message)
	}

	// A blank page and a page upside down are warned about too.
	for what, code := range map[string]string{"blank": "blank_page", "upside-down 3": "upside_down"} {
		v = k.scanFor(what)
		if d := v.Documents[2]; d.Mismatch == nil || d.Mismatch.Code != code || !strings.Contains(d.Mismatch.Vi, "Trang 1") {
			t.Fatalf("%s: mismatch %+v", what, d.Mismatch)
		}
		k.act(wire.ActRescan, "")
	}

	// The right paper is not warned about, even after the warnings (absence).
	v = k.scanFor("sheet 3")
	if d := v.Documents[2]; d.Mismatch != nil || v.Message != nil {
		t.Fatalf("the ID copy warned: %+v %+v", d.Mismatch, v.Message)
	}
	k.act(wire.ActRescan, "")

	// The citizen keeps the birth certificate as the ID copy: it is filed, marked for staff.
	k.scanFor("sheet 2")
	v = k.act(wire.ActKeep, "")
	if d := v.Documents[2]; !d.Kept || d.Status != "processing" && d.Status != "done" {
		t.Fatalf("after keep: %+v", d)
	}
	if v.State == wire.Documents && !v.Documents[v.Current].Required {
		k.act(wire.ActSkip, "")
	}
	v = k.submit()
	if v.Receipt == nil {
		t.Fatalf("not submitted: %+v", v)
	}
	var got []struct {
		DossierCode string `json:"dossierCode"`
		Attachments []struct {
			Type     string            `json:"type"`
			Pages    int               `json:"pages"`
			Mismatch *dossier.Mismatch `json:"mismatch"`
		} `json:"attachments"`
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(got) == 0 && time.Now().Before(deadline) {
		k.c.Sim(k.ctx(10*time.Second), http.MethodGet, "central", nil, &got)
		time.Sleep(200 * time.Millisecond)
	}
	if len(got) != 1 || len(got[0].Attachments) != 3 {
		t.Fatalf("central holds %+v", got)
	}
	for _, a := range got[0].Attachments {
		if a.Pages != 1 {
			t.Errorf("%s: %d pages, want the 1 scanned", a.Type, a.Pages)
		}
		switch {
		case a.Type == "giay-to-tuy-than" && (a.Mismatch == nil || a.Mismatch.Code != dossier.MismatchPaper || a.Mismatch.LooksLike != "giay-chung-sinh" || a.Mismatch.Page != 1):
			t.Errorf("the kept ID copy is not marked: %+v", a.Mismatch)
		case a.Type != "giay-to-tuy-than" && a.Mismatch != nil:
			t.Errorf("%s marked though it matched: %+v", a.Type, a.Mismatch)
		}
	}
	// Staff see it in today's dossiers.
	pin, err := os.ReadFile(filepath.Join(k.sim.Dir, SimStaffPINFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := k.c.StaffLogin(k.ctx(10*time.Second), strings.TrimSpace(string(pin))); err != nil {
		t.Fatal(err)
	}
	var list []struct {
		ReceiptNo string `json:"receiptNo"`
		Check     string `json:"check"`
	}
	if err := k.c.Staff(k.ctx(10*time.Second), http.MethodGet, "dossiers", &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || !strings.Contains(list[0].Check, "giay-to-tuy-than: paper_mismatch → giay-chung-sinh") {
		t.Fatalf("staff list %+v", list)
	}
}
