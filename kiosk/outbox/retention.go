package outbox

import (
	"context"
	"os"
	"path/filepath"

	"github.com/tramso/tramso/internal/atomicfile"
)

// Purge removes the personal data and attachment files of dossiers accepted more than the retention
// period ago; their rows stay (receipt number, official code, states) for the record. It returns how
// many dossiers were purged.
func (s *Store) Purge(ctx context.Context) (int, error) {
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
	s.log.Info("retention purge", "dossiers", len(ids))
	return len(ids), nil
}
