package lds

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/asn1"
	"errors"
	"github.com/tramso/tramso/internal/errtext"
	"io"
	"math/big"
)

// Curve is a short-Weierstrass prime curve y² = x³ + ax + b over GF(p), implemented with math/big
// for the curves Go's standard library does not carry (the Brainpool curves of RFC 5639 used by
// eMRTD chips and CSCAs, or curves given by explicit parameters). It satisfies elliptic.Curve so
// that keys on it can travel as *ecdsa.PublicKey, but the standard library cannot sign or verify
// with it: use VerifyECDSA and ECPrivateKey. The arithmetic is not constant time; it is meant for
// verifying public data and for test keys, not for protecting long-lived secrets.
type Curve struct {
	name   string
	oid    asn1.ObjectIdentifier // named-curve OID, nil for explicit-only curves
	p, a   *big.Int
	b      *big.Int
	gx, gy *big.Int
	n      *big.Int
	h      int
	bits   int
}

func hexInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("lds: bad curve constant")
	}
	return v
}

func newCurve(name string, oid asn1.ObjectIdentifier, p, a, b, gx, gy, n string) *Curve {
	c := &Curve{name: name, oid: oid, p: hexInt(p), a: hexInt(a), b: hexInt(b), gx: hexInt(gx), gy: hexInt(gy), n: hexInt(n), h: 1}
	c.bits = c.p.BitLen()
	return c
}

// Brainpool curve OIDs (RFC 5639).
var (
	oidBrainpoolP256r1 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7}
	oidBrainpoolP384r1 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 11}
	oidBrainpoolP512r1 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 13}
)

// BrainpoolP256r1 returns the brainpoolP256r1 curve (RFC 5639; PACE standardized domain parameter 13).
func BrainpoolP256r1() *Curve {
	return newCurve("brainpoolP256r1", oidBrainpoolP256r1,
		"A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377",
		"7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9",
		"26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6",
		"8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262",
		"547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997",
		"A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7")
}

// BrainpoolP384r1 returns the brainpoolP384r1 curve (RFC 5639; PACE parameter 16).
func BrainpoolP384r1() *Curve {
	return newCurve("brainpoolP384r1", oidBrainpoolP384r1,
		"8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53",
		"7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826",
		"04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11",
		"1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E",
		"8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315",
		"8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565")
}

// BrainpoolP512r1 returns the brainpoolP512r1 curve (RFC 5639; PACE parameter 17; the curve of the
// Vietnamese CSCA "CSCA ePassport Vietnam").
func BrainpoolP512r1() *Curve {
	return newCurve("brainpoolP512r1", oidBrainpoolP512r1,
		"AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3",
		"7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA",
		"3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723",
		"81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822",
		"7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892",
		"AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069")
}

// Name returns the curve's name, e.g. "brainpoolP512r1", or "explicit" for unnamed parameters.
func (c *Curve) Name() string { return c.name }

// OID returns the curve's named-curve object identifier (nil if it has none).
func (c *Curve) OID() asn1.ObjectIdentifier { return c.oid }

// Params returns the curve parameters in the standard library's shape. CurveParams has no field
// for a; its methods assume a = -3 and must not be used with this curve.
func (c *Curve) Params() *elliptic.CurveParams {
	return &elliptic.CurveParams{P: c.p, N: c.n, B: c.b, Gx: c.gx, Gy: c.gy, BitSize: c.bits, Name: c.name}
}

// A returns the curve coefficient a.
func (c *Curve) A() *big.Int { return new(big.Int).Set(c.a) }

func (c *Curve) equal(o *Curve) bool {
	return c.p.Cmp(o.p) == 0 && c.a.Cmp(o.a) == 0 && c.b.Cmp(o.b) == 0 && c.gx.Cmp(o.gx) == 0 &&
		c.gy.Cmp(o.gy) == 0 && c.n.Cmp(o.n) == 0
}

