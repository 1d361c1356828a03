package main

import (
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/outbox"
)

// buildKioskd builds this command into a temporary folder.
func buildKioskd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kioskd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type proc struct {
	cmd *exec.Cmd
	c   *client.Client
}

func start(t *testing.T, bin, dir string) *proc {
	t.Helper()
	logf, _ := os.OpenFile(filepath.Join(dir, "kioskd.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	cmd := exec.Command(bin, "--sim", "--sim-dir", dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, c: client.New(filepath.Join(dir, "kiosk.sock"))}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := p.c.WaitFor(ctx, func(v wire.View) bool { return v.State == wire.Attract }); err != nil {
		b, _ := os.ReadFile(filepath.Join(dir, "kioskd.log"))
		t.Fatalf("kioskd did not start: %v\n%s", err, b)
	}
	return p
}

func (p *proc) must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// toConsent drives a citizen to the consent screen.
func (p *proc) toConsent(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sim := func(method, name string, body any) { p.must(t, p.c.Sim(ctx, method, name, body, nil)) }
	wait := func(ok func(wire.View) bool) wire.View {
		v, err := p.c.WaitFor(ctx, ok)
		p.must(t, err)
		return v
	}
	sim(http.MethodPost, "qr", map[string]any{"citizen": "tran-van-an"})
	wait(func(v wire.View) bool { return v.State == wire.Identify && v.Step == wire.StepCard })
	sim(http.MethodPost, "card", map[string]any{"citizen": "tran-van-an"})
	v := wait(func(v wire.View) bool { return v.State == wire.ChooseProcedure })
	sim(http.MethodDelete, "card", nil)
	v, err := p.c.Act(ctx, wire.ActChoose, "1.001193")
	p.must(t, err)
	for v.State == wire.Documents {
		if !v.Documents[v.Current].Required {
			v, err = p.c.Act(ctx, wire.ActSkip, "")
			p.must(t, err)
			continue
		}
		sim(http.MethodPost, "scanner", map[string]any{"load": v.Current + 1})
		_, err = p.c.Act(ctx, wire.ActScan, "")
		p.must(t, err)
		wait(func(v wire.View) bool { return v.Step == wire.StepPreview })
		v, err = p.c.Act(ctx, wire.ActAccept, "")
		p.must(t, err)
	}
	wait(func(v wire.View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
	_, err = p.c.Act(ctx, wire.ActConfirm, "")
	p.must(t, err)
}

// TestKillDuringSubmit kills kioskd with SIGKILL while it commits a dossier, restarts it on the same
// state, and checks that nothing a citizen was told is received is lost and nothing is delivered
// twice.
func TestKillDuringSubmit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs kioskd")
	}
	bin := buildKioskd(t)
	dir, err := os.MkdirTemp("", "tk") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	rng := rand.New(rand.NewPCG(7, 7))
	told := 0
	for round := 0; round < 4; round++ {
		p := start(t, bin, dir)
		p.toConsent(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if round%2 == 1 {
			// Kill once the citizen has been told the dossier was received.
			_, err := p.c.Act(ctx, wire.ActAgree, "")
			p.must(t, err)
			_, err = p.c.WaitFor(ctx, func(v wire.View) bool { return v.State == wire.Receipt || v.State == wire.Done })
			p.must(t, err)
			told++
		} else {
			// Kill at a random moment during the commit.
			go p.c.Act(ctx, wire.ActAgree, "")
			time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		}
		cancel()
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
	}
	// The last start delivers whatever the outbox holds.
	p := start(t, bin, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var held []devserver.DumpEntry
	var entries []outbox.Entry
	for {
		store, err := outbox.Open(ctx, filepath.Join(dir, "state", "outbox"), outbox.Options{})
		p.must(t, err)
		entries, err = store.List(ctx)
		store.Close()
		p.must(t, err)
		p.must(t, p.c.Sim(ctx, http.MethodGet, "central", nil, &held))
		accepted := 0
		for _, e := range entries {
			if e.State == outbox.StateAccepted {
				accepted++
			}
		}
		if accepted == len(entries) && len(held) == len(entries) {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("not delivered: outbox %+v, central holds %d", entries, len(held))
		}
		time.Sleep(300 * time.Millisecond)
	}
	if len(entries) < told {
		t.Fatalf("lost dossiers: %d citizens were told theirs was received, the outbox holds %d", told, len(entries))
	}
	keys := map[string]bool{}
	for _, h := range held {
		if keys[h.IdempotencyKey] {
			t.Fatalf("dossier %s delivered twice", h.IdempotencyKey)
		}
		keys[h.IdempotencyKey] = true
		if len(h.Attachments) != 3 {
			t.Fatalf("dossier %s arrived with %d attachments", h.DossierCode, len(h.Attachments))
		}
		for _, a := range h.Attachments {
			if a.SHA256 != a.Expected {
				t.Fatalf("attachment %s damaged", a.Name)
			}
		}
	}
	t.Logf("%d rounds, %d told received, outbox %d, central %d", 4, told, len(entries), len(held))
}
