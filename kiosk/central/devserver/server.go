// Package devserver is a development implementation of the central API contract
// (kiosk/central/openapi.yaml) with SQLite persistence: it enrols kiosks (signing their client
// certificates when it has a TLS directory), keeps resumable uploads, verifies signed manifests,
// deduplicates submissions on the idempotency key, issues official dossier codes in the format of
// Circular 01/2018 (agency code-yymmdd-sequence, sequence per unit per day) and injects faults on
// request (5xx, connection resets, slow answers, hangs, 429).
//
// It is a test double for the provincial system, not a production server.
package devserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
)

// SigningCADir is the folder under Config.Dir holding the development CA that issues kiosk
// certificates when the server runs without TLS (its ca.pem is what verifiers of the kiosks' signed
// PDFs trust).
const SigningCADir = "ca"

// Config configures a Server.
type Config struct {
	Dir    string // data directory: central.db, blobs/, parts/
	TLSDir string // if set: dev CA and server certificate (created on first run), mTLS required
	// Faults decides which fault to inject into each /v1 request; nil injects none. Faults.Decide
	// from ParseFaults fits here.
	Faults     func(r *http.Request) Fault
	SlowDelay  time.Duration // FaultSlow's delay; default 2 s
	HangMax    time.Duration // FaultHang's longest hold; default 2 min
	RetryAfter time.Duration // Fault429's Retry-After; default 1 s
	Now        func() time.Time
	Logger     *slog.Logger // nil: no logging
}

// Server is the development central server. Create it with Open, serve it with Serve.
type Server struct {
	cfg Config
	db  *sql.DB
	ca  *devCA // TLS: the server certificate and mTLS
	// issuer signs kiosk certificates at enrolment: ca with TLS, else a development CA in
	// Dir/ca created at run time (the kiosks sign their PDF copies with these certificates).
	issuer *devCA
	log    *slog.Logger
	mux    *http.ServeMux
	done   chan struct{}

	mu         sync.Mutex
	uploadLock map[string]*sync.Mutex
	inFlight   map[string]bool
	closeOnce  sync.Once
}

// Open opens (or creates) the server's data directory.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.SlowDelay <= 0 {
		cfg.SlowDelay = 2 * time.Second
	}
	if cfg.HangMax <= 0 {
		cfg.HangMax = 2 * time.Minute
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, d := range []string{cfg.Dir, filepath.Join(cfg.Dir, "blobs"), filepath.Join(cfg.Dir, "parts")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("không tạo được thư mục dữ liệu (cannot create data directory): %w", err)
		}
	}
	db, err := openDB(ctx, filepath.Join(cfg.Dir, "central.db"))
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, db: db, log: log, done: make(chan struct{}),
		uploadLock: map[string]*sync.Mutex{}, inFlight: map[string]bool{}}
	if cfg.TLSDir != "" {
		if s.ca, err = loadOrCreateCA(cfg.TLSDir); err != nil {
			db.Close()
			return nil, err
		}
		s.issuer = s.ca
	} else if s.issuer, err = loadOrCreateCA(filepath.Join(cfg.Dir, SigningCADir)); err != nil {
		db.Close()
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST "+central.PathEnrolments, s.enrol)
	s.mux.HandleFunc("GET "+central.PathProcedures, s.procedures)
	s.mux.HandleFunc("POST "+central.PathUploads, s.auth(s.createUpload))
	s.mux.HandleFunc("HEAD "+central.PathUploads+"/{id}", s.auth(s.headUpload))
	s.mux.HandleFunc("PATCH "+central.PathUploads+"/{id}", s.auth(s.patchUpload))
	s.mux.HandleFunc("POST "+central.PathDossiers, s.auth(s.submit))
	s.mux.HandleFunc("GET "+central.PathDossiers+"/{key}", s.auth(s.status))
	s.mux.HandleFunc("POST "+central.PathHeartbeat, s.auth(s.heartbeat))
	return s, nil
}

// Close stops waiting handlers and closes the database.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	return s.db.Close()
}

// TLSConfig is the server's TLS configuration, nil without a TLS directory.
func (s *Server) TLSConfig() *tls.Config {
	if s.ca == nil {
		return nil
	}
	return s.ca.tlsConfig()
}

