package devserver_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/vietqr"
)

// svcClock is a settable clock for the server under test.
type svcClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *svcClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *svcClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// svcEnv is a development server and one enrolled kiosk talking to it.
type svcEnv struct {
	srv  *devserver.Server
	url  string
	id   string
	key  *ecdsa.PrivateKey
	c    *central.Client
	raw  *http.Client // for requests the client refuses to make
	opts central.Options
}

// newSvcEnv starts a server (with mutual TLS when useTLS) and enrols a kiosk with it.
func newSvcEnv(t *testing.T, useTLS bool, cfg devserver.Config) *svcEnv {
	t.Helper()
	cfg.Dir = t.TempDir()
	if useTLS {
		cfg.TLSDir = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := devserver.Serve(ctx, "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); srv.Close() })
	url := srv.URL()
	e := &svcEnv{srv: srv, url: url, id: "HN-SVC-" + hex.EncodeToString(randBytes(2))}
	e.key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, _ := central.NewCSR(e.key, e.id)
	opts := central.Options{KioskID: e.id, RequestTimeout: 5 * time.Second}
	e.raw = &http.Client{Timeout: 5 * time.Second}
	if useTLS {
		caPEM, err := os.ReadFile(filepath.Join(cfg.TLSDir, devserver.CAFile))
		if err != nil {
			t.Fatal(err)
		}
		noCert, _ := central.ClientTLS(caPEM, nil)
		c, _ := central.New(url, central.Options{TLS: noCert})
		resp, err := c.Enrol(ctx, e.id, csr)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalECPrivateKey(e.key)
		cert, err := tls.X509KeyPair([]byte(resp.Certificate), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
		if err != nil {
			t.Fatal(err)
		}
		opts.TLS, _ = central.ClientTLS(caPEM, &cert)
		opts.KioskID = ""
		e.raw.Transport = &http.Transport{TLSClientConfig: opts.TLS}
	}
	e.opts = opts
	if e.c, err = central.New(url, opts); err != nil {
		t.Fatal(err)
	}
	if !useTLS {
		if _, err := e.c.Enrol(ctx, e.id, csr); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// submit files a dossier of procedure for the citizen idNumber and returns its key and code.
func (e *svcEnv) submit(t *testing.T, procedure, procName, idNumber, name string) (string, string) {
	t.Helper()
	d := e.newDossier(procedure, procName, nil)
	d.Applicant = dossier.Applicant{IDNumber: idNumber, FullName: name, DateOfBirth: "1989-03-02"}
	f := e.file(t, d, []dossier.Attachment{{Type: "to-khai", Name: "Tờ khai", Pages: 1}})
	return f.key, f.code
}

// newDossier is a dossier of procedure with the form values fields, from the test citizen.
func (e *svcEnv) newDossier(procedure, procName string, fields map[string]string) *dossier.Dossier {
	return &dossier.Dossier{
		IdempotencyKey: dossier.NewIdempotencyKey(), KioskID: e.id, ReceiptNo: e.id + "-251124-" + hex.EncodeToString(randBytes(4)), // each dossier its own receipt number
		CapturedAt: time.Now(), Procedure: dossier.Procedure{Code: procedure, Name: procName},
		Unit:      dossier.Unit{Code: "000.00.21.H26", Name: "Phường thử"},
		Applicant: dossier.Applicant{IDNumber: "001189012345", FullName: "Nguyễn Văn An", DateOfBirth: "1989-03-02"},
		Fields:    fields,
	}
}

// file uploads one small PDF for each of atts (type, name and pages given), then signs and submits d.
func (e *svcEnv) file(t *testing.T, d *dossier.Dossier, atts []dossier.Attachment) feeDossier {
	t.Helper()
	ctx := context.Background()
	for _, a := range atts {
		data := []byte("%PDF-1.4 " + a.Type + hex.EncodeToString(randBytes(8)))
		sum := sha256.Sum256(data)
		if err := e.c.Upload(ctx, hex.EncodeToString(sum[:]), int64(len(data)), bytes.NewReader(data), nil); err != nil {
			t.Fatal(err)
		}
		a.SHA256, a.Size = hex.EncodeToString(sum[:]), int64(len(data))
		d.Attachments = append(d.Attachments, a)
	}
	m, err := d.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := dossier.Sign(e.key, m)
	st, err := e.c.Submit(ctx, d.IdempotencyKey, m, sig)
	if err != nil {
		t.Fatal(err)
	}
	return feeDossier{d.IdempotencyKey, st.DossierCode, m, sig}
}

// do sends a raw request as the kiosk and returns the status code and body.
func (e *svcEnv) do(t *testing.T, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+path, r)
	req.Header.Set("Content-Type", "application/json")
	if e.opts.TLS == nil {
		req.Header.Set(central.HeaderKioskID, e.id)
	}
	resp, err := e.raw.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func problemOf(err error) string { return central.ProblemType(err) }

func (e *svcEnv) proof(t *testing.T, idNumber, code string, readAt time.Time, key *ecdsa.PrivateKey) central.HolderProof {
	t.Helper()
	p := central.HolderProof{IDHash: central.HolderIDHash(idNumber), PassiveAuth: "valid", ReadAt: readAt, DossierCode: code}
	if err := p.Sign(key); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTrackerOverMutualTLS(t *testing.T) {
	clock := &svcClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)} // a Friday
	e := newSvcEnv(t, true, devserver.Config{Now: clock.Now})
	ctx := context.Background()
	const citizen, other = "001189012345", "079201000111"
	_, first := e.submit(t, "1.001193", "Đăng ký khai sinh", citizen, "Nguyễn Văn An")
	clock.Add(time.Hour)
	_, second := e.submit(t, "2.000815", "Chứng thực bản sao từ bản chính", citizen, "Nguyễn Văn An")
	_, theirs := e.submit(t, "1.004194", "Đăng ký thường trú", other, "Trần Thị Bình")

	// By code alone: status and dates, nothing personal.
	td, err := e.c.Track(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if td.StatusCode != 2 || td.StatusLabel != "Được tiếp nhận" || td.Holder != nil || td.ProcedureName != "Đăng ký khai sinh" {
		t.Fatalf("tracked by code: %+v", td)
	}
	raw, _ := json.Marshal(td)
	if bytes.Contains(raw, []byte("Nguyễn")) || bytes.Contains(raw, []byte(citizen)) {
		t.Fatalf("lookup by code leaks personal data: %s", raw)
	}
	// Appointments from the catalogue's working days: same day, and 7 working days from a Friday.
	if td.Appointment != "2026-12-04" {
		t.Fatalf("same-day appointment %q", td.Appointment)
	}
	if tt, _ := e.c.Track(ctx, theirs); tt == nil || tt.Appointment != "2026-12-15" {
		t.Fatalf("7-working-day appointment: %+v", tt)
	}
	if _, err := e.c.Track(ctx, "000.00.21.H26-991231-9999"); statusOf(err) != 404 {
		t.Fatalf("unknown code: %v", err)
	}
	if _, err := e.c.Track(ctx, "not-a-code"); statusOf(err) != 400 {
		t.Fatalf("malformed code: %v", err)
	}

	// Status 5 says which papers; status 6 the fee.
	if err := e.srv.SetTracking(ctx, first, devserver.TrackingUpdate{StatusCode: 5, Appointment: "2026-12-15",
		Documents: []central.OwedDocument{{Name: "Giấy chứng sinh", Note: "bản chính"}}, Where: "Quầy 1"}); err != nil {
		t.Fatal(err)
	}
	td, _ = e.c.Track(ctx, first)
	if td.StatusCode != 5 || td.StatusLabel != "Yêu cầu bổ sung giấy tờ" || td.Owed == nil || len(td.Owed.Documents) != 1 ||
		td.Owed.Documents[0].Name != "Giấy chứng sinh" || td.Appointment != "2026-12-15" || td.Owed.Where != "Quầy 1" {
		t.Fatalf("status 5: %+v", td)
	}
	if err := e.srv.SetTracking(ctx, second, devserver.TrackingUpdate{StatusCode: 6, FeeVND: 8000}); err != nil {
		t.Fatal(err)
	}
	td, _ = e.c.Track(ctx, second)
	if td.Owed == nil || td.Owed.FeeVND != 8000 || td.Owed.FeePaid {
		t.Fatalf("status 6: %+v", td)
	}
	for _, bad := range []devserver.TrackingUpdate{{StatusCode: 0}, {StatusCode: 11}, {StatusCode: 4, FeeVND: 5}, {StatusCode: 4, Appointment: "15/12/2026"}} {
		if err := e.srv.SetTracking(ctx, second, bad); err == nil {
			t.Errorf("tracking update %+v accepted", bad)
		}
	}

	// With the card: the holder's dossiers, newest first, with name and documents.
	hd, err := e.c.TrackHolder(ctx, e.proof(t, citizen, "", clock.Now(), e.key))
	if err != nil {
		t.Fatal(err)
	}
	if len(hd.Dossiers) != 2 || hd.Dossiers[0].DossierCode != second || hd.Dossiers[1].DossierCode != first {
		t.Fatalf("holder's dossiers: %+v", hd.Dossiers)
	}
	if h := hd.Dossiers[1].Holder; h == nil || h.FullName != "Nguyễn Văn An" || len(h.Documents) != 1 || h.Documents[0] != "Tờ khai" {
		t.Fatalf("holder view: %+v", h)
	}
	one, err := e.c.TrackHolder(ctx, e.proof(t, citizen, first, clock.Now(), e.key))
	if err != nil || len(one.Dossiers) != 1 || one.Dossiers[0].DossierCode != first {
		t.Fatalf("one dossier with the card: %+v %v", one, err)
	}
	// Refusals: another person's dossier, a stale read, a proof signed by another key, a card
	// that failed passive authentication, a changed field after signing.
	if _, err := e.c.TrackHolder(ctx, e.proof(t, citizen, theirs, clock.Now(), e.key)); statusOf(err) != 403 || problemOf(err) != central.ProblemProofRefused {
		t.Fatalf("someone else's dossier: %v", err)
	}
	if _, err := e.c.TrackHolder(ctx, e.proof(t, citizen, "", clock.Now().Add(-6*time.Minute), e.key)); statusOf(err) != 403 {
		t.Fatalf("stale card read: %v", err)
	}
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := e.c.TrackHolder(ctx, e.proof(t, citizen, "", clock.Now(), otherKey)); statusOf(err) != 403 {
		t.Fatalf("proof signed by another key: %v", err)
	}
	p := central.HolderProof{IDHash: central.HolderIDHash(citizen), PassiveAuth: "invalid", ReadAt: clock.Now()}
	p.Sign(e.key)
	if _, err := e.c.TrackHolder(ctx, p); statusOf(err) != 403 {
		t.Fatalf("card without passive authentication: %v", err)
	}
	p = e.proof(t, other, "", clock.Now(), e.key)
	p.IDHash = central.HolderIDHash(citizen)
	if _, err := e.c.TrackHolder(ctx, p); statusOf(err) != 403 {
		t.Fatalf("tampered proof: %v", err)
	}
	// The other citizen sees only their own.
	hd, _ = e.c.TrackHolder(ctx, e.proof(t, other, "", clock.Now(), e.key))
	if len(hd.Dossiers) != 1 || hd.Dossiers[0].DossierCode != theirs {
		t.Fatalf("other citizen: %+v", hd)
	}
	// Without a client certificate nothing is answered.
	noCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.opts.TLS.RootCAs}}}
	resp, err := noCert.Get(e.url + central.PathTracker + "/" + first)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("tracker without a client certificate: %d", resp.StatusCode)
	}
}

func TestQueueOverMutualTLS(t *testing.T) {
	clock := &svcClock{t: time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)}
	e := newSvcEnv(t, true, devserver.Config{Now: clock.Now})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	cs, err := e.c.QueueCounters(ctx)
	if err != nil || len(cs.Counters) != 3 {
		t.Fatalf("counters: %+v %v", cs, err)
	}
	// Follow the event stream from now.
	var mu sync.Mutex
	var events []central.QueueEvent
	streamDone := make(chan error, 1)
	go func() {
		streamDone <- e.c.QueueEvents(ctx, 0, func(ev central.QueueEvent) error {
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
			return nil
		})
	}()
	time.Sleep(100 * time.Millisecond) // let the stream open before the first event

	walk := func(key string) *central.Ticket {
		t.Helper()
		tk, err := e.c.TakeTicket(ctx, key, central.TicketRequest{ProcedureCode: "1.001193", Source: central.SourceWalkIn})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	a1 := walk("k1")
	clock.Add(time.Minute)
	a2 := walk("k2")
	if a1.Number != "A001" || a2.Number != "A002" || a1.CounterID != "1" || a1.Ahead != 0 || a2.Ahead != 1 {
		t.Fatalf("tickets %+v %+v", a1, a2)
	}
	if a2.EstimatedWait != int(devserver.DefaultServiceTime.Seconds()) {
		t.Fatalf("estimated wait without history: %d", a2.EstimatedWait)
	}
	if again := walk("k1"); again.ID != a1.ID {
		t.Fatalf("retry with the same key gave another ticket: %+v", again)
	}
	if _, err := e.c.TakeTicket(ctx, "k1", central.TicketRequest{CounterID: "3", Source: central.SourceWalkIn}); statusOf(err) != 422 {
		t.Fatalf("same key, other request: %v", err)
	}
	// A number booked online ten minutes ago ranks before both walk-ins.
	on, err := e.c.TakeTicket(ctx, "k3", central.TicketRequest{CounterID: "1", Source: central.SourceOnline, BookedAt: clock.Now().Add(-10 * time.Minute)})
	if err != nil || on.Number != "A003" || on.Ahead != 0 {
		t.Fatalf("online ticket: %+v %v", on, err)
	}
	if a1, _ = e.c.Ticket(ctx, a1.ID); a1.Ahead != 1 {
		t.Fatalf("walk-in after an earlier booking: ahead %d", a1.Ahead)
	}
	// Routing: a procedure's counter, else the general counter.
	if b, _ := e.c.TakeTicket(ctx, "k4", central.TicketRequest{ProcedureCode: "2.000815", Source: central.SourceWalkIn}); b == nil || b.Number != "B001" {
		t.Fatalf("chứng thực ticket: %+v", b)
	}
	if c, _ := e.c.TakeTicket(ctx, "k5", central.TicketRequest{Source: central.SourceWalkIn}); c == nil || c.Number != "C001" || c.Field != "Tổng hợp" {
		t.Fatalf("general ticket: %+v", c)
	}
	// Refusals.
	for name, req := range map[string]central.TicketRequest{
		"walk-in with a booking time": {CounterID: "1", Source: central.SourceWalkIn, BookedAt: clock.Now()},
		"online without one":          {CounterID: "1", Source: central.SourceOnline},
		"online booked tomorrow":      {CounterID: "1", Source: central.SourceOnline, BookedAt: clock.Now().Add(24 * time.Hour)},
		"no source":                   {CounterID: "1"},
	} {
		if _, err := e.c.TakeTicket(ctx, "bad-"+strings.ReplaceAll(name, " ", "-"), req); statusOf(err) != 422 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := e.c.TakeTicket(ctx, "k6", central.TicketRequest{CounterID: "9", Source: central.SourceWalkIn}); statusOf(err) != 404 {
		t.Fatalf("unknown counter: %v", err)
	}

	// The officer calls: booking first, then walk-ins by time; recall; pause refuses calls.
	got, err := e.c.CallNext(ctx, "cb-01", "1")
	if err != nil || got.Number != "A003" || got.State != central.TicketServing {
		t.Fatalf("first call: %+v %v", got, err)
	}
	clock.Add(2 * time.Minute)
	if got, _ = e.c.CallNext(ctx, "cb-01", "1"); got == nil || got.Number != "A001" {
		t.Fatalf("second call: %+v", got)
	}
	if r, _ := e.c.Recall(ctx, "cb-01", "1"); r == nil || r.Number != "A001" {
		t.Fatalf("recall: %+v", r)
	}
	if err := e.c.Pause(ctx, "cb-01", "1", "Nghỉ giải lao"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CallNext(ctx, "cb-01", "1"); statusOf(err) != 409 || problemOf(err) != central.ProblemCounterPaused {
		t.Fatalf("call at a paused counter: %v", err)
	}
	if err := e.c.Pause(ctx, "cb-01", "1", "  "); statusOf(err) != 422 {
		t.Fatalf("pause without a reason: %v", err)
	}
	cs, _ = e.c.QueueCounters(ctx)
	if !cs.Counters[0].Paused || cs.Counters[0].PauseReason != "Nghỉ giải lao" || cs.Counters[0].Serving != "A001" || cs.Counters[0].Waiting != 1 {
		t.Fatalf("counter 1 while paused: %+v", cs.Counters[0])
	}
	if err := e.c.Resume(ctx, "cb-01", "1"); err != nil {
		t.Fatal(err)
	}
	// Estimated wait from recent services (a call to the next call): A003 took 2 min so far…
	clock.Add(4 * time.Minute)
	a4 := walk("k7")
	if a4.Ahead != 1 || a4.EstimatedWait != 120 {
		t.Fatalf("wait from one service: ahead %d, %d s", a4.Ahead, a4.EstimatedWait)
	}
	if got, _ = e.c.CallNext(ctx, "cb-01", "1"); got == nil || got.Number != "A002" {
		t.Fatalf("after resume: %+v", got)
	}
	// …and A001 4 min: 3 min a person.
	if a5 := walk("k8"); a5.Number != "A005" || a5.Ahead != 1 || a5.EstimatedWait != 180 {
		t.Fatalf("wait from two services: %+v", a5)
	}
	e.c.CallNext(ctx, "cb-01", "1") // A004
	e.c.CallNext(ctx, "cb-01", "1") // A005
	if got, err = e.c.CallNext(ctx, "cb-01", "1"); got != nil || err != nil {
		t.Fatalf("nobody waiting: %+v %v", got, err)
	}
	if r, err := e.c.Recall(ctx, "cb-01", "1"); r != nil || err != nil {
		t.Fatalf("recall with nobody served: %+v %v", r, err)
	}
	if _, err := e.c.CallNext(ctx, "cb-01", "9"); statusOf(err) != 404 {
		t.Fatalf("unknown counter: %v", err)
	}
	// The phone page of a ticket needs no certificate.
	pub := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.opts.TLS.RootCAs}}}
	resp, err := pub.Get(a4.FollowURL)
	if err != nil {
		t.Fatal(err)
	}
	var followed central.Ticket
	json.NewDecoder(resp.Body).Decode(&followed)
	resp.Body.Close()
	if resp.StatusCode != 200 || followed.Number != "A004" || !strings.HasPrefix(a4.FollowURL, "https://") {
		t.Fatalf("follow page %s: %d %+v", a4.FollowURL, resp.StatusCode, followed)
	}

	// The stream saw everything, in order.
	want := []string{"ticket_issued A001", "ticket_issued A002", "ticket_issued A003", "ticket_issued B001", "ticket_issued C001",
		"ticket_called A003", "ticket_called A001", "ticket_recalled A001", "counter_paused ", "counter_resumed ",
		"ticket_issued A004", "ticket_called A002", "ticket_issued A005", "ticket_called A004", "ticket_called A005"}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		var seen []string
		for _, ev := range events {
			seen = append(seen, ev.Type+" "+ev.Number)
		}
		mu.Unlock()
		if strings.Join(seen, "|") == strings.Join(want, "|") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events\n%v\nwant\n%v", seen, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	last := events[len(events)-1].ID
	paused := events[8]
	mu.Unlock()
	if paused.Reason != "Nghỉ giải lao" || paused.Counter != "Quầy 1" {
		t.Fatalf("pause event %+v", paused)
	}
	cancel()
	if err := <-streamDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("stream ended with %v", err)
	}
	// Resuming after the last seen event replays what was missed, and only that.
	e.c.Pause(context.Background(), "cb-01", "2", "Hết giờ")
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	var replay []central.QueueEvent
	stop := errors.New("stop")
	err = e.c.QueueEvents(ctx2, last, func(ev central.QueueEvent) error { replay = append(replay, ev); return stop })
	if !errors.Is(err, stop) || len(replay) != 1 || replay[0].Type != central.EventCounterPaused || replay[0].CounterID != "2" {
		t.Fatalf("replay after %d: %+v %v", last, replay, err)
	}
}

