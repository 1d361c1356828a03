package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOutboxSalvage: a kiosk's database truncated and damaged is refused by every outbox command;
// `outbox salvage --out` exports what is readable without changing the store, and `outbox salvage`
// recovers it into a fresh, sealed store, keeping the damaged file and the receipt numbers.
func TestOutboxSalvage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	work := t.TempDir()
	url := startCentralDev(t, "--data", filepath.Join(work, "srv"))
	os.WriteFile(filepath.Join(work, "to-khai.pdf"), smallPDF(t, 1), 0o644)
	js := filepath.Join(work, "d.json")
	os.WriteFile(js, []byte(strings.Replace(testDossierJSON, "%s", "to-khai.pdf", 1)), 0o644)
	kd := filepath.Join(work, "kiosk")
	if code, out, errs := kioskctl(t, ctx, nil, "outbox", "drain", "--data", kd, "--central", url, "--until-empty", "--timeout", "30s"); code != 0 {
		t.Fatalf("enrolling drain: %d %s %s", code, out, errs)
	}
	for i := 0; i < 3; i++ {
		if code, _, errs := kioskctl(t, ctx, nil, "outbox", "add", "--data", kd, js); code != 0 {
			t.Fatal(errs)
		}
	}
	// Garbage over the database's last page: the rows on the first pages still read.
	db := filepath.Join(kd, "outbox.db")
	b, err := os.ReadFile(db)
	if err != nil || len(b) < 3*4096 {
		t.Fatalf("database %d bytes: %v", len(b), err)
	}
	for i := len(b) - 4096; i < len(b); i++ {
		b[i] = byte(i * 13)
	}
	os.WriteFile(db, b, 0o600)

	if code, _, errs := kioskctl(t, ctx, nil, "outbox", "list", "--data", kd); code != 1 || !strings.Contains(errs, "hỏng") || !strings.Contains(errs, "(") {
		t.Fatalf("list of a damaged store: %d %s", code, errs)
	}
	if code, _, errs := kioskctl(t, ctx, nil, "outbox", "salvage"); code != 2 || !strings.Contains(errs, "--data") {
		t.Fatalf("salvage without --data: %d %s", code, errs)
	}
	export := filepath.Join(work, "export")
	code, out, errs := kioskctl(t, ctx, nil, "outbox", "salvage", "--data", kd, "--out", export, "--json")
	var rep struct {
		Source    string `json:"source"`
		Rows      int    `json:"rows"`
		Recovered int    `json:"recovered"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Recovered == 0 || !strings.Contains(rep.Source, "damaged-") {
		t.Fatalf("salvage --out: %d %s %s", code, out, errs)
	}
	manifests, _ := filepath.Glob(filepath.Join(export, "*", "manifest.json"))
	if len(manifests) != rep.Recovered {
		t.Fatalf("%d manifests exported, %d recovered", len(manifests), rep.Recovered)
	}

	code, out, errs = kioskctl(t, ctx, nil, "outbox", "salvage", "--data", kd)
	if code != 0 || !strings.Contains(out, "đã phục hồi") || !strings.Contains(out, "recovered") {
		t.Fatalf("salvage: %d %s %s", code, out, errs)
	}
	if kept, _ := filepath.Glob(filepath.Join(kd, "outbox.db.damaged-*")); len(kept) == 0 {
		t.Fatal("the damaged database was not kept")
	}
	code, out, errs = kioskctl(t, ctx, nil, "outbox", "list", "--data", kd, "--json")
	var list []struct {
		ReceiptNo string `json:"receiptNo"`
		State     string `json:"state"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != rep.Recovered {
		t.Fatalf("list after salvage: %d %s %s", code, out, errs)
	}
	// A new dossier is numbered after the three issued before the damage, whatever was recovered.
	if code, out, errs = kioskctl(t, ctx, nil, "outbox", "add", "--data", kd, "--json", js); code != 0 || !strings.Contains(out, "-0004") {
		t.Fatalf("add after salvage: %d %s %s", code, out, errs)
	}
}
