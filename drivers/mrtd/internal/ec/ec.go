// Package ec is short-Weierstrass elliptic curve arithmetic over prime fields with math/big, for
// the curves PACE and Chip Authentication use (brainpool, which the standard library lacks, and the
// NIST curves through the same code so that generic mapping can add points). It is not constant
// time: the simulated chip and the terminal's ephemeral keys are its only users.
package ec

import (
	"crypto/elliptic"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// Curve is y² = x³ + ax + b over GF(p) with a base point G of prime order N (cofactor 1).
type Curve struct {
	Name          string
	P, A, B, N    *big.Int
	Gx, Gy        *big.Int
	ByteLen       int // bytes of a field element
	OrderByteLen  int // bytes of a scalar
	StandardParam int // ICAO 9303-11 standardized domain parameter id
}

// Point is an affine point; X == nil is the point at infinity.
type Point struct{ X, Y *big.Int }

// Infinity reports whether p is the point at infinity.
func (p Point) Infinity() bool { return p.X == nil }

// G returns the base point.
func (c *Curve) G() Point { return Point{new(big.Int).Set(c.Gx), new(big.Int).Set(c.Gy)} }

func hex(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("ec: bad constant " + s)
	}
	return v
}

func newCurve(name string, id int, p, a, b, gx, gy, n *big.Int) *Curve {
	return &Curve{Name: name, P: p, A: a, B: b, N: n, Gx: gx, Gy: gy,
		ByteLen: (p.BitLen() + 7) / 8, OrderByteLen: (n.BitLen() + 7) / 8, StandardParam: id}
}

func brainpool(name string, id int, p, a, b, gx, gy, n string) *Curve {
	return newCurve(name, id, hex(p), hex(a), hex(b), hex(gx), hex(gy), hex(n))
}

func nist(name string, id int, params *elliptic.CurveParams) *Curve {
	a := new(big.Int).Sub(params.P, big.NewInt(3))
	return newCurve(name, id, new(big.Int).Set(params.P), a, new(big.Int).Set(params.B),
		new(big.Int).Set(params.Gx), new(big.Int).Set(params.Gy), new(big.Int).Set(params.N))
}

// ByParamID returns the curve of an ICAO 9303-11 standardized domain parameter id (Table 4):
// 12 NIST P-256, 13 brainpoolP256r1, 14 brainpoolP320r1, 15 NIST P-384, 16 brainpoolP384r1,
// 17 brainpoolP512r1, 18 NIST P-521. Every call returns fresh values the caller may keep.
func ByParamID(id int) (*Curve, bool) {
	switch id {
	case 12:
		return nist("NIST P-256", id, elliptic.P256().Params()), true
	case 13:
		return brainpool("brainpoolP256r1", id,
			"A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377",
			"7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9",
			"26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6",
			"8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262",
			"547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997",
			"A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7"), true
	case 14:
		return brainpool("brainpoolP320r1", id,
			"D35E472036BC4FB7E13C785ED201E065F98FCFA6F6F40DEF4F92B9EC7893EC28FCD412B1F1B32E27",
			"3EE30B568FBAB0F883CCEBD46D3F3BB8A2A73513F5EB79DA66190EB085FFA9F492F375A97D860EB4",
			"520883949DFDBC42D3AD198640688A6FE13F41349554B49ACC31DCCD884539816F5EB4AC8FB1F1A6",
			"43BD7E9AFB53D8B85289BCC48EE5BFE6F20137D10A087EB6E7871E2A10A599C710AF8D0D39E20611",
			"14FDD05545EC1CC8AB4093247F77275E0743FFED117182EAA9C77877AAAC6AC7D35245D1692E8EE1",
			"D35E472036BC4FB7E13C785ED201E065F98FCFA5B68F12A32D482EC7EE8658E98691555B44C59311"), true
	case 15:
		return nist("NIST P-384", id, elliptic.P384().Params()), true
	case 16:
		return brainpool("brainpoolP384r1", id,
			"8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53",
			"7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826",
			"04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11",
			"1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E",
			"8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315",
			"8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565"), true
	case 17:
		return brainpool("brainpoolP512r1", id,
			"AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3",
			"7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA",
			"3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723",
			"81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822",
			"7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892",
			"AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069"), true
	case 18:
		return nist("NIST P-521", id, elliptic.P521().Params()), true
	}
	return nil, false
}

// IsOnCurve reports whether p is a finite point of the curve with coordinates in [0, p).
func (c *Curve) IsOnCurve(p Point) bool {
	if p.Infinity() || p.Y == nil {
		return false
	}
	if p.X.Sign() < 0 || p.X.Cmp(c.P) >= 0 || p.Y.Sign() < 0 || p.Y.Cmp(c.P) >= 0 {
		return false
	}
	y2 := new(big.Int).Mul(p.Y, p.Y)
	y2.Mod(y2, c.P)
	r := new(big.Int).Mul(p.X, p.X)
	r.Add(r, c.A)
	r.Mul(r, p.X)
	r.Add(r, c.B)
	r.Mod(r, c.P)
	return r.Cmp(y2) == 0
}

