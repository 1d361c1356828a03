package outbox

// The Uploader's failure handling: backoff on a lossy link or an outage, refusals, and failures on
// the kiosk's own stored files.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/central"
)

// A link that made progress within lossyWindow is lossy, not down: a streak of failures on it waits
// at most lossyCapSteps base delays. Only when nothing has landed for longer does the backoff
// climb to MaxDelay (an outage).
const (
	lossyWindow   = 2 * time.Minute
	lossyCapSteps = 8
)

// maxDelay is the backoff cap now: MaxDelay in an outage, less on a lossy link.
func (u *Uploader) maxDelay() time.Duration {
	if !u.lastProgress.IsZero() && u.opts.Clock.Now().Sub(u.lastProgress) < lossyWindow {
		return min(u.opts.MaxDelay, lossyCapSteps*u.opts.BaseDelay)
	}
	return u.opts.MaxDelay
}

// failed records a failed delivery: a refusal rejects the dossier; anything else backs off.
func (u *Uploader) failed(ctx context.Context, e *Entry, cause error) error {
	s := u.store
	summary := errorSummary(cause)
	// A receipt number the central system already has under another key will never be accepted:
	// refused for good, for staff, like any other refusal.
	if central.Permanent(cause) || central.ProblemType(cause) == central.ProblemReceiptReused {
		u.fails = 0
		u.log.Warn("dossier rejected", "id", e.ID, "receipt", e.ReceiptNo, "reason", summary)
		err := s.markRejected(ctx, e.ID, summary)
		if errors.Is(err, ErrAlreadyAccepted) {
			return nil
		}
		return err
	}
	var le localError
	if errors.As(cause, &le) {
		return u.localFailure(ctx, e, summary)
	}
	u.fails++
	d := Backoff(u.fails, u.opts.BaseDelay, u.maxDelay(), central.RetryAfter(cause))
	next := u.opts.Clock.Now().Add(d)
	u.log.Warn("delivery failed; will retry", "id", e.ID, "receipt", e.ReceiptNo, "error", summary, "retryIn", d.Round(time.Millisecond))
	if err := s.markRetry(ctx, e.ID, summary, next); err != nil {
		return err
	}
	// The link or the server is the likely problem, not this dossier: pause all deliveries.
	if err := u.opts.Clock.Sleep(ctx, d); err != nil {
		return err
	}
	return nil
}

// localError is a delivery failure on the kiosk's side: a stored file missing or not decrypting.
type localError struct{ err error }

func (e localError) Error() string { return e.err.Error() }
func (e localError) Unwrap() error { return e.err }

// watchedReader keeps the first error of reading a stored file, to tell it from network failures.
type watchedReader struct {
	r    io.ReaderAt
	mu   sync.Mutex
	err  error
	read atomic.Bool // a chunk was read to be sent
}

func (w *watchedReader) ReadAt(p []byte, off int64) (int, error) {
	w.read.Store(true)
	n, err := w.r.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) {
		w.mu.Lock()
		w.err = cmp.Or(w.err, err)
		w.mu.Unlock()
	}
	return n, err
}

// localFailure records a delivery that failed on the dossier's own stored files. The link is not at
// fault, so other dossiers go on; after LocalTries such failures the dossier is flagged for staff
// instead of being retried forever.
func (u *Uploader) localFailure(ctx context.Context, e *Entry, summary string) error {
	u.local[e.ID]++
	n := u.local[e.ID]
	if n >= u.opts.LocalTries {
		delete(u.local, e.ID)
		// One sentence for staff: the failure's own (ErrDecrypt, cannot open…) is English detail.
		reason := "tệp lưu của hồ sơ bị mất hoặc hỏng, cần nhân viên xử lý (the dossier's stored files are missing or damaged; staff action needed): " + errtext.English(summary)
		u.log.Error("dossier flagged for staff: stored files unreadable", "id", e.ID, "receipt", e.ReceiptNo, "tries", n)
		err := u.store.setAsideNeedsStaff(ctx, e.ID, reason, summary)
		if errors.Is(err, ErrAlreadyAccepted) {
			return nil
		}
		return err
	}
	d := Backoff(n, u.opts.BaseDelay, u.opts.MaxDelay, 0)
	u.log.Warn("stored files unreadable; will retry", "id", e.ID, "receipt", e.ReceiptNo, "error", summary, "try", n, "retryIn", d.Round(time.Millisecond))
	return u.store.markRetry(ctx, e.ID, summary, u.opts.Clock.Now().Add(d))
}

// errorSummary is a short, personal-data-free description of a delivery failure.
func errorSummary(err error) string {
	var ce *central.Error
	if errors.As(err, &ce) {
		if ce.Problem.Type != "" {
			return fmt.Sprintf("HTTP %d %s", ce.StatusCode, ce.Problem.Type)
		}
		return fmt.Sprintf("HTTP %d", ce.StatusCode)
	}
	if cerr := certificateError(err); cerr != nil {
		err = cerr
	}
	return truncateRunes(err.Error(), 300)
}

// truncateRunes cuts s to at most n bytes without cutting a letter in half (Vietnamese letters are
// two or three bytes in UTF-8): the reasons and errors the outbox keeps for staff.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
