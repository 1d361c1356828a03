//go:build !nosim

package daemon

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/config"
)

// runKiosk starts a simulated kioskd with the options given and returns its config, a function that
// stops it and says how long Run took to return, and a cleanup.
func runKiosk(tb testing.TB, o Options) (*config.Config, func() (time.Duration, error)) {
	tb.Helper()
	_, sim, cfg := simulated(tb)
	ctx, cancel := context.WithCancel(context.Background())
	o.Config, o.Sim = cfg, sim
	done := make(chan error, 1)
	go func() { done <- Run(ctx, o) }()
	var once sync.Once
	var took time.Duration
	var runErr error
	stop := func() (time.Duration, error) {
		once.Do(func() {
			start := time.Now()
			cancel()
			runErr = <-done
			took = time.Since(start)
			if errors.Is(runErr, context.Canceled) {
				runErr = nil
			}
		})
		return took, runErr
	}
	tb.Cleanup(func() {
		if _, err := stop(); err != nil {
			tb.Errorf("kioskd: %v", err)
		}
	})
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer wcancel()
	if _, err := client.New(cfg.Paths.Socket).WaitFor(wctx, func(v wire.View) bool { return v.State == wire.Attract }); err != nil {
		tb.Fatal(err)
	}
	return cfg, stop
}

// stream is an event stream held open: its connection and the response body.
type stream struct {
	net.Conn
	body io.Reader
}

// openStream opens GET /v1/session/events on its own connection and returns the status code, the
// start of a refusal's body and the stream (left open).
func openStream(socket string) (int, string, *stream, error) {
	c, err := net.Dial("unix", socket)
	if err != nil {
		return 0, "", nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprint(c, "GET /v1/session/events HTTP/1.1\r\nHost: kioskd\r\n\r\n"); err != nil {
		c.Close()
		return 0, "", nil, err
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		c.Close()
		return 0, "", nil, err
	}
	line := ""
	if resp.StatusCode != http.StatusOK {
		b := make([]byte, 512)
		n, _ := resp.Body.Read(b)
		line = string(b[:n])
	}
	c.SetDeadline(time.Time{})
	return resp.StatusCode, line, &stream{Conn: c, body: resp.Body}, nil
}

// flood is a hostile client on the socket: it holds every event stream it can get, many idle
// connections, and keeps opening new ones until stopped.
type flood struct {
	mu       sync.Mutex
	conns    []net.Conn
	ok       int
	refused  []string
	stop     chan struct{}
	finished chan struct{}
}

func startFlood(tb testing.TB, socket string, streams, idle int) *flood {
	tb.Helper()
	f := &flood{stop: make(chan struct{}), finished: make(chan struct{})}
	for range idle {
		c, err := net.Dial("unix", socket)
		if err != nil {
			tb.Fatalf("idle connection: %v", err)
		}
		f.conns = append(f.conns, c)
	}
	for range streams {
		code, body, c, err := openStream(socket)
		if err != nil {
			tb.Fatalf("stream: %v", err)
		}
		f.conns = append(f.conns, c)
		if code == http.StatusOK {
			f.ok++
		} else {
			f.refused = append(f.refused, fmt.Sprint(code, " ", body))
		}
	}
	go func() {
		defer close(f.finished)
		for {
			select {
			case <-f.stop:
				return
			default:
			}
			c, err := net.Dial("unix", socket)
			if err == nil {
				f.mu.Lock()
				f.conns = append(f.conns, c)
				f.mu.Unlock()
			}
			time.Sleep(time.Millisecond)
		}
	}()
	tb.Cleanup(f.close)
	return f
}

func (f *flood) close() {
	select {
	case <-f.stop:
		return
	default:
	}
	close(f.stop)
	<-f.finished
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.Close()
	}
}

