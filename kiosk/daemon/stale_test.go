package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"golang.org/x/text/unicode/norm"
)

// actOn posts the action name (with value) made on view v, and returns the answer.
func (k *kiosk) actOn(v wire.View, name wire.ActionName, value string) (wire.View, error) {
	return k.c.ActOn(k.ctx(10*time.Second), v, name, value)
}

// mustActOn posts an action made on the current view v and fails the test when it is refused.
func (k *kiosk) mustActOn(v wire.View, name wire.ActionName, value string) wire.View {
	k.t.Helper()
	nv, err := k.actOn(v, name, value)
	if err != nil {
		k.t.Fatalf("%s on %s/%s (document %d): %v", name, v.State, v.Step, v.Current, err)
	}
	return nv
}

// refusedStale posts an action made on the stale view v, checks that kioskd refuses it as stale with
// the current view, and returns that view.
func (k *kiosk) refusedStale(v wire.View, name wire.ActionName, value string) wire.View {
	k.t.Helper()
	_, err := k.actOn(v, name, value)
	if !errors.Is(err, client.ErrStale) {
		k.t.Fatalf("%s made on %s/%s (document %d): %v, want a 409 stale refusal", name, v.State, v.Step, v.Current, err)
	}
	cur, ok := client.StaleView(err)
	if !ok {
		k.t.Fatalf("the refusal of %s carries no view: %v", name, err)
	}
	if now, err := k.c.View(k.ctx(5 * time.Second)); err != nil || now.Session != cur.Session || now.State != cur.State ||
		now.Step != cur.Step || now.Current != cur.Current {
		k.t.Fatalf("the refusal's view %s/%s (document %d) is not the current one %s/%s (document %d): %v",
			cur.State, cur.Step, cur.Current, now.State, now.Step, now.Current, err)
	}
	return cur
}

// scanInto scans sample sheet into the document the view v shows and waits for its preview.
func (k *kiosk) scanInto(v wire.View, sheet int) wire.View {
	k.t.Helper()
	k.control(http.MethodPost, "scanner", map[string]any{"load": sheet})
	k.mustActOn(v, wire.ActScan, "")
	cur := v.Current
	return k.waitFor("preview", 60*time.Second, func(x wire.View) bool {
		return x.State == wire.Documents && x.Step == wire.StepPreview && x.Current == cur
	})
}

