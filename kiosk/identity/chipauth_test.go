//go:build !nosim

package identity

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/mrtd/mrtdsim"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// simRead reads a simulated card straight through its apdu.Transceiver (no reader in between).
func simRead(t *testing.T, opts SimOptions) (*Result, *SimCard, error) {
	t.Helper()
	pki, err := cccd.NewTestPKI("")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := NewSimCard(citizenFile, pki, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := Read(ctx, sc.Chip, Key{CAN: sc.CAN}, Options{Trust: pki.TrustStore()})
	return res, sc, err
}

// The clone of issue 14: genuine DG1, DG13 and EF.SOD, and "file not found" for DG15 (answered
// under secure messaging, or bare). It is a failed read of a possibly cloned card, never a chip
// that merely lacks Active Authentication.
func TestCloneHidingDG15(t *testing.T) {
	for _, plain := range []bool{false, true} {
		res, _, err := simRead(t, SimOptions{Hide: []int{15}, PlainErrors: plain})
		if err != nil {
			t.Fatalf("bare %v: %v", plain, err)
		}
		if res.PassiveAuth != "invalid" || !strings.Contains(res.PassiveAuthDetail, "DG15") ||
			!strings.Contains(res.PassiveAuthDetail, "possibly cloned") {
			t.Errorf("bare %v: passive auth %s (%s)", plain, res.PassiveAuth, res.PassiveAuthDetail)
		}
		if res.ChipAuth == "not-supported" || res.ChipAuth != "failed" || res.AA != AuthFailed || res.ChipProven || res.Genuine() ||
			res.DossierPassiveAuth() != "invalid" {
			t.Errorf("bare %v: chip %s AA %s proven %v", plain, res.ChipAuth, res.AA, res.ChipProven)
		}
	}
}

// Passive authentication is computed from the raw bytes first: a DG13 that fails its hash and no
// longer parses gives a verdict (invalid, naming DG13), not a "malformed DG13" error.
func TestUnparseableTamperedDG13(t *testing.T) {
	pki, err := cccd.NewTestPKI("")
	if err != nil {
		t.Fatal(err)
	}
	c, err := cccd.LoadCitizen(citizenFile)
	if err != nil {
		t.Fatal(err)
	}
	photo, _ := cccd.LoadPhoto(citizenFile, c)
	built, err := cccd.BuildChip(c, photo, pki, cccd.ChipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files := map[uint16][]byte{lds.FileCardAccess: mrtdsim.GenerateCardAccess(13)}
	for id, b := range built.Files {
		files[id] = b
	}
	files[cccd.FileDG13] = []byte{0x6D, 0x05, 0x31, 0x03, 0x30, 0x01, 0xFF} // structure broken
	if _, err := cccd.ParseDG13(files[cccd.FileDG13]); err == nil {
		t.Fatal("the broken DG13 parses")
	}
	chip := mrtdsim.New(mrtdsim.Config{Files: files, CAN: built.CAN, AAKey: built.AAKey, CAKey: built.CAKey})
	res, err := Read(context.Background(), chip, Key{CAN: built.CAN}, Options{Trust: pki.TrustStore()})
	if err != nil {
		t.Fatalf("no verdict: %v", err)
	}
	if res.PassiveAuth != "invalid" || !strings.Contains(res.PassiveAuthDetail, "DG13 hash mismatch") || res.Genuine() {
		t.Fatalf("%s (%s)", res.PassiveAuth, res.PassiveAuthDetail)
	}
	if res.Citizen.IDNumber != "" || res.Citizen.FullName != "" {
		t.Error("citizen data from a card that failed passive authentication")
	}
}

// A chip with neither Chip nor Active Authentication, or failing the one it offers, is not
// proven genuine: the data may be good, but the dossier goes to staff as unverified.
func TestChipNotProvenGenuine(t *testing.T) {
	for _, c := range []struct {
		name     string
		opts     SimOptions
		chipAuth wire.ChipAuth
		ca, aa   AuthOutcome
	}{
		{"neither AA nor CA", SimOptions{NoAA: true, NoCA: true}, "not-supported", AuthAbsent, AuthAbsent},
		{"CA with another key", SimOptions{CAWrongKey: true, NoAA: true}, "failed", AuthFailed, AuthAbsent},
		{"CA with another key, AA good", SimOptions{CAWrongKey: true}, "failed", AuthFailed, AuthValid},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, sc, err := simRead(t, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.PassiveAuth != "valid" || res.Citizen.IDNumber != sc.Citizen.IDNumber {
				t.Fatalf("passive auth %s (%s)", res.PassiveAuth, res.PassiveAuthDetail)
			}
			if res.ChipAuth != c.chipAuth || res.CA != c.ca || res.AA != c.aa || res.ChipProven || res.Genuine() ||
				!strings.Contains(res.ChipAuthDetail, "not proven genuine") {
				t.Fatalf("chip %s CA %s AA %s proven %v (%s)", res.ChipAuth, res.CA, res.AA, res.ChipProven, res.ChipAuthDetail)
			}
			if res.DossierPassiveAuth() != "unverified" {
				t.Errorf("dossier marked %q", res.DossierPassiveAuth())
			}
		})
	}
	// Active Authentication alone proves the chip.
	res, _, err := simRead(t, SimOptions{NoCA: true})
	if err != nil || res.ChipAuth != "AA-valid" || !res.ChipProven || !res.Genuine() || res.DossierPassiveAuth() != "valid" {
		t.Fatalf("AA only: %v %+v", err, res)
	}
}

// When EF.CardAccess offers PACE, a PACE failure is an error, never a BAC read.
func TestNoDowngradeToBAC(t *testing.T) {
	pki, _ := cccd.NewTestPKI("")
	sc, err := NewSimCard(citizenFile, pki, SimOptions{BreakPACE: true})
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := KeyFromQR(cccd.QRPayload(sc.Citizen))
	if err != nil || key.MRZ == nil {
		t.Fatalf("QR key: %v", err)
	}
	res, err := Read(context.Background(), sc.Chip, key, Options{Trust: pki.TrustStore()})
	if err == nil || res != nil {
		t.Fatalf("read after a PACE failure: %+v", res)
	}
	if !errors.Is(err, mrtd.ErrAuthentication) || !strings.Contains(err.Error(), "PACE") {
		t.Errorf("error: %v", err)
	}
}
