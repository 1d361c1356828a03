package lds

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// MRZs from idcard.md: §4.1 (a real-looking CCCD), §4.2 (synthetic CCCD), §1.8 (ICAO TD1 samples).
const (
	mrzDinh = "IDVNM0910055134051091005513<<0\n9101014M3101012VNM<<<<<<<<<<<8\nDINH<<DUY<TAN<<<<<<<<<<<<<<<<<"
	mrzNgv  = "IDVNM2030123450001203012345<<1\n0305200M2805209VNM<<<<<<<<<<<0\nNGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"
	mrzUto  = "I<UTOL898902C<3<<<<<<<<<<<<<<<\n6908061F9406236UTO<<<<<<<<<<<2\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
	mrzLong = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<"
	mrzTD3  = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	mrzTD2  = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
)

func TestParseMRZCCCD(t *testing.T) {
	m, err := ParseMRZ(mrzDinh)
	if err != nil {
		t.Fatal(err)
	}
	want := MRZ{Format: TD1, DocumentCode: "ID", IssuingState: "VNM", DocumentNumber: "091005513",
		OptionalData: "051091005513<<0", DateOfBirth: "910101", Sex: "M", DateOfExpiry: "310101",
		Nationality: "VNM", PrimaryIdentifier: "DINH", SecondaryIdentifier: "DUY TAN"}
	m.docCheck, m.dobCheck, m.expCheck, m.raw = 0, 0, 0, ""
	if m != want {
		t.Fatalf("got %+v\nwant %+v", m, want)
	}
	m, _ = ParseMRZ(mrzNgv)
	if got := m.MRZInformation(); got != "203012345003052002805209" {
		t.Fatalf("MRZ information %q", got)
	}
	if m.String() != mrzNgv {
		t.Fatalf("String() = %q", m.String())
	}
}

func TestParseMRZICAO(t *testing.T) {
	cases := []struct {
		mrz, doc, info, opt string
		f                   MRZFormat
	}{
		{mrzUto, "L898902C", "L898902C<369080619406236", "", TD1},
		{mrzLong, "D23145890734", "D23145890734934071279507122", "", TD1},
		{mrzTD3, "L898902C3", "L898902C3674081221204159", "ZE184226B", TD3},
		{mrzTD2, "D23145890", "D23145890774081221204159", "", TD2},
	}
	for _, c := range cases {
		m, err := ParseMRZ(c.mrz)
		if err != nil {
			t.Fatalf("%s: %v", c.doc, err)
		}
		if m.Format != c.f || m.DocumentNumber != c.doc || m.MRZInformation() != c.info || m.OptionalData != c.opt {
			t.Errorf("%s: got %v %q %q %q", c.doc, m.Format, m.DocumentNumber, m.MRZInformation(), m.OptionalData)
		}
		if m.PrimaryIdentifier == "" || m.SecondaryIdentifier == "" {
			t.Errorf("%s: name %q %q", c.doc, m.PrimaryIdentifier, m.SecondaryIdentifier)
		}
	}
}

// Each check digit, when altered, is reported against its own field.
func TestMRZCheckDigitErrorsNamed(t *testing.T) {
	flat := strings.ReplaceAll(mrzNgv, "\n", "")
	cases := map[int]string{14: "documentNumber", 36: "dateOfBirth", 44: "dateOfExpiry", 59: "composite"}
	for pos, field := range cases {
		b := []byte(flat)
		b[pos] = '0' + (b[pos]-'0'+1)%10
		_, err := ParseMRZ(string(b))
		var cde *CheckDigitError
		if !errors.As(err, &cde) || cde.Field != field || !errors.Is(err, ErrCheckDigit) {
			t.Errorf("pos %d: got %v, want check digit error on %s", pos, err, field)
		}
	}
	// A data change (not a check digit) must also be caught.
	b := []byte(flat)
	b[30] = '1' // DOB 030520 -> 130520
	var cde *CheckDigitError
	if _, err := ParseMRZ(string(b)); !errors.As(err, &cde) || cde.Field != "dateOfBirth" {
		t.Errorf("altered DOB: %v", err)
	}
	td3 := []byte(strings.ReplaceAll(mrzTD3, "\n", ""))
	td3[44+42] = '9'
	if _, err := ParseMRZ(string(td3)); !errors.As(err, &cde) || cde.Field != "optionalData" {
		t.Errorf("TD3 personal number: %v", err)
	}
}

