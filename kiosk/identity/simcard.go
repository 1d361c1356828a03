//go:build !nosim

package identity

import (
	"fmt"
	"time"

	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/mrtd/mrtdsim"
)

// SimOptions are the faults a simulated card can show.
type SimOptions struct {
	Tamper           []int         // data groups altered after signing: passive authentication must fail
	RemoveAfterAPDUs int           // the card is pulled out at this APDU (0: never)
	Delay            time.Duration // before each answer
	WrongKey         bool          // authentication fails as with a wrong CAN
	Garbage          bool          // the chip answers random bytes
	NoPACE           bool          // no EF.CardAccess: the chip offers BAC only, like older cards
	// Hide lists data groups the chip answers "file not found" for although EF.SOD lists them
	// (a copy that hides DG15, whose Active Authentication key it lacks).
	Hide []int
	// PlainErrors: the chip answers error statuses without secure messaging.
	PlainErrors bool
	// NoAA and NoCA leave out DG15 and DG14: with both, the chip cannot prove it is genuine.
	NoAA, NoCA bool
	// CAWrongKey: the chip holds another Chip Authentication key than DG14's (a copy of DG14).
	CAWrongKey bool
	// BreakPACE: PACE fails while BAC would work.
	BreakPACE bool
}

// SimCard is a virtual CCCD built from a citizen JSON file: the chip, the test PKI that signed it,
// and the data it holds.
type SimCard struct {
	Chip    *mrtdsim.Chip
	PKI     *cccd.TestPKI
	Citizen cccd.Citizen
	CAN     string
	MRZ     mrtd.MRZKey
}

// NewSimCard builds a CCCD chip for the citizen in citizenPath (photo relative to it), signed by
// pki's document signer, offering PACE-CAN (brainpoolP256r1) and BAC, with Chip Authentication
// (DG14, brainpoolP256r1, AES-128) and Active Authentication (DG15).
func NewSimCard(citizenPath string, pki *cccd.TestPKI, opts SimOptions) (*SimCard, error) {
	c, err := cccd.LoadCitizen(citizenPath)
	if err != nil {
		return nil, err
	}
	photo, err := cccd.LoadPhoto(citizenPath, c)
	if err != nil {
		return nil, err
	}
	built, err := cccd.BuildChip(c, photo, pki, cccd.ChipOptions{Tamper: opts.Tamper, NoDG14: opts.NoCA, NoDG15: opts.NoAA})
	if err != nil {
		return nil, err
	}
	files := map[uint16][]byte{}
	if !opts.NoPACE {
		files[lds.FileCardAccess] = mrtdsim.GenerateCardAccess(13)
	}
	for id, b := range built.Files {
		files[id] = b
	}
	mrz, err := lds.ParseMRZ(built.MRZ)
	if err != nil {
		return nil, fmt.Errorf("simulated card MRZ: %w", err)
	}
	key := mrtd.MRZKey{DocumentNumber: mrz.DocumentNumber, DateOfBirth: mrz.DateOfBirth, DateOfExpiry: mrz.DateOfExpiry}
	cfg := mrtdsim.Config{
		Files: files, CAN: built.CAN, MRZ: key, AAKey: built.AAKey,
		RemoveAfterAPDUs: opts.RemoveAfterAPDUs, Delay: opts.Delay, WrongKey: opts.WrongKey, Garbage: opts.Garbage,
		PlainErrors: opts.PlainErrors, CAWrongKey: opts.CAWrongKey, BreakPACE: opts.BreakPACE,
	}
	if built.CAKey != nil {
		cfg.CAKey = built.CAKey
	}
	for _, n := range opts.Hide {
		id := lds.DGFileID(n)
		if id == 0 {
			return nil, fmt.Errorf("không có DG%d để ẩn (no DG%d to hide)", n, n)
		}
		cfg.Hide = append(cfg.Hide, id)
	}
	chip := mrtdsim.New(cfg)
	return &SimCard{Chip: chip, PKI: pki, Citizen: c, CAN: built.CAN, MRZ: key}, nil
}
