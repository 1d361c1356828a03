package lds

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"image"
	"image/color"
	"image/jpeg"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type pki struct {
	csca    *Certificate
	cscaKey crypto.Signer
	ds      *Certificate
	dsKey   crypto.Signer
}

// newPKI makes a CSCA with cscaKey and a document signer with dsKey under it.
func newPKI(t testing.TB, cscaKey, dsKey crypto.Signer, explicit bool) pki {
	t.Helper()
	now := time.Now()
	cscaDER, err := CreateCertificate(CertTemplate{Serial: big.NewInt(1),
		Subject:   pkix.Name{Country: []string{"VN"}, Organization: []string{"Test"}, CommonName: "Test CSCA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, ExplicitParams: explicit},
		cscaKey.Public(), nil, cscaKey)
	if err != nil {
		t.Fatal(err)
	}
	csca, err := ParseCertificate(cscaDER)
	if err != nil {
		t.Fatal(err)
	}
	dsDER, err := CreateCertificate(CertTemplate{Serial: big.NewInt(2),
		Subject:   pkix.Name{Country: []string{"VN"}, Organization: []string{"Test"}, CommonName: "Test DS"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(12 * time.Hour)}, dsKey.Public(), csca, cscaKey)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ParseCertificate(dsDER)
	if err != nil {
		t.Fatal(err)
	}
	return pki{csca: csca, cscaKey: cscaKey, ds: ds, dsKey: dsKey}
}

func mustEC(t testing.TB, c elliptic.Curve) crypto.Signer {
	if bc, ok := c.(*Curve); ok {
		k, err := GenerateECKey(bc, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustRSA(t testing.TB, bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sampleDGs(t testing.TB) map[int][]byte {
	return map[int][]byte{1: BuildDG1(mrzNgv), 2: sampleDG2(t), 13: {0x6D, 0x03, 0x30, 0x01, 0x00}}
}

func sampleJPEG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 24, 32))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(1, 1, color.White)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sampleDG2(t testing.TB) []byte {
	dg2, err := BuildDG2(sampleJPEG(t))
	if err != nil {
		t.Fatal(err)
	}
	return dg2
}

func TestPassiveAuthentication(t *testing.T) {
	bp := newPKI(t, mustEC(t, BrainpoolP512r1()), mustEC(t, elliptic.P256()), true)
	dgs := sampleDGs(t)
	dsX509, err := x509.ParseCertificate(bp.ds.Raw)
	if err != nil {
		t.Fatal(err)
	}
	sod, err := BuildSOD(dgs, crypto.SHA256, bp.dsKey, dsX509)
	if err != nil {
		t.Fatal(err)
	}
	trust := NewTrustStore(bp.csca)

	if r := VerifySOD(sod, dgs, trust); r.Status != StatusValid || len(r.Checked) != 3 {
		t.Fatalf("valid SOD: %v %v", r, r.Checked)
	}
	// Only some data groups read: still valid, the rest listed.
	if r := VerifySOD(sod, map[int][]byte{1: dgs[1]}, trust); r.Status != StatusValid || len(r.NotRead) != 2 {
		t.Fatalf("partial: %v %v", r, r.NotRead)
	}
	// No trust anchors: unverified, never valid.
	for _, ts := range []*TrustStore{nil, NewTrustStore()} {
		if r := VerifySOD(sod, dgs, ts); r.Status != StatusUnverified || !strings.Contains(r.Detail, "no CSCA trust anchors configured") {
			t.Fatalf("no trust: %v", r)
		}
	}
	// Tampered DG13: invalid, with or without trust anchors.
	tampered := map[int][]byte{1: dgs[1], 2: dgs[2], 13: {0x6D, 0x03, 0x30, 0x01, 0x01}}
	for _, ts := range []*TrustStore{trust, nil} {
		if r := VerifySOD(sod, tampered, ts); r.Status != StatusInvalid || !strings.Contains(r.Detail, "DG13 hash mismatch") {
			t.Fatalf("tampered DG13: %v", r)
		}
	}
	// DG injection: a data group the SOD does not cover.
	inj := map[int][]byte{1: dgs[1], 11: {0x6B, 0x00}}
	if r := VerifySOD(sod, inj, trust); r.Status != StatusInvalid || !strings.Contains(r.Detail, "DG11 not covered") {
		t.Fatalf("injection: %v", r)
	}
	// Tampered signature.
	s, _ := ParseSOD(sod)
	badSig := bytes.Replace(sod, s.Signature, flipLast(s.Signature), 1)
	if r := VerifySOD(badSig, dgs, nil); r.Status != StatusInvalid || !strings.Contains(r.Detail, "document signer signature over signed attributes invalid") {
		t.Fatalf("tampered signature: %v", r)
	}
	// Tampered hash inside the LDSSecurityObject: the message digest no longer matches.
	h13 := s.Hashes[13]
	badLSO := bytes.Replace(sod, h13, flipLast(h13), 1)
	if r := VerifySOD(badLSO, dgs, trust); r.Status != StatusInvalid || !strings.Contains(r.Detail, "message-digest") {
		t.Fatalf("tampered LDSSecurityObject: %v", r)
	}
	// Wrong DS: a document signer from another CSCA.
	other := newPKI(t, mustEC(t, elliptic.P256()), mustEC(t, elliptic.P256()), false)
	if r := VerifySOD(sod, dgs, NewTrustStore(other.csca)); r.Status != StatusInvalid || !strings.Contains(r.Detail, "does not chain to a trusted CSCA") {
		t.Fatalf("wrong CSCA: %v", r)
	}
	// Same subject name, different key (an impostor CSCA).
	impostor := newPKI(t, mustEC(t, BrainpoolP512r1()), mustEC(t, elliptic.P256()), true)
	otherSOD, _ := BuildSODWithOptions(dgs, SODOptions{Signer: impostor.dsKey, Certificate: impostor.ds.Raw})
	if r := VerifySOD(otherSOD, dgs, trust); r.Status != StatusInvalid || !strings.Contains(r.Detail, "does not chain") {
		t.Fatalf("impostor DS: %v", r)
	}
	// Expired chain.
	if r := VerifySODAt(sod, dgs, trust, time.Now().Add(48*time.Hour)); r.Status != StatusInvalid || !strings.Contains(r.Detail, "expired") {
		t.Fatalf("expired: %v", r)
	}
	// Garbage.
	if r := VerifySOD([]byte{0x77, 0x01, 0x00}, dgs, trust); r.Status != StatusInvalid {
		t.Fatalf("garbage: %v", r)
	}
}

func flipLast(b []byte) []byte {
	c := append([]byte(nil), b...)
	c[len(c)-1] ^= 1
	return c
}

func TestPassiveAuthenticationAlgorithms(t *testing.T) {
	dgs := sampleDGs(t)
	rsaKey := mustRSA(t, 1024)
	cases := []struct {
		name          string
		csca, ds      crypto.Signer
		explicit, pss bool
		hash          crypto.Hash
	}{
		{"P-256/P-256", mustEC(t, elliptic.P256()), mustEC(t, elliptic.P256()), false, false, crypto.SHA256},
		{"P-384/RSA", mustEC(t, elliptic.P384()), rsaKey, false, false, crypto.SHA384},
		{"RSA/RSA-PSS", rsaKey, mustRSA(t, 1024), false, true, crypto.SHA256},
		{"bp512/bp256", mustEC(t, BrainpoolP512r1()), mustEC(t, BrainpoolP256r1()), false, false, crypto.SHA512},
		{"bp384/P-256 SHA-1", mustEC(t, BrainpoolP384r1()), mustEC(t, elliptic.P256()), true, false, crypto.SHA1},
	}
	for _, c := range cases {
		p := newPKI(t, c.csca, c.ds, c.explicit)
		sod, err := BuildSODWithOptions(dgs, SODOptions{Hash: c.hash, Signer: p.dsKey, Certificate: p.ds.Raw, PSS: c.pss})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if r := VerifySOD(sod, dgs, NewTrustStore(p.csca)); r.Status != StatusValid {
			t.Fatalf("%s: %v", c.name, r)
		}
		s, _ := ParseSOD(sod)
		if s.HashAlgorithm != c.hash || len(s.Hashes) != 3 {
			t.Fatalf("%s: hash %v %d", c.name, s.HashAlgorithm, len(s.Hashes))
		}
		bad := bytes.Replace(sod, s.Signature, flipLast(s.Signature), 1)
		if r := VerifySOD(bad, dgs, NewTrustStore(p.csca)); r.Status != StatusInvalid {
			t.Fatalf("%s tampered: %v", c.name, r)
		}
	}
}

func TestCSCAWithStandardLibrary(t *testing.T) {
	// A P-256 CSCA created by this package must be readable by crypto/x509, and a brainpool one
	// must not be needed to be.
	p := newPKI(t, mustEC(t, elliptic.P256()), mustEC(t, elliptic.P256()), false)
	c, err := x509.ParseCertificate(p.csca.Raw)
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := x509.ParseCertificate(p.ds.Raw)
	if err := ds.CheckSignatureFrom(c); err != nil {
		t.Fatal(err)
	}
	ts, err := TrustStoreFromX509(c)
	if err != nil || ts.Len() != 1 {
		t.Fatal(err)
	}
}

func TestLoadTrustStore(t *testing.T) {
	dir := t.TempDir()
	a := newPKI(t, mustEC(t, BrainpoolP512r1()), mustEC(t, elliptic.P256()), true)
	b := newPKI(t, mustEC(t, elliptic.P256()), mustEC(t, elliptic.P256()), false)
	if err := os.WriteFile(filepath.Join(dir, "vn.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.csca.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other.der"), b.csca.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not a cert"), 0o644); err != nil {
		t.Fatal(err)
	}
	ts, err := LoadTrustStore(dir)
	if err != nil || ts.Len() != 2 {
		t.Fatalf("%v %d", err, ts.Len())
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.cer"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTrustStore(dir); err == nil || !strings.Contains(err.Error(), "bad.cer") {
		t.Fatalf("bad file: %v", err)
	}
	if _, err := LoadTrustStore(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("missing dir accepted")
	}
}

func TestDG2(t *testing.T) {
	img := sampleJPEG(t)
	dg2, err := BuildDG2(img)
	if err != nil {
		t.Fatal(err)
	}
	faces, err := ParseDG2(dg2)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != 1 || !bytes.Equal(faces[0].Data, img) || faces[0].MIME != MIMEJPEG || faces[0].Width != 24 || faces[0].Height != 32 {
		t.Fatalf("%d %s %dx%d", len(faces), faces[0].MIME, faces[0].Width, faces[0].Height)
	}
	j2k := append([]byte{0xFF, 0x4F, 0xFF, 0x51, 0, 41, 0, 0, 0, 0, 0, 100, 0, 0, 0, 120, 0, 0, 0, 0, 0, 0, 0, 0}, bytes.Repeat([]byte{7}, 50)...)
	dg2, err = BuildDG2(j2k)
	if err != nil {
		t.Fatal(err)
	}
	faces, err = ParseDG2(dg2)
	if err != nil || faces[0].MIME != MIMEJ2C || !bytes.Equal(faces[0].Data, j2k) || faces[0].Width != 100 || faces[0].Height != 120 {
		t.Fatalf("%v %+v", err, faces)
	}
	if _, err := BuildDG2([]byte("GIF89a")); err == nil {
		t.Fatal("GIF accepted")
	}
	// Truncated record lengths must be rejected, not read past.
	bad := append([]byte(nil), dg2...)
	i := bytes.Index(bad, []byte("FAC\x00"))
	bad[i+14] = 0x7F
	if _, err := ParseDG2(bad); err == nil {
		t.Fatal("bad record length accepted")
	}
}

func TestDG15AndDG14(t *testing.T) {
	bpKey := mustEC(t, BrainpoolP256r1())
	for _, k := range []crypto.Signer{mustRSA(t, 1024), mustEC(t, elliptic.P256()), bpKey} {
		dg15, err := BuildDG15(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ParseDG15(dg15)
		if err != nil {
			t.Fatal(err)
		}
		if !samePublic(pub, k.Public()) {
			t.Fatalf("%T round trip differs", k)
		}
	}
	// explicit parameters are recognised as the named curve
	der, err := MarshalPublicKey(bpKey.Public(), true)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(der)
	if err != nil || pub.(*ecdsa.PublicKey).Curve.(*Curve).Name() != "brainpoolP256r1" {
		t.Fatalf("%v %v", err, pub)
	}
	infos := SecurityInfos{
		ChipAuthentication:           []ChipAuthenticationInfo{{Protocol: OIDCAECDHAES128, Version: 1}},
		ChipAuthenticationPublicKeys: []ChipAuthenticationPublicKeyInfo{{Protocol: OIDPKECDH, PublicKey: bpKey.Public()}},
		ActiveAuthentication:         []ActiveAuthenticationInfo{{Version: 1, SignatureAlgorithm: OIDECDSAPlainSHA256}},
	}
	dg14, err := BuildDG14(infos)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseDG14(dg14)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ChipAuthentication) != 1 || got.ChipAuthentication[0].Version != 1 || !got.ChipAuthentication[0].Protocol.Equal(OIDCAECDHAES128) ||
		len(got.ChipAuthenticationPublicKeys) != 1 || !samePublic(got.ChipAuthenticationPublicKeys[0].PublicKey, bpKey.Public()) ||
		len(got.ActiveAuthentication) != 1 {
		t.Fatalf("%+v", got)
	}
	// The EF.CardAccess of a CCCD (idcard.md §2.3) parses as SecurityInfos.
	ca := mustHex(t, "3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d")
	s, err := ParseSecurityInfos(ca)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.PACE) != 1 || s.PACE[0].ParameterID != 13 || s.PACE[0].Version != 2 || len(s.ChipAuthentication) != 1 || len(s.Other) != 1 {
		t.Fatalf("%+v", s)
	}
}

func samePublic(a, b crypto.PublicKey) bool {
	switch x := a.(type) {
	case *rsa.PublicKey:
		y, ok := b.(*rsa.PublicKey)
		return ok && x.Equal(y)
	case *ecdsa.PublicKey:
		y, ok := b.(*ecdsa.PublicKey)
		return ok && x.X.Cmp(y.X) == 0 && x.Y.Cmp(y.Y) == 0 && x.Curve.Params().Name == y.Curve.Params().Name
	}
	return false
}

func TestActiveAuthentication(t *testing.T) {
	challenge := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	keys := []crypto.Signer{mustRSA(t, 1024), mustEC(t, elliptic.P256()), mustEC(t, elliptic.P384()), mustEC(t, BrainpoolP256r1()), mustEC(t, BrainpoolP512r1())}
	for _, k := range keys {
		sig, err := SignAA(k, challenge)
		if err != nil {
			t.Fatalf("%T: %v", k, err)
		}
		if err := VerifyAA(k.Public(), challenge, sig); err != nil {
			t.Fatalf("%T: %v", k, err)
		}
		other := []byte{1, 2, 3, 4, 5, 6, 7, 9}
		if VerifyAA(k.Public(), other, sig) == nil {
			t.Fatalf("%T: verified with another challenge", k)
		}
		if VerifyAA(k.Public(), challenge, flipLast(sig)) == nil {
			t.Fatalf("%T: verified a tampered signature", k)
		}
		if _, err := SignAA(k, make([]byte, 8)); err == nil {
			t.Fatalf("%T: zero challenge accepted", k)
		}
	}
	// EC signatures are plain r||s of twice the order length.
	sig, _ := SignAA(keys[1], challenge)
	if len(sig) != 64 {
		t.Fatalf("P-256 AA signature length %d", len(sig))
	}
	// RSA with SHA-256 trailer 34CC.
	rk := keys[0].(*rsa.PrivateKey)
	sig, err := SignAAWithHash(rk, challenge, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyAA(rk.Public(), challenge, sig); err != nil {
		t.Fatal(err)
	}
	m := new(big.Int).Exp(new(big.Int).SetBytes(sig), big.NewInt(int64(rk.E)), rk.N).Bytes()
	if m[0] != 0x6A || m[len(m)-2] != 0x34 || m[len(m)-1] != 0xCC {
		t.Fatalf("representative %x…%x", m[:1], m[len(m)-2:])
	}
	// Another key does not verify.
	if VerifyAA(mustRSA(t, 1024).Public(), challenge, sig) == nil {
		t.Fatal("verified with another key")
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkVerifySOD measures passive authentication with a brainpoolP512r1 CSCA (verified by
// this package's math/big code) and a P-256 document signer.
func BenchmarkVerifySOD(b *testing.B) {
	p := newPKI(b, mustEC(b, BrainpoolP512r1()), mustEC(b, elliptic.P256()), true)
	dgs := sampleDGs(b)
	sod, err := BuildSODWithOptions(dgs, SODOptions{Signer: p.dsKey, Certificate: p.ds.Raw})
	if err != nil {
		b.Fatal(err)
	}
	trust := NewTrustStore(p.csca)
	for b.Loop() {
		if r := VerifySOD(sod, dgs, trust); r.Status != StatusValid {
			b.Fatal(r)
		}
	}
}
