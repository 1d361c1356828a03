package outbox_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/outbox"
)

// sleepLog is a virtualClock that remembers the longest wait asked of it.
type sleepLog struct {
	virtualClock
	mu      sync.Mutex
	longest time.Duration
}

func (c *sleepLog) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.longest = max(c.longest, d)
	c.mu.Unlock()
	return c.virtualClock.Sleep(ctx, d)
}

// lossyDrain drains dossiers (many chunks each) through the development server with faults, on a
// virtual clock, and returns the clock.
func lossyDrain(t *testing.T, dossiers int, faults func(*http.Request) devserver.Fault, clock *sleepLog) *outbox.Store {
	t.Helper()
	_, url := startServer(t, devserver.Config{Faults: faults})
	s := open(t, t.TempDir(), outbox.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := 0; i < dossiers; i++ {
		if _, err := s.Capture(ctx, newDossier(), newFiles(48<<10), nil); err != nil {
			t.Fatal(err)
		}
	}
	c, err := outbox.Connect(ctx, s, url, nil, central.Options{RequestTimeout: 5 * time.Second, ChunkSize: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var log bytes.Buffer
	u := outbox.NewUploader(s, c, outbox.UploaderOptions{UntilEmpty: true, Clock: clock, Logger: newLogger(&log)})
	if err := u.Run(ctx); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if n, _ := s.Pending(ctx); n != 0 {
		t.Fatalf("%d dossiers left", n)
	}
	return s
}

// On a link where about a third of the requests fail (a 500 or a reset connection), the chunks that land
// count as progress: the backoff starts again from its first step instead of climbing towards the
// 5-minute cap, so no wait exceeds a few base delays and the drain takes seconds of (virtual) time.
func TestLossyLinkBackoffFollowsProgress(t *testing.T) {
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	clock := &sleepLog{virtualClock: virtualClock{now: start}}
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(14, 3)) // fixed seed: the same faults every run
	var failed atomic.Int64
	faults := func(r *http.Request) devserver.Fault {
		if r.URL.Path == central.PathEnrolments {
			return devserver.FaultNone
		}
		mu.Lock()
		x := rng.IntN(6)
		mu.Unlock()
		switch x {
		case 0:
			failed.Add(1)
			return devserver.FaultReset
		case 1:
			failed.Add(1)
			return devserver.Fault500
		}
		return devserver.FaultNone
	}
	lossyDrain(t, 3, faults, clock)
	if failed.Load() < 20 {
		t.Fatalf("only %d faults injected: the test does not exercise a lossy link", failed.Load())
	}
	if clock.longest > 4*time.Second {
		t.Errorf("longest wait %v on a link that makes progress, want ≤ 4 s (%d faults)", clock.longest, failed.Load())
	}
	if took := clock.Now().Sub(start); took > 2*time.Minute {
		t.Errorf("drain took %v of virtual time", took)
	}
}

// In an outage where nothing lands, the backoff still climbs to its cap: an hour of 500s costs a
// few dozen requests, not thousands.
func TestOutageBackoffKeepsCap(t *testing.T) {
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	clock := &sleepLog{virtualClock: virtualClock{now: start}}
	recovery := start.Add(time.Hour)
	var tries atomic.Int64
	faults := func(r *http.Request) devserver.Fault {
		if clock.Now().Before(recovery) && r.URL.Path != central.PathEnrolments {
			tries.Add(1)
			return devserver.Fault500
		}
		return devserver.FaultNone
	}
	lossyDrain(t, 2, faults, clock)
	if n := tries.Load(); n < 5 || n > 120 {
		t.Errorf("%d requests during a one-hour outage, want a capped backoff (5…120)", n)
	}
	if clock.longest < time.Minute {
		t.Errorf("longest wait %v during an outage: the backoff never climbed", clock.longest)
	}
}

// A link that worked a moment ago and then fails a whole minute in a row is treated as lossy, not
// down: no wait exceeds 8 base delays while the last progress is recent, so the queue goes on
// within seconds when the link comes back (the outage cap applies only after two minutes of nothing).
func TestRecentProgressBoundsFailureStreak(t *testing.T) {
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	clock := &sleepLog{virtualClock: virtualClock{now: start}}
	var mu sync.Mutex
	var outageFrom time.Time
	faults := func(r *http.Request) devserver.Fault {
		if r.URL.Path == central.PathEnrolments {
			return devserver.FaultNone
		}
		mu.Lock()
		defer mu.Unlock()
		now := clock.Now()
		if outageFrom.IsZero() {
			if r.URL.Path == central.PathDossiers { // the first dossier is accepted, then a minute of 500s
				outageFrom = now
			}
			return devserver.FaultNone
		}
		if now.Sub(outageFrom) < time.Minute {
			return devserver.Fault500
		}
		return devserver.FaultNone
	}
	lossyDrain(t, 3, faults, clock)
	if clock.longest > 8*time.Second {
		t.Errorf("longest wait %v after recent progress, want ≤ 8 s", clock.longest)
	}
}
