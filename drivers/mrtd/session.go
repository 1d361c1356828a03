package mrtd

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"io"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/tlv"
)

// AID is the eMRTD application identifier A0000002471001 (ICAO 9303-10 §3.6).
const AID = "\xA0\x00\x00\x02\x47\x10\x01"

// FileID is an elementary file identifier.
type FileID uint16

// The files of an ICAO 9303 chip this package reads (ICAO 9303-10 §3.6, §4.6).
const (
	EFCardAccess FileID = 0x011C // PACE parameters, in the master file, readable without access control
	EFCOM        FileID = 0x011E // LDS version and list of data groups
	EFSOD        FileID = 0x011D // document security object (passive authentication)
	DG1          FileID = 0x0101 // MRZ
	DG2          FileID = 0x0102 // face
	DG3          FileID = 0x0103 // fingerprints (needs EAC; never read)
	DG13         FileID = 0x010D // optional details (Vietnam: civil data)
	DG14         FileID = 0x010E // security infos for Chip Authentication
	DG15         FileID = 0x010F // Active Authentication public key
)

// String names the file, e.g. "DG13", "EF.COM".
func (f FileID) String() string {
	switch f {
	case EFCardAccess:
		return "EF.CardAccess"
	case EFCOM:
		return "EF.COM"
	case EFSOD:
		return "EF.SOD"
	}
	if f>>8 == 0x01 && f&0xFF >= 1 && f&0xFF <= 16 {
		return fmt.Sprintf("DG%d", f&0xFF)
	}
	return fmt.Sprintf("EF %04X", uint16(f))
}

// Access chooses the access control protocol.
type Access int

// Access control choices.
const (
	AccessAuto Access = iota // PACE when EF.CardAccess offers a supported PACEInfo, BAC otherwise or if PACE fails
	AccessPACE               // PACE only
	AccessBAC                // BAC only
)

// DefaultMaxLe is the default largest READ BINARY Le: with secure messaging the answer is then
// 244 bytes for 3DES and AES, under the 255-byte limit of a PN532 normal frame.
const DefaultMaxLe = 0xDF

// Options tune a Session and Read. The zero value is the kiosk default.
type Options struct {
	// Access chooses PACE, BAC or automatic (default).
	Access Access
	// MaxLe is the largest READ BINARY Le (default DefaultMaxLe). Values above 256 need
	// ExtendedLength; without it the Le is also kept small enough for the protected answer
	// to fit a short response.
	MaxLe int
	// ExtendedLength allows extended-length READ BINARY (only when reader and chip support it).
	ExtendedLength bool
	// SkipFace leaves DG2 out of Read.
	SkipFace bool
	// SkipChipAuthentication leaves out Chip Authentication, which Read otherwise runs whenever
	// DG14 offers it.
	SkipChipAuthentication bool
	// ActiveAuthentication makes Read run INTERNAL AUTHENTICATE with a fresh random challenge
	// when DG15 is present.
	ActiveAuthentication bool
	// ProbeHeader reads each file's 4-byte TLV header first and then the rest, the sequence of the
	// ICAO 9303-11 Appendix D example. By default the first READ BINARY already asks for MaxLe
	// bytes, which saves one command per file.
	ProbeHeader bool
	// OnFile, if set, is called by Read with each file as soon as it is completely read, so
	// the civil data is at hand even if a later file (the face) fails.
	OnFile func(id FileID, data []byte)
	// OnIdentity, if set, is called by Read once the IdentityFiles are read (with the Files so
	// far, Stats included) and before the rest, so that the citizen can be shown who they are
	// while the face is read. It must not keep f: Read goes on filling it.
	OnIdentity func(f *Files)
	// Rand is the random source (default crypto/rand.Reader).
	Rand io.Reader
}

// Stats counts the exchange with the chip, for benchmarks and diagnostics.
type Stats struct {
	APDUs         int // command APDUs sent
	BytesSent     int // command bytes sent
	BytesReceived int // response bytes received
}

