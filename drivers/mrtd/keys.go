package mrtd

import (
	"crypto/sha1"
	"fmt"
	"log/slog"
	"strings"

	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
	"github.com/tramso/tramso/drivers/mrtd/lds"
)

// MRZKey is the part of the MRZ that BAC and PACE-MRZ use: the document number as printed in the
// MRZ (for the CCCD the 9 digits of line 1 positions 6–14, the last 9 digits of the ID number, never
// the 12-digit number), the date of birth and the date of expiry, both YYMMDD.
// Its String and LogValue methods never show the values.
type MRZKey struct {
	DocumentNumber string
	DateOfBirth    string
	DateOfExpiry   string
}

// String hides the values, so a key printed by mistake leaks nothing.
func (k MRZKey) String() string { return "MRZKey{…}" }

// LogValue hides the values from log/slog.
func (k MRZKey) LogValue() slog.Value { return slog.StringValue("MRZKey{…}") }

// Information returns MRZ_information (ICAO 9303-11 §9.7.2): document number, its check digit,
// date of birth, its check digit, date of expiry, its check digit. A document number shorter than
// 9 characters is padded with '<'; a longer one is used whole with the check digit over all of it.
func (k MRZKey) Information() (string, error) {
	doc := strings.ToUpper(strings.TrimSpace(k.DocumentNumber))
	if doc == "" {
		return "", fmt.Errorf("%w: document number missing", ErrInvalidKey)
	}
	for len(doc) < 9 {
		doc += "<"
	}
	var b strings.Builder
	for _, f := range []struct{ name, v string }{
		{"document number", doc}, {"date of birth", k.DateOfBirth}, {"date of expiry", k.DateOfExpiry},
	} {
		if f.name != "document number" && !isYYMMDD(f.v) {
			return "", fmt.Errorf("%w: %s must be YYMMDD", ErrInvalidKey, f.name)
		}
		cd, ok := lds.CheckDigit(f.v) // the one ICAO 9303-3 check digit of the tree
		if !ok {
			return "", fmt.Errorf("%w: %s: character not allowed in an MRZ field", ErrInvalidKey, f.name)
		}
		b.WriteString(f.v)
		b.WriteByte(cd)
	}
	return b.String(), nil
}

func isYYMMDD(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	mm := int(s[2]-'0')*10 + int(s[3]-'0')
	dd := int(s[4]-'0')*10 + int(s[5]-'0')
	return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31
}

// BACKeys derives the BAC document keys K_enc and K_mac (ICAO 9303-11 §9.7.2): K_seed is the first
// 16 bytes of SHA-1(MRZ_information), then KDF with counters 1 and 2, 3DES parity adjusted.
func BACKeys(k MRZKey) (kEnc, kMac []byte, err error) {
	info, err := k.Information()
	if err != nil {
		return nil, nil, err
	}
	sum := sha1.Sum([]byte(info))
	seed := sum[:16]
	return smcrypto.KDF(seed, 1, smcrypto.SuiteTDES), smcrypto.KDF(seed, 2, smcrypto.SuiteTDES), nil
}

// KDF is the ICAO 9303-11 §9.7.1 key derivation function for a cipher suite: cipher is "3DES" or
// "AES", keyBits 128 for 3DES, 128/192/256 for AES. Counter 1 gives K_enc, 2 K_mac, 3 the PACE K_π.
func KDF(secret []byte, counter uint32, cipher string, keyBits int) ([]byte, error) {
	s, err := suiteFor(cipher, keyBits)
	if err != nil {
		return nil, err
	}
	return smcrypto.KDF(secret, counter, s), nil
}

func suiteFor(cipher string, keyBits int) (smcrypto.Suite, error) {
	var s smcrypto.Suite
	switch strings.ToUpper(cipher) {
	case "3DES", "TDES", "DESEDE":
		s = smcrypto.Suite{Cipher: smcrypto.TDES, KeyLen: keyBits / 8}
	case "AES":
		s = smcrypto.Suite{Cipher: smcrypto.AES, KeyLen: keyBits / 8}
	}
	if !s.Valid() {
		return s, fmt.Errorf("%w: %s-%d", ErrNotSupported, cipher, keyBits)
	}
	return s, nil
}

// Password reference values of MSE:Set AT (ICAO 9303-11 §4.4.4.1).
const (
	PasswordMRZ byte = 1
	PasswordCAN byte = 2
)

// AccessKey is what the citizen's card is opened with: a CAN (for the CCCD the last 6 digits of
// the 12-digit ID number), the MRZ data, or both (PACE then uses the CAN, BAC the MRZ).
// Its String and LogValue methods never show the values.
type AccessKey struct {
	CAN string
	MRZ *MRZKey
}

// CANKey returns an access key holding a CAN.
func CANKey(can string) AccessKey { return AccessKey{CAN: can} }

// MRZAccessKey returns an access key holding the MRZ data (dates YYMMDD).
func MRZAccessKey(documentNumber, dateOfBirth, dateOfExpiry string) AccessKey {
	return AccessKey{MRZ: &MRZKey{DocumentNumber: documentNumber, DateOfBirth: dateOfBirth, DateOfExpiry: dateOfExpiry}}
}

// String hides the values.
func (k AccessKey) String() string {
	switch {
	case k.CAN != "" && k.MRZ != nil:
		return "AccessKey{CAN, MRZ}"
	case k.CAN != "":
		return "AccessKey{CAN}"
	case k.MRZ != nil:
		return "AccessKey{MRZ}"
	}
	return "AccessKey{}"
}

// LogValue hides the values from log/slog.
func (k AccessKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

func checkCAN(can string) error {
	if len(can) == 0 || len(can) > 16 {
		return fmt.Errorf("%w: the CAN must be 6 digits", ErrInvalidKey)
	}
	for i := 0; i < len(can); i++ {
		if can[i] < '0' || can[i] > '9' {
			return fmt.Errorf("%w: the CAN must be digits only", ErrInvalidKey)
		}
	}
	return nil
}

// PACEPassword returns the PACE password π (ICAO 9303-11 §4.4.1.1) and its reference for MSE:Set AT:
// for a CAN its digits as ISO 8859-1 bytes, for the MRZ SHA-1(MRZ_information).
func PACEPassword(k AccessKey, ref byte) ([]byte, error) {
	switch ref {
	case PasswordCAN:
		if err := checkCAN(k.CAN); err != nil {
			return nil, err
		}
		return []byte(k.CAN), nil
	case PasswordMRZ:
		if k.MRZ == nil {
			return nil, fmt.Errorf("%w: MRZ data missing", ErrInvalidKey)
		}
		info, err := k.MRZ.Information()
		if err != nil {
			return nil, err
		}
		sum := sha1.Sum([]byte(info))
		return sum[:], nil
	}
	return nil, fmt.Errorf("%w: password reference %d", ErrNotSupported, ref)
}

// PACEPasswordKey derives K_π = KDF(π, 3) for a cipher suite ("3DES"/"AES", key bits).
func PACEPasswordKey(pi []byte, cipher string, keyBits int) ([]byte, error) {
	return KDF(pi, 3, cipher, keyBits)
}
