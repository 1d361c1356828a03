package outbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
)

func open(t *testing.T, dir string, opts outbox.Options) *outbox.Store {
	t.Helper()
	s, err := openSigned(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func drain(t *testing.T, s *outbox.Store, url string, log *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := outbox.Connect(ctx, s, url, nil, central.Options{RequestTimeout: time.Second, ChunkSize: 32 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	u := outbox.NewUploader(s, c, outbox.UploaderOptions{UntilEmpty: true, BaseDelay: 5 * time.Millisecond,
		MaxDelay: 50 * time.Millisecond, Logger: newLogger(log)})
	if err := u.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// serverHolds checks that the server holds each listed dossier exactly once, with its attachments
// intact, and that the outbox shows it accepted with the server's code.
func serverHolds(t *testing.T, s *outbox.Store, srvDir string) {
	t.Helper()
	ctx := context.Background()
	dump, err := devserver.Dump(ctx, srvDir)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]devserver.DumpEntry{}
	for _, d := range dump {
		if _, dup := byKey[d.IdempotencyKey]; dup {
			t.Fatalf("dossier %s stored twice", d.IdempotencyKey)
		}
		byKey[d.IdempotencyKey] = d
	}
	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dump) != len(list) {
		t.Fatalf("server holds %d dossiers, outbox has %d", len(dump), len(list))
	}
	for _, e := range list {
		d, ok := byKey[e.IdempotencyKey]
		if !ok {
			t.Fatalf("dossier %d (%s) never reached the server", e.ID, e.State)
		}
		if e.State != outbox.StateAccepted || e.DossierCode != d.DossierCode {
			t.Fatalf("dossier %d: %s %q, server code %q", e.ID, e.State, e.DossierCode, d.DossierCode)
		}
		rp, err := s.Reprint(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rp.Dossier.Attachments) != len(d.Attachments) {
			t.Fatalf("dossier %d: %d attachments on the server", e.ID, len(d.Attachments))
		}
		for i, a := range rp.Dossier.Attachments {
			if d.Attachments[i].SHA256 != a.SHA256 || d.Attachments[i].Size != a.Size {
				t.Fatalf("dossier %d attachment %d: server has %s/%d, want %s/%d", e.ID, i, d.Attachments[i].SHA256, d.Attachments[i].Size, a.SHA256, a.Size)
			}
		}
	}
}

func TestCaptureDeliverExactlyOnce(t *testing.T) {
	faults, _ := devserver.ParseFaults("500=0.15,reset=0.15,slow=0.05,hang=0.03")
	srv, url := startServer(t, devserver.Config{Faults: faults.Decide, SlowDelay: 50 * time.Millisecond, HangMax: 5 * time.Second})
	dir := t.TempDir()
	s := open(t, dir, outbox.Options{KioskID: "HN-OCD-02"})
	ctx := context.Background()
	var ids []int64
	for i := 0; i < 4; i++ {
		e, err := s.Capture(ctx, newDossier(), newFiles(100<<10), nil)
		if err != nil {
			t.Fatal(err)
		}
		if e.State != outbox.StateQueued || !strings.HasPrefix(e.ReceiptNo, "HN-OCD-02-") || e.DossierCode != "" {
			t.Fatalf("%+v", e)
		}
		ids = append(ids, e.ID)
	}
	var log bytes.Buffer
	drain(t, s, url, &log)
	serverHolds(t, s, srv.Dir())
	audit, _ := s.Audit(ctx, ids[0])
	var states []string
	for _, a := range audit {
		states = append(states, a.State)
	}
	if got := strings.Join(states, ","); got != "captured,queued,uploading,accepted" {
		t.Fatalf("audit trail %s", got)
	}
	assertNoPlaintext(t, dir)
	assertNoPersonalData(t, "uploader log", log.String())
	for _, e := range mustList(t, s) {
		assertNoPersonalData(t, "outbox entry", e.LastError+e.Reason)
	}
}

func mustList(t *testing.T, s *outbox.Store) []outbox.Entry {
	l, err := s.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestValidationRefusesIncompleteDossier(t *testing.T) {
	s := open(t, t.TempDir(), outbox.Options{})
	req := []dossier.Requirement{{Type: "to-khai"}, {Type: "giay-to-tuy-than", Name: "Giấy tờ tùy thân"}}
	_, err := s.Capture(context.Background(), newDossier(), newFiles(1000), req)
	var ve *dossier.ValidationError
	if !errors.As(err, &ve) || len(ve.Missing) != 1 || ve.Missing[0].Type != "giay-to-tuy-than" {
		t.Fatalf("%v", err)
	}
	assertNoPersonalData(t, "validation error", err.Error())
	if l := mustList(t, s); len(l) != 0 {
		t.Fatal("invalid dossier stored")
	}
	_, err = s.Capture(context.Background(), newDossier(), []outbox.File{{Type: "to-khai", Name: "x", Data: []byte("GIF89a")}}, nil)
	if !errors.Is(err, dossier.ErrNotPDF) {
		t.Fatalf("non-PDF: %v", err)
	}
}

func TestStatusSync(t *testing.T) {
	srv, url := startServer(t, devserver.Config{})
	s := open(t, t.TempDir(), outbox.Options{})
	ctx := context.Background()
	e, err := s.Capture(ctx, newDossier(), newFiles(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	drain(t, s, url, &log)
	e, _ = s.Get(ctx, e.ID)
	if e.CentralStatus != central.StatusReceived {
		t.Fatalf("%+v", e)
	}
	if err := srv.SetStatus(ctx, e.DossierCode, central.StatusNeedDocuments, ""); err != nil {
		t.Fatal(err)
	}
	drain(t, s, url, &log) // nothing to upload: one status sync
	e, _ = s.Get(ctx, e.ID)
	if e.CentralStatus != central.StatusNeedDocuments || e.State != outbox.StateAccepted {
		t.Fatalf("status not synced: %+v", e)
	}
	audit, _ := s.Audit(ctx, e.ID)
	if last := audit[len(audit)-1]; !strings.Contains(last.Note, central.StatusNeedDocuments) {
		t.Fatalf("no audit record of the change: %+v", last)
	}
}

func TestRejectedAndRetry(t *testing.T) {
	s := open(t, t.TempDir(), outbox.Options{})
	ctx := context.Background()
	e, err := s.Capture(ctx, newDossier(), newFiles(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &scriptedCentral{answers: []error{
		&central.Error{StatusCode: 503},
		&central.Error{StatusCode: 429, RetryAfter: time.Millisecond},
		&central.Error{StatusCode: 422, Problem: central.Problem{Type: central.ProblemInvalidDossier, Title: "x"}},
	}}
	u := outbox.NewUploader(s, c, outbox.UploaderOptions{UntilEmpty: true, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})
	if err := u.Run(ctx); err != nil {
		t.Fatal(err)
	}
	e, _ = s.Get(ctx, e.ID)
	if e.State != outbox.StateRejected || !strings.Contains(e.Reason, "422") || e.Attempts != 3 {
		t.Fatalf("%+v", e)
	}
	if err := s.Retry(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if err := u.Run(ctx); err != nil {
		t.Fatal(err)
	}
	e, _ = s.Get(ctx, e.ID)
	if e.State != outbox.StateAccepted || e.DossierCode != "000.00.21.H26-251124-0417" {
		t.Fatalf("%+v", e)
	}
	if err := s.Retry(ctx, e.ID); !errors.Is(err, outbox.ErrAlreadyAccepted) {
		t.Fatalf("retry of an accepted dossier: %v", err)
	}
	if err := s.Retry(ctx, 999); !errors.Is(err, outbox.ErrNotFound) {
		t.Fatal(err)
	}
}

// scriptedCentral answers submissions with the scripted errors, then accepts.
type scriptedCentral struct {
	answers []error
}

func (c *scriptedCentral) Upload(ctx context.Context, sha string, size int64, r io.ReaderAt, progress func(int64)) error {
	return nil
}

func (c *scriptedCentral) Submit(ctx context.Context, key string, m, sig []byte) (*central.DossierStatus, error) {
	if len(c.answers) > 0 {
		err := c.answers[0]
		c.answers = c.answers[1:]
		return nil, err
	}
	return &central.DossierStatus{IdempotencyKey: key, DossierCode: "000.00.21.H26-251124-0417", Status: central.StatusReceived}, nil
}

func (c *scriptedCentral) Status(ctx context.Context, key string) (*central.DossierStatus, error) {
	return &central.DossierStatus{IdempotencyKey: key, DossierCode: "000.00.21.H26-251124-0417", Status: central.StatusReceived}, nil
}

func TestRetentionPurge(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	dir := t.TempDir()
	s := open(t, dir, outbox.Options{Now: clock, Retention: 30 * 24 * time.Hour})
	ctx := context.Background()
	if _, err := s.Capture(ctx, newDossier(), newFiles(1000), nil); err != nil {
		t.Fatal(err)
	}
	done, err := s.Capture(ctx, newDossier(), newFiles(2000), nil)
	if err != nil {
		t.Fatal(err)
	}
	rp, _ := s.Reprint(ctx, done.ID)
	doneBlob := filepath.Join(dir, "blobs", rp.Dossier.Attachments[1].SHA256)
	sharedBlob := filepath.Join(dir, "blobs", rp.Dossier.Attachments[0].SHA256) // same small PDF as keep's
	// Both are accepted now; a third one, never delivered, shares the small PDF with them.
	u := outbox.NewUploader(s, &scriptedCentral{}, outbox.UploaderOptions{UntilEmpty: true})
	if err := u.Run(ctx); err != nil {
		t.Fatal(err)
	}
	pending, _ := s.Capture(ctx, newDossier(), newFiles(1000), nil)

	now = now.Add(29 * 24 * time.Hour)
	if n, err := s.Purge(ctx); err != nil || n != 0 {
		t.Fatalf("purged %d before the retention period: %v", n, err)
	}
	now = now.Add(2 * 24 * time.Hour)
	n, err := s.Purge(ctx)
	if err != nil || n != 2 {
		t.Fatalf("purged %d: %v", n, err)
	}
	if _, err := s.Reprint(ctx, done.ID); !errors.Is(err, outbox.ErrPurged) {
		t.Fatalf("reprint after purge: %v", err)
	}
	e, _ := s.Get(ctx, done.ID)
	if !e.Purged || e.State != outbox.StateAccepted || e.DossierCode == "" {
		t.Fatalf("purged entry: %+v", e)
	}
	if _, err := os.Stat(doneBlob); !os.IsNotExist(err) {
		t.Fatal("attachment file of a purged dossier still there")
	}
	if _, err := os.Stat(sharedBlob); err != nil {
		t.Fatal("attachment file still used by a pending dossier was removed")
	}
	if _, err := s.Reprint(ctx, pending.ID); err != nil {
		t.Fatalf("pending dossier damaged by purge: %v", err)
	}
}

func TestDiskFullRefusesCapture(t *testing.T) {
	free := uint64(1 << 30)
	dir := t.TempDir()
	s := open(t, dir, outbox.Options{MinFree: 100 << 20, FreeSpace: func(string) (uint64, error) { return free, nil }})
	ctx := context.Background()
	first, err := s.Capture(ctx, newDossier(), newFiles(1<<20), nil)
	if err != nil {
		t.Fatal(err)
	}
	free = 100<<20 + 512<<10 // above the reserve, but not enough for this capture
	_, err = s.Capture(ctx, newDossier(), newFiles(1<<20), nil)
	if !errors.Is(err, outbox.ErrDiskFull) {
		t.Fatalf("want ErrDiskFull, got %v", err)
	}
	if !strings.Contains(err.Error(), "bộ nhớ") || !strings.Contains(err.Error(), "storage") {
		t.Fatalf("message: %v", err)
	}
	if l := mustList(t, s); len(l) != 1 || l[0].ID != first.ID {
		t.Fatalf("store changed: %+v", l)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "blobs"))
	if len(ents) != 2 {
		t.Fatalf("%d files in blobs/, want the first dossier's 2", len(ents))
	}
}

func TestDiskFullRealEFBIG(t *testing.T) {
	cmd, out := runHelper(t, "efbig", "OUTBOX_DATA="+t.TempDir())
	if err := cmd.Wait(); err != nil || !strings.Contains(out.String(), "OK") {
		t.Fatalf("%v: %s", err, out)
	}
}

func TestKeyFilesAndWrongKey(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, outbox.Options{})
	ctx := context.Background()
	e, err := s.Capture(ctx, newDossier(), newFiles(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"storage.key", "device-key.pem"} {
		st, err := os.Stat(filepath.Join(dir, "keys", f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", f, st.Mode(), err)
		}
	}
	s.Close()
	// Another key file is refused at open (the seal does not match it), and a missing one is not made.
	other := filepath.Join(t.TempDir(), "other.key")
	if _, err := outbox.Open(ctx, dir, outbox.Options{KeyFile: other}); !errors.Is(err, outbox.ErrStorageKeyMissing) {
		t.Fatalf("missing key file: %v", err)
	}
	k := make([]byte, 32)
	rand.Read(k)
	os.WriteFile(other, k, 0o600)
	if _, err := outbox.Open(ctx, dir, outbox.Options{KeyFile: other}); !errors.Is(err, outbox.ErrStorageKeyReplaced) {
		t.Fatalf("wrong key: %v", err)
	}
	s2 := open(t, dir, outbox.Options{})
	if _, err := s2.Reprint(ctx, e.ID); err != nil {
		t.Fatalf("right key: %v", err)
	}
	s2.Close()
	os.Chmod(filepath.Join(dir, "keys", "storage.key"), 0o644)
	_, err = openSigned(ctx, dir, outbox.Options{})
	if err == nil {
		t.Fatal("world-readable key file accepted")
	}
	// One sentence, the mode's, not also "cannot read storage key".
	if werr := errtext.Check(err); werr != nil || !strings.Contains(err.Error(), "0600") {
		t.Errorf("world-readable key file: %v (%v)", err, werr)
	}
}

func TestCorruptDatabaseRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, outbox.Options{})
	for i := 0; i < 3; i++ {
		if _, err := s.Capture(context.Background(), newDossier(), newFiles(1000), nil); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	db := filepath.Join(dir, "outbox.db")
	b, _ := os.ReadFile(db)
	if len(b) < 8192 {
		t.Skip("database too small to damage a page")
	}
	for i := 4096; i < len(b)-1; i += 7 {
		b[i] ^= 0x5a
	}
	os.WriteFile(db, b, 0o600)
	_, err := openSigned(context.Background(), dir, outbox.Options{})
	if err == nil {
		t.Fatal("damaged database opened")
	}
	t.Log(err)
	if werr := errtext.Check(err); werr != nil {
		t.Error(werr)
	}
}

func TestBlobEncryptionRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, outbox.Options{})
	for _, size := range []int{1, 65535, 65536, 65537, 3*65536 + 5} {
		files := newFiles(size + 64)
		e, err := s.Capture(context.Background(), newDossier(), files, nil)
		if err != nil {
			t.Fatal(err)
		}
		rp, _ := s.Reprint(context.Background(), e.ID)
		// The stored copy is the signed one: the PDF and an incremental update (the uploaded
		// bytes' hashes are checked by recordingCentral below).
		sum := sha256.Sum256(files[1].Data)
		if a := rp.Dossier.Attachments[1]; a.SHA256 == hex.EncodeToString(sum[:]) || a.Size <= int64(len(files[1].Data)) || a.Size > int64(len(files[1].Data))+24<<10 {
			t.Fatalf("attachment %+v of a %d-byte PDF", a, len(files[1].Data))
		}
	}
	// A truncated attachment file is detected by the uploader rather than sent.
	ents, _ := os.ReadDir(filepath.Join(dir, "blobs"))
	for _, en := range ents {
		p := filepath.Join(dir, "blobs", en.Name())
		st, _ := os.Stat(p)
		if st.Size() > 3*65536 {
			os.Truncate(p, 12+65536+16) // cut at a segment boundary
		}
	}
	c := &recordingCentral{}
	u := outbox.NewUploader(s, c, outbox.UploaderOptions{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	u.Run(ctx)
	for _, e := range mustList(t, s) {
		if e.State == outbox.StateAccepted {
			rp, _ := s.Reprint(context.Background(), e.ID)
			if rp.Dossier.Attachments[1].Size > 3*65536 {
				t.Fatal("dossier with a truncated attachment accepted")
			}
		}
	}
	if c.badReads == 0 {
		t.Log("truncated file refused before upload")
	}
}

// recordingCentral reads every uploaded file fully and checks its hash.
type recordingCentral struct {
	scriptedCentral
	badReads int
}

func (c *recordingCentral) Upload(ctx context.Context, sha string, size int64, r io.ReaderAt, progress func(int64)) error {
	b := make([]byte, size)
	if _, err := r.ReadAt(b, 0); err != nil {
		c.badReads++
		return err
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != sha {
		c.badReads++
		return errors.New("hash mismatch")
	}
	return nil
}
