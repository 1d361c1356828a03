package outbox

import (
	"context"
	"fmt"
)

// QuickCheck runs SQLite's quick_check on the outbox database while the store is in use, for the
// technician's self-test: it finds damaged pages and records (not index mismatches, which the full
// check Open runs does). A damaged database gives an error wrapping ErrCorrupt; a check cut short by
// ctx gives ctx's error.
func (s *Store) QuickCheck(ctx context.Context) error {
	if err := s.Unavailable(); err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return s.checkErr(ctx, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			return s.checkErr(ctx, err)
		}
		if msg != "ok" {
			problems = append(problems, msg)
		}
	}
	if err := rows.Err(); err != nil {
		return s.checkErr(ctx, err)
	}
	if len(problems) > 0 {
		// The messages name pages, tables and row numbers: no dossier content.
		return fmt.Errorf("%w: %d problems, first: %s", ErrCorrupt, len(problems), problems[0])
	}
	return nil
}

// checkErr tells a check cut short from a database that cannot be read.
func (s *Store) checkErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("kiểm tra kho hồ sơ bị ngắt (dossier store check interrupted): %w", ctx.Err())
	}
	return fmt.Errorf("%w: %w", ErrCorrupt, err)
}
