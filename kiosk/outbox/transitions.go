package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The state changes of a dossier, one method each. Each runs in one transaction with its audit
// record; the uploader and the staff's actions change a dossier only through them.

// queue releases a captured dossier for upload (after its capture, or at the start after a crash).
func (s *Store) queue(ctx context.Context, id int64, note string) error {
	return s.transition(ctx, id, []string{StateCaptured}, StateQueued, note, "")
}

// markUploading records that the uploader has started on a queued dossier.
func (s *Store) markUploading(ctx context.Context, id int64) error {
	return s.transition(ctx, id, []string{StateQueued}, StateUploading, "", "")
}

// markAccepted records the central system's acceptance: the official dossier code and status.
func (s *Store) markAccepted(ctx context.Context, id int64, dossierCode, centralStatus string) error {
	ms := s.opts.Now().UnixMilli()
	return s.transition(ctx, id, []string{StateUploading}, StateAccepted, "mã hồ sơ (dossier code) "+dossierCode,
		"dossier_code=?, central_status=?, accepted_at=?, status_checked_at=?, last_error='', reason=''",
		dossierCode, centralStatus, ms, ms)
}

// markRejected records the central system's refusal of a dossier, with its reason.
func (s *Store) markRejected(ctx context.Context, id int64, reason string) error {
	return s.transition(ctx, id, []string{StateUploading, StateQueued}, StateRejected, reason,
		"reason=?, last_error=?, attempts=attempts+1", reason, reason)
}

// setAsideNeedsStaff takes a dossier whose stored files cannot be read out of the queue, for
// staff: reason is shown to them, cause is the last failure.
func (s *Store) setAsideNeedsStaff(ctx context.Context, id int64, reason, cause string) error {
	return s.transition(ctx, id, []string{StateUploading, StateQueued}, StateNeedsStaff, reason,
		"reason=?, last_error=?, attempts=attempts+1", reason, cause)
}

// markRetry records a failed delivery to be tried again at next; the state stays as it is.
func (s *Store) markRetry(ctx context.Context, id int64, cause string, next time.Time) error {
	_, err := s.db.ExecContext(ctx, "UPDATE dossiers SET attempts=attempts+1, last_error=?, next_attempt=? WHERE id=?",
		cause, next.UnixMilli(), id)
	return err
}

// markStatusChecked records that the central status of an accepted dossier was asked for and had
// not changed.
func (s *Store) markStatusChecked(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, "UPDATE dossiers SET status_checked_at=? WHERE id=?", s.opts.Now().UnixMilli(), id)
	return err
}

// recordStatus records a changed central status (and dossier code) of an accepted dossier.
func (s *Store) recordStatus(ctx context.Context, e Entry, centralStatus, dossierCode string) error {
	note := "trạng thái (status) " + centralStatus
	if dossierCode != e.DossierCode {
		note += ", mã hồ sơ (dossier code) " + dossierCode
	}
	return s.transition(ctx, e.ID, []string{StateAccepted}, StateAccepted, note,
		"central_status=?, dossier_code=?, status_checked_at=?", centralStatus, dossierCode, s.opts.Now().UnixMilli())
}

// Retry puts a rejected, flagged or waiting dossier back at the front of the queue, clearing its backoff.
func (s *Store) Retry(ctx context.Context, id int64) error {
	return s.transition(ctx, id, []string{StateRejected, StateNeedsStaff, StateQueued, StateUploading, StateCaptured}, StateQueued,
		"thử lại theo yêu cầu (retry requested)", "next_attempt=0, attempts=0, reason=''")
}

// transition moves a dossier from one of the states in from to state `to`, with an audit record,
// in one transaction. set, when not empty, is the methods' above further assignments (SQL, with
// placeholders for args).
func (s *Store) transition(ctx context.Context, id int64, from []string, to, note, set string, args ...any) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var cur string
	if err := tx.QueryRowContext(ctx, "SELECT state FROM dossiers WHERE id=?", id).Scan(&cur); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	}
	ok := false
	for _, f := range from {
		ok = ok || f == cur
	}
	if !ok {
		if cur == StateAccepted {
			return ErrAlreadyAccepted
		}
		return fmt.Errorf("hồ sơ đang ở trạng thái %s, không chuyển sang %s được (dossier is %s, cannot become %s)", cur, to, cur, to)
	}
	ms := s.opts.Now().UnixMilli()
	q := "UPDATE dossiers SET state=?, updated_at=?"
	if set != "" {
		q += ", " + set
	}
	all := append([]any{to, ms}, args...)
	if _, err := tx.ExecContext(ctx, q+" WHERE id=?", append(all, id)...); err != nil {
		return err
	}
	if cur != to || note != "" {
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit(dossier_id, at, state, note) VALUES(?,?,?,?)", id, ms, to, note); err != nil {
			return err
		}
	}
	if to == StateAccepted {
		s.crash(CrashBeforeAccept)
	}
	return diskFull(tx.Commit())
}