// Serve answers requests on ln (wrapped in TLS when the server has a TLS directory) until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.ca != nil {
		ln = tls.NewListener(ln, s.ca.tlsConfig())
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	hs.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		s.closeOnce.Do(func() { close(s.done) })
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			hs.Close()
		}
		return nil
	}
}

// ServeHTTP injects the configured fault, if any, then handles the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fault := FaultNone
	if s.cfg.Faults != nil && strings.HasPrefix(r.URL.Path, "/v1/") {
		fault = s.cfg.Faults(r)
	}
	switch fault {
	case FaultHang:
		t := time.NewTimer(s.cfg.HangMax)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-s.done:
		case <-t.C:
		}
		resetConn(w)
		return
	case Fault500:
		problem(w, http.StatusInternalServerError, central.ProblemUnavailable, "lỗi máy chủ giả lập (injected server error)")
		return
	case Fault429:
		w.Header().Set("Retry-After", strconv.Itoa(int(max(1, s.cfg.RetryAfter/time.Second))))
		problem(w, http.StatusTooManyRequests, central.ProblemTooManyRequests, "quá nhiều yêu cầu (too many requests)")
		return
	case FaultSlow:
		t := time.NewTimer(s.cfg.SlowDelay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	case FaultReset:
		rec := &recorder{h: http.Header{}}
		s.mux.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), resetKey{}, true)))
		resetConn(w)
		return
	}
	s.mux.ServeHTTP(w, r)
}

type resetKey struct{}

// recorder swallows an answer that a reset fault will not deliver.
type recorder struct {
	h    http.Header
	code int
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(code int)        { r.code = code }

// resetConn closes the client's connection with a TCP RST.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	raw.Close()
}

func problem(w http.ResponseWriter, status int, typ, title string) {
	problemWith(w, central.Problem{Type: typ, Title: title, Status: status})
}

func problemWith(w http.ResponseWriter, p central.Problem) {
	w.Header().Set("Content-Type", central.ContentTypeProblem)
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// kiosk is an authenticated caller.
type kiosk struct {
	id  string
	pub *ecdsa.PublicKey
}

type kioskHandler func(w http.ResponseWriter, r *http.Request, k kiosk)

// auth identifies the kiosk: by its verified client certificate with TLS, by the Kiosk-Id header of
// an enrolled kiosk without.
func (s *Server) auth(h kioskHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var k kiosk
		if s.ca != nil {
			if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
				problem(w, http.StatusUnauthorized, central.ProblemUnauthenticated, "cần chứng thư kiosk (client certificate required)")
				return
			}
			leaf := r.TLS.VerifiedChains[0][0]
			pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
			if !ok {
				problem(w, http.StatusUnauthorized, central.ProblemUnauthenticated, "khóa kiosk không phải ECDSA (kiosk key is not ECDSA)")
				return
			}
			k = kiosk{id: leaf.Subject.CommonName, pub: pub}
		} else {
			id := r.Header.Get(central.HeaderKioskID)
			var der []byte
			err := s.db.QueryRowContext(r.Context(), "SELECT public_key FROM kiosks WHERE id=?", id).Scan(&der)
			if err != nil {
				problem(w, http.StatusUnauthorized, central.ProblemUnauthenticated, "kiosk chưa đăng ký (kiosk not enrolled)")
				return
			}
			pk, err := x509.ParsePKIXPublicKey(der)
			pub, ok := pk.(*ecdsa.PublicKey)
			if err != nil || !ok {
				problem(w, http.StatusUnauthorized, central.ProblemUnauthenticated, "khóa kiosk hỏng (kiosk key unreadable)")
				return
			}
			k = kiosk{id: id, pub: pub}
		}
		h(w, r, k)
	}
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
	var req central.EnrolRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil || req.KioskID == "" || len(req.KioskID) > 64 {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "yêu cầu đăng ký không đọc được (enrolment request unreadable)")
		return
	}
	block, _ := pem.Decode([]byte(req.CSR))
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "thiếu CSR (CSR missing)")
		return
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil || csr.CheckSignature() != nil || csr.Subject.CommonName != req.KioskID {
		problem(w, http.StatusUnprocessableEntity, central.ProblemBadRequest, "CSR không hợp lệ (CSR invalid)")
		return
	}
	pub, ok := csr.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		problem(w, http.StatusUnprocessableEntity, central.ProblemBadRequest, "khóa phải là ECDSA P-256 (key must be ECDSA P-256)")
		return
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	var old []byte
	err = s.db.QueryRowContext(r.Context(), "SELECT public_key FROM kiosks WHERE id=?", req.KioskID).Scan(&old)
	switch {
	case err == nil && string(old) != string(der):
		problem(w, http.StatusConflict, central.ProblemBadRequest, "kiosk đã đăng ký với khóa khác (kiosk enrolled with another key)")
		return
	case errors.Is(err, sql.ErrNoRows):
		if _, err := s.db.ExecContext(r.Context(), "INSERT INTO kiosks(id, public_key, enrolled_at) VALUES(?,?,?)",
			req.KioskID, der, s.cfg.Now().UnixMilli()); err != nil {
			s.internal(w, err)
			return
		}
	case err != nil:
		s.internal(w, err)
		return
	}
	out := central.EnrolResponse{KioskID: req.KioskID}
	if s.issuer != nil {
		cert, err := s.issuer.issueClient(req.KioskID, pub)
		if err != nil {
			s.internal(w, err)
			return
		}
		out.Certificate, out.CACertificate = string(cert), string(s.issuer.certPEM)
	}
	s.log.Info("kiosk enrolled", "kiosk", req.KioskID)
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) internal(w http.ResponseWriter, err error) {
	s.log.Error("internal error", "err", err)
	problem(w, http.StatusInternalServerError, central.ProblemUnavailable, "lỗi máy chủ (server error)")
}

