package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/outbox"
)

// Contacts of the opt-ins in the tests below: the bytes searched for in the services queue's files.
const (
	purgedPhone  = "+84912345678"             // opt-in of a dossier accepted, then purged
	purgedEmail  = "nguyen.van.an@example.vn" // the same opt-in's address
	orphanEmail  = "tran.thi.binh@example.vn" // opt-in of a dossier the outbox never held
	pendingPhone = "+84987654321"             // opt-in of a dossier still waiting for central
)

func openQueue(t *testing.T, dir string) *outbox.ServicesQueue {
	t.Helper()
	q, err := outbox.OpenServicesQueue(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

func addOptIn(t *testing.T, q *outbox.ServicesQueue, key string, n central.NotifyOptIn) {
	t.Helper()
	n.ConsentAt = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := q.AddNotify(context.Background(), key, n); err != nil {
		t.Fatal(err)
	}
}

func pendingNotify(t *testing.T, q *outbox.ServicesQueue) int {
	t.Helper()
	n, err := q.PendingNotify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// queueFileBytes is the content of the services queue's database and its WAL.
func queueFileBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	for _, name := range []string{outbox.ServicesQueueFile, outbox.ServicesQueueFile + "-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// TestPurgeForgetsContact: the retention purge deletes a citizen's contact with the dossier's
// personal data, an opt-in whose dossier the outbox does not hold goes at once, an opt-in whose
// dossier is still held stays, and the deleted contacts are gone from the queue's files.
func TestPurgeForgetsContact(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	state := t.TempDir()
	s := open(t, filepath.Join(state, "outbox"), outbox.Options{Now: clock, Retention: 30 * 24 * time.Hour})
	q := openQueue(t, state)

	done, err := s.Capture(ctx, newDossier(), newFiles(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := outbox.NewUploader(s, &scriptedCentral{}, outbox.UploaderOptions{UntilEmpty: true}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Capture(ctx, newDossier(), newFiles(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	addOptIn(t, q, done.IdempotencyKey, central.NotifyOptIn{Channels: []string{central.ChannelSMS, central.ChannelEmail},
		Phone: purgedPhone, Email: purgedEmail})
	addOptIn(t, q, "khong-co-trong-hang-doi", central.NotifyOptIn{Channels: []string{central.ChannelEmail}, Email: orphanEmail})
	addOptIn(t, q, pending.IdempotencyKey, central.NotifyOptIn{Channels: []string{central.ChannelZalo}, Phone: pendingPhone})
	if b := queueFileBytes(t, state); !bytes.Contains(b, []byte(purgedPhone)) || !bytes.Contains(b, []byte(orphanEmail)) {
		t.Fatal("the contacts are not in the queue's files before the purge: the search below proves nothing")
	}

	// Before the retention period: the accepted dossier and its contact stay; the opt-in without a
	// dossier goes.
	now = now.Add(29 * 24 * time.Hour)
	purged, forgotten, err := s.PurgeWithContacts(ctx, q)
	if err != nil || purged != 0 || forgotten != 1 {
		t.Fatalf("before the retention period: purged %d, forgot %d contacts: %v", purged, forgotten, err)
	}
	if n := pendingNotify(t, q); n != 2 {
		t.Fatalf("%d opt-ins held before the retention period, want 2", n)
	}

	now = now.Add(2 * 24 * time.Hour)
	purged, forgotten, err = s.PurgeWithContacts(ctx, q)
	if err != nil || purged != 1 || forgotten != 1 {
		t.Fatalf("after the retention period: purged %d, forgot %d contacts: %v", purged, forgotten, err)
	}
	if n := pendingNotify(t, q); n != 1 {
		t.Fatalf("%d opt-ins held after the purge, want only the pending dossier's", n)
	}
	// Purging again finds nothing more; the pending dossier's contact is never touched.
	if purged, forgotten, err = s.PurgeWithContacts(ctx, q); err != nil || purged != 0 || forgotten != 0 {
		t.Fatalf("second purge: purged %d, forgot %d contacts: %v", purged, forgotten, err)
	}

	b := queueFileBytes(t, state)
	for _, c := range []string{purgedPhone, purgedEmail, orphanEmail} {
		if bytes.Contains(b, []byte(c)) {
			t.Errorf("deleted contact %s still in the services queue's files (secure_delete off, or the WAL kept it)", c)
		}
	}
	if !bytes.Contains(b, []byte(pendingPhone)) {
		t.Error("the contact of a dossier still held is gone from the services queue")
	}
}

// TestPruneNotifyKeepsContactsOfStoreOutOfService: a store out of service shows none of its
// dossiers, which does not mean they are gone: no contact is deleted.
func TestPruneNotifyKeepsContactsOfStoreOutOfService(t *testing.T) {
	ctx := context.Background()
	state := t.TempDir()
	q := openQueue(t, state)
	addOptIn(t, q, "ho-so-trong-kho-hong", central.NotifyOptIn{Channels: []string{central.ChannelSMS}, Phone: purgedPhone})
	s, err := outbox.OutOfService(filepath.Join(state, "outbox"), outbox.Options{}, outbox.ErrCorrupt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := q.PruneNotify(ctx, s); err != nil || n != 0 {
		t.Fatalf("pruned %d opt-ins against a store out of service: %v", n, err)
	}
	if n := pendingNotify(t, q); n != 1 {
		t.Fatalf("%d opt-ins held, want 1", n)
	}
}

// TestForwardNotifyForgetsDeliveredContact: once the development central server holds the opt-in,
// the kiosk's copy of the contact is gone from its files; the opt-in of a dossier central does not
// hold yet (404) stays for the next round.
func TestForwardNotifyForgetsDeliveredContact(t *testing.T) {
	ctx := context.Background()
	state := t.TempDir()
	_, url := startServer(t, devserver.Config{})
	s := open(t, filepath.Join(state, "outbox"), outbox.Options{})
	q := openQueue(t, state)
	delivered, err := s.Capture(ctx, newDossier(), newFiles(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	drain(t, s, url, &log)
	waiting, err := s.Capture(ctx, newDossier(), newFiles(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	addOptIn(t, q, delivered.IdempotencyKey, central.NotifyOptIn{Channels: []string{central.ChannelEmail}, Email: purgedEmail})
	addOptIn(t, q, waiting.IdempotencyKey, central.NotifyOptIn{Channels: []string{central.ChannelSMS}, Phone: pendingPhone})
	c, err := outbox.Connect(ctx, s, url, nil, central.Options{RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if sent, err := q.ForwardNotify(ctx, c); err != nil || sent != 1 {
		t.Fatalf("forwarded %d opt-ins: %v", sent, err)
	}
	if n := pendingNotify(t, q); n != 1 {
		t.Fatalf("%d opt-ins held, want the one central cannot take yet", n)
	}
	b := queueFileBytes(t, state)
	if bytes.Contains(b, []byte(purgedEmail)) {
		t.Error("a contact central took is still in the services queue's files")
	}
	if !bytes.Contains(b, []byte(pendingPhone)) {
		t.Error("a contact central could not take yet is gone")
	}
}
