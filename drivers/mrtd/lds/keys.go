package lds

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"math/big"

	"github.com/tramso/tramso/drivers/tlv"
)

// ErrUnsupportedKey is returned for public keys of an algorithm or curve this package cannot use.
var ErrUnsupportedKey = errors.New("khóa công khai không được hỗ trợ (unsupported public key)")

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidPrimeField  = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
	oidPKECDH      = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1, 2}
)

type spki struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

type ecFieldID struct {
	FieldType asn1.ObjectIdentifier
	Prime     *big.Int
}

type ecCurveCoeffs struct {
	A, B []byte
	Seed asn1.BitString `asn1:"optional"`
}

type ecParameters struct {
	Version  int
	FieldID  ecFieldID
	Curve    ecCurveCoeffs
	Base     []byte
	Order    *big.Int
	Cofactor *big.Int `asn1:"optional"`
}

// ParsePublicKey parses a DER SubjectPublicKeyInfo. RSA and NIST-curve EC keys come back as the
// standard library's types; EC keys on Brainpool curves, named or with explicit domain parameters,
// come back as *ecdsa.PublicKey whose Curve is a *Curve.
func ParsePublicKey(der []byte) (crypto.PublicKey, error) {
	if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
		return pub, nil
	}
	var k spki
	rest, err := asn1.Unmarshal(der, &k)
	if err != nil {
		return nil, errtext.Wrap(errors.New("SubjectPublicKeyInfo hỏng (malformed SubjectPublicKeyInfo)"), err)
	}
	if len(rest) != 0 {
		return nil, errors.New("SubjectPublicKeyInfo thừa dữ liệu (trailing data after SubjectPublicKeyInfo)")
	}
	alg := k.Algorithm.Algorithm
	if !alg.Equal(oidECPublicKey) && !alg.Equal(oidPKECDH) {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, alg)
	}
	curve, err := parseECParams(k.Algorithm.Parameters)
	if err != nil {
		return nil, err
	}
	x, y, err := unmarshalPoint(curve, k.PublicKey.RightAlign())
	if err != nil {
		return nil, err
	}
	return &ecdsa.PublicKey{Curve: curve, X: x, Y: y}, nil
}

// parseECParams returns the curve named by an OID or described by explicit ECParameters.
func parseECParams(p asn1.RawValue) (elliptic.Curve, error) {
	if p.Tag == asn1.TagOID && p.Class == asn1.ClassUniversal {
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(p.FullBytes, &oid); err != nil {
			return nil, errtext.Wrap(errors.New("OID đường cong hỏng (malformed curve OID)"), err)
		}
		c := curveByOID(oid)
		if c == nil {
			return nil, fmt.Errorf("%w: curve %v", ErrUnsupportedKey, oid)
		}
		return c, nil
	}
	if p.Tag != asn1.TagSequence {
		return nil, fmt.Errorf("%w: no curve parameters", ErrUnsupportedKey)
	}
	var ep ecParameters
	if _, err := asn1.Unmarshal(p.FullBytes, &ep); err != nil {
		return nil, errtext.Wrap(errors.New("tham số EC tường minh hỏng (malformed explicit EC parameters)"), err)
	}
	if !ep.FieldID.FieldType.Equal(oidPrimeField) || ep.FieldID.Prime == nil || ep.Order == nil {
		return nil, fmt.Errorf("%w: not a prime-field curve", ErrUnsupportedKey)
	}
	if ep.Cofactor != nil && ep.Cofactor.Cmp(big.NewInt(1)) != 0 {
		return nil, fmt.Errorf("%w: cofactor is not 1", ErrUnsupportedKey)
	}
	pr := ep.FieldID.Prime
	if pr.Sign() <= 0 || pr.BitLen() > 640 || ep.Order.Sign() <= 0 || ep.Order.BitLen() > pr.BitLen()+1 ||
		ep.Order.BitLen() < pr.BitLen()/2 {
		return nil, fmt.Errorf("%w: curve size", ErrUnsupportedKey)
	}
	if !pr.ProbablyPrime(16) || !ep.Order.ProbablyPrime(16) {
		return nil, fmt.Errorf("%w: curve field or order not prime", ErrUnsupportedKey)
	}
	c := &Curve{name: "explicit", p: pr, a: new(big.Int).SetBytes(ep.Curve.A), b: new(big.Int).SetBytes(ep.Curve.B),
		n: ep.Order, h: 1, bits: pr.BitLen()}
	size := (c.bits + 7) / 8
	if len(ep.Base) != 1+2*size || ep.Base[0] != 4 {
		return nil, fmt.Errorf("%w: base point encoding", ErrUnsupportedKey)
	}
	c.gx = new(big.Int).SetBytes(ep.Base[1 : 1+size])
	c.gy = new(big.Int).SetBytes(ep.Base[1+size:])
	if !c.IsOnCurve(c.gx, c.gy) {
		return nil, fmt.Errorf("%w: base point not on curve", ErrUnsupportedKey)
	}
	for _, k := range knownCurves() {
		if k.equal(c) {
			return k, nil
		}
	}
	for _, std := range []elliptic.Curve{elliptic.P224(), elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		sp := std.Params()
		am3 := new(big.Int).Sub(sp.P, big.NewInt(3))
		if sp.P.Cmp(c.p) == 0 && am3.Cmp(c.a) == 0 && sp.B.Cmp(c.b) == 0 && sp.Gx.Cmp(c.gx) == 0 &&
			sp.Gy.Cmp(c.gy) == 0 && sp.N.Cmp(c.n) == 0 {
			return std, nil
		}
	}
	return c, nil
}

