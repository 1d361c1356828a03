// Package identity identifies a citizen from the chip ID card (CCCD): it opens the configured card
// reader, reads the chip with the key from the card's QR code (PACE with the CAN, BAC as the
// fallback), checks that the data is genuine (passive authentication against the CSCA trust store,
// active authentication of the chip) and returns the citizen's data in the form the rest of the
// kiosk uses. A removal mid-read yields an error and no partial identity.
package identity

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/mrtd/lds"
)

// Result is what `kioskctl card read --json` prints and what kioskd keeps for the session. The
// JSON keys are a contract shared with other tools: extend, don't rename.
type Result struct {
	Citizen           Citizen  `json:"citizen"`
	MRZ               MRZ      `json:"mrz"`
	Access            string   `json:"access"`            // PACE-CAN | PACE-MRZ | BAC
	PassiveAuth       string   `json:"passiveAuth"`       // valid | invalid | unverified
	PassiveAuthDetail string   `json:"passiveAuthDetail"` // the check that failed, or what was verified
	ChipAuth          string   `json:"chipAuth"`          // AA-valid | CA-valid | failed | not-supported
	APDUs             int      `json:"apdus"`
	Bytes             int      `json:"bytes"`
	PhotoType         string   `json:"photoType,omitempty"` // image/jpeg or image/jp2
	Warnings          []string `json:"warnings,omitempty"`
}

// Citizen is the citizen's data as cccd.Citizen holds it (the same JSON keys), except that Photo
// is the base64 of the face image stored on the chip rather than a file name.
type Citizen cccd.Citizen

// MRZ is the machine readable zone as the chip's DG1 holds it: dates YYMMDD as in the MRZ
// ("<<<<<<" for a card without expiry), sex M/F, name as the MRZ spells it (surname first,
// without diacritics).
type MRZ struct {
	DocumentNumber string `json:"documentNumber"`
	DateOfBirth    string `json:"dateOfBirth"`
	DateOfExpiry   string `json:"dateOfExpiry"`
	Sex            string `json:"sex"`
	Nationality    string `json:"nationality"`
	Name           string `json:"name"`
}

// Key holds what opens the chip.
type Key struct {
	CAN string       // PACE card access number: the last 6 digits of the ID number
	MRZ *mrtd.MRZKey // BAC / PACE-MRZ key
}

// KeyFromQR derives the access key from the QR code on the front of the CCCD: the CAN for PACE,
// and the BAC key (document number, date of birth, computed expiry) as the fallback.
func KeyFromQR(payload string) (Key, cccd.QRData, error) {
	q, err := cccd.ParseQR(payload)
	if err != nil {
		return Key{}, q, err
	}
	k := Key{CAN: q.CAN}
	if bac, err := q.BACKey(); err == nil {
		k.MRZ = &mrtd.MRZKey{DocumentNumber: bac.DocumentNumber, DateOfBirth: bac.DateOfBirth, DateOfExpiry: bac.DateOfExpiry}
	}
	return k, q, nil
}

// KeyFromCAN checks and returns a CAN key.
func KeyFromCAN(can string) (Key, error) {
	if len(can) != 6 || strings.Trim(can, "0123456789") != "" {
		return Key{}, fmt.Errorf("CAN phải gồm 6 chữ số: 6 số cuối của số định danh (the CAN is 6 digits: the last 6 of the ID number)")
	}
	return Key{CAN: can}, nil
}

// KeyFromMRZ parses "DOCNO,YYMMDD,YYMMDD" (document number, date of birth, date of expiry).
func KeyFromMRZ(s string) (Key, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return Key{}, fmt.Errorf("khóa MRZ cần dạng SỐ_GIẤY_TỜ,YYMMDD,YYMMDD (MRZ key must be DOCNO,YYMMDD,YYMMDD)")
	}
	k := mrtd.MRZKey{DocumentNumber: strings.ToUpper(strings.TrimSpace(parts[0])),
		DateOfBirth: strings.TrimSpace(parts[1]), DateOfExpiry: strings.TrimSpace(parts[2])}
	if _, err := k.Information(); err != nil {
		return Key{}, err
	}
	return Key{MRZ: &k}, nil
}

// Options tunes Read.
type Options struct {
	// Trust is the CSCA trust store; nil makes passive authentication "unverified" (signature
	// and hashes are still checked).
	Trust *lds.TrustStore
	// MaxLe is the largest READ BINARY Le the reader allows (0: the ICAO default for PN532 frames).
	MaxLe int
	// SkipFace leaves out the face image.
	SkipFace bool
	// OnIdentity, if set, is called once during Read, as soon as DG1, DG13 and EF.SOD are read
	// and passive authentication of those (SOD signature, hashes, chain to the trust store)
	// has not failed, before the face, DG14, DG15 and Active Authentication. It is a preview:
	// the read may still fail, and only Read's result is the verified identity.
	OnIdentity func(Preview)
}

// Preview is the identity known early in a read: the citizen's data from DG1 and DG13 (no
// photo), checked against EF.SOD. Show it to the citizen with a request to keep the card
// still; never accept it as the verified identity.
type Preview struct {
	Citizen     Citizen
	MRZ         MRZ
	PassiveAuth string // valid or unverified, for DG1 and DG13 so far
	APDUs       int    // exchanged up to the preview
	Bytes       int
}