// IsOnCurve reports whether (x, y) is a point of the curve.
func (c *Curve) IsOnCurve(x, y *big.Int) bool {
	if x == nil || y == nil || x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.p) >= 0 || y.Cmp(c.p) >= 0 {
		return false
	}
	l := new(big.Int).Mul(y, y)
	l.Mod(l, c.p)
	r := new(big.Int).Mul(x, x)
	r.Add(r, c.a)
	r.Mul(r, x)
	r.Add(r, c.b)
	r.Mod(r, c.p)
	return l.Cmp(r) == 0
}

// The point at infinity is represented as (nil, nil) internally and (0, 0) at the API.

func (c *Curve) add(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
	if x1 == nil {
		return x2, y2
	}
	if x2 == nil {
		return x1, y1
	}
	p := c.p
	var lambda *big.Int
	if x1.Cmp(x2) == 0 {
		s := new(big.Int).Add(y1, y2)
		if s.Mod(s, p).Sign() == 0 {
			return nil, nil
		}
		// doubling: (3x² + a) / 2y
		num := new(big.Int).Mul(x1, x1)
		num.Mul(num, big.NewInt(3))
		num.Add(num, c.a)
		den := new(big.Int).Lsh(y1, 1)
		if den.ModInverse(den.Mod(den, p), p) == nil {
			return nil, nil // only possible with a composite p from bad explicit parameters
		}
		lambda = num.Mul(num, den)
	} else {
		num := new(big.Int).Sub(y2, y1)
		den := new(big.Int).Sub(x2, x1)
		if den.ModInverse(den.Mod(den, p), p) == nil {
			return nil, nil
		}
		lambda = num.Mul(num, den)
	}
	lambda.Mod(lambda, p)
	x3 := new(big.Int).Mul(lambda, lambda)
	x3.Sub(x3, x1)
	x3.Sub(x3, x2)
	x3.Mod(x3, p)
	y3 := new(big.Int).Sub(x1, x3)
	y3.Mul(y3, lambda)
	y3.Sub(y3, y1)
	y3.Mod(y3, p)
	return x3, y3
}

func (c *Curve) mul(x, y *big.Int, k []byte) (*big.Int, *big.Int) {
	var rx, ry *big.Int
	for _, b := range k {
		for i := 7; i >= 0; i-- {
			rx, ry = c.add(rx, ry, rx, ry)
			if b>>uint(i)&1 == 1 {
				rx, ry = c.add(rx, ry, x, y)
			}
		}
	}
	return rx, ry
}

func fromAPI(x, y *big.Int) (*big.Int, *big.Int) {
	if x == nil || y == nil || (x.Sign() == 0 && y.Sign() == 0) {
		return nil, nil
	}
	return x, y
}

func toAPI(x, y *big.Int) (*big.Int, *big.Int) {
	if x == nil {
		return new(big.Int), new(big.Int)
	}
	return x, y
}

// Add returns the sum of two points.
func (c *Curve) Add(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
	ax, ay := fromAPI(x1, y1)
	bx, by := fromAPI(x2, y2)
	return toAPI(c.add(ax, ay, bx, by))
}

// Double returns 2·(x, y).
func (c *Curve) Double(x, y *big.Int) (*big.Int, *big.Int) {
	ax, ay := fromAPI(x, y)
	return toAPI(c.add(ax, ay, ax, ay))
}

// ScalarMult returns k·(x, y), k a big-endian integer.
func (c *Curve) ScalarMult(x, y *big.Int, k []byte) (*big.Int, *big.Int) {
	ax, ay := fromAPI(x, y)
	if ax == nil {
		return toAPI(nil, nil)
	}
	return toAPI(c.mul(ax, ay, k))
}

// ScalarBaseMult returns k·G.
func (c *Curve) ScalarBaseMult(k []byte) (*big.Int, *big.Int) {
	return toAPI(c.mul(c.gx, c.gy, k))
}

// marshalPoint returns the uncompressed point encoding 04 || X || Y.
func marshalPoint(c elliptic.Curve, x, y *big.Int) []byte {
	size := (c.Params().BitSize + 7) / 8
	out := make([]byte, 1+2*size)
	out[0] = 4
	x.FillBytes(out[1 : 1+size])
	y.FillBytes(out[1+size:])
	return out
}