// Add returns p + q.
func (c *Curve) Add(p, q Point) Point {
	if p.Infinity() {
		return q
	}
	if q.Infinity() {
		return p
	}
	if p.X.Cmp(q.X) == 0 {
		if p.Y.Cmp(q.Y) == 0 && p.Y.Sign() != 0 {
			return c.Double(p)
		}
		return Point{}
	}
	// λ = (y2 - y1) / (x2 - x1)
	num := new(big.Int).Sub(q.Y, p.Y)
	den := new(big.Int).Sub(q.X, p.X)
	den.Mod(den, c.P)
	den.ModInverse(den, c.P)
	l := num.Mul(num, den)
	l.Mod(l, c.P)
	return c.finish(l, p, q.X)
}

// Double returns 2p.
func (c *Curve) Double(p Point) Point {
	if p.Infinity() || p.Y.Sign() == 0 {
		return Point{}
	}
	// λ = (3x² + a) / 2y
	num := new(big.Int).Mul(p.X, p.X)
	num.Mul(num, big.NewInt(3))
	num.Add(num, c.A)
	den := new(big.Int).Lsh(p.Y, 1)
	den.Mod(den, c.P)
	den.ModInverse(den, c.P)
	l := num.Mul(num, den)
	l.Mod(l, c.P)
	return c.finish(l, p, p.X)
}

// finish computes x3 = λ² - x1 - x2, y3 = λ(x1 - x3) - y1.
func (c *Curve) finish(l *big.Int, p Point, x2 *big.Int) Point {
	x3 := new(big.Int).Mul(l, l)
	x3.Sub(x3, p.X)
	x3.Sub(x3, x2)
	x3.Mod(x3, c.P)
	y3 := new(big.Int).Sub(p.X, x3)
	y3.Mul(y3, l)
	y3.Sub(y3, p.Y)
	y3.Mod(y3, c.P)
	return Point{x3, y3}
}

// ScalarMult returns k·p.
func (c *Curve) ScalarMult(p Point, k *big.Int) Point {
	r := Point{}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = c.Double(r)
		if k.Bit(i) == 1 {
			r = c.Add(r, p)
		}
	}
	return r
}

// ScalarBaseMult returns k·G.
func (c *Curve) ScalarBaseMult(k *big.Int) Point { return c.ScalarMult(c.G(), k) }

// FieldBytes encodes a field element big-endian in exactly ByteLen bytes (FE2OS).
func (c *Curve) FieldBytes(x *big.Int) []byte { return x.FillBytes(make([]byte, c.ByteLen)) }

// Marshal encodes a finite point uncompressed: 04 || X || Y.
func (c *Curve) Marshal(p Point) []byte {
	out := make([]byte, 1+2*c.ByteLen)
	out[0] = 4
	p.X.FillBytes(out[1 : 1+c.ByteLen])
	p.Y.FillBytes(out[1+c.ByteLen:])
	return out
}

// ErrPoint is returned for an encoded point that is not a finite point of the curve.
var ErrPoint = errors.New("điểm không thuộc đường cong (point not on the curve)")

// Unmarshal decodes an uncompressed point and checks that it lies on the curve.
func (c *Curve) Unmarshal(b []byte) (Point, error) {
	if len(b) != 1+2*c.ByteLen || b[0] != 4 {
		return Point{}, fmt.Errorf("%w: %d bytes", ErrPoint, len(b))
	}
	p := Point{new(big.Int).SetBytes(b[1 : 1+c.ByteLen]), new(big.Int).SetBytes(b[1+c.ByteLen:])}
	if !c.IsOnCurve(p) {
		return Point{}, ErrPoint
	}
	return p, nil
}

// RandomScalar draws a private key uniformly from [1, N-1] by rejection sampling, reading
// OrderByteLen bytes from r per attempt (big-endian, excess top bits cleared).
func (c *Curve) RandomScalar(r io.Reader) (*big.Int, error) {
	buf := make([]byte, c.OrderByteLen)
	excess := uint(8*c.OrderByteLen - c.N.BitLen())
	for range 64 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("không lấy được số ngẫu nhiên (random source failed): %w", err)
		}
		buf[0] &= 0xFF >> excess
		k := new(big.Int).SetBytes(buf)
		if k.Sign() > 0 && k.Cmp(c.N) < 0 {
			return k, nil
		}
	}
	return nil, errors.New("không lấy được số ngẫu nhiên (random source gives no usable scalar)")
}

// Standard returns the ICAO 9303-11 standardized curve (parameter ids 12–18) whose domain
// parameters are exactly p, a, b, G = (gx, gy) and order n, or false when none is: explicit
// parameters are accepted only when they spell out a standard curve in full.
func Standard(p, a, b, gx, gy, n *big.Int) (*Curve, bool) {
	if p == nil || a == nil || b == nil || gx == nil || gy == nil || n == nil {
		return nil, false
	}
	for id := 12; id <= 18; id++ {
		c, _ := ByParamID(id)
		if c.P.Cmp(p) == 0 && c.A.Cmp(a) == 0 && c.B.Cmp(b) == 0 && c.Gx.Cmp(gx) == 0 &&
			c.Gy.Cmp(gy) == 0 && c.N.Cmp(n) == 0 {
			return c, true
		}
	}
	return nil, false
}
