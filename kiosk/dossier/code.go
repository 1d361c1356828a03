package dossier

import (
	"fmt"
	"strconv"
	"time"
)

// Code is an official dossier code (mã số hồ sơ) of Circular 01/2018/TT-VPCP, Article 19:
// the receiving unit's agency code, the date received and that unit's sequence number of the day,
// e.g. 000.00.21.H26-251124-0417.
type Code struct {
	Agency   string    // V1V2V3.Z1Z2.Y1Y2.MX1X2
	Date     time.Time // the day received (only year, month and day are meaningful)
	Sequence int       // 1…9999
}

// String formats c as AGENCY-YYMMDD-NNNN.
func (c Code) String() string {
	return fmt.Sprintf("%s-%s-%04d", c.Agency, c.Date.Format("060102"), c.Sequence)
}

// NewCode builds the code of the seq-th dossier received by agency on day. It fails if the agency
// code is malformed or seq does not fit in four digits.
func NewCode(agency string, day time.Time, seq int) (Code, error) {
	if !ValidAgencyCode(agency) {
		return Code{}, fmt.Errorf("%w: agency code malformed", ErrBadCode)
	}
	if seq < 1 || seq > 9999 {
		return Code{}, fmt.Errorf("%w: sequence outside 1…9999", ErrBadCode)
	}
	y, m, d := day.Date()
	return Code{Agency: agency, Date: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Sequence: seq}, nil
}

// ParseCode parses a dossier code such as 000.00.21.H26-251124-0417.
func ParseCode(s string) (Code, error) {
	m := dossierCodeRE.FindStringSubmatch(s)
	if m == nil {
		return Code{}, ErrBadCode
	}
	day, err := time.Parse("060102", m[2])
	if err != nil {
		return Code{}, fmt.Errorf("%w: invalid date", ErrBadCode)
	}
	seq, _ := strconv.Atoi(m[3])
	if seq == 0 {
		return Code{}, fmt.Errorf("%w: sequence 0000", ErrBadCode)
	}
	return Code{Agency: m[1], Date: day, Sequence: seq}, nil
}
