package devserver

// HTTP: fault injection, problem answers, and who is calling.

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tramso/tramso/kiosk/central"
)

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

func (s *Server) internal(w http.ResponseWriter, err error) {
	s.log.Error("internal error", "err", err)
	problem(w, http.StatusInternalServerError, central.ProblemUnavailable, "lỗi máy chủ (server error)")
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

// fingerprintOf is what an idempotent request is remembered by: the SHA-256 of its body, in hex. The
// same key with another fingerprint is a different request reusing the key, and is refused.
func fingerprintOf(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
