package mrtd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd/lds"
)

// ReadOrder returns the order Read reads the files in, of those the chip lists: EF.COM and EF.SOD
// (which say which data groups there are), DG14 (then Chip Authentication, so that the rest is
// read under its keys), the identity (DG1, DG13), then the face and DG15. DG3 is never read (it
// needs EAC and the CCCD answers 6982).
func ReadOrder() []FileID { return []FileID{EFCOM, EFSOD, DG14, DG1, DG13, DG2, DG15} }

// IdentityFiles are the files Read has once it calls Options.OnIdentity: EF.COM, EF.SOD, DG14,
// DG1 (MRZ) and DG13 (civil data), all a passive authentication of the identity needs.
func IdentityFiles() []FileID { return []FileID{EFCOM, EFSOD, DG14, DG1, DG13} }

// Refusal is a data group EF.SOD lists that the chip would not give: a genuine chip gives every
// file its SOD vouches for, so this is the mark of a copy that lacks it (a clone without DG15's
// key hides DG15).
type Refusal struct {
	File FileID
	Err  error // the chip's answer: not found, access denied, an unprotected status, …
}

// ChipAuthOutcome is the outcome of Chip Authentication, run when DG14 offers it.
type ChipAuthOutcome struct {
	Protocol string // e.g. "CA-ECDH-AES-128 brainpoolP256r1" ("" when DG14 could not be used)
	Err      error  // nil: the chip proved it holds DG14's private key and the files after DG14 were read under the new keys
}

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
	Absent     []FileID  // files the chip does not have (6A82), of those EF.SOD does not list
	Denied     []FileID  // files the chip refused (6982), of those EF.SOD does not list
	Refused    []Refusal // files EF.SOD lists that the chip would not give

	ChipAuth *ChipAuthOutcome // nil when DG14 is absent or offers no Chip Authentication

	AAChallenge []byte // the random challenge sent for Active Authentication, if run
	AASignature []byte // the chip's answer, to verify with DG15 (package lds)
	AAErr       error  // the chip did not answer INTERNAL AUTHENTICATE (nil when it did or AA was not run)

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

// Read opens the chip (see Open) and reads the files EF.COM and EF.SOD list, and only those, in
// ReadOrder: when DG14 offers Chip Authentication it runs it right after DG14 and reads the rest
// under the new keys; it calls opts.OnIdentity once DG1 and DG13 are read; at the end it runs
// Active Authentication when asked and DG15 is present.
//
// A data group EF.SOD lists that the chip will not give (6A82, 6982, an unprotected error status,
// any answer but its bytes) is recorded in Files.Refused, not returned as an error: it is a
// verdict on the card (possibly a copy), and Read goes on with a new session when the refusal
// ended the old one. A failed Chip Authentication is recorded in Files.ChipAuth the same way, and
// a refused INTERNAL AUTHENTICATE in Files.AAErr. Files neither list are never selected.
//
// Each complete file is handed to opts.OnFile as soon as it is read. On any other error (card
// removed, secure messaging broken, …) Read returns nil and the error: never a half-read
// identity; what OnIdentity saw is not a result either.
func Read(ctx context.Context, tr apdu.Transceiver, key AccessKey, opts Options) (*Files, error) {
	s, err := Open(ctx, tr, key, opts)
	if err != nil {
		return nil, err
	}
	r := &readRun{tr: tr, key: key, opts: opts, s: s, sodListed: map[FileID]bool{},
		f: &Files{Access: s.Access(), CardAccess: s.CardAccess()}}
	f := r.f
	for _, id := range []FileID{EFCOM, EFSOD} {
		if err := r.get(ctx, id); err != nil {
			return nil, err
		}
	}
	wanted := r.lists()
	if wanted[DG14] {
		if err := r.get(ctx, DG14); err != nil {
			return nil, err
		}
	}
	if f.DG14 != nil && !opts.SkipChipAuthentication {
		name, err := r.s.ChipAuthenticate(ctx, f.DG14)
		switch {
		case err == nil:
			f.ChipAuth = &ChipAuthOutcome{Protocol: name}
		case isTransport(err):
			return nil, err
		case errors.Is(err, errNoCA):
		default:
			f.ChipAuth = &ChipAuthOutcome{Protocol: name, Err: err}
			if err := r.reopen(ctx); err != nil {
				return nil, err
			}
		}
	}
	for _, id := range []FileID{DG1, DG13} {
		if wanted[id] {
			if err := r.get(ctx, id); err != nil {
				return nil, err
			}
		}
	}
	if opts.OnIdentity != nil {
		f.Stats = r.stats()
		opts.OnIdentity(f)
	}
	for _, id := range []FileID{DG2, DG15} {
		if !wanted[id] || (id == DG2 && opts.SkipFace) {
			continue
		}
		if err := r.get(ctx, id); err != nil {
			return nil, err
		}
	}
	if opts.ActiveAuthentication && f.DG15 != nil {
		ch := make([]byte, 8)
		if _, err := io.ReadFull(r.s.rand, ch); err != nil {
			return nil, fmt.Errorf("không lấy được số ngẫu nhiên (random source failed): %w", err)
		}
		f.AAChallenge = ch
		sig, err := r.s.InternalAuthenticate(ctx, ch)
		switch {
		case isTransport(err):
			return nil, fmt.Errorf("active authentication: %w", err)
		case err != nil:
			f.AAErr = err
		default:
			f.AASignature = sig
		}
	}
	f.Stats = r.stats()
	return f, nil
}