// Progress receives the milestones of a card read; nil funcs are skipped.
type Progress struct {
	Present    func()        // the card is on the reader and the read begins
	Identified func(Preview) // the identity files are read and check out (Options.OnIdentity)
}

// ErrIdentity wraps failures to turn chip data into an identity.
var ErrIdentity = errors.New("không đọc được dữ liệu công dân từ thẻ (cannot read the citizen's data from the card)")

// Read reads and verifies the card behind tr. On any error it returns no identity at all.
func Read(ctx context.Context, tr apdu.Transceiver, key Key, opts Options) (*Result, error) {
	mopts := mrtd.Options{MaxLe: opts.MaxLe, SkipFace: opts.SkipFace, ActiveAuthentication: true}
	if opts.OnIdentity != nil {
		mopts.OnIdentity = func(f *mrtd.Files) {
			if p, ok := preview(f, opts.Trust); ok {
				opts.OnIdentity(p)
			}
		}
	}
	f, err := mrtd.Read(ctx, tr, mrtd.AccessKey{CAN: key.CAN, MRZ: key.MRZ}, mopts)
	if err != nil {
		return nil, err
	}
	return fromFiles(f, opts.Trust)
}

// preview checks the identity files (passive authentication of DG1 and DG13 from their raw
// bytes, before they are parsed) and returns the identity they hold; ok is false when they
// are missing, fail the check or do not parse.
func preview(f *mrtd.Files, trust *lds.TrustStore) (Preview, bool) {
	if f.DG1 == nil || f.DG13 == nil || f.SOD == nil {
		return Preview{}, false
	}
	pa := lds.VerifySOD(f.SOD, map[int][]byte{1: f.DG1, 13: f.DG13}, trust)
	if pa.Status != lds.StatusValid && pa.Status != lds.StatusUnverified {
		return Preview{}, false
	}
	c, mrz, _, err := cccd.FromChip(f.DG1, nil, f.DG13)
	if err != nil {
		return Preview{}, false
	}
	c.Photo = ""
	return Preview{
		Citizen: Citizen(c),
		MRZ: MRZ{DocumentNumber: mrz.DocumentNumber, DateOfBirth: mrz.DateOfBirth, DateOfExpiry: mrz.DateOfExpiry,
			Sex: mrz.Sex, Nationality: mrz.Nationality, Name: strings.TrimSpace(mrz.PrimaryIdentifier + " " + mrz.SecondaryIdentifier)},
		PassiveAuth: string(pa.Status),
		APDUs:       f.Stats.APDUs,
		Bytes:       f.Stats.BytesSent + f.Stats.BytesReceived,
	}, true
}

func fromFiles(f *mrtd.Files, trust *lds.TrustStore) (*Result, error) {
	if f.DG1 == nil || f.DG13 == nil || f.SOD == nil {
		return nil, fmt.Errorf("%w: thẻ thiếu DG1, DG13 hoặc EF.SOD (the chip lacks DG1, DG13 or EF.SOD)", ErrIdentity)
	}
	c, mrz, photo, err := cccd.FromChip(f.DG1, f.DG2, f.DG13)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIdentity, err)
	}
	r := &Result{
		Citizen: Citizen(c),
		MRZ: MRZ{
			DocumentNumber: mrz.DocumentNumber, DateOfBirth: mrz.DateOfBirth, DateOfExpiry: mrz.DateOfExpiry,
			Sex: mrz.Sex, Nationality: mrz.Nationality,
			Name: strings.TrimSpace(mrz.PrimaryIdentifier + " " + mrz.SecondaryIdentifier),
		},
		Access: f.Access,
		APDUs:  f.Stats.APDUs,
		Bytes:  f.Stats.BytesSent + f.Stats.BytesReceived,
	}
	r.Citizen.Photo = ""
	if len(photo) > 0 {
		r.Citizen.Photo = base64.StdEncoding.EncodeToString(photo)
		r.PhotoType = lds.ImageMIME(photo)
	}

	dgs := map[int][]byte{1: f.DG1, 13: f.DG13}
	for n, b := range map[int][]byte{2: f.DG2, 14: f.DG14, 15: f.DG15} {
		if b != nil {
			dgs[n] = b
		}
	}
	pa := lds.VerifySOD(f.SOD, dgs, trust)
	r.PassiveAuth, r.PassiveAuthDetail = string(pa.Status), pa.Detail
	if len(pa.NotRead) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("không đọc nhóm dữ liệu %v (data groups not read)", pa.NotRead))
	}

	r.ChipAuth = "not-supported"
	if f.DG15 != nil && f.AASignature != nil {
		r.ChipAuth = "failed"
		if pub, err := lds.ParseDG15(f.DG15); err == nil && lds.VerifyAA(pub, f.AAChallenge, f.AASignature) == nil {
			r.ChipAuth = "AA-valid"
		}
		if pa.Status == lds.StatusInvalid && r.ChipAuth == "AA-valid" {
			r.Warnings = append(r.Warnings, "khóa AA không được chứng thực vì xác thực thụ động thất bại (the AA key is not vouched for: passive authentication failed)")
		}
	}
	return r, nil
}

// Genuine reports whether the identity may be used to fill forms: the data is signed by a trusted
// CSCA and the chip proved it is not a copy.
func (r *Result) Genuine() bool { return r.PassiveAuth == "valid" && r.ChipAuth != "failed" }
