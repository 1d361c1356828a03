//go:build !nosim

package daemon

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/ocr/pdf"
)

// The contacts of the opt-ins below: the bytes looked for in the services queue's files.
const (
	oldPhone     = "+84912000031" // dossier accepted 31 days before the purge
	recentPhone  = "+84912000011" // dossier accepted 11 days before it
	waitingPhone = "+84912000099" // dossier captured 31 days before it, never accepted
)

const day = 24 * time.Hour

// logBuffer collects a logger's output; safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// retentionFiles are two one-page PDFs made by the kiosk's own PDF writer, marked n: stored files
// are named by their content, so the papers of different dossiers must differ.
func retentionFiles(t *testing.T, n int) []outbox.File {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 170, 220))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	img.SetGray(10+n, 10, color.Gray{})
	var files []outbox.File
	for _, f := range []struct{ typ, name string }{{"to-khai", "Tờ khai"}, {"giay-chung-sinh", "Giấy chứng sinh"}} {
		var b bytes.Buffer
		if err := pdf.Write(&b, []pdf.Page{{Image: img, Encoding: pdf.FlateBits, DPI: 20}}, pdf.Info{Title: f.name, Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		files = append(files, outbox.File{Type: f.typ, Name: f.name, Data: b.Bytes()})
	}
	return files
}

// commitDossier commits a dossier of the simulated citizen to store and returns its entry and the
// paths of its stored attachment files.
func commitDossier(t *testing.T, store *outbox.Store, cfg *config.Config, n int) (outbox.Entry, []string) {
	t.Helper()
	d := &dossier.Dossier{
		Procedure: dossier.Procedure{Code: "1.001193", Name: "Đăng ký khai sinh"},
		Unit:      dossier.Unit{Code: cfg.Kiosk.UnitCode, Name: cfg.Kiosk.UnitName},
		Applicant: dossier.Applicant{IDNumber: "079092001234", FullName: "Trần Văn Ẩn", DateOfBirth: "1992-05-14",
			Phone: "0912000031", Address: "Số 1 phố Xã Đàn", PassiveAuth: wire.PassiveValid},
		Fields:  map[string]string{"childFullName": "Trần Minh Khang"},
		Consent: dossier.Consent{Given: true, At: time.Now(), Text: consentText},
	}
	e, err := store.Capture(context.Background(), d, retentionFiles(t, n), nil)
	if err != nil {
		t.Fatal(err)
	}
	var blobs []string
	for _, a := range d.Attachments {
		p := filepath.Join(cfg.Paths.StateDir, "outbox", "blobs", a.SHA256)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("stored attachment file: %v", err)
		}
		blobs = append(blobs, p)
	}
	if len(blobs) != 2 {
		t.Fatalf("%d attachments stored, want 2", len(blobs))
	}
	return e, blobs
}

