package outbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/outbox"
)

const sealedKiosk = "KIOSK-5EA1ED"

// sealedStore opens a store in a new folder and captures n dossiers in it, then closes it; it
// returns the folder and the last receipt number.
func sealedStore(t *testing.T, n int) (string, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := openSigned(context.Background(), dir, outbox.Options{KioskID: sealedKiosk})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var last string
	for i := 0; i < n; i++ {
		e, err := s.Capture(context.Background(), newDossier(), newFiles(2<<10), nil)
		if err != nil {
			t.Fatal(err)
		}
		last = e.ReceiptNo
	}
	return dir, last
}

func removeDB(t *testing.T, dir string) {
	t.Helper()
	for _, f := range []string{"outbox.db", "outbox.db-wal", "outbox.db-shm"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
}

// wantSealError checks that Open refuses with want, and that the message names what is wrong,
// Vietnamese first, English in parentheses, in NFC.
func wantSealError(t *testing.T, dir string, want error, names string) {
	t.Helper()
	s, err := outbox.Open(context.Background(), dir, outbox.Options{KioskID: sealedKiosk})
	if err == nil {
		s.Close()
		t.Fatalf("Open accepted the store, want %v", want)
	}
	if !errors.Is(err, want) || !errors.Is(err, outbox.ErrSealBroken) {
		t.Fatalf("Open: %v, want %v", err, want)
	}
	msg := err.Error()
	if !strings.Contains(msg, names) || !strings.Contains(msg, "kỹ thuật viên") || !strings.Contains(msg, "(") || !norm.NFC.IsNormalString(msg) {
		t.Fatalf("message does not name %q and what to do, bilingual: %s", names, msg)
	}
	if strings.Index(msg, "technician") < strings.Index(msg, "kỹ thuật viên") {
		t.Fatalf("English before Vietnamese: %s", msg)
	}
}

// An emptied database is refused instead of starting over; once the technician reseals the store
// (after a salvage), receipt numbers go on from the last one issued: -0003, never -0001 again.
func TestOutboxSealEmptiedDatabaseRefused(t *testing.T) {
	dir, last := sealedStore(t, 2)
	if !strings.HasSuffix(last, "-0002") {
		t.Fatalf("last receipt %s", last)
	}
	removeDB(t, dir)
	wantSealError(t, dir, outbox.ErrDatabaseReplaced, "outbox.db")
	// Refused again at the next start: the empty file made by the first attempt is no better.
	wantSealError(t, dir, outbox.ErrDatabaseReplaced, "outbox.db")

	if err := outbox.Reseal(context.Background(), dir, outbox.Options{}); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir, outbox.Options{KioskID: sealedKiosk})
	e, err := s.Capture(context.Background(), newDossier(), newFiles(2<<10), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.ReceiptNo == last || !strings.HasSuffix(e.ReceiptNo, "-0003") {
		t.Fatalf("receipt after an emptied database: %s, want the one after %s", e.ReceiptNo, last)
	}
}

// A database copied in from another kiosk (or an older backup) is refused too.
func TestOutboxSealReplacedDatabaseRefused(t *testing.T) {
	dir, _ := sealedStore(t, 1)
	other, _ := sealedStore(t, 1)
	removeDB(t, dir)
	b, err := os.ReadFile(filepath.Join(other, "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "outbox.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	wantSealError(t, dir, outbox.ErrDatabaseReplaced, "outbox.db")
}

// A deleted storage key is not silently replaced by a new one (the queued dossiers would never
// decrypt): Open refuses and makes no key.
func TestOutboxSealDeletedKeyRefused(t *testing.T) {
	dir, _ := sealedStore(t, 1)
	key := filepath.Join(dir, "keys", "storage.key")
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	wantSealError(t, dir, outbox.ErrStorageKeyMissing, "storage.key")
	if _, err := os.Stat(key); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a new storage key was made: %v", err)
	}
	// Even with the seal gone as well, a database holding dossiers does not get a new key.
	os.Remove(filepath.Join(dir, "keys", "outbox.seal"))
	wantSealError(t, dir, outbox.ErrStorageKeyMissing, "storage.key")
}

// A replaced storage key is refused.
func TestOutboxSealReplacedKeyRefused(t *testing.T) {
	dir, _ := sealedStore(t, 1)
	k := make([]byte, 32)
	rand.Read(k)
	if err := os.WriteFile(filepath.Join(dir, "keys", "storage.key"), k, 0o600); err != nil {
		t.Fatal(err)
	}
	wantSealError(t, dir, outbox.ErrStorageKeyReplaced, "storage.key")
}

// A deleted or edited seal is refused: deleting it does not make the database acceptable, and
// lowering its high-water mark breaks its HMAC.
func TestOutboxSealTamperedRefused(t *testing.T) {
	dir, _ := sealedStore(t, 2)
	path := filepath.Join(dir, "keys", "outbox.seal")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"seq":2`) {
		t.Fatalf("seal does not hold the high-water mark: %s", raw)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(raw), `"seq":2`, `"seq":0`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	wantSealError(t, dir, outbox.ErrStorageKeyReplaced, "outbox.seal")
	os.Remove(path)
	wantSealError(t, dir, outbox.ErrSealMissing, "outbox.seal")
}

// A store made before seals existed (a database without identity, no seal) is sealed at its first
// open, keeping its receipt numbers; a new store opens as before.
func TestOutboxSealAdoptsUnsealedStore(t *testing.T) {
	dir, last := sealedStore(t, 1)
	os.Remove(filepath.Join(dir, "keys", "outbox.seal"))
	// Take the identity out of the database, as a store from before seals would be.
	if err := outbox.ForgetIdentityForTest(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir, outbox.Options{KioskID: sealedKiosk})
	e, err := s.Capture(context.Background(), newDossier(), newFiles(2<<10), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.ReceiptNo == last || !strings.HasSuffix(e.ReceiptNo, "-0002") {
		t.Fatalf("receipt %s after %s", e.ReceiptNo, last)
	}
}

// A kiosk whose outbox was lost together with its seal (only the keys folder restored) issues
// receipt numbers from 1 again; the central server refuses the reused number under another key,
// and the uploader records that refusal for staff instead of retrying forever.
func TestOutboxReusedReceiptRefusedByCentral(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, url := startServer(t, devserver.Config{})
	first, last := sealedStore(t, 1)
	second := t.TempDir()
	os.Mkdir(filepath.Join(second, "keys"), 0o700)
	for _, f := range []string{"storage.key", "device-key.pem", "client.pem"} {
		b, err := os.ReadFile(filepath.Join(first, "keys", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(second, "keys", f), b, 0o600)
	}
	a := open(t, first, outbox.Options{KioskID: sealedKiosk})
	drain(t, a, url, &bytes.Buffer{})
	b := open(t, second, outbox.Options{KioskID: sealedKiosk})
	e, err := b.Capture(ctx, newDossier(), newFiles(2<<10), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.ReceiptNo != last {
		t.Fatalf("setup: receipt %s, want the reissued %s", e.ReceiptNo, last)
	}
	drain(t, b, url, &bytes.Buffer{})
	got, err := b.Get(ctx, e.ID)
	if err != nil || got.State != outbox.StateRejected || !strings.Contains(got.Reason, "receipt-number-reused") {
		t.Fatalf("reissued receipt: %+v %v, want rejected as receipt-number-reused", got, err)
	}
}
