package mrtd

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"io"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
)

// bac runs Basic Access Control (ICAO 9303-11 §4.3) and starts 3DES secure messaging.
// The random source gives RND.IFD (8 bytes) then K.IFD (16 bytes).
func (s *Session) bac(ctx context.Context, k MRZKey) error {
	kEnc, kMac, err := BACKeys(k)
	if err != nil {
		return err
	}
	keys, err := smcrypto.NewKeys(smcrypto.SuiteTDES, kEnc, kMac)
	if err != nil {
		return err
	}
	r, err := s.transmitPlain(ctx, apdu.Command{INS: 0x84, Ne: 8}, "GET CHALLENGE")
	if err != nil {
		return err
	}
	if r.SW != 0x9000 || len(r.Data) != 8 {
		return fmt.Errorf("BAC: %w", authStatus(r.SW, "GET CHALLENGE", len(r.Data)))
	}
	rndIC := r.Data
	rnd := make([]byte, 24)
	if _, err := io.ReadFull(s.rand, rnd); err != nil {
		return fmt.Errorf("không lấy được số ngẫu nhiên (random source failed): %w", err)
	}
	rndIFD, kIFD := rnd[:8], rnd[8:]
	sIn := make([]byte, 0, 32)
	sIn = append(append(append(sIn, rndIFD...), rndIC...), kIFD...)
	eIFD, err := keys.Encrypt(nil, sIn)
	if err != nil {
		return err
	}
	mIFD, err := smcrypto.RetailMAC(kMac, smcrypto.Pad(eIFD, 8))
	if err != nil {
		return err
	}
	r, err = s.transmitPlain(ctx, apdu.Command{INS: 0x82, Data: append(eIFD, mIFD...), Ne: 40}, "EXTERNAL AUTHENTICATE")
	if err != nil {
		return err
	}
	if r.SW != 0x9000 || len(r.Data) != 40 {
		return fmt.Errorf("BAC: %w", authStatus(r.SW, "EXTERNAL AUTHENTICATE", len(r.Data)))
	}
	eIC, mIC := r.Data[:32], r.Data[32:]
	want, err := smcrypto.RetailMAC(kMac, smcrypto.Pad(eIC, 8))
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, mIC) != 1 {
		return fmt.Errorf("%w: BAC: chip MAC wrong", ErrAuthentication)
	}
	plain, err := keys.Decrypt(nil, eIC)
	if err != nil {
		return err
	}
	if !bytes.Equal(plain[:8], rndIC) || !bytes.Equal(plain[8:16], rndIFD) {
		return fmt.Errorf("%w: BAC: chip nonces do not match", ErrAuthentication)
	}
	seed := make([]byte, 16)
	subtle.XORBytes(seed, kIFD, plain[16:32])
	ssc := append(append([]byte(nil), rndIC[4:]...), rndIFD[4:]...)
	sm, err := newSecureMessaging(smcrypto.SuiteTDES,
		smcrypto.KDF(seed, 1, smcrypto.SuiteTDES), smcrypto.KDF(seed, 2, smcrypto.SuiteTDES), ssc)
	if err != nil {
		return err
	}
	s.sm = sm
	s.access = "BAC"
	return nil
}

// authStatus turns an unexpected answer during authentication into an error: 63xx (and 6982/6300
// variants) mean a wrong key; anything else is reported with its status word.
func authStatus(sw uint16, op string, n int) error {
	switch {
	case sw&0xFF00 == 0x6300 || sw == 0x6982 || sw == 0x6983:
		return errtext.Wrap(ErrAuthentication, &apdu.StatusError{SW: sw, Op: op})
	case sw == 0x9000:
		return fmt.Errorf("%w: %s: %d bytes", ErrBadResponse, op, n)
	case sw == 0x6D00 || sw == 0x6A81 || sw == 0x6A80 || sw == 0x6A86 || sw == 0x6A88:
		return errtext.Wrap(ErrNotSupported, &apdu.StatusError{SW: sw, Op: op})
	}
	return &apdu.StatusError{SW: sw, Op: op}
}
