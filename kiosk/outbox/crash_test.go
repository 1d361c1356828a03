package outbox_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/outbox"
)

// TestCrashLoopSIGKILL adds dossiers and drains them against a faulty development server, killing
// the draining process with SIGKILL at random moments and restarting it. At the end the server must
// hold every dossier exactly once with matching attachment hashes, and the outbox show them accepted.
func TestCrashLoopSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop skipped in -short mode")
	}
	faults, _ := devserver.ParseFaults("500=0.1,reset=0.1,slow=0.05,hang=0.02,429=0.01")
	srv, url := startServer(t, devserver.Config{Faults: faults.Decide, SlowDelay: 100 * time.Millisecond, HangMax: 3 * time.Second})
	dir := t.TempDir()
	env := []string{"OUTBOX_DATA=" + dir, "OUTBOX_URL=" + url}
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	kills, rounds := 0, 0
	var logs bytes.Buffer
	for round := 0; round < 8 && time.Now().Before(deadline); round++ {
		rounds++
		s, err := openSigned(ctx, dir, outbox.Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		for i := 0; i < 3; i++ {
			if _, err := s.Capture(ctx, newDossier(), newFiles(64<<10+rand.IntN(400<<10)), nil); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		cmd, out := runHelper(t, "drain", env...)
		time.Sleep(time.Duration(20+rand.IntN(400)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err = cmd.Wait()
		if killedBySignal(err) {
			kills++
		} else if err != nil {
			t.Fatalf("drain failed by itself: %v\n%s", err, out)
		}
		logs.Write(out.Bytes())
	}
	// Final drain, not interrupted.
	cmd, out := runHelper(t, "drain", env...)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("final drain: %v\n%s", err, out)
		}
	case <-time.After(50 * time.Second):
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		t.Fatalf("final drain did not finish\n%s", out)
	}
	logs.Write(out.Bytes())
	t.Logf("%d rounds, %d drains killed mid-way, %d dossiers", rounds, kills, 3*rounds)
	if kills == 0 {
		t.Fatal("no drain was killed: the test proved nothing")
	}
	s, err := openSigned(ctx, dir, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	serverHolds(t, s, srv.Dir())
	if l := mustList(t, s); len(l) != 3*rounds {
		t.Fatalf("%d dossiers in the outbox, want %d", len(l), 3*rounds)
	}
	assertNoPlaintext(t, dir)
	assertNoPersonalData(t, "drain logs", logs.String())
}

// TestPowerLoss kills the process (SIGKILL, as a power cut) at the dangerous moments of a capture —
// during the SQLite commit, before it, before and after the attachment rename — and of a delivery
// (server accepted, local state not yet recorded). After each the store must open (integrity check),
// hold the dossier whole or not at all, and a later drain must deliver it exactly once.
func TestPowerLoss(t *testing.T) {
	srv, url := startServer(t, devserver.Config{})
	dir := t.TempDir()
	ctx := context.Background()
	points := []string{outbox.CrashBeforeRename, outbox.CrashAfterRename, outbox.CrashBeforeCommit,
		outbox.CrashDuringCommit, outbox.CrashDuringCommit, outbox.CrashDuringCommit, outbox.CrashDuringCommit}
	before := 0
	for _, p := range points {
		cmd, out := runHelper(t, "capture", "OUTBOX_DATA="+dir, "OUTBOX_CRASH_AT="+p)
		if err := cmd.Wait(); !killedBySignal(err) {
			t.Fatalf("%s: helper not killed: %v\n%s", p, err, out)
		}
		s, err := openSigned(ctx, dir, outbox.Options{})
		if err != nil {
			t.Fatalf("%s: store does not open after the crash: %v", p, err)
		}
		list := mustList(t, s)
		switch {
		case len(list) == before: // the capture never committed: nothing half-stored
		case len(list) == before+1:
			if p != outbox.CrashDuringCommit {
				t.Fatalf("%s: a dossier committed although the crash came first", p)
			}
			e := list[len(list)-1]
			if e.State != outbox.StateQueued {
				t.Fatalf("%s: recovered dossier is %s", p, e.State)
			}
			if _, err := s.Reprint(ctx, e.ID); err != nil {
				t.Fatalf("%s: recovered dossier unreadable: %v", p, err)
			}
		default:
			t.Fatalf("%s: %d dossiers, had %d", p, len(list), before)
		}
		before = len(list)
		s.Close()
	}
	// Leftover temp files of interrupted renames are never mistaken for attachments.
	tmps, _ := filepath.Glob(filepath.Join(dir, "blobs", ".tmp-*"))
	t.Logf("%d dossiers survived the commit crashes, %d temp files left for the sweep", before, len(tmps))

	// One more, delivered with a crash between the server's acceptance and the local record.
	s, _ := openSigned(ctx, dir, outbox.Options{})
	if _, err := s.Capture(ctx, newDossier(), newFiles(100<<10), nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	cmd, out := runHelper(t, "drain", "OUTBOX_DATA="+dir, "OUTBOX_URL="+url, "OUTBOX_CRASH_AT="+outbox.CrashBeforeAccept)
	if err := cmd.Wait(); !killedBySignal(err) {
		t.Fatalf("drain not killed: %v\n%s", err, out)
	}
	dump, _ := devserver.Dump(ctx, srv.Dir())
	if len(dump) == 0 {
		t.Fatal("the server accepted nothing before the crash")
	}
	cmd, out = runHelper(t, "drain", "OUTBOX_DATA="+dir, "OUTBOX_URL="+url)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("drain: %v\n%s", err, out)
	}
	s, err := openSigned(ctx, dir, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	serverHolds(t, s, srv.Dir())
	if strings.Contains(out.String(), citizenID) {
		t.Fatal("personal data in the log")
	}
}
