package mrtdsim

import (
	"github.com/tramso/tramso/drivers/tlv"
)

// GenerateCardAccess returns an EF.CardAccess laid out like the CCCD's: SecurityInfos with
// TerminalAuthenticationInfo (version 1), ChipAuthenticationInfo id-CA-ECDH-AES-CBC-CMAC-128
// (version 1) and PACEInfo id-PACE-ECDH-GM-AES-CBC-CMAC-128 (version 2) with the standardized
// domain parameter paramID (13 = brainpoolP256r1, as on the CCCD).
func GenerateCardAccess(paramID int) []byte {
	return GenerateCardAccessSuite(2, paramID)
}

// GenerateCardAccessSuite is GenerateCardAccess with another PACE-ECDH-GM cipher: 1 = 3DES,
// 2 = AES-128, 3 = AES-192, 4 = AES-256.
func GenerateCardAccessSuite(cipher byte, paramID int) []byte {
	arc := []byte{0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02}
	info := func(oid []byte, ints ...int) []byte {
		v := tlv.Encode(0x06, oid)
		for _, n := range ints {
			v = append(v, tlv.Encode(0x02, intBytes(n))...)
		}
		return tlv.Encode(0x30, v)
	}
	var set []byte
	set = append(set, info(append(append([]byte(nil), arc...), 0x02), 1)...)             // id-TA
	set = append(set, info(append(append([]byte(nil), arc...), 0x03, 0x02, 0x02), 1)...) // id-CA-ECDH-AES-CBC-CMAC-128
	set = append(set, info(append(append([]byte(nil), arc...), 0x04, 0x02, cipher), 2, paramID)...)
	return tlv.Encode(0x31, set)
}

// intBytes is the DER INTEGER content of a small non-negative number.
func intBytes(n int) []byte {
	var b []byte
	for {
		b = append([]byte{byte(n)}, b...)
		n >>= 8
		if n == 0 {
			break
		}
	}
	if b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}
