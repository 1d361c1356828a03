package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/outbox"
)

// Staff read dossier times in Vietnam time: 17:30 UTC is 00:30 the next day in Hà Nội, whatever
// the machine's own zone.
func TestStaffDossiersInVietnamTime(t *testing.T) {
	at := time.Date(2026, 12, 6, 17, 30, 0, 0, time.UTC)
	var buf bytes.Buffer
	if err := writeDossiers(&buf, []outbox.Entry{{ID: 7, ReceiptNo: "SIM-01-261207-0001", State: "accepted", CapturedAt: at}}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "00:30") || strings.Contains(out, "17:30") {
		t.Fatalf("dossier time not in Vietnam time:\n%s", out)
	}
	if _, off := at.In(vntime.Zone()).Zone(); off != 7*3600 {
		t.Fatalf("Asia/Ho_Chi_Minh offset %d s", off)
	}
}
