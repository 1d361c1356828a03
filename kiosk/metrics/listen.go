package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ErrNotLoopback is wrapped by CheckListen's refusal of an address other machines could reach.
var ErrNotLoopback = errors.New("địa chỉ /metrics phải là loopback (the /metrics address must be loopback)")

// CheckListen accepts only a loopback host:port (127.0.0.0/8, ::1 or localhost): the metrics are
// read by the kiosk's own Prometheus agent, never from the network.
func CheckListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("địa chỉ /metrics cần dạng 127.0.0.1:9464, có %q (the /metrics address must look like 127.0.0.1:9464): %w", addr, err)
	}
	if port == "" {
		return fmt.Errorf("địa chỉ /metrics thiếu cổng, có %q (the /metrics address lacks a port): %w", addr, ErrNotLoopback)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: %q mở cho máy khác; dùng 127.0.0.1 (%q is reachable from other machines; use 127.0.0.1)", ErrNotLoopback, addr, addr)
	}
	return nil
}

// Listen checks addr (CheckListen) and listens on it.
func Listen(addr string) (net.Listener, error) {
	if err := CheckListen(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("không mở được cổng /metrics %s (cannot listen for /metrics on %s): %w", addr, addr, err)
	}
	return ln, nil
}

// Serve serves /metrics on ln until ctx ends. Only GET and HEAD of /metrics are answered.
func (m *Metrics) Serve(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
		case <-done:
		}
	}()
	err := srv.Serve(ln)
	close(done)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
