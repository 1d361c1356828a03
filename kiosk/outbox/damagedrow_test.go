package outbox_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/outbox"
)

// damageRow runs an UPDATE on the outbox database of dir behind the store's back, as a damaged
// record would read: SQLite keeps text in an INTEGER column.
func damageRow(t *testing.T, dir, update string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(update); err != nil {
		t.Fatal(err)
	}
}

// A dossier whose record of its attachment files does not read back (a size that is not a
// number) is never sent with a made-up size of 0: it is set aside for staff after the usual
// tries, and the sound dossier behind it is delivered.
func TestDamagedAttachmentRowSetAside(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	s, err := openSigned(ctx, dir, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for range 2 {
		e, err := s.Capture(ctx, newDossier(), newFiles(2000), nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	s.Close()
	damageRow(t, dir, "UPDATE attachments SET size='mười hai' WHERE idx=1 AND dossier_id=1")
	s = open(t, dir, outbox.Options{})

	c := &recordingCentral{}
	clock := &virtualClock{now: time.Now()}
	u := outbox.NewUploader(s, c, outbox.UploaderOptions{UntilEmpty: true, Clock: clock, LocalTries: 3})
	if err := u.Run(ctx); err != nil {
		t.Fatalf("uploader: %v", err)
	}
	if c.badReads != 0 {
		t.Errorf("%d uploads of a wrong size or content", c.badReads)
	}
	bad, _ := s.Get(ctx, ids[0])
	if bad.State != outbox.StateNeedsStaff || bad.Attempts != 3 || !strings.Contains(bad.LastError, "damaged row") {
		t.Errorf("dossier with a damaged row: %s after %d tries, last error %q", bad.State, bad.Attempts, bad.LastError)
	}
	if good, _ := s.Get(ctx, ids[1]); good.State != outbox.StateAccepted {
		t.Errorf("sound dossier: %s", good.State)
	}

	// A listing over a damaged dossier row fails, rather than showing zeros.
	damageRow(t, dir, "UPDATE dossiers SET attempts='ba' WHERE id=2")
	if list, err := s.List(ctx); err == nil {
		t.Errorf("List over a damaged row: %d entries, no error", len(list))
	}
}