// Session is an authenticated connection to an eMRTD chip: after Open every command goes
// through secure messaging. A Session is not safe for concurrent use.
type Session struct {
	tr         apdu.Transceiver
	opts       Options
	rand       io.Reader
	sm         *secureMessaging
	access     string
	maxLe      int
	stats      Stats
	cardAccess []byte
	listed     map[FileID]bool // files EF.SOD lists: no unprotected error status for them
	chipAuth   string          // the Chip Authentication the keys come from, if any
	paceTried  bool            // EF.CardAccess offered a PACE this package runs, and it was run
}

func newSession(tr apdu.Transceiver, opts Options) *Session {
	s := &Session{tr: tr, opts: opts, rand: opts.Rand, maxLe: opts.MaxLe}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.maxLe <= 0 {
		s.maxLe = DefaultMaxLe
	}
	if s.maxLe > 65536 {
		s.maxLe = 65536
	}
	if !opts.ExtendedLength && s.maxLe > 256 {
		s.maxLe = 256
	}
	return s
}

// Open reads EF.CardAccess, authenticates (PACE with the CAN, or with the MRZ when there is no
// CAN; BAC with the MRZ when the card offers no PACE this package runs, or when asked) and selects
// the eMRTD application. When EF.CardAccess offers PACE and PACE fails, Open fails: falling back
// to BAC would let anyone between the reader and the card downgrade the access control.
func Open(ctx context.Context, tr apdu.Transceiver, key AccessKey, opts Options) (*Session, error) {
	if key.CAN == "" && key.MRZ == nil {
		return nil, fmt.Errorf("%w: a CAN or MRZ data is needed", ErrInvalidKey)
	}
	if key.CAN != "" {
		if err := checkCAN(key.CAN); err != nil {
			return nil, err
		}
	}
	if key.MRZ != nil {
		if _, err := key.MRZ.Information(); err != nil {
			return nil, err
		}
	}
	s := newSession(tr, opts)
	var paceErr error
	if opts.Access != AccessBAC {
		paceErr = s.tryPACE(ctx, key)
		if paceErr == nil {
			if err := s.selectApplication(ctx); err != nil {
				return nil, err
			}
			return s, nil
		}
		if opts.Access == AccessPACE || key.MRZ == nil || isTransport(paceErr) || s.paceTried {
			return nil, paceErr
		}
	}
	if key.MRZ == nil {
		return nil, fmt.Errorf("%w: BAC needs the MRZ data", ErrInvalidKey)
	}
	s.sm = nil
	if err := s.selectApplication(ctx); err != nil {
		return nil, err
	}
	if err := s.bac(ctx, *key.MRZ); err != nil {
		if paceErr != nil && !errors.Is(paceErr, ErrNotSupported) {
			return nil, errtext.Wrap(err, fmt.Errorf("PACE before it: %w", paceErr))
		}
		return nil, err
	}
	return s, nil
}

// tryPACE reads EF.CardAccess and runs PACE when it offers a protocol this package supports.
func (s *Session) tryPACE(ctx context.Context, key AccessKey) error {
	ca, err := s.ReadFile(ctx, EFCardAccess)
	if err != nil {
		if isTransport(err) {
			return err
		}
		return errtext.Wrap(ErrNotSupported, fmt.Errorf("EF.CardAccess unreadable: %w", err))
	}
	s.cardAccess = ca
	infos, err := ParseSecurityInfos(ca)
	if err != nil {
		return errtext.Wrap(ErrNotSupported, err)
	}
	info, ok := ChoosePACE(infos)
	if !ok {
		for _, si := range infos {
			if si.refused {
				// Explicit domain parameters that are not a standard curve: refused, and no BAC
				// either (the card does offer PACE).
				s.paceTried = true
				return fmt.Errorf("%w: PACE explicit domain parameters are not a standard curve", ErrNotSupported)
			}
		}
		for _, si := range infos {
			if si.IsPACE() {
				return fmt.Errorf("%w: %s, domain parameters %d", ErrNotSupported, si.PACEName(), si.ParameterID)
			}
		}
		return fmt.Errorf("%w: no PACE in EF.CardAccess", ErrNotSupported)
	}
	ref := PasswordCAN
	if key.CAN == "" {
		ref = PasswordMRZ
	}
	s.paceTried = true
	return s.pace(ctx, info, key, ref)
}