// unmarshalPoint decodes an uncompressed point and checks that it lies on the curve.
func unmarshalPoint(c elliptic.Curve, b []byte) (*big.Int, *big.Int, error) {
	size := (c.Params().BitSize + 7) / 8
	if len(b) != 1+2*size || b[0] != 4 {
		return nil, nil, errors.New("điểm EC không hợp lệ (invalid EC point encoding)")
	}
	x := new(big.Int).SetBytes(b[1 : 1+size])
	y := new(big.Int).SetBytes(b[1+size:])
	if !c.IsOnCurve(x, y) {
		return nil, nil, errors.New("điểm EC không nằm trên đường cong (EC point not on curve)")
	}
	return x, y, nil
}

// ECPrivateKey is a private key on a Curve. It implements crypto.Signer, producing ASN.1 DER
// ECDSA signatures, so it can sign certificates, EF.SOD and Active Authentication challenges
// where the standard library cannot (Brainpool curves).
type ECPrivateKey struct {
	Curve *Curve
	D     *big.Int
	X, Y  *big.Int
}

// GenerateECKey creates a key pair on c, reading randomness from r.
func GenerateECKey(c *Curve, r io.Reader) (*ECPrivateKey, error) {
	d, err := randScalar(c.n, r)
	if err != nil {
		return nil, err
	}
	x, y := c.mul(c.gx, c.gy, d.Bytes())
	return &ECPrivateKey{Curve: c, D: d, X: x, Y: y}, nil
}

func randScalar(n *big.Int, r io.Reader) (*big.Int, error) {
	buf := make([]byte, (n.BitLen()+7)/8+8)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, errtext.Wrap(errors.New("không đọc được số ngẫu nhiên (reading randomness)"), err)
	}
	k := new(big.Int).SetBytes(buf)
	nm1 := new(big.Int).Sub(n, big.NewInt(1))
	k.Mod(k, nm1)
	return k.Add(k, big.NewInt(1)), nil
}

// Public returns the public key as *ecdsa.PublicKey whose Curve is the *Curve.
func (k *ECPrivateKey) Public() crypto.PublicKey {
	return &ecdsa.PublicKey{Curve: k.Curve, X: k.X, Y: k.Y}
}

// Sign signs digest (already hashed) and returns an ASN.1 DER ECDSA-Sig-Value.
func (k *ECPrivateKey) Sign(r io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	rr, ss, err := k.sign(r, digest)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(ecdsaSig{R: rr, S: ss})
}

func (k *ECPrivateKey) sign(r io.Reader, digest []byte) (*big.Int, *big.Int, error) {
	c := k.Curve
	e := hashToInt(digest, c.n)
	for {
		kk, err := randScalar(c.n, r)
		if err != nil {
			return nil, nil, err
		}
		x, _ := c.mul(c.gx, c.gy, kk.Bytes())
		if x == nil {
			continue
		}
		rr := new(big.Int).Mod(x, c.n)
		if rr.Sign() == 0 {
			continue
		}
		s := new(big.Int).Mul(rr, k.D)
		s.Add(s, e)
		s.Mul(s, new(big.Int).ModInverse(kk, c.n))
		s.Mod(s, c.n)
		if s.Sign() == 0 {
			continue
		}
		return rr, s, nil
	}
}

type ecdsaSig struct{ R, S *big.Int }

