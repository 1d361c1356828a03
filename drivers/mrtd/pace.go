package mrtd

import (
	"context"
	"crypto/subtle"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"math/big"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd/internal/ec"
	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
	"github.com/tramso/tramso/drivers/tlv"
)

// pace runs PACE (ICAO 9303-11 §4.4) with ECDH generic mapping and starts secure messaging with
// SSC 0. The random source gives the mapping private key, then the ephemeral private key (each
// drawn as in ec.Curve.RandomScalar).
func (s *Session) pace(ctx context.Context, info PACEInfo, key AccessKey, ref byte) error {
	mapping, suite, ok := info.paceSuite()
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotSupported, info.Protocol)
	}
	if mapping != mappingECDHGM {
		return fmt.Errorf("%w: %s (only ECDH generic mapping is supported)", ErrNotSupported, info.PACEName())
	}
	curve, ok := ec.ByParamID(info.CurveParameterID())
	if !ok {
		return fmt.Errorf("%w: PACE domain parameter %d", ErrNotSupported, info.ParameterID)
	}
	pi, err := PACEPassword(key, ref)
	if err != nil {
		return err
	}
	kpi, err := smcrypto.NewKeys(suite, smcrypto.KDF(pi, 3, suite), make([]byte, suite.KeyLen))
	if err != nil {
		return err
	}

	// MSE:Set AT
	mse := tlv.Encode(0x80, info.OID)
	mse = append(mse, 0x83, 0x01, ref)
	mse = append(mse, 0x84, 0x01, byte(info.ParameterID))
	r, err := s.transmitPlain(ctx, apdu.Command{INS: 0x22, P1: 0xC1, P2: 0xA4, Data: mse}, "MSE:Set AT")
	if err != nil {
		return err
	}
	if r.SW != 0x9000 && r.SW&0xFFF0 != 0x63C0 {
		return fmt.Errorf("PACE: %w", authStatus(r.SW, "MSE:Set AT", 0))
	}

	// 1. encrypted nonce
	enc, err := s.generalAuthenticate(ctx, 1, nil, 0x80)
	if err != nil {
		return err
	}
	if len(enc) == 0 || len(enc)%suite.BlockSize() != 0 {
		return fmt.Errorf("%w: PACE nonce of %d bytes", ErrBadResponse, len(enc))
	}
	nonce, err := kpi.Decrypt(nil, enc)
	if err != nil {
		return err
	}

	// 2. generic mapping: G' = s·G + H, H = SK_map · PK_map,IC
	skMap, err := curve.RandomScalar(s.rand)
	if err != nil {
		return err
	}
	pkMap := curve.ScalarBaseMult(skMap)
	b, err := s.generalAuthenticate(ctx, 2, tlv.Encode(0x81, curve.Marshal(pkMap)), 0x82)
	if err != nil {
		return err
	}
	pkMapIC, err := curve.Unmarshal(b)
	if err != nil {
		return errtext.Wrap(ErrBadResponse, fmt.Errorf("PACE mapping key: %w", err))
	}
	h := curve.ScalarMult(pkMapIC, skMap)
	gMapped := curve.Add(curve.ScalarBaseMult(new(big.Int).SetBytes(nonce)), h)
	if h.Infinity() || gMapped.Infinity() {
		return fmt.Errorf("%w: PACE mapping gives the point at infinity", ErrBadResponse)
	}

	// 3. key agreement on G'
	skEph, err := curve.RandomScalar(s.rand)
	if err != nil {
		return err
	}
	pkEph := curve.ScalarMult(gMapped, skEph)
	pkEphBytes := curve.Marshal(pkEph)
	b, err = s.generalAuthenticate(ctx, 3, tlv.Encode(0x83, pkEphBytes), 0x84)
	if err != nil {
		return err
	}
	pkEphIC, err := curve.Unmarshal(b)
	if err != nil {
		return errtext.Wrap(ErrBadResponse, fmt.Errorf("PACE ephemeral key: %w", err))
	}
	if pkEphIC.X.Cmp(pkEph.X) == 0 {
		return fmt.Errorf("%w: PACE: the chip echoed the terminal key", ErrAuthentication)
	}
	shared := curve.ScalarMult(pkEphIC, skEph)
	if shared.Infinity() {
		return fmt.Errorf("%w: PACE shared secret is the point at infinity", ErrBadResponse)
	}
	k := curve.FieldBytes(shared.X)
	ksEnc, ksMac := smcrypto.KDF(k, 1, suite), smcrypto.KDF(k, 2, suite)
	keys, err := smcrypto.NewKeys(suite, ksEnc, ksMac)
	if err != nil {
		return err
	}

	// 4. mutual authentication tokens over the public key data objects 7F49
	tPCD, err := keys.Token(publicKeyObject(info.OID, b))
	if err != nil {
		return err
	}
	tIC, err := s.generalAuthenticate(ctx, 4, tlv.Encode(0x85, tPCD), 0x86)
	if err != nil {
		return err
	}
	want, err := keys.Token(publicKeyObject(info.OID, pkEphBytes))
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, tIC) != 1 {
		return fmt.Errorf("%w: PACE: chip token wrong", ErrAuthentication)
	}
	sm, err := newSecureMessaging(suite, ksEnc, ksMac, make([]byte, suite.BlockSize()))
	if err != nil {
		return err
	}
	s.sm = sm
	if ref == PasswordCAN {
		s.access = "PACE-CAN"
	} else {
		s.access = "PACE-MRZ"
	}
	return nil
}

