package mrtdsim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/mrtd/internal/ec"
	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
	"github.com/tramso/tramso/drivers/tlv"
)

// Config is what a simulated chip is built from.
type Config struct {
	// Files maps file identifiers to raw file bytes: 0x011C EF.CardAccess, 0x011E EF.COM,
	// 0x0101 DG1, 0x0102 DG2, 0x010D DG13, 0x010E DG14, 0x010F DG15, 0x011D EF.SOD. Without an
	// EF.CardAccess the chip offers BAC only.
	Files map[uint16][]byte
	// CAN is the card access number (PACE-CAN); empty disables PACE-CAN.
	CAN string
	// MRZ is the MRZ key (BAC and PACE-MRZ); a zero value disables both.
	MRZ mrtd.MRZKey
	// AAKey, if set, answers INTERNAL AUTHENTICATE (see the package documentation for the format).
	AAKey crypto.Signer
	// AASign, if set, replaces the built-in Active Authentication signature format.
	AASign func(challenge []byte) ([]byte, error)
	// CAKey, if set, is the Chip Authentication private key whose public half DG14 holds
	// (*ecdsa.PrivateKey or *lds.ECPrivateKey on a standardized curve, or *DHKey): the chip then
	// answers MSE:Set AT (41 A4) and GENERAL AUTHENTICATE of Chip Authentication (id-CA-ECDH or
	// id-CA-DH with 3DES or AES) and restarts secure messaging with the new keys.
	CAKey crypto.PrivateKey
	// Rand is the chip's random source (default crypto/rand.Reader).
	Rand io.Reader

	// ExtendedLength lets READ BINARY answer Le above 256; otherwise such a Le gets 6700.
	ExtendedLength bool
	// LimitLe, if > 0, makes READ BINARY with a larger Le answer 6700 (wrong length).
	LimitLe int
	// ShortRead, if > 0, makes READ BINARY with a larger Le return only ShortRead bytes with
	// 6282, as chips that dislike large Le do.
	ShortRead int

	// WrongKey makes authentication fail as with a wrong CAN or MRZ (6300).
	WrongKey bool
	// BreakPACE makes PACE fail (the chip's token is wrong) while BAC still works.
	BreakPACE bool
	// Hide lists files the chip answers 6A82 for although it has them, like a copy that hides the
	// DG15 whose Active Authentication key it lacks while keeping the genuine EF.SOD.
	Hide []uint16
	// PlainErrors makes the chip answer error statuses without secure messaging (a bare 6A82),
	// as some chips do for missing files.
	PlainErrors bool
	// CAWrongKey makes the chip run Chip Authentication with another private key than DG14's,
	// like a copy of DG14 without the key.
	CAWrongKey bool
	// RemoveAfterAPDUs, if > 0, makes the Nth APDU (counting from 1) and every later one fail
	// with an error wrapping apdu.ErrCardRemoved, until Reset.
	RemoveAfterAPDUs int
	// Delay is waited before each answer (the context can cut it short).
	Delay time.Duration
	// Garbage makes the chip answer random bytes.
	Garbage bool
}

// Stats is what the chip has seen, for tests.
type Stats struct {
	APDUs       int      // commands received
	MaxResponse int      // longest response APDU sent, in bytes
	MaxReadLe   int      // largest Le of a READ BINARY (inside secure messaging: the Le of DO'97')
	Selected    []uint16 // file identifiers of every SELECT by file identifier, in order
	ChipAuth    int      // Chip Authentications completed (secure messaging restarted with new keys)
}

// Chip is a simulated CCCD chip (ICAO 9303 eMRTD). It implements apdu.Transceiver and is safe
// for concurrent use (commands are handled one at a time).
type Chip struct {
	cfg Config

	mu      sync.Mutex
	stats   Stats
	app     bool   // eMRTD application selected
	current uint16 // selected EF, 0 when none
	sm      *cardSM
	auth    bool // BAC or PACE done: the data groups are readable
	bac     []byte
	pace    *paceState
	ca      *smcrypto.Suite // Chip Authentication set up by MSE:Set AT, waiting for GENERAL AUTHENTICATE
	nextSM  *cardSM         // the keys Chip Authentication agreed, used from the next command
}

