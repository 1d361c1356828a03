package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/outbox"
)

// TestOutboxPurgeForgetsContacts: `outbox purge` also deletes the notification contacts the
// services queue beside the outbox holds for dossiers the outbox does not hold; without a services
// queue it purges the dossiers only and creates none.
func TestOutboxPurgeForgetsContacts(t *testing.T) {
	ctx := context.Background()
	state := t.TempDir()
	q, err := outbox.OpenServicesQueue(ctx, state)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if err := q.AddNotify(ctx, "ho-so-khong-con", central.NotifyOptIn{Channels: []string{central.ChannelSMS},
		Phone: "0912345678", ConsentAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := kioskctl(t, ctx, nil, "outbox", "purge", "--data", filepath.Join(state, "outbox"))
	if code != 0 || !strings.Contains(out, "1 liên hệ nhận tin") {
		t.Fatalf("purge: %d %q %q", code, out, errs)
	}
	if n, err := q.PendingNotify(ctx); err != nil || n != 0 {
		t.Fatalf("%d opt-ins left after the purge: %v", n, err)
	}

	bare := t.TempDir()
	code, out, errs = kioskctl(t, ctx, nil, "outbox", "purge", "--data", filepath.Join(bare, "outbox"))
	if code != 0 || !strings.Contains(out, "purged 0 dossiers") || strings.Contains(out, "liên hệ") {
		t.Fatalf("purge without a services queue: %d %q %q", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(bare, outbox.ServicesQueueFile)); !os.IsNotExist(err) {
		t.Fatalf("purge created a services queue: %v", err)
	}
	if code, _, errs := kioskctl(t, ctx, nil, "outbox", "purge", "--data", filepath.Join(bare, "outbox"), "--days", "-1"); code != 2 || !strings.Contains(errs, "--days") {
		t.Fatalf("negative --days: %d %q", code, errs)
	}
}
