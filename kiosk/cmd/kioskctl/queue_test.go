package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
)

// queueServer starts a development central server and enrols a kiosk with it; it returns the URL,
// the kiosk id and a client of that kiosk.
func queueServer(t *testing.T) (string, string, *central.Client) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := devserver.Serve(ctx, "127.0.0.1:0", devserver.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); srv.Close() })
	url := srv.URL()
	const id = "HN-QUEUE-01"
	c, err := central.New(url, central.Options{KioskID: id})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, _ := central.NewCSR(key, id)
	if _, err := c.Enrol(ctx, id, csr); err != nil {
		t.Fatal(err)
	}
	return url, id, c
}

func TestQueueCommandActsAsAnOfficer(t *testing.T) {
	url, id, c := queueServer(t)
	ctx := context.Background()
	conn := []string{"--central", url, "--kiosk-id", id, "--officer", "cb-07"}
	q := func(args ...string) (int, string, string) {
		return kioskctl(t, ctx, nil, append([]string{"queue"}, append(args, conn...)...)...)
	}
	for i, k := range []string{"a", "b"} {
		if _, err := c.TakeTicket(ctx, k, central.TicketRequest{CounterID: "1", Source: central.SourceWalkIn}); err != nil {
			t.Fatal(i, err)
		}
	}
	if code, out, errs := q("list"); code != 0 || !strings.Contains(out, "Hộ tịch") || !strings.Contains(out, "Tổng hợp") || errs != "" {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	if code, out, _ := q("call", "--counter", "1"); code != 0 || !strings.Contains(out, "Mời số A001 đến Quầy 1") {
		t.Fatalf("call: %d %q", code, out)
	}
	if code, out, _ := q("recall", "--counter", "1"); code != 0 || !strings.Contains(out, "A001") {
		t.Fatalf("recall: %d %q", code, out)
	}
	if code, out, _ := q("pause", "--counter", "1", "--reason", "Họp giao ban"); code != 0 || !strings.Contains(out, "Họp giao ban") {
		t.Fatalf("pause: %d %q", code, out)
	}
	_, out, _ := q("list")
	if !strings.Contains(out, "tạm dừng (paused): Họp giao ban") || !strings.Contains(out, "A001") {
		t.Fatalf("list while paused: %q", out)
	}
	// A paused counter refuses to call: a runtime failure, worded.
	if code, out, errs := q("call", "--counter", "1"); code != 1 || out != "" || !strings.Contains(errs, "tạm dừng") {
		t.Fatalf("call while paused: %d %q %q", code, out, errs)
	}
	if code, _, _ := q("resume", "--counter", "1"); code != 0 {
		t.Fatalf("resume: %d", code)
	}
	if code, out, _ := q("call", "--counter", "1"); code != 0 || !strings.Contains(out, "A002") {
		t.Fatalf("call after resume: %d %q", code, out)
	}
	if code, out, _ := q("call", "--counter", "1"); code != 0 || !strings.Contains(out, "không còn ai chờ") {
		t.Fatalf("call with nobody waiting: %d %q", code, out)
	}
	if tk, _ := c.TakeTicket(ctx, "c", central.TicketRequest{CounterID: "1", Source: central.SourceWalkIn}); tk == nil || tk.Number != "A003" {
		t.Fatalf("numbers go on: %+v", tk)
	}
	// watch prints the next event.
	done := make(chan string, 1)
	go func() {
		_, out, _ := q("watch", "--count", "1")
		done <- out
	}()
	time.Sleep(200 * time.Millisecond)
	q("call", "--counter", "1")
	select {
	case out := <-done:
		if !strings.Contains(out, "ticket_called") || !strings.Contains(out, "A003") {
			t.Fatalf("watch: %q", out)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("watch saw nothing")
	}
}

func TestQueueCommandRefusals(t *testing.T) {
	url, id, _ := queueServer(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		args []string
		exit int
		want string
	}{
		"no counter":        {[]string{"call", "--central", url, "--kiosk-id", id}, 2, "--counter"},
		"no central":        {[]string{"call", "--counter", "1", "--kiosk-id", id}, 2, "--central"},
		"no identity":       {[]string{"call", "--counter", "1", "--central", url}, 2, "--kiosk-id"},
		"https without TLS": {[]string{"list", "--central", "https://127.0.0.1:1", "--kiosk-id", id}, 2, "--ca"},
		"no reason":         {[]string{"pause", "--counter", "1", "--central", url, "--kiosk-id", id}, 2, "--reason"},
		"extra argument":    {[]string{"recall", "--counter", "1", "--central", url, "--kiosk-id", id, "now"}, 2, "now"},
		"unknown counter":   {[]string{"call", "--counter", "9", "--central", url, "--kiosk-id", id}, 1, "404"},
		"not enrolled":      {[]string{"list", "--central", url, "--kiosk-id", "HN-NOBODY"}, 1, "401"},
		"server down":       {[]string{"list", "--central", "http://127.0.0.1:1", "--kiosk-id", id}, 1, "không kết nối được"},
	} {
		code, out, errs := kioskctl(t, ctx, nil, append([]string{"queue"}, tc.args...)...)
		if code != tc.exit || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, firstLine(errs))
		}
	}
}
