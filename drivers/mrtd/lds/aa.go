package lds

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"io"
	"math/big"
)

// Active Authentication errors.
var (
	ErrAAFailed    = errors.New("xác thực chủ động thất bại (active authentication failed)")
	ErrAAChallenge = errors.New("thử thách AA phải có ít nhất 8 byte ngẫu nhiên, không toàn số 0 (AA challenge must be at least 8 random bytes, not all zero)")
)

// ISO/IEC 10118-3 hash identifiers used in ISO/IEC 9796-2 trailers (xx CC).
var iso9796HashIDs = map[byte]crypto.Hash{
	0x33: crypto.SHA1, 0x34: crypto.SHA256, 0x35: crypto.SHA512, 0x36: crypto.SHA384, 0x38: crypto.SHA224,
}

func checkChallenge(ch []byte) error {
	if len(ch) < 8 {
		return ErrAAChallenge
	}
	for _, b := range ch {
		if b != 0 {
			return nil
		}
	}
	return ErrAAChallenge
}

// VerifyAA checks the chip's Active Authentication signature over challenge (the 8-byte RND.IFD
// the terminal sent in INTERNAL AUTHENTICATE) with the DG15 public key:
//   - RSA: ISO/IEC 9796-2 digital signature scheme 1 with message recovery; trailer BC (SHA-1)
//     or hash-id CC (34CC SHA-256, 36CC SHA-384, 35CC SHA-512, 38CC SHA-224, 33CC SHA-1);
//   - ECDSA: plain r‖s (BSI TR-03111) over the hash matched to the key size (SHA-224/256/384/512),
//     DER ECDSA-Sig-Value accepted as well; Brainpool keys are verified by this package.
func VerifyAA(pub crypto.PublicKey, challenge, signature []byte) error {
	if err := checkChallenge(challenge); err != nil {
		return err
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return verifyAARSA(k, challenge, signature)
	case *ecdsa.PublicKey:
		h := ecHash(k)
		d := h.New()
		d.Write(challenge)
		digest := d.Sum(nil)
		if verifyECDSAPlain(k, digest, signature) == nil || verifyECDSADER(k, digest, signature) == nil {
			return nil
		}
		return ErrAAFailed
	}
	return fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}

func verifyAARSA(k *rsa.PublicKey, challenge, signature []byte) error {
	size := (k.N.BitLen() + 7) / 8
	s := new(big.Int).SetBytes(signature)
	if len(signature) > size || s.Cmp(k.N) >= 0 || s.Sign() == 0 {
		return ErrAAFailed
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(k.E)), k.N).FillBytes(make([]byte, size))
	if m[0]&0xC0 != 0x40 {
		return fmt.Errorf("%w: header", ErrAAFailed)
	}
	partial := m[0]&0x20 != 0
	var h crypto.Hash
	var tlen int
	switch {
	case m[size-1] == 0xBC:
		h, tlen = crypto.SHA1, 1
	case m[size-1] == 0xCC:
		var ok bool
		if h, ok = iso9796HashIDs[m[size-2]]; !ok {
			return fmt.Errorf("%w: trailer", ErrAAFailed)
		}
		tlen = 2
	default:
		return fmt.Errorf("%w: trailer", ErrAAFailed)
	}
	// Padding: the header's low nibble is A (no padding) or B, followed by BB… and ending BA.
	start := 0
	switch m[0] & 0x0F {
	case 0x0A:
		start = 1
	case 0x0B:
		j := 1
		for j < size && m[j] == 0xBB {
			j++
		}
		if j >= size || m[j] != 0xBA {
			return fmt.Errorf("%w: padding", ErrAAFailed)
		}
		start = j + 1
	default:
		return fmt.Errorf("%w: padding", ErrAAFailed)
	}
	end := size - tlen - h.Size()
	if end < start {
		return fmt.Errorf("%w: length", ErrAAFailed)
	}
	m1, hv := m[start:end], m[end:size-tlen]
	d := h.New()
	d.Write(m1)
	if partial {
		d.Write(challenge)
	} else if !bytes.HasSuffix(m1, challenge) {
		return ErrAAFailed
	}
	if subtle.ConstantTimeCompare(d.Sum(nil), hv) != 1 {
		return ErrAAFailed
	}
	return nil
}

