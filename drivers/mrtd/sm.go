package mrtd

import (
	"crypto/subtle"
	"fmt"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
	"github.com/tramso/tramso/drivers/tlv"
)

// secureMessaging is the terminal side of ICAO 9303-11 §9.8: it protects commands and checks
// responses, keeping the send sequence counter in lock-step with the chip (incremented before each
// command and again before each response). Any failure kills it for good.
type secureMessaging struct {
	keys *smcrypto.Keys
	ssc  []byte
	dead bool
}

func newSecureMessaging(suite smcrypto.Suite, ksEnc, ksMac, ssc []byte) (*secureMessaging, error) {
	k, err := smcrypto.NewKeys(suite, ksEnc, ksMac)
	if err != nil {
		return nil, err
	}
	if len(ssc) != suite.BlockSize() {
		return nil, fmt.Errorf("SSC of %d bytes for %s", len(ssc), suite)
	}
	return &secureMessaging{keys: k, ssc: append([]byte(nil), ssc...)}, nil
}

func (sm *secureMessaging) fail(format string, a ...any) error {
	sm.dead = true
	return fmt.Errorf("%w: "+format, append([]any{ErrSecureMessaging}, a...)...)
}

// wrap protects a command: DO'87' (even INS, padding indicator 01) or DO'85' (odd INS) with the
// encrypted padded data, DO'97' with Le, DO'8E' with the MAC over SSC || padded header || DOs.
// extendedLe asks for an extended-length Le on the protected command.
func (sm *secureMessaging) wrap(c apdu.Command, extendedLe bool) (apdu.Command, error) {
	if sm.dead {
		return apdu.Command{}, fmt.Errorf("%w: session closed", ErrSecureMessaging)
	}
	bs := sm.keys.Suite.BlockSize()
	smcrypto.Increment(sm.ssc)
	header := []byte{c.CLA | 0x0C, c.INS, c.P1, c.P2}
	var dos []byte
	if len(c.Data) > 0 {
		enc, err := sm.keys.Encrypt(sm.ssc, smcrypto.Pad(c.Data, bs))
		if err != nil {
			return apdu.Command{}, sm.fail("%v", err)
		}
		if c.INS&1 == 1 {
			dos = append(dos, tlv.Encode(0x85, enc)...)
		} else {
			dos = append(dos, tlv.Encode(0x87, append([]byte{0x01}, enc...))...)
		}
	}
	switch {
	case c.Ne == 0:
	case c.Ne <= 256:
		dos = append(dos, 0x97, 0x01, byte(c.Ne))
	default:
		dos = append(dos, 0x97, 0x02, byte(c.Ne>>8), byte(c.Ne))
	}
	m := append(smcrypto.Pad(header, bs), dos...)
	cc, err := sm.keys.SSCMAC(sm.ssc, m)
	if err != nil {
		return apdu.Command{}, sm.fail("%v", err)
	}
	dos = append(dos, tlv.Encode(0x8E, cc)...)
	out := apdu.Command{CLA: header[0], INS: c.INS, P1: c.P1, P2: c.P2, Data: dos, Ne: 256}
	if extendedLe || c.Ne > 256 {
		out.Ne = 65536
	}
	return out, nil
}

