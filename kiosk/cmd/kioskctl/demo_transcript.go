//go:build !nosim

package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// The demo citizen's notebook: the transcript of what it did and every screen it passed.

type demo struct {
	e          *env
	out        string
	pace       time.Duration // pause after each step, so a person (or the screenshot writer) sees every screen
	pages      int           // sheets of each document
	shots      string        // the touchscreen's screenshots (kiosk-ui --screenshot-dir), "" without --ui
	c          *client.Client
	mu         sync.Mutex
	transcript []string
}

func (d *demo) note(format string, a ...any) {
	line := fmt.Sprintf(format, a...)
	d.record(line)
	fmt.Fprintf(d.e.stdout, "• %s\n", line)
	time.Sleep(d.pace)
}

// record adds a line to the transcript only.
func (d *demo) record(line string) {
	d.mu.Lock()
	d.transcript = append(d.transcript, time.Now().In(vntime.Zone()).Format("15:04:05.000")+"  "+line)
	d.mu.Unlock()
}

// watch records every state and step the session goes through, from the event stream.
func (d *demo) watch(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	views := make(chan wire.View, 16)
	go d.c.Watch(ctx, views, nil)
	go func() {
		defer close(done)
		last := ""
		for {
			select {
			case <-ctx.Done():
				return
			case v := <-views:
				s := string(v.State)
				if v.Step != "" {
					s += "/" + string(v.Step)
				}
				if v.Message != nil {
					s += "  [" + v.Message.Code + "] " + v.Message.Vi
				}
				if s != last {
					d.mu.Lock()
					d.transcript = append(d.transcript, time.Now().In(vntime.Zone()).Format("15:04:05.000")+"  màn hình (screen): "+s)
					d.mu.Unlock()
					last = s
				}
			}
		}
	}()
	return done
}

// demoBusy reports whether the kiosk is working and the citizen can only wait.
func demoBusy(v wire.View) bool {
	switch {
	case v.State == wire.Identify && v.Step == wire.StepReading,
		v.State == wire.Documents && v.Step == wire.StepScanning,
		v.State == wire.Review && v.Step == wire.StepProcessing,
		v.State == wire.Submitting,
		v.State == wire.Receipt && v.Step == wire.StepPrinting:
		return true
	}
	return false
}
