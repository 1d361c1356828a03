package identity

import (
	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// CardJSON is the JSON form of a card read: what `kioskctl card read --json` prints. Its keys
// are a contract shared with other tools (extend, don't rename); the citizen inside is
// cccd.Citizen, the same shape as the simulator's citizen.json, dates YYYY-MM-DD. The session
// never uses it: the kiosk keeps the typed Result.
type CardJSON struct {
	Citizen           cccd.Citizen `json:"citizen"` // Photo is always "": the face is not kept
	MRZ               MRZJSON      `json:"mrz"`
	Access            string       `json:"access"`
	PassiveAuth       string       `json:"passiveAuth"`
	PassiveAuthDetail string       `json:"passiveAuthDetail"`
	ChipAuth          string       `json:"chipAuth"`
	APDUs             int          `json:"apdus"`
	Bytes             int          `json:"bytes"`
	PhotoType         string       `json:"photoType,omitempty"`
	Warnings          []string     `json:"warnings,omitempty"`
	ChipProven        bool         `json:"chipProven"`
	ChipAuthDetail    string       `json:"chipAuthDetail"`
	CA                string       `json:"caAuth"`
	AA                string       `json:"aaAuth"`
	CAProtocol        string       `json:"caProtocol,omitempty"`
}

// MRZJSON is the JSON form of MRZ.
type MRZJSON struct {
	DocumentNumber string `json:"documentNumber"`
	DateOfBirth    string `json:"dateOfBirth"`
	DateOfExpiry   string `json:"dateOfExpiry"`
	Sex            string `json:"sex"`
	Nationality    string `json:"nationality"`
	Name           string `json:"name"`
}

// JSON is r in its JSON form.
func (r *Result) JSON() CardJSON {
	return CardJSON{
		Citizen: r.Citizen.JSON(),
		MRZ: MRZJSON{DocumentNumber: r.MRZ.DocumentNumber, DateOfBirth: r.MRZ.DateOfBirth, DateOfExpiry: r.MRZ.DateOfExpiry,
			Sex: r.MRZ.Sex, Nationality: r.MRZ.Nationality, Name: r.MRZ.Name},
		Access: r.Access, PassiveAuth: string(r.PassiveAuth), PassiveAuthDetail: r.PassiveAuthDetail,
		ChipAuth: string(r.ChipAuth), APDUs: r.APDUs, Bytes: r.Bytes, PhotoType: r.PhotoType,
		Warnings: r.Warnings, ChipProven: r.ChipProven, ChipAuthDetail: r.ChipAuthDetail,
		CA: string(r.CA), AA: string(r.AA), CAProtocol: r.CAProtocol,
	}
}

// Result is the typed read the JSON form describes. Dates that are not YYYY-MM-DD are refused
// (wrapping ErrDate).
func (j CardJSON) Result() (*Result, error) {
	c, err := citizenFrom(j.Citizen)
	if err != nil {
		return nil, err
	}
	return &Result{
		Citizen: c,
		MRZ: MRZ{DocumentNumber: j.MRZ.DocumentNumber, DateOfBirth: j.MRZ.DateOfBirth, DateOfExpiry: j.MRZ.DateOfExpiry,
			Sex: j.MRZ.Sex, Nationality: j.MRZ.Nationality, Name: j.MRZ.Name},
		Access: j.Access, PassiveAuth: wire.PassiveAuth(j.PassiveAuth), PassiveAuthDetail: j.PassiveAuthDetail,
		ChipAuth: wire.ChipAuth(j.ChipAuth), APDUs: j.APDUs, Bytes: j.Bytes, PhotoType: j.PhotoType,
		Warnings: j.Warnings, ChipProven: j.ChipProven, ChipAuthDetail: j.ChipAuthDetail,
		CA: AuthOutcome(j.CA), AA: AuthOutcome(j.AA), CAProtocol: j.CAProtocol,
	}, nil
}

// JSON is c in the citizen.json shape (cccd.Citizen), dates YYYY-MM-DD, no photo.
func (c Citizen) JSON() cccd.Citizen {
	return cccd.Citizen{
		IDNumber: c.IDNumber, OldIDNumber: c.OldIDNumber, FullName: c.FullName,
		DateOfBirth: c.DateOfBirth.String(), Sex: c.Sex, Nationality: c.Nationality,
		Ethnicity: c.Ethnicity, Religion: c.Religion, PlaceOfOrigin: c.PlaceOfOrigin,
		PlaceOfResidence: c.PlaceOfResidence, IdentifyingMarks: c.IdentifyingMarks,
		IssueDate: c.IssueDate.String(), ExpiryDate: c.ExpiryDate.String(),
		FatherName: c.FatherName, MotherName: c.MotherName, SpouseName: c.SpouseName,
	}
}
