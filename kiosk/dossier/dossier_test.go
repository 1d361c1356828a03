package dossier

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"golang.org/x/text/unicode/norm"
)

func sample() *Dossier {
	return &Dossier{
		IdempotencyKey: NewIdempotencyKey(),
		KioskID:        "HN-OCD-02",
		ReceiptNo:      "HN-OCD-02-251124-0001",
		CapturedAt:     time.Date(2025, 11, 24, 2, 15, 0, 123456789, time.UTC),
		Procedure:      Procedure{"1.001193", "Đăng ký khai sinh"},
		Unit:           Unit{"000.00.21.H26", "Ủy ban nhân dân phường Ô Chợ Dừa"},
		Applicant:      Applicant{IDNumber: "001189012345", FullName: "Nguyễn Văn An", DateOfBirth: "1989-03-02", PassiveAuth: wire.PassiveValid},
		Fields:         map[string]string{"z": "1", "a": "2"},
		Attachments: []Attachment{{Type: "to-khai", Name: "Tờ khai", Pages: 1, Size: 10,
			SHA256: strings.Repeat("ab", 32)}},
		Consent: Consent{Given: true, Text: "v1"},
	}
}

func TestManifestGolden(t *testing.T) {
	d := sample()
	d.IdempotencyKey = "8e03978e-40d5-43e8-bc93-6894a57f9324"
	d.Applicant.FullName = norm.NFD.String(d.Applicant.FullName) // typed decomposed: same bytes expected
	b, err := d.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/manifest.golden.json")
	if err != nil {
		if os.Getenv("UPDATE_GOLDEN") != "" {
			os.WriteFile("testdata/manifest.golden.json", b, 0o644)
			return
		}
		t.Fatal(err)
	}
	if string(b) != strings.TrimRight(string(want), "\n") {
		t.Fatalf("manifest changed:\n got %s\nwant %s", b, want)
	}
	again, _ := d.Manifest()
	if string(again) != string(b) {
		t.Fatal("manifest not deterministic")
	}
	back, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	round, _ := back.Manifest()
	if string(round) != string(b) {
		t.Fatalf("round trip changed the manifest:\n%s\n%s", round, b)
	}
}

func TestSignVerify(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	m, _ := sample().Manifest()
	sig, err := Sign(key, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(&key.PublicKey, m, sig); err != nil {
		t.Fatal(err)
	}
	tampered := []byte(strings.Replace(string(m), "001189012345", "001189012346", 1))
	if err := Verify(&key.PublicKey, tampered, sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered manifest: %v", err)
	}
	if err := Verify(&other.PublicKey, m, sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("other key: %v", err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := Sign(p384, m); err == nil {
		t.Fatal("P-384 key accepted")
	}
}

func TestValidate(t *testing.T) {
	req := []Requirement{{Type: "to-khai"}, {Type: "giay-chung-sinh", Name: "Giấy chứng sinh"}, {Type: "ket-hon", Optional: true}}
	d := sample()
	err := d.Validate(req)
	var ve *ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) || len(ve.Missing) != 1 || ve.Missing[0].Type != "giay-chung-sinh" || len(ve.Problems) != 0 {
		t.Fatalf("missing document not reported: %v", err)
	}
	d.Attachments = append(d.Attachments, Attachment{Type: "giay-chung-sinh", Name: "x", Pages: 2, Size: 5, SHA256: strings.Repeat("cd", 32)})
	if err := d.Validate(req); err != nil {
		t.Fatal(err)
	}
	bad := sample()
	bad.Unit.Code = "H26"
	bad.Applicant.IDNumber = "12345"
	bad.Applicant.DateOfBirth = "02/03/1989"
	err = bad.Validate(nil)
	if !errors.As(err, &ve) || len(ve.Problems) != 3 {
		t.Fatalf("want 3 problems, got %v", err)
	}
	for _, secret := range []string{"12345", "02/03/1989", "Nguyễn"} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error message contains personal data %q: %v", secret, err)
		}
	}
}

