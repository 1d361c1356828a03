package mrtd

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"math/big"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd/internal/ec"
	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/tlv"
)

// ErrChipAuthentication: the chip offered Chip Authentication in DG14 but did not complete it
// (it refused the key agreement, or did not answer under the new session keys): it has not
// proved it holds the private key of DG14, so it may be a copy.
var ErrChipAuthentication = errors.New("thẻ không chứng minh được là thẻ thật, có thể là thẻ sao chép (chip authentication failed: the chip may be a copy)")

// errNoCA: DG14 offers no Chip Authentication at all (wrapped with ErrNotSupported).
var errNoCA = errors.New("no Chip Authentication in DG14")

// id-CA (0.4.0.127.0.7.2.2.3) and id-PK-ECDH (0.4.0.127.0.7.2.2.1.2) as DER content bytes.
var (
	oidCA  = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3}
	oidPKE = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1, 2}
	oidPKD = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1, 1}
	oidDH  = asn1.ObjectIdentifier{1, 2, 840, 10046, 2, 1} // dhpublicnumber (RFC 3279)
)

// dhKey is a Diffie-Hellman Chip Authentication key: the group (prime p, generator g of the
// subgroup of prime order q) and the chip's public value y.
type dhKey struct{ p, g, q, y *big.Int }

// chipAuthParams is what Chip Authentication needs from DG14: the protocol (id-CA-ECDH with a
// cipher), the chip's static public key on a standard curve and its key id.
type chipAuthParams struct {
	oid   []byte // content bytes of the CA protocol OID, for MSE:Set AT
	name  string // e.g. "CA-ECDH-AES-128 brainpoolP256r1"
	suite smcrypto.Suite
	curve *ec.Curve // ECDH
	pub   ec.Point
	dh    *dhKey // DH, instead of curve
	keyID int
}

func caSuite(c int) (smcrypto.Suite, bool) {
	switch c {
	case 1:
		return smcrypto.SuiteTDES, true
	case 2:
		return smcrypto.SuiteAES128, true
	case 3:
		return smcrypto.SuiteAES192, true
	case 4:
		return smcrypto.SuiteAES256, true
	}
	return smcrypto.Suite{}, false
}

// parseChipAuth picks from DG14 the Chip Authentication this package can run: id-CA-ECDH with
// 3DES or AES and an EC public key on a standardized curve (named, or with explicit domain
// parameters that equal one exactly), or id-CA-DH with a DH key whose group checks out.
// ErrNotSupported wrapping errNoCA when DG14 offers no Chip Authentication (offered false), and a
// worded error when what it offers cannot be used (another curve, a bad group).
func parseChipAuth(dg14 []byte) (p chipAuthParams, offered bool, err error) {
	infos, err := lds.ParseDG14(dg14)
	if err != nil {
		return p, false, errtext.Wrap(ErrBadResponse, fmt.Errorf("DG14: %w", err))
	}
	if len(infos.ChipAuthentication) == 0 && len(infos.ChipAuthenticationPublicKeys) == 0 {
		return p, false, errtext.Wrap(ErrNotSupported, errNoCA)
	}
	cas := infos.ChipAuthentication
	if len(cas) == 0 {
		// Without ChipAuthenticationInfo the protocol is implied by the key: for an ECDH key,
		// id-CA-ECDH-3DES-CBC-CBC (BSI TR-03110, the first EAC passports).
		cas = []lds.ChipAuthenticationInfo{{Protocol: append(append(asn1.ObjectIdentifier{}, oidCA...), 2, 1), Version: 1}}
	}
	var last error
	for _, ci := range cas {
		o := ci.Protocol
		if len(o) != len(oidCA)+2 || !o[:len(oidCA)].Equal(oidCA) {
			continue
		}
		if o[len(oidCA)] != 1 && o[len(oidCA)] != 2 {
			last = fmt.Errorf("%w: Chip Authentication %v", ErrNotSupported, o)
			continue
		}
		suite, ok := caSuite(o[len(oidCA)+1])
		if !ok {
			last = fmt.Errorf("%w: Chip Authentication %v", ErrNotSupported, o)
			continue
		}
		isDH := o[len(oidCA)] == 1
		for _, pk := range infos.ChipAuthenticationPublicKeys {
			if (ci.KeyID != 0 && pk.KeyID != ci.KeyID) || !pk.Protocol.Equal(map[bool]asn1.ObjectIdentifier{true: oidPKD, false: oidPKE}[isDH]) {
				continue
			}
			der, err := asn1.Marshal(o)
			if err != nil {
				return p, true, err
			}
			_, content, _, err := tlv.Next(der)
			if err != nil {
				return p, true, err
			}
			cp := chipAuthParams{oid: content, suite: suite, keyID: ci.KeyID}
			if isDH {
				if cp.dh, err = parseDHKey(pk.RawPublicKey); err != nil {
					last = err
					continue
				}
				cp.name = fmt.Sprintf("CA-DH-%s %d-bit", suite, cp.dh.p.BitLen())
				return cp, true, nil
			}
			if cp.curve, cp.pub, err = standardKey(pk); err != nil {
				last = err
				continue
			}
			cp.name = "CA-ECDH-" + suite.String() + " " + cp.curve.Name
			return cp, true, nil
		}
	}
	if last == nil {
		last = fmt.Errorf("%w: no usable Chip Authentication key in DG14", ErrChipAuthentication)
	}
	return p, true, last
}

