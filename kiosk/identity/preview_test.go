//go:build !nosim

package identity

import (
	"errors"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
)

// The identity comes first: after DG1, DG13 and EF.SOD, checked against the CSCA, and well before
// the face; the final result says the same.
func TestPreviewBeforeFace(t *testing.T) {
	r := newRig(t, citizenFile, SimOptions{}, pn532sim.Config{})
	key, _ := KeyFromCAN(r.card.CAN)
	var got []Preview
	res, err := r.read(t, ctxT(t, 20*time.Second), key, Options{Trust: r.trust, OnIdentity: func(p Preview) { got = append(got, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d previews", len(got))
	}
	p := got[0]
	if p.Citizen.FullName != r.card.Citizen.FullName || p.Citizen.IDNumber != r.card.Citizen.IDNumber || p.Citizen.DateOfBirth.String() != r.card.Citizen.DateOfBirth {
		t.Errorf("preview citizen %q %q born %s", p.Citizen.FullName, p.Citizen.IDNumber, p.Citizen.DateOfBirth)
	}
	if p.PassiveAuth != "valid" || p.MRZ != res.MRZ {
		t.Errorf("preview PA %s MRZ %+v, want valid %+v", p.PassiveAuth, p.MRZ, res.MRZ)
	}
	// The face, DG14, DG15 and Active Authentication come after the preview.
	if p.Bytes <= 0 || p.Bytes >= res.Bytes || p.APDUs >= res.APDUs {
		t.Errorf("preview after %d APDUs / %d bytes of %d / %d", p.APDUs, p.Bytes, res.APDUs, res.Bytes)
	}
}

// A DG13 altered after signing fails its hash: no preview at all, and the result is invalid.
func TestNoPreviewForTamperedData(t *testing.T) {
	r := newRig(t, citizenFile, SimOptions{Tamper: []int{13}}, pn532sim.Config{})
	key, _ := KeyFromCAN(r.card.CAN)
	called := false
	res, err := r.read(t, ctxT(t, 20*time.Second), key, Options{Trust: r.trust, OnIdentity: func(Preview) { called = true }})
	if err != nil {
		t.Fatal(err)
	}
	if called {
		t.Error("preview of a tampered DG13")
	}
	if res.PassiveAuth != "invalid" {
		t.Errorf("PA %s", res.PassiveAuth)
	}
}

// The card lifted after the preview: the read fails as a removal and returns no identity.
func TestRemovedAfterPreview(t *testing.T) {
	r := newRig(t, citizenFile, SimOptions{}, pn532sim.Config{})
	key, _ := KeyFromCAN(r.card.CAN)
	previews := 0
	res, err := r.read(t, ctxT(t, 20*time.Second), key, Options{Trust: r.trust, OnIdentity: func(Preview) {
		previews++
		r.sim.Remove()
	}})
	if previews != 1 {
		t.Fatalf("%d previews", previews)
	}
	if res != nil || !errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("read after removal: %v, %v", res, err)
	}
}