func TestParseMRZMalformed(t *testing.T) {
	for _, s := range []string{"", "IDVNM", strings.Repeat("<", 89), strings.ToLower(mrzNgv),
		strings.Replace(mrzNgv, "0305200", "0313200", 1)} {
		if _, err := ParseMRZ(s); !errors.Is(err, ErrMRZFormat) && !errors.Is(err, ErrCheckDigit) {
			t.Errorf("%q: %v", s, err)
		}
	}
	// invalid month is a format error on the date field, not a check digit error
	_, err := ParseMRZ(strings.Replace(mrzNgv, "0305200", "0313205", 1))
	var fe *MRZFieldError
	if !errors.As(err, &fe) || fe.Field != "dateOfBirth" {
		t.Fatalf("got %v", err)
	}
}

func TestBuildTD1(t *testing.T) {
	got, err := BuildTD1(TD1Fields{DocumentCode: "ID", IssuingState: "VNM", DocumentNumber: "203012345",
		OptionalData: "001203012345<<1", DateOfBirth: "030520", Sex: "M", DateOfExpiry: "280520",
		Nationality: "VNM", PrimaryIdentifier: "Nguyễn", SecondaryIdentifier: "Văn A"})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(mrzNgv, "\n", ""); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	long, err := BuildTD1(TD1Fields{DocumentCode: "I", IssuingState: "UTO", DocumentNumber: "D23145890734",
		DateOfBirth: "340712", Sex: "M", DateOfExpiry: "950712", Nationality: "UTO",
		PrimaryIdentifier: "STEVENSON", SecondaryIdentifier: "PETER JOHN"})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(mrzLong, "\n", ""); long != want {
		t.Fatalf("got  %s\nwant %s", long, want)
	}
	// No expiry: "<<<<<<0", accepted back.
	none, err := BuildTD1(TD1Fields{DocumentCode: "ID", IssuingState: "VNM", DocumentNumber: "160012345",
		OptionalData: "001160012345", DateOfBirth: "600101", Sex: "F", Nationality: "VNM",
		PrimaryIdentifier: "Trần", SecondaryIdentifier: "Thị Đào"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMRZ(none)
	if err != nil {
		t.Fatal(err)
	}
	if m.HasExpiry() || m.DateOfExpiry != "<<<<<<" || m.SecondaryIdentifier != "THI DAO" || m.Sex != "F" {
		t.Fatalf("%+v", m)
	}
	if _, err := BuildTD1(TD1Fields{DocumentCode: "ID", DocumentNumber: "1", DateOfBirth: "991332", Sex: "M"}); err == nil {
		t.Fatal("invalid date accepted")
	}
}

func TestMRZName(t *testing.T) {
	for in, want := range map[string]string{
		"Nguyễn Thị Ngọc Huyền": "NGUYEN<THI<NGOC<HUYEN",
		"Đặng  Văn Đức":         "DANG<VAN<DUC",
		"Lê-Ánh":                "LE<ANH",
	} {
		if got := MRZName(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestDG1RoundTrip(t *testing.T) {
	dg1 := BuildDG1(mrzDinh)
	if !bytes.HasPrefix(dg1, []byte{0x61, 0x5D, 0x5F, 0x1F, 0x5A}) {
		t.Fatalf("DG1 header %x", dg1[:5])
	}
	m, err := ParseDG1(dg1)
	if err != nil || m.DocumentNumber != "091005513" {
		t.Fatal(m, err)
	}
	if _, err := ParseDG1(append([]byte{0x62}, dg1[1:]...)); !errors.Is(err, ErrWrongTag) {
		t.Fatal(err)
	}
}

func TestCOM(t *testing.T) {
	b, _ := hex.DecodeString("60145F0104303130365F36063034303030305C026175")
	c, err := ParseCOM(b)
	if err != nil {
		t.Fatal(err)
	}
	if c.LDSVersion != "0106" || c.UnicodeVersion != "040000" || len(c.Tags) != 2 || c.Tags[0] != 0x61 || c.Tags[1] != 0x75 {
		t.Fatalf("%+v", c)
	}
	if dgs := c.DataGroups(); len(dgs) != 2 || dgs[0] != 1 || dgs[1] != 2 {
		t.Fatal(dgs)
	}
	if !bytes.Equal(c.Bytes(), b) {
		t.Fatalf("round trip %x", c.Bytes())
	}
	for _, bad := range []string{"", "60", "600300", "61145F0104303130365F36063034303030305C026175", "60085F01043031303600"} {
		raw, _ := hex.DecodeString(bad)
		if _, err := ParseCOM(raw); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
