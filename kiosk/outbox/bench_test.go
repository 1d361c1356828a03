package outbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/outbox"
)

// throttled limits a connection's writes to rate bytes per second (a slow uplink).
type throttled struct {
	net.Conn
	rate float64
}

func (c throttled) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := min(len(p)-n, 16<<10)
		m, err := c.Conn.Write(p[n : n+k])
		n += m
		if err != nil {
			return n, err
		}
		time.Sleep(time.Duration(float64(m) / c.rate * float64(time.Second)))
	}
	return n, nil
}

// BenchmarkResumableUpload20MB uploads a 20 MB attachment over a loopback link throttled to
// 64 MB/s while the server resets the connection in the middle of 5 chunk requests, and reports
// the bytes sent against the minimum (the file size); the target is ≤ 1.1× plus one chunk per reset.
func BenchmarkResumableUpload20MB(b *testing.B) {
	const size, chunk, resets = 20 << 20, 1 << 20, 5
	data := make([]byte, size)
	rand.Read(data)
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	var ratio, sentTotal float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var patches atomic.Int64
		faults := func(r *http.Request) devserver.Fault {
			if r.Method == http.MethodPatch {
				if n := patches.Add(1); n%4 == 2 && n <= 4*resets {
					return devserver.FaultReset
				}
			}
			return devserver.FaultNone
		}
		srv, url := startServer(b, devserver.Config{Faults: faults})
		_ = srv
		k := benchKiosk(b, url, central.Options{ChunkSize: chunk, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return throttled{c, 64 << 20}, nil
		}})
		b.StartTimer()
		failures := 0
		for {
			err := k.Upload(context.Background(), sha, size, bytes.NewReader(data), nil)
			if err == nil {
				break
			}
			if failures++; failures > 50 {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if failures != resets {
			b.Fatalf("%d interrupted uploads, want %d", failures, resets)
		}
		sent := float64(k.BytesSent())
		sentTotal += sent
		ratio += sent / size
		if limit := 1.1*size + resets*chunk; sent > limit {
			b.Errorf("sent %.0f bytes, above the target %.0f", sent, limit)
		}
		k.Close()
	}
	b.ReportMetric(sentTotal/float64(b.N), "bytes-sent/op")
	b.ReportMetric(ratio/float64(b.N), "sent/min")
	b.ReportMetric((1.1*size+resets*chunk)/size, "target-sent/min")
}

