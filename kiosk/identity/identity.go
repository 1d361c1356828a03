// Package identity identifies a citizen from the chip ID card (CCCD): it opens the configured card
// reader, reads the chip with the key from the card's QR code (PACE with the CAN, BAC as the
// fallback only for cards that offer no PACE), checks that the data is genuine (passive
// authentication from the raw bytes against the CSCA trust store, then Chip Authentication and
// Active Authentication of the chip) and returns the citizen's data in the form the rest of the
// kiosk uses. A data group EF.SOD lists that the chip refuses makes passive authentication invalid
// (possibly a copy); a chip that proves nothing is reported as not proven genuine. The face (DG2)
// is hashed and dropped. A removal mid-read yields an error and no partial identity.
package identity

import (
	"context"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"strings"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// Result is the card read as the kiosk keeps it for the session: typed results and calendar
// dates. It is not a wire format: `kioskctl card read --json` prints its JSON form (CardJSON,
// from Result.JSON), whose keys are a contract shared with other tools.
//
// The face (DG2) is read and hashed for passive authentication, then dropped: no byte of it is
// kept (PhotoType still says what the chip holds).
type Result struct {
	Citizen           Citizen
	MRZ               MRZ
	Access            string           // PACE-CAN | PACE-MRZ | BAC
	PassiveAuth       wire.PassiveAuth // valid | invalid | unverified
	PassiveAuthDetail string           // the check that failed, or what was verified
	ChipAuth          wire.ChipAuth    // CA-valid | AA-valid | failed | not-supported
	APDUs             int
	Bytes             int
	PhotoType         string // image/jpeg or image/jp2
	Warnings          []string

	// ChipProven: the chip proved it is the genuine chip, not a copy of its files: Chip
	// Authentication (DG14) or Active Authentication (DG15) succeeded, neither failed, and the
	// key it used is vouched for by EF.SOD (passive authentication not invalid). A chip with
	// neither, or failing the one it offers, is not proven genuine (ChipAuth not-supported or
	// failed): the session marks the dossier for staff instead of taking the citizen as verified.
	ChipProven bool
	// ChipAuthDetail says what the chip proved or why it did not, worded Vietnamese (English).
	ChipAuthDetail string
	// CA and AA are the outcomes of each mechanism.
	CA AuthOutcome
	AA AuthOutcome
	// CAProtocol names the Chip Authentication run, e.g. "CA-ECDH-AES-128 brainpoolP256r1".
	CAProtocol string
}

// AuthOutcome is the outcome of one chip authentication mechanism (Result.CA, Result.AA).
type AuthOutcome string

// Chip authentication outcomes of Result.CA and Result.AA.
const (
	AuthValid  AuthOutcome = "valid"
	AuthFailed AuthOutcome = "failed"
	AuthAbsent AuthOutcome = "absent"
	// AuthUnsupported: DG14 offers a Chip Authentication variant this kiosk cannot run (not
	// proven, but not failed). Only for CA.
	AuthUnsupported AuthOutcome = "unsupported"
)

// Citizen is the citizen's data from the chip, typed: dates are calendar days (the zero Date
// when absent: ExpiryDate zero means the card does not expire), text Unicode NFC. The face is
// never part of it.
type Citizen struct {
	IDNumber         string // 12-digit personal identification number
	OldIDNumber      string // old 9-digit CMND (or 12-digit number), if any
	FullName         string
	DateOfBirth      Date
	Sex              string // cccd.SexMale or cccd.SexFemale
	Nationality      string
	Ethnicity        string
	Religion         string
	PlaceOfOrigin    string
	PlaceOfResidence string
	IdentifyingMarks string
	IssueDate        Date
	ExpiryDate       Date
	FatherName       string
	MotherName       string
	SpouseName       string
}

// citizenFrom types the chip's citizen record (cccd.FromChip gives dates as YYYY-MM-DD or "").
func citizenFrom(c cccd.Citizen) (Citizen, error) {
	out := Citizen{
		IDNumber: c.IDNumber, OldIDNumber: c.OldIDNumber, FullName: c.FullName, Sex: c.Sex,
		Nationality: c.Nationality, Ethnicity: c.Ethnicity, Religion: c.Religion,
		PlaceOfOrigin: c.PlaceOfOrigin, PlaceOfResidence: c.PlaceOfResidence,
		IdentifyingMarks: c.IdentifyingMarks, FatherName: c.FatherName, MotherName: c.MotherName,
		SpouseName: c.SpouseName,
	}
	for _, d := range []struct {
		field string
		src   string
		dst   *Date
	}{{"dateOfBirth", c.DateOfBirth, &out.DateOfBirth}, {"issueDate", c.IssueDate, &out.IssueDate}, {"expiryDate", c.ExpiryDate, &out.ExpiryDate}} {
		v, err := ParseDate(d.src)
		if err != nil {
			return Citizen{}, fmt.Errorf("%w (%s)", err, d.field)
		}
		*d.dst = v
	}
	return out, nil
}

// MRZ is the machine readable zone as the chip's DG1 holds it: dates YYMMDD as in the MRZ
// ("<<<<<<" for a card without expiry; the century is not in the MRZ), sex M/F, name as the
// MRZ spells it (surname first, without diacritics).
type MRZ struct {
	DocumentNumber string
	DateOfBirth    string
	DateOfExpiry   string
	Sex            string
	Nationality    string
	Name           string
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
	// OnIdentity, if set, is called once during Read, as soon as EF.SOD, DG14 (with Chip
	// Authentication), DG1 and DG13 are read, no data group EF.SOD lists was refused, and
	// passive authentication of DG1 and DG13 (SOD signature, hashes, chain to the trust store)
	// has not failed; before the face, DG15 and Active Authentication. It is a preview: the read
	// may still fail, and only Read's result is the verified identity.
	OnIdentity func(Preview)
}

// Preview is the identity known early in a read: the citizen's data from DG1 and DG13 (no
// photo), checked against EF.SOD. Show it to the citizen with a request to keep the card
// still; never accept it as the verified identity.
type Preview struct {
	Citizen     Citizen
	MRZ         MRZ
	PassiveAuth wire.PassiveAuth // valid or unverified, for DG1 and DG13 so far
	APDUs       int              // exchanged up to the preview
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
	if pa.Status != lds.StatusValid && pa.Status != lds.StatusUnverified || len(f.Refused) > 0 {
		return Preview{}, false
	}
	c, mrz, _, err := cccd.FromChip(f.DG1, nil, f.DG13)
	if err != nil {
		return Preview{}, false
	}
	citizen, err := citizenFrom(c)
	if err != nil {
		return Preview{}, false
	}
	return Preview{
		Citizen: citizen,
		MRZ: MRZ{DocumentNumber: mrz.DocumentNumber, DateOfBirth: mrz.DateOfBirth, DateOfExpiry: mrz.DateOfExpiry,
			Sex: mrz.Sex, Nationality: mrz.Nationality, Name: strings.TrimSpace(mrz.PrimaryIdentifier + " " + mrz.SecondaryIdentifier)},
		PassiveAuth: wire.PassiveAuth(pa.Status),
		APDUs:       f.Stats.APDUs,
		Bytes:       f.Stats.BytesSent + f.Stats.BytesReceived,
	}, true
}

// fromFiles turns what the chip gave into a Result. Passive authentication comes first, from the
// raw bytes: a data group that fails its hash makes the result invalid even when it no longer
// parses (the Result then holds no citizen). The face is hashed and then wiped.
func fromFiles(f *mrtd.Files, trust *lds.TrustStore) (*Result, error) {
	defer clear(f.DG2)
	if f.SOD == nil {
		return nil, fmt.Errorf("%w: the chip lacks EF.SOD", ErrIdentity)
	}
	r := &Result{Access: f.Access, APDUs: f.Stats.APDUs, Bytes: f.Stats.BytesSent + f.Stats.BytesReceived}
	dgs := map[int][]byte{}
	for n, b := range map[int][]byte{1: f.DG1, 2: f.DG2, 13: f.DG13, 14: f.DG14, 15: f.DG15} {
		if b != nil {
			dgs[n] = b
		}
	}
	pa := lds.VerifySOD(f.SOD, dgs, trust)
	r.PassiveAuth, r.PassiveAuthDetail = wire.PassiveAuth(pa.Status), pa.Detail
	if len(f.Refused) > 0 {
		var names []string
		for _, x := range f.Refused {
			names = append(names, x.File.String())
		}
		list := strings.Join(names, ", ")
		r.PassiveAuth = wire.PassiveInvalid
		r.PassiveAuthDetail = fmt.Sprintf("thẻ không cho đọc %s dù EF.SOD liệt kê, có thể là thẻ sao chép (the chip refused %s, which EF.SOD lists: possibly cloned)", list, list)
	} else if len(pa.NotRead) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("không đọc nhóm dữ liệu %v (data groups not read)", pa.NotRead))
	}
	if len(f.DG2) > 0 {
		if faces, err := lds.ParseDG2(f.DG2); err == nil && len(faces) > 0 {
			r.PhotoType = lds.ImageMIME(faces[0].Data)
		}
	}
	r.chipAuthentication(f, r.PassiveAuth != wire.PassiveInvalid)

	if f.DG1 == nil || f.DG13 == nil {
		if r.PassiveAuth == wire.PassiveInvalid {
			return r, nil // the verdict, with no citizen
		}
		return nil, fmt.Errorf("%w: the chip lacks DG1 or DG13", ErrIdentity)
	}
	c, mrz, _, err := cccd.FromChip(f.DG1, nil, f.DG13)
	if err != nil {
		if r.PassiveAuth == wire.PassiveInvalid {
			r.Warnings = append(r.Warnings, "dữ liệu trên thẻ không đọc được (the chip's data does not parse)")
			return r, nil
		}
		return nil, errtext.Wrap(ErrIdentity, err)
	}
	if r.Citizen, err = citizenFrom(c); err != nil {
		if r.PassiveAuth == wire.PassiveInvalid {
			r.Warnings = append(r.Warnings, "dữ liệu trên thẻ không đọc được (the chip's data does not parse)")
			return r, nil
		}
		return nil, errtext.Wrap(ErrIdentity, err)
	}
	r.MRZ = MRZ{
		DocumentNumber: mrz.DocumentNumber, DateOfBirth: mrz.DateOfBirth, DateOfExpiry: mrz.DateOfExpiry,
		Sex: mrz.Sex, Nationality: mrz.Nationality,
		Name: strings.TrimSpace(mrz.PrimaryIdentifier + " " + mrz.SecondaryIdentifier),
	}
	return r, nil
}

