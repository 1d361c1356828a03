package lds

import (
	"crypto/elliptic"
	"testing"

	"github.com/tramso/tramso/drivers/tlv"
	"github.com/tramso/tramso/internal/errtext"
)

// Every error a parser of the chip's files returns reads as one bilingual sentence, however deep
// in the structure the damage is: each valid file is cut short at every length and has each of
// its bytes flipped in turn.
func TestParseErrorsAreOneSentence(t *testing.T) {
	k := mustEC(t, BrainpoolP256r1())
	dg14, err := BuildDG14(SecurityInfos{
		ChipAuthentication:           []ChipAuthenticationInfo{{Protocol: OIDCAECDHAES128, Version: 1}},
		ChipAuthenticationPublicKeys: []ChipAuthenticationPublicKeyInfo{{Protocol: OIDPKECDH, PublicKey: k.Public()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	dg15, err := BuildDG15(mustEC(t, elliptic.P256()).Public())
	if err != nil {
		t.Fatal(err)
	}
	p := newPKI(t, mustEC(t, BrainpoolP384r1()), mustEC(t, elliptic.P256()), true)
	sod, err := BuildSODWithOptions(sampleDGs(t), SODOptions{Signer: p.dsKey, Certificate: p.ds.Raw})
	if err != nil {
		t.Fatal(err)
	}
	parsers := []struct {
		name  string
		file  []byte
		parse func([]byte) error
	}{
		{"DG1", BuildDG1(mrzNgv), func(b []byte) error { _, err := ParseDG1(b); return err }},
		{"COM", COM{Tags: []tlv.Tag{0x61, 0x75, 0x6D}}.Bytes(), func(b []byte) error { _, err := ParseCOM(b); return err }},
		{"DG2", sampleDG2(t), func(b []byte) error { _, err := ParseDG2(b); return err }},
		{"DG14", dg14, func(b []byte) error { _, err := ParseDG14(b); return err }},
		{"DG15", dg15, func(b []byte) error { _, err := ParseDG15(b); return err }},
		{"SOD", sod, func(b []byte) error { _, err := ParseSOD(b); return err }},
		{"certificate", p.ds.Raw, func(b []byte) error { _, err := ParseCertificate(b); return err }},
	}
	for _, ps := range parsers {
		seen := map[string]bool{} // messages differ in offsets only: check each shape once
		check := func(b []byte) {
			err := ps.parse(b)
			if err == nil || seen[err.Error()] {
				return
			}
			seen[err.Error()] = true
			if werr := errtext.Check(err); werr != nil {
				t.Errorf("%s: %v", ps.name, werr)
			}
		}
		for n := range len(ps.file) {
			check(ps.file[:n])
		}
		for i := range ps.file {
			b := append([]byte(nil), ps.file...)
			b[i] ^= 0xFF
			check(b)
		}
		if len(seen) == 0 {
			t.Errorf("%s: no damaged file was refused", ps.name)
		}
		t.Logf("%s: %d different errors", ps.name, len(seen))
	}
}
