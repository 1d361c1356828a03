package devserver

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

const schema = `
CREATE TABLE IF NOT EXISTS kiosks(
	id TEXT PRIMARY KEY, public_key BLOB NOT NULL, enrolled_at INTEGER NOT NULL, last_seen INTEGER NOT NULL DEFAULT 0, queued INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS uploads(
	id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
	offset INTEGER NOT NULL DEFAULT 0, complete INTEGER NOT NULL DEFAULT 0, UNIQUE(kiosk_id, sha256));
CREATE TABLE IF NOT EXISTS blobs(sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dossiers(
	code TEXT PRIMARY KEY, idem_key TEXT NOT NULL UNIQUE, fingerprint TEXT NOT NULL, kiosk_id TEXT NOT NULL,
	procedure_code TEXT NOT NULL, unit_code TEXT NOT NULL, applicant_id TEXT NOT NULL,
	manifest BLOB NOT NULL, signature BLOB NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
	received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS receipts(receipt_no TEXT PRIMARY KEY, idem_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sequences(unit TEXT NOT NULL, day TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY(unit, day));
`

// openDB opens the server's SQLite database (WAL, synchronous=FULL) and checks its integrity.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("không mở được cơ sở dữ liệu (cannot open database): %w", err)
	}
	db.SetMaxOpenConns(1)
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		db.Close()
		return nil, fmt.Errorf("cơ sở dữ liệu hỏng (database failed integrity check): %v %w", res, err)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("không tạo được bảng (cannot create tables): %w", err)
	}
	return db, nil
}