// standardKey returns the curve and point of an ECDH Chip Authentication key, refusing any
// curve that is not exactly one of the standardized ones.
func standardKey(pk lds.ChipAuthenticationPublicKeyInfo) (*ec.Curve, ec.Point, error) {
	refused := fmt.Errorf("%w: Chip Authentication key not on a standard curve", ErrChipAuthentication)
	k, ok := pk.PublicKey.(*ecdsa.PublicKey)
	if !ok || k.Curve == nil || k.X == nil || k.Y == nil {
		return nil, ec.Point{}, refused
	}
	params := k.Curve.Params()
	a := new(big.Int).Sub(params.P, big.NewInt(3))
	if ac, ok := k.Curve.(interface{ A() *big.Int }); ok {
		a = ac.A()
	}
	curve, ok := ec.Standard(params.P, a, params.B, params.Gx, params.Gy, params.N)
	if !ok {
		return nil, ec.Point{}, refused
	}
	pt := ec.Point{X: new(big.Int).Set(k.X), Y: new(big.Int).Set(k.Y)}
	if !curve.IsOnCurve(pt) {
		return nil, ec.Point{}, refused
	}
	return curve, pt, nil
}

// parseDHKey parses a DH SubjectPublicKeyInfo (dhpublicnumber: DomainParameters {p, g, q, …} and
// the public value as an INTEGER) and checks the group: p and q prime, q dividing p-1, g and y of
// order q, p of 1024 to 4096 bits and q of at least 160.
func parseDHKey(der []byte) (*dhKey, error) {
	refused := fmt.Errorf("%w: Chip Authentication DH key refused", ErrChipAuthentication)
	var spki struct {
		Algorithm struct {
			OID    asn1.ObjectIdentifier
			Params struct {
				P, G, Q *big.Int
				Rest    []asn1.RawValue `asn1:"optional"`
			}
		}
		Key asn1.BitString
	}
	if rest, err := asn1.Unmarshal(der, &spki); err != nil || len(rest) != 0 || !spki.Algorithm.OID.Equal(oidDH) {
		return nil, refused
	}
	var y *big.Int
	if rest, err := asn1.Unmarshal(spki.Key.RightAlign(), &y); err != nil || len(rest) != 0 {
		return nil, refused
	}
	k := &dhKey{p: spki.Algorithm.Params.P, g: spki.Algorithm.Params.G, q: spki.Algorithm.Params.Q, y: y}
	if k.p == nil || k.g == nil || k.q == nil || k.p.BitLen() < 1024 || k.p.BitLen() > 4096 || k.q.BitLen() < 160 ||
		k.q.Cmp(k.p) >= 0 || !k.p.ProbablyPrime(20) || !k.q.ProbablyPrime(20) {
		return nil, refused
	}
	pm1 := new(big.Int).Sub(k.p, big.NewInt(1))
	if new(big.Int).Mod(pm1, k.q).Sign() != 0 {
		return nil, refused
	}
	for _, v := range []*big.Int{k.g, k.y} {
		if v.Cmp(big.NewInt(1)) <= 0 || v.Cmp(pm1) >= 0 || new(big.Int).Exp(v, k.q, k.p).Cmp(big.NewInt(1)) != 0 {
			return nil, refused
		}
	}
	return k, nil
}

// parseCAResponse checks the answer to Chip Authentication's GENERAL AUTHENTICATE: nothing, or
// one dynamic authentication data template 7C (empty for CA version 1; any data objects in it
// are ignored).
func parseCAResponse(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	tag, v, rest, err := tlv.Next(b)
	if err != nil {
		return errtext.Wrap(ErrBadResponse, err)
	}
	if tag != 0x7C || len(rest) != 0 {
		return fmt.Errorf("%w: expected one 7C template", ErrBadResponse)
	}
	if _, err := tlv.Parse(v); err != nil {
		return errtext.Wrap(ErrBadResponse, err)
	}
	return nil
}

