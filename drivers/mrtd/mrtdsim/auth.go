package mrtdsim

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	_ "crypto/sha256" // AA hashes
	_ "crypto/sha512"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/mrtd/internal/ec"
	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/tlv"
)

// perturb turns the real password into a different one under Config.WrongKey.
func (c *Chip) perturb(b []byte) []byte {
	out := append([]byte(nil), b...)
	if c.cfg.WrongKey && len(out) > 0 {
		out[len(out)-1] ^= 0x01
	}
	return out
}

// --- BAC (ICAO 9303-11 §4.3) ---

func (c *Chip) getChallenge(cmd apdu.Command) apdu.Response {
	if cmd.Ne != 8 {
		return apdu.Response{SW: 0x6700}
	}
	if !c.app {
		return apdu.Response{SW: 0x6985}
	}
	c.bac = c.random(8)
	return apdu.Response{Data: append([]byte(nil), c.bac...), SW: 0x9000}
}

func (c *Chip) externalAuthenticate(cmd apdu.Command) apdu.Response {
	rndIC := c.bac
	c.bac = nil
	info, ok := c.mrzInfo()
	if rndIC == nil || !ok {
		return apdu.Response{SW: 0x6985}
	}
	if len(cmd.Data) != 40 {
		return apdu.Response{SW: 0x6700}
	}
	sum := sha1.Sum(c.perturb([]byte(info)))
	kEnc, kMac := smcrypto.KDF(sum[:16], 1, smcrypto.SuiteTDES), smcrypto.KDF(sum[:16], 2, smcrypto.SuiteTDES)
	keys, err := smcrypto.NewKeys(smcrypto.SuiteTDES, kEnc, kMac)
	if err != nil {
		return apdu.Response{SW: 0x6F00}
	}
	eIFD, mIFD := cmd.Data[:32], cmd.Data[32:]
	want, err := smcrypto.RetailMAC(kMac, smcrypto.Pad(eIFD, 8))
	if err != nil || subtle.ConstantTimeCompare(want, mIFD) != 1 {
		return apdu.Response{SW: 0x6300}
	}
	s, err := keys.Decrypt(nil, eIFD)
	if err != nil || !bytes.Equal(s[8:16], rndIC) {
		return apdu.Response{SW: 0x6300}
	}
	rndIFD, kIFD := s[:8], s[16:32]
	kIC := c.random(16)
	r := append(append(append([]byte(nil), rndIC...), rndIFD...), kIC...)
	eIC, _ := keys.Encrypt(nil, r)
	mIC, _ := smcrypto.RetailMAC(kMac, smcrypto.Pad(eIC, 8))
	seed := make([]byte, 16)
	subtle.XORBytes(seed, kIFD, kIC)
	ssc := append(append([]byte(nil), rndIC[4:]...), rndIFD[4:]...)
	sm, err := newCardSM(smcrypto.SuiteTDES, smcrypto.KDF(seed, 1, smcrypto.SuiteTDES), smcrypto.KDF(seed, 2, smcrypto.SuiteTDES), ssc)
	if err != nil {
		return apdu.Response{SW: 0x6F00}
	}
	c.sm, c.auth = sm, true
	return apdu.Response{Data: append(eIC, mIC...), SW: 0x9000}
}

// --- PACE (ICAO 9303-11 §4.4), ECDH generic mapping ---

type paceState struct {
	step    int
	oid     []byte
	suite   smcrypto.Suite
	curve   *ec.Curve
	kpi     *smcrypto.Keys
	nonce   []byte
	g       ec.Point // mapped generator
	skEph   *big.Int
	pkEph   []byte // chip's ephemeral public key
	pkPCD   []byte // terminal's ephemeral public key
	session *smcrypto.Keys
	ksEnc   []byte
	ksMac   []byte
}

var oidPACEECDHGM = []byte{0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02}

