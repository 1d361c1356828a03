package outbox

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tramso/tramso/kiosk/central"
)

// Central is what the Uploader needs of the central API; *central.Client implements it.
type Central interface {
	Upload(ctx context.Context, sha string, size int64, r io.ReaderAt, progress func(offset int64)) error
	Submit(ctx context.Context, idempotencyKey string, manifest, signature []byte) (*central.DossierStatus, error)
	Status(ctx context.Context, idempotencyKey string) (*central.DossierStatus, error)
}

// heartbeater is a Central that also takes heartbeats (*central.Client does).
type heartbeater interface {
	Heartbeat(ctx context.Context, hb central.Heartbeat) (*central.HeartbeatResponse, error)
}

// Clock is the time source of the Uploader; tests and benchmarks replace it to simulate long outages.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx ends.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// UploaderOptions configures an Uploader; the zero value is usable.
type UploaderOptions struct {
	BaseDelay      time.Duration // first backoff step; default 1 s
	MaxDelay       time.Duration // backoff cap; default 5 min
	Poll           time.Duration // how often an idle uploader looks for new dossiers; default 2 s
	StatusInterval time.Duration // how often status sync runs; default 10 min
	StatusWindow   time.Duration // how long after acceptance a dossier's status is followed; default 30 days
	Heartbeat      time.Duration // how often an idle uploader sends a heartbeat, if the Central can; default 5 min
	LocalTries     int           // deliveries failing on the kiosk's own files before the dossier is flagged for staff; default 3
	UntilEmpty     bool          // return nil once nothing is left to upload
	Clock          Clock         // default: the real clock
	Logger         *slog.Logger  // default: discard
}

// Uploader delivers queued dossiers to the central system, one at a time, and follows the status
// of accepted ones. Only one Uploader may run per outbox directory (a file lock enforces it).
type Uploader struct {
	store   *Store
	central Central
	opts    UploaderOptions
	log     *slog.Logger
	fails   int
	// lastProgress is when a request last made progress (zero: not since the start).
	lastProgress time.Time
	local        map[int64]int // failures on the kiosk's own files, per dossier, since this Uploader started
}

