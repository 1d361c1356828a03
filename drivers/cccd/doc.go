// Package cccd knows the Vietnamese chip ID card (căn cước công dân, CCCD): the Citizen record
// that is the JSON contract of the kiosk, the Vietnamese civil-data group DG13, the QR code on the
// front of the 2021 card, the 12-digit ID number (CAN, BAC document number, century/sex digit),
// the expiry rule, and the contents of a simulated card (BuildChip, signed by a TestPKI) with its
// inverse (FromChip).
//
// Generic ICAO 9303 parsing and passive/active authentication live in package lds.
//
// # Expiry
//
// A CCCD must be renewed at 25, 40 and 60; a card issued within the 2 years before one of these
// ages is valid until the next one, and from 58 on it does not expire (Luật Căn cước công dân 2014,
// Art. 21). Such a card carries "Không thời hạn" in DG13 field 12 and "<<<<<<" (check digit 0) as
// the MRZ expiry; neither has been confirmed on a real card. The 2024 thẻ căn cước (Law 26/2023)
// adds renewal at 14 and is not modelled here.
//
// # Keys of a simulated card
//
// BuildChip gives the chip a fresh ECDSA brainpoolP256r1 Active Authentication key by default (DG15,
// announced as ecdsa-plain-SHA256 in DG14) or RSA-1024 with ChipOptions.AARSA, and a brainpoolP256r1
// Chip Authentication key in DG14. EF.SOD is signed with SHA-256 by the TestPKI's P-256 document
// signer, whose CSCA is brainpoolP512r1 like the real Vietnamese one.
//
// Personal data never appears in errors: they name fields, not values.
package cccd