// publicKeyObject is the ECDH public key data object 7F49 { 06 OID, 86 point }.
func publicKeyObject(oid, point []byte) []byte {
	v := tlv.Encode(0x06, oid)
	v = append(v, tlv.Encode(0x86, point)...)
	return tlv.Encode(0x7F49, v)
}

// generalAuthenticate sends step n of 4 (command chaining CLA 10 on steps 1–3) with the dynamic
// authentication data object do (nil: empty 7C) and returns the value of tag want in the answer.
func (s *Session) generalAuthenticate(ctx context.Context, step int, do []byte, want tlv.Tag) ([]byte, error) {
	c := apdu.Command{CLA: 0x10, INS: 0x86, Data: tlv.Encode(0x7C, do), Ne: 256}
	if step == 4 {
		c.CLA = 0
	}
	op := fmt.Sprintf("GENERAL AUTHENTICATE %d", step)
	r, err := s.transmitPlain(ctx, c, op)
	if err != nil {
		return nil, err
	}
	if r.SW != 0x9000 {
		return nil, fmt.Errorf("PACE: %w", authStatus(r.SW, op, len(r.Data)))
	}
	v, err := parseDynamicAuthData(r.Data, want)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return v, nil
}

// parseDynamicAuthData returns the value of tag want inside a 7C dynamic authentication data
// template, the whole answer of a GENERAL AUTHENTICATE step. Other data objects (e.g. the CARs
// 87/88 of step 4) are allowed and ignored.
func parseDynamicAuthData(b []byte, want tlv.Tag) ([]byte, error) {
	tag, v, rest, err := tlv.Next(b)
	if err != nil {
		return nil, errtext.Wrap(ErrBadResponse, err)
	}
	if tag != 0x7C || len(rest) != 0 {
		return nil, fmt.Errorf("%w: expected one 7C template", ErrBadResponse)
	}
	objs, err := tlv.Parse(v)
	if err != nil {
		return nil, errtext.Wrap(ErrBadResponse, err)
	}
	for _, o := range objs {
		if o.Tag == want {
			if len(o.Value) == 0 {
				return nil, fmt.Errorf("%w: empty data object %s", ErrBadResponse, want)
			}
			return o.Value, nil
		}
	}
	return nil, fmt.Errorf("%w: data object %s missing", ErrBadResponse, want)
}