// MarshalPublicKey returns the DER SubjectPublicKeyInfo of an RSA or EC public key. Keys on a
// *Curve are written with the named-curve OID, or with explicit domain parameters when explicit
// is true (as the Vietnamese CSCA does) or the curve has no OID.
func MarshalPublicKey(pub crypto.PublicKey, explicit bool) ([]byte, error) {
	ek, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		if _, isRSA := pub.(*rsa.PublicKey); !isRSA {
			return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
		}
		return x509.MarshalPKIXPublicKey(pub)
	}
	c, ok := ek.Curve.(*Curve)
	if !ok && !explicit {
		return x509.MarshalPKIXPublicKey(pub)
	}
	var params asn1.RawValue
	if oid, has := oidForCurve(ek.Curve); has && !explicit {
		b, err := asn1.Marshal(oid)
		if err != nil {
			return nil, err
		}
		params = asn1.RawValue{FullBytes: b}
	} else {
		if c == nil {
			sp := ek.Curve.Params()
			c = &Curve{p: sp.P, a: new(big.Int).Sub(sp.P, big.NewInt(3)), b: sp.B, gx: sp.Gx, gy: sp.Gy, n: sp.N, h: 1, bits: sp.BitSize}
		}
		size := (c.bits + 7) / 8
		ep := ecParameters{
			Version:  1,
			FieldID:  ecFieldID{FieldType: oidPrimeField, Prime: c.p},
			Curve:    ecCurveCoeffs{A: c.a.FillBytes(make([]byte, size)), B: c.b.FillBytes(make([]byte, size))},
			Base:     marshalPoint(c, c.gx, c.gy),
			Order:    c.n,
			Cofactor: big.NewInt(int64(c.h)),
		}
		b, err := asn1.Marshal(ep)
		if err != nil {
			return nil, err
		}
		params = asn1.RawValue{FullBytes: b}
	}
	pt := marshalPoint(ek.Curve, ek.X, ek.Y)
	return asn1.Marshal(spki{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: params},
		PublicKey: asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)},
	})
}

// ParseDG15 returns the Active Authentication public key held in DG15 (tag 6F): RSA or EC.
func ParseDG15(b []byte) (crypto.PublicKey, error) {
	v, err := unwrap(b, TagDG15, "DG15")
	if err != nil {
		return nil, err
	}
	pub, err := ParsePublicKey(v)
	if err != nil {
		return nil, fmt.Errorf("DG15: %w", err)
	}
	return pub, nil
}

// BuildDG15 returns DG15 holding pub as a SubjectPublicKeyInfo.
func BuildDG15(pub crypto.PublicKey) ([]byte, error) {
	der, err := MarshalPublicKey(pub, false)
	if err != nil {
		return nil, err
	}
	return tlv.Encode(TagDG15, der), nil
}

// unwrap checks that b is exactly one TLV with tag want and returns its value.
func unwrap(b []byte, want tlv.Tag, name string) ([]byte, error) {
	tag, v, rest, err := tlv.Next(b)
	if err != nil {
		return nil, errtext.Wrap(fmt.Errorf("%s hỏng (malformed %s)", name, name), err)
	}
	if tag != want {
		return nil, fmt.Errorf("%s: %w: got tag %s, want %s", name, ErrWrongTag, tag, want)
	}
	if len(rest) != 0 && !allZeroOrFF(rest) {
		return nil, fmt.Errorf("%s: %w: %d trailing bytes", name, ErrMalformed, len(rest))
	}
	return v, nil
}

// allZeroOrFF reports whether b is padding some chips leave after a file's TLV.
func allZeroOrFF(b []byte) bool {
	for _, c := range b {
		if c != 0 && c != 0xFF {
			return false
		}
	}
	return true
}

type sec1Key struct {
	Version    int
	PrivateKey []byte
	Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

// MarshalECPrivateKey encodes a key on a named *Curve as SEC 1 ECPrivateKey DER (PEM type
// "EC PRIVATE KEY"), readable by OpenSSL.
func MarshalECPrivateKey(k *ECPrivateKey) ([]byte, error) {
	if k.Curve.oid == nil {
		return nil, fmt.Errorf("%w: curve without OID", ErrUnsupportedKey)
	}
	size := (k.Curve.n.BitLen() + 7) / 8
	pt := marshalPoint(k.Curve, k.X, k.Y)
	return asn1.Marshal(sec1Key{Version: 1, PrivateKey: k.D.FillBytes(make([]byte, size)), Curve: k.Curve.oid,
		PublicKey: asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)}})
}

// ParseECPrivateKey decodes SEC 1 ECPrivateKey DER on a Brainpool curve.
func ParseECPrivateKey(der []byte) (*ECPrivateKey, error) {
	var s sec1Key
	if _, err := asn1.Unmarshal(der, &s); err != nil {
		return nil, errtext.Wrap(errors.New("khóa EC hỏng (malformed EC private key)"), err)
	}
	c, ok := curveByOID(s.Curve).(*Curve)
	if !ok {
		return nil, fmt.Errorf("%w: curve %v", ErrUnsupportedKey, s.Curve)
	}
	d := new(big.Int).SetBytes(s.PrivateKey)
	if d.Sign() <= 0 || d.Cmp(c.n) >= 0 {
		return nil, fmt.Errorf("%w: private scalar out of range", ErrUnsupportedKey)
	}
	x, y := c.mul(c.gx, c.gy, d.Bytes())
	return &ECPrivateKey{Curve: c, D: d, X: x, Y: y}, nil
}
