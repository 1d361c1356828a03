// Package mrtd is the terminal side of ICAO Doc 9303 chip access for the citizen's chip ID card
// (CCCD, a TD1 eMRTD), over any apdu.Transceiver (PN532, PC/SC, or the simulated chip in
// package mrtdsim).
//
// It covers:
//   - key derivation (ICAO 9303-11 §9.7): KDF, BACKeys from the MRZ data, the PACE password
//     from a CAN or the MRZ, and the 7-3-1 CheckDigit;
//   - BAC (§4.3) and PACE (§4.4) with ECDH generic mapping, 3DES and AES-128/192/256, on
//     brainpoolP256r1/P320r1/P384r1/P512r1 and NIST P-256/P-384/P-521 (parameter ids 12–18;
//     the CCCD uses id-PACE-ECDH-GM-AES-CBC-CMAC-128 with parameter 13). PACE with DH, integrated
//     mapping or chip authentication mapping answers ErrNotSupported;
//   - secure messaging (§9.8) with every response MAC checked and the SSC kept in lock-step;
//   - reading files with SELECT by file identifier and READ BINARY sized for the transport
//     (Options.MaxLe, default 0xDF so that a protected answer fits a PN532 frame), odd-INS
//     READ BINARY beyond offset 0x7FFF, and smaller Le on 6282/6700/6Cxx;
//   - Active Authentication's INTERNAL AUTHENTICATE (the signature is checked by package lds).
//
// Chip Authentication is not implemented (Session.ChipAuthenticate returns ErrNotSupported).
//
// Read is the usual entry point:
//
//	files, err := mrtd.Read(ctx, reader, mrtd.CANKey(can), mrtd.Options{ActiveAuthentication: true})
//
// It reads EF.COM, DG1, DG13, DG14, DG15, DG2 and EF.SOD in that order, handing each complete
// file to Options.OnFile as it arrives, and returns nil with the error on any failure, never a
// half-read identity. Reader errors keep their identity: errors.Is(err, apdu.ErrCardRemoved)
// holds when the card was pulled out.
//
// Nothing in this package logs, and no error carries key material, MRZ data or file contents.
package mrtd