// unwrap checks and opens a protected response. A response of only a status word is accepted
// when plainErrors is true and it reports an error other than 6987/6988 (the chip did not process
// the command under secure messaging; the SSC is then not advanced for the response); callers allow
// it only for files the EF.SOD does not list. Otherwise an unprotected answer kills the session: a
// bare 9000 or 61xx is a downgrade, and so is a bare error status for a file the SOD vouches for.
// 6987/6988, a missing DO'99' or DO'8E', a wrong MAC and bad padding kill it too.
func (sm *secureMessaging) unwrap(b []byte, plainErrors bool) (apdu.Response, error) {
	if sm.dead {
		return apdu.Response{}, fmt.Errorf("%w: session closed", ErrSecureMessaging)
	}
	r, err := apdu.ParseResponse(b)
	if err != nil {
		return apdu.Response{}, sm.fail("%w", ErrBadResponse)
	}
	if len(r.Data) == 0 {
		switch {
		case r.SW == 0x6987 || r.SW == 0x6988:
			sm.dead = true
			return apdu.Response{}, statusError(r.SW, "secure messaging")
		case r.SW == 0x9000 || r.SW&0xFF00 == 0x6100 || r.SW&0xFF00 == 0x6200:
			return apdu.Response{}, sm.fail("thẻ trả lời không có bảo vệ (unprotected answer %04X inside the session)", r.SW)
		case !plainErrors:
			return apdu.Response{}, sm.fail("thẻ trả lời lỗi %04X không có bảo vệ cho tệp được EF.SOD liệt kê (unprotected error status %04X for a file the SOD lists)", r.SW, r.SW)
		}
		return r, nil
	}
	smcrypto.Increment(sm.ssc)
	var (
		enc     []byte
		encOdd  bool
		sw      []byte
		mac     []byte
		macd    int // bytes covered by the MAC
		rest    = r.Data
		pos     int
		seen99  bool
		seenEnc bool
	)
	for len(rest) > 0 {
		tag, v, next, err := tlv.Next(rest)
		if err != nil {
			return apdu.Response{}, sm.fail("%w: %w", ErrBadResponse, err)
		}
		if mac != nil {
			return apdu.Response{}, sm.fail("%w: data after DO'8E'", ErrBadResponse)
		}
		switch tag {
		case 0x87, 0x85:
			if seenEnc || seen99 {
				return apdu.Response{}, sm.fail("%w: DO'%s' out of place", ErrBadResponse, tag)
			}
			seenEnc, enc, encOdd = true, v, tag == 0x85
		case 0x99:
			if seen99 || len(v) != 2 {
				return apdu.Response{}, sm.fail("%w: bad DO'99'", ErrBadResponse)
			}
			seen99, sw = true, v
		case 0x8E:
			if len(v) != 8 {
				return apdu.Response{}, sm.fail("%w: DO'8E' of %d bytes", ErrBadResponse, len(v))
			}
			mac, macd = v, pos
		default:
			return apdu.Response{}, sm.fail("%w: unexpected DO'%s'", ErrBadResponse, tag)
		}
		pos += len(rest) - len(next)
		rest = next
	}
	if mac == nil || !seen99 {
		return apdu.Response{}, sm.fail("thiếu mã xác thực hoặc trạng thái (DO'8E' or DO'99' missing)")
	}
	want, err := sm.keys.SSCMAC(sm.ssc, r.Data[:macd])
	if err != nil {
		return apdu.Response{}, sm.fail("%v", err)
	}
	if subtle.ConstantTimeCompare(want, mac) != 1 {
		return apdu.Response{}, sm.fail("mã xác thực sai (response MAC mismatch)")
	}
	inner := uint16(sw[0])<<8 | uint16(sw[1])
	if inner != r.SW {
		return apdu.Response{}, sm.fail("trạng thái không khớp (protected status %04X, plain %04X)", inner, r.SW)
	}
	out := apdu.Response{SW: inner}
	if seenEnc {
		if !encOdd {
			if len(enc) < 1 || enc[0] != 0x01 {
				return apdu.Response{}, sm.fail("%w: DO'87' padding indicator", ErrBadResponse)
			}
			enc = enc[1:]
		}
		plain, err := sm.keys.Decrypt(sm.ssc, enc)
		if err != nil {
			return apdu.Response{}, sm.fail("%w: %v", ErrBadResponse, err)
		}
		if out.Data, err = smcrypto.Unpad(plain); err != nil {
			return apdu.Response{}, sm.fail("%w: %v", ErrBadResponse, err)
		}
	}
	return out, nil
}

// smResponseSize is the number of bytes of a protected response carrying n plain bytes
// (DO'87' + DO'99' + DO'8E' + SW), for sizing READ BINARY to the transport.
func smResponseSize(n, block int) int {
	size := 4 + 10 + 2
	if n > 0 {
		padded := (n/block + 1) * block
		size += 1 + len(tlv.EncodeLength(padded+1)) + 1 + padded
	}
	return size
}