func (c *Chip) mseSetAT(cmd apdu.Command) apdu.Response {
	c.pace, c.ca = nil, nil
	if cmd.P1 == 0x41 && cmd.P2 == 0xA4 {
		return c.mseChipAuth(cmd)
	}
	if cmd.P1 != 0xC1 || cmd.P2 != 0xA4 {
		return apdu.Response{SW: 0x6A86} // TA is not simulated
	}
	var oid, ref, param []byte
	objs, err := tlv.Parse(cmd.Data)
	if err != nil {
		return apdu.Response{SW: 0x6A80}
	}
	for _, o := range objs {
		switch o.Tag {
		case 0x80:
			oid = o.Value
		case 0x83:
			ref = o.Value
		case 0x84:
			param = o.Value
		}
	}
	if len(oid) != len(oidPACEECDHGM)+1 || !bytes.HasPrefix(oid, oidPACEECDHGM) || len(ref) != 1 || len(param) != 1 {
		return apdu.Response{SW: 0x6A80}
	}
	suite := map[byte]smcrypto.Suite{1: smcrypto.SuiteTDES, 2: smcrypto.SuiteAES128, 3: smcrypto.SuiteAES192, 4: smcrypto.SuiteAES256}[oid[len(oid)-1]]
	curve, ok := ec.ByParamID(c.curveOf(int(param[0])))
	if !suite.Valid() || !ok {
		return apdu.Response{SW: 0x6A80}
	}
	var pi []byte
	switch ref[0] {
	case mrtd.PasswordCAN:
		if c.cfg.CAN == "" {
			return apdu.Response{SW: 0x6A88}
		}
		pi = []byte(c.cfg.CAN)
	case mrtd.PasswordMRZ:
		info, ok := c.mrzInfo()
		if !ok {
			return apdu.Response{SW: 0x6A88}
		}
		sum := sha1.Sum([]byte(info))
		pi = sum[:]
	default:
		return apdu.Response{SW: 0x6A88}
	}
	kpi, err := smcrypto.NewKeys(suite, smcrypto.KDF(c.perturb(pi), 3, suite), make([]byte, suite.KeyLen))
	if err != nil {
		return apdu.Response{SW: 0x6F00}
	}
	c.dropSession()
	c.pace = &paceState{step: 1, oid: append([]byte(nil), oid...), suite: suite, curve: curve, kpi: kpi}
	return apdu.Response{SW: 0x9000}
}

// curveOf maps a PACE parameter id to a standardized one: itself, or for a proprietary id the
// standard curve its EF.CardAccess spells out in a PACEDomainParameterInfo.
func (c *Chip) curveOf(id int) int {
	if id <= 31 {
		return id
	}
	infos, err := mrtd.ParseSecurityInfos(c.cfg.Files[0x011C])
	if err != nil {
		return -1
	}
	for _, si := range infos {
		if si.IsPACE() && si.ParameterID == id {
			return si.CurveParameterID()
		}
	}
	return -1
}

func gaData(tag tlv.Tag, v []byte) apdu.Response {
	return apdu.Response{Data: tlv.Encode(0x7C, tlv.Encode(tag, v)), SW: 0x9000}
}

func (c *Chip) generalAuthenticate(cmd apdu.Command) apdu.Response {
	if c.ca != nil {
		return c.chipAuthenticate(cmd)
	}
	p := c.pace
	if p == nil {
		return apdu.Response{SW: 0x6985}
	}
	tag, inner, rest, err := tlv.Next(cmd.Data)
	if err != nil || tag != 0x7C || len(rest) != 0 {
		c.pace = nil
		return apdu.Response{SW: 0x6A80}
	}
	find := func(want tlv.Tag) []byte {
		v, err := tlv.Find(inner, want)
		if err != nil {
			return nil
		}
		return v
	}
	chained := cmd.CLA&0x10 != 0
	switch {
	case p.step == 1 && chained && len(inner) == 0:
		p.nonce = c.random(p.suite.BlockSize() * max(1, 16/p.suite.BlockSize()))
		enc, err := p.kpi.Encrypt(nil, p.nonce)
		if err != nil {
			break
		}
		p.step = 2
		return gaData(0x80, enc)
	case p.step == 2 && chained:
		pkMapPCD, err := p.curve.Unmarshal(find(0x81))
		if err != nil {
			break
		}
		sk := c.randomScalar(p.curve)
		h := p.curve.ScalarMult(pkMapPCD, sk)
		p.g = p.curve.Add(p.curve.ScalarBaseMult(new(big.Int).SetBytes(p.nonce)), h)
		if h.Infinity() || p.g.Infinity() {
			break
		}
		p.step = 3
		return gaData(0x82, p.curve.Marshal(p.curve.ScalarBaseMult(sk)))
	case p.step == 3 && chained:
		pk := find(0x83)
		pkPCD, err := p.curve.Unmarshal(pk)
		if err != nil {
			break
		}
		p.skEph = c.randomScalar(p.curve)
		p.pkEph = p.curve.Marshal(p.curve.ScalarMult(p.g, p.skEph))
		if bytes.Equal(p.pkEph, pk) {
			break
		}
		shared := p.curve.ScalarMult(pkPCD, p.skEph)
		if shared.Infinity() {
			break
		}
		k := p.curve.FieldBytes(shared.X)
		p.ksEnc, p.ksMac = smcrypto.KDF(k, 1, p.suite), smcrypto.KDF(k, 2, p.suite)
		if p.session, err = smcrypto.NewKeys(p.suite, p.ksEnc, p.ksMac); err != nil {
			break
		}
		p.pkPCD = append([]byte(nil), pk...)
		p.step = 4
		return gaData(0x84, p.pkEph)
	case p.step == 4 && !chained:
		want, err := p.session.Token(publicKeyObject(p.oid, p.pkEph))
		if err != nil {
			break
		}
		if subtle.ConstantTimeCompare(want, find(0x85)) != 1 || c.cfg.BreakPACE {
			c.pace = nil
			return apdu.Response{SW: 0x6300}
		}
		token, err := p.session.Token(publicKeyObject(p.oid, p.pkPCD))
		if err != nil {
			break
		}
		sm, err := newCardSM(p.suite, p.ksEnc, p.ksMac, make([]byte, p.suite.BlockSize()))
		if err != nil {
			break
		}
		c.pace = nil
		c.sm, c.auth = sm, true
		return gaData(0x86, token)
	}
	c.pace = nil
	return apdu.Response{SW: 0x6985}
}

