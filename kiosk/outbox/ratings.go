package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/tramso/tramso/kiosk/central"
)

// ServicesQueueFile is the citizen services' queue in the state folder (ratings and notification
// opt-ins waiting for central), apart from the dossiers' database.
const ServicesQueueFile = "services.db"

const ratingsSchema = `
CREATE TABLE IF NOT EXISTS ratings(
	id TEXT PRIMARY KEY, body TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
	reason TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ratings_pending ON ratings(state, created_at);
`

// Rating queue states.
const (
	RatingPending = "pending" // stored, not yet accepted by central
	RatingSent    = "sent"    // central accepted it (201 or, for a retry, 200)
	RatingRefused = "refused" // central refused it for good (already rated, dossier not finished)
)

// ServicesQueue is the durable queue of the citizen services. A satisfaction rating is committed
// (synchronous, WAL) before the citizen is thanked, and forwarded to central until it is accepted
// or refused for good; ratings carry no personal data beyond the dossier code (central.Rating).
// A notification opt-in waits for central to hold its dossier (notify.go).
type ServicesQueue struct {
	db *sql.DB
}

// OpenServicesQueue opens (creating it if needed) the services queue in the state folder dir, with
// secure_delete on: a deleted opt-in's contact is overwritten, not left in a free page.
func OpenServicesQueue(ctx context.Context, dir string) (*ServicesQueue, error) {
	path := filepath.Join(dir, ServicesQueueFile)
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(15000)&_pragma=secure_delete(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("không mở được hàng đợi dịch vụ (cannot open the services queue): %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, ratingsSchema+notifySchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("không mở được hàng đợi dịch vụ (cannot open the services queue): %w", err)
	}
	return &ServicesQueue{db: db}, nil
}

// Close closes the queue.
func (q *ServicesQueue) Close() error { return q.db.Close() }

// AddRating commits a rating to the queue after checking it (central.Rating.Check). The same id again
// is a no-op: a rating is stored once.
func (q *ServicesQueue) AddRating(ctx context.Context, r central.Rating) error {
	if err := r.Check(); err != nil {
		return err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	if _, err := q.db.ExecContext(ctx, "INSERT INTO ratings(id, body, state, created_at, updated_at) VALUES(?,?,?,?,?) ON CONFLICT(id) DO NOTHING",
		r.ID, string(body), RatingPending, now, now); err != nil {
		return fmt.Errorf("không lưu được đánh giá (cannot store the rating): %w", err)
	}
	return nil
}

// QueuedRating is a rating in the queue with its state.
type QueuedRating struct {
	Rating   central.Rating
	State    string
	Attempts int
	Reason   string
}

// ListRatings returns the ratings in state (all when empty), oldest first.
func (q *ServicesQueue) ListRatings(ctx context.Context, state string) ([]QueuedRating, error) {
	rows, err := q.db.QueryContext(ctx, "SELECT body, state, attempts, reason FROM ratings WHERE ?='' OR state=? ORDER BY created_at, id", state, state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []QueuedRating
	for rows.Next() {
		var body string
		var r QueuedRating
		if err := rows.Scan(&body, &r.State, &r.Attempts, &r.Reason); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &r.Rating); err != nil {
			return nil, fmt.Errorf("đánh giá hỏng trong hàng đợi (damaged rating in the queue): %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RatingSender is what ForwardRatings needs of central.
type RatingSender interface {
	Rate(ctx context.Context, r central.Rating) error
}

// ForwardRatings sends the pending ratings, oldest first: an accepted one is marked sent, one central
// refuses for good (central.Permanent: already rated, not finished) is marked refused with the
// reason, and a transient failure stops the round (the rest wait for the next). It returns how
// many were sent.
func (q *ServicesQueue) ForwardRatings(ctx context.Context, c RatingSender) (int, error) {
	pending, err := q.ListRatings(ctx, RatingPending)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, p := range pending {
		err := c.Rate(ctx, p.Rating)
		now := time.Now().UnixMilli()
		switch {
		case err == nil:
			sent++
			if _, err := q.db.ExecContext(ctx, "UPDATE ratings SET state=?, attempts=attempts+1, updated_at=? WHERE id=?", RatingSent, now, p.Rating.ID); err != nil {
				return sent, err
			}
		case ratingRefused(err):
			if _, err2 := q.db.ExecContext(ctx, "UPDATE ratings SET state=?, attempts=attempts+1, reason=?, updated_at=? WHERE id=?",
				RatingRefused, truncateRunes(err.Error(), 300), now, p.Rating.ID); err2 != nil {
				return sent, err2
			}
		default:
			q.db.ExecContext(ctx, "UPDATE ratings SET attempts=attempts+1, updated_at=? WHERE id=?", now, p.Rating.ID)
			return sent, err
		}
	}
	return sent, nil
}

// ratingRefused reports whether central refused a rating for good: a bad rating, or a conflict
// (the dossier already rated under another id, or not finished).
func ratingRefused(err error) bool {
	var e *central.Error
	if !errors.As(err, &e) {
		return false
	}
	return central.Permanent(err) || e.StatusCode == http.StatusConflict
}
