// Package pcsc talks to contactless card readers (ACS ACR122U, ACR1252U and any other CCID reader)
// through pcscd, the PC/SC daemon of pcsc-lite, without cgo: it speaks pcscd's unix-socket protocol
// (version 4.4, pcsc-lite 1.9 as in Debian 12) itself.
//
// A Context is one connection to pcscd. WaitForCard waits for a card on a reader and connects to it;
// the Card it returns is an apdu.Transceiver, so the eMRTD code reads the CCCD chip through it as
// through any other reader. The reader firmware handles ISO 14443-4, so plain ISO 7816 APDUs go to
// the card (short and extended length).
//
// Errors wrap the apdu sentinels: a card taken off the reader during a session gives
// apdu.ErrCardRemoved (WaitForCard again and restart the session), no card apdu.ErrNoCard, pcscd
// not running (ErrNoService) or no reader plugged in (ErrNoReader) apdu.ErrReaderGone, a context
// deadline apdu.ErrTimeout. Every wait honours its context: a WaitForCard waits on a connection of
// its own, which is simply closed to stop waiting.
//
// Device strings: "pcsc" (any reader), "pcsc:ACS ACR122U" (a reader whose name starts so, ignoring
// case), optionally "?socket=/path/pcscd.comm" (default $PCSCLITE_CSOCK_NAME or
// /run/pcscd/pcscd.comm).
//
// Runtime needs: the Debian package pcscd (with libccid for USB readers). The process needs
// permission to use pcscd's socket (pcscd 1.9.9 on Debian is built without polkit, so any local
// user may). Tests run a private pcscd with the vsmartcard-vpcd driver; see packages pcsctest and
// vicc.
package pcsc
