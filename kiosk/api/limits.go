package api

import (
	"context"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// Limits bound what the local API's clients may hold, so that a hostile or broken client on the
// socket cannot starve kiosk-ui. Zero fields take the defaults.
type Limits struct {
	// MaxConns is the number of connections held at once (default 64). At the cap, the connection
	// idle longest is closed to make room; when none is idle the newcomer is closed.
	MaxConns int
	// MaxStreams is the number of event streams (GET /v1/session/events) at once (default 4);
	// extra ones are refused with 503.
	MaxStreams int
	// MaxBody bounds every request body (default 1 MiB).
	MaxBody int64
	// ReadHeaderTimeout (default 5 s), ReadTimeout (default 30 s: reading the request; net/http
	// lifts it once a bodiless request is read, so it does not cut an event stream) and IdleTimeout
	// (default 60 s) of the HTTP server. There is no write timeout: it would cut streams.
	ReadHeaderTimeout, ReadTimeout, IdleTimeout time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.MaxConns <= 0 {
		l.MaxConns = 64
	}
	if l.MaxStreams <= 0 {
		l.MaxStreams = 4
	}
	if l.MaxBody <= 0 {
		l.MaxBody = 1 << 20
	}
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = 5 * time.Second
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = 30 * time.Second
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = 60 * time.Second
	}
	return l
}

type peerKey struct{}

// PeerUID is the user id of the unix-socket peer that made the request (from SO_PEERCRED), when
// the API is served with Start on a unix socket.
func PeerUID(ctx context.Context) (uint32, bool) {
	uid, ok := ctx.Value(peerKey{}).(uint32)
	return uid, ok
}

// Start serves the API on ln with the server's Limits and returns the HTTP server, whose Shutdown
// first ends every event stream (their request contexts are cancelled) and then waits for the
// other requests.
func (s *Server) Start(ln net.Listener) *http.Server {
	lim := s.Limits.withDefaults()
	s.streams = make(chan struct{}, lim.MaxStreams)
	ll := &limitListener{Listener: ln, max: lim.MaxConns, conns: map[*limitedConn]connInfo{}}
	base, cancel := context.WithCancel(context.Background())
	h := s.Handler()
	hs := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body != nil {
				r.Body = http.MaxBytesReader(w, r.Body, lim.MaxBody)
			}
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
		ConnState:         ll.track,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if uid, ok := peerUID(c); ok {
				return context.WithValue(ctx, peerKey{}, uid)
			}
			return ctx
		},
	}
	hs.RegisterOnShutdown(cancel)
	go hs.Serve(ll)
	return hs
}

// peerUID is the user id of the process at the other end of a unix-socket connection.
func peerUID(c net.Conn) (uint32, bool) {
	if lc, ok := c.(*limitedConn); ok {
		c = lc.Conn
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return 0, false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return 0, false
	}
	return cred.Uid, true
}

type connInfo struct {
	state http.ConnState
	since time.Time
}

// limitListener holds at most max connections, evicting the one idle longest to admit a new one.
type limitListener struct {
	net.Listener
	max   int
	mu    sync.Mutex
	conns map[*limitedConn]connInfo
}

type limitedConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		var victim *limitedConn
		if len(l.conns) >= l.max {
			var oldest time.Time
			for vc, in := range l.conns {
				if (in.state == http.StateNew || in.state == http.StateIdle) && (victim == nil || in.since.Before(oldest)) {
					victim, oldest = vc, in.since
				}
			}
			if victim == nil { // every connection is busy: the newcomer waits outside
				l.mu.Unlock()
				c.Close()
				continue
			}
			delete(l.conns, victim)
		}
		lc := &limitedConn{Conn: c, l: l}
		l.conns[lc] = connInfo{state: http.StateNew, since: time.Now()}
		l.mu.Unlock()
		if victim != nil {
			victim.Close()
		}
		return lc, nil
	}
}

// track follows the HTTP server's view of each connection.
func (l *limitListener) track(c net.Conn, st http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, held := l.conns[lc]; !held {
		return
	}
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, lc)
	default:
		l.conns[lc] = connInfo{state: st, since: time.Now()}
	}
}