// NewUploader returns an uploader of s's dossiers to c.
func NewUploader(s *Store, c Central, opts UploaderOptions) *Uploader {
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = time.Second
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = 5 * time.Minute
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.StatusInterval <= 0 {
		opts.StatusInterval = 10 * time.Minute
	}
	if opts.StatusWindow <= 0 {
		opts.StatusWindow = 30 * 24 * time.Hour
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 5 * time.Minute
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.LocalTries <= 0 {
		opts.LocalTries = 3
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Uploader{store: s, central: c, opts: opts, log: log, local: map[int64]int{}}
}

// Backoff returns the delay before retry number attempt (1, 2, …): full jitter, a uniform random
// duration in [0, min(max, base·2^(attempt-1))). A Retry-After from the server takes precedence,
// with up to 10 % jitter added so that kiosks do not return together.
func Backoff(attempt int, base, max, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter + rand.N(retryAfter/10+1)
	}
	ceil := max
	if attempt < 40 && base<<(attempt-1) < max && base<<(attempt-1) > 0 {
		ceil = base << (attempt - 1)
	}
	return rand.N(ceil + 1)
}

// Run delivers dossiers until ctx ends (or, with UntilEmpty, until none is left to upload).
func (u *Uploader) Run(ctx context.Context) error {
	if err := u.store.Unavailable(); err != nil {
		return err
	}
	lock, err := os.OpenFile(filepath.Join(u.store.dir, "uploader.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return ErrUploaderRunning
	}
	clock := u.opts.Clock
	var lastSync, lastBeat time.Time
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := clock.Now()
		e, wait, err := u.next(ctx, now)
		if err != nil {
			return err
		}
		if e != nil {
			if err := u.deliver(ctx, e); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if err := u.failed(ctx, e, err); err != nil {
					return err
				}
			}
			continue
		}
		if wait < 0 && u.opts.UntilEmpty {
			u.syncStatuses(ctx)
			return nil
		}
		if lastSync.IsZero() || now.Sub(lastSync) >= u.opts.StatusInterval {
			u.syncStatuses(ctx)
			lastSync = now
		}
		if hb, ok := u.central.(heartbeater); ok && (lastBeat.IsZero() || now.Sub(lastBeat) >= u.opts.Heartbeat) {
			n, _ := u.store.Pending(ctx)
			if _, err := hb.Heartbeat(ctx, central.Heartbeat{KioskID: u.store.KioskID(), Queued: n, SentAt: now}); err != nil {
				u.log.Warn("heartbeat failed", "error", errorSummary(err))
			}
			lastBeat = now
		}
		d := u.opts.Poll
		if wait >= 0 && wait < d {
			d = wait
		}
		if err := clock.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// next returns the dossier due for delivery, or how long until one is due (-1: none pending).
func (u *Uploader) next(ctx context.Context, now time.Time) (*Entry, time.Duration, error) {
	e, err := u.store.nextDue(ctx)
	if err != nil {
		return nil, 0, err
	}
	if e == nil {
		return nil, -1, nil
	}
	if d := time.UnixMilli(e.nextAttempt).Sub(now); d > 0 {
		return nil, d, nil
	}
	return e, 0, nil
}

// deliver uploads the attachments of e (resuming where the server stands), submits the signed
// manifest with the dossier's idempotency key and records the official code.
func (u *Uploader) deliver(ctx context.Context, e *Entry) error {
	s := u.store
	if e.State == StateQueued {
		if err := s.markUploading(ctx, e.ID); err != nil {
			return err
		}
	}
	p, err := s.payload(ctx, e.ID)
	if err != nil {
		return localError{err}
	}
	atts, err := s.storedFiles(ctx, e.ID)
	if errors.Is(err, errDamagedRow) {
		return localError{err} // a damaged record of the dossier's files: as a damaged file
	}
	if err != nil {
		return err
	}
	for _, a := range atts {
		r, err := s.openStoredFile(a.sha)
		if err != nil {
			return localError{err}
		}
		wr := &watchedReader{r: r}
		err = u.central.Upload(ctx, a.sha, a.size, wr, u.progressed)
		r.Close()
		if wr.read.Load() {
			// The server answered the upload request and a chunk was on its way: the link works
			// (a chunk cut by a reset still lands up to where it was cut).
			u.progressed(0)
		}
		if wr.err != nil {
			return localError{wr.err}
		}
		if err != nil {
			return err
		}
		u.progressed(a.size)
	}
	st, err := u.central.Submit(ctx, e.IdempotencyKey, p.Manifest, p.Signature)
	if err != nil {
		return err
	}
	u.progressed(0)
	if err := s.markAccepted(ctx, e.ID, st.DossierCode, st.Status); err != nil {
		return err
	}
	u.fails = 0
	u.log.Info("dossier accepted", "id", e.ID, "receipt", e.ReceiptNo, "code", st.DossierCode)
	return nil
}

// progressed notes that a request made progress (a chunk landed, an upload completed, a submit was
// answered): the link works, if lossily, so the next failure backs off from the first step again.
// Only failures with nothing landing in between climb to the cap (an outage).
func (u *Uploader) progressed(int64) {
	u.fails = 0
	u.lastProgress = u.opts.Clock.Now()
}

// syncStatuses fetches the central status of recently accepted dossiers whose status can still
// change, and records changes (with an audit record each).
func (u *Uploader) syncStatuses(ctx context.Context) {
	s := u.store
	list, err := s.statusDue(ctx, u.opts.Clock.Now().Add(-u.opts.StatusWindow))
	if err != nil {
		u.log.Warn("status sync stopped", "error", errorSummary(err))
		return
	}
	for _, e := range list {
		st, err := u.central.Status(ctx, e.IdempotencyKey)
		if err != nil {
			u.log.Warn("status sync stopped", "error", errorSummary(err))
			return
		}
		if st.Status == e.CentralStatus && st.DossierCode == e.DossierCode {
			s.markStatusChecked(ctx, e.ID)
			continue
		}
		if err := s.recordStatus(ctx, e, st.Status, st.DossierCode); err != nil {
			return
		}
		u.log.Info("dossier status changed", "id", e.ID, "code", st.DossierCode, "status", st.Status)
	}
}
