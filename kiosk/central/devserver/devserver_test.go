package devserver_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/dossier"
)

// start serves a development server on a loopback port for the duration of the test.
func start(t *testing.T, cfg devserver.Config) (*devserver.Server, string) {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	srv, err := devserver.Serve(context.Background(), "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, srv.URL()
}

type kiosk struct {
	id  string
	key *ecdsa.PrivateKey
	c   *central.Client
	seq int // receipts issued: each dossier gets the next number, as a kiosk's outbox gives them
}

// enrolled returns a kiosk registered with the plain-HTTP server at url.
func enrolled(t *testing.T, url string, opts central.Options) *kiosk {
	t.Helper()
	k := &kiosk{id: "KIOSK-T" + hex.EncodeToString(randBytes(3))}
	k.key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	opts.KioskID = k.id
	c, err := central.New(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := central.NewCSR(k.key, k.id)
	if _, err := c.Enrol(context.Background(), k.id, csr); err != nil {
		t.Fatal(err)
	}
	k.c = c
	return k
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// signed builds a valid signed manifest whose one attachment is data.
func (k *kiosk) signed(t *testing.T, unit string, data []byte) (key string, manifest, sig []byte) {
	t.Helper()
	k.seq++
	return k.signedReceipt(t, unit, data, fmt.Sprintf("%s-251124-%04d", k.id, k.seq))
}

// signedReceipt is signed with the given receipt number.
func (k *kiosk) signedReceipt(t *testing.T, unit string, data []byte, receiptNo string) (key string, manifest, sig []byte) {
	t.Helper()
	sum := sha256.Sum256(data)
	d := &dossier.Dossier{
		IdempotencyKey: dossier.NewIdempotencyKey(), KioskID: k.id, ReceiptNo: receiptNo,
		CapturedAt: time.Now(), Procedure: dossier.Procedure{Code: "1.001193", Name: "Đăng ký khai sinh"},
		Unit:        dossier.Unit{Code: unit, Name: "Phường thử"},
		Applicant:   dossier.Applicant{IDNumber: "001189012345", FullName: "Nguyễn Văn An", DateOfBirth: "1989-03-02"},
		Attachments: []dossier.Attachment{{Type: "to-khai", Name: "Tờ khai", Pages: 1, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}},
	}
	m, err := d.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	s, err := dossier.Sign(k.key, m)
	if err != nil {
		t.Fatal(err)
	}
	return d.IdempotencyKey, m, s
}

func (k *kiosk) upload(t *testing.T, data []byte) {
	t.Helper()
	sum := sha256.Sum256(data)
	if err := k.c.Upload(context.Background(), hex.EncodeToString(sum[:]), int64(len(data)), bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
}

func statusOf(err error) int {
	var e *central.Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

func TestSubmitIdempotencyAndCodes(t *testing.T) {
	srv, url := start(t, devserver.Config{})
	_ = srv
	k := enrolled(t, url, central.Options{})
	ctx := context.Background()
	data := []byte("%PDF-1.4 <</Type /Page>> tờ khai")
	key, m, sig := k.signed(t, "000.00.21.H26", data)

	// Attachment not uploaded yet: 409, retryable.
	_, err := k.c.Submit(ctx, key, m, sig)
	if statusOf(err) != 409 || central.ProblemType(err) != central.ProblemAttachmentMissing || central.Permanent(err) {
		t.Fatalf("submit before upload: %v", err)
	}
	k.upload(t, data)
	st, err := k.c.Submit(ctx, key, m, sig)
	if err != nil {
		t.Fatal(err)
	}
	code, err := dossier.ParseCode(st.DossierCode)
	vn := time.Now().In(time.FixedZone("ICT", 7*3600))
	if err != nil || code.Agency != "000.00.21.H26" || code.Sequence != 1 || code.Date.Format("060102") != vn.Format("060102") {
		t.Fatalf("code %q: %v", st.DossierCode, err)
	}
	// The same key and manifest again: the same code, nothing new stored.
	again, err := k.c.Submit(ctx, key, m, sig)
	if err != nil || again.DossierCode != st.DossierCode {
		t.Fatalf("replay: %+v %v", again, err)
	}
	// The same key with another manifest: 422, final.
	_, m2, sig2 := k.signed(t, "000.00.21.H26", data)
	if _, err := k.c.Submit(ctx, key, m2, sig2); statusOf(err) != 422 || central.ProblemType(err) != central.ProblemKeyReused || !central.Permanent(err) {
		t.Fatalf("key reuse: %v", err)
	}
	// Sequence per unit per day.
	key3, m3, s3 := k.signed(t, "000.00.21.H26", data)
	key4, m4, s4 := k.signed(t, "000.00.17.H26", data)
	st3, err3 := k.c.Submit(ctx, key3, m3, s3)
	st4, err4 := k.c.Submit(ctx, key4, m4, s4)
	if err3 != nil || err4 != nil || !strings.HasSuffix(st3.DossierCode, "-0002") || st4.DossierCode != "000.00.17.H26-"+vn.Format("060102")+"-0001" {
		t.Fatalf("sequences: %v %v %v %v", st3, err3, st4, err4)
	}
	// Missing key: 400.
	if _, err := k.c.Submit(ctx, "", m3, s3); statusOf(err) != 400 {
		t.Fatalf("no key: %v", err)
	}
	// Status and its changes.
	if err := srv.SetStatus(ctx, st.DossierCode, central.StatusNeedDocuments, "bổ sung"); err != nil {
		t.Fatal(err)
	}
	got, err := k.c.Status(ctx, key)
	if err != nil || got.Status != central.StatusNeedDocuments || got.DossierCode != st.DossierCode {
		t.Fatalf("status: %+v %v", got, err)
	}
	if _, err := k.c.Status(ctx, dossier.NewIdempotencyKey()); statusOf(err) != 404 {
		t.Fatalf("unknown key: %v", err)
	}
	dump, err := devserver.Dump(ctx, srv.Dir())
	if err != nil || len(dump) != 3 {
		t.Fatalf("dump: %d %v", len(dump), err)
	}
	sum := sha256.Sum256(data)
	if dump[0].Attachments[0].SHA256 != hex.EncodeToString(sum[:]) || dump[0].ApplicantIDNumber != "001189012345" || dump[0].IdempotencyKey != key {
		t.Fatalf("dump: %+v", dump[0])
	}
}

func TestTamperedManifestRefused(t *testing.T) {
	_, url := start(t, devserver.Config{})
	k := enrolled(t, url, central.Options{})
	data := []byte("%PDF-1.4 <</Type /Page>>")
	k.upload(t, data)
	key, m, sig := k.signed(t, "000.00.21.H26", data)
	tampered := bytes.Replace(m, []byte("001189012345"), []byte("001189099999"), 1)
	_, err := k.c.Submit(context.Background(), key, tampered, sig)
	if statusOf(err) != 422 || central.ProblemType(err) != central.ProblemBadSignature || !central.Permanent(err) {
		t.Fatalf("tampered manifest: %v", err)
	}
	// Signed by another kiosk's key.
	other := enrolled(t, url, central.Options{})
	otherSig, _ := dossier.Sign(other.key, m)
	if _, err := k.c.Submit(context.Background(), key, m, otherSig); central.ProblemType(err) != central.ProblemBadSignature {
		t.Fatalf("foreign signature: %v", err)
	}
	if _, err := k.c.Submit(context.Background(), key, m, sig); err != nil {
		t.Fatalf("genuine manifest refused: %v", err)
	}
}

// scripted injects fault f into requests matching pick, at most n times.
func scripted(f devserver.Fault, n int64, pick func(*http.Request) bool) func(*http.Request) devserver.Fault {
	var left atomic.Int64
	left.Store(n)
	return func(r *http.Request) devserver.Fault {
		if pick(r) && left.Add(-1) >= 0 {
			return f
		}
		return devserver.FaultNone
	}
}

func isPost(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == central.PathDossiers
}

func TestFault500And429(t *testing.T) {
	for _, tc := range []struct {
		f      devserver.Fault
		status int
		retry  time.Duration
	}{{devserver.Fault500, 500, 0}, {devserver.Fault429, 429, 3 * time.Second}} {
		t.Run(string(tc.f), func(t *testing.T) {
			_, url := start(t, devserver.Config{Faults: scripted(tc.f, 1, isPost), RetryAfter: 3 * time.Second})
			k := enrolled(t, url, central.Options{})
			data := []byte("%PDF-1.4 x")
			k.upload(t, data)
			key, m, sig := k.signed(t, "000.00.21.H26", data)
			_, err := k.c.Submit(context.Background(), key, m, sig)
			if statusOf(err) != tc.status || central.Permanent(err) || central.RetryAfter(err) != tc.retry {
				t.Fatalf("got %v (retry after %v)", err, central.RetryAfter(err))
			}
			if _, err := k.c.Submit(context.Background(), key, m, sig); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFaultResetAfterCommitIsIdempotent(t *testing.T) {
	var injected atomic.Int64
	faults := func(r *http.Request) devserver.Fault {
		if isPost(r) && injected.Add(1) <= 2 {
			return devserver.FaultReset // the dossier is stored, the answer is lost
		}
		return devserver.FaultNone
	}
	srv, url := start(t, devserver.Config{Faults: faults})
	k := enrolled(t, url, central.Options{})
	data := []byte("%PDF-1.4 x")
	k.upload(t, data)
	key, m, sig := k.signed(t, "000.00.21.H26", data)
	// Go's transport itself replays a request carrying Idempotency-Key once on a broken reused
	// connection; the second reset reaches the caller.
	var err error
	for i := 0; i < 3; i++ {
		if _, err = k.c.Submit(context.Background(), key, m, sig); err != nil {
			break
		}
	}
	if err == nil || statusOf(err) != 0 {
		t.Fatalf("want a connection error, got %v", err)
	}
	st, err := k.c.Submit(context.Background(), key, m, sig)
	if err != nil || !strings.HasSuffix(st.DossierCode, "-0001") {
		t.Fatalf("retry after reset: %+v %v", st, err)
	}
	dump, _ := devserver.Dump(context.Background(), srv.Dir())
	if len(dump) != 1 {
		t.Fatalf("stored %d dossiers, want exactly 1", len(dump))
	}
}

func TestFaultResetMidUploadResumes(t *testing.T) {
	isPatch := func(r *http.Request) bool { return r.Method == http.MethodPatch }
	// Reset the second chunk's request halfway.
	var n atomic.Int64
	faults := func(r *http.Request) devserver.Fault {
		if isPatch(r) && n.Add(1) == 2 {
			return devserver.FaultReset
		}
		return devserver.FaultNone
	}
	srv, url := start(t, devserver.Config{Faults: faults})
	const chunk = 256 << 10
	k := enrolled(t, url, central.Options{ChunkSize: chunk})
	data := randBytes(4*chunk + 1000)
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	err := k.c.Upload(context.Background(), sha, int64(len(data)), bytes.NewReader(data), nil)
	if err == nil {
		t.Fatal("upload survived a reset")
	}
	if err := k.c.Upload(context.Background(), sha, int64(len(data)), bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	if sent := k.c.BytesSent(); sent > int64(len(data))+chunk {
		t.Fatalf("sent %d bytes for %d: resume did not start from the server's offset", sent, len(data))
	}
	got, _ := os.ReadFile(filepath.Join(srv.Dir(), "blobs", sha))
	if !bytes.Equal(got, data) {
		t.Fatal("stored file differs")
	}
}

func TestFaultHangAndSlow(t *testing.T) {
	t.Run("hang", func(t *testing.T) {
		_, url := start(t, devserver.Config{Faults: scripted(devserver.FaultHang, 1, isPost)})
		k := enrolled(t, url, central.Options{RequestTimeout: 300 * time.Millisecond})
		data := []byte("%PDF-1.4 x")
		k.upload(t, data)
		key, m, sig := k.signed(t, "000.00.21.H26", data)
		if _, err := k.c.Submit(context.Background(), key, m, sig); err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("hung request: %v", err)
		}
		if _, err := k.c.Submit(context.Background(), key, m, sig); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("slow", func(t *testing.T) {
		_, url := start(t, devserver.Config{Faults: scripted(devserver.FaultSlow, 1, isPost), SlowDelay: time.Second})
		k := enrolled(t, url, central.Options{RequestTimeout: 100 * time.Millisecond})
		data := []byte("%PDF-1.4 x")
		k.upload(t, data)
		key, m, sig := k.signed(t, "000.00.21.H26", data)
		if _, err := k.c.Submit(context.Background(), key, m, sig); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("slow answer within a short deadline: %v", err)
		}
		_, url2 := start(t, devserver.Config{Faults: scripted(devserver.FaultSlow, 1, isPost), SlowDelay: 50 * time.Millisecond})
		k2 := enrolled(t, url2, central.Options{RequestTimeout: 5 * time.Second})
		k2.upload(t, data)
		key, m, sig = k2.signed(t, "000.00.21.H26", data)
		if _, err := k2.c.Submit(context.Background(), key, m, sig); err != nil {
			t.Fatalf("slow answer within a long deadline: %v", err)
		}
	})
}

func TestParseFaults(t *testing.T) {
	f, err := devserver.ParseFaults("500=0.1, reset=0.05,slow=1,hang=0,429=0.5")
	if err != nil || f[devserver.Fault500] != 0.1 || f[devserver.FaultSlow] != 1 || len(f) != 5 {
		t.Fatalf("%v %v", f, err)
	}
	if f.String() != "hang=0,reset=0.05,500=0.1,429=0.5,slow=1" {
		t.Fatal(f.String())
	}
	for _, bad := range []string{"503=0.1", "500", "500=2", "500=-1", "500=x", "500=0.1,500=0.2", "500=NaN"} {
		if _, err := devserver.ParseFaults(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	always, _ := devserver.ParseFaults("429=1")
	if always.Decide(nil) != devserver.Fault429 {
		t.Fatal("probability 1 not injected")
	}
	never, _ := devserver.ParseFaults("")
	if never.Decide(nil) != devserver.FaultNone {
		t.Fatal("empty spec injected a fault")
	}
}

func FuzzParseFaults(f *testing.F) {
	f.Add("500=0.1,reset=0.05,slow=0.1,hang=0.01,429=0.05")
	f.Add("")
	f.Add("500=1e-3")
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := devserver.ParseFaults(s)
		if err != nil {
			return
		}
		for k, p := range fs {
			if p < 0 || p > 1 {
				t.Fatalf("%s=%v", k, p)
			}
		}
		again, err := devserver.ParseFaults(fs.String())
		if err != nil || len(again) != len(fs) {
			t.Fatalf("round trip of %q: %v", fs.String(), err)
		}
	})
}

func TestMutualTLS(t *testing.T) {
	tlsDir := t.TempDir()
	_, url := start(t, devserver.Config{TLSDir: tlsDir})
	caPEM, err := os.ReadFile(filepath.Join(tlsDir, devserver.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(filepath.Join(tlsDir, devserver.CAKeyFile)); st.Mode().Perm() != 0o600 {
		t.Fatalf("CA key mode %v", st.Mode().Perm())
	}
	ctx := context.Background()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	noCert, _ := central.ClientTLS(caPEM, nil)
	c, _ := central.New(url, central.Options{TLS: noCert, KioskID: "HN-TLS-01"})
	csr, _ := central.NewCSR(key, "HN-TLS-01")
	resp, err := c.Enrol(ctx, "HN-TLS-01", csr)
	if err != nil || resp.Certificate == "" {
		t.Fatalf("enrolment: %v", err)
	}
	// Without a certificate only enrolment is open.
	if _, err := c.Status(ctx, "x"); statusOf(err) != 401 {
		t.Fatalf("no client certificate: %v", err)
	}
	der, _ := x509.MarshalECPrivateKey(key)
	cert, err := tls.X509KeyPair([]byte(resp.Certificate), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := central.ClientTLS(caPEM, &cert)
	gc, _ := central.New(url, central.Options{TLS: good})
	if _, err := gc.Status(ctx, "x"); statusOf(err) != 404 {
		t.Fatalf("enrolled kiosk: %v", err)
	}
	// A certificate from another CA is refused during the handshake.
	// (Go's client does not even offer a certificate the server's CA list excludes: 401.)
	rogue := selfSigned(t, key, "HN-TLS-01")
	bad, _ := central.ClientTLS(caPEM, &rogue)
	bc, _ := central.New(url, central.Options{TLS: bad})
	if _, err := bc.Status(ctx, "x"); statusOf(err) != 401 {
		t.Fatalf("wrong client certificate accepted: %v", err)
	}
	forced, _ := central.ClientTLS(caPEM, nil)
	forced.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &rogue, nil }
	fc, _ := central.New(url, central.Options{TLS: forced})
	if _, err := fc.Status(ctx, "x"); err == nil || statusOf(err) != 0 {
		t.Fatalf("wrong client certificate accepted: %v", err)
	}
	// The kiosk pins the server CA: a server of another CA is refused.
	otherDir := t.TempDir()
	_, otherURL := start(t, devserver.Config{TLSDir: otherDir})
	pc, _ := central.New(otherURL, central.Options{TLS: good})
	if _, err := pc.Status(ctx, "x"); err == nil || statusOf(err) != 0 {
		t.Fatalf("server of another CA accepted: %v", err)
	}
	// Plain HTTP is refused by the client except on loopback.
	if _, err := central.New("http://192.0.2.1:80", central.Options{}); err == nil {
		t.Fatal("plain HTTP to a non-loopback address accepted")
	}
}

func selfSigned(t *testing.T, key *ecdsa.PrivateKey, cn string) tls.Certificate {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestCatalogueETagAndHeartbeat(t *testing.T) {
	_, url := start(t, devserver.Config{})
	k := enrolled(t, url, central.Options{})
	ctx := context.Background()
	cat, etag, notMod, err := k.c.Procedures(ctx, "")
	if err != nil || notMod || etag == "" || len(cat.Procedures) == 0 || len(cat.Procedures[0].Documents) == 0 {
		t.Fatalf("%+v %q %v %v", cat, etag, notMod, err)
	}
	cat, etag2, notMod, err := k.c.Procedures(ctx, etag)
	if err != nil || !notMod || cat != nil || etag2 != etag {
		t.Fatalf("conditional fetch: %v %v", notMod, err)
	}
	hb, err := k.c.Heartbeat(ctx, central.Heartbeat{KioskID: k.id, Queued: 3, SentAt: time.Now()})
	if err != nil || hb.ServerTime.IsZero() {
		t.Fatalf("heartbeat: %v", err)
	}
	// An unenrolled kiosk is refused.
	c, _ := central.New(url, central.Options{KioskID: "NOT-ENROLLED"})
	if _, err := c.Heartbeat(ctx, central.Heartbeat{}); statusOf(err) != 401 {
		t.Fatalf("unenrolled: %v", err)
	}
}

// A receipt number that comes again under another idempotency key (a kiosk that lost its outbox
// and numbers from 1 again) is refused with 409 receipt-number-reused and stored nowhere; the first
// dossier's key still replays its result.
func TestSubmitRefusesReusedReceiptNumber(t *testing.T) {
	_, url := start(t, devserver.Config{})
	k := enrolled(t, url, central.Options{})
	ctx := context.Background()
	data := []byte("%PDF-1.4 <</Type /Page>> tờ khai")
	k.upload(t, data)
	receipt := k.id + "-261207-0001"
	key, m, sig := k.signedReceipt(t, "000.00.21.H26", data, receipt)
	first, err := k.c.Submit(ctx, key, m, sig)
	if err != nil {
		t.Fatal(err)
	}
	key2, m2, sig2 := k.signedReceipt(t, "000.00.21.H26", data, receipt)
	_, err = k.c.Submit(ctx, key2, m2, sig2)
	var ce *central.Error
	if !errors.As(err, &ce) || ce.StatusCode != http.StatusConflict || ce.Problem.Type != central.ProblemReceiptReused {
		t.Fatalf("reused receipt number: %v, want 409 %s", err, central.ProblemReceiptReused)
	}
	if title := ce.Problem.Title; !strings.Contains(title, "số biên nhận") || !strings.Contains(title, "(receipt number") ||
		strings.Index(title, "(") < strings.Index(title, "biên nhận") {
		t.Fatalf("problem title not worded, Vietnamese first: %q", title)
	}
	if _, err := k.c.Status(ctx, key2); statusOf(err) != http.StatusNotFound {
		t.Fatalf("the refused dossier was stored: %v", err)
	}
	// The same key again: the same result (idempotent), before and after the refusal.
	again, err := k.c.Submit(ctx, key, m, sig)
	if err != nil || again.DossierCode != first.DossierCode {
		t.Fatalf("replay of the first dossier: %+v %v", again, err)
	}
	// The next receipt number goes through.
	key3, m3, sig3 := k.signedReceipt(t, "000.00.21.H26", data, k.id+"-261207-0002")
	if _, err := k.c.Submit(ctx, key3, m3, sig3); err != nil {
		t.Fatal(err)
	}
}