func isTransport(err error) bool {
	return errors.Is(err, apdu.ErrCardRemoved) || errors.Is(err, apdu.ErrTimeout) ||
		errors.Is(err, apdu.ErrReaderGone) || errors.Is(err, apdu.ErrNoCard) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Access names the protocol the session was opened with: "PACE-CAN", "PACE-MRZ" or "BAC".
func (s *Session) Access() string { return s.access }

// Stats returns the APDU and byte counts so far.
func (s *Session) Stats() Stats { return s.stats }

// CardAccess returns the raw EF.CardAccess read during Open (nil when BAC was used directly or
// the file is absent).
func (s *Session) CardAccess() []byte { return s.cardAccess }

func (s *Session) selectApplication(ctx context.Context) error {
	r, err := s.Transmit(ctx, apdu.Command{INS: 0xA4, P1: 0x04, P2: 0x0C, Data: []byte(AID)}, "SELECT eMRTD")
	if err != nil {
		return err
	}
	if r.SW != 0x9000 {
		if r.SW == 0x6A82 {
			return errtext.Wrap(ErrNotSupported, fmt.Errorf("no eMRTD application: %w", &apdu.StatusError{SW: r.SW, Op: "SELECT eMRTD"}))
		}
		return statusError(r.SW, "SELECT eMRTD")
	}
	return nil
}

// transmitPlain sends a command without secure messaging (before authentication).
func (s *Session) transmitPlain(ctx context.Context, c apdu.Command, op string) (apdu.Response, error) {
	b, err := c.Bytes()
	if err != nil {
		return apdu.Response{}, err
	}
	raw, err := s.exchange(ctx, b)
	if err != nil {
		return apdu.Response{}, err
	}
	r, err := apdu.ParseResponse(raw)
	if err != nil {
		return apdu.Response{}, errtext.Wrap(ErrBadResponse, fmt.Errorf("%s: %w", op, err))
	}
	return r, nil
}

func (s *Session) exchange(ctx context.Context, cmd []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, transportError(err)
	}
	s.stats.APDUs++
	s.stats.BytesSent += len(cmd)
	raw, err := s.tr.Transmit(ctx, cmd)
	s.stats.BytesReceived += len(raw)
	if err != nil {
		return nil, transportError(err)
	}
	return raw, nil
}

// Transmit sends one command, protected by secure messaging when the session has it, and returns
// the (unprotected) response. op names the operation in errors, e.g. "READ BINARY DG1".
// Inside secure messaging every answer must be protected, error statuses included.
// A secure messaging failure ends the session: every later call fails with ErrSecureMessaging.
func (s *Session) Transmit(ctx context.Context, c apdu.Command, op string) (apdu.Response, error) {
	return s.transmit(ctx, c, op, false)
}

// ListedFiles tells the session which files EF.SOD lists. For them an error status without secure
// messaging (6A82 "file not found" that no MAC vouches for) is refused as a broken session; for
// other files it is taken as the chip's answer.
func (s *Session) ListedFiles(ids ...FileID) {
	s.listed = map[FileID]bool{}
	for _, id := range ids {
		s.listed[id] = true
	}
}

func (s *Session) transmit(ctx context.Context, c apdu.Command, op string, plainErrors bool) (apdu.Response, error) {
	if s.sm == nil {
		return s.transmitPlain(ctx, c, op)
	}
	w, err := s.sm.wrap(c, s.opts.ExtendedLength && c.Ne > s.shortLimit())
	if err != nil {
		return apdu.Response{}, err
	}
	b, err := w.Bytes()
	if err != nil {
		return apdu.Response{}, err
	}
	raw, err := s.exchange(ctx, b)
	if err != nil {
		s.sm.dead = true // the SSC can no longer be trusted
		return apdu.Response{}, err
	}
	r, err := s.sm.unwrap(raw, plainErrors)
	if err != nil {
		return apdu.Response{}, fmt.Errorf("%s: %w", op, err)
	}
	return r, nil
}

