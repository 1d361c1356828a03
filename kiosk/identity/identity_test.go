//go:build !nosim

package identity

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/pcsc/pcsctest"
	"github.com/tramso/tramso/drivers/pcsc/vicc"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
)

const citizenFile = "testdata/citizen.json"

// qrOf is the QR payload printed on the front of the test citizen's card.
func qrOf(t testing.TB, c cccd.Citizen) string { return cccd.QRPayload(c) }

type rig struct {
	card  *SimCard
	sim   *pn532sim.Simulator
	link  string
	trust *lds.TrustStore
}

func newRig(t testing.TB, citizen string, sopts SimOptions, popts pn532sim.Config) *rig {
	t.Helper()
	pki, err := cccd.NewTestPKI("")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := NewSimCard(citizen, pki, sopts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	link := filepath.Join(t.TempDir(), "nfc")
	popts.Card = sc.Chip
	sim, err := pn532sim.Serve(ctx, link, popts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); sim.Close() })
	return &rig{card: sc, sim: sim, link: link, trust: pki.TrustStore()}
}

func (r *rig) read(t testing.TB, ctx context.Context, key Key, opts Options) (*Result, error) {
	t.Helper()
	rd, err := OpenReader(ctx, "pn532:"+r.link)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	card, err := rd.WaitForCard(ctx)
	if err != nil {
		return nil, err
	}
	return Read(ctx, card, key, opts)
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// The whole read over a real pseudo-terminal returns exactly the citizen file's data.
func TestReadReturnsTheCitizenFile(t *testing.T) {
	r := newRig(t, citizenFile, SimOptions{}, pn532sim.Config{})
	key, q, err := KeyFromQR(qrOf(t, r.card.Citizen))
	if err != nil {
		t.Fatal(err)
	}
	if q.CAN != "012345" {
		t.Fatalf("CAN %q", q.CAN)
	}
	res, err := r.read(t, ctxT(t, 20*time.Second), key, Options{Trust: r.trust})
	if err != nil {
		t.Fatal(err)
	}
	want := r.card.Citizen
	want.Photo = "" // the face is hashed for passive authentication, then dropped
	var wantJSON, gotJSON map[string]any
	b, _ := json.Marshal(want)
	json.Unmarshal(b, &wantJSON)
	b, _ = json.Marshal(res.Citizen.JSON())
	json.Unmarshal(b, &gotJSON)
	if !reflect.DeepEqual(wantJSON, gotJSON) {
		t.Fatalf("citizen differs:\n got %v\nwant %v", gotJSON, wantJSON)
	}
	if res.Access != "PACE-CAN" || res.PassiveAuth != "valid" || res.ChipAuth != "CA-valid" || !res.Genuine() ||
		res.CA != AuthValid || res.AA != AuthValid || !res.ChipProven || res.CAProtocol != "CA-ECDH-AES-128 brainpoolP256r1" ||
		res.DossierPassiveAuth() != "valid" {
		t.Fatalf("access %s, PA %s (%s), chip %s CA %s AA %s (%s)", res.Access, res.PassiveAuth, res.PassiveAuthDetail, res.ChipAuth, res.CA, res.AA, res.ChipAuthDetail)
	}
	if res.MRZ.DocumentNumber != "189012345" || res.MRZ.Sex != "F" || res.MRZ.Nationality != "VNM" || res.MRZ.DateOfBirth != "890302" {
		t.Fatalf("MRZ %+v", res.MRZ)
	}
	if res.APDUs == 0 || res.Bytes == 0 || res.PhotoType != "image/jpeg" {
		t.Fatalf("counts/photo: %+v", res)
	}
}

func TestPassiveAuthenticationOutcomes(t *testing.T) {
	ctx := ctxT(t, 30*time.Second)
	r := newRig(t, citizenFile, SimOptions{}, pn532sim.Config{})
	key, _ := KeyFromCAN(r.card.CAN)
	res, err := r.read(t, ctx, key, Options{})
	if err != nil || res.PassiveAuth != "unverified" || res.Genuine() {
		t.Fatalf("without a CSCA: %v %+v", err, res)
	}
	other, _ := cccd.NewTestPKI("")
	res, err = r.read(t, ctx, key, Options{Trust: other.TrustStore()})
	if err != nil || res.PassiveAuth != "invalid" {
		t.Fatalf("with another CSCA: %v %+v", err, res)
	}

	tampered := newRig(t, citizenFile, SimOptions{Tamper: []int{13}}, pn532sim.Config{})
	res, err = tampered.read(t, ctx, key, Options{Trust: tampered.trust})
	if err != nil {
		t.Fatal(err)
	}
	if res.PassiveAuth != "invalid" || !strings.Contains(res.PassiveAuthDetail, "DG13") || res.Genuine() {
		t.Fatalf("tampered DG13: %s (%s)", res.PassiveAuth, res.PassiveAuthDetail)
	}
}

func TestAccessPaths(t *testing.T) {
	ctx := ctxT(t, 30*time.Second)
	r := newRig(t, citizenFile, SimOptions{NoPACE: true}, pn532sim.Config{})
	// A card without PACE: the QR's derived BAC key opens it.
	key, _, _ := KeyFromQR(qrOf(t, r.card.Citizen))
	res, err := r.read(t, ctx, key, Options{Trust: r.trust, SkipFace: true})
	if err != nil || res.Access != "BAC" || res.PassiveAuth != "valid" {
		t.Fatalf("BAC fallback: %v %+v", err, res)
	}
	if res.JSON().Citizen.Photo != "" {
		t.Fatal("SkipFace read the face")
	}
	mk, err := KeyFromMRZ(strings.Join([]string{r.card.MRZ.DocumentNumber, r.card.MRZ.DateOfBirth, r.card.MRZ.DateOfExpiry}, ","))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := r.read(t, ctx, mk, Options{SkipFace: true}); err != nil || res.Access != "BAC" {
		t.Fatalf("--mrz-key: %v", err)
	}
	// A wrong CAN is an authentication error, not a hang and not data.
	r2 := newRig(t, citizenFile, SimOptions{}, pn532sim.Config{})
	bad, _ := KeyFromCAN("999999")
	if res, err := r2.read(t, ctx, bad, Options{}); err == nil || res != nil {
		t.Fatalf("wrong CAN gave %v %+v", err, res)
	}
	for _, s := range []string{"12345", "12345a"} {
		if _, err := KeyFromCAN(s); err == nil {
			t.Errorf("CAN %q accepted", s)
		}
	}
	if _, err := KeyFromMRZ("123,4"); err == nil {
		t.Error("bad MRZ key accepted")
	}
}

func TestRemovalMidReadGivesNoIdentity(t *testing.T) {
	for _, n := range []int{3, 12, 30} {
		r := newRig(t, citizenFile, SimOptions{}, pn532sim.Config{RemoveAfter: n})
		key, _ := KeyFromCAN(r.card.CAN)
		res, err := r.read(t, ctxT(t, 20*time.Second), key, Options{})
		if !errors.Is(err, apdu.ErrCardRemoved) || res != nil {
			t.Fatalf("removed after %d APDUs: %v, result %v", n, err, res != nil)
		}
	}
}

func TestBadReadersNeverHang(t *testing.T) {
	for name, fault := range map[string]pn532sim.Fault{
		"silent": pn532sim.FaultSilent, "garbage": pn532sim.FaultRandom, "bad checksums": pn532sim.FaultChecksum,
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, citizenFile, SimOptions{}, pn532sim.Config{Fault: fault})
			key, _ := KeyFromCAN(r.card.CAN)
			start := time.Now()
			res, err := r.read(t, ctxT(t, 5*time.Second), key, Options{})
			if err == nil || res != nil {
				t.Fatalf("a %s reader produced an identity", name)
			}
			if d := time.Since(start); d > 6*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
	// A slow card: the caller's deadline wins.
	r := newRig(t, citizenFile, SimOptions{Delay: 300 * time.Millisecond}, pn532sim.Config{})
	key, _ := KeyFromCAN(r.card.CAN)
	start := time.Now()
	if _, err := r.read(t, ctxT(t, 2*time.Second), key, Options{}); err == nil {
		t.Fatal("a read slower than the deadline succeeded")
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("slow card: took %v with a 2 s deadline", d)
	}
}

// The PC/SC path: the same card on pcscd's virtual reader.
func TestReadThroughPCSC(t *testing.T) {
	d := pcsctest.Start(t)
	pki, _ := cccd.NewTestPKI("")
	sc, err := NewSimCard(citizenFile, pki, SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t, 30*time.Second)
	icc, err := vicc.Insert(ctx, d.VPCDAddr, sc.Chip, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer icc.Remove()
	rd, err := OpenReader(ctx, "pcsc:"+d.Reader+"?socket="+d.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	card, err := rd.WaitForCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, _, _ := KeyFromQR(qrOf(t, sc.Citizen))
	res, err := Read(ctx, card, key, Options{Trust: pki.TrustStore()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Citizen.FullName != sc.Citizen.FullName || res.PassiveAuth != "valid" || res.Access != "PACE-CAN" ||
		res.ChipAuth != "CA-valid" || res.AA != AuthValid || !res.Genuine() {
		t.Fatalf("%+v", res)
	}
}

// Nothing the card holds may reach a log, whatever the outcome.
func TestNoCitizenDataInLogs(t *testing.T) {
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)

	ctx := ctxT(t, 30*time.Second)
	r := newRig(t, citizenFile, SimOptions{}, pn532sim.Config{})
	key, _, _ := KeyFromQR(qrOf(t, r.card.Citizen))
	var errs []string
	if _, err := r.read(t, ctx, key, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []struct {
		s SimOptions
		p pn532sim.Config
	}{{SimOptions{WrongKey: true}, pn532sim.Config{}}, {SimOptions{}, pn532sim.Config{RemoveAfter: 20}}, {SimOptions{Tamper: []int{13}}, pn532sim.Config{}}} {
		rr := newRig(t, citizenFile, o.s, o.p)
		if _, err := rr.read(t, ctx, key, Options{}); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if _, _, err := KeyFromQR("001189012345|012345678|Nguyễn Thị Ngọc Huyền|31021989|Nữ|Hà Nội|15082021"); err != nil {
		errs = append(errs, err.Error())
	}
	c := r.card.Citizen
	hay := logs.String() + strings.Join(errs, "\n")
	for _, secret := range []string{c.IDNumber, c.FullName, "Huyền", c.OldIDNumber, "1989-03-02", "02031989", "890302",
		c.PlaceOfResidence, "Hàng Bạc", c.FatherName, c.MotherName, r.card.CAN} {
		if strings.Contains(hay, secret) {
			t.Errorf("personal data %q appears in logs or errors", secret)
		}
	}
	if len(errs) < 3 {
		t.Fatalf("the failure cases did not fail: %q", errs)
	}
}

// The face is hashed for passive authentication and dropped: no byte of it is in the result, in
// any form, and a tampered face still fails passive authentication.
func TestNoFaceKept(t *testing.T) {
	ctx := ctxT(t, 30*time.Second)
	photo, err := os.ReadFile("testdata/face.jpg")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, citizenFile, SimOptions{}, pn532sim.Config{})
	key, _ := KeyFromCAN(r.card.CAN)
	res, err := r.read(t, ctx, key, Options{Trust: r.trust})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(res.JSON())
	dump := append(js, fmt.Sprintf("%#v", *res)...)
	b64 := base64.StdEncoding.EncodeToString(photo)
	for i := 0; i+24 <= len(photo); i += 24 {
		if bytes.Contains(dump, photo[i:i+24]) || strings.Contains(string(dump), b64[i/3*4:i/3*4+32]) {
			t.Fatalf("face bytes at %d kept in the result", i)
		}
	}
	if res.JSON().Citizen.Photo != "" || res.PhotoType != "image/jpeg" || res.PassiveAuth != "valid" {
		t.Fatalf("photo %d, type %q, PA %s", len(res.JSON().Citizen.Photo), res.PhotoType, res.PassiveAuth)
	}
	tampered := newRig(t, citizenFile, SimOptions{Tamper: []int{2}}, pn532sim.Config{})
	res, err = tampered.read(t, ctx, key, Options{Trust: tampered.trust})
	if err != nil || res.PassiveAuth != "invalid" || !strings.Contains(res.PassiveAuthDetail, "DG2") {
		t.Fatalf("tampered face: %v %+v", err, res)
	}
}
