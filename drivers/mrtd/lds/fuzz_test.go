package lds

import (
	"crypto/elliptic"
	"encoding/hex"
	"github.com/tramso/tramso/drivers/tlv"
	"strings"
	"testing"
)

func FuzzParseMRZ(f *testing.F) {
	for _, s := range []string{mrzDinh, mrzNgv, mrzUto, mrzLong, mrzTD3, mrzTD2, strings.Repeat("<", 90)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMRZ(s)
		if err != nil {
			return
		}
		// Whatever parses must parse again from its own rendering.
		if _, err := ParseMRZ(m.String()); err != nil {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

func FuzzParseDG1(f *testing.F) {
	f.Add(BuildDG1(mrzNgv))
	f.Add(BuildDG1(mrzTD3))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseDG1(b) })
}

func FuzzParseCOM(f *testing.F) {
	b, _ := hex.DecodeString("60145F0104303130365F36063034303030305C026175")
	f.Add(b)
	f.Add(COM{Tags: []tlv.Tag{0x61, 0x75, 0x6D}}.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCOM(b)
		if err != nil {
			return
		}
		if _, err := ParseCOM(c.Bytes()); err != nil {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

func FuzzParseDG2(f *testing.F) {
	f.Add(sampleDG2(f))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseDG2(b) })
}

func FuzzParseDG14(f *testing.F) {
	k := mustEC(f, BrainpoolP256r1())
	dg14, _ := BuildDG14(SecurityInfos{
		ChipAuthentication:           []ChipAuthenticationInfo{{Protocol: OIDCAECDHAES128, Version: 1}},
		ChipAuthenticationPublicKeys: []ChipAuthenticationPublicKeyInfo{{Protocol: OIDPKECDH, PublicKey: k.Public()}},
	})
	f.Add(dg14)
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseDG14(b) })
}

func FuzzParseDG15(f *testing.F) {
	for _, k := range []any{mustRSA(f, 1024).Public(), mustEC(f, elliptic.P256()).Public(), mustEC(f, BrainpoolP256r1()).Public()} {
		dg15, _ := BuildDG15(k)
		f.Add(dg15)
	}
	bp := mustEC(f, BrainpoolP384r1())
	der, _ := MarshalPublicKey(bp.Public(), true)
	f.Add(append([]byte{0x6F, 0x82, byte(len(der) >> 8), byte(len(der))}, der...))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseDG15(b) })
}

func FuzzParseSOD(f *testing.F) {
	p := newPKI(f, mustEC(f, BrainpoolP384r1()), mustEC(f, elliptic.P256()), true)
	sod, err := BuildSODWithOptions(sampleDGs(f), SODOptions{Signer: p.dsKey, Certificate: p.ds.Raw})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sod)
	trust := NewTrustStore(p.csca)
	dgs := map[int][]byte{1: BuildDG1(mrzNgv)}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseSOD(b)
		if r := VerifySOD(b, dgs, trust); r.Status == "" || r.Detail == "" {
			t.Fatalf("empty result %+v", r)
		}
	})
}

func FuzzParseCertificate(f *testing.F) {
	p := newPKI(f, mustEC(f, BrainpoolP512r1()), mustRSA(f, 1024), true)
	f.Add(p.csca.Raw)
	f.Add(p.ds.Raw)
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseCertificate(b) })
}
