// Package lds parses and builds the Logical Data Structure of an ICAO 9303 eMRTD (passports and
// ID cards such as the Vietnamese CCCD) and authenticates it.
//
// It works on file bytes only: reading them from a chip (BAC/PACE, secure messaging, READ
// BINARY) is the job of package mrtd. What it covers:
//
//   - EF.COM (ParseCOM, COM.Bytes); DG1 with TD1/TD2/TD3 MRZ parsing and every check digit
//     (ParseDG1, ParseMRZ, BuildTD1, BuildDG1); DG2 face images (ParseDG2, BuildDG2); DG14
//     SecurityInfos (ParseDG14, BuildDG14); DG15 Active Authentication key (ParseDG15, BuildDG15);
//     EF.SOD (ParseSOD, BuildSOD).
//   - Passive authentication (VerifySOD): data group hashes, the document signer's CMS
//     signature, and the chain to a CSCA from a TrustStore (LoadTrustStore). The result is one of
//     valid, invalid or unverified, never a silent success: without trust anchors the result is
//     unverified even when everything else checks out, and a hash mismatch is invalid whatever
//     the trust configuration.
//   - Active Authentication (VerifyAA, and SignAA for simulated chips).
//
// # Curves and certificates
//
// Go's crypto/x509 rejects EC keys on Brainpool curves or with explicit domain parameters, which
// is what the Vietnamese CSCA uses (brainpoolP512r1, explicit parameters, ecdsa-with-SHA512). This
// package therefore parses certificates itself (Certificate, ParseCertificate), implements the
// Brainpool curves P256r1/P384r1/P512r1 with math/big (Curve), verifies ECDSA over them
// (VerifyECDSA) and can sign with them (ECPrivateKey, CreateCertificate) for test PKIs. RSA
// (PKCS#1 v1.5 and PSS) and ECDSA over NIST curves go through the standard library. The math/big
// arithmetic is not constant time: fine for verification and test keys, not for guarding secrets.
//
// # Active Authentication signature format
//
// The chip receives an 8-byte challenge (RND.IFD) in INTERNAL AUTHENTICATE and returns:
//
// RSA keys (ISO/IEC 9796-2 digital signature scheme 1, partial message recovery). With k the
// modulus length in bytes (a multiple of 8 bits), the chip builds the k-byte representative
//
//	M = 6A || M1 || H || BC
//
// where M1 is k−22 random bytes (the chip's nonce, the recoverable part), H = SHA-1(M1 || RND.IFD)
// (20 bytes), BC the SHA-1 trailer; the signature is M^d mod n as k bytes, big-endian. With
// SignAAWithHash and another hash, the trailer is two bytes "id CC" (34 CC for SHA-256, 36 CC
// SHA-384, 35 CC SHA-512, 38 CC SHA-224) and M1 shrinks accordingly. The verifier computes
// M = s^e mod n, checks the 01 header bits, the padding nibbles (6A, or 4B/6B BB… BA), the
// trailer, and compares H with the hash of M1 || RND.IFD.
//
// EC keys (BSI TR-03111): the signature is r || s, each left-padded to the byte length of the
// curve order, over SHA-x(RND.IFD) where x is matched to the key size: SHA-224 (≤ 224 bits),
// SHA-256 (≤ 256), SHA-384 (≤ 384), SHA-512 above (brainpoolP512r1, P-521).
//
// VerifyAA and SignAA refuse a challenge shorter than 8 bytes or all zero: a fixed challenge makes
// AA replayable.
//
// # Documents without expiry
//
// A CCCD issued from age 58 on does not expire. BuildTD1 writes its expiry field as "<<<<<<" with
// check digit 0 (the ICAO check digit of six fillers); ParseMRZ accepts "<<<<<<" with check digit
// 0 or '<'. What a real CCCD prints there has not been confirmed on a card.
package lds
