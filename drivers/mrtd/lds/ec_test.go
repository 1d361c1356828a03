package lds

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"testing"
)

func TestCurvesConsistent(t *testing.T) {
	for _, c := range knownCurves() {
		if !c.n.ProbablyPrime(20) || !c.p.ProbablyPrime(20) {
			t.Errorf("%s: p or n not prime", c.Name())
		}
		if !c.IsOnCurve(c.gx, c.gy) {
			t.Errorf("%s: G not on curve", c.Name())
		}
		if x, _ := c.mul(c.gx, c.gy, c.n.Bytes()); x != nil {
			t.Errorf("%s: n·G is not the point at infinity", c.Name())
		}
	}
}

// ICAO 9303-11 Appendix G.1 (idcard.md §2.2): the terminal's mapping key pair on brainpoolP256r1,
// and the shared point H with the chip's mapping public key.
func TestBrainpoolP256ICAOVector(t *testing.T) {
	c := BrainpoolP256r1()
	d, _ := hex.DecodeString("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99")
	x, y := c.ScalarBaseMult(d)
	wantX := "7ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
	wantY := "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D"
	if got := hex.EncodeToString(x.FillBytes(make([]byte, 32))); got != lower(wantX) {
		t.Fatalf("x = %s", got)
	}
	if got := hex.EncodeToString(y.FillBytes(make([]byte, 32))); got != lower(wantY) {
		t.Fatalf("y = %s", got)
	}
	chipPub, _ := hex.DecodeString("04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54")
	px, py, err := unmarshalPoint(c, chipPub)
	if err != nil {
		t.Fatal(err)
	}
	hx, hy := c.ScalarMult(px, py, d)
	if got := hex.EncodeToString(hx.FillBytes(make([]byte, 32))); got != lower("60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5") {
		t.Fatalf("H.x = %s", got)
	}
	if got := hex.EncodeToString(hy.FillBytes(make([]byte, 32))); got != lower("0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181") {
		t.Fatalf("H.y = %s", got)
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestBrainpoolECDSA(t *testing.T) {
	for _, c := range knownCurves() {
		k, err := GenerateECKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		digest := sha256.Sum256([]byte("hồ sơ"))
		der, err := k.Sign(rand.Reader, digest[:], nil)
		if err != nil {
			t.Fatal(err)
		}
		pub := k.Public()
		if err := verifyECDSADER(pub.(*ecdsa.PublicKey), digest[:], der); err != nil {
			t.Fatalf("%s: %v", c.Name(), err)
		}
	}
}

func TestECDSARejects(t *testing.T) {
	c := BrainpoolP256r1()
	k, _ := GenerateECKey(c, rand.Reader)
	pub := k.Public().(*ecdsa.PublicKey)
	digest := sha256.Sum256([]byte("a"))
	r, s, err := k.sign(rand.Reader, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyECDSA(pub, digest[:], r, s); err != nil {
		t.Fatal(err)
	}
	other := sha256.Sum256([]byte("b"))
	if VerifyECDSA(pub, other[:], r, s) == nil {
		t.Fatal("signature verified over another digest")
	}
	if VerifyECDSA(pub, digest[:], r, new(big.Int).Add(s, big.NewInt(1))) == nil {
		t.Fatal("altered s verified")
	}
	if VerifyECDSA(pub, digest[:], new(big.Int), s) == nil {
		t.Fatal("r = 0 verified")
	}
	if VerifyECDSA(pub, digest[:], c.n, s) == nil {
		t.Fatal("r = n verified")
	}
}
