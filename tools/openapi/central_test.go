package openapi

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/dossier"
)

// centralStatus is the HTTP status of a central API error, 0 for none or another error.
func centralStatus(err error) int {
	var e *central.Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// The kiosk's central client and the development central server, talking through Prism: every
// request the client makes and every answer the server gives match kiosk/central/openapi.yaml,
// refusals included.
//
// Prism forwards bodies as text: upload payloads here are UTF-8 (a binary chunk would reach the
// server altered). Prism reads an answer to its end before validating it, so the queue's event
// stream, which does not end, is not driven through it.
func TestCentralTrafficMatchesDocument(t *testing.T) {
	t.Parallel()
	prismBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := devserver.Serve(context.Background(), "127.0.0.1:0", devserver.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	upstream := srv.URL()

	doc := withoutSecurity(t, "../../kiosk/central/openapi.yaml", t.TempDir())
	rec := newRecorder(t, startPrism(t, doc, upstream))
	base := serveTCP(t, rec)

	id := "KIOSK-OA" + hex.EncodeToString(randBytes(3))
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c, err := central.New(base, central.Options{KioskID: id, RequestTimeout: 20 * time.Second, ChunkSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Enrolment and the catalogue, then the catalogue again with its ETag.
	csr, _ := central.NewCSR(key, id)
	_, err = c.Enrol(ctx, id, csr)
	must("enrol", err)
	cat, etag, _, err := c.Procedures(ctx, "")
	must("procedures", err)
	if len(cat.Procedures) == 0 || etag == "" {
		t.Fatalf("catalogue: %d procedures, etag %q", len(cat.Procedures), etag)
	}
	_, _, notModified, err := c.Procedures(ctx, etag)
	must("procedures again", err)
	if !notModified {
		t.Error("the catalogue with its own ETag was sent again")
	}

	// A dossier: its attachment uploaded in chunks, submitted, submitted again (the same result),
	// its status; then the same key with another manifest.
	data := []byte("%PDF-1.4 tờ khai đăng ký khai sinh " + hex.EncodeToString(randBytes(8)))
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	must("upload", c.Upload(ctx, sha, int64(len(data)), bytes.NewReader(data), nil))
	must("upload again", c.Upload(ctx, sha, int64(len(data)), bytes.NewReader(data), nil))
	d := &dossier.Dossier{
		IdempotencyKey: dossier.NewIdempotencyKey(), KioskID: id, ReceiptNo: id + "-261207-0001",
		CapturedAt: time.Now(), Procedure: dossier.Procedure{Code: "1.001193", Name: "Đăng ký khai sinh"},
		Unit:        dossier.Unit{Code: "000.00.21.H26", Name: "Phường thử"},
		Applicant:   dossier.Applicant{IDNumber: "001189012345", FullName: "Nguyễn Văn An", DateOfBirth: "1989-03-02"},
		Attachments: []dossier.Attachment{{Type: "to-khai", Name: "Tờ khai", Pages: 1, SHA256: sha, Size: int64(len(data))}},
	}
	manifest, err := d.Manifest()
	must("manifest", err)
	sig, err := dossier.Sign(key, manifest)
	must("sign", err)
	st, err := c.Submit(ctx, d.IdempotencyKey, manifest, sig)
	must("submit", err)
	again, err := c.Submit(ctx, d.IdempotencyKey, manifest, sig)
	must("submit again", err)
	if again.DossierCode != st.DossierCode {
		t.Fatalf("a retry got another code: %s, %s", st.DossierCode, again.DossierCode)
	}
	_, err = c.Status(ctx, d.IdempotencyKey)
	must("status", err)
	if _, err := c.Status(ctx, dossier.NewIdempotencyKey()); centralStatus(err) != http.StatusNotFound {
		t.Errorf("status of an unknown key: %v", err)
	}
	d.Applicant.FullName = "Nguyễn Văn Bình"
	other, _ := d.Manifest()
	otherSig, _ := dossier.Sign(key, other)
	if _, err := c.Submit(ctx, d.IdempotencyKey, other, otherSig); centralStatus(err) != http.StatusUnprocessableEntity {
		t.Errorf("the same key with another manifest: %v", err)
	}
	// A dossier whose attachment was never uploaded.
	d.IdempotencyKey = dossier.NewIdempotencyKey()
	d.Attachments[0].SHA256 = strings.Repeat("ab", 32)
	missing, _ := d.Manifest()
	missingSig, _ := dossier.Sign(key, missing)
	if _, err := c.Submit(ctx, d.IdempotencyKey, missing, missingSig); centralStatus(err) != http.StatusConflict {
		t.Errorf("a dossier without its attachment: %v", err)
	}

	// The upload's offset (HEAD), read as a kiosk that lost its state would.
	head, err := http.NewRequestWithContext(ctx, http.MethodHead, base+central.PathUploads+"/no-such-upload", nil)
	must("head", err)
	head.Header.Set(central.HeaderKioskID, id)
	if resp, err := http.DefaultClient.Do(head); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD of an unknown upload: %d", resp.StatusCode)
	}

	_, err = c.Heartbeat(ctx, central.Heartbeat{KioskID: id, Queued: 2, SentAt: time.Now().UTC()})
	must("heartbeat", err)
	// A kiosk that never enrolled, and another key claiming this kiosk's id.
	stranger, err := central.New(base, central.Options{KioskID: "KIOSK-NEVER-ENROLLED", RequestTimeout: 20 * time.Second})
	must("stranger", err)
	defer stranger.Close()
	if _, err := stranger.Heartbeat(ctx, central.Heartbeat{KioskID: "KIOSK-NEVER-ENROLLED", SentAt: time.Now().UTC()}); centralStatus(err) != http.StatusUnauthorized {
		t.Errorf("heartbeat of a kiosk never enrolled: %v", err)
	}
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherCSR, _ := central.NewCSR(otherKey, id)
	if _, err := c.Enrol(ctx, id, otherCSR); centralStatus(err) != http.StatusConflict {
		t.Errorf("enrolling this kiosk's id with another key: %v", err)
	}

	// The citizen services: the tracker by code and by card, the queue, a rating, the fee and the
	// notification opt-in.
	_, err = c.Track(ctx, st.DossierCode)
	must("track", err)
	if _, err := c.Track(ctx, "not-a-code"); centralStatus(err) != http.StatusBadRequest {
		t.Errorf("tracking a malformed code: %v", err)
	}
	proof := central.HolderProof{IDHash: central.HolderIDHash("001189012345"), PassiveAuth: "valid", ReadAt: time.Now().UTC()}
	must("sign proof", proof.Sign(key))
	holder, err := c.TrackHolder(ctx, proof)
	must("track holder", err)
	if len(holder.Dossiers) != 1 || holder.Dossiers[0].Holder == nil {
		t.Errorf("holder's dossiers: %+v", holder.Dossiers)
	}

	counters, err := c.QueueCounters(ctx)
	must("counters", err)
	if len(counters.Counters) == 0 {
		t.Fatal("no counters")
	}
	counter := counters.Counters[0].ID
	tk, err := c.TakeTicket(ctx, "tap-1", central.TicketRequest{CounterID: counter, Source: central.SourceWalkIn})
	must("ticket", err)
	_, err = c.TakeTicket(ctx, "tap-1", central.TicketRequest{CounterID: counter, Source: central.SourceWalkIn})
	must("ticket again", err)
	_, err = c.Ticket(ctx, tk.ID)
	must("get ticket", err)
	_, err = c.CallNext(ctx, "officer-1", counter)
	must("call", err)
	_, err = c.Recall(ctx, "officer-1", counter)
	must("recall", err)
	must("pause", c.Pause(ctx, "officer-1", counter, "Nghỉ giải lao"))
	if _, err := c.CallNext(ctx, "officer-1", counter); centralStatus(err) != http.StatusConflict {
		t.Errorf("calling at a paused counter: %v", err)
	}
	must("resume", c.Resume(ctx, "officer-1", counter))
	_, err = c.CallNext(ctx, "officer-1", counter) // nobody waits: 204
	must("call with nobody waiting", err)

	rating := central.Rating{ID: "r-" + hex.EncodeToString(randBytes(4)), Subject: central.RatingOfDossier, DossierCode: st.DossierCode,
		Level: central.RatingVerySatisfied, RatedAt: time.Now().UTC()}
	if err := c.Rate(ctx, rating); centralStatus(err) != http.StatusConflict {
		t.Errorf("rating a dossier not finished: %v", err)
	}
	must("kiosk rating", c.Rate(ctx, central.Rating{ID: "k-" + hex.EncodeToString(randBytes(4)), Subject: central.RatingOfKiosk,
		Level: central.RatingDissatisfied, Reasons: []string{"cho-lau"}, Comment: "Phải chờ lâu", RatedAt: time.Now().UTC()}))

	_, err = c.Payment(ctx, st.DossierCode)
	must("payment without a fee", err)
	must("fee owed", srv.SetTracking(ctx, st.DossierCode, devserver.TrackingUpdate{StatusCode: dossier.StatusNeedsPayment, FeeVND: 8000}))
	pay, err := c.Payment(ctx, st.DossierCode)
	must("payment owed", err)
	if pay.State != central.PaymentUnpaid {
		t.Errorf("payment %+v", pay)
	}
	_, err = srv.MarkPaid(ctx, st.DossierCode, devserver.BankNotice{AmountVND: 8000, BankRef: "FT26341" + strconv.Itoa(int(time.Now().Unix()%1000))})
	must("bank notice", err)
	pay, err = c.Payment(ctx, st.DossierCode)
	must("payment paid", err)
	if pay.State != central.PaymentPaid {
		t.Errorf("payment %+v", pay)
	}
	_, err = c.Track(ctx, st.DossierCode)
	must("track after payment", err)

	must("opt in", c.SetNotifications(ctx, st.IdempotencyKey, central.NotifyOptIn{Channels: []string{central.ChannelSMS},
		Phone: "0901234567", ConsentAt: time.Now().UTC()}))
	_, err = c.Notifications(ctx, st.IdempotencyKey)
	must("opt-in read", err)
	must("opt out", c.StopNotifications(ctx, st.IdempotencyKey))

	must("finished", srv.SetTracking(ctx, st.DossierCode, devserver.TrackingUpdate{StatusCode: dossier.StatusDone}))
	must("dossier rating", c.Rate(ctx, rating))
	must("dossier rating again", c.Rate(ctx, rating))

	rec.check(t,
		`POST /v1/enrolments 201`, `POST /v1/enrolments 409`, `POST /v1/heartbeat 401`, `GET /v1/procedures 200`, `GET /v1/procedures 304`,
		`POST /v1/uploads 201`, `PATCH /v1/uploads/[^/]+ 204`, `HEAD /v1/uploads/[^/]+ 404`,
		`POST /v1/dossiers 201`, `POST /v1/dossiers 200`, `POST /v1/dossiers 409`, `POST /v1/dossiers 422`,
		`GET /v1/dossiers/[^/]+ 200`, `GET /v1/dossiers/[^/]+ 404`, `POST /v1/heartbeat 200`,
		`GET /v1/tracker/dossiers/[^/]+ 200`, `GET /v1/tracker/dossiers/[^/]+ 400`, `POST /v1/tracker/holder-queries 200`,
		`GET /v1/queue/counters 200`, `POST /v1/queue/tickets 201`, `POST /v1/queue/tickets 200`, `GET /v1/queue/tickets/[^/]+ 200`,
		`POST /v1/queue/counters/[^/]+/call 200`, `POST /v1/queue/counters/[^/]+/call 409`, `POST /v1/queue/counters/[^/]+/call 204`,
		`POST /v1/queue/counters/[^/]+/recall 200`, `POST /v1/queue/counters/[^/]+/pause 204`, `POST /v1/queue/counters/[^/]+/resume 204`,
		`PUT /v1/ratings/[^/]+ 201`, `PUT /v1/ratings/[^/]+ 200`, `PUT /v1/ratings/[^/]+ 409`,
		`GET /v1/payments/[^/]+ 200`,
		`PUT /v1/dossiers/[^/]+/notifications 204`, `GET /v1/dossiers/[^/]+/notifications 200`, `DELETE /v1/dossiers/[^/]+/notifications 204`,
	)
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
