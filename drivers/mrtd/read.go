package mrtd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tramso/tramso/drivers/apdu"
)

// ReadOrder returns the order Read reads the files in: the identity first (IdentityFiles), then
// the face, DG14 and DG15. DG3 is never read (it needs EAC and the CCCD answers 6982).
func ReadOrder() []FileID { return []FileID{EFCOM, DG1, DG13, EFSOD, DG2, DG14, DG15} }

// IdentityFiles are the files Read takes first, before Options.OnIdentity: EF.COM, DG1 (MRZ),
// DG13 (civil data) and EF.SOD, which is all a passive authentication of the identity needs
// (about 3 KB on the line).
func IdentityFiles() []FileID { return []FileID{EFCOM, DG1, DG13, EFSOD} }

// Files are the raw bytes of a chip's files as Read got them, with how they were got.
type Files struct {
	Access     string // "PACE-CAN", "PACE-MRZ" or "BAC"
	CardAccess []byte // EF.CardAccess, when read
	COM        []byte
	DG1        []byte
	DG2        []byte
	DG13       []byte
	DG14       []byte
	DG15       []byte
	SOD        []byte
	Absent     []FileID // files the chip does not have (6A82)
	Denied     []FileID // files the chip refused (6982)

	AAChallenge []byte // the random challenge sent for Active Authentication, if run
	AASignature []byte // the chip's answer, to verify with DG15 (package lds)

	Stats Stats // APDUs and bytes exchanged
}

// File returns the bytes of a file by its identifier (nil when not read).
func (f *Files) File(id FileID) []byte {
	switch id {
	case EFCardAccess:
		return f.CardAccess
	case EFCOM:
		return f.COM
	case DG1:
		return f.DG1
	case DG2:
		return f.DG2
	case DG13:
		return f.DG13
	case DG14:
		return f.DG14
	case DG15:
		return f.DG15
	case EFSOD:
		return f.SOD
	}
	return nil
}

func (f *Files) set(id FileID, b []byte) {
	switch id {
	case EFCOM:
		f.COM = b
	case DG1:
		f.DG1 = b
	case DG2:
		f.DG2 = b
	case DG13:
		f.DG13 = b
	case DG14:
		f.DG14 = b
	case DG15:
		f.DG15 = b
	case EFSOD:
		f.SOD = b
	}
}

// Read opens the chip (see Open) and reads EF.COM, DG1, DG13 and EF.SOD, calls opts.OnIdentity,
// then reads DG2, DG14 and DG15 and runs Active Authentication when asked and DG15 is present.
//
// Each complete file is handed to opts.OnFile as soon as it is read. On any error (card removed,
// secure messaging broken, …) Read returns nil and the error: never a half-read identity; what
// OnIdentity saw is not a result either.
// Files the chip lacks (6A82) or refuses (6982) are listed in Absent / Denied, not errors.
func Read(ctx context.Context, tr apdu.Transceiver, key AccessKey, opts Options) (*Files, error) {
	s, err := Open(ctx, tr, key, opts)
	if err != nil {
		return nil, err
	}
	f := &Files{Access: s.Access(), CardAccess: s.CardAccess()}
	identity := len(IdentityFiles())
	for i, id := range ReadOrder() {
		if i == identity && opts.OnIdentity != nil {
			f.Stats = s.Stats()
			opts.OnIdentity(f)
		}
		if id == DG2 && opts.SkipFace {
			continue
		}
		b, err := s.ReadFile(ctx, id)
		switch {
		case errors.Is(err, ErrFileNotFound):
			f.Absent = append(f.Absent, id)
			continue
		case errors.Is(err, ErrAccessDenied):
			f.Denied = append(f.Denied, id)
			continue
		case err != nil:
			return nil, fmt.Errorf("đọc %s (reading %s): %w", id, id, err)
		}
		f.set(id, b)
		if opts.OnFile != nil {
			opts.OnFile(id, b)
		}
	}
	if opts.ActiveAuthentication && f.DG15 != nil {
		ch := make([]byte, 8)
		if _, err := io.ReadFull(s.rand, ch); err != nil {
			return nil, fmt.Errorf("không lấy được số ngẫu nhiên (random source failed): %w", err)
		}
		sig, err := s.InternalAuthenticate(ctx, ch)
		if err != nil {
			return nil, fmt.Errorf("xác thực chủ động (active authentication): %w", err)
		}
		f.AAChallenge, f.AASignature = ch, sig
	}
	f.Stats = s.Stats()
	return f, nil
}
