package outbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/outbox"
)

// blobNames lists the stored attachment files of an outbox.
func blobNames(t *testing.T, dir string) map[string]bool {
	t.Helper()
	ents, _ := os.ReadDir(filepath.Join(dir, "blobs"))
	m := map[string]bool{}
	for _, e := range ents {
		m[e.Name()] = true
	}
	return m
}

// A dossier whose stored file is missing, and one whose file no longer decrypts, are flagged for
// staff after a bounded number of tries (visible in List), instead of staying "uploading" forever;
// a sound dossier behind them is still delivered, and Retry puts a flagged one back in the queue.
func TestDamagedAttachmentFlaggedForStaff(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, url := startServer(t, devserver.Config{})
	dir := t.TempDir()
	s := open(t, dir, outbox.Options{})
	var own []string // the big (per-dossier) blob of each dossier
	for i := 0; i < 3; i++ {
		before := blobNames(t, dir)
		if _, err := s.Capture(ctx, newDossier(), newFiles(200<<10), nil); err != nil {
			t.Fatal(err)
		}
		// The big file is the dossier's own (the small one may be shared): the largest new file.
		big, size := "", int64(-1)
		for n := range blobNames(t, dir) {
			if st, err := os.Stat(filepath.Join(dir, "blobs", n)); err == nil && !before[n] && st.Size() > size {
				big, size = n, st.Size()
			}
		}
		own = append(own, big)
	}
	if len(own) != 3 || own[0] == "" || own[1] == "" || own[2] == "" {
		t.Fatalf("blobs: %v", own)
	}
	// Dossier 2 loses its file; dossier 3's is damaged in the middle (the small tờ khai is shared
	// with dossier 1, which stays sound).
	os.Remove(filepath.Join(dir, "blobs", own[len(own)-2]))
	p := filepath.Join(dir, "blobs", own[len(own)-1])
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 0xff
	os.WriteFile(p, b, 0o600)

	c, err := outbox.Connect(ctx, s, url, nil, central.Options{ChunkSize: 32 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	clock := &sleepLog{virtualClock: virtualClock{now: time.Now()}}
	u := outbox.NewUploader(s, c, outbox.UploaderOptions{UntilEmpty: true, Clock: clock, LocalTries: 3})
	if err := u.Run(ctx); err != nil {
		t.Fatalf("uploader did not finish: %v", err)
	}
	list := mustList(t, s)
	want := []string{outbox.StateAccepted, outbox.StateNeedsStaff, outbox.StateNeedsStaff}
	for i, e := range list {
		if e.State != want[i] {
			t.Errorf("dossier %d: %s, want %s", e.ID, e.State, want[i])
		}
		if e.State == outbox.StateNeedsStaff && (e.Attempts != 3 || !strings.Contains(e.Reason, "nhân viên") || !strings.Contains(e.Reason, "staff action")) {
			t.Errorf("dossier %d flagged after %d tries, reason %q", e.ID, e.Attempts, e.Reason)
		}
		// The reason for staff reads as one sentence: the failure's own (missing file, no decrypt)
		// is its English detail.
		if e.State == outbox.StateNeedsStaff {
			t.Logf("dossier %d: %s", e.ID, e.Reason)
			if werr := errtext.Check(errors.New(e.Reason)); werr != nil {
				t.Errorf("dossier %d: %v", e.ID, werr)
			}
			if _, detail, _ := strings.Cut(e.Reason, "): "); errtext.English(detail) != detail || strings.ContainsFunc(detail, func(r rune) bool { return r > 0x7f }) {
				t.Errorf("dossier %d: the detail %q is not English", e.ID, detail)
			}
		}
	}
	if n, _ := s.Pending(ctx); n != 0 {
		t.Errorf("%d pending", n)
	}
	flagged, err := s.List(ctx, outbox.StateNeedsStaff)
	if err != nil || len(flagged) != 2 {
		t.Fatalf("List(needs-staff): %d %v", len(flagged), err)
	}
	if err := s.Retry(ctx, flagged[0].ID); err != nil {
		t.Fatalf("retry of a flagged dossier: %v", err)
	}
	if e, _ := s.Get(ctx, flagged[0].ID); e.State != outbox.StateQueued {
		t.Errorf("after retry: %s", e.State)
	}
}