// New builds a chip. The files map is used as given (not copied).
func New(cfg Config) *Chip {
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Chip{cfg: cfg}
}

// Reset puts the chip back as freshly presented to the reader: no application, no session and the
// APDU count (for RemoveAfterAPDUs) back at zero.
func (c *Chip) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats = Stats{}
	c.dropSession()
	c.app = false
	c.current = 0
}

// Stats returns what the chip has seen since New or Reset.
func (c *Chip) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stats
	st.Selected = slices.Clone(st.Selected)
	return st
}

func (c *Chip) dropSession() {
	c.sm, c.auth, c.bac, c.pace, c.ca, c.nextSM = nil, false, nil, nil, nil, nil
}

// Transmit handles one command APDU and returns the response APDU.
func (c *Chip) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.APDUs++
	if n := c.cfg.RemoveAfterAPDUs; n > 0 && c.stats.APDUs >= n {
		c.dropSession()
		c.app = false
		return nil, fmt.Errorf("mrtdsim: %w", apdu.ErrCardRemoved)
	}
	if c.cfg.Delay > 0 {
		t := time.NewTimer(c.cfg.Delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	if c.cfg.Garbage {
		var n [1]byte
		_, _ = io.ReadFull(c.cfg.Rand, n[:])
		b := make([]byte, 1+int(n[0])%40)
		_, _ = io.ReadFull(c.cfg.Rand, b)
		return b, nil
	}
	resp := c.handle(cmd)
	c.stats.MaxResponse = max(c.stats.MaxResponse, len(resp))
	return resp, nil
}

func sw(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

func (c *Chip) handle(raw []byte) []byte {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return sw(0x6700)
	}
	if c.sm == nil {
		if cmd.CLA&0x0C == 0x0C {
			return sw(0x6988)
		}
		return c.execute(cmd).Bytes()
	}
	if cmd.CLA&0x0C != 0x0C {
		c.dropSession()
		return sw(0x6987)
	}
	inner, status := c.sm.unwrapCommand(cmd)
	if status != 0 {
		c.dropSession()
		return sw(status)
	}
	resp := c.execute(inner)
	if c.sm == nil { // the command ended the session
		return resp.Bytes()
	}
	if c.cfg.PlainErrors && len(resp.Data) == 0 && resp.SW != 0x9000 && resp.SW&0xFF00 != 0x6200 && resp.SW&0xFF00 != 0x6100 {
		return resp.Bytes()
	}
	out, err := c.sm.wrapResponse(resp, inner.INS&1 == 1)
	if err != nil {
		c.dropSession()
		return sw(0x6F00)
	}
	if c.nextSM != nil { // Chip Authentication: the answer went under the old keys
		c.sm, c.nextSM = c.nextSM, nil
		c.stats.ChipAuth++
	}
	return out
}

func (c *Chip) execute(cmd apdu.Command) apdu.Response {
	if cmd.INS == 0xB0 || cmd.INS == 0xB1 {
		c.stats.MaxReadLe = max(c.stats.MaxReadLe, cmd.Ne)
	}
	switch cmd.INS {
	case 0xA4:
		return apdu.Response{SW: c.selectFile(cmd)}
	case 0xB0, 0xB1:
		return c.readBinary(cmd)
	case 0x84:
		return c.getChallenge(cmd)
	case 0x82:
		return c.externalAuthenticate(cmd)
	case 0x22:
		return c.mseSetAT(cmd)
	case 0x86:
		return c.generalAuthenticate(cmd)
	case 0x88:
		return c.internalAuthenticate(cmd)
	}
	return apdu.Response{SW: 0x6D00}
}

var aid = []byte{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

func (c *Chip) selectFile(cmd apdu.Command) uint16 {
	switch cmd.P1 {
	case 0x00: // SELECT MF: the CCCD does not support it
		return 0x6D00
	case 0x04:
		if !bytes.Equal(cmd.Data, aid) {
			return 0x6A82
		}
		c.app, c.current = true, 0
		return 0x9000
	case 0x02:
	default:
		return 0x6A86
	}
	if len(cmd.Data) != 2 {
		return 0x6700
	}
	fid := uint16(cmd.Data[0])<<8 | uint16(cmd.Data[1])
	c.stats.Selected = append(c.stats.Selected, fid)
	if st := c.access(fid); st != 0x9000 {
		return st
	}
	c.current = fid
	return 0x9000
}

// access says whether a file may be selected and read now.
func (c *Chip) access(fid uint16) uint16 {
	if slices.Contains(c.cfg.Hide, fid) {
		return 0x6A82
	}
	if fid == 0x011C {
		if _, ok := c.cfg.Files[fid]; ok {
			return 0x9000
		}
		return 0x6A82
	}
	if !c.app {
		return 0x6A82
	}
	if fid == 0x0103 { // DG3 needs EAC
		return 0x6982
	}
	if _, ok := c.cfg.Files[fid]; !ok {
		return 0x6A82
	}
	if !c.auth {
		return 0x6982
	}
	return 0x9000
}

func (c *Chip) readBinary(cmd apdu.Command) apdu.Response {
	fid := c.current
	var offset int
	if cmd.INS == 0xB1 {
		tag, v, _, err := tlv.Next(cmd.Data)
		if err != nil || tag != 0x54 || len(v) == 0 || len(v) > 3 {
			return apdu.Response{SW: 0x6A80}
		}
		for _, b := range v {
			offset = offset<<8 | int(b)
		}
	} else if cmd.P1&0x80 != 0 { // short EF identifier
		fid = 0x0100 | uint16(cmd.P1&0x1F)
		offset = int(cmd.P2)
		if st := c.access(fid); st != 0x9000 {
			return apdu.Response{SW: st}
		}
		c.current = fid
	} else {
		offset = int(cmd.P1)<<8 | int(cmd.P2)
	}
	if fid == 0 {
		return apdu.Response{SW: 0x6986}
	}
	if st := c.access(fid); st != 0x9000 {
		return apdu.Response{SW: st}
	}
	if cmd.Ne == 0 || (cmd.Ne > 256 && !c.cfg.ExtendedLength) || (c.cfg.LimitLe > 0 && cmd.Ne > c.cfg.LimitLe) {
		return apdu.Response{SW: 0x6700}
	}
	file := c.cfg.Files[fid]
	if offset > len(file) {
		return apdu.Response{SW: 0x6B00}
	}
	capacity := cmd.Ne
	if cmd.INS == 0xB1 {
		for capacity > 0 && capacity+1+len(tlv.EncodeLength(capacity)) > cmd.Ne {
			capacity-- // room for the DO'53' header
		}
		if capacity <= 0 {
			return apdu.Response{SW: 0x6700}
		}
	}
	n := min(capacity, len(file)-offset)
	status := uint16(0x9000)
	if n < capacity {
		status = 0x6282
	}
	if c.cfg.ShortRead > 0 && n > c.cfg.ShortRead {
		n, status = c.cfg.ShortRead, 0x6282
	}
	data := file[offset : offset+n]
	if cmd.INS == 0xB1 {
		data = tlv.Encode(0x53, data)
	}
	return apdu.Response{Data: append([]byte(nil), data...), SW: status}
}

// mrzInfo returns MRZ_information, or false when the chip has no MRZ key.
func (c *Chip) mrzInfo() (string, bool) {
	if c.cfg.MRZ == (mrtd.MRZKey{}) {
		return "", false
	}
	info, err := c.cfg.MRZ.Information()
	if err != nil {
		return "", false
	}
	return info, true
}

func (c *Chip) random(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(c.cfg.Rand, b); err != nil {
		panic("mrtdsim: random source failed: " + err.Error())
	}
	return b
}

func (c *Chip) randomScalar(curve *ec.Curve) *big.Int {
	k, err := curve.RandomScalar(c.cfg.Rand)
	if err != nil {
		panic("mrtdsim: random source failed: " + err.Error())
	}
	return k
}

// cardSM is the chip side of secure messaging.
type cardSM struct {
	keys *smcrypto.Keys
	ssc  []byte
}

func newCardSM(s smcrypto.Suite, enc, mac, ssc []byte) (*cardSM, error) {
	k, err := smcrypto.NewKeys(s, enc, mac)
	if err != nil {
		return nil, err
	}
	return &cardSM{keys: k, ssc: append([]byte(nil), ssc...)}, nil
}

// unwrapCommand checks a protected command and returns the plain one, or the status to answer
// (6987 data objects missing, 6988 data objects incorrect) unprotected.
func (m *cardSM) unwrapCommand(cmd apdu.Command) (apdu.Command, uint16) {
	smcrypto.Increment(m.ssc)
	var enc, le, mac []byte
	odd := false
	macd, pos := 0, 0
	rest := cmd.Data
	for len(rest) > 0 {
		tag, v, next, err := tlv.Next(rest)
		if err != nil || mac != nil {
			return apdu.Command{}, 0x6988
		}
		switch tag {
		case 0x87, 0x85:
			enc, odd = v, tag == 0x85
		case 0x97:
			le = v
		case 0x8E:
			mac, macd = v, pos
		default:
			return apdu.Command{}, 0x6988
		}
		pos += len(rest) - len(next)
		rest = next
	}
	if mac == nil {
		return apdu.Command{}, 0x6987
	}
	bs := m.keys.Suite.BlockSize()
	in := append(smcrypto.Pad([]byte{cmd.CLA, cmd.INS, cmd.P1, cmd.P2}, bs), cmd.Data[:macd]...)
	want, err := m.keys.SSCMAC(m.ssc, in)
	if err != nil || !bytes.Equal(want, mac) {
		return apdu.Command{}, 0x6988
	}
	out := apdu.Command{CLA: cmd.CLA &^ 0x0C, INS: cmd.INS, P1: cmd.P1, P2: cmd.P2}
	switch len(le) {
	case 0:
	case 1:
		out.Ne = int(le[0])
		if out.Ne == 0 {
			out.Ne = 256
		}
	case 2:
		out.Ne = int(le[0])<<8 | int(le[1])
		if out.Ne == 0 {
			out.Ne = 65536
		}
	default:
		return apdu.Command{}, 0x6988
	}
	if enc != nil {
		if !odd {
			if len(enc) < 1 || enc[0] != 0x01 {
				return apdu.Command{}, 0x6988
			}
			enc = enc[1:]
		}
		plain, err := m.keys.Decrypt(m.ssc, enc)
		if err != nil {
			return apdu.Command{}, 0x6988
		}
		if out.Data, err = smcrypto.Unpad(plain); err != nil {
			return apdu.Command{}, 0x6988
		}
	}
	return out, 0
}

func (m *cardSM) wrapResponse(r apdu.Response, odd bool) ([]byte, error) {
	smcrypto.Increment(m.ssc)
	var dos []byte
	if len(r.Data) > 0 {
		enc, err := m.keys.Encrypt(m.ssc, smcrypto.Pad(r.Data, m.keys.Suite.BlockSize()))
		if err != nil {
			return nil, err
		}
		if odd {
			dos = tlv.Encode(0x85, enc)
		} else {
			dos = tlv.Encode(0x87, append([]byte{0x01}, enc...))
		}
	}
	dos = append(dos, 0x99, 0x02, byte(r.SW>>8), byte(r.SW))
	mac, err := m.keys.SSCMAC(m.ssc, dos)
	if err != nil {
		return nil, err
	}
	dos = append(dos, tlv.Encode(0x8E, mac)...)
	return append(dos, sw(r.SW)...), nil
}
