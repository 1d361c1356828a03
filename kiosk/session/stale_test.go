package session

import (
	"context"
	"errors"
	"image"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// Fake devices that answer at once: the stale-action rules are about the session's bookkeeping,
// which these make fast to walk through every state (kiosk/daemon tests the same through the local
// API on the simulated hardware).
type (
	fakeCard    struct{}
	fakeScanner struct{ gate chan struct{} } // each scan waits for the test to let it through
	fakeDigit   struct{}
	fakeOutbox  struct{}
	fakePrinter struct{}
)

func (fakeCard) ReadCard(ctx context.Context, _ identity.Key, p identity.Progress) (*identity.Result, error) {
	if p.Present != nil {
		p.Present()
	}
	return &identity.Result{PassiveAuth: "valid", Citizen: identity.Citizen{FullName: "Trần Văn Ẩn",
		IDNumber: "079092001234", PlaceOfResidence: "Phường Ô Chợ Dừa, Hà Nội"}}, nil
}

func (f fakeScanner) Scan(ctx context.Context, page func(Page) error) error {
	select {
	case <-f.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return page(Page{Image: image.NewGray(image.Rect(0, 0, 8, 8)), DPI: 200})
}

func (fakeDigit) Prepare(_ context.Context, p Page, _ bool) (*Prepared, error) {
	return &Prepared{Preview: image.NewGray(image.Rect(0, 0, 4, 4))}, nil
}

func (fakeDigit) Digitize(_ context.Context, _ string, pages []*Prepared, fields []catalog.Field, done func(int)) (*Digitized, error) {
	known := map[string]string{"childFullName": "Trần Minh Khang", "childDateOfBirth": "2026-11-10",
		"childSex": "Nam", "placeOfBirth": "Bệnh viện Phụ sản Hà Nội", "relationship": "Cha"}
	got := map[string]Field{}
	for _, f := range fields {
		if v, ok := known[f.Key]; ok {
			got[f.Key] = Field{Value: v, Confidence: 0.99}
		}
	}
	return &Digitized{PDF: []byte("%PDF-1.7"), Pages: len(pages), Fields: got}, nil
}

func (fakeOutbox) Submit(context.Context, *Dossier, time.Duration) (*Submitted, error) {
	return &Submitted{ID: "1", DossierCode: "000.00.21.H26-261206-0001", ReceivedAt: time.Now()}, nil
}

func (fakePrinter) PrintReceipt(context.Context, *Dossier, *Submitted) error { return nil }

// An action names the view it was made on; one made on a view that is no longer current is refused
// with ErrStale in every state and changes nothing, and cancel is honoured from any view of the
// current session.
func TestStaleActionsAreRefusedInEveryState(t *testing.T) {
	cat := catalog.Starter()
	scanner := fakeScanner{gate: make(chan struct{})}
	m := New(Config{}, Devices{Card: fakeCard{}, Scanner: scanner, Digitizer: fakeDigit{},
		Outbox: fakeOutbox{}, Receipts: fakePrinter{}}, func() *catalog.Catalogue { return cat })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx)

	do := func(v View, name wire.ActionName, value string) error {
		t.Helper()
		return m.Do(ctx, wire.ActionOn(v, name, value))
	}
	must := func(v View, name wire.ActionName, value string) View {
		t.Helper()
		if err := do(v, name, value); err != nil {
			t.Fatalf("%s on %s/%s: %v", name, v.State, v.Step, err)
		}
		return m.View()
	}
	// stale checks that the action made on v is refused and the view is unchanged but for seq.
	stale := func(v View, name wire.ActionName, value string) {
		t.Helper()
		before := m.View()
		if err := do(v, name, value); !errors.Is(err, ErrStale) {
			t.Fatalf("%s made on %s/%s (doc %d) while at %s/%s (doc %d): %v, want ErrStale",
				name, v.State, v.Step, v.Current, before.State, before.Step, before.Current, err)
		}
		after := m.View()
		if after.Session != before.Session || after.State != before.State || after.Step != before.Step ||
			after.Current != before.Current || len(after.Documents) != len(before.Documents) {
			t.Fatalf("the stale %s changed the session: %+v → %+v", name, before, after)
		}
		for i := range after.Documents {
			b, a := before.Documents[i], after.Documents[i]
			// a document being digitised may finish meanwhile: that is not the stale action's doing
			moved := a.Status != b.Status && !(b.Status == "processing" && (a.Status == "done" || a.Status == "failed"))
			if moved || a.Pages != b.Pages {
				t.Fatalf("the stale %s changed document %d: %+v → %+v", name, i, before.Documents[i], after.Documents[i])
			}
		}
	}
	waitFor := func(what string, ok func(View) bool) View {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			if v := m.View(); ok(v) {
				return v
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s: at %+v", what, m.View())
			}
		}
	}
	waitFor("attract", func(v View) bool { return v.State == wire.Attract })

	// A first session, cancelled: its views are stale for the next one.
	attract := m.View()
	first := must(attract, wire.ActStart, "")
	stale(attract, wire.ActStart, "") // a double tap on the attract screen
	must(first, wire.ActCancel, "")
	attract = m.View()
	// Actions naming no view still apply to the current one (older clients).
	if err := m.Do(ctx, Action{Action: wire.ActStart}); err != nil {
		t.Fatal(err)
	}
	typing := m.View()
	if typing.State != wire.Identify || typing.Session == "" || typing.Session == first.Session {
		t.Fatalf("second session %+v", typing)
	}

	// identify
	stale(first, wire.ActEnterID, "079092001234") // the previous citizen's screen
	stale(attract, wire.ActStart, "")
	wrongStep := typing
	wrongStep.Step = wire.StepQR
	stale(wrongStep, wire.ActEnterID, "079092001234")
	must(typing, wire.ActEnterID, "079092001234")
	choose := waitFor("the catalogue", func(v View) bool { return v.State == wire.ChooseProcedure })

	// choose_procedure
	stale(typing, wire.ActChoose, "1.001193")
	docs := must(choose, wire.ActChoose, "1.001193")
	if docs.State != wire.Documents || docs.Step != wire.StepPlace || docs.Current != 0 {
		t.Fatalf("after choose: %s/%s doc %d", docs.State, docs.Step, docs.Current)
	}
	stale(choose, wire.ActChoose, "1.001193") // a double tap on the procedure

	// documents: the document index guards every action
	other := docs
	other.Current = 1
	stale(other, wire.ActScan, "")
	noDoc := wire.ActionOn(docs, wire.ActScan, "")
	noDoc.Document = nil
	if err := m.Do(ctx, noDoc); !errors.Is(err, ErrStale) {
		t.Fatalf("a documents action naming no document: %v", err)
	}
	must(docs, wire.ActScan, "")
	stale(docs, wire.ActScan, "") // the second tap of a double tap on Scan
	scanner.gate <- struct{}{}
	preview0 := waitFor("document 0's preview", func(v View) bool { return v.Step == wire.StepPreview && v.Current == 0 })
	place1 := must(preview0, wire.ActAccept, "")
	if place1.Current != 1 || place1.Step != wire.StepPlace || place1.Documents[0].Status == "missing" {
		t.Fatalf("after accepting document 0: %s doc %d, %+v", place1.Step, place1.Current, place1.Documents[0])
	}
	stale(preview0, wire.ActAccept, "") // the same accept again must not accept document 1
	stale(preview0, wire.ActRescan, "")
	stale(preview0, wire.ActScan, "") // a scan made on document 0's preview must not scan into document 1
	stale(preview0, wire.ActSkip, "")
	if v := m.View(); v.Documents[1].Status != "missing" || v.Documents[1].Pages != 0 {
		t.Fatalf("document 1 touched by stale actions: %+v", v.Documents[1])
	}
	v := place1
	for v.State == wire.Documents {
		if !v.Documents[v.Current].Required {
			v = must(v, wire.ActSkip, "")
			continue
		}
		must(v, wire.ActScan, "")
		scanner.gate <- struct{}{}
		cur := v.Current
		p := waitFor("preview", func(x View) bool { return x.Step == wire.StepPreview && x.Current == cur })
		v = must(p, wire.ActAccept, "")
	}

	// review
	editing := waitFor("the form", func(v View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
	processing := editing
	processing.Step = wire.StepProcessing
	stale(processing, wire.ActConfirm, "") // confirm was not on the screen while the papers were read
	stale(preview0, wire.ActSetField, "Trần Minh Khang")
	// A field typed while the papers were still being read lands on the form that came after:
	// the OCR never overwrites what the citizen typed.
	typed := wire.ActionOn(processing, wire.ActSetField, "Trần Minh Khoa")
	typed.Key = "childFullName"
	if err := m.Do(ctx, typed); err != nil {
		t.Fatalf("set_field typed while the papers were read: %v", err)
	}
	set := wire.ActionOn(editing, wire.ActSetField, "Trần Minh Khang")
	set.Key = "childFullName"
	if err := m.Do(ctx, set); err != nil {
		t.Fatalf("set_field on the current form: %v", err)
	}
	consent := must(editing, wire.ActConfirm, "")
	if consent.State != wire.Consent {
		t.Fatalf("after confirm: %+v (%+v)", consent.State, consent.Message)
	}

	// consent
	stale(editing, wire.ActConfirm, "")
	stale(editing, wire.ActBack, "")
	must(consent, wire.ActAgree, "")
	done := waitFor("done", func(v View) bool { return v.State == wire.Done })

	// receipt and done
	printing := done
	printing.State, printing.Step = wire.Receipt, wire.StepPrinting
	stale(printing, wire.ActFinish, "")
	stale(consent, wire.ActAgree, "") // a second agree never submits twice

	// cancel: honoured from a stale view of the same session, refused from another session's
	if err := do(first, wire.ActCancel, ""); !errors.Is(err, ErrStale) {
		t.Fatalf("cancel from the previous session: %v", err)
	}
	if v := m.View(); v.State != wire.Done || v.Session != done.Session {
		t.Fatalf("another session's cancel wiped this one: %+v", v)
	}
	must(preview0, wire.ActCancel, "")
	if v := m.View(); v.State != wire.Attract || v.Session != "" {
		t.Fatalf("cancel from a stale view of the session did not wipe it: %+v", v)
	}
}
