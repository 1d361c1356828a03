package outbox

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/central"
)

// The outbox's refusals that used to carry two sentences read as one: a stored file that does not
// decrypt, a write that fails (full disk or not), and an enrolment the server refused.
func TestRefusalsAreOneSentence(t *testing.T) {
	dir := t.TempDir()
	aead, err := newAEAD(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad-header")
	short := filepath.Join(dir, "short")
	os.WriteFile(bad, []byte("not a blob at all, no magic here"), 0o600)
	os.WriteFile(short, append([]byte(blobMagic), make([]byte, blobHeader-len(blobMagic))...), 0o600) // a header, no body
	errs := map[string]error{}
	for name, p := range map[string]string{"bad header": bad, "no body": short, "missing": filepath.Join(dir, "none")} {
		_, err := openBlob(aead, p)
		errs[name] = err
	}
	if !errors.Is(errs["bad header"], ErrDecrypt) || !errors.Is(errs["no body"], ErrDecrypt) || !errors.Is(errs["missing"], os.ErrNotExist) {
		t.Errorf("openBlob: %v", errs)
	}
	full := failedWrite("không ghi được tệp đính kèm", "cannot write attachment", &os.PathError{Op: "write", Path: "blobs/x", Err: syscall.ENOSPC})
	if !errors.Is(full, ErrDiskFull) || !errors.Is(full, syscall.ENOSPC) {
		t.Errorf("full disk: %v", full)
	}
	errs["full disk"] = full
	other := failedWrite("không ghi được tệp đính kèm", "cannot write attachment", &os.PathError{Op: "write", Path: "blobs/x", Err: syscall.EIO})
	if errors.Is(other, ErrDiskFull) || !errors.Is(other, syscall.EIO) {
		t.Errorf("I/O error: %v", other)
	}
	errs["I/O error"] = other

	// The central server refuses the enrolment for good (422, its own sentence).
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		w.Write([]byte(`{"type":"bad-csr","title":"yêu cầu cấp chứng thư không hợp lệ (invalid certificate request)","status":422}`))
	}))
	defer srv.Close()
	s, err := Open(context.Background(), filepath.Join(dir, "store"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = Connect(ctx, s, srv.URL, nil, central.Options{})
	if !central.Permanent(err) {
		t.Errorf("enrolment refused: %v", err)
	}
	errs["enrolment refused"] = err

	for name, err := range errs {
		t.Logf("%s: %v", name, err)
		if werr := errtext.Check(err); werr != nil {
			t.Errorf("%s: %v", name, werr)
		}
	}
}

// Each sentinel is one sentence from end to end, so that errtext.English, reducing it under an
// outer sentence, leaves no Vietnamese behind (a "; " or ": " inside the Vietnamese would cut it).
func TestSentinelsAreWholeSentences(t *testing.T) {
	for _, err := range []error{ErrDecrypt, errKeyMode, errDamagedRow, ErrSealBroken, ErrDatabaseReplaced,
		ErrStorageKeyMissing, ErrStorageKeyReplaced, ErrSealMissing, errSealUnreadable, ErrOutOfService,
		ErrNoSigningCertificate, ErrSigningCertificate, ErrDiskFull, ErrCorrupt, ErrNotFound, ErrPurged,
		ErrAlreadyAccepted, ErrUploaderRunning, ErrCertificateRefused} {
		if s := errtext.Sentences(err.Error()); len(s) != 1 || s[0] != err.Error() {
			t.Errorf("%q reads as %q", err, s)
		}
		if en := errtext.English(err.Error()); strings.ContainsFunc(en, func(r rune) bool { return r > unicode.MaxASCII }) {
			t.Errorf("%q in English keeps Vietnamese: %q", err, en)
		}
	}
}
