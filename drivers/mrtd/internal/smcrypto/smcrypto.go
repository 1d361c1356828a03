// Package smcrypto holds the symmetric cryptography of ICAO 9303-11 shared by the terminal side
// (package mrtd) and the simulated chip (package mrtdsim): the key derivation function, DES parity,
// ISO/IEC 9797-1 padding, the retail MAC and AES-CMAC, and the secure messaging cipher suites.
package smcrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// Cipher is the block cipher of a suite.
type Cipher int

// The block ciphers ICAO 9303 uses for secure messaging.
const (
	TDES Cipher = iota + 1 // two-key 3DES in CBC mode, retail MAC (ISO/IEC 9797-1 MAC algorithm 3)
	AES                    // AES in CBC mode with an SSC-derived IV, AES-CMAC truncated to 8 bytes
)

// Suite is a cipher with its key length in bytes (16 for 3DES; 16, 24 or 32 for AES).
type Suite struct {
	Cipher Cipher
	KeyLen int
}

// Common suites.
var (
	SuiteTDES   = Suite{TDES, 16}
	SuiteAES128 = Suite{AES, 16}
	SuiteAES192 = Suite{AES, 24}
	SuiteAES256 = Suite{AES, 32}
)

// BlockSize is the cipher's block size: 8 for 3DES, 16 for AES.
func (s Suite) BlockSize() int {
	if s.Cipher == AES {
		return aes.BlockSize
	}
	return des.BlockSize
}

// String names the suite, e.g. "AES-128".
func (s Suite) String() string {
	if s.Cipher == AES {
		return fmt.Sprintf("AES-%d", s.KeyLen*8)
	}
	return "3DES"
}

// Valid reports whether the suite is one ICAO 9303 defines.
func (s Suite) Valid() bool {
	switch s.Cipher {
	case TDES:
		return s.KeyLen == 16
	case AES:
		return s.KeyLen == 16 || s.KeyLen == 24 || s.KeyLen == 32
	}
	return false
}

// KDF is the key derivation function of ICAO 9303-11 §9.7.1: the hash of secret || counter (32-bit
// big-endian), SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256, cut to the key length. 3DES keys
// get odd DES parity. Counter 1 gives the encryption key, 2 the MAC key, 3 the PACE password key.
func KDF(secret []byte, counter uint32, s Suite) []byte {
	var c [4]byte
	binary.BigEndian.PutUint32(c[:], counter)
	var sum []byte
	if s.Cipher == AES && s.KeyLen > 16 {
		h := sha256.New()
		h.Write(secret)
		h.Write(c[:])
		sum = h.Sum(nil)
	} else {
		h := sha1.New()
		h.Write(secret)
		h.Write(c[:])
		sum = h.Sum(nil)
	}
	k := append([]byte(nil), sum[:s.KeyLen]...)
	if s.Cipher == TDES {
		AdjustParity(k)
	}
	return k
}

// AdjustParity sets the lowest bit of every byte so that each byte has odd parity (DES keys).
func AdjustParity(k []byte) {
	for i, b := range k {
		ones := 0
		for v := b >> 1; v != 0; v >>= 1 {
			ones += int(v & 1)
		}
		k[i] = b&0xFE | byte((ones+1)&1)
	}
}

// Pad applies ISO/IEC 9797-1 padding method 2: 80 then 00s up to a multiple of block.
func Pad(b []byte, block int) []byte {
	n := len(b) + 1
	if r := n % block; r != 0 {
		n += block - r
	}
	out := make([]byte, n)
	copy(out, b)
	out[len(b)] = 0x80
	return out
}

// ErrPadding is returned for data whose ISO/IEC 9797-1 method 2 padding is wrong.
var ErrPadding = errors.New("sai phần đệm dữ liệu (bad padding)")

// Unpad removes ISO/IEC 9797-1 method 2 padding.
func Unpad(b []byte) ([]byte, error) {
	for i := len(b) - 1; i >= 0; i-- {
		switch b[i] {
		case 0x00:
			continue
		case 0x80:
			return b[:i], nil
		}
		break
	}
	return nil, ErrPadding
}

func tdes(key16 []byte) (cipher.Block, error) {
	if len(key16) != 16 {
		return nil, fmt.Errorf("3DES key of %d bytes", len(key16))
	}
	k := make([]byte, 0, 24)
	k = append(k, key16...)
	k = append(k, key16[:8]...)
	return des.NewTripleDESCipher(k)
}

// RetailMAC is ISO/IEC 9797-1 MAC algorithm 3 with DES (single-DES CBC with Ka, then the last block
// decrypted with Kb and encrypted with Ka), IV zero, over data that is already padded.
func RetailMAC(key16, data []byte) ([]byte, error) {
	if len(key16) != 16 || len(data)%8 != 0 || len(data) == 0 {
		return nil, fmt.Errorf("retail MAC: key %d bytes, data %d bytes", len(key16), len(data))
	}
	ka, err := des.NewCipher(key16[:8])
	if err != nil {
		return nil, err
	}
	kb, err := des.NewCipher(key16[8:])
	if err != nil {
		return nil, err
	}
	h := make([]byte, 8)
	for i := 0; i < len(data); i += 8 {
		subtle.XORBytes(h, h, data[i:i+8])
		ka.Encrypt(h, h)
	}
	kb.Decrypt(h, h)
	ka.Encrypt(h, h)
	return h, nil
}

