// Package mrtdsim is a simulated CCCD chip (ICAO 9303 eMRTD, card side) for tests and the demo.
// A Chip serves the file bytes it is given through apdu.Transceiver, so package mrtd can be
// tested against it directly and the PN532 and PC/SC simulators can put it behind their wire
// protocols.
//
// It behaves like a CCCD: SELECT MF answers 6D00; EF.CardAccess (011C) is readable without
// authentication (build it with GenerateCardAccess(13): PACE-ECDH-GM-AES-128 on brainpoolP256r1,
// plus the TA and CA entries the real card lists); PACE with the CAN or the MRZ (any ECDH-GM
// suite and parameter id 12–18 the terminal picks), BAC with the MRZ; after authentication every
// command must be protected (a plain one gets 6987 and ends the session, a wrong MAC 6988);
// DG3 answers 6982, unknown files 6A82; READ BINARY takes any Le up to 256 (more with
// Config.ExtendedLength), short EF identifiers in P1 and odd INS B1, and answers 6282 with the
// remaining bytes at the end of a file. With Config.CAKey it runs Chip Authentication (ICAO
// 9303-11 §6.2: MSE:Set AT 41 A4 with id-CA-ECDH and a 3DES or AES cipher, GENERAL AUTHENTICATE
// with the terminal's ephemeral key, answered 7C00 under the old keys, then secure messaging with
// the new keys and SSC zero). Faults: WrongKey, BreakPACE (PACE fails, BAC works), RemoveAfterAPDUs,
// Delay, Garbage, LimitLe (6700 above a Le), ShortRead (6282 with fewer bytes above a Le), Hide
// (6A82 for files it has, like a copy hiding DG15), PlainErrors (error statuses without secure
// messaging) and CAWrongKey (Chip Authentication with another key than DG14's).
//
// # Active Authentication signature format
//
// INTERNAL AUTHENTICATE (00 88 00 00, data = the terminal's challenge, normally 8 bytes) is
// answered when Config.AAKey (or Config.AASign) is set, inside an authenticated session only:
//
//   - RSA (*rsa.PrivateKey, modulus a whole number of bytes k): ISO/IEC 9796-2 digital signature
//     scheme 1 with partial message recovery and SHA-1, as ICAO 9303-11 §6.1 specifies. The
//     message is M = M1 || M2 with M2 = the challenge and M1 = k-22 random bytes; the chip forms
//     F = 6A || M1 || SHA-1(M1 || M2) || BC (k bytes) and returns F^d mod n as k bytes. The
//     verifier computes F = s^e mod n, checks the 6A header and BC trailer, takes M1 = F[1:k-21]
//     and checks SHA-1(M1 || challenge) = F[k-21:k-1]. This is the format of lds.SignAA.
//   - ECDSA (any crypto.Signer with an *ecdsa.PublicKey): the hash of the challenge by key size
//     (SHA-224 up to 224-bit curves, SHA-256 up to 256, SHA-384 up to 384, SHA-512 above,
//     as package lds verifies it), signed, returned as the
//     plain concatenation r || s, each as long as the curve order (BSI TR-03111 plain format).
//
// Config.AASign replaces this with the caller's own signer (e.g. lds.SignAA).
package mrtdsim