// starterCatalogue is the sample catalogue served to kiosks: the kiosk's own starter catalogue in the
// central API's shape (sample data, see shared/ref/domain.md).
func starterCatalogue() central.Catalogue {
	starter := catalog.Starter()
	out := central.Catalogue{Places: starter.Places}
	for _, p := range starter.Procedures {
		cp := central.CatalogueProcedure{Code: p.Code, Name: p.Name, NameEn: p.NameEn, Fee: p.Fee,
			ProcessingTime: p.ProcessingTime, ProcessingDays: p.ProcessingDays, Popular: p.Popular, Fields: p.Fields}
		for _, d := range p.Documents {
			cp.Documents = append(cp.Documents, dossier.Requirement{Type: d.Type, Name: d.Name, Optional: !d.Required})
		}
		out.Procedures = append(out.Procedures, cp)
	}
	return out
}

func (s *Server) procedures(w http.ResponseWriter, r *http.Request) {
	b, _ := json.Marshal(starterCatalogue())
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (s *Server) lockUpload(id string) func() {
	s.mu.Lock()
	l := s.uploadLock[id]
	if l == nil {
		l = &sync.Mutex{}
		s.uploadLock[id] = l
	}
	s.mu.Unlock()
	l.Lock()
	return l.Unlock
}

func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

func (s *Server) blobPath(sha string) string { return filepath.Join(s.cfg.Dir, "blobs", sha) }
func (s *Server) partPath(id string) string  { return filepath.Join(s.cfg.Dir, "parts", id) }

// haveBlob reports whether the server holds the complete file sha of the given size.
func (s *Server) haveBlob(ctx context.Context, sha string, size int64) bool {
	var n int64
	err := s.db.QueryRowContext(ctx, "SELECT size FROM blobs WHERE sha256=?", sha).Scan(&n)
	return err == nil && n == size
}

func (s *Server) createUpload(w http.ResponseWriter, r *http.Request, k kiosk) {
	var req central.UploadRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil || !validSHA(req.SHA256) || req.Size <= 0 || req.Size > 1<<31 {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "yêu cầu tải lên không hợp lệ (upload request invalid)")
		return
	}
	idb := sha256.Sum256([]byte(k.id + "\x00" + req.SHA256))
	id := hex.EncodeToString(idb[:16])
	unlock := s.lockUpload(id)
	defer unlock()
	sess := central.UploadSession{ID: id, SHA256: req.SHA256, Size: req.Size}
	var size int64
	var complete bool
	err := s.db.QueryRowContext(r.Context(), "SELECT size, offset, complete FROM uploads WHERE id=?", id).Scan(&size, &sess.Offset, &complete)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := s.db.ExecContext(r.Context(), "INSERT INTO uploads(id, kiosk_id, sha256, size) VALUES(?,?,?,?)", id, k.id, req.SHA256, req.Size); err != nil {
			s.internal(w, err)
			return
		}
	case err != nil:
		s.internal(w, err)
		return
	case size != req.Size:
		if _, err := s.db.ExecContext(r.Context(), "UPDATE uploads SET size=?, offset=0, complete=0 WHERE id=?", req.Size, id); err != nil {
			s.internal(w, err)
			return
		}
		os.Remove(s.partPath(id))
		sess.Offset = 0
	}
	if s.haveBlob(r.Context(), req.SHA256, req.Size) {
		sess.Offset, sess.Complete = req.Size, true
	}
	w.Header().Set("Location", central.PathUploads+"/"+id)
	writeJSON(w, http.StatusCreated, sess)
}

