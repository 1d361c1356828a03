//go:build !nosim

package session

import (
	"context"
	"github.com/tramso/tramso/kiosk/api/wire"
	"path/filepath"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// simReader reads the card the way kioskd does (the PN532 driver over a pty to the simulated
// reader with the virtual CCCD), and lets a test act once the identity has been shown.
type simReader struct {
	link       string
	trust      *cccd.TestPKI
	identified func() // run after the session got the identity, before the read goes on
}

func (r simReader) ReadCard(ctx context.Context, key identity.Key, p identity.Progress) (*identity.Result, error) {
	rd, err := identity.OpenReader(ctx, "pn532:"+r.link)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	tr, err := rd.WaitForCard(ctx)
	if err != nil {
		return nil, err
	}
	p.Present()
	return identity.Read(ctx, tr, key, identity.Options{Trust: r.trust.TrustStore(), OnIdentity: func(pv identity.Preview) {
		p.Identified(pv)
		if r.identified != nil {
			r.identified()
		}
	}})
}

type identifyRig struct {
	m    *Machine
	sim  *pn532sim.Simulator
	card *identity.SimCard
}

func newIdentifyRig(t *testing.T, identified func(*identifyRig)) *identifyRig {
	t.Helper()
	pki, err := cccd.NewTestPKI("")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := identity.NewSimCard("../identity/testdata/citizen.json", pki, identity.SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	link := filepath.Join(t.TempDir(), "nfc")
	sim, err := pn532sim.Serve(ctx, link, pn532sim.Config{Card: sc.Chip})
	if err != nil {
		t.Fatal(err)
	}
	rig := &identifyRig{sim: sim, card: sc}
	reader := simReader{link: link, trust: pki}
	if identified != nil {
		reader.identified = func() { identified(rig) }
	}
	cat := catalog.Starter()
	rig.m = New(Config{}, Devices{Card: reader}, func() *catalog.Catalogue { return cat })
	go rig.m.Run(ctx)
	return rig
}

// await waits for a view that satisfies ok; usable from any goroutine.
func (r *identifyRig) await(ok func(View) bool) (View, bool) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if v := r.m.View(); ok(v) {
			return v, true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return r.m.View(), false
}

// waitView waits for a view that satisfies ok, from the test's goroutine.
func (r *identifyRig) waitView(t *testing.T, what string, ok func(View) bool) View {
	t.Helper()
	v, found := r.await(ok)
	if !found {
		t.Fatalf("no view with %s; last: state %s step %s message %+v citizen %+v", what, v.State, v.Step, v.Message, v.Citizen)
	}
	return v
}

func (r *identifyRig) enterID(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.m.Do(ctx, Action{Action: wire.ActStart}); err != nil {
		t.Fatal(err)
	}
	if err := r.m.Do(ctx, Action{Action: wire.ActEnterID, Value: r.card.Citizen.IDNumber}); err != nil {
		t.Fatal(err)
	}
}

// The citizen sees their name while the card is verified, and is identified once the whole read
// has checked out.
func TestIdentityShownThenVerified(t *testing.T) {
	var shown View
	r := newIdentifyRig(t, func(r *identifyRig) {
		var ok bool
		if shown, ok = r.await(func(v View) bool { return v.Citizen != nil }); !ok {
			t.Error("the name was not shown while reading")
		}
	})
	r.enterID(t)
	v := r.waitView(t, "the verified citizen", func(v View) bool { return v.State == wire.ChooseProcedure })
	if shown.Citizen == nil || shown.State != wire.Identify || shown.Step != wire.StepReading || shown.Citizen.FullName != r.card.Citizen.FullName ||
		shown.Citizen.PassiveAuth != "pending" || shown.Message == nil || shown.Message.Code != "card_keep_still" {
		t.Errorf("while verifying: state %s step %s citizen %+v message %+v", shown.State, shown.Step, shown.Citizen, shown.Message)
	}
	if v.Citizen == nil || v.Citizen.FullName != r.card.Citizen.FullName || v.Citizen.PassiveAuth != "valid" {
		t.Errorf("verified: %+v", v.Citizen)
	}
}

// A card lifted after the name was shown is a retry: the card_removed message, no citizen in the
// view, still identifying.
func TestCardLiftedAfterIdentityIsRetry(t *testing.T) {
	r := newIdentifyRig(t, func(r *identifyRig) {
		if _, ok := r.await(func(v View) bool { return v.Citizen != nil && v.Citizen.PassiveAuth == "pending" }); !ok {
			t.Error("the name was not shown while reading")
		}
		r.sim.Remove()
	})
	r.enterID(t)
	v := r.waitView(t, "the removal", func(v View) bool { return v.Message != nil && v.Message.Code == "card_removed" })
	if v.State != wire.Identify || v.Citizen != nil {
		t.Fatalf("after the removal: state %s step %s citizen %+v", v.State, v.Step, v.Citizen)
	}
	// Nothing of the preview comes back while the session waits for the card again.
	time.Sleep(300 * time.Millisecond)
	if v := r.m.View(); v.State != wire.Identify || v.Citizen != nil {
		t.Fatalf("later: state %s step %s citizen %+v", v.State, v.Step, v.Citizen)
	}
}