// ChipAuthenticate runs Chip Authentication (ICAO 9303-11 §6.2) with the key in DG14: an
// ephemeral ECDH key on the chip's curve (or DH key in the chip's group), MSE:Set AT (41 A4) with
// the protocol and key id, then
// GENERAL AUTHENTICATE with the ephemeral public key. Both sides then derive new session keys
// from the shared secret, and secure messaging restarts with them (SSC zero); a SELECT of
// EF.COM answered under the new keys proves the chip holds DG14's private key.
//
// It returns the protocol's name. ErrNotSupported: DG14 offers no Chip Authentication this
// package can run (DH); ErrChipAuthentication: the chip failed it. After a failure the session
// is dead (open a new one to go on reading); transport errors are returned as they are.
func (s *Session) ChipAuthenticate(ctx context.Context, dg14 []byte) (string, error) {
	p, offered, err := parseChipAuth(dg14)
	if err != nil {
		if !offered {
			return "", err
		}
		return p.name, err
	}
	if s.sm == nil {
		return p.name, fmt.Errorf("%w: Chip Authentication needs secure messaging", ErrSecureMessaging)
	}
	var k, pk []byte // shared secret, terminal's ephemeral public key
	if p.dh != nil {
		x, err := rand.Int(s.rand, new(big.Int).Sub(p.dh.q, big.NewInt(1)))
		if err != nil {
			return p.name, fmt.Errorf("không lấy được số ngẫu nhiên (random source failed): %w", err)
		}
		x.Add(x, big.NewInt(1))
		size := (p.dh.p.BitLen() + 7) / 8
		pk = new(big.Int).Exp(p.dh.g, x, p.dh.p).FillBytes(make([]byte, size))
		k = new(big.Int).Exp(p.dh.y, x, p.dh.p).FillBytes(make([]byte, size))
	} else {
		sk, err := p.curve.RandomScalar(s.rand)
		if err != nil {
			return p.name, err
		}
		pk = p.curve.Marshal(p.curve.ScalarBaseMult(sk))
		shared := p.curve.ScalarMult(p.pub, sk)
		if shared.Infinity() {
			return p.name, fmt.Errorf("%w: shared secret is the point at infinity", ErrChipAuthentication)
		}
		k = p.curve.FieldBytes(shared.X)
	}
	mse := tlv.Encode(0x80, p.oid)
	if p.keyID != 0 {
		mse = append(mse, tlv.Encode(0x84, big.NewInt(int64(p.keyID)).Bytes())...)
	}
	fail := func(err error) (string, error) {
		if isTransport(err) {
			return p.name, err
		}
		if s.sm != nil {
			s.sm.dead = true
		}
		return p.name, errtext.Wrap(ErrChipAuthentication, err)
	}
	r, err := s.Transmit(ctx, apdu.Command{INS: 0x22, P1: 0x41, P2: 0xA4, Data: mse}, "MSE:Set AT (CA)")
	if err != nil {
		return fail(err)
	}
	if r.SW != 0x9000 {
		return fail(&apdu.StatusError{SW: r.SW, Op: "MSE:Set AT (CA)"})
	}
	r, err = s.Transmit(ctx, apdu.Command{INS: 0x86, Data: tlv.Encode(0x7C, tlv.Encode(0x80, pk)), Ne: 256}, "GENERAL AUTHENTICATE (CA)")
	if err != nil {
		return fail(err)
	}
	if r.SW != 0x9000 {
		return fail(&apdu.StatusError{SW: r.SW, Op: "GENERAL AUTHENTICATE (CA)"})
	}
	if err := parseCAResponse(r.Data); err != nil {
		return fail(err)
	}
	sm, err := newSecureMessaging(p.suite, smcrypto.KDF(k, 1, p.suite), smcrypto.KDF(k, 2, p.suite), make([]byte, p.suite.BlockSize()))
	if err != nil {
		return fail(err)
	}
	s.sm = sm
	// The proof: a protected answer under the new keys (whatever its status: a MAC that verifies
	// is what counts; an unprotected status proves nothing and kills the session).
	if _, err := s.transmit(ctx, apdu.Command{INS: 0xA4, P1: 0x02, P2: 0x0C, Data: []byte{0x01, 0x1E}}, "SELECT EF.COM (CA)", false); err != nil {
		return fail(err)
	}
	s.chipAuth = p.name
	return p.name, nil
}

// ChipAuthenticated names the Chip Authentication protocol the session's keys come from, or ""
// when the keys are still those of PACE or BAC.
func (s *Session) ChipAuthenticated() string { return s.chipAuth }
