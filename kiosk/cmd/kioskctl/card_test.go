package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const testCitizen = "../../identity/testdata/citizen.json"

const testQR = "001189012345|012345678|Nguyễn Thị Ngọc Huyền|02031989|Nữ|Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hoàn Kiếm, Hà Nội|15082021"

func TestCardQR(t *testing.T) {
	code, out, errs := kioskctl(t, context.Background(), nil, "card", "qr", testQR, "--json")
	if code != 0 {
		t.Fatalf("%d %s", code, errs)
	}
	var q map[string]any
	if err := json.Unmarshal([]byte(out), &q); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"idNumber": "001189012345", "oldIdNumber": "012345678", "fullName": "Nguyễn Thị Ngọc Huyền",
		"dateOfBirth": "1989-03-02", "sex": "Nữ", "address": "Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hoàn Kiếm, Hà Nội",
		"issueDate": "2021-08-15", "can": "012345", "warnings": []any{}}
	if !reflect.DeepEqual(q, want) {
		t.Fatalf("got %v", q)
	}
	for _, bad := range []string{"garbage", "00118901234|x|A|02031989|Nữ|HN|15082021", "001189012345||A|31021989|Nữ|HN|15082021"} {
		if code, _, errs := kioskctl(t, context.Background(), nil, "card", "qr", bad, "--json"); code != 1 || errs == "" {
			t.Errorf("%q: exit %d", bad, code)
		}
	}
}

// simulateCard runs `card simulate` in the background and returns the link and CSCA folder.
func simulateCard(t *testing.T, extra ...string) (link, trust string, stderr func() string) {
	t.Helper()
	dir := t.TempDir()
	link = filepath.Join(dir, "nfc")
	trust = filepath.Join(dir, "trust")
	os.Mkdir(trust, 0o755)
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	done := make(chan string, 1)
	args := append([]string{"card", "simulate", "--link", link, "--citizen", testCitizen, "--csca-out", filepath.Join(trust, "csca.pem")}, extra...)
	go func() {
		_, _, errs := kioskctl(t, ctx, r, args...)
		done <- errs
	}()
	var last string
	t.Cleanup(func() {
		cancel()
		w.Close()
		last = <-done
	})
	waitFor(t, func() bool {
		_, err := os.Stat(filepath.Join(trust, "csca.pem"))
		_, err2 := os.Lstat(link)
		return err == nil && err2 == nil
	})
	return link, trust, func() string { return last }
}