// CMAC is AES-CMAC (NIST SP 800-38B) over data, the full 16-byte tag.
func CMAC(key, data []byte) ([]byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	k1, k2 := cmacSubkeys(b)
	n := (len(data) + 15) / 16
	last := make([]byte, 16)
	if n > 0 && len(data)%16 == 0 {
		subtle.XORBytes(last, data[(n-1)*16:], k1)
	} else {
		if n == 0 {
			n = 1
		}
		rest := data[(n-1)*16:]
		copy(last, rest)
		last[len(rest)] = 0x80
		subtle.XORBytes(last, last, k2)
	}
	x := make([]byte, 16)
	for i := 0; i < n-1; i++ {
		subtle.XORBytes(x, x, data[i*16:i*16+16])
		b.Encrypt(x, x)
	}
	subtle.XORBytes(x, x, last)
	b.Encrypt(x, x)
	return x, nil
}

func cmacSubkeys(b cipher.Block) (k1, k2 []byte) {
	l := make([]byte, 16)
	b.Encrypt(l, l)
	dbl := func(in []byte) []byte {
		out := make([]byte, 16)
		var carry byte
		for i := 15; i >= 0; i-- {
			out[i] = in[i]<<1 | carry
			carry = in[i] >> 7
		}
		if in[0]&0x80 != 0 {
			out[15] ^= 0x87
		}
		return out
	}
	k1 = dbl(l)
	return k1, dbl(k1)
}

// Keys are a pair of session (or password) keys for one suite.
type Keys struct {
	Suite Suite
	enc   cipher.Block
	mac   []byte
}

// NewKeys checks the key lengths and prepares the ciphers.
func NewKeys(s Suite, encKey, macKey []byte) (*Keys, error) {
	if !s.Valid() || len(encKey) != s.KeyLen || len(macKey) != s.KeyLen {
		return nil, fmt.Errorf("khóa phiên không hợp lệ (invalid session keys for %s)", s)
	}
	k := &Keys{Suite: s, mac: append([]byte(nil), macKey...)}
	var err error
	if s.Cipher == AES {
		k.enc, err = aes.NewCipher(encKey)
	} else {
		k.enc, err = tdes(encKey)
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

// iv is zero for 3DES and E(KS_enc, SSC) for AES (ICAO 9303-11 §9.8.6.1).
func (k *Keys) iv(ssc []byte) []byte {
	iv := make([]byte, k.enc.BlockSize())
	if k.Suite.Cipher == AES && ssc != nil {
		k.enc.Encrypt(iv, ssc)
	}
	return iv
}

// Encrypt encrypts padded data in CBC mode with the IV the suite derives from ssc (nil ssc: IV zero).
func (k *Keys) Encrypt(ssc, plain []byte) ([]byte, error) {
	if len(plain)%k.enc.BlockSize() != 0 {
		return nil, fmt.Errorf("encrypt: %d bytes are not whole blocks", len(plain))
	}
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(k.enc, k.iv(ssc)).CryptBlocks(out, plain)
	return out, nil
}

// Decrypt reverses Encrypt.
func (k *Keys) Decrypt(ssc, ct []byte) ([]byte, error) {
	if len(ct)%k.enc.BlockSize() != 0 {
		return nil, fmt.Errorf("decrypt: %d bytes are not whole blocks", len(ct))
	}
	out := make([]byte, len(ct))
	cipher.NewCBCDecrypter(k.enc, k.iv(ssc)).CryptBlocks(out, ct)
	return out, nil
}

// MAC is the 8-byte secure messaging MAC over data that is already padded to the block size:
// the retail MAC for 3DES, AES-CMAC cut to 8 bytes for AES.
func (k *Keys) MAC(padded []byte) ([]byte, error) {
	if k.Suite.Cipher == AES {
		m, err := CMAC(k.mac, padded)
		if err != nil {
			return nil, err
		}
		return m[:8], nil
	}
	return RetailMAC(k.mac, padded)
}

// Token is the PACE authentication token MAC over data (ICAO 9303-11 §4.4.3.4): AES-CMAC cut to
// 8 bytes for AES, the retail MAC over the padded data for 3DES.
func (k *Keys) Token(data []byte) ([]byte, error) {
	if k.Suite.Cipher == AES {
		return k.MAC(data)
	}
	return RetailMAC(k.mac, Pad(data, 8))
}

// SSCMAC computes the secure messaging MAC over pad(ssc || data).
func (k *Keys) SSCMAC(ssc, data []byte) ([]byte, error) {
	n := make([]byte, 0, len(ssc)+len(data))
	n = append(n, ssc...)
	n = append(n, data...)
	return k.MAC(Pad(n, k.enc.BlockSize()))
}

// Increment adds one to a big-endian send sequence counter in place (wrapping at the top).
func Increment(ssc []byte) {
	for i := len(ssc) - 1; i >= 0; i-- {
		ssc[i]++
		if ssc[i] != 0 {
			return
		}
	}
}
