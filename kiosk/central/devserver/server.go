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
	"crypto/tls"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tramso/tramso/kiosk/central"
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

// Server is the development central server. Start one in the background with the package's Serve
// (tests, the simulated kiosk), or create it with Open and serve a listener with its Serve method
// (kioskctl central-dev).
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

	// Set by the package's Serve only.
	url    string
	stop   context.CancelFunc // stops serving
	served chan struct{}      // closed once serving has stopped
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
	if err := s.registerServices(ctx); err != nil { // citizen services: tracker, queue, ratings, payments, notifications
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close stops waiting handlers; for a server started with the package's Serve it also stops
// serving and waits until serving has stopped. Then it closes the database. Close may be called
// more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	if s.stop != nil {
		s.stop()
		<-s.served
	}
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

// Dir is the server's data directory.
func (s *Server) Dir() string { return s.cfg.Dir }

// Serve opens a server with cfg and serves it on addr (e.g. "127.0.0.1:0" for any free port) in
// the background until ctx ends or Close is called. Like every simulator in tramso (esclsim.Serve,
// pn532sim.Serve, escpossim.Serve, codereadersim.Serve), it starts with Serve, says where to reach
// it (URL) and stops with Close, which also closes its database.
func Serve(ctx context.Context, addr string, cfg Config) (*Server, error) {
	s, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("không mở được cổng %s (cannot listen): %w", addr, err)
	}
	s.url = "http://" + ln.Addr().String()
	if s.ca != nil {
		s.url = "https://" + ln.Addr().String()
	}
	ctx, s.stop = context.WithCancel(ctx)
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		s.Serve(ctx, ln)
	}()
	return s, nil
}

// URL is the base URL of a server started with the package's Serve, e.g. "http://127.0.0.1:8080"
// (https with a TLS directory); empty for a server from Open.
func (s *Server) URL() string { return s.url }
