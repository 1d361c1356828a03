//go:build !nosim

package openapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/daemon"
)

// bridge forwards every TCP connection on a loopback port to the unix socket and returns the
// port's base URL: Prism speaks TCP, kioskd listens on a unix socket.
func bridge(t *testing.T, socket string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("unix", socket)
				if err != nil {
					return
				}
				defer u.Close()
				done := make(chan struct{}, 2)
				go func() { io.Copy(u, c); u.(*net.UnixConn).CloseWrite(); done <- struct{}{} }()
				go func() { io.Copy(c, u); c.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
				<-done
				<-done
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// serveUnix serves h on a unix socket at path for the test.
func serveUnix(t *testing.T, path string, h http.Handler) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
}

func readPIN(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// problemStatus is the HTTP status of a local API error, 0 for none or another error.
func problemStatus(err error) int {
	var p *client.Problem
	if errors.As(err, &p) {
		return p.Status
	}
	return 0
}

// kioskd on simulated hardware and its clients, talking through Prism: kiosk-ui's and kioskctl's
// client (kiosk/api/client) → a unix socket served by the recorder → Prism → a TCP-to-unix bridge
// → kioskd's socket. Every request and answer of a citizen's session, the staff and technician
// routes, health and the simulator controls match kiosk/api/openapi.yaml, refusals included.
//
// Prism reads an answer to its end before it validates and forwards it: the event stream, which
// ends only when kioskd stops, does not come through (checked below, so a Prism that starts passing
// it is noticed); a preview page's PNG comes through altered (Prism forwards bodies as text), so
// only its status is looked at.
func TestLocalTrafficMatchesDocument(t *testing.T) {
	t.Parallel()
	prismBin(t)
	dir, err := os.MkdirTemp("", "tramso-oa-") // short path: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sim, cfg, err := daemon.StartSim(ctx, dir)
	if err != nil {
		cancel()
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- daemon.Run(ctx, daemon.Options{Config: cfg, Sim: sim}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("kioskd: %v", err)
		}
		sim.Close()
		os.RemoveAll(dir)
	})
	// Prism starts while kioskd does: it needs the socket only for the first request.
	t0 := time.Now()
	rec := newRecorder(t, startPrism(t, "../../kiosk/api/openapi.yaml", bridge(t, cfg.Paths.Socket)))
	front := filepath.Join(dir, "prism.sock")
	serveUnix(t, front, rec)
	t.Logf("Prism up in %v", time.Since(t0).Round(time.Millisecond))
	c := client.New(front)
	raw := unixClient(front) // for answers kiosk/api/client would decode
	defer raw.CloseIdleConnections()
	// Waits poll kioskd directly, then read the view once through Prism: polling through Prism
	// would only load the machine.
	direct := client.New(cfg.Paths.Socket)
	start := time.Now()

	wctx, wcancel := context.WithTimeout(ctx, 90*time.Second)
	defer wcancel()
	waitFor := func(what string, ok func(wire.View) bool) wire.View {
		t.Helper()
		if _, err := direct.WaitFor(wctx, ok); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		v, err := c.View(wctx)
		if err != nil || !ok(v) {
			t.Fatalf("%s through Prism: %s/%s, %v", what, v.State, v.Step, err)
		}
		t.Logf("%s after %v", what, time.Since(start).Round(time.Millisecond))
		return v
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	waitFor("the attract screen", func(v wire.View) bool { return v.State == wire.Attract })
	_, err = c.Health(wctx)
	must("health", err)

	// A citizen: QR code, card, a procedure, the first paper scanned, then a change of mind.
	_, err = c.Act(wctx, wire.ActStart, "")
	must("start", err)
	must("qr", c.Sim(wctx, http.MethodPost, "qr", map[string]any{"citizen": "tran-van-an"}, nil))
	waitFor("the card step", func(v wire.View) bool { return v.State == wire.Identify && v.Step == wire.StepCard })
	must("card", c.Sim(wctx, http.MethodPost, "card", map[string]any{"citizen": "tran-van-an"}, nil))
	chosen := waitFor("the catalogue", func(v wire.View) bool { return v.State == wire.ChooseProcedure })
	must("card off", c.Sim(wctx, http.MethodDelete, "card", nil, nil))
	if problemStatus(c.Sim(wctx, http.MethodPost, "qr", map[string]any{"citizen": "no-such-citizen"}, nil)) != http.StatusNotFound {
		t.Error("an unknown simulated citizen was shown")
	}
	_, err = c.Act(wctx, wire.ActSearch, "khai sinh")
	must("search", err)
	v, err := c.Act(wctx, wire.ActChoose, "1.001193")
	must("choose", err)
	if v.State != wire.Documents {
		t.Fatalf("after choosing: %s/%s", v.State, v.Step)
	}
	// An action made on a screen that is gone: 409 with the current view.
	if _, err := c.ActOn(wctx, chosen, wire.ActSearch, "hộ tịch"); !errors.Is(err, client.ErrStale) {
		t.Errorf("an action on a stale view: %v", err)
	}
	if _, err := c.Do(wctx, wire.Action{}); problemStatus(err) != http.StatusBadRequest {
		t.Errorf("an action without a name: %v", err)
	}
	if _, err := c.Act(wctx, wire.ActAgree, ""); problemStatus(err) != http.StatusConflict {
		t.Errorf("agreeing while scanning: %v", err)
	}
	must("load", c.Sim(wctx, http.MethodPost, "scanner", map[string]any{"load": 1}, nil))
	_, err = c.Act(wctx, wire.ActScan, "")
	must("scan", err)
	waitFor("the preview", func(v wire.View) bool {
		return v.Step == wire.StepPreview && v.Current < len(v.Documents) && v.Documents[v.Current].PreviewReady
	})
	for _, page := range []string{"0.png", "9"} {
		req, _ := http.NewRequestWithContext(wctx, http.MethodGet, "http://kioskd/v1/session/documents/0/pages/"+page, nil)
		resp, err := raw.Do(req)
		must("preview", err)
		resp.Body.Close()
	}
	_, err = c.Act(wctx, wire.ActCancel, "")
	must("cancel", err)

	// The event stream: Prism holds the answer until it ends.
	ectx, ecancel := context.WithTimeout(wctx, 2*time.Second)
	req, _ := http.NewRequestWithContext(ectx, http.MethodGet, "http://kioskd/v1/session/events", nil)
	if resp, err := raw.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("the event stream came through Prism (%d): drive it through Prism and check its first event", resp.StatusCode)
	}
	ecancel()

	t.Logf("event stream checked after %v", time.Since(start).Round(time.Millisecond))
	// Staff: a wrong PIN, a login, the lists, refusals, logout; the technician's routes.
	wrong := client.New(front)
	if err := wrong.StaffLogin(wctx, "000000x"); problemStatus(err) != http.StatusUnauthorized {
		t.Errorf("a wrong PIN: %v", err)
	}
	staff := client.New(front)
	must("staff login", staff.StaffLogin(wctx, readPIN(t, dir, daemon.SimStaffPINFile)))
	var list []map[string]any
	must("dossiers", staff.Staff(wctx, http.MethodGet, "dossiers", &list))
	must("all dossiers", staff.Staff(wctx, http.MethodGet, "dossiers?all=1", &list))
	must("devices", staff.Staff(wctx, http.MethodGet, "devices", nil))
	if problemStatus(staff.Staff(wctx, http.MethodPost, "dossiers/987654/reprint", nil)) != http.StatusNotFound {
		t.Error("reprint of an unknown dossier")
	}
	if problemStatus(staff.Staff(wctx, http.MethodPost, "dossiers/987654/retry", nil)) != http.StatusConflict {
		t.Error("retry of an unknown dossier")
	}
	if _, err := staff.SelfTest(wctx); problemStatus(err) != http.StatusForbidden {
		t.Errorf("self-test with a staff token: %v", err)
	}
	must("staff logout", staff.StaffLogout(wctx))
	if problemStatus(wrong.Staff(wctx, http.MethodGet, "dossiers", nil)) != http.StatusUnauthorized {
		t.Error("staff list without a token")
	}
	t.Logf("staff done after %v", time.Since(start).Round(time.Millisecond))
	tech := client.New(front)
	must("technician login", tech.StaffLogin(wctx, readPIN(t, dir, daemon.SimTechnicianPINFile)))
	checks, err := tech.SelfTest(wctx)
	must("self-test", err)
	if len(checks) == 0 {
		t.Error("self-test without checks")
	}
	must("test page", tech.Staff(wctx, http.MethodPost, "printer/test", nil))
	must("technician logout", tech.StaffLogout(wctx))
	must("enclosure", c.Sim(wctx, http.MethodGet, "enclosure", nil, nil))
	must("receipts", c.Sim(wctx, http.MethodGet, "receipts", nil, nil))

	t.Logf("technician done after %v", time.Since(start).Round(time.Millisecond))
	rec.wrong = []string{`GET /v1/staff/dossiers 401`}
	rec.check(t,
		`GET /v1/session 200`, `GET /v1/health 200`,
		`POST /v1/session/actions 200`, `POST /v1/session/actions 400`, `POST /v1/session/actions 409`,
		`GET /v1/session/documents/0/pages/0.png 200`, `GET /v1/session/documents/0/pages/9 404`,
		`POST /v1/sim/qr 200`, `POST /v1/sim/qr 404`, `POST /v1/sim/card 200`, `DELETE /v1/sim/card 200`,
		`POST /v1/sim/scanner 200`, `GET /v1/sim/enclosure 200`, `GET /v1/sim/receipts 200`,
		`POST /v1/staff/login 200`, `POST /v1/staff/login 401`, `GET /v1/staff/dossiers 200`,
		`GET /v1/staff/devices 200`, `POST /v1/staff/dossiers/987654/reprint 404`, `POST /v1/staff/dossiers/987654/retry 409`,
		`POST /v1/staff/selftest 403`, `POST /v1/staff/selftest 200`, `POST /v1/staff/printer/test 200`, `POST /v1/staff/logout 204`,
	)
}

// unixClient is a plain HTTP client of the unix socket at path (for answers kiosk/api/client
// would decode).
func unixClient(path string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}}
}
