package daemon

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/staff"
)

const citizen = "tran-van-an"

type kiosk struct {
	t   *testing.T
	c   *client.Client
	sim *Sim
	cfg *config.Config
}

// simulated starts the simulated hardware in a fresh folder with a short path (unix socket paths are
// limited) and returns the folder, the simulators and the kiosk's configuration; the test's cleanup
// closes them and removes the folder, after any cleanup registered later (a kioskd still running).
func simulated(tb testing.TB) (dir string, sim *Sim, cfg *config.Config) {
	tb.Helper()
	dir, err := os.MkdirTemp("", "tramso-kd-")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(func() {
		cancel()
		if sim != nil {
			sim.Close()
		}
		os.RemoveAll(dir)
	})
	if sim, cfg, err = StartSim(ctx, dir); err != nil {
		tb.Fatal(err)
	}
	return dir, sim, cfg
}

// startKiosk runs kioskd in-process on the simulated hardware.
func startKiosk(t *testing.T, mutate func(*config.Config)) *kiosk {
	t.Helper()
	_, sim, cfg := simulated(t)
	if mutate != nil {
		mutate(cfg)
	}
	return startKioskWith(t, sim, cfg, Options{})
}

// startKioskWith runs kioskd in-process on the simulated hardware with options o (Config and Sim
// are filled in).
func startKioskWith(t *testing.T, sim *Sim, cfg *config.Config, o Options) *kiosk {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	o.Config, o.Sim = cfg, sim
	if o.UploaderPoll == 0 {
		o.UploaderPoll = 100 * time.Millisecond
	}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("kioskd: %v", err)
		}
	})
	k := &kiosk{t: t, c: client.New(cfg.Paths.Socket), sim: sim, cfg: cfg}
	k.waitFor("ready", 20*time.Second, func(v wire.View) bool { return v.State == wire.Attract })
	return k
}

func (k *kiosk) ctx(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d*raceSlowdown)
	k.t.Cleanup(cancel)
	return ctx
}

func (k *kiosk) waitFor(what string, d time.Duration, ok func(wire.View) bool) wire.View {
	k.t.Helper()
	v, err := k.c.WaitFor(k.ctx(d), ok)
	if err != nil {
		k.t.Fatalf("waiting for %s: %v (message %+v)", what, err, v.Message)
	}
	return v
}

func (k *kiosk) act(action wire.ActionName, value string) wire.View {
	k.t.Helper()
	v, err := k.c.Act(k.ctx(10*time.Second), action, value)
	if err != nil {
		k.t.Fatalf("%s %q: %v", action, value, err)
	}
	return v
}

func (k *kiosk) control(method, name string, body any) {
	k.t.Helper()
	if err := k.c.Sim(k.ctx(10*time.Second), method, name, body, nil); err != nil {
		k.t.Fatalf("sim %s: %v", name, err)
	}
}

// identify plays the citizen: the card's QR code, then the card on the reader.
func (k *kiosk) identify() {
	k.t.Helper()
	k.control(http.MethodPost, "qr", map[string]any{"citizen": citizen})
	k.waitFor("card step", 10*time.Second, func(v wire.View) bool { return v.State == wire.Identify && v.Step == wire.StepCard })
	k.control(http.MethodPost, "card", map[string]any{"citizen": citizen})
	v := k.waitFor("catalogue", 20*time.Second, func(v wire.View) bool { return v.State == wire.ChooseProcedure })
	if v.Citizen == nil || v.Citizen.FullName != "Trần Văn Ẩn" || v.Citizen.IDMasked != "********1234" || v.Citizen.PassiveAuth != "valid" {
		k.t.Fatalf("citizen %+v", v.Citizen)
	}
	k.control(http.MethodDelete, "card", nil)
}

