package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

const schema = `
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dossiers(
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	receipt_no TEXT NOT NULL UNIQUE,
	idem_key TEXT NOT NULL UNIQUE,
	procedure_code TEXT NOT NULL,
	unit_code TEXT NOT NULL,
	state TEXT NOT NULL,
	payload BLOB,
	dossier_code TEXT NOT NULL DEFAULT '',
	central_status TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	last_error TEXT NOT NULL DEFAULT '',
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER NOT NULL DEFAULT 0,
	captured_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	accepted_at INTEGER NOT NULL DEFAULT 0,
	status_checked_at INTEGER NOT NULL DEFAULT 0,
	purged_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS dossiers_state ON dossiers(state, next_attempt);
CREATE TABLE IF NOT EXISTS attachments(
	dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
	idx INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	PRIMARY KEY(dossier_id, idx));
CREATE INDEX IF NOT EXISTS attachments_sha ON attachments(sha256);
CREATE TABLE IF NOT EXISTS audit(
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	dossier_id INTEGER NOT NULL,
	at INTEGER NOT NULL,
	state TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '');
`

// openDB opens the outbox database: WAL, synchronous=FULL (a commit survives power loss once it
// returns), one connection (one writer), secure_delete (purged rows are overwritten), and checks its
// integrity before anything is written.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(15000)" +
		"&_pragma=foreign_keys(1)&_pragma=secure_delete(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("không mở được cơ sở dữ liệu hàng đợi (cannot open outbox database): %w", err)
	}
	db.SetMaxOpenConns(1)
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if res != "ok" {
		db.Close()
		return nil, ErrCorrupt
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("không tạo được bảng (cannot create tables): %w", err)
	}
	return db, nil
}