func (s *Server) loadUpload(ctx context.Context, id, kioskID string) (sha string, size, offset int64, complete bool, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT sha256, size, offset, complete FROM uploads WHERE id=? AND kiosk_id=?", id, kioskID).
		Scan(&sha, &size, &offset, &complete)
	return
}

func (s *Server) headUpload(w http.ResponseWriter, r *http.Request, k kiosk) {
	_, size, off, complete, err := s.loadUpload(r.Context(), r.PathValue("id"), k.id)
	if err != nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set(central.HeaderUploadOffset, strconv.FormatInt(off, 10))
	w.Header().Set("Upload-Length", strconv.FormatInt(size, 10))
	if complete {
		w.Header().Set(central.HeaderUploadComplete, "?1")
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) patchUpload(w http.ResponseWriter, r *http.Request, k kiosk) {
	id := r.PathValue("id")
	unlock := s.lockUpload(id)
	defer unlock()
	sha, size, off, complete, err := s.loadUpload(r.Context(), id, k.id)
	if err != nil {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có phiên tải lên (no such upload)")
		return
	}
	want, err := strconv.ParseInt(r.Header.Get(central.HeaderUploadOffset), 10, 64)
	if err != nil || r.Header.Get("Content-Type") != central.ContentTypeChunk {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "thiếu Upload-Offset hoặc Content-Type (Upload-Offset or Content-Type missing)")
		return
	}
	if complete || want != off {
		p := central.Problem{Type: central.ProblemOffsetMismatch, Status: http.StatusConflict,
			Title: "vị trí tải lên không khớp (upload offset mismatch)", Offset: &off}
		if complete {
			p.Offset = &size
		}
		problemWith(w, p)
		return
	}
	f, err := os.OpenFile(s.partPath(id), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		s.internal(w, err)
		return
	}
	defer f.Close()
	if err := f.Truncate(off); err != nil { // drop bytes beyond the recorded offset (a crash mid-write)
		s.internal(w, err)
		return
	}
	limit := size - off
	if r.Context().Value(resetKey{}) != nil && r.ContentLength > 0 {
		limit = min(limit, r.ContentLength/2) // injected reset: take half the body, then drop the link
	}
	n, copyErr := io.Copy(io.NewOffsetWriter(f, off), io.LimitReader(r.Body, limit))
	if err := f.Sync(); err != nil {
		s.internal(w, err)
		return
	}
	off += n
	if _, err := s.db.ExecContext(context.WithoutCancel(r.Context()), "UPDATE uploads SET offset=? WHERE id=?", off, id); err != nil {
		s.internal(w, err)
		return
	}
	if copyErr != nil {
		return // the client went away; what arrived is kept
	}
	if off == size {
		ok, err := s.finishUpload(r.Context(), f, id, sha, size)
		if err != nil {
			s.internal(w, err)
			return
		}
		if !ok {
			zero := int64(0)
			problemWith(w, central.Problem{Type: central.ProblemHashMismatch, Status: http.StatusUnprocessableEntity,
				Title: "tệp nhận được không khớp mã băm; tải lại từ đầu (hash mismatch; upload again from 0)", Offset: &zero})
			return
		}
		w.Header().Set(central.HeaderUploadComplete, "?1")
	}
	w.Header().Set(central.HeaderUploadOffset, strconv.FormatInt(off, 10))
	w.WriteHeader(http.StatusNoContent)
}