// waitEntry waits until dossier id satisfies ok.
func waitEntry(t *testing.T, store *outbox.Store, id int64, what string, d time.Duration, ok func(outbox.Entry) bool) outbox.Entry {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		e, err := store.Get(context.Background(), id)
		if err == nil && ok(e) {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %+v %v", what, e, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// servicesQueueBytes is the content of the services queue's database and its WAL.
func servicesQueueBytes(t *testing.T, stateDir string) []byte {
	t.Helper()
	var all []byte
	for _, name := range []string{outbox.ServicesQueueFile, outbox.ServicesQueueFile + "-wal"} {
		b, err := os.ReadFile(filepath.Join(stateDir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// kept checks that dossier e still has its personal data and its attachment files.
func kept(t *testing.T, store *outbox.Store, e outbox.Entry, blobs []string, what string) {
	t.Helper()
	got, err := store.Get(context.Background(), e.ID)
	if err != nil || got.Purged {
		t.Fatalf("%s: purged %v: %v", what, got.Purged, err)
	}
	if _, err := store.Reprint(context.Background(), e.ID); err != nil {
		t.Fatalf("%s: its data no longer reads: %v", what, err)
	}
	for _, p := range blobs {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s: attachment file gone: %v", what, err)
		}
	}
}

// lastPurge is when kioskd says its retention purge last ran (kioskctl status --json).
func (k *kiosk) lastPurge() time.Time {
	k.t.Helper()
	h, err := k.c.Health(k.ctx(5 * time.Second))
	if err != nil {
		k.t.Fatal(err)
	}
	s, _ := h["retentionLastPurge"].(string)
	at, _ := time.Parse(time.RFC3339Nano, s)
	return at
}

// awaitPurges waits until n purge rounds have ended after the kiosk's clock read now, as status
// shows them: with n = 2, at least one round ran wholly after now.
func (k *kiosk) awaitPurges(n int, now func() time.Time, what string) {
	k.t.Helper()
	since := now()
	for range n {
		for deadline := time.Now().Add(30 * time.Second); !k.lastPurge().After(since); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				k.t.Fatalf("%s: no retention purge ended after %v (last %v)", what, since, k.lastPurge())
			}
		}
		since = k.lastPurge()
	}
}

// kioskd purges by itself, with nobody running kioskctl: a dossier accepted more than the retention
// period ago loses its personal data, its attachment files and its citizen's contact; a dossier
// accepted inside the period and one never accepted (however old) keep everything. The kiosk's
// clock is moved forward across the 30-day period; the purge runs every 200 ms.
func TestRetentionPurgeRunsByItself(t *testing.T) {
	_, sim, cfg := simulated(t)
	var ahead atomic.Int64 // how far the kiosk's clock is ahead of the real one
	clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	var log logBuffer
	k := startKioskWith(t, sim, cfg, Options{Now: clock, RetentionEvery: 200 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := k.ctx(5 * time.Minute)

	// The dossiers are committed through a second handle on kioskd's store (as kioskctl opens it),
	// on the real clock, once kioskd's uploader has enrolled the kiosk.
	store, err := outbox.Open(ctx, filepath.Join(cfg.Paths.StateDir, "outbox"), outbox.Options{KioskID: cfg.Kiosk.ID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for deadline := time.Now().Add(30 * time.Second); store.SigningReady() != nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("kioskd did not enrol the kiosk: %v", store.SigningReady())
		}
	}
	accepted := func(e outbox.Entry) bool { return e.State == outbox.StateAccepted }

	old, oldBlobs := commitDossier(t, store, cfg, 1)
	waitEntry(t, store, old.ID, "the first dossier accepted", 60*time.Second, accepted)

	// 20 days on: a second dossier is accepted; the purges of those days leave the first alone.
	ahead.Store(int64(20 * day))
	recent, recentBlobs := commitDossier(t, store, cfg, 2)
	waitEntry(t, store, recent.ID, "the second dossier accepted", 60*time.Second, accepted)
	k.awaitPurges(2, clock, "day 20")
	kept(t, store, old, oldBlobs, "dossier accepted 20 days ago")

	// Central goes offline: a third dossier waits in the outbox. Each citizen asked for news by SMS;
	// the offline central system cannot take the contacts, so the kiosk holds them.
	k.control(http.MethodPost, "central", map[string]any{"offline": true})
	waiting, waitingBlobs := commitDossier(t, store, cfg, 3)
	q, err := outbox.OpenServicesQueue(ctx, cfg.Paths.StateDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []struct {
		key, phone string
	}{{old.IdempotencyKey, oldPhone}, {recent.IdempotencyKey, recentPhone}, {waiting.IdempotencyKey, waitingPhone}} {
		if err := q.AddNotify(ctx, o.key, central.NotifyOptIn{Channels: []string{central.ChannelSMS}, Phone: o.phone, ConsentAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	q.Close()
	if b := servicesQueueBytes(t, cfg.Paths.StateDir); !bytes.Contains(b, []byte(oldPhone)) || !bytes.Contains(b, []byte(waitingPhone)) {
		t.Fatal("the contacts are not in the services queue's files: looking for them below proves nothing")
	}

	// 31 days after the first acceptance: kioskd purges the first dossier by itself.
	ahead.Store(int64(31 * day))
	waitEntry(t, store, old.ID, "the first dossier purged", 30*time.Second, func(e outbox.Entry) bool { return e.Purged })
	// The round that purged it has ended (its files and the contact go after the rows): status
	// shows it.
	k.awaitPurges(1, clock, "day 31")
	if _, err := store.Reprint(ctx, old.ID); !errors.Is(err, outbox.ErrPurged) {
		t.Fatalf("the purged dossier's data still reads: %v", err)
	}
	for _, p := range oldBlobs {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the purged dossier's attachment file is still there: %v", err)
		}
	}
	if bytes.Contains(servicesQueueBytes(t, cfg.Paths.StateDir), []byte(oldPhone)) {
		t.Fatal("the purged dossier's contact is still in the services queue's files")
	}
	// The log says how many, and nothing of whom.
	logged := log.String()
	if !strings.Contains(logged, `msg="retention purge" dossiers=1 contacts=1`) {
		t.Errorf("the purge is not logged with its counts:\n%s", logged)
	}
	for _, personal := range []string{"079092001234", "Trần Văn Ẩn", "Ẩn", "0912000031", oldPhone} {
		if strings.Contains(logged, personal) {
			t.Errorf("kioskd's log holds personal data %q", personal)
		}
	}

	// Absence of harm, a few purges later: the dossier inside its period and the one never
	// accepted keep their data, their files and their contacts.
	k.awaitPurges(3, clock, "after day 31")
	kept(t, store, recent, recentBlobs, "dossier accepted 11 days ago")
	kept(t, store, waiting, waitingBlobs, "dossier never accepted")
	if e, _ := store.Get(ctx, waiting.ID); e.State == outbox.StateAccepted {
		t.Fatal("the offline central system accepted a dossier: the test proves nothing of it")
	}
	b := servicesQueueBytes(t, cfg.Paths.StateDir)
	for _, phone := range []string{recentPhone, waitingPhone} {
		if !bytes.Contains(b, []byte(phone)) {
			t.Errorf("contact %s of a dossier still held is gone", phone)
		}
	}
}

// openRetention returns a retention purge of a fresh store in a test folder, on clock now.
func openRetention(t *testing.T, now func() time.Time) *retention {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := outbox.Open(ctx, filepath.Join(dir, "outbox"), outbox.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	q, err := outbox.OpenServicesQueue(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return &retention{store: store, contacts: q, gate: newCommitGate(), log: discardLogger(), now: now}
}

// The purge never runs during a dossier commit: it waits for the commit to leave the gate, and a
// purge still waiting when kioskd stops does not run at all.
func TestRetentionWaitsForTheCommit(t *testing.T) {
	r := openRetention(t, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := r.gate.enter(ctx); err != nil { // a commit in progress
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { r.purge(ctx); close(done) }()
	select {
	case <-done:
		t.Fatal("the purge did not wait for the commit")
	case <-time.After(300 * time.Millisecond):
	}
	if r.last.Load() != 0 {
		t.Fatal("a purge ran during the commit")
	}
	r.gate.leave()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the purge did not run after the commit")
	}
	if r.last.Load() == 0 {
		t.Fatal("the purge after the commit is not recorded")
	}

	// Stopping while a commit holds the gate: the waiting purge gives up.
	r.last.Store(0)
	if err := r.gate.enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	stop, halt := context.WithCancel(context.Background())
	done = make(chan struct{})
	go func() { r.purge(stop); close(done) }()
	halt()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the purge did not give up when kioskd stopped")
	}
	r.gate.leave()
	if r.last.Load() != 0 {
		t.Fatal("a purge ran while kioskd stopped during a commit")
	}
}

// An out-of-service store is left alone: no purge runs (its contacts must stay until a technician
// repairs the outbox).
func TestRetentionSkipsOutOfService(t *testing.T) {
	dir := t.TempDir()
	store, err := outbox.OutOfService(filepath.Join(dir, "outbox"), outbox.Options{}, outbox.ErrCorrupt)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	q, err := outbox.OpenServicesQueue(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	r := &retention{store: store, contacts: q, gate: newCommitGate(), log: discardLogger(), now: time.Now}
	r.purge(context.Background())
	if r.last.Load() != 0 {
		t.Fatal("a purge ran on an out-of-service store")
	}
}
