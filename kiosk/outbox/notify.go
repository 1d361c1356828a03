package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tramso/tramso/kiosk/central"
)

// The notification opt-ins waiting for central: the citizen's choice of SMS, Zalo or e-mail and
// the number or address, keyed by the idempotency key of the dossier they go with. Central sends
// the messages; the kiosk keeps the contact only until central has it (or refuses it), and never
// longer than the dossier: an opt-in whose dossier the outbox no longer holds with its personal
// data (purged after its retention period, lost to a salvage) is deleted by PruneNotify, which
// the retention purge (Store.PurgeWithContacts) and the forwarder run. Deleted rows are
// overwritten (secure_delete) and the WAL is truncated, so the contact leaves the disk.

const notifySchema = `
CREATE TABLE IF NOT EXISTS notify(
	idem_key TEXT PRIMARY KEY, body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
`

// AddNotify commits the opt-in of the dossier submitted with idempotency key key, after checking
// it (central.NotifyOptIn.Check). The same key again keeps the first.
func (q *ServicesQueue) AddNotify(ctx context.Context, key string, n central.NotifyOptIn) error {
	if key == "" {
		return fmt.Errorf("thiếu khóa của hồ sơ (dossier key missing)")
	}
	if err := n.Check(); err != nil {
		return err
	}
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	if _, err := q.db.ExecContext(ctx, "INSERT INTO notify(idem_key, body, created_at, updated_at) VALUES(?,?,?,?) ON CONFLICT(idem_key) DO NOTHING",
		key, string(body), now, now); err != nil {
		return fmt.Errorf("không lưu được đăng ký nhận tin (cannot store the notification opt-in): %w", err)
	}
	return nil
}

// PendingNotify counts the opt-ins still held.
func (q *ServicesQueue) PendingNotify(ctx context.Context) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, "SELECT count(*) FROM notify").Scan(&n)
	return n, err
}

// NotifySender is what ForwardNotify needs of central.
type NotifySender interface {
	SetNotifications(ctx context.Context, idempotencyKey string, n central.NotifyOptIn) error
}

// ForwardNotify hands the held opt-ins to central, oldest first. One central took, or refused for
// good (a bad contact), is deleted with its contact; one whose dossier central does not hold yet
// (404) stays for the next round; any other failure stops the round. It returns how many were
// delivered.
func (q *ServicesQueue) ForwardNotify(ctx context.Context, c NotifySender) (int, error) {
	rows, err := q.db.QueryContext(ctx, "SELECT idem_key, body FROM notify ORDER BY created_at, idem_key")
	if err != nil {
		return 0, err
	}
	type held struct {
		key string
		n   central.NotifyOptIn
	}
	var all []held
	for rows.Next() {
		var h held
		var body string
		if err := rows.Scan(&h.key, &body); err != nil {
			rows.Close()
			return 0, err
		}
		if err := json.Unmarshal([]byte(body), &h.n); err != nil {
			rows.Close()
			return 0, fmt.Errorf("đăng ký nhận tin hỏng trong hàng đợi (damaged opt-in in the queue): %w", err)
		}
		all = append(all, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sent := 0
	for _, h := range all {
		err := c.SetNotifications(ctx, h.key, h.n)
		var e *central.Error
		switch {
		case err == nil || central.Permanent(err):
			if err == nil {
				sent++
			}
			if err := q.ForgetNotify(ctx, h.key); err != nil {
				return sent, err
			}
		case errors.As(err, &e) && e.StatusCode == http.StatusNotFound:
			q.db.ExecContext(ctx, "UPDATE notify SET attempts=attempts+1, updated_at=? WHERE idem_key=?", time.Now().UnixMilli(), h.key)
		default:
			return sent, err
		}
	}
	return sent, nil
}

// ForgetNotify deletes the opt-ins of the dossiers with idempotency keys keys, contacts included,
// and truncates the WAL so that the deleted rows leave the disk.
func (q *ServicesQueue) ForgetNotify(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("không xóa được đăng ký nhận tin (cannot delete the notification opt-ins): %w", err)
	}
	defer tx.Rollback()
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, "DELETE FROM notify WHERE idem_key=?", k); err != nil {
			return fmt.Errorf("không xóa được đăng ký nhận tin (cannot delete the notification opt-ins): %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("không xóa được đăng ký nhận tin (cannot delete the notification opt-ins): %w", err)
	}
	q.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)") // best effort: the next one catches up
	return nil
}

// PruneNotify deletes the held opt-ins whose dossier the outbox s no longer holds with its personal
// data: a dossier that is not in the outbox (lost to a salvage, or never committed) or whose data
// was purged after its retention period. An opt-in lives only as long as its dossier. A store out
// of service (Store.Unavailable) shows nothing of its dossiers, so nothing is deleted then. It
// returns how many opt-ins were deleted.
func (q *ServicesQueue) PruneNotify(ctx context.Context, s *Store) (int, error) {
	if s.Unavailable() != nil {
		return 0, nil
	}
	rows, err := q.db.QueryContext(ctx, "SELECT idem_key FROM notify")
	keys, err := collect(rows, err, scanValue[string])
	if err != nil {
		return 0, fmt.Errorf("không đọc được đăng ký nhận tin (cannot read the notification opt-ins): %w", err)
	}
	var gone []string
	for _, k := range keys {
		held, err := s.holdsPersonalData(ctx, k)
		if err != nil {
			return 0, err
		}
		if !held {
			gone = append(gone, k)
		}
	}
	if err := q.ForgetNotify(ctx, gone...); err != nil {
		return 0, err
	}
	return len(gone), nil
}