func publicKeyObject(oid, point []byte) []byte {
	v := tlv.Encode(0x06, oid)
	v = append(v, tlv.Encode(0x86, point)...)
	return tlv.Encode(0x7F49, v)
}

// --- Active Authentication ---

func (c *Chip) internalAuthenticate(cmd apdu.Command) apdu.Response {
	if c.cfg.AAKey == nil && c.cfg.AASign == nil {
		return apdu.Response{SW: 0x6D00}
	}
	if !c.auth || !c.app {
		return apdu.Response{SW: 0x6982}
	}
	if len(cmd.Data) == 0 {
		return apdu.Response{SW: 0x6700}
	}
	var sig []byte
	var err error
	if c.cfg.AASign != nil {
		sig, err = c.cfg.AASign(cmd.Data)
	} else {
		sig, err = SignAA(c.cfg.AAKey, cmd.Data, c.cfg.Rand)
	}
	if err != nil {
		return apdu.Response{SW: 0x6F00}
	}
	return apdu.Response{Data: sig, SW: 0x9000}
}

// SignAA makes an Active Authentication signature over challenge in the format the package
// documentation describes: ISO/IEC 9796-2 scheme 1 with SHA-1 for an *rsa.PrivateKey, plain
// r||s for any ECDSA signer. rnd supplies the RSA recoverable bytes and the ECDSA nonce.
func SignAA(key crypto.Signer, challenge []byte, rnd io.Reader) ([]byte, error) {
	if k, ok := key.(*rsa.PrivateKey); ok {
		return signISO9796(k, challenge, rnd)
	}
	pub, ok := key.Public().(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("mrtdsim: Active Authentication key must be RSA or ECDSA")
	}
	bits := pub.Curve.Params().BitSize
	der, err := key.Sign(rnd, aaDigest(bits, challenge), aaHash(bits))
	if err != nil {
		return nil, err
	}
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &rs); err != nil || len(rest) != 0 {
		return nil, errors.New("mrtdsim: ECDSA signer gave no DER signature")
	}
	n := (pub.Curve.Params().N.BitLen() + 7) / 8
	out := make([]byte, 2*n)
	rs.R.FillBytes(out[:n])
	rs.S.FillBytes(out[n:])
	return out, nil
}

func aaHash(bits int) crypto.Hash {
	switch {
	case bits <= 224:
		return crypto.SHA224
	case bits <= 256:
		return crypto.SHA256
	case bits <= 384:
		return crypto.SHA384
	}
	return crypto.SHA512
}

// aaDigest hashes the challenge by key size: SHA-224 up to 224 bits, SHA-256 up to 256, SHA-384 up to 384, SHA-512 above.
func aaDigest(bits int, m []byte) []byte {
	h := aaHash(bits).New()
	h.Write(m)
	return h.Sum(nil)
}

// signISO9796 is ISO/IEC 9796-2 digital signature scheme 1 with SHA-1 and partial message
// recovery: F = 6A || M1 || SHA-1(M1 || M2) || BC with M1 random filling the modulus, M2 the
// challenge; the signature is F^d mod n.
func signISO9796(k *rsa.PrivateKey, challenge []byte, rnd io.Reader) ([]byte, error) {
	size := k.Size()
	if k.N.BitLen()%8 != 0 || size < 2+20+8 {
		return nil, errors.New("mrtdsim: RSA modulus must be a whole number of bytes")
	}
	m1 := make([]byte, size-2-20)
	if _, err := io.ReadFull(rnd, m1); err != nil {
		return nil, err
	}
	h := sha1.New()
	h.Write(m1)
	h.Write(challenge)
	f := make([]byte, 0, size)
	f = append(f, 0x6A)
	f = append(f, m1...)
	f = h.Sum(f)
	f = append(f, 0xBC)
	s := new(big.Int).Exp(new(big.Int).SetBytes(f), k.D, k.N)
	return s.FillBytes(make([]byte, size)), nil
}