// TestHostileFlood: a client floods the socket with event streams and idle connections; kiosk-ui's
// requests are still answered, and the streams beyond the cap are refused with a worded 503.
func TestHostileFlood(t *testing.T) {
	cfg, _ := runKiosk(t, Options{UploaderPoll: 100 * time.Millisecond})
	const streams, idle = 12, 200
	f := startFlood(t, cfg.Paths.Socket, streams, idle)
	if f.ok == 0 || f.ok > 4 || len(f.refused) < streams-4 {
		t.Fatalf("streams: %d accepted, %d refused; want at most 4 accepted and the rest refused", f.ok, len(f.refused))
	}
	for _, r := range f.refused {
		if !strings.HasPrefix(r, "503 ") || !strings.Contains(r, "too-many-streams") || !strings.Contains(r, "quá nhiều luồng") {
			t.Fatalf("an extra stream was not refused with a worded 503: %q", r)
		}
	}
	ui := client.New(cfg.Paths.Socket)
	for i := range 30 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		v, err := ui.View(ctx)
		cancel()
		if err != nil || v.State != wire.Attract {
			t.Fatalf("kiosk-ui's request %d under the flood: %v (%+v)", i, err, v.State)
		}
	}
	f.mu.Lock()
	opened := len(f.conns)
	f.mu.Unlock()
	if opened < idle+streams {
		t.Fatalf("the flood opened only %d connections", opened)
	}
	// Once the flood goes, a stream is granted again.
	f.close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _, c, err := openStream(cfg.Paths.Socket)
		if err == nil {
			c.Close()
		}
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no stream granted after the flood: %d %v", code, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHealthMinimal: a peer that is not privileged (kiosk-ui's group) learns ok/degraded and the
// version from /v1/health, and nothing of the devices, the outbox or the kiosk; a privileged peer
// (root, kioskd's user: kioskctl status) still reads it all.
func TestHealthMinimal(t *testing.T) {
	cfg, _ := runKiosk(t, Options{Privileged: func(uint32) bool { return false }})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := client.New(cfg.Paths.Socket).Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"status", "version"}) {
		t.Fatalf("unauthenticated health says too much: %v", h)
	}
	if s := h["status"]; s != "ok" && s != "degraded" {
		t.Fatalf("status %v", s)
	}
	if v, _ := h["version"].(string); v == "" {
		t.Fatalf("no version: %v", h)
	}
	// The full picture stays behind the staff token.
	var devices map[string]any
	c := client.New(cfg.Paths.Socket)
	var p *client.Problem
	if err := c.Staff(ctx, http.MethodGet, "devices", &devices); !errors.As(err, &p) || p.Status != http.StatusUnauthorized {
		t.Fatalf("staff devices without a token: %v", err)
	}
	pin, err := os.ReadFile(filepath.Join(filepath.Dir(cfg.Paths.Socket), SimStaffPINFile))
	if err != nil {
		t.Skip("simulated staff PIN not found:", err)
	}
	if err := c.StaffLogin(ctx, strings.TrimSpace(string(pin))); err != nil {
		t.Fatal(err)
	}
	if err := c.Staff(ctx, http.MethodGet, "devices", &devices); err != nil || devices["printer"] == nil {
		t.Fatalf("staff devices: %v %v", err, devices)
	}
}

func TestHealthPrivilegedPeer(t *testing.T) {
	cfg, _ := runKiosk(t, Options{Privileged: func(uid uint32) bool { return uid == uint32(os.Geteuid()) }})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := client.New(cfg.Paths.Socket).Health(ctx)
	if err != nil || h["printer"] == nil || h["kioskId"] == nil || h["version"] == nil {
		t.Fatalf("a privileged peer's health: %v %v", h, err)
	}
}

// TestShutdownWithStreamOpen: SIGTERM (ctx cancelled) with kiosk-ui's event stream open ends the
// stream at once and returns well inside the 10 s budget.
func TestShutdownWithStreamOpen(t *testing.T) {
	cfg, stop := runKiosk(t, Options{})
	code, _, c, err := openStream(cfg.Paths.Socket)
	if err != nil || code != http.StatusOK {
		t.Fatalf("stream: %d %v", code, err)
	}
	defer c.Close()
	took, err := stop()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shutdown with a stream open: %v", took)
	if took > 5*time.Second {
		t.Fatalf("shutdown with a stream open took %v of the 10 s budget", took)
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	b := make([]byte, 4096)
	for {
		_, err := c.Read(b)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the stream was left open after shutdown")
			}
			break
		}
	}
}

// BenchmarkHostileFlood: latency of kiosk-ui's GET /v1/session while a hostile client holds every
// event stream and floods the socket with idle connections; reports p99-ms, and the Go heap kioskd
// holds before and during the flood (heap-MB-quiet, heap-MB-flood: bounded by the connection caps).
func BenchmarkHostileFlood(b *testing.B) {
	cfg, _ := runKiosk(b, Options{UploaderPoll: 100 * time.Millisecond})
	heapMB := func() float64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapInuse) / (1 << 20)
	}
	quiet := heapMB()
	startFlood(b, cfg.Paths.Socket, 12, 200)
	time.Sleep(time.Second) // let the flood reach the caps
	flooded := heapMB()
	ui := client.New(cfg.Paths.Socket)
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := ui.View(ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(quiet, "heap-MB-quiet")
	b.ReportMetric(flooded, "heap-MB-flood")
}

// TestStreamOutlivesReadTimeout: the read timeout that drops slow requests does not cut an event
// stream, while an idle connection that sends nothing is dropped.
func TestStreamOutlivesReadTimeout(t *testing.T) {
	cfg, _ := runKiosk(t, Options{APILimits: api.Limits{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond}})
	code, _, c, err := openStream(cfg.Paths.Socket)
	if err != nil || code != http.StatusOK {
		t.Fatalf("stream: %d %v", code, err)
	}
	defer c.Close()
	idle, err := net.Dial("unix", cfg.Paths.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	time.Sleep(time.Second)
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := idle.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("a connection that sent nothing was kept past the header timeout: %v", err)
	}
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	b := make([]byte, 4096)
	for {
		_, err := c.body.Read(b)
		if isTimeout(err) {
			break // still open, nothing more to say
		}
		if err != nil {
			t.Fatalf("the stream was cut by the read timeout: %v", err)
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
