package session

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// A view once published is a snapshot: the local API JSON-encodes it in its own goroutine (GET
// /v1/session) while the loop goes on, so nothing the loop changes later may be reachable from
// it. These tests fail under go test -race when the view shares the session's services state.

// instantServices answers at once: the queue online or offline, ratings stored.
type instantServices struct{ offline *atomic.Bool }

func (f instantServices) Track(_ context.Context, code string) (*Tracked, error) {
	return &Tracked{DossierCode: code, ProcedureName: "Thủ tục thử", StatusCode: 10,
		ReceivedAt: time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC), Holder: &wire.HolderView{FullName: "Trần Văn Ẩn"}}, nil
}
func (f instantServices) TrackHolder(context.Context, *identity.Result) ([]Tracked, error) {
	return nil, ErrOffline
}
func (f instantServices) Known(context.Context, string) (*Tracked, error) { return nil, nil }
func (f instantServices) Counters(context.Context, string) ([]wire.CounterView, error) {
	if f.offline.Load() {
		return nil, ErrOffline
	}
	return []wire.CounterView{{ID: "q1", Name: "Quầy 1", Field: "Hộ tịch", Waiting: 2, Serves: true,
		Label: &Message{Code: "q1", Vi: "Quầy 1", En: "Counter 1"}}, {ID: "q2", Name: "Quầy 2", Paused: true}}, nil
}
func (f instantServices) TakeTicket(context.Context, string, TicketRequest) (*wire.TicketView, error) {
	return &wire.TicketView{Number: "A012", CounterName: "Quầy 1", Ahead: 2}, nil
}
func (f instantServices) Rate(context.Context, Rating) error    { return nil }
func (f instantServices) PrintSlip(context.Context, Slip) error { return nil }

// encodeViews JSON-encodes the machine's view over and over, as the local API's GET /v1/session
// does, until ctx ends; every view it encoded must encode the same again at the end.
func encodeViews(ctx context.Context, t *testing.T, m *Machine) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		type kept struct {
			v    View
			json []byte
		}
		var held []kept
		for ctx.Err() == nil {
			v := m.View()
			b, err := json.Marshal(v)
			if err != nil {
				t.Errorf("encoding the view: %v", err)
				return
			}
			if len(held) == 0 || held[len(held)-1].v.Seq != v.Seq {
				held = append(held, kept{v, b})
			}
		}
		for _, k := range held {
			again, _ := json.Marshal(k.v)
			if !bytes.Equal(again, k.json) {
				t.Errorf("published view %d changed after it was published:\nthen %s\nnow  %s", k.v.Seq, k.json, again)
				return
			}
		}
	}()
	return done
}

func waitView(t *testing.T, m *Machine, what string, ok func(View) bool) View {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if v := m.View(); ok(v) {
			return v
		}
		if time.Now().After(end) {
			t.Fatalf("waiting for %s: at %s/%s", what, m.View().State, m.View().Step)
		}
	}
}

func TestRaceQueueAndRatingViewsAreSnapshots(t *testing.T) {
	var offline atomic.Bool
	m := New(Config{}, Devices{Services: instantServices{&offline}}, func() *catalog.Catalogue { return nil })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan struct{})
	go func() { m.Run(ctx); close(ran) }()
	defer func() { cancel(); <-ran }()
	ectx, stopEncoding := context.WithCancel(ctx)
	encoded := encodeViews(ectx, t, m)
	defer func() { stopEncoding(); <-encoded }()

	do := func(a wire.ActionName, value string) {
		t.Helper()
		if err := m.Do(ctx, Action{Action: a, Value: value}); err != nil {
			t.Fatalf("%s %q: %v", a, value, err)
		}
	}
	queue := func(v View) *wire.QueueView {
		if v.Services == nil {
			return nil
		}
		return v.Services.Queue
	}
	rating := func(v View) *wire.RatingView {
		if v.Services == nil {
			return nil
		}
		return v.Services.Rating
	}
	for range 5 {
		// The counters arrive (Counters answers in its own goroutine; the loop applies it).
		offline.Store(false)
		do(wire.ActQueue, "")
		waitView(t, m, "the counters", func(v View) bool { q := queue(v); return q != nil && len(q.Counters) == 2 })
		do(wire.ActFinish, "")
		// The queue service is offline.
		offline.Store(true)
		do(wire.ActQueue, "")
		waitView(t, m, "the queue offline", func(v View) bool { q := queue(v); return q != nil && q.Offline })
		do(wire.ActFinish, "")
		// A dossier's rating, at once and with reasons ticked.
		for _, level := range []string{wire.RateSatisfied, wire.RateDissatisfied} {
			do(wire.ActTrack, "000.00.21.H26-261207-0001")
			waitView(t, m, "the dossier", func(v View) bool { return v.Step == wire.StepTrackResult })
			do(wire.ActRate, level)
			if level == wire.RateDissatisfied {
				do(wire.ActRateReason, "cho-lau")
				do(wire.ActRateReason, "thai-do")
				do(wire.ActRateReason, "cho-lau")
				do(wire.ActRateComment, "Chờ lâu quá")
				do(wire.ActRateSend, "")
			}
			waitView(t, m, "the rating stored", func(v View) bool { r := rating(v); return r != nil && r.Stored })
			do(wire.ActFinish, "")
		}
	}
}

// snapshotOf must leave nothing shared with the session: every pointer and every slice of a view
// filled to the last field is fresh memory in its snapshot (a field added to wire.View later is
// checked too).
func TestSnapshotSharesNothing(t *testing.T) {
	var v View
	fill(reflect.ValueOf(&v).Elem(), 0)
	if v.Services == nil || v.Services.Queue == nil || len(v.Services.Queue.Counters) == 0 || v.Services.Queue.Counters[0].Label == nil {
		t.Fatal("the view was not filled")
	}
	s := snapshotOf(v)
	if !reflect.DeepEqual(s, v) {
		t.Fatalf("the snapshot differs from the view:\n%+v\n%+v", s, v)
	}
	if p := shared(reflect.ValueOf(v), reflect.ValueOf(s), "View"); p != "" {
		t.Fatalf("the snapshot shares %s with the session's view", p)
	}
}

// fill sets every field reachable from v: pointers to filled values, slices of two filled
// elements, strings and numbers non-zero.
func fill(v reflect.Value, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(0.5)
	}
}

// shared names the first pointer or slice of a and b (alike in shape) that points to the same
// memory, or "".
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() == 0 {
			return ""
		}
		if a.Index(0).Addr().Pointer() == b.Index(0).Addr().Pointer() {
			return path + "[]"
		}
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), path+"[]"); p != "" {
				return p
			}
		}
	case reflect.Map:
		if !a.IsNil() && a.Pointer() == b.Pointer() {
			return path
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
					return p
				}
			}
		}
	}
	return ""
}
