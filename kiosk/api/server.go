// Package api is kioskd's local API: HTTP+JSON with server-sent events, served on a unix socket
// (/run/tramso/kiosk.sock) that only the kiosk-ui group and root reach. kiosk-ui reads the session
// view and posts the citizen's taps; kioskctl uses the staff and technician endpoints. The contract
// is kiosk/api/openapi.yaml.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"golang.org/x/image/draw"

	"github.com/tramso/tramso/kiosk/session"
)

// Session is what the API needs of the session machine.
type Session interface {
	View() session.View
	Watch(ctx context.Context) <-chan session.View
	Do(ctx context.Context, a session.Action) error
	Preview(ctx context.Context, doc, page int) (image.Image, bool)
}

// Health reports the kiosk's devices and services for the status endpoint. Its "status" member is
// "ok" or "degraded".
type Health interface {
	Health(ctx context.Context) map[string]any
}

// Server serves the local API.
type Server struct {
	Session Session
	Health  Health
	// Extra routes (staff, technician, simulator controls) mounted beside the session routes.
	Extra map[string]http.Handler
	Log   *slog.Logger
	// Limits bound connections, event streams, bodies and reads when served with Start.
	Limits Limits
	// Privileged says whether the unix-socket peer with this user id (root, kioskd's own user) may
	// read the full health; everyone else (kiosk-ui's group) gets only ok/degraded and the version.
	// nil: nobody.
	Privileged func(uid uint32) bool

	streams chan struct{} // one token per open event stream (set by Start)
}

// Handler returns the API's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/session", s.getSession)
	mux.HandleFunc("POST /v1/session/actions", s.postAction)
	mux.HandleFunc("GET /v1/session/events", s.events)
	mux.HandleFunc("GET /v1/session/documents/{doc}/pages/{page}", s.preview)
	mux.HandleFunc("GET /v1/health", s.health)
	for pattern, h := range s.Extra {
		mux.Handle(pattern, h)
	}
	return mux
}

// Listen opens the unix socket at path with the given mode (e.g. 0660: owner and group), replacing a
// stale socket left by a crash.
func Listen(path string, mode os.FileMode) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("kioskd khác đang chạy trên %s (another kioskd is already serving)", path)
		}
		os.Remove(path)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("không mở được ổ cắm %s (cannot listen): %w", path, err)
	}
	if err := os.Chmod(path, mode); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, s.Session.View())
}

func (s *Server) postAction(w http.ResponseWriter, r *http.Request) {
	var a session.Action
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	if err := dec.Decode(&a); err != nil || a.Action == "" {
		Problem(w, http.StatusBadRequest, "bad-action", "yêu cầu không hợp lệ (malformed action)", "")
		return
	}
	err := s.Session.Do(r.Context(), a)
	switch {
	case err == nil:
		WriteJSON(w, http.StatusOK, s.Session.View())
	case errors.Is(err, session.ErrStale):
		// The screen the action was made on is gone: the client gets the current one to decide again.
		problemView(w, "stale", err.Error(), string(a.Action), s.Session.View())
	case errors.Is(err, session.ErrNotNow):
		problemView(w, "not-now", err.Error(), string(a.Action), s.Session.View())
	case errors.Is(err, session.ErrInvalid):
		Problem(w, http.StatusUnprocessableEntity, "invalid", err.Error(), string(a.Action))
	default:
		Problem(w, http.StatusServiceUnavailable, "unavailable", err.Error(), string(a.Action))
	}
}

// events streams the session view as server-sent events: one "view" event at once, then one for
// every change, and a comment every 15 s so dead connections are noticed.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		Problem(w, http.StatusInternalServerError, "no-stream", "không hỗ trợ luồng sự kiện (streaming unsupported)", "")
		return
	}
	if s.streams != nil {
		select {
		case s.streams <- struct{}{}:
			defer func() { <-s.streams }()
		default:
			w.Header().Set("Retry-After", "5")
			Problem(w, http.StatusServiceUnavailable, "too-many-streams",
				"đã có quá nhiều luồng sự kiện đang mở, hãy thử lại sau (too many event streams open, try again later)", "")
			return
		}
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	views := s.Session.Watch(r.Context())
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case v, ok := <-views:
			if !ok {
				return
			}
			b, _ := json.Marshal(v)
			if _, err := fmt.Fprintf(w, "id: %d\nevent: view\ndata: %s\n\n", v.Seq, b); err != nil {
				return
			}
			fl.Flush()
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
			fl.Flush()
		case <-r.Context().Done():
			return
		}
	}
}

// preview serves a scanned page scaled to at most 1000 px wide, as PNG, never cached.
func (s *Server) preview(w http.ResponseWriter, r *http.Request) {
	d, err1 := strconv.Atoi(r.PathValue("doc"))
	p, err2 := strconv.Atoi(trimExt(r.PathValue("page")))
	if err1 != nil || err2 != nil {
		Problem(w, http.StatusBadRequest, "bad-page", "số trang không hợp lệ (bad page number)", "")
		return
	}
	img, ok := s.Session.Preview(r.Context(), d, p)
	if !ok {
		Problem(w, http.StatusNotFound, "no-page", "không có trang này (no such page)", "")
		return
	}
	b := img.Bounds()
	if b.Dx() > 1000 {
		dst := image.NewGray(image.Rect(0, 0, 1000, b.Dy()*1000/b.Dx()))
		draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
		img = dst
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	png.Encode(w, img)
}

func trimExt(s string) string {
	if len(s) > 4 && s[len(s)-4:] == ".png" {
		return s[:len(s)-4]
	}
	return s
}

// health answers ok/degraded and the version to anyone on the socket; the devices, outbox and
// uploader only to a privileged peer (staff read them with a token at /v1/staff/devices).
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	full := map[string]any{"status": "ok"}
	if s.Health != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		for k, v := range s.Health.Health(ctx) {
			full[k] = v
		}
	}
	if full["status"] != "ok" {
		full["status"] = "degraded"
	}
	full["version"] = Version()
	uid, ok := r.Context().Value(peerKey{}).(uint32)
	if ok && s.Privileged != nil && s.Privileged(uid) {
		WriteJSON(w, http.StatusOK, full)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"status": full["status"], "version": full["version"]})
}

// Version is kioskd's build: the module version, or the VCS revision it was built from.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, st := range bi.Settings {
		if st.Key == "vcs.revision" && (v == "" || v == "(devel)") {
			v = st.Value
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}

// WriteJSON writes v as JSON with the status code.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// Problem writes an RFC 9457 problem+json answer.
func Problem(w http.ResponseWriter, code int, typ, detail, instance string) {
	writeProblem(w, code, typ, detail, instance, nil)
}

// problemView writes a 409 problem whose "view" member is the session's current view: the action
// was refused because it was made on (stale) or does not apply to (not-now) another view.
func problemView(w http.ResponseWriter, typ, detail, instance string, v session.View) {
	writeProblem(w, http.StatusConflict, typ, detail, instance, &v)
}

func writeProblem(w http.ResponseWriter, code int, typ, detail, instance string, v *session.View) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	p := map[string]any{
		"type": "urn:tramso:problem:" + typ, "title": http.StatusText(code), "status": code,
		"detail": detail, "instance": instance,
	}
	if v != nil {
		p["view"] = v
	}
	json.NewEncoder(w).Encode(p)
}