// chipAuthentication fills the chip authentication fields: Chip Authentication as Read ran it,
// Active Authentication checked against DG15. vouched says whether EF.SOD vouches for the keys.
func (r *Result) chipAuthentication(f *mrtd.Files, vouched bool) {
	r.CA, r.AA = AuthAbsent, AuthAbsent
	var why []string
	if ca := f.ChipAuth; ca != nil {
		r.CAProtocol = ca.Protocol
		r.CA = AuthValid
		switch {
		case errors.Is(ca.Err, mrtd.ErrNotSupported):
			r.CA = AuthUnsupported
		case ca.Err != nil:
			r.CA = AuthFailed
			why = append(why, "xác thực chip (CA) thất bại (chip authentication failed)")
		}
	}
	for _, x := range f.Refused { // the chip refused its own key: it failed, it did not lack the feature
		switch x.File {
		case mrtd.DG14:
			r.CA = AuthFailed
			why = append(why, "thẻ không cho đọc DG14 (the chip refused DG14)")
		case mrtd.DG15:
			r.AA = AuthFailed
			why = append(why, "thẻ không cho đọc DG15 (the chip refused DG15)")
		}
	}
	if f.DG15 != nil && f.AAChallenge != nil {
		r.AA = AuthFailed
		if f.AASignature != nil {
			if pub, err := lds.ParseDG15(f.DG15); err == nil && lds.VerifyAA(pub, f.AAChallenge, f.AASignature) == nil {
				r.AA = AuthValid
			}
		}
		if r.AA == AuthFailed {
			why = append(why, "xác thực chủ động (AA) thất bại (active authentication failed)")
		}
	}
	switch {
	case r.CA == AuthFailed || r.AA == AuthFailed:
		r.ChipAuth = wire.ChipFailed
		r.ChipAuthDetail = strings.Join(why, "; ") + ": thẻ chưa được chứng minh là thẻ thật (the chip is not proven genuine)"
	case r.CA == AuthValid:
		r.ChipAuth = wire.ChipCAValid
	case r.AA == AuthValid:
		r.ChipAuth = wire.ChipAAValid
	default:
		r.ChipAuth = wire.ChipNotSupported
		r.ChipAuthDetail = "thẻ không có xác thực chip (CA) hay xác thực chủ động (AA) dùng được: chưa được chứng minh là thẻ thật (the chip offers neither chip nor active authentication this kiosk runs: not proven genuine)"
	}
	if r.ChipAuth == wire.ChipCAValid || r.ChipAuth == wire.ChipAAValid {
		if vouched {
			r.ChipProven = true
			r.ChipAuthDetail = "thẻ đã chứng minh là thẻ thật (the chip proved it is genuine): " + string(r.ChipAuth)
		} else {
			r.ChipAuthDetail = "khóa của thẻ không được chứng thực vì xác thực thụ động thất bại (the chip's key is not vouched for: passive authentication failed)"
			r.Warnings = append(r.Warnings, r.ChipAuthDetail)
		}
	}
}

// Genuine reports whether the identity may be used to fill forms as verified: the data is signed
// by a trusted CSCA and the chip proved it is not a copy.
func (r *Result) Genuine() bool { return r.PassiveAuth == wire.PassiveValid && r.ChipProven }

// DossierPassiveAuth is what the dossier records of the card (kiosk/dossier's PassiveAuth):
// "valid" only for a Genuine card, "invalid" when passive authentication failed, and
// "unverified" otherwise, which puts the dossier before staff: a chip that did not prove it is
// genuine (no Chip or Active Authentication, or a failed one) never counts as verified.
func (r *Result) DossierPassiveAuth() string {
	switch {
	case r.Genuine():
		return "valid"
	case r.PassiveAuth == wire.PassiveInvalid:
		return "invalid"
	}
	return "unverified"
}