// SignAA is the chip side of Active Authentication, for simulated chips: it signs challenge with
// the chip's AA private key in exactly the format VerifyAA checks (see the package
// documentation). RSA keys (*rsa.PrivateKey, modulus a multiple of 8 bits) use ISO/IEC 9796-2
// scheme 1 with partial message recovery, SHA-1 and trailer BC; EC keys (*ecdsa.PrivateKey,
// *ECPrivateKey or any crypto.Signer with an EC public key) return plain r‖s over the hash
// matched to the key size.
func SignAA(signer crypto.Signer, challenge []byte) ([]byte, error) {
	return SignAAWithHash(signer, challenge, crypto.SHA1)
}

// SignAAWithHash is SignAA with the RSA hash chosen: SHA-1 (trailer BC) or SHA-224/256/384/512
// (trailer xx CC). EC keys ignore hash and use the one matched to the key size.
func SignAAWithHash(signer crypto.Signer, challenge []byte, hash crypto.Hash) ([]byte, error) {
	if err := checkChallenge(challenge); err != nil {
		return nil, err
	}
	switch pub := signer.Public().(type) {
	case *rsa.PublicKey:
		priv, ok := signer.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: RSA AA needs *rsa.PrivateKey", ErrUnsupportedKey)
		}
		return signAARSA(priv, challenge, hash, rand.Reader)
	case *ecdsa.PublicKey:
		h := ecHash(pub)
		d := h.New()
		d.Write(challenge)
		der, err := signer.Sign(rand.Reader, d.Sum(nil), h)
		if err != nil {
			return nil, errtext.Wrap(errors.New("không ký được AA (AA signing failed)"), err)
		}
		var sig ecdsaSig
		if _, err := asn1.Unmarshal(der, &sig); err != nil {
			return nil, errtext.Wrap(errors.New("không ký được AA (AA signing failed)"), err)
		}
		size := (pub.Curve.Params().N.BitLen() + 7) / 8
		out := make([]byte, 2*size)
		sig.R.FillBytes(out[:size])
		sig.S.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, signer.Public())
}

func signAARSA(priv *rsa.PrivateKey, challenge []byte, hash crypto.Hash, r io.Reader) ([]byte, error) {
	bits := priv.N.BitLen()
	if bits%8 != 0 || bits < 512 {
		return nil, fmt.Errorf("%w: RSA modulus must be a multiple of 8 bits, ≥ 512", ErrUnsupportedKey)
	}
	size := bits / 8
	var trailer []byte
	if hash == crypto.SHA1 {
		trailer = []byte{0xBC}
	} else {
		for id, h := range iso9796HashIDs {
			if h == hash && h != crypto.SHA1 {
				trailer = []byte{id, 0xCC}
			}
		}
		if trailer == nil {
			return nil, fmt.Errorf("%w: hash %v", errUnknownAlgorithm, hash)
		}
	}
	m1 := make([]byte, size-1-hash.Size()-len(trailer))
	if _, err := io.ReadFull(r, m1); err != nil {
		return nil, errtext.Wrap(errors.New("không đọc được số ngẫu nhiên (reading randomness)"), err)
	}
	d := hash.New()
	d.Write(m1)
	d.Write(challenge)
	m := make([]byte, 0, size)
	m = append(m, 0x6A)
	m = append(m, m1...)
	m = append(m, d.Sum(nil)...)
	m = append(m, trailer...)
	s := new(big.Int).Exp(new(big.Int).SetBytes(m), priv.D, priv.N)
	return s.FillBytes(make([]byte, size)), nil
}