func TestRatingsOnePerFinishedDossier(t *testing.T) {
	e := newSvcEnv(t, false, devserver.Config{})
	ctx := context.Background()
	_, code := e.submit(t, "1.001193", "Đăng ký khai sinh", "001189012345", "Nguyễn Văn An")
	_, code2 := e.submit(t, "1.001193", "Đăng ký khai sinh", "001189012345", "Nguyễn Văn An")
	now := time.Now()
	r := central.Rating{ID: "r-1", Subject: central.RatingOfDossier, DossierCode: code, Level: central.RatingVerySatisfied, RatedAt: now}
	if err := e.c.Rate(ctx, r); statusOf(err) != 409 || problemOf(err) != central.ProblemNotAllowed {
		t.Fatalf("rating an unfinished dossier: %v", err)
	}
	for _, st := range []dossier.Status{4, 5, 6, 8} {
		e.srv.SetTracking(ctx, code, devserver.TrackingUpdate{StatusCode: st})
		if err := e.c.Rate(ctx, r); statusOf(err) != 409 {
			t.Fatalf("rating at status %d: %v", st, err)
		}
	}
	e.srv.SetTracking(ctx, code, devserver.TrackingUpdate{StatusCode: 10})
	if err := e.c.Rate(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Rate(ctx, r); err != nil {
		t.Fatalf("retry of the same rating: %v", err)
	}
	r2 := r
	r2.ID = "r-2"
	if err := e.c.Rate(ctx, r2); statusOf(err) != 409 || problemOf(err) != central.ProblemAlreadyRated {
		t.Fatalf("second rating of a dossier: %v", err)
	}
	r3 := r
	r3.Level = central.RatingSatisfied
	if err := e.c.Rate(ctx, r3); statusOf(err) != 422 {
		t.Fatalf("same id, other rating: %v", err)
	}
	// Không hài lòng with reasons and a comment, at status 9.
	e.srv.SetTracking(ctx, code2, devserver.TrackingUpdate{StatusCode: 9})
	bad := central.Rating{ID: "r-4", Subject: central.RatingOfDossier, DossierCode: code2, Level: central.RatingDissatisfied,
		Reasons: []string{"cho-lau", "qua-han"}, Comment: "Chờ hơn một giờ", RatedAt: now}
	if err := e.c.Rate(ctx, bad); err != nil {
		t.Fatal(err)
	}
	// The kiosk's own service: no dossier.
	if err := e.c.Rate(ctx, central.Rating{ID: "k-1", Subject: central.RatingOfKiosk, Level: central.RatingSatisfied, RatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Rate(ctx, central.Rating{ID: "r-5", Subject: central.RatingOfDossier, DossierCode: "000.00.21.H26-991231-9999", Level: central.RatingSatisfied, RatedAt: now}); statusOf(err) != 404 {
		t.Fatalf("unknown dossier: %v", err)
	}
	// The server checks what the client would not send.
	for name, body := range map[string]central.Rating{
		"reasons with Hài lòng": {ID: "x1", Subject: central.RatingOfKiosk, Level: central.RatingSatisfied, Reasons: []string{"cho-lau"}, RatedAt: now},
		"unknown reason":        {ID: "x2", Subject: central.RatingOfKiosk, Level: central.RatingDissatisfied, Reasons: []string{"xyz"}, RatedAt: now},
		"unknown level":         {ID: "x3", Subject: central.RatingOfKiosk, Level: "5-sao", RatedAt: now},
		"long comment":          {ID: "x4", Subject: central.RatingOfKiosk, Level: central.RatingDissatisfied, Comment: strings.Repeat("ộ", 501), RatedAt: now},
		"kiosk with a dossier":  {ID: "x5", Subject: central.RatingOfKiosk, DossierCode: code2, Level: central.RatingSatisfied, RatedAt: now},
	} {
		if status, _ := e.do(t, http.MethodPut, central.PathRatings+"/"+body.ID, body); status != 422 {
			t.Errorf("%s: %d", name, status)
		}
		if err := e.c.Rate(ctx, body); err == nil {
			t.Errorf("%s: the client sent it", name)
		}
	}
	if status, _ := e.do(t, http.MethodPut, central.PathRatings+"/other", central.Rating{ID: "k-9", Subject: central.RatingOfKiosk, Level: central.RatingSatisfied, RatedAt: now}); status != 422 {
		t.Errorf("path and body ids differ: %d", status)
	}
	counts, err := e.srv.RatingCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["dossier"][central.RatingVerySatisfied] != 1 || counts["dossier"][central.RatingDissatisfied] != 1 ||
		counts["kiosk"][central.RatingSatisfied] != 1 || len(counts["dossier"]) != 2 || len(counts["kiosk"]) != 1 {
		t.Fatalf("stored ratings: %v", counts)
	}
}

// TestVietQRPaymentSeenThroughFaults: the kiosk polls a fee through server errors and a hang; the
// bank's notice arrives while it polls; the wrong amount is refused.
func TestVietQRPaymentSeenThroughFaults(t *testing.T) {
	var mu sync.Mutex
	fault := devserver.FaultNone
	faults := func(r *http.Request) devserver.Fault {
		mu.Lock()
		defer mu.Unlock()
		if strings.HasPrefix(r.URL.Path, central.PathPayments) {
			return fault
		}
		return devserver.FaultNone
	}
	setFault := func(f devserver.Fault) { mu.Lock(); fault = f; mu.Unlock() }
	e := newSvcEnv(t, false, devserver.Config{Faults: faults, HangMax: 10 * time.Second})
	ctx := context.Background()
	_, code := e.submit(t, "2.000815", "Chứng thực bản sao từ bản chính", "001189012345", "Nguyễn Văn An")

	st, err := e.c.Payment(ctx, code)
	if err != nil || st.State != central.PaymentNone {
		t.Fatalf("no fee yet: %+v %v", st, err)
	}
	if err := e.srv.SetTracking(ctx, code, devserver.TrackingUpdate{StatusCode: 6, FeeVND: 50000}); err != nil {
		t.Fatal(err)
	}
	st, err = e.c.Payment(ctx, code)
	if err != nil || st.State != central.PaymentUnpaid || st.AmountVND != 50000 || st.Payee == nil {
		t.Fatalf("fee owed: %+v %v", st, err)
	}
	// What the kiosk shows: a VietQR from central's answer.
	payload, err := vietqr.Build(vietqr.Payment{BIN: st.Payee.BIN, Account: st.Payee.Account, Amount: st.AmountVND, Reference: code, Purpose: st.Purpose})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := vietqr.Parse(payload); err != nil || p.Reference != code || p.Purpose != "Le phi Chung thuc ban sao" {
		t.Fatalf("VietQR of the fee: %+v %v", p, err)
	}

	// A hung central is given up on within the request timeout.
	setFault(devserver.FaultHang)
	short, _ := central.New(e.url, central.Options{KioskID: e.id, RequestTimeout: 300 * time.Millisecond})
	if _, err := short.Payment(ctx, code); err == nil {
		t.Fatal("a hung server answered")
	}
	// Server errors while polling; the notice comes in the meantime.
	setFault(devserver.Fault500)
	type result struct {
		st  *central.PaymentStatus
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := e.c.WaitPaid(ctx, code, central.PollOptions{Min: 20 * time.Millisecond, Max: 80 * time.Millisecond})
		done <- result{st, err}
	}()
	time.Sleep(150 * time.Millisecond)
	if _, err := e.srv.MarkPaid(ctx, code, devserver.BankNotice{AmountVND: 5000, BankRef: "FT1"}); !errors.Is(err, devserver.ErrAmountMismatch) {
		t.Fatalf("wrong amount: %v", err)
	}
	status, _ := e.do(t, http.MethodPost, "/dev/payments/"+code+"/paid", devserver.BankNotice{AmountVND: 50000, BankRef: "FT26341XYZ"})
	if status != 200 {
		t.Fatalf("bank notice: %d", status)
	}
	select {
	case r := <-done:
		t.Fatalf("WaitPaid returned while central fails: %+v %v", r.st, r.err)
	case <-time.After(100 * time.Millisecond):
	}
	setFault(devserver.FaultNone)
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("payment not seen")
	}
	if r.err != nil || r.st.State != central.PaymentPaid || r.st.ReceiptNo == "" || r.st.BankRef != "FT26341XYZ" || r.st.PaidAt.IsZero() {
		t.Fatalf("paid: %+v %v", r.st, r.err)
	}
	// Paid: the dossier goes back to processing; the same notice again changes nothing.
	if td, _ := e.c.Track(ctx, code); td.StatusCode != 4 {
		t.Fatalf("status after payment: %d", td.StatusCode)
	}
	again, err := e.srv.MarkPaid(ctx, code, devserver.BankNotice{AmountVND: 50000, BankRef: "FT26341XYZ"})
	if err != nil || again.ReceiptNo != r.st.ReceiptNo {
		t.Fatalf("repeated notice: %+v %v", again, err)
	}
	if _, err := e.srv.MarkPaid(ctx, code, devserver.BankNotice{AmountVND: 50000, BankRef: "FT-OTHER"}); err == nil {
		t.Fatal("a second transfer for a paid fee accepted")
	}
	// An unknown dossier ends the polling at once.
	wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := e.c.WaitPaid(wctx, "000.00.21.H26-991231-9999", central.PollOptions{Min: 10 * time.Millisecond}); statusOf(err) != 404 {
		t.Fatalf("unknown dossier: %v", err)
	}
}

func TestNotificationsTravelWithTheDossier(t *testing.T) {
	e := newSvcEnv(t, false, devserver.Config{})
	ctx := context.Background()
	opt := central.NotifyOptIn{Channels: []string{central.ChannelSMS, central.ChannelEmail}, Phone: "090 123 4567", Email: "an.nguyen@Example.VN", ConsentAt: time.Now()}
	if err := e.c.SetNotifications(ctx, dossier.NewIdempotencyKey(), opt); statusOf(err) != 404 {
		t.Fatalf("opt-in before the dossier: %v", err)
	}
	key, code := e.submit(t, "1.001193", "Đăng ký khai sinh", "001189012345", "Nguyễn Văn An")
	if _, err := e.c.Notifications(ctx, key); statusOf(err) != 404 {
		t.Fatalf("no opt-in yet: %v", err)
	}
	if err := e.c.SetNotifications(ctx, key, opt); err != nil {
		t.Fatal(err)
	}
	got, err := e.c.Notifications(ctx, key)
	if err != nil || got.Phone != "+84901234567" || got.Email != "an.nguyen@example.vn" || len(got.Channels) != 2 {
		t.Fatalf("stored opt-in: %+v %v", got, err)
	}
	// The server checks contacts too.
	for name, n := range map[string]central.NotifyOptIn{
		"landline":       {Channels: []string{"sms"}, Phone: "024 3825 1234", ConsentAt: time.Now()},
		"bad e-mail":     {Channels: []string{"email"}, Email: "an@", ConsentAt: time.Now()},
		"fax":            {Channels: []string{"fax"}, Phone: "0901234567", ConsentAt: time.Now()},
		"no consent":     {Channels: []string{"zalo"}, Phone: "0901234567"},
		"phone unneeded": {Channels: []string{"email"}, Email: "a@b.vn", Phone: "0901234567", ConsentAt: time.Now()},
	} {
		if status, _ := e.do(t, http.MethodPut, "/v1/dossiers/"+key+"/notifications", n); status != 422 {
			t.Errorf("%s: %d", name, status)
		}
	}
	// Status changes are "sent" per channel; the end of the dossier forgets the contact.
	e.srv.SetTracking(ctx, code, devserver.TrackingUpdate{StatusCode: 4})
	e.srv.SetTracking(ctx, code, devserver.TrackingUpdate{StatusCode: 10})
	sent, err := e.srv.Sent(ctx, code)
	if err != nil || len(sent) != 4 || sent[0].Channel != "sms" || sent[1].Channel != "email" || sent[3].StatusCode != 10 {
		t.Fatalf("sent: %+v %v", sent, err)
	}
	if _, err := e.c.Notifications(ctx, key); statusOf(err) != 404 {
		t.Fatalf("contact kept after the dossier ended: %v", err)
	}
	e.srv.SetTracking(ctx, code, devserver.TrackingUpdate{StatusCode: 9})
	if sent, _ := e.srv.Sent(ctx, code); len(sent) != 4 {
		t.Fatalf("a message after opt-in ended: %+v", sent)
	}
	// Withdrawing: DELETE forgets at once.
	key2, _ := e.submit(t, "1.001193", "Đăng ký khai sinh", "001189012345", "Nguyễn Văn An")
	e.c.SetNotifications(ctx, key2, central.NotifyOptIn{Channels: []string{"zalo"}, Phone: "+84 912 345 678", ConsentAt: time.Now()})
	if err := e.c.StopNotifications(ctx, key2); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Notifications(ctx, key2); statusOf(err) != 404 {
		t.Fatalf("after withdrawal: %v", err)
	}
	// Another kiosk cannot read or set this dossier's contact.
	other := newSvcEnvSameServer(t, e)
	if _, err := other.Notifications(ctx, key); statusOf(err) != 404 {
		t.Fatalf("another kiosk: %v", err)
	}
}

// newSvcEnvSameServer enrols a second kiosk with e's plain-HTTP server.
func newSvcEnvSameServer(t *testing.T, e *svcEnv) *central.Client {
	t.Helper()
	id := e.id + "-B"
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c, err := central.New(e.url, central.Options{KioskID: id})
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := central.NewCSR(key, id)
	if _, err := c.Enrol(context.Background(), id, csr); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestQueueTicketSurvivesFaults: a ticket taken while central resets the link after committing is
// the same ticket on retry (no second number), and a 500 takes nothing.
func TestQueueTicketSurvivesFaults(t *testing.T) {
	isTicket := func(r *http.Request) bool {
		return r.Method == http.MethodPost && r.URL.Path == central.PathQueueTickets
	}
	var mu sync.Mutex
	next := devserver.FaultNone
	e := newSvcEnv(t, false, devserver.Config{Faults: func(r *http.Request) devserver.Fault {
		mu.Lock()
		defer mu.Unlock()
		if !isTicket(r) {
			return devserver.FaultNone
		}
		f := next
		next = devserver.FaultNone
		return f
	}})
	set := func(f devserver.Fault) { mu.Lock(); next = f; mu.Unlock() }
	ctx := context.Background()
	req := central.TicketRequest{CounterID: "2", Source: central.SourceWalkIn}
	set(devserver.Fault500)
	if _, err := e.c.TakeTicket(ctx, "t1", req); statusOf(err) != 500 {
		t.Fatalf("injected 500: %v", err)
	}
	// Go's transport itself resends a request with an Idempotency-Key whose connection broke
	// before an answer, so the reset may be invisible here; either way one number is taken.
	set(devserver.FaultReset)
	if tk, err := e.c.TakeTicket(ctx, "t1", req); err == nil && tk.Number != "B001" {
		t.Fatalf("through the reset: %+v", tk)
	}
	tk, err := e.c.TakeTicket(ctx, "t1", req)
	if err != nil || tk.Number != "B001" {
		t.Fatalf("retry after the reset: %+v %v", tk, err)
	}
	cs, _ := e.c.QueueCounters(ctx)
	if cs.Counters[1].Waiting != 1 {
		t.Fatalf("waiting at counter 2: %d", cs.Counters[1].Waiting)
	}
}
