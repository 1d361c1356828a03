// Package codereader reads 2D (QR) and barcode scanners that send each scanned code as a line on a
// serial link: USB-CDC (/dev/ttyACM*), an RS-232 adapter (/dev/ttyUSB*), or a pseudo-terminal from
// the simulator.
//
// The kiosk uses it for the QR code printed on the chip ID card (CCCD), which carries the holder's
// full name and address with Vietnamese diacritics. Reader.Next yields each scan as one NFC-normalised
// UTF-8 string. It accepts any line ending scanners are set to (CR, LF or CR LF), joins a line split
// over several reads, removes an installer-configured prefix and suffix, drops lines longer than a
// sane maximum, refuses bytes that are not UTF-8 (a scanner left in a legacy code page) instead of
// passing on a garbled name, and collapses the repeated reads a scanner in continuous mode makes of
// a code held under it.
//
// # Scanners must be in serial mode, not keyboard mode
//
// Out of the box most scanners are USB keyboards (HID "keyboard wedge"): they type the code as key
// presses. A keyboard has no keys for ơ, ư, đ or the tone marks, so in that mode a scanner cannot
// deliver a Vietnamese name at all: it drops the letters or types them through Alt codes that
// depend on the host's keyboard layout. The installer must switch each scanner to its USB serial
// mode (called USB-CDC, USB COM port emulation or VCOM by the vendors, set by scanning a programming
// code from the vendor's manual) and to UTF-8 output. DetectHID finds known scanner brands that are
// still plugged in as keyboard-only devices, so self-test can tell the technician what to fix.
//
// Payloads are personal data. The package never puts a payload in an error or a log line.
package codereader
