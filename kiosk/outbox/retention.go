package outbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tramso/tramso/internal/atomicfile"
)

// Purge removes the personal data and attachment files of dossiers accepted more than the retention
// period ago; their rows stay (receipt number, official code, states) for the record. It returns how
// many dossiers were purged. The citizens' contacts for notifications are kept apart, in the
// services queue: PurgeWithContacts deletes them too. kioskd runs it by itself (once shortly after
// start, then every hour); kioskctl outbox purge runs it by hand.
func (s *Store) Purge(ctx context.Context) (int, error) {
	n, err := s.purge(ctx)
	if err != nil {
		return 0, fmt.Errorf("không xóa được dữ liệu đã quá thời hạn lưu giữ (cannot purge the data past its retention period): %w", err)
	}
	return n, nil
}

func (s *Store) purge(ctx context.Context) (int, error) {
	cutoff := s.opts.Now().Add(-s.opts.Retention).UnixMilli()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id FROM dossiers WHERE state=? AND accepted_at>0 AND accepted_at<=? AND purged_at=0`, StateAccepted, cutoff)
	ids, err := collect(rows, err, scanValue[int64])
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	shas := map[string]bool{}
	ms := s.opts.Now().UnixMilli()
	for _, id := range ids {
		rows, err := tx.QueryContext(ctx, "SELECT sha256 FROM attachments WHERE dossier_id=?", id)
		files, err := collect(rows, err, scanValue[string])
		if err != nil {
			return 0, err
		}
		for _, sha := range files {
			shas[sha] = true
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM attachments WHERE dossier_id=?", id); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE dossiers SET payload=NULL, purged_at=? WHERE id=?", ms, id); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit(dossier_id, at, state, note) VALUES(?,?,?,?)", id, ms, StateAccepted,
			"đã xóa dữ liệu cá nhân sau thời hạn lưu giữ (personal data purged after retention)"); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	for sha := range shas {
		if s.unreferenced(ctx, sha) {
			os.Remove(filepath.Join(s.dir, "blobs", sha))
		}
	}
	atomicfile.SyncDir(filepath.Join(s.dir, "blobs"))
	s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	s.log.Debug("retention purge", "dossiers", len(ids))
	return len(ids), nil
}

// PurgeWithContacts purges as Purge does, then deletes from q the notification opt-ins of every
// dossier the outbox no longer holds with its personal data, those just purged included
// (ServicesQueue.PruneNotify): the kiosk keeps a citizen's contact only as long as the dossier. A
// failure after the purge leaves opt-ins that the next purge or forwarding round deletes. It
// returns how many dossiers were purged and how many opt-ins deleted.
func (s *Store) PurgeWithContacts(ctx context.Context, q *ServicesQueue) (purged, forgotten int, err error) {
	if purged, err = s.Purge(ctx); err != nil {
		return 0, 0, err
	}
	forgotten, err = q.PruneNotify(ctx, s)
	return purged, forgotten, err
}

// holdsPersonalData reports whether the outbox holds the dossier with idempotency key key with its
// personal data (known and not purged).
func (s *Store) holdsPersonalData(ctx context.Context, key string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM dossiers WHERE idem_key=? AND purged_at=0", key).Scan(&n); err != nil {
		return false, fmt.Errorf("không đọc được kho hồ sơ (cannot read the outbox): %w", err)
	}
	return n > 0, nil
}