// scanDocuments chooses birth registration and scans every required paper.
func (k *kiosk) scanDocuments() {
	k.t.Helper()
	v := k.act(wire.ActSearch, "khai sinh")
	if len(v.Procedures) == 0 || v.Procedures[0].Code != "1.001193" {
		k.t.Fatalf("search: %+v", v.Procedures)
	}
	v = k.act(wire.ActChoose, "1.001193")
	for v.State == wire.Documents {
		d := v.Documents[v.Current]
		if !d.Required {
			v = k.act(wire.ActSkip, "")
			continue
		}
		k.control(http.MethodPost, "scanner", map[string]any{"load": v.Current + 1})
		k.act(wire.ActScan, "")
		k.waitFor("preview", 30*time.Second, func(v wire.View) bool { return v.Step == wire.StepPreview })
		v = k.act(wire.ActAccept, "")
	}
}

// submit reviews the form and consents; it returns the view once the receipt step is over.
func (k *kiosk) submit() wire.View {
	k.t.Helper()
	v := k.waitFor("form", 90*time.Second, func(v wire.View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
	fields := map[string]wire.FieldView{}
	for _, f := range v.Form {
		fields[f.Key] = f
	}
	for key, want := range map[string]string{"childFullName": "Trần Minh Khang", "applicantFullName": "Trần Văn Ẩn",
		"applicantIdNumber": "079092001234", "childSex": "Nam", "relationship": "Cha"} {
		if fields[key].Value != want {
			k.t.Errorf("form %s = %q (from %s), want %q", key, fields[key].Value, fields[key].Source, want)
		}
	}
	if fields["applicantFullName"].Source != "card" || fields["childFullName"].Source != "ocr" {
		k.t.Errorf("sources: %+v %+v", fields["applicantFullName"], fields["childFullName"])
	}
	k.act(wire.ActConfirm, "")
	k.act(wire.ActAgree, "")
	return k.waitFor("receipt", 60*time.Second, func(v wire.View) bool {
		return v.State == wire.Done || (v.State == wire.Receipt && v.Step == wire.StepPrintFail)
	})
}

func (k *kiosk) central() []devserver.DumpEntry {
	var d []devserver.DumpEntry
	if err := k.c.Sim(k.ctx(10*time.Second), http.MethodGet, "central", nil, &d); err != nil {
		k.t.Fatal(err)
	}
	return d
}

func (k *kiosk) receipts() []map[string]any {
	var r []map[string]any
	k.c.Sim(k.ctx(10*time.Second), http.MethodGet, "receipts", nil, &r)
	return r
}

// TestCitizenJourneys plays whole journeys, each on its own simulated kiosk: one that times out
// or leaves a device faulted does not fail the others, and none depends on what another left in
// the outbox or at central. They run one after another (kioskd and its OCR are heavy on 2 cores).
func TestCitizenJourneys(t *testing.T) {
	const pin = "246810"
	hash, _ := staff.HashPIN(pin)
	start := func(t *testing.T) *kiosk { return startKiosk(t, func(c *config.Config) { c.Staff.PINHash = hash }) }

	t.Run("happy path", func(t *testing.T) {
		k := start(t)
		k.identify()
		k.scanDocuments()
		v := k.submit()
		if v.State != wire.Done || v.Receipt == nil || v.Receipt.Provisional || !v.Receipt.Printed ||
			!strings.HasPrefix(v.Receipt.DossierCode, "000.00.21.H26-") {
			t.Fatalf("receipt %+v", v.Receipt)
		}
		got := k.central()
		if len(got) != 1 || got[0].DossierCode != v.Receipt.DossierCode || len(got[0].Attachments) != 3 || got[0].ApplicantIDNumber != "079092001234" {
			t.Fatalf("central holds %+v", got)
		}
		if n := len(k.receipts()); n != 1 {
			t.Fatalf("%d receipts printed", n)
		}
		k.act(wire.ActFinish, "")
		k.waitFor("attract", 5*time.Second, func(v wire.View) bool { return v.State == wire.Attract && v.Citizen == nil })
	})

	t.Run("offline central: provisional code, delivered later, official code on reprint", func(t *testing.T) {
		k := start(t)
		k.control(http.MethodPost, "central", map[string]any{"offline": true})
		k.identify()
		k.scanDocuments()
		v := k.submit()
		if v.Receipt == nil || !v.Receipt.Provisional || !strings.HasPrefix(v.Receipt.DossierCode, "SIM-01-") || !v.Receipt.Printed {
			t.Fatalf("offline receipt %+v", v.Receipt)
		}
		if n := len(k.central()); n != 0 {
			t.Fatalf("central reached while offline: %d dossiers", n)
		}
		if err := k.c.StaffLogin(k.ctx(10*time.Second), pin); err != nil {
			t.Fatal(err)
		}
		// The upload's error, as staff read it, is one bilingual sentence.
		var entries []outbox.Entry
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			if err := k.c.Staff(k.ctx(10*time.Second), http.MethodGet, "dossiers", &entries); err != nil {
				t.Fatal(err)
			}
			if len(entries) == 1 && entries[0].LastError != "" {
				if werr := errtext.Check(errors.New(entries[0].LastError)); werr != nil {
					t.Errorf("upload error: %v", werr)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no upload error recorded while offline: %+v", entries)
			}
		}
		k.control(http.MethodPost, "central", map[string]any{"offline": false})
		deadline := time.Now().Add(60 * time.Second)
		for {
			if err := k.c.Staff(k.ctx(10*time.Second), http.MethodGet, "dossiers", &entries); err != nil {
				t.Fatal(err)
			}
			if len(entries) == 1 && entries[0].State == outbox.StateAccepted && entries[0].DossierCode != "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not delivered after the outage: %+v", entries)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if n := len(k.central()); n != 1 {
			t.Fatalf("central holds %d dossiers, want 1", n)
		}
		var out struct {
			DossierCode string `json:"dossierCode"`
			Provisional bool   `json:"provisional"`
		}
		if err := k.c.Staff(k.ctx(30*time.Second), http.MethodPost, "dossiers/"+itoa(entries[0].ID)+"/reprint", &out); err != nil {
			t.Fatal(err)
		}
		if out.Provisional || out.DossierCode != entries[0].DossierCode {
			t.Fatalf("reprint %+v, want the official code %s", out, entries[0].DossierCode)
		}
		k.act(wire.ActFinish, "")
	})

	t.Run("card removed mid-read", func(t *testing.T) {
		k := start(t)
		k.control(http.MethodPost, "qr", map[string]any{"citizen": citizen})
		k.waitFor("card step", 10*time.Second, func(v wire.View) bool { return v.State == wire.Identify && v.Step == wire.StepCard })
		k.control(http.MethodPost, "card", map[string]any{"citizen": citizen, "removeAfterApdus": 8})
		v := k.waitFor("removal message", 20*time.Second, func(v wire.View) bool { return v.Message != nil && v.Message.Code == "card_removed" })
		if v.State != wire.Identify || v.Citizen != nil || !v.Message.Retry {
			t.Fatalf("after removal: %+v", v)
		}
		k.control(http.MethodPost, "card", map[string]any{"citizen": citizen})
		k.waitFor("catalogue", 20*time.Second, func(v wire.View) bool { return v.State == wire.ChooseProcedure })
		k.control(http.MethodDelete, "card", nil)
		k.act(wire.ActCancel, "")
		k.waitFor("attract", 5*time.Second, func(v wire.View) bool { return v.State == wire.Attract })
	})

	t.Run("scanner jam", func(t *testing.T) {
		k := start(t)
		k.identify()
		k.act(wire.ActChoose, "1.001193")
		k.control(http.MethodPost, "scanner", map[string]any{"load": 1, "fault": "jam"})
		k.act(wire.ActScan, "")
		v := k.waitFor("scan failure", 30*time.Second, func(v wire.View) bool { return v.Message != nil && v.Message.Code == "scan_failed" })
		if v.State != wire.Documents || v.Step != wire.StepPlace || !v.Message.Retry {
			t.Fatalf("after the jam: %+v", v)
		}
		k.control(http.MethodPost, "scanner", map[string]any{"fault": "none"})
		k.act(wire.ActScan, "")
		k.waitFor("preview", 30*time.Second, func(v wire.View) bool { return v.Step == wire.StepPreview })
		k.act(wire.ActCancel, "")
	})

	t.Run("printer out of paper at the receipt", func(t *testing.T) {
		k := start(t)
		k.identify()
		k.scanDocuments()
		k.control(http.MethodPost, "printer", map[string]any{"fault": "paper-out"})
		v := k.submit()
		if v.State != wire.Receipt || v.Step != wire.StepPrintFail || v.Receipt == nil || v.Receipt.DossierCode == "" {
			t.Fatalf("paper out: %+v", v)
		}
		code := v.Receipt.DossierCode
		// The dossier is safe: the outbox has it and delivers it.
		if err := k.c.StaffLogin(k.ctx(10*time.Second), pin); err != nil {
			t.Fatal(err)
		}
		var entries []outbox.Entry
		if err := k.c.Staff(k.ctx(10*time.Second), http.MethodGet, "dossiers", &entries); err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].DossierCode != code && entries[0].ReceiptNo != code {
			t.Fatalf("dossier %s not in the outbox: %+v", code, entries[0])
		}
		// Staff reprint once the paper is back.
		k.control(http.MethodPost, "printer", map[string]any{"fault": "paper-in"})
		before := len(k.receipts())
		if err := k.c.Staff(k.ctx(30*time.Second), http.MethodPost, "dossiers/"+itoa(entries[0].ID)+"/reprint", nil); err != nil {
			t.Fatal(err)
		}
		if len(k.receipts()) != before+1 {
			t.Fatal("the reprint did not come out")
		}
		k.act(wire.ActFinish, "")
	})
}

func TestIdleTimeoutWipesTheSession(t *testing.T) {
	k := startKiosk(t, func(c *config.Config) {
		c.Session.IdleWarn.Duration, c.Session.IdleTimeout.Duration = 1500*time.Millisecond, 3*time.Second
	})
	k.identify()
	k.scanDocuments()
	k.waitFor("form", 90*time.Second, func(v wire.View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
	k.c.Act(k.ctx(5*time.Second), wire.ActMoreTime, "") // the last tap; then nobody touches the screen
	v := k.waitFor("warning", 10*time.Second, func(v wire.View) bool { return v.IdleWarning })
	if v.State != wire.Review || v.IdleSecondsLeft <= 0 {
		t.Fatalf("warning view %+v", v)
	}
	v = k.waitFor("wipe", 10*time.Second, func(v wire.View) bool { return v.State == wire.Attract })
	if v.Citizen != nil || v.Form != nil || v.Documents != nil || v.Procedure != nil || v.Session != "" {
		t.Fatalf("the wiped view still holds the session: %+v", v)
	}
	if _, err := k.c.Preview(k.ctx(5*time.Second), 0, 0); err == nil {
		t.Fatal("a scanned page is still served after the wipe")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCatalogueSync(t *testing.T) {
	k := startKiosk(t, nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		h, err := k.c.Health(k.ctx(5 * time.Second))
		if err == nil && strings.HasPrefix(h["catalogue"].(string), "central ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the central catalogue was not synced: %v", h)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, err := os.ReadFile(filepath.Join(k.cfg.Paths.StateDir, "catalogue.json"))
	if err != nil || !strings.Contains(string(b), "childFullName") {
		t.Fatalf("synced catalogue not kept with its form fields: %v", err)
	}
	k.identify()
	v := k.act(wire.ActSearch, "hôn nhân")
	if len(v.Procedures) == 0 || v.Procedures[0].Code != "1.004873" {
		t.Fatalf("search in the synced catalogue: %+v", v.Procedures)
	}
	k.act(wire.ActCancel, "")
}