func TestCardSimulateAndRead(t *testing.T) {
	link, trust, _ := simulateCard(t)
	code, out, errs := kioskctl(t, context.Background(), nil, "card", "read", "--reader", "pn532:"+link, "--qr", testQR, "--csca", trust, "--json")
	if code != 0 {
		t.Fatalf("%d %s", code, errs)
	}
	var res struct {
		Citizen           map[string]string `json:"citizen"`
		MRZ               map[string]string `json:"mrz"`
		Access            string            `json:"access"`
		PassiveAuth       string            `json:"passiveAuth"`
		PassiveAuthDetail string            `json:"passiveAuthDetail"`
		ChipAuth          string            `json:"chipAuth"`
		APDUs             int               `json:"apdus"`
		Bytes             int               `json:"bytes"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	b, _ := os.ReadFile(testCitizen)
	json.Unmarshal(b, &want)
	photo, _ := os.ReadFile(filepath.Join(filepath.Dir(testCitizen), want["photo"]))
	want["photo"] = "" // hashed for passive authentication, then dropped
	if strings.Contains(out, base64.StdEncoding.EncodeToString(photo)[:64]) {
		t.Fatal("the face is in the output")
	}
	if !reflect.DeepEqual(res.Citizen, want) {
		t.Fatalf("citizen:\n got %v\nwant %v", res.Citizen, want)
	}
	if res.Access != "PACE-CAN" || res.PassiveAuth != "valid" || res.ChipAuth != "CA-valid" || res.APDUs == 0 || res.Bytes == 0 ||
		!strings.Contains(out, `"chipProven": true`) || !strings.Contains(out, `"aaAuth": "valid"`) || !strings.Contains(out, `"caAuth": "valid"`) {
		t.Fatalf("%+v", res)
	}
	for _, k := range []string{"documentNumber", "dateOfBirth", "dateOfExpiry", "sex", "nationality", "name"} {
		if res.MRZ[k] == "" {
			t.Errorf("mrz.%s missing", k)
		}
	}
	// Without --csca: unverified, never a silent ok.
	_, out, _ = kioskctl(t, context.Background(), nil, "card", "read", "--reader", "pn532:"+link, "--can", "012345", "--json")
	if !strings.Contains(out, `"passiveAuth": "unverified"`) {
		t.Fatalf("without --csca: %s", out)
	}
	// Personal data goes to stdout when asked for, never to stderr (the log).
	if strings.Contains(errs, "Huyền") || strings.Contains(errs, "001189012345") {
		t.Fatalf("stderr carries personal data: %q", errs)
	}
}

func TestCardTamperedAndRemoved(t *testing.T) {
	link, trust, _ := simulateCard(t, "--tamper", "dg13")
	_, out, _ := kioskctl(t, context.Background(), nil, "card", "read", "--reader", "pn532:"+link, "--qr", testQR, "--csca", trust, "--json")
	if !strings.Contains(out, `"passiveAuth": "invalid"`) || !strings.Contains(out, "DG13") {
		t.Fatalf("tampered: %s", out)
	}
	link2, _, _ := simulateCard(t, "--remove-after-apdus", "15")
	code, out, errs := kioskctl(t, context.Background(), nil, "card", "read", "--reader", "pn532:"+link2, "--qr", testQR, "--json")
	if code != 1 || out != "" || !strings.Contains(errs, "rút") || !strings.Contains(errs, "card removed") {
		t.Fatalf("removed: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if strings.Contains(errs, "Huyền") || strings.Contains(errs, "001189012345") {
		t.Fatalf("stderr carries personal data: %q", errs)
	}
	if code, _, _ := kioskctl(t, context.Background(), nil, "card", "read", "--reader", "pn532:"+link2, "--qr", testQR, "--can", "012345"); code != 2 {
		t.Fatalf("two keys: exit %d, want 2", code)
	}
	if code, _, _ := kioskctl(t, context.Background(), nil, "card", "read", "--reader", "nfc:/dev/x", "--can", "012345"); code != 1 {
		t.Fatalf("bad reader: exit %d, want 1", code)
	}
}

// The clone of issue 14 (genuine files, DG15 hidden), a chip that proves nothing, and a tampered
// DG1 that still parses: each gives a verdict, never "not-supported" for the clone.
func TestCardCloneAndUnproven(t *testing.T) {
	link, trust, _ := simulateCard(t, "--hide", "dg15")
	code, out, errs := kioskctl(t, context.Background(), nil, "card", "read", "--reader", "pn532:"+link, "--qr", testQR, "--csca", trust, "--json")
	if code != 0 || !strings.Contains(out, `"passiveAuth": "invalid"`) || !strings.Contains(out, "DG15") ||
		!strings.Contains(out, "possibly cloned") || !strings.Contains(out, `"chipAuth": "failed"`) || !strings.Contains(out, `"chipProven": false`) {
		t.Fatalf("--hide dg15: exit %d %s %s", code, out, errs)
	}
	link, trust, _ = simulateCard(t, "--no-aa", "--no-ca")
	_, out, _ = kioskctl(t, context.Background(), nil, "card", "read", "--reader", "pn532:"+link, "--qr", testQR, "--csca", trust, "--json")
	if !strings.Contains(out, `"passiveAuth": "valid"`) || !strings.Contains(out, `"chipProven": false`) || !strings.Contains(out, "not proven genuine") {
		t.Fatalf("--no-aa --no-ca: %s", out)
	}
	link, trust, _ = simulateCard(t, "--tamper", "dg1")
	code, out, errs = kioskctl(t, context.Background(), nil, "card", "read", "--reader", "pn532:"+link, "--qr", testQR, "--csca", trust, "--json")
	if code != 0 || !strings.Contains(out, `"passiveAuth": "invalid"`) || !strings.Contains(out, "DG1 hash mismatch") {
		t.Fatalf("--tamper dg1: exit %d %s %s", code, out, errs)
	}
	if code, _, _ := kioskctl(t, context.Background(), nil, "card", "simulate", "--link", link, "--citizen", testCitizen, "--hide", "dg7"); code != 2 {
		t.Fatalf("--hide dg7: exit %d, want 2", code)
	}
}