// --- Chip Authentication (ICAO 9303-11 §6.2), ECDH, MSE:Set AT + GENERAL AUTHENTICATE ---

var oidCA = []byte{0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03}

// DHKey is a Diffie-Hellman Chip Authentication private key for Config.CAKey: the group (prime P,
// generator G of the subgroup of prime order Q) and the private exponent X.
type DHKey struct{ P, G, Q, X *big.Int }

// caKey returns the Chip Authentication key as a standardized curve and scalar.
func (c *Chip) caKey() (*ec.Curve, *big.Int, bool) {
	var params *elliptic.CurveParams
	var a, d *big.Int
	switch k := c.cfg.CAKey.(type) {
	case *ecdsa.PrivateKey:
		params, d = k.Curve.Params(), k.D
		a = new(big.Int).Sub(params.P, big.NewInt(3))
	case *lds.ECPrivateKey:
		params, d, a = k.Curve.Params(), k.D, k.Curve.A()
	default:
		return nil, nil, false
	}
	curve, ok := ec.Standard(params.P, a, params.B, params.Gx, params.Gy, params.N)
	return curve, d, ok
}

func (c *Chip) mseChipAuth(cmd apdu.Command) apdu.Response {
	if c.sm == nil || !c.auth {
		return apdu.Response{SW: 0x6982}
	}
	if c.cfg.CAKey == nil {
		return apdu.Response{SW: 0x6A80}
	}
	objs, err := tlv.Parse(cmd.Data)
	if err != nil {
		return apdu.Response{SW: 0x6A80}
	}
	var oid []byte
	for _, o := range objs {
		if o.Tag == 0x80 {
			oid = o.Value
		}
	}
	_, isDH := c.cfg.CAKey.(*DHKey)
	want := append(append([]byte(nil), oidCA...), 2) // id-CA-ECDH
	if isDH {
		want[len(want)-1] = 1 // id-CA-DH
	}
	if len(oid) != len(want)+1 || !bytes.HasPrefix(oid, want) {
		return apdu.Response{SW: 0x6A80}
	}
	suite := map[byte]smcrypto.Suite{1: smcrypto.SuiteTDES, 2: smcrypto.SuiteAES128, 3: smcrypto.SuiteAES192, 4: smcrypto.SuiteAES256}[oid[len(oid)-1]]
	if !suite.Valid() {
		return apdu.Response{SW: 0x6A80}
	}
	c.ca = &suite
	return apdu.Response{SW: 0x9000}
}

// chipAuthenticate takes the terminal's ephemeral key, agrees the new session keys and answers an
// empty 7C under the old ones; handle switches to the new keys after that answer.
func (c *Chip) chipAuthenticate(cmd apdu.Command) apdu.Response {
	suite := *c.ca
	c.ca = nil
	tag, inner, rest, err := tlv.Next(cmd.Data)
	if err != nil || tag != 0x7C || len(rest) != 0 || cmd.CLA&0x10 != 0 {
		return apdu.Response{SW: 0x6A80}
	}
	pk, err := tlv.Find(inner, 0x80)
	if err != nil {
		return apdu.Response{SW: 0x6A80}
	}
	var k []byte
	if dh, ok := c.cfg.CAKey.(*DHKey); ok {
		y := new(big.Int).SetBytes(pk)
		size := (dh.P.BitLen() + 7) / 8
		if len(pk) != size || y.Cmp(big.NewInt(1)) <= 0 || y.Cmp(new(big.Int).Sub(dh.P, big.NewInt(1))) >= 0 {
			return apdu.Response{SW: 0x6A80}
		}
		x := dh.X
		if c.cfg.CAWrongKey {
			x = new(big.Int).Add(x, big.NewInt(1))
		}
		k = new(big.Int).Exp(y, x, dh.P).FillBytes(make([]byte, size))
	} else {
		curve, d, ok := c.caKey()
		if !ok {
			return apdu.Response{SW: 0x6F00}
		}
		if c.cfg.CAWrongKey {
			d = c.randomScalar(curve)
		}
		pt, err := curve.Unmarshal(pk)
		if err != nil {
			return apdu.Response{SW: 0x6A80}
		}
		shared := curve.ScalarMult(pt, d)
		if shared.Infinity() {
			return apdu.Response{SW: 0x6A80}
		}
		k = curve.FieldBytes(shared.X)
	}
	sm, err := newCardSM(suite, smcrypto.KDF(k, 1, suite), smcrypto.KDF(k, 2, suite), make([]byte, suite.BlockSize()))
	if err != nil {
		return apdu.Response{SW: 0x6F00}
	}
	c.nextSM = sm
	return apdu.Response{Data: []byte{0x7C, 0x00}, SW: 0x9000}
}
