package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/vntext"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"golang.org/x/text/unicode/norm"
)

// TestLogsHoldNoCitizenData plays a whole session of the simulated citizen through submission and
// delivery with kioskd's output captured as journald captures it (stdout and stderr of the unit:
// this is what systemd-journal-upload sends to the province), then looks for the citizen's name and
// ID number in it: as written (NFC and NFD), folded (no diacritics, any case or separators) and as
// digit runs with separators.
func TestLogsHoldNoCitizenData(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs kioskd")
	}
	var citizen struct {
		IDNumber, FullName, DateOfBirth, FatherName, MotherName string
	}
	b, err := os.ReadFile("../../daemon/simdata/tran-van-an.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &citizen); err != nil || citizen.IDNumber == "" || citizen.FullName == "" {
		t.Fatalf("simulated citizen: %v %+v", err, citizen)
	}
	bin := buildKioskd(t)
	dir, err := os.MkdirTemp("", "tl") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	p := start(t, bin, dir)
	p.toConsent(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err = p.c.Act(ctx, wire.ActAgree, "")
	p.must(t, err)
	_, err = p.c.WaitFor(ctx, func(v wire.View) bool { return v.State == wire.Receipt || v.State == wire.Done })
	p.must(t, err)
	for {
		var held []devserver.DumpEntry
		p.must(t, p.c.Sim(ctx, http.MethodGet, "central", nil, &held))
		if len(held) == 1 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the dossier was not delivered")
		}
		time.Sleep(300 * time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()

	raw, err := os.ReadFile(filepath.Join(dir, "kioskd.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	// The log is the session's: a test of an empty or foreign log would prove nothing.
	for _, want := range []string{"kioskd ready", "dossier captured", "dossier accepted", "kioskd stopping"} {
		if !strings.Contains(log, want) {
			t.Fatalf("kioskd's log lacks %q: not a whole run\n%s", want, log)
		}
	}
	if n := strings.Count(log, "\n"); n < 5 {
		t.Fatalf("kioskd's log has %d lines: too few for a whole session\n%s", n, log)
	}
	find := func(what, needle, hay string) {
		if i := strings.Index(hay, needle); i >= 0 {
			t.Errorf("kioskd's log holds the citizen's %s (%q) at byte %d:\n%s", what, needle, i, hay[max(0, i-200):min(len(hay), i+200)])
		}
	}
	for what, v := range map[string]string{"name": citizen.FullName, "father's name": citizen.FatherName, "mother's name": citizen.MotherName} {
		find(what+" (NFC)", norm.NFC.String(v), log)
		find(what+" (NFD)", norm.NFD.String(v), log)
		// Folded: no diacritics, one case, any punctuation between the words.
		words := regexp.MustCompile(`[^\pL\pN]+`)
		folded := " " + words.ReplaceAllString(vntext.Fold(log), " ") + " "
		find(what+" (folded)", " "+words.ReplaceAllString(vntext.Fold(v), " ")+" ", folded)
	}
	digits := strings.Split(citizen.IDNumber, "")
	id := regexp.MustCompile(`(^|\D)` + strings.Join(digits, `[ .\-]?`) + `($|\D)`)
	if loc := id.FindStringIndex(log); loc != nil {
		t.Errorf("kioskd's log holds the citizen's ID number: %q", log[loc[0]:loc[1]])
	}
	if d, err := time.Parse("2006-01-02", citizen.DateOfBirth); err == nil {
		for _, f := range []string{"2006-01-02", "02/01/2006", "02012006"} {
			find("date of birth", d.Format(f), log)
		}
	}
	t.Logf("kioskd's log: %d bytes, %d lines, no citizen data", len(log), strings.Count(log, "\n"))
}