// hashToInt converts a digest to an integer as ECDSA requires: the leftmost bits of the digest,
// as many as the order has.
func hashToInt(digest []byte, n *big.Int) *big.Int {
	bits := n.BitLen()
	size := (bits + 7) / 8
	if len(digest) > size {
		digest = digest[:size]
	}
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - bits; excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

// ErrBadSignature is returned when a signature does not verify.
var ErrBadSignature = errors.New("chữ ký không hợp lệ (signature invalid)")

// VerifyECDSA checks an ECDSA signature (r, s) over digest with pub. Keys on the standard
// library's curves are verified by crypto/ecdsa; keys on a *Curve by this package's own code.
func VerifyECDSA(pub *ecdsa.PublicKey, digest []byte, r, s *big.Int) error {
	if pub == nil || pub.Curve == nil || r == nil || s == nil {
		return ErrBadSignature
	}
	c, ok := pub.Curve.(*Curve)
	if !ok {
		der, err := asn1.Marshal(ecdsaSig{R: r, S: s})
		if err != nil {
			return ErrBadSignature
		}
		if !ecdsa.VerifyASN1(pub, digest, der) {
			return ErrBadSignature
		}
		return nil
	}
	n := c.n
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(n) >= 0 || s.Cmp(n) >= 0 {
		return ErrBadSignature
	}
	qx, qy := fromAPI(pub.X, pub.Y)
	if qx == nil || !c.IsOnCurve(qx, qy) {
		return ErrBadSignature
	}
	e := hashToInt(digest, n)
	w := new(big.Int).ModInverse(s, n)
	if w == nil {
		return ErrBadSignature
	}
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, n)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, n)
	x1, y1 := c.mul(c.gx, c.gy, u1.Bytes())
	x2, y2 := c.mul(qx, qy, u2.Bytes())
	x, _ := c.add(x1, y1, x2, y2)
	if x == nil {
		return ErrBadSignature
	}
	v := new(big.Int).Mod(x, n)
	if v.Cmp(r) != 0 {
		return ErrBadSignature
	}
	return nil
}

// verifyECDSADER checks a DER ECDSA-Sig-Value.
func verifyECDSADER(pub *ecdsa.PublicKey, digest, sig []byte) error {
	var v ecdsaSig
	rest, err := asn1.Unmarshal(sig, &v)
	if err != nil || len(rest) != 0 {
		return ErrBadSignature
	}
	return VerifyECDSA(pub, digest, v.R, v.S)
}

// verifyECDSAPlain checks a plain r || s signature (BSI TR-03111).
func verifyECDSAPlain(pub *ecdsa.PublicKey, digest, sig []byte) error {
	size := (pub.Curve.Params().N.BitLen() + 7) / 8
	if len(sig) != 2*size {
		return ErrBadSignature
	}
	r := new(big.Int).SetBytes(sig[:size])
	s := new(big.Int).SetBytes(sig[size:])
	return VerifyECDSA(pub, digest, r, s)
}

// knownCurves lists the curves recognised by parameters when keys come with explicit domain
// parameters.
func knownCurves() []*Curve {
	return []*Curve{BrainpoolP256r1(), BrainpoolP384r1(), BrainpoolP512r1()}
}

func curveByOID(oid asn1.ObjectIdentifier) elliptic.Curve {
	switch {
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}):
		return elliptic.P256()
	case oid.Equal(asn1.ObjectIdentifier{1, 3, 132, 0, 34}):
		return elliptic.P384()
	case oid.Equal(asn1.ObjectIdentifier{1, 3, 132, 0, 35}):
		return elliptic.P521()
	case oid.Equal(asn1.ObjectIdentifier{1, 3, 132, 0, 33}):
		return elliptic.P224()
	}
	for _, c := range knownCurves() {
		if c.oid.Equal(oid) {
			return c
		}
	}
	return nil
}

func oidForCurve(c elliptic.Curve) (asn1.ObjectIdentifier, bool) {
	switch c {
	case elliptic.P224():
		return asn1.ObjectIdentifier{1, 3, 132, 0, 33}, true
	case elliptic.P256():
		return asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}, true
	case elliptic.P384():
		return asn1.ObjectIdentifier{1, 3, 132, 0, 34}, true
	case elliptic.P521():
		return asn1.ObjectIdentifier{1, 3, 132, 0, 35}, true
	}
	if bc, ok := c.(*Curve); ok && bc.oid != nil {
		return bc.oid, true
	}
	return nil, false
}
