package outbox

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tramso/tramso/internal/errtext"
)

func TestQuickCheck(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "outbox.db")
	db, err := openDB(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Enough rows to span many pages, so damage lands inside a table's b-tree.
	for i := range 400 {
		if _, err := db.ExecContext(ctx, "INSERT INTO meta(k, v) VALUES(?, ?)", "key-"+strconv.Itoa(i), strings.Repeat("v", 200)); err != nil {
			t.Fatal(err)
		}
	}
	s := &Store{db: db}
	if err := s.QuickCheck(ctx); err != nil {
		t.Fatalf("healthy database: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.QuickCheck(cancelled); err == nil || errors.Is(err, ErrCorrupt) || errtext.Check(err) != nil {
		t.Fatalf("interrupted check: %v, want the context's error and not ErrCorrupt, in one sentence", err)
	}
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Damage the middle pages of the file, as a failing storage card would.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	if len(b) < 8*page {
		t.Fatalf("database of %d bytes is too small to damage", len(b))
	}
	for i := 3 * page; i < 6*page; i++ {
		b[i] = 0x5a
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	s = &Store{db: raw}
	err = s.QuickCheck(ctx)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damaged database: %v, want ErrCorrupt", err)
	}
	t.Log(err)
	if werr := errtext.Check(err); werr != nil { // ErrCorrupt's sentence; SQLite's findings in English
		t.Error(werr)
	}
}
