package cccd

import (
	"fmt"
	"time"
)

// CAN returns the card access number for PACE: the last 6 digits of the 12-digit ID.
func CAN(id string) string {
	if len(id) != 12 {
		return ""
	}
	return id[6:]
}

// DocumentNumber returns the BAC document number printed in MRZ line 1: the last 9 digits of the
// 12-digit ID (never the whole ID).
func DocumentNumber(id string) string {
	if len(id) != 12 {
		return ""
	}
	return id[3:]
}

// idWarnings cross-checks the century/sex digit and birth year of an ID (layout PPP G YY SSSSSS;
// G even = male, odd = female; birth year = 1900 + 100·⌊G/2⌋ + YY) against the date of birth
// (YYYY-MM-DD or YYYY) and sex. The prefix scheme is no longer a legal guarantee (Law 26/2023
// only promises 12 digits), so mismatches are warnings, not errors.
func idWarnings(id, dob, sex string) []string {
	if len(id) != 12 || !allDigits(id) {
		return nil
	}
	var w []string
	g := int(id[3] - '0')
	yy := int(id[4]-'0')*10 + int(id[5]-'0')
	year := 1900 + 100*(g/2) + yy
	if len(dob) >= 4 && allDigits(dob[:4]) {
		var y int
		fmt.Sscanf(dob[:4], "%d", &y)
		if y != year {
			w = append(w, "năm sinh mã hóa trong số định danh không khớp ngày sinh (birth year encoded in the ID does not match the date of birth)")
		}
	}
	male := g%2 == 0
	if (sex == SexMale && !male) || (sex == SexFemale && male) {
		w = append(w, "chữ số giới tính trong số định danh không khớp giới tính (sex digit of the ID does not match the sex)")
	}
	return w
}

// renewalAges are the ages at which a CCCD must be renewed (Luật Căn cước công dân 2014, Art. 21).
var renewalAges = [...]int{25, 40, 60}

// ExpiryDate returns the expiry of a CCCD issued on issue to a citizen born on dob: the birthday
// at the first renewal age (25, 40, 60) after issue, except that a card issued within the 2 years
// before a renewal age stays valid until the next one. A card issued from 58 (2 years before
// 60) on does not expire: none is true. A 29 February birthday falls on 1 March in common years.
func ExpiryDate(dob, issue time.Time) (expiry time.Time, none bool) {
	for _, age := range renewalAges {
		milestone := dob.AddDate(age, 0, 0)
		if issue.Before(milestone.AddDate(-2, 0, 0)) {
			return milestone, false
		}
	}
	return time.Time{}, true
}
