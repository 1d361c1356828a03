package session

import (
	"context"
	"github.com/tramso/tramso/kiosk/api/wire"
	"testing"
	"time"
)

// An idle kiosk must not republish the same view on every tick: each view makes the touchscreen
// redraw, and an idle screen should cost next to nothing.
func TestIdleViewPublishedOnce(t *testing.T) {
	m := New(Config{}, Devices{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx)
	views := m.Watch(ctx)
	first := <-views
	if first.State != wire.Attract {
		t.Fatalf("first view %q, want attract", first.State)
	}
	deadline := time.After(1500 * time.Millisecond) // six ticks of the loop
	seen := 0
	for {
		select {
		case v := <-views:
			if v.Seq != first.Seq {
				seen++
			}
		case <-deadline:
			if seen > 1 { // the loop's first publish may follow the initial view once
				t.Fatalf("%d views republished while idle; want at most 1", seen)
			}
			return
		}
	}
}