// readRun is one Read: the session (replaced when a refusal or a failed Chip Authentication ends
// it) and what is known so far.
type readRun struct {
	tr        apdu.Transceiver
	key       AccessKey
	opts      Options
	s         *Session
	f         *Files
	sodListed map[FileID]bool
	before    Stats // exchanges of the sessions replaced
}

func (r *readRun) stats() Stats {
	st := r.s.Stats()
	st.APDUs += r.before.APDUs
	st.BytesSent += r.before.BytesSent
	st.BytesReceived += r.before.BytesReceived
	return st
}

// lists reads which data groups EF.COM and EF.SOD list, tells the session which ones EF.SOD
// vouches for, and returns the data groups of ReadOrder to read: those either file lists (the
// signed SOD counts even when the unsigned EF.COM leaves a group out). When neither file can be
// parsed it falls back to every data group of ReadOrder.
func (r *readRun) lists() map[FileID]bool {
	wanted := map[FileID]bool{}
	known := false
	if r.f.COM != nil {
		if com, err := lds.ParseCOM(r.f.COM); err == nil {
			known = true
			for _, n := range com.DataGroups() {
				wanted[FileID(lds.DGFileID(n))] = true
			}
		}
	}
	if r.f.SOD != nil {
		if sod, err := lds.ParseSOD(r.f.SOD); err == nil {
			known = true
			var ids []FileID
			for n := range sod.Hashes {
				if id := FileID(lds.DGFileID(n)); id != 0 {
					wanted[id] = true
					r.sodListed[id] = true
					ids = append(ids, id)
				}
			}
			r.s.ListedFiles(ids...)
		}
	}
	if !known {
		for _, id := range ReadOrder() {
			wanted[id] = true
		}
	}
	return wanted
}

// get reads one file into Files. Transport errors are returned; what the chip refuses is
// recorded (Refused for a file EF.SOD lists, Absent/Denied for others).
func (r *readRun) get(ctx context.Context, id FileID) error {
	b, err := r.s.ReadFile(ctx, id)
	switch {
	case err == nil:
		r.f.set(id, b)
		if r.opts.OnFile != nil {
			r.opts.OnFile(id, b)
		}
		return nil
	case isTransport(err):
		return fmt.Errorf("reading %s: %w", id, err)
	case r.sodListed[id]:
		r.f.Refused = append(r.f.Refused, Refusal{File: id, Err: err})
	case errors.Is(err, ErrFileNotFound):
		r.f.Absent = append(r.f.Absent, id)
	case errors.Is(err, ErrAccessDenied):
		r.f.Denied = append(r.f.Denied, id)
	default:
		return fmt.Errorf("reading %s: %w", id, err)
	}
	if r.s.sm != nil && r.s.sm.dead {
		return r.reopen(ctx)
	}
	return nil
}

// reopen replaces a session that a refusal or a failed Chip Authentication ended: one plain
// command ends the chip's side of it too, then a fresh Open authenticates again (without BAC when
// the card offers PACE, as always).
func (r *readRun) reopen(ctx context.Context) error {
	r.s.sm = nil
	_ = r.s.selectApplication(ctx) // answered 6987 by a chip still in secure messaging
	st := r.s.Stats()
	r.before.APDUs += st.APDUs
	r.before.BytesSent += st.BytesSent
	r.before.BytesReceived += st.BytesReceived
	s, err := Open(ctx, r.tr, r.key, r.opts)
	if err != nil {
		return fmt.Errorf("opening a new session with the card: %w", err)
	}
	ids := make([]FileID, 0, len(r.sodListed))
	for id := range r.sodListed {
		ids = append(ids, id)
	}
	s.ListedFiles(ids...)
	r.s = s
	return nil
}