// An action made on a view that is no longer shown is refused with 409 and the current view, and
// applied nowhere: through the local API of a simulated kiosk, as kiosk-ui and kioskctl demo post.
func TestStaleActionsAreRefused(t *testing.T) {
	k := startKiosk(t, nil)
	k.identify()
	choose, err := k.c.View(k.ctx(5 * time.Second))
	if err != nil || choose.State != wire.ChooseProcedure {
		t.Fatalf("catalogue view %+v: %v", choose.State, err)
	}
	// An action naming no view still applies to the current one (older clients).
	if _, err := k.c.Do(k.ctx(10*time.Second), wire.Action{Action: wire.ActSearch, Value: "khai sinh"}); err != nil {
		t.Fatalf("an action naming no view: %v", err)
	}
	place0 := k.mustActOn(choose, wire.ActChoose, "1.001193")
	if place0.State != wire.Documents || place0.Step != wire.StepPlace || place0.Current != 0 {
		t.Fatalf("after choose: %s/%s document %d", place0.State, place0.Step, place0.Current)
	}

	preview0 := k.scanInto(place0, 1)
	place1 := k.mustActOn(preview0, wire.ActAccept, "")
	if place1.Current != 1 || place1.Step != wire.StepPlace {
		t.Fatalf("after accepting document 0: %s document %d", place1.Step, place1.Current)
	}
	preview1 := k.scanInto(place1, 2)

	// The wrong paper of issue 13: an accept made on document 0's preview arriving once the
	// session shows document 1's preview must not accept document 1.
	cur := k.refusedStale(preview0, wire.ActAccept, "")
	if cur.Current != 1 || cur.Step != wire.StepPreview || cur.Documents[1].Status != "scanned" || cur.Documents[1].Pages != 1 {
		t.Fatalf("document 1 touched by a stale accept: step %s, document %d, %+v", cur.Step, cur.Current, cur.Documents[1])
	}
	// A scan made on a view that is gone (document 0's preview, document 1's place) scans nothing.
	k.control(http.MethodPost, "scanner", map[string]any{"load": 3})
	k.refusedStale(preview0, wire.ActScan, "")
	cur = k.refusedStale(place1, wire.ActScan, "")
	if cur.Step != wire.StepPreview || cur.Documents[1].Pages != 1 {
		t.Fatalf("a stale scan scanned: step %s, %+v", cur.Step, cur.Documents[1])
	}
	time.Sleep(300 * time.Millisecond) // a scan started by mistake would show by now
	if v, _ := k.c.View(k.ctx(5 * time.Second)); v.Step != wire.StepPreview || v.Documents[1].Pages != 1 {
		t.Fatalf("a stale scan scanned: step %s, %+v", v.Step, v.Documents[1])
	}

	// A double tap on accept: the second accept, made on the same preview, does not accept the
	// next document.
	place2 := k.mustActOn(preview1, wire.ActAccept, "")
	if place2.Current != 2 || place2.Step != wire.StepPlace {
		t.Fatalf("after accepting document 1: %s document %d", place2.Step, place2.Current)
	}
	cur = k.refusedStale(preview1, wire.ActAccept, "")
	if cur.Current != 2 || cur.Step != wire.StepPlace || cur.Documents[2].Status != "missing" || cur.Documents[2].Pages != 0 {
		t.Fatalf("a second accept touched document 2: step %s, document %d, %+v", cur.Step, cur.Current, cur.Documents[2])
	}
	preview2 := k.scanInto(place2, 3)
	place3 := k.mustActOn(preview2, wire.ActAccept, "")
	if place3.Current != 3 || place3.Documents[3].Required {
		t.Fatalf("after the ID copy: document %d %+v", place3.Current, place3.Documents[3])
	}
	k.mustActOn(place3, wire.ActSkip, "")

	// review: a field edit made on another screen is refused and changes nothing (one typed on
	// the form while the papers were still being read is not: the review is one screen)
	editing := k.waitFor("form", 90*time.Second, func(v wire.View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
	before := formValue(t, editing, "childFullName")
	for _, v := range []wire.View{
		{Session: editing.Session, State: wire.Consent},
		preview2,
	} {
		set := wire.ActionOn(v, wire.ActSetField, "Nguyễn Văn Sai")
		set.Key = "childFullName"
		if _, err := k.c.Do(k.ctx(10*time.Second), set); !errors.Is(err, client.ErrStale) {
			t.Fatalf("set_field made on %s/%s: %v, want stale", v.State, v.Step, err)
		}
	}
	now, _ := k.c.View(k.ctx(5 * time.Second))
	if got := formValue(t, now, "childFullName"); got != before || got == "Nguyễn Văn Sai" {
		t.Fatalf("a stale set_field changed the field: %q → %q", before, got)
	}
	set := wire.ActionOn(editing, wire.ActSetField, "Trần Minh Khang")
	set.Key = "childFullName"
	if _, err := k.c.Do(k.ctx(10*time.Second), set); err != nil {
		t.Fatalf("set_field made on the form shown: %v", err)
	}

	// The 409's body: the API's problem shape, Vietnamese then English, and the current view.
	body := k.rawRefusal(wire.ActionOn(preview0, wire.ActAccept, ""))
	if body.Status != http.StatusConflict || body.Type != wire.ProblemStale || body.View == nil ||
		body.View.State != wire.Review || body.View.Session != editing.Session || body.Instance != string(wire.ActAccept) ||
		!strings.Contains(body.Detail, "màn hình") || !strings.Contains(body.Detail, "(the screen had already changed") ||
		!norm.NFC.IsNormalString(body.Detail) {
		t.Fatalf("409 body %+v", body)
	}

	// Cancel is honoured from any view of the session, even a stale one.
	if _, err := k.actOn(preview0, wire.ActCancel, ""); err != nil {
		t.Fatalf("cancel from a stale view of the session: %v", err)
	}
	attract := k.waitFor("attract", 5*time.Second, func(v wire.View) bool { return v.State == wire.Attract })
	if attract.Session != "" || attract.Documents != nil {
		t.Fatalf("not wiped: %+v", attract)
	}

	// The next citizen: actions made on the previous session's views are refused, cancel included.
	k.identify()
	next, _ := k.c.View(k.ctx(5 * time.Second))
	if next.Session == "" || next.Session == choose.Session {
		t.Fatalf("new session id %q (previous %q)", next.Session, choose.Session)
	}
	cur = k.refusedStale(choose, wire.ActChoose, "1.001193")
	if cur.State != wire.ChooseProcedure || cur.Session != next.Session || cur.Procedure != nil {
		t.Fatalf("the previous session's choose applied: %+v", cur)
	}
	cur = k.refusedStale(editing, wire.ActCancel, "")
	if cur.State != wire.ChooseProcedure || cur.Session != next.Session {
		t.Fatalf("the previous session's cancel wiped this one: %+v", cur)
	}
	k.mustActOn(next, wire.ActCancel, "")
}

func formValue(t *testing.T, v wire.View, key string) string {
	t.Helper()
	for _, f := range v.Form {
		if f.Key == key {
			return f.Value
		}
	}
	t.Fatalf("no field %s in %s/%s", key, v.State, v.Step)
	return ""
}

// staleProblem is the 409 answer as it is on the wire.
type staleProblem struct {
	Type     string     `json:"type"`
	Title    string     `json:"title"`
	Status   int        `json:"status"`
	Detail   string     `json:"detail"`
	Instance string     `json:"instance"`
	View     *wire.View `json:"view"`
}

// rawRefusal posts an action with plain HTTP on the socket and decodes the problem it is answered with.
func (k *kiosk) rawRefusal(a wire.Action) staleProblem {
	k.t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", k.cfg.Paths.Socket)
	}}}
	b, _ := json.Marshal(a)
	req, _ := http.NewRequestWithContext(k.ctx(10*time.Second), http.MethodPost, "http://kioskd/v1/session/actions", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		k.t.Fatalf("content type %q", ct)
	}
	var p staleProblem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		k.t.Fatal(err)
	}
	if p.Status != resp.StatusCode {
		k.t.Fatalf("status %d in a %d answer", p.Status, resp.StatusCode)
	}
	return p
}
