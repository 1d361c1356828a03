// Package pn532 drives an NXP PN532 NFC reader, the kiosk's low-cost reader for chip ID
// cards (CCCD, ISO/IEC 14443-4), over its high-speed UART (HSU) or I²C.
//
// # Opening
//
// Open takes a device string: "pn532:/dev/ttyUSB0[?baud=115200]" for HSU (the serial options
// of serial.ParseDevice; 115200 baud when not given) or "pn532-i2c:BUS[:ADDR]" for I²C (BUS is a
// periph i2creg name such as "1" or "/dev/i2c-1", ADDR defaults to 0x24). OpenHSU, NewHSU and
// OpenI2C do the same from a path, an open line or an i2c.Bus. Opening wakes the chip up
// (HSU: 55h 55h and zeros, then SAMConfiguration normal mode), reads its firmware version and
// bounds the passive activation retries so that polling for a card never blocks the reader.
//
// # Line speed
//
// "pn532:/dev/ttyUSB0?baud=115200&max=921600" opens at 115200 baud and, after first contact,
// raises the line with SetSerialBaudRate (10h) to the fastest speed up to max that works: the
// PN532 acknowledges and answers at the old speed, the host acknowledges the answer, both
// switch (the driver with tcsetattr), and Diagnose's line test proves the new speed. A PN532
// that refuses, or a line test that fails, sends the host back to the old speed (checked by a
// line test there) and the next slower speed is tried; a selected card is not lost. Close sets
// the PN532 back to the opening speed; a PN532 left faster by a crashed run is found by
// probing the speeds up to max. Without max the line stays where it was opened. See SetBaud.
//
// # Cards
//
// WaitForCard polls for a type A and then a type B card until one is present or the context
// ends, and raises the RF bit rates with InPSL to the fastest the card announces (TA(1) of the
// ATS, or the ATQB's bit rate capability), up to 848 kbps or the device string's rf= (106,
// 212, 424, 848). When the card refuses, it tries 424 kbps and otherwise stays at 106 kbps. The Card it returns implements apdu.Transceiver: Transmit sends one command APDU
// with InDataExchange and returns the response APDU. Commands longer than 262 bytes are sent
// in chunks with the MI bit; responses the PN532 marks with MI are collected. MaxResponse
// (252) is the largest response that fits one normal frame: choose Le so that responses,
// secure messaging included, stay within it (Le DFh for AES and 3DES).
//
// # Errors
//
// Every error callers act on wraps a drivers/apdu sentinel:
//
//   - the card left the field (PN532 status 29h, 2Ah, 2Bh, or 01h with the card no longer
//     present): ErrCardRemoved, which wraps apdu.ErrCardRemoved;
//   - the PN532 did not acknowledge or answer in time: ErrNoAnswer (apdu.ErrTimeout), also
//     wrapping context.DeadlineExceeded when the context's deadline was the limit;
//   - the line closed (adapter unplugged, pty closed): ErrGone (apdu.ErrReaderGone), after
//     which every call fails the same way;
//   - a card that did not answer (status 01h, still present): a *StatusError matching
//     apdu.ErrTimeout; other status bytes: a *StatusError;
//   - frames that stay broken after NACKs: ErrGarbled; the application error frame: ErrRejected.
//
// # Line protocol
//
// Frames are the PN532's normal (00 00 FF LEN LCS TFI … DCS 00) and extended
// (00 00 FF FF FF LENM LENL LCS …) information frames, ACK, NACK and the error frame; see
// AppendFrame, DecodeFrame and Decoder. Before a command the input is flushed. A command that
// gets no ACK within Options.ACKTimeout (plus line time) is aborted with an ACK and sent
// again; a response with a bad checksum is asked for again with a NACK; a response that does
// not come before the command's timeout or the context's deadline is aborted with an ACK.
// Stats counts frames and bytes on the line; Stats.LineTime turns them into UART time.
package pn532
