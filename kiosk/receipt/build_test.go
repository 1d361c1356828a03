package receipt

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/dossier"
)

// committedManifest is the manifest of a dossier as the outbox commits it: the bytes of
// Dossier.Manifest, which the outbox stores and every print parses back.
func committedManifest(t *testing.T) []byte {
	t.Helper()
	d := &dossier.Dossier{
		IdempotencyKey: "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
		KioskID:        "HN-OCD-02",
		ReceiptNo:      "HN-OCD-02-261124-0003",
		CapturedAt:     time.Date(2026, 11, 24, 2, 15, 7, 123456789, time.UTC), // 09:15 in Vietnam
		Procedure:      dossier.Procedure{Code: "1.001193", Name: "Đăng ký khai sinh"},
		Unit:           dossier.Unit{Code: "000.00.21.H26", Name: "Ủy ban nhân dân phường Ô Chợ Dừa"},
		Applicant: dossier.Applicant{IDNumber: "001189012345", FullName: "Nguyễn Thị Ngọc Huyền", DateOfBirth: "1989-03-14",
			Phone: "0912 345 678", Address: "Số 12, ngõ 34 phố Hoàng Cầu, phường Ô Chợ Dừa, thành phố Hà Nội"},
		Fields: map[string]string{"phone": "0912 345 678"},
		Attachments: []dossier.Attachment{
			{Type: "to-khai-khai-sinh", Name: "Tờ khai đăng ký khai sinh", Pages: 1},
			{Type: "giay-chung-sinh", Name: "Giấy chứng sinh", Pages: 1},
			{Type: "giay-to-tuy-than", Name: "Giấy tờ tùy thân của người đi đăng ký", Pages: 2},
		},
		Consent: dossier.Consent{Given: true, At: time.Date(2026, 11, 24, 2, 10, 0, 0, time.UTC), Text: "tramso-consent-v1"},
	}
	b, err := d.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// printBytes builds the receipt of the committed manifest as kioskd does (parse the stored bytes,
// look the procedure up in a catalogue, Build) and compiles it.
func printBytes(t *testing.T, manifest []byte, st Standing, k Kiosk, profile string) (*Receipt, []byte) {
	t.Helper()
	d, err := dossier.ParseManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	proc, err := catalog.Starter().Get(d.Procedure.Code)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(d, st, proc, k)
	if err != nil {
		t.Fatal(err)
	}
	p, err := escpos.LookupProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := escpos.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	job, err := escpos.Compile(Layout(r, p), p, fonts)
	if err != nil {
		t.Fatal(err)
	}
	return r, job.Data
}

// TestReprintMatchesFirstPrint: the first print and a reprint of the same committed dossier are the
// same bytes, byte for byte (there is no reprint marker), whatever the catalogue value, the kiosk's
// zone setting (unset or Vietnam) and the time of printing; once the official code is issued, the
// reprint differs only by that code and its lookup address.
func TestReprintMatchesFirstPrint(t *testing.T) {
	manifest := committedManifest(t)
	k := Kiosk{LookupURL: "https://dichvucong.hanoi.gov.vn/tra-cuu?ma={code}", Hotline: "1900 1234"}
	for _, profile := range []string{"generic-80", "generic-58", "epson-tm-t82"} {
		first, firstBytes := printBytes(t, manifest, Standing{}, k, profile)
		later := k
		later.Location = vntime.Zone()
		re, reBytes := printBytes(t, bytes.Clone(manifest), Standing{}, later, profile)
		if !bytes.Equal(firstBytes, reBytes) {
			t.Fatalf("%s: the reprint differs from the first print (%d and %d bytes)", profile, len(firstBytes), len(reBytes))
		}
		if !reflect.DeepEqual(first, re) {
			t.Fatalf("%s: receipts differ:\n%+v\n%+v", profile, first, re)
		}
		if !first.Provisional || first.DossierCode != "HN-OCD-02-261124-0003" {
			t.Fatalf("without an official code the receipt number is printed as provisional: %+v", first)
		}
		official, officialBytes := printBytes(t, manifest, Standing{Code: "000.00.21.H26-261124-0417"}, k, profile)
		if bytes.Equal(officialBytes, firstBytes) {
			t.Fatal("the official code changed nothing")
		}
		if official.Provisional || official.LookupURL != "https://dichvucong.hanoi.gov.vn/tra-cuu?ma=000.00.21.H26-261124-0417" {
			t.Fatalf("official reprint: %+v", official)
		}
		official.DossierCode, official.Provisional, official.LookupURL = first.DossierCode, first.Provisional, first.LookupURL
		if !reflect.DeepEqual(first, official) {
			t.Fatalf("the official reprint differs beyond the code:\n%+v\n%+v", first, official)
		}
	}
}

// TestBuildFromManifest: what the receipt says comes from the committed manifest and the catalogue.
func TestBuildFromManifest(t *testing.T) {
	r, _ := printBytes(t, committedManifest(t), Standing{}, Kiosk{}, "generic-80")
	want := time.Date(2026, 11, 24, 9, 15, 7, 123000000, vntime.Zone())
	if !r.ReceivedAt.Equal(want) || r.ReceivedAt.Location().String() != vntime.Zone().String() {
		t.Fatalf("received %v, want %v in Vietnam time", r.ReceivedAt, want)
	}
	if got := vnTime(r.ReceivedAt); got != "09 giờ 15 phút, ngày 24/11/2026" {
		t.Fatal(got)
	}
	if !r.AppointmentAt.Equal(time.Date(2026, 11, 24, 16, 30, 0, 0, vntime.Zone())) {
		t.Fatalf("same-day procedure: appointment %v", r.AppointmentAt)
	}
	if r.Unit != "Ủy ban nhân dân phường Ô Chợ Dừa" || r.KioskID != "HN-OCD-02" || r.Applicant.Phone != "0912 345 678" ||
		r.ProcessingTime != "Trong ngày làm việc" || r.ResultDelivery != ResultAtCounter {
		t.Fatalf("%+v", r)
	}
	if r.LookupURL != "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma=HN-OCD-02-261124-0003" {
		t.Fatalf("default lookup address: %s", r.LookupURL)
	}
	wantDocs := []Document{{Name: "Tờ khai đăng ký khai sinh", Originals: 1}, {Name: "Giấy chứng sinh", Originals: 1},
		{Name: "Giấy tờ tùy thân của người đi đăng ký", Copies: 1}}
	if !reflect.DeepEqual(r.Documents, wantDocs) {
		t.Fatalf("documents %+v", r.Documents)
	}
}

func TestBuildRefuses(t *testing.T) {
	if _, err := Build(nil, Standing{}, nil, Kiosk{}); !errors.Is(err, ErrNoDossier) {
		t.Fatalf("no dossier: %v", err)
	}
	d, err := dossier.ParseManifest(committedManifest(t))
	if err != nil {
		t.Fatal(err)
	}
	// A procedure the catalogue no longer has: no processing time, no appointment, still a receipt.
	r, err := Build(d, Standing{}, nil, Kiosk{})
	if err != nil || !r.AppointmentAt.IsZero() || r.ProcessingTime != "" || len(r.Documents) != 3 {
		t.Fatalf("%v %+v", err, r)
	}
	_, err = Build(d, Standing{Owed: &Owed{Amount: 0, VietQR: testVietQR}}, nil, Kiosk{})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "feeOwed" {
		t.Fatalf("a zero fee owed: %v", err)
	}
	d.Attachments = nil
	if _, err := Build(d, Standing{}, nil, Kiosk{}); !errors.Is(err, ErrInvalid) || errtext.Check(err) != nil {
		t.Fatalf("a dossier without documents: %v (%v)", err, errtext.Check(err))
	}
}

func TestAppointment(t *testing.T) {
	vn := vntime.Zone()
	for _, c := range []struct {
		received time.Time
		days     int
		want     time.Time
	}{
		{time.Date(2026, 11, 24, 9, 15, 0, 0, vn), 0, time.Date(2026, 11, 24, 16, 30, 0, 0, vn)}, // Tuesday morning
		{time.Date(2026, 11, 24, 17, 0, 0, 0, vn), 0, time.Date(2026, 11, 25, 15, 0, 0, 0, vn)},  // after 16:30
		{time.Date(2026, 11, 28, 9, 0, 0, 0, vn), 0, time.Date(2026, 11, 30, 15, 0, 0, 0, vn)},   // Saturday → Monday
		{time.Date(2026, 11, 27, 10, 0, 0, 0, vn), 3, time.Date(2026, 12, 2, 15, 0, 0, 0, vn)},   // Friday + 3 working days
		{time.Date(2026, 11, 24, 9, 0, 0, 0, vn), 7, time.Date(2026, 12, 3, 15, 0, 0, 0, vn)},    // 7 working days
	} {
		if got := Appointment(c.received, c.days); !got.Equal(c.want) {
			t.Errorf("Appointment(%v, %d) = %v, want %v", c.received, c.days, got, c.want)
		}
	}
}