// shortLimit is the largest plain Le whose protected answer still fits a short response.
func (s *Session) shortLimit() int {
	if s.sm == nil {
		return 256
	}
	bs := s.sm.keys.Suite.BlockSize()
	n := 256
	for n > 1 && smResponseSize(n, bs)-2 > 256 {
		n--
	}
	return n
}

// chunk is the Le to use for the next READ BINARY.
func (s *Session) chunk() int {
	n := s.maxLe
	if !s.opts.ExtendedLength {
		n = min(n, s.shortLimit())
	}
	return n
}

// SelectFile selects an elementary file by its file identifier (00 A4 02 0C 02 xx xx).
func (s *Session) SelectFile(ctx context.Context, id FileID) error {
	op := "SELECT " + id.String()
	r, err := s.transmit(ctx, apdu.Command{INS: 0xA4, P1: 0x02, P2: 0x0C, Data: []byte{byte(id >> 8), byte(id)}}, op, !s.listed[id])
	if err != nil {
		return err
	}
	if r.SW != 0x9000 {
		return statusError(r.SW, op)
	}
	return nil
}

// maxFileSize bounds what a file header may announce.
const maxFileSize = 1 << 20

// ReadFile selects a file and reads it whole: the first 4 bytes give the length from the TLV
// header, then chunks of the largest Le the transport allows. It returns ErrFileNotFound (6A82)
// or ErrAccessDenied (6982) when the chip says so.
func (s *Session) ReadFile(ctx context.Context, id FileID) ([]byte, error) {
	if err := s.SelectFile(ctx, id); err != nil {
		return nil, err
	}
	op := "READ BINARY " + id.String()
	// The first read asks for a whole chunk, not just the TLV header: every file then costs the
	// minimum number of READ BINARY commands. A chip that dislikes an Le past the end of a short
	// file answers 6282 with what it has, or 6700/6Cxx, which readBinary handles.
	first := s.maxLe
	if s.opts.ProbeHeader {
		first = 4
	}
	plain := !s.listed[id]
	data, err := s.readBinary(ctx, 0, first, op, plain)
	if err != nil {
		return nil, err
	}
	total, err := fileLength(data)
	for err != nil && len(data) < 8 {
		if len(data) < 4 { // the chip had fewer than 4 bytes: a tiny file
			break
		}
		more, rerr := s.readBinary(ctx, len(data), 2, op, plain)
		if rerr != nil {
			return nil, rerr
		}
		data = append(data, more...)
		total, err = fileLength(data)
	}
	if err != nil {
		return nil, errtext.Wrap(ErrBadResponse, fmt.Errorf("%s: %w", id, err))
	}
	if total > maxFileSize {
		return nil, fmt.Errorf("%w: %s announces %d bytes", ErrBadResponse, id, total)
	}
	if len(data) > total {
		data = data[:total]
	}
	out := make([]byte, 0, total)
	out = append(out, data...)
	for len(out) < total {
		b, err := s.readBinary(ctx, len(out), total-len(out), op, plain)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out[:total], nil
}

// fileLength returns the size of the TLV the file starts with, header included.
func fileLength(head []byte) (int, error) {
	i := 1
	if len(head) == 0 {
		return 0, tlv.ErrTruncated
	}
	if head[0]&0x1F == 0x1F {
		for i < len(head) && head[i]&0x80 != 0 {
			i++
		}
		i++
	}
	if i >= len(head) {
		return 0, tlv.ErrTruncated
	}
	l := int(head[i])
	i++
	if l == 0x80 || l > 0x84 {
		return 0, tlv.ErrMalformed
	}
	if l > 0x80 {
		nb := l & 0x7F
		if i+nb > len(head) {
			return 0, tlv.ErrTruncated
		}
		l = 0
		for _, c := range head[i : i+nb] {
			l = l<<8 | int(c)
		}
		i += nb
		if l < 0 {
			return 0, tlv.ErrMalformed
		}
	}
	return i + l, nil
}

// leSteps are the smaller Le values tried after 6700 / 6282 without data.
var leSteps = []int{0xDF, 0xC0, 0xA0, 0x80, 0x60, 0x40, 0x20, 0x10, 0x08, 0x01}

func smaller(n int) int {
	for _, v := range leSteps {
		if v < n {
			return v
		}
	}
	return 0
}

// readBinary reads up to want bytes at offset (at most one chunk) and returns at least one byte.
// It lowers Le on 6700 and 6Cxx, and on 6282 without data; 6282 with data is taken as is.
func (s *Session) readBinary(ctx context.Context, offset, want int, op string, plainErrors bool) ([]byte, error) {
	n := min(want, s.chunk())
	for range 12 {
		if n <= 0 {
			break
		}
		var c apdu.Command
		odd := offset > 0x7FFF
		if odd {
			// READ BINARY with odd INS: offset in DO'54', data comes back in DO'53'.
			off := big32(offset)
			over := 1 + len(tlv.EncodeLength(n))
			if n+over > s.chunk() {
				n = max(1, s.chunk()-over)
				over = 1 + len(tlv.EncodeLength(n))
			}
			c = apdu.Command{INS: 0xB1, Data: tlv.Encode(0x54, off), Ne: n + over}
		} else {
			c = apdu.Command{INS: 0xB0, P1: byte(offset >> 8), P2: byte(offset), Ne: n}
		}
		r, err := s.transmit(ctx, c, op, plainErrors)
		if err != nil {
			return nil, err
		}
		data := r.Data
		if odd && len(data) > 0 {
			tag, v, _, err := tlv.Next(data)
			if err != nil || tag != 0x53 {
				return nil, fmt.Errorf("%w: %s: READ BINARY answer without DO'53'", ErrBadResponse, op)
			}
			data = v
		}
		switch {
		case r.SW == 0x9000 || r.SW == 0x6282:
			if len(data) > 0 {
				if len(data) > n {
					data = data[:n]
				}
				return data, nil
			}
			if r.SW == 0x9000 {
				return nil, fmt.Errorf("%w: %s: no data", ErrBadResponse, op)
			}
			n = smaller(n)
		case r.SW == 0x6700:
			n = smaller(n)
			s.maxLe = max(1, min(s.maxLe, n))
		case r.SW&0xFF00 == 0x6C00:
			avail := int(r.SW & 0xFF)
			if avail == 0 {
				avail = 256
			}
			if avail < n {
				n = avail
			} else {
				n = smaller(n)
			}
		default:
			return nil, statusError(r.SW, op)
		}
	}
	return nil, fmt.Errorf("%w: %s: no Le accepted", ErrBadResponse, op)
}

func big32(v int) []byte {
	switch {
	case v > 0xFFFFFF:
		return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	case v > 0xFFFF:
		return []byte{byte(v >> 16), byte(v >> 8), byte(v)}
	}
	return []byte{byte(v >> 8), byte(v)}
}

// InternalAuthenticate runs Active Authentication's INTERNAL AUTHENTICATE (00 88 00 00) with the
// caller's challenge (ICAO uses 8 fresh random bytes) and returns the chip's signature bytes as
// they come; verifying them against DG15 is the job of package lds.
func (s *Session) InternalAuthenticate(ctx context.Context, challenge []byte) ([]byte, error) {
	if len(challenge) == 0 || len(challenge) > 255 {
		return nil, fmt.Errorf("%w: challenge of %d bytes", ErrInvalidKey, len(challenge))
	}
	ne := 256
	if s.opts.ExtendedLength {
		ne = 65536
	}
	r, err := s.Transmit(ctx, apdu.Command{INS: 0x88, Data: challenge, Ne: ne}, "INTERNAL AUTHENTICATE")
	if err != nil {
		return nil, err
	}
	if r.SW != 0x9000 {
		if r.SW == 0x6D00 {
			return nil, errtext.Wrap(ErrNotSupported, &apdu.StatusError{SW: r.SW, Op: "INTERNAL AUTHENTICATE"})
		}
		return nil, statusError(r.SW, "INTERNAL AUTHENTICATE")
	}
	if len(r.Data) == 0 {
		return nil, fmt.Errorf("%w: INTERNAL AUTHENTICATE: no signature", ErrBadResponse)
	}
	return r.Data, nil
}
