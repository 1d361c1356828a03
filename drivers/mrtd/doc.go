// Package mrtd is the terminal side of ICAO Doc 9303 chip access for the citizen's chip ID card
// (CCCD, a TD1 eMRTD), over any apdu.Transceiver (PN532, PC/SC, or the simulated chip in
// package mrtdsim).
//
// It covers:
//   - key derivation (ICAO 9303-11 §9.7): KDF, BACKeys from the MRZ data, the PACE password
//     from a CAN or the MRZ, and the 7-3-1 check digit (lds.CheckDigit);
//   - BAC (§4.3) and PACE (§4.4) with ECDH generic mapping, 3DES and AES-128/192/256, on
//     brainpoolP256r1/P320r1/P384r1/P512r1 and NIST P-256/P-384/P-521 (parameter ids 12–18, or
//     explicit domain parameters in EF.CardAccess that are exactly one of these curves; any other
//     explicit parameters are refused); the CCCD uses id-PACE-ECDH-GM-AES-CBC-CMAC-128 with
//     parameter 13. PACE with DH, integrated mapping or chip authentication mapping answers
//     ErrNotSupported. When EF.CardAccess offers a PACE this package runs and it fails, there is
//     no BAC afterwards (no downgrade); BAC is used only for cards without such a PACE, or when asked;
//   - secure messaging (§9.8) with every response MAC checked and the SSC kept in lock-step; an
//     unprotected error status is taken only for a file EF.SOD does not list (Session.ListedFiles);
//   - reading files with SELECT by file identifier and READ BINARY sized for the transport
//     (Options.MaxLe, default 0xDF so that a protected answer fits a PN532 frame), odd-INS
//     READ BINARY beyond offset 0x7FFF, and smaller Le on 6282/6700/6Cxx;
//   - Chip Authentication (§6.2) with DG14's key: id-CA-ECDH on the standardized curves (named,
//     or spelled out exactly) or id-CA-DH in a group whose order checks out, with 3DES or
//     AES-128/192/256, MSE:Set AT + GENERAL AUTHENTICATE, then secure messaging restarted with the
//     new keys and proved by an answer under them;
//   - Active Authentication's INTERNAL AUTHENTICATE (the signature is checked by package lds).
//
// Read is the usual entry point:
//
//	files, err := mrtd.Read(ctx, reader, mrtd.CANKey(can), mrtd.Options{ActiveAuthentication: true})
//
// It reads EF.COM and EF.SOD, then only the data groups they list, in the order DG14 (then Chip
// Authentication, so that the rest is read under its keys), DG1, DG13, DG2, DG15 (then Active
// Authentication), handing each complete file to Options.OnFile as it arrives. A data group EF.SOD
// lists that the chip will not give is recorded in Files.Refused (a verdict on the card, possibly a
// copy), a failed Chip Authentication in Files.ChipAuth; on any other failure Read returns nil with
// the error, never a half-read identity. Reader errors keep their identity: errors.Is(err, apdu.ErrCardRemoved)
// holds when the card was pulled out.
//
// Nothing in this package logs, and no error carries key material, MRZ data or file contents.
package mrtd