func TestMismatchMark(t *testing.T) {
	d := sample()
	d.Attachments[0].Mismatch = &Mismatch{Code: MismatchPaper, LooksLike: "giay-chung-sinh", Page: 1}
	if err := d.Validate(nil); err != nil {
		t.Fatal(err)
	}
	m, _ := d.Manifest()
	if !strings.Contains(string(m), `"mismatch":{"code":"paper_mismatch","looksLike":"giay-chung-sinh","page":1}`) {
		t.Fatalf("mark not in the manifest: %s", m)
	}
	back, err := ParseManifest(m)
	if err != nil || back.Attachments[0].Mismatch == nil || *back.Attachments[0].Mismatch != *d.Attachments[0].Mismatch {
		t.Fatalf("mark lost on the way back: %v", err)
	}
	if m, _ := sample().Manifest(); strings.Contains(string(m), "mismatch") {
		t.Fatalf("a paper that matched is marked: %s", m)
	}
	for _, bad := range []Mismatch{{Code: "odd"}, {Code: MismatchPaper}, {Code: MismatchPaper, LooksLike: "Giấy"}, {Code: MismatchBlank, Page: 2}, {Code: MismatchUpsideDown, Page: -1}} {
		d := sample()
		d.Attachments[0].Mismatch = &bad
		if err := d.Validate(nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestCode(t *testing.T) {
	c, err := ParseCode("000.00.21.H26-251124-0417")
	if err != nil || c.Agency != "000.00.21.H26" || c.Sequence != 417 || c.Date.Format("2006-01-02") != "2025-11-24" {
		t.Fatalf("%+v %v", c, err)
	}
	if c.String() != "000.00.21.H26-251124-0417" {
		t.Fatal(c.String())
	}
	for _, bad := range []string{"000.00.21.H26-251124-0000", "000.00.21.H26-251324-0001", "00.00.21.H26-251124-0001", "000.00.21.H26-251124-417", ""} {
		if _, err := ParseCode(bad); !errors.Is(err, ErrBadCode) {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := NewCode("000.00.21.H26", time.Now(), 10000); !errors.Is(err, ErrBadCode) {
		t.Error("sequence 10000 accepted")
	}
	nc, _ := NewCode("000.00.17.H26", time.Date(2026, 1, 2, 23, 0, 0, 0, time.UTC), 7)
	if nc.String() != "000.00.17.H26-260102-0007" {
		t.Error(nc.String())
	}
}

func TestIdempotencyKey(t *testing.T) {
	a, b := NewIdempotencyKey(), NewIdempotencyKey()
	if a == b || len(a) != 36 || a[14] != '4' {
		t.Fatalf("%s %s", a, b)
	}
}

func TestPDFPages(t *testing.T) {
	pdf := []byte("%PDF-1.7\n1 0 obj <</Type /Pages /Count 2>> endobj 2 0 obj <</Type /Page>> endobj 3 0 obj <</Type/Page/Parent 1 0 R>> endobj")
	n, err := PDFPages(pdf)
	if err != nil || n != 2 {
		t.Fatalf("%d %v", n, err)
	}
	if _, err := PDFPages([]byte("GIF89a")); !errors.Is(err, ErrNotPDF) {
		t.Fatal(err)
	}
	for in, want := range map[string]int{
		// The root's /Count, whatever the order of the keys and the intermediate nodes.
		"%PDF-1.7\n1 0 obj <</Count 12 /Kids [2 0 R 3 0 R] /Type /Pages>> endobj 2 0 obj <</Type /Pages /Parent 1 0 R /Count 10>> endobj": 12,
		// "/Type /Page" in a page's text is not a page; the tree says 1.
		"%PDF-1.7\n1 0 obj <</Type /Pages /Count 1>> endobj stream (/Type /Page /Type /Page) endstream": 1,
		// Everything in object streams: not known, not guessed.
		"%PDF-1.7\n5 0 obj <</Type /ObjStm /N 3 /Filter /FlateDecode>> stream xx endstream": 0,
		// A /Count of another dictionary is not the page tree's.
		"%PDF-1.7\n1 0 obj <</Type /Outlines /Count 40>> endobj 2 0 obj <</Type /Page>> endobj": 1,
	} {
		if n, err := PDFPages([]byte(in)); err != nil || n != want {
			t.Errorf("%q: %d pages (%v), want %d", in, n, err, want)
		}
	}
}

func TestDecodeInput(t *testing.T) {
	b, _ := os.ReadFile("testdata/input.json")
	in, err := DecodeInput(b)
	if err != nil {
		t.Fatal(err)
	}
	if in.Procedure.Code != "1.001193" || len(in.Attachments) != 1 || in.Attachments[0].Path != "to-khai.pdf" || in.Applicant.IDNumber != "001189012345" {
		t.Fatalf("%+v", in)
	}
	for _, bad := range []string{`{}`, `{"attachments":[{"type":"x"}]}`, `[]`, `{"attachments":[{"type":"x","path":"a"}]} {}`} {
		if _, err := DecodeInput([]byte(bad)); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func FuzzDecodeInput(f *testing.F) {
	b, _ := os.ReadFile("testdata/input.json")
	f.Add(b)
	f.Add([]byte(`{"attachments":[{"type":"x","path":"a"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := DecodeInput(b)
		if err == nil && len(in.Attachments) == 0 {
			t.Fatal("accepted without attachments")
		}
	})
}

func FuzzParseCode(f *testing.F) {
	f.Add("000.00.21.H26-251124-0417")
	f.Add("000.00.21.H26-991231-9999")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err == nil && c.String() != s {
			t.Fatalf("%q → %q", s, c.String())
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	m, _ := sample().Manifest()
	f.Add(m)
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseManifest(b)
		if err != nil {
			return
		}
		if _, err := d.Manifest(); err != nil {
			t.Fatal(err)
		}
		_ = d.Validate(nil)
	})
}

func FuzzPDFPages(f *testing.F) {
	f.Add([]byte("%PDF-1.4 <</Type /Page>>"))
	f.Add([]byte("%PDF-1.7 <</Type /Pages /Count 3>> <</Count 9999999 /Type /Pages>>"))
	f.Add([]byte("junk"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := PDFPages(b)
		if err == nil && n < 0 {
			t.Fatal("negative pages")
		}
	})
}

// Dates reach the manifest in one format, YYYY-MM-DD, however they were typed: the applicant's
// date of birth and every form field of kind date.
func TestManifestDatesOneFormat(t *testing.T) {
	d := sample()
	d.Applicant.DateOfBirth = "02/03/1989"
	d.Fields = map[string]string{"childDateOfBirth": " 05/03/2020 ", "issued": "2021-08-15", "note": "05/03/2020", "optionalDate": ""}
	d.DateFields = []string{"childDateOfBirth", "issued", "optionalDate"}
	b, err := d.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	m := string(b)
	for _, want := range []string{`"dateOfBirth":"1989-03-02"`, `"childDateOfBirth":"2020-03-05"`, `"issued":"2021-08-15"`,
		`"note":"05/03/2020"` /* text, not a date field: as typed */, `"optionalDate":""`} {
		if !strings.Contains(m, want) {
			t.Errorf("manifest lacks %s:\n%s", want, m)
		}
	}
	if strings.Contains(m, "DateFields") || strings.Contains(m, "dateFields") {
		t.Errorf("the list of date fields leaked into the manifest: %s", m)
	}
	if err := d.Validate(nil); err != nil {
		t.Fatalf("normalised dossier invalid: %v", err)
	}
}

// A date field that is not a date is refused, worded, naming the field and not its value.
func TestManifestRefusesBadDate(t *testing.T) {
	for _, bad := range []string{"31/02/2020", "5/3/2020", "2020-13-01", "mùng 5 tháng 3", "05-03-2020"} {
		d := sample()
		d.Fields = map[string]string{"childDateOfBirth": bad}
		d.DateFields = []string{"childDateOfBirth"}
		_, err := d.Manifest()
		if !errors.Is(err, ErrBadDate) {
			t.Fatalf("%q: manifest made: %v", bad, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "ngày không hợp lệ") || !strings.Contains(msg, "childDateOfBirth") || strings.Contains(msg, bad) {
			t.Errorf("%q: error %q", bad, msg)
		}
		// Validate words the problem for people in Problems; the error reads as one sentence
		// with the problem in English.
		verr := d.Validate(nil)
		var ve *ValidationError
		if !errors.Is(verr, ErrInvalid) || !errors.As(verr, &ve) || len(ve.Problems) != 1 ||
			!strings.Contains(ve.Problems[0], "trường childDateOfBirth: ngày không hợp lệ") ||
			!strings.Contains(verr.Error(), "field childDateOfBirth: not a date") || strings.Contains(verr.Error(), bad) {
			t.Errorf("%q: validate %v", bad, verr)
		}
	}
	d := sample()
	d.Applicant.DateOfBirth = "30/02/1989"
	var ve *ValidationError
	if err := d.Validate(nil); !errors.As(err, &ve) || len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0], "ngày sinh không đúng dạng") {
		t.Errorf("impossible date of birth: %v", err)
	}
}

func FuzzManifestDate(f *testing.F) {
	for _, s := range []string{"", "05/03/2020", "2020-03-05", " 29/02/2024 ", "31/02/2020", "5/3/2020", "2020-13-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ManifestDate(s)
		if err != nil {
			if !errors.Is(err, ErrBadDate) || v != "" {
				t.Fatalf("%q: %q %v", s, v, err)
			}
			return
		}
		if again, err := ManifestDate(v); err != nil || again != v { // YYYY-MM-DD is a fixed point
			t.Fatalf("%q → %q → %q %v", s, v, again, err)
		}
		if v != "" && (len(v) != 10 || v[4] != '-' || v[7] != '-') {
			t.Fatalf("%q → %q: not YYYY-MM-DD", s, v)
		}
	})
}
