package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/tramso/tramso/kiosk/outbox"
)

// garblePages overwrites the pages of table name in the closed database at path with garbage.
func garblePages(t *testing.T, path, name string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var pages []int64
	var size int64
	db.QueryRow("PRAGMA page_size").Scan(&size)
	rows, err := db.Query("SELECT pageno FROM dbstat WHERE name=?", name)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p int64
		rows.Scan(&p)
		pages = append(pages, p)
	}
	rows.Close()
	db.Close()
	if len(pages) == 0 || size == 0 {
		t.Fatalf("no pages of %s", name)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef garbage ", int(size)/14+1))[:size]
	for _, p := range pages {
		if _, err := f.WriteAt(junk, (p-1)*size); err != nil {
			t.Fatal(err)
		}
	}
}

// capturedStore captures n dossiers and returns the folder, their receipt numbers and the big
// attachment file of the last one.
func capturedStore(t *testing.T, n int) (string, []string, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := openSigned(context.Background(), dir, outbox.Options{KioskID: sealedKiosk})
	if err != nil {
		t.Fatal(err)
	}
	var receipts []string
	var big string
	for i := 0; i < n; i++ {
		before := blobNames(t, dir)
		e, err := s.Capture(context.Background(), newDossier(), newFiles(20<<10), nil)
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, e.ReceiptNo)
		var size int64 = -1
		for name := range blobNames(t, dir) {
			if st, err := os.Stat(filepath.Join(dir, "blobs", name)); err == nil && !before[name] && st.Size() > size {
				big, size = name, st.Size()
			}
		}
	}
	s.Close()
	return dir, receipts, big
}

// A database with garbage in one table's pages is refused by Open (ErrCorrupt); Salvage sets it
// aside (kept, never deleted), recovers every dossier whose row reads and decrypts into a fresh
// store with its receipt number, flags the one whose file is lost for staff, and receipt numbers go
// on from the last one issued.
func TestOutboxSalvageIntoFreshStore(t *testing.T) {
	ctx := context.Background()
	dir, receipts, big := capturedStore(t, 4)
	os.Remove(filepath.Join(dir, "blobs", big)) // the last dossier's own file is lost too
	garblePages(t, filepath.Join(dir, "outbox.db"), "audit")
	if _, err := outbox.Open(ctx, dir, outbox.Options{KioskID: sealedKiosk}); !errors.Is(err, outbox.ErrCorrupt) || !outbox.Unusable(err) {
		t.Fatalf("Open of a damaged database: %v, want ErrCorrupt", err)
	}
	rep, err := outbox.Salvage(ctx, dir, "", outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 4 || rep.Recovered != 4 || len(rep.Unreadable) != 0 || rep.Attachments != 7 || rep.AttachmentsBad != 1 {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(rep.Source, "outbox.db.damaged-") {
		t.Fatalf("source %q", rep.Source)
	}
	if _, err := os.Stat(rep.Source); err != nil {
		t.Fatalf("the damaged database is gone: %v", err)
	}
	s := open(t, dir, outbox.Options{KioskID: sealedKiosk})
	list := mustList(t, s)
	if len(list) != 4 {
		t.Fatalf("%d dossiers after salvage", len(list))
	}
	for i, e := range list {
		want := outbox.StateQueued
		if i == 3 {
			want = outbox.StateNeedsStaff
		}
		if e.ReceiptNo != receipts[i] || e.State != want {
			t.Errorf("dossier %d: %s %s, want %s %s", i+1, e.ReceiptNo, e.State, receipts[i], want)
		}
		if _, err := s.Reprint(ctx, e.ID); err != nil {
			t.Errorf("dossier %d unreadable after salvage: %v", i+1, err)
		}
	}
	e, err := s.Capture(ctx, newDossier(), newFiles(2<<10), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(e.ReceiptNo, "-0005") {
		t.Fatalf("receipt after salvage %s, want -0005", e.ReceiptNo)
	}
	assertNoPlaintext(t, dir)
}

// A database that is garbage from its first byte gives nothing back, but the store starts again
// sealed, numbering receipts after the highest ever issued (from the seal).
func TestOutboxSalvageUnreadableDatabase(t *testing.T) {
	ctx := context.Background()
	dir, receipts, _ := capturedStore(t, 2)
	path := filepath.Join(dir, "outbox.db")
	b, _ := os.ReadFile(path)
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	os.WriteFile(path, b[:len(b)/2], 0o600) // garbage, and truncated
	if _, err := outbox.Open(ctx, dir, outbox.Options{KioskID: sealedKiosk}); !errors.Is(err, outbox.ErrCorrupt) {
		t.Fatalf("Open: %v", err)
	}
	rep, err := outbox.Salvage(ctx, dir, "", outbox.Options{})
	if err != nil || rep.Recovered != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	s := open(t, dir, outbox.Options{KioskID: sealedKiosk})
	e, err := s.Capture(ctx, newDossier(), newFiles(2<<10), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.ReceiptNo == receipts[0] || !strings.HasSuffix(e.ReceiptNo, "-0003") {
		t.Fatalf("receipt %s after losing the database, want -0003", e.ReceiptNo)
	}
}

// With --out, the readable dossiers are exported decrypted, owner-only, and the store is left alone.
func TestOutboxSalvageExport(t *testing.T) {
	ctx := context.Background()
	dir, receipts, _ := capturedStore(t, 2)
	garblePages(t, filepath.Join(dir, "outbox.db"), "audit")
	out := filepath.Join(t.TempDir(), "export")
	rep, err := outbox.Salvage(ctx, dir, out, outbox.Options{})
	if err != nil || rep.Recovered != 2 || rep.Attachments != 4 {
		t.Fatalf("%+v %v", rep, err)
	}
	m, err := os.ReadFile(filepath.Join(out, receipts[1], "manifest.json"))
	if err != nil || !strings.Contains(string(m), citizenName) {
		t.Fatalf("manifest: %v", err)
	}
	pdf, err := os.ReadFile(filepath.Join(out, receipts[1], "02.pdf"))
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("attachment: %v", err)
	}
	for _, p := range []string{out, filepath.Join(out, receipts[1])} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v", p, st.Mode())
		}
	}
	if st, _ := os.Stat(filepath.Join(out, receipts[1], "02.pdf")); st.Mode().Perm() != 0o600 {
		t.Fatalf("exported PDF mode %v", st.Mode())
	}
	if _, err := os.Stat(filepath.Join(dir, "outbox.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a fresh database was made by an export: %v", err)
	}
}
