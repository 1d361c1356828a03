// Package client talks to kioskd's local API over its unix socket: the session view and its
// server-sent events, the citizen's actions, page previews, health, the staff routes and (on a
// simulated kiosk) the simulator controls. kiosk-ui and kioskctl use it; it depends only on the wire
// types.
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// Client is a connection to one kioskd.
type Client struct {
	socket string
	http   *http.Client
	token  string // staff session
}

// New returns a client of the kioskd listening on the unix socket.
func New(socket string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}
	return &Client{socket: socket, http: &http.Client{Transport: tr}}
}

// Problem is an error answer of the API.
type Problem struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Detail string `json:"detail"`
}

func (p *Problem) Error() string { return fmt.Sprintf("kioskd %d: %s", p.Status, p.Detail) }

// ErrUnavailable means kioskd cannot be reached (not running, restarting, wrong socket).
var ErrUnavailable = errors.New("không kết nối được kioskd (cannot reach kioskd)")

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://kioskd"+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w (%s): %v", ErrUnavailable, c.socket, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		p := &Problem{Status: resp.StatusCode}
		json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(p)
		return p
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// View returns the current session view.
func (c *Client) View(ctx context.Context) (wire.View, error) {
	var v wire.View
	return v, c.do(ctx, http.MethodGet, "/v1/session", nil, &v)
}

// Do posts a citizen action and returns the view after it.
func (c *Client) Do(ctx context.Context, a wire.Action) (wire.View, error) {
	var v wire.View
	return v, c.do(ctx, http.MethodPost, "/v1/session/actions", a, &v)
}

// Act is Do with just the action name and value.
func (c *Client) Act(ctx context.Context, action, value string) (wire.View, error) {
	return c.Do(ctx, wire.Action{Action: action, Value: value})
}

// Watch streams session views until ctx ends. When the stream breaks (kioskd restarting) it
// reconnects with a growing pause and reports the outage on errs, so a screen can show
// "đang kết nối lại".
func (c *Client) Watch(ctx context.Context, views chan<- wire.View, errs chan<- error) {
	pause := 200 * time.Millisecond
	for ctx.Err() == nil {
		err := c.stream(ctx, views)
		if ctx.Err() != nil {
			return
		}
		if errs != nil {
			select {
			case errs <- err:
			default:
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(pause*2, 5*time.Second)
	}
}

func (c *Client) stream(ctx context.Context, views chan<- wire.View) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://kioskd/v1/session/events", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: events %d", ErrUnavailable, resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		var v wire.View
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			continue
		}
		select {
		case views <- v:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fmt.Errorf("%w: event stream ended", ErrUnavailable)
}

// WaitFor polls the view until ok accepts it or ctx ends, and returns the last view.
func (c *Client) WaitFor(ctx context.Context, ok func(wire.View) bool) (wire.View, error) {
	for {
		v, err := c.View(ctx)
		if err == nil && ok(v) {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("%w (last state %s/%s)", ctx.Err(), v.State, v.Step)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Preview returns a scanned page of the current session.
func (c *Client) Preview(ctx context.Context, doc, page int) (image.Image, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://kioskd/v1/session/documents/%d/pages/%d.png", doc, page), nil)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &Problem{Status: resp.StatusCode, Detail: "no page"}
	}
	return png.Decode(resp.Body)
}

// Health returns kioskd's device and outbox status.
func (c *Client) Health(ctx context.Context) (map[string]any, error) {
	var h map[string]any
	return h, c.do(ctx, http.MethodGet, "/v1/health", nil, &h)
}

// StaffLogin opens a staff session with the PIN; later staff calls use it.
func (c *Client) StaffLogin(ctx context.Context, pin string) error {
	var out struct {
		Token string `json:"token"`
	}
	if err := c.do(ctx, http.MethodPost, "/v1/staff/login", map[string]string{"pin": pin}, &out); err != nil {
		return err
	}
	c.token = out.Token
	return nil
}

// Staff calls a staff route (after StaffLogin).
func (c *Client) Staff(ctx context.Context, method, path string, out any) error {
	return c.do(ctx, method, "/v1/staff/"+strings.TrimPrefix(path, "/"), nil, out)
}

// SelfTest runs kioskd's self-test of its devices (after StaffLogin) and returns every check,
// failed ones included; the error is for the call itself (kioskd unreachable, no staff session).
func (c *Client) SelfTest(ctx context.Context) ([]wire.Check, error) {
	var out []wire.Check
	if err := c.do(ctx, http.MethodPost, "/v1/staff/selftest", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Sim posts to a simulator control route of a simulated kiosk (/v1/sim/NAME).
func (c *Client) Sim(ctx context.Context, method, name string, body, out any) error {
	return c.do(ctx, method, "/v1/sim/"+name, body, out)
}

// SimFile downloads a file served by a simulator route (a receipt picture, a stored attachment).
func (c *Client) SimFile(ctx context.Context, path string) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://kioskd/v1/sim/"+strings.TrimPrefix(path, "/"), nil)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &Problem{Status: resp.StatusCode, Detail: path}
	}
	return io.ReadAll(io.LimitReader(resp.Body, 256<<20))
}