// finishUpload checks the received file's hash and moves it into blobs/ (fsync, rename, fsync dir).
func (s *Server) finishUpload(ctx context.Context, f *os.File, id, sha string, size int64) (bool, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, size)); err != nil {
		return false, err
	}
	ctx = context.WithoutCancel(ctx)
	if hex.EncodeToString(h.Sum(nil)) != sha {
		f.Truncate(0)
		_, err := s.db.ExecContext(ctx, "UPDATE uploads SET offset=0 WHERE id=?", id)
		return false, err
	}
	if err := os.Rename(s.partPath(id), s.blobPath(sha)); err != nil {
		return false, err
	}
	if d, err := os.Open(filepath.Join(s.cfg.Dir, "blobs")); err == nil {
		d.Sync()
		d.Close()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO blobs(sha256, size) VALUES(?,?) ON CONFLICT DO NOTHING;`, sha, size)
	if err == nil {
		_, err = s.db.ExecContext(ctx, "UPDATE uploads SET complete=1, offset=size WHERE sha256=?", sha)
	}
	return err == nil, err
}

type submitBody struct {
	Manifest  json.RawMessage `json:"manifest"`
	Signature string          `json:"signature"`
}

// idempotencyKey reads the Idempotency-Key header (a structured-field string; a bare token is accepted).
func idempotencyKey(h http.Header) string {
	v := strings.TrimSpace(h.Get(central.HeaderIdempotencyKey))
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if v == "" || len(v) > 128 || strings.ContainsAny(v, "\"\\ ") {
		return ""
	}
	return v
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, k kiosk) {
	key := idempotencyKey(r.Header)
	if key == "" {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "thiếu Idempotency-Key (Idempotency-Key missing)")
		return
	}
	var body submitBody
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || len(body.Manifest) == 0 {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "nội dung không đọc được (body unreadable)")
		return
	}
	fp := sha256.Sum256(body.Manifest)
	fingerprint := hex.EncodeToString(fp[:])

	s.mu.Lock()
	busy := s.inFlight[key]
	if !busy {
		s.inFlight[key] = true
	}
	s.mu.Unlock()
	if busy {
		w.Header().Set("Retry-After", "1")
		problem(w, http.StatusConflict, central.ProblemInProgress, "yêu cầu cùng khóa đang được xử lý (same key in progress)")
		return
	}
	defer func() {
		s.mu.Lock()
		delete(s.inFlight, key)
		s.mu.Unlock()
	}()

	if st, oldFP, err := s.lookup(r.Context(), key, k.id); err == nil {
		if oldFP != fingerprint {
			problem(w, http.StatusUnprocessableEntity, central.ProblemKeyReused, "khóa đã dùng cho hồ sơ khác (key reused with another payload)")
			return
		}
		writeJSON(w, http.StatusOK, st)
		return
	} else if !errors.Is(err, sql.ErrNoRows) {
		s.internal(w, err)
		return
	}

	sig, err := base64.StdEncoding.DecodeString(body.Signature)
	if err != nil || dossier.Verify(k.pub, body.Manifest, sig) != nil {
		problem(w, http.StatusUnprocessableEntity, central.ProblemBadSignature, "chữ ký bản kê không hợp lệ (manifest signature invalid)")
		return
	}
	d, err := dossier.ParseManifest(body.Manifest)
	if err == nil && (d.IdempotencyKey != key || d.KioskID != k.id) {
		err = errors.New("khóa hoặc mã kiosk không khớp (key or kiosk id does not match)")
	}
	if err == nil {
		err = d.Validate(nil)
	}
	if err != nil {
		problemWith(w, central.Problem{Type: central.ProblemInvalidDossier, Status: http.StatusUnprocessableEntity,
			Title: "hồ sơ không hợp lệ (dossier invalid)", Detail: err.Error()})
		return
	}
	for i, a := range d.Attachments {
		if !s.haveBlob(r.Context(), a.SHA256, a.Size) {
			problemWith(w, central.Problem{Type: central.ProblemAttachmentMissing, Status: http.StatusConflict,
				Title: "chưa nhận đủ tệp đính kèm (attachment not uploaded yet)", Detail: fmt.Sprintf("attachment %d", i+1)})
			return
		}
	}
	st, err := s.store(context.WithoutCancel(r.Context()), key, fingerprint, k.id, d, body.Manifest, sig)
	if errors.Is(err, dossier.ErrBadCode) {
		problem(w, http.StatusServiceUnavailable, central.ProblemCodesExhausted, "hết số thứ tự trong ngày (daily sequence exhausted)")
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	s.log.Info("dossier received", "code", st.DossierCode, "kiosk", k.id)
	writeJSON(w, http.StatusCreated, st)
}

func (s *Server) lookup(ctx context.Context, key, kioskID string) (*central.DossierStatus, string, error) {
	var st central.DossierStatus
	var fp string
	var recv, upd int64
	err := s.db.QueryRowContext(ctx, "SELECT code, status, note, received_at, updated_at, fingerprint FROM dossiers WHERE idem_key=? AND kiosk_id=?",
		key, kioskID).Scan(&st.DossierCode, &st.Status, &st.Note, &recv, &upd, &fp)
	if err != nil {
		return nil, "", err
	}
	st.IdempotencyKey = key
	st.ReceivedAt, st.UpdatedAt = time.UnixMilli(recv).UTC(), time.UnixMilli(upd).UTC()
	return &st, fp, nil
}

// store allocates the unit's next sequence number of the day and records the dossier, in one transaction.
func (s *Server) store(ctx context.Context, key, fp, kioskID string, d *dossier.Dossier, manifest, sig []byte) (*central.DossierStatus, error) {
	now := s.cfg.Now()
	day := now.In(vntime.Zone()) // the day of a dossier code
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var last int
	err = tx.QueryRowContext(ctx, "SELECT last FROM sequences WHERE unit=? AND day=?", d.Unit.Code, day.Format("060102")).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	code, err := dossier.NewCode(d.Unit.Code, day, last+1)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sequences(unit, day, last) VALUES(?,?,?)
		ON CONFLICT(unit, day) DO UPDATE SET last=excluded.last`, d.Unit.Code, day.Format("060102"), last+1); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dossiers(code, idem_key, fingerprint, kiosk_id, procedure_code, unit_code,
		applicant_id, manifest, signature, status, received_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)`,
		code.String(), key, fp, kioskID, d.Procedure.Code, d.Unit.Code, d.Applicant.IDNumber, manifest, sig,
		central.StatusReceived, now.UnixMilli(), now.UnixMilli()); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return &central.DossierStatus{IdempotencyKey: key, DossierCode: code.String(), Status: central.StatusReceived,
		ReceivedAt: time.UnixMilli(now.UnixMilli()).UTC(), UpdatedAt: time.UnixMilli(now.UnixMilli()).UTC()}, nil
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, k kiosk) {
	st, _, err := s.lookup(r.Context(), r.PathValue("key"), k.id)
	if errors.Is(err, sql.ErrNoRows) {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có hồ sơ với khóa này (no dossier with this key)")
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request, k kiosk) {
	var hb central.Heartbeat
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&hb); err != nil {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "nhịp tim không đọc được (heartbeat unreadable)")
		return
	}
	now := s.cfg.Now()
	if _, err := s.db.ExecContext(r.Context(), "UPDATE kiosks SET last_seen=?, queued=? WHERE id=?", now.UnixMilli(), hb.Queued, k.id); err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, central.HeartbeatResponse{ServerTime: now.UTC()})
}

// SetStatus changes a dossier's status as the provincial system's staff would (received,
// processing, needs-more-documents, completed, returned, refused, withdrawn).
func (s *Server) SetStatus(ctx context.Context, code, status, note string) error {
	res, err := s.db.ExecContext(ctx, "UPDATE dossiers SET status=?, note=?, updated_at=? WHERE code=?", status, note, s.cfg.Now().UnixMilli(), code)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("không có hồ sơ %s (no such dossier)", code)
	}
	return nil
}

// Dir is the server's data directory.
func (s *Server) Dir() string { return s.cfg.Dir }

// Start opens a server with cfg and serves it on addr (e.g. "127.0.0.1:0" for any free port) in the
// background until ctx ends. It returns the server, its base URL (https with a TLS directory), and
// wait, which returns once serving has stopped.
func Start(ctx context.Context, cfg Config, addr string) (srv *Server, baseURL string, wait func(), err error) {
	srv, err = Open(ctx, cfg)
	if err != nil {
		return nil, "", nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		return nil, "", nil, fmt.Errorf("không mở được cổng %s (cannot listen): %w", addr, err)
	}
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	scheme := "http://"
	if cfg.TLSDir != "" {
		scheme = "https://"
	}
	return srv, scheme + ln.Addr().String(), func() { <-done }, nil
}