func benchKiosk(b *testing.B, url string, opts central.Options) *central.Client {
	b.Helper()
	s, err := openSigned(context.Background(), b.TempDir(), outbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	c, err := outbox.Connect(context.Background(), s, url, nil, opts)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// virtualClock is a Clock whose Sleep advances virtual time at once.
type virtualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *virtualClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// BenchmarkDrainAfterOutage queues 100 dossiers while the central server is down for one hour of
// simulated time (every request answers 500), then lets it recover. It reports the simulated time
// from recovery until the outbox is empty (the backoff overhang), the wall time of the whole drain,
// and the attempts made during the outage. Default backoff: base 1 s, cap 5 min, full jitter.
func BenchmarkDrainAfterOutage(b *testing.B) {
	var overhang, wall, attempts float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
		clock := &virtualClock{now: start}
		recovery := start.Add(time.Hour)
		var tries atomic.Int64
		var drainedAt time.Time
		faults := func(r *http.Request) devserver.Fault {
			if clock.Now().Before(recovery) && r.URL.Path != central.PathEnrolments {
				tries.Add(1)
				return devserver.Fault500
			}
			return devserver.FaultNone
		}
		_, url := startServer(b, devserver.Config{Faults: faults})
		s, err := openSigned(context.Background(), b.TempDir(), outbox.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 100; j++ {
			if _, err := s.Capture(context.Background(), newDossier(), newFiles(16<<10), nil); err != nil {
				b.Fatal(err)
			}
		}
		c, err := outbox.Connect(context.Background(), s, url, nil, central.Options{})
		if err != nil {
			b.Fatal(err)
		}
		u := outbox.NewUploader(s, c, outbox.UploaderOptions{UntilEmpty: true, Clock: clock})
		b.StartTimer()
		t0 := time.Now()
		if err := u.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		wall += float64(time.Since(t0).Milliseconds())
		b.StopTimer()
		drainedAt = clock.Now()
		if n, _ := s.Pending(context.Background()); n != 0 {
			b.Fatalf("%d dossiers left", n)
		}
		overhang += drainedAt.Sub(recovery).Seconds()
		attempts += float64(tries.Load())
		s.Close()
		c.Close()
	}
	b.ReportMetric(overhang/float64(b.N), "sim-s-after-recovery")
	b.ReportMetric(wall/float64(b.N), "wall-ms/op")
	b.ReportMetric(attempts/float64(b.N), "requests-during-outage")
}

// lossyRun drains n dossiers, captured anew, through a development server answering with faults
// (nil: a clean link), on a virtual clock for the backoff. It returns the bytes the kiosk sent,
// the attachments' total size, the wall time of the drain and the (virtual) time spent waiting.
func lossyRun(b *testing.B, n int, faults func(*http.Request) devserver.Fault) (sent, minimum int64, wall, waited time.Duration) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	_, url := startServer(b, devserver.Config{Faults: faults})
	s, err := openSigned(ctx, b.TempDir(), outbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < n; i++ {
		e, err := s.Capture(ctx, newDossier(), newFiles(256<<10), nil)
		if err != nil {
			b.Fatal(err)
		}
		rd, err := s.Reprint(ctx, e.ID)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range rd.Dossier.Attachments {
			minimum += a.Size
		}
	}
	c, err := outbox.Connect(ctx, s, url, nil, central.Options{RequestTimeout: 5 * time.Second, ChunkSize: 64 << 10})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	clock := &virtualClock{now: start}
	u := outbox.NewUploader(s, c, outbox.UploaderOptions{UntilEmpty: true, Clock: clock})
	t0 := time.Now()
	if err := u.Run(ctx); err != nil {
		b.Fatal(err)
	}
	wall = time.Since(t0)
	if left, _ := s.Pending(ctx); left != 0 {
		b.Fatalf("%d dossiers left", left)
	}
	return c.BytesSent(), minimum, wall, clock.Now().Sub(start)
}

// BenchmarkDrainLossyLink drains 12 dossiers (about 256 KB of attachments each, 64 KB chunks) over
// a loopback link where the development server resets the connection or answers 500 on about a
// third of the requests (faults reset=0.17, 500=0.17; enrolment spared). It reports the bytes sent
// against the minimum (the attachments' total size), and the time to drain, wall time plus the
// backoff waits (virtual clock), against the same drain on a clean link.
func BenchmarkDrainLossyLink(b *testing.B) {
	const n = 12
	lossy := devserver.Faults{devserver.FaultReset: 0.17, devserver.Fault500: 0.17}
	faults := func(r *http.Request) devserver.Fault {
		if r.URL.Path == central.PathEnrolments {
			return devserver.FaultNone
		}
		return lossy.Decide(r)
	}
	var sentRatio, timeRatio, waitedS, wallS, cleanS float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		_, _, cleanWall, _ := lossyRun(b, n, nil)
		b.StartTimer()
		sent, minimum, wall, waited := lossyRun(b, n, faults)
		b.StopTimer()
		sentRatio += float64(sent) / float64(minimum)
		timeRatio += (wall + waited).Seconds() / cleanWall.Seconds()
		waitedS += waited.Seconds()
		wallS += wall.Seconds()
		cleanS += cleanWall.Seconds()
	}
	nb := float64(b.N)
	b.ReportMetric(sentRatio/nb, "sent/min")
	b.ReportMetric(timeRatio/nb, "drain-time/min")
	b.ReportMetric(wallS/nb, "wall-s")
	b.ReportMetric(waitedS/nb, "backoff-s")
	b.ReportMetric(cleanS/nb, "clean-wall-s")
}
