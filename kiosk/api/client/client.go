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
	"sync"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// Client is a connection to one kioskd. It is safe for concurrent use.
type Client struct {
	socket string
	http   *http.Client
	token  string // staff session

	mu   sync.Mutex
	last *wire.View // the session view this client last read: Act names it
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
	// View is the session's current view, sent with a refused action (409): the screen the action
	// was made on had changed (ErrStale), or the action does not apply to it.
	View *wire.View `json:"view,omitempty"`
}

func (p *Problem) Error() string { return fmt.Sprintf("kioskd %d: %s", p.Status, p.Detail) }

// Is makes errors.Is(err, ErrStale) true for an action refused as stale.
func (p *Problem) Is(target error) bool {
	return target == ErrStale && p.Status == http.StatusConflict && p.Type == wire.ProblemStale
}

// ErrUnavailable means kioskd cannot be reached (not running, restarting, wrong socket).
var ErrUnavailable = errors.New("không kết nối được kioskd (cannot reach kioskd)")

// ErrStale matches (errors.Is) an action kioskd refused because the view it names had already
// changed; nothing was applied. The *Problem (errors.As, or StaleView) carries the current view:
// decide again on it, never send the same action blindly.
var ErrStale = errors.New("màn hình đã chuyển sang bước khác (the screen had already changed)")

// StaleView returns the current view carried by an ErrStale error.
func StaleView(err error) (wire.View, bool) {
	var p *Problem
	if errors.Is(err, ErrStale) && errors.As(err, &p) && p.View != nil {
		return *p.View, true
	}
	return wire.View{}, false
}

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
	err := c.do(ctx, http.MethodGet, "/v1/session", nil, &v)
	if err == nil {
		c.saw(v)
	}
	return v, err
}

// saw records v as the view this client last read.
func (c *Client) saw(v wire.View) {
	c.mu.Lock()
	c.last = &v
	c.mu.Unlock()
}

// Do posts a citizen action and returns the view after it. An action naming a view that is no
// longer current is refused with an error matching ErrStale that carries the current view.
func (c *Client) Do(ctx context.Context, a wire.Action) (wire.View, error) {
	var v wire.View
	err := c.do(ctx, http.MethodPost, "/v1/session/actions", a, &v)
	var p *Problem
	switch {
	case err == nil:
		c.saw(v)
	case errors.As(err, &p) && p.View != nil:
		c.saw(*p.View)
	}
	return v, err
}

// ActOn posts the action name with value, made on view v (see wire.ActionOn).
func (c *Client) ActOn(ctx context.Context, v wire.View, action wire.ActionName, value string) (wire.View, error) {
	return c.Do(ctx, wire.ActionOn(v, action, value))
}

// Act posts the action name with value, made on the session view this client last read (from
// View, WaitFor, or the answer to an action): kioskd refuses it (ErrStale) when the session has
// moved on since. A client that has read no view yet sends it naming none.
func (c *Client) Act(ctx context.Context, action wire.ActionName, value string) (wire.View, error) {
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	if last == nil {
		return c.Do(ctx, wire.Action{Action: action, Value: value})
	}
	return c.ActOn(ctx, *last, action, value)
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

// StaffLogout ends the staff session on kioskd and forgets its token.
func (c *Client) StaffLogout(ctx context.Context) error {
	if c.token == "" {
		return nil
	}
	err := c.do(ctx, http.MethodPost, "/v1/staff/logout", nil, nil)
	c.token = ""
	return err
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
