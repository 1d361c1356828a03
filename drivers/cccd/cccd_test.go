package cccd

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/tlv"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sampleCitizen(t testing.TB) Citizen {
	t.Helper()
	c, err := LoadCitizen("testdata/citizen.json")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoadCitizen(t *testing.T) {
	c := sampleCitizen(t)
	if c.FullName != "Nguyễn Thị Ngọc Huyền" || c.Sex != SexFemale || c.SpouseName != "" || c.Photo != "face.jpg" {
		t.Fatalf("%+v", c)
	}
	photo, err := LoadPhoto("testdata/citizen.json", c)
	if err != nil || lds.ImageMIME(photo) != lds.MIMEJPEG {
		t.Fatal(err)
	}
	if w := c.Warnings(); len(w) != 0 {
		t.Fatalf("warnings on a consistent record: %v", w)
	}
	// JSON keys exactly as the contract says.
	b, _ := json.Marshal(c)
	for _, k := range []string{"idNumber", "oldIdNumber", "fullName", "dateOfBirth", "sex", "nationality", "ethnicity",
		"religion", "placeOfOrigin", "placeOfResidence", "identifyingMarks", "issueDate", "expiryDate",
		"fatherName", "motherName", "spouseName", "photo"} {
		if !bytes.Contains(b, []byte(`"`+k+`":`)) {
			t.Errorf("key %s missing", k)
		}
	}
}

func TestCitizenValidateNamesField(t *testing.T) {
	base := sampleCitizen(t)
	nfd := "Nguye\u0302\u0303n" // decomposed
	cases := []struct {
		field string
		mod   func(*Citizen)
	}{
		{"idNumber", func(c *Citizen) { c.IDNumber = "00118901234" }},
		{"idNumber", func(c *Citizen) { c.IDNumber = "00118901234a" }},
		{"oldIdNumber", func(c *Citizen) { c.OldIDNumber = "1234" }},
		{"fullName", func(c *Citizen) { c.FullName = "" }},
		{"fullName", func(c *Citizen) { c.FullName = nfd }},
		{"dateOfBirth", func(c *Citizen) { c.DateOfBirth = "1989-02-30" }},
		{"dateOfBirth", func(c *Citizen) { c.DateOfBirth = "02/03/1989" }},
		{"sex", func(c *Citizen) { c.Sex = "F" }},
		{"issueDate", func(c *Citizen) { c.IssueDate = "1980-01-01" }},
		{"expiryDate", func(c *Citizen) { c.ExpiryDate = "2029-13-02" }},
		{"expiryDate", func(c *Citizen) { c.ExpiryDate = "2020-01-01" }},
		{"placeOfResidence", func(c *Citizen) { c.PlaceOfResidence = "Ha\u0300 Nội" }},
	}
	for _, tc := range cases {
		c := base
		tc.mod(&c)
		err := c.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, ErrInvalidField) {
			t.Errorf("%s: got %v", tc.field, err)
			continue
		}
		// messages name the field in Vietnamese and English, never the value
		if !strings.Contains(err.Error(), "("+tc.field+")") || strings.Contains(err.Error(), "1989") {
			t.Errorf("message %q", err)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "c.json")
	os.WriteFile(p, []byte(`{"idNumber":"001189012345","fullname":"x"}`), 0o644)
	if _, err := LoadCitizen(p); err == nil {
		t.Fatal("unknown key accepted")
	}
}

func TestExpiryDate(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	cases := []struct{ dob, issue, want string }{
		{"1989-03-02", "2021-08-15", "2029-03-02"}, // 32 → 40
		{"2003-05-20", "2021-06-01", "2028-05-20"}, // 18 → 25
		{"2003-05-20", "2026-05-20", "2043-05-20"}, // exactly 2 years before 25 → 40
		{"2003-05-20", "2026-05-19", "2028-05-20"}, // a day earlier → 25
		{"1985-01-10", "2024-06-01", "2045-01-10"}, // 39 (within 2 years of 40) → 60
		{"1960-07-01", "2021-03-01", ""},           // 60+ → no expiry
		{"1965-07-01", "2023-07-01", ""},           // 58 → within 2 years of 60 → no expiry
		{"1965-07-01", "2023-06-30", "2025-07-01"}, // just under 58 → 60
	}
	for _, c := range cases {
		exp, none := ExpiryDate(d(c.dob), d(c.issue))
		got := ""
		if !none {
			got = exp.Format(time.DateOnly)
		}
		if got != c.want {
			t.Errorf("dob %s issue %s: %q, want %q", c.dob, c.issue, got, c.want)
		}
	}
}

// realDG13 is the illustrative DG13 of idcard.md §3.4: fields 1, 2, 3, 4, 5 and 13.
const realDG13 = "6D818D30818A020101060628D316010008317D" +
	"30110201010C0C303031323033303132333435" +
	"30140201020C0F4E677579E1BB856E2056C4836E2041" +
	"300F0201030C0A32302F30352F32303033" +
	"30080201040C034E616D" +
	"300F0201050C0A5669E1BB8774204E616D" +
	"302602010D30210C0F4E677579E1BB856E2056C4836E20420C0E5472E1BAA76E205468E1BB8B2043"

func TestParseDG13Reference(t *testing.T) {
	b, _ := hex.DecodeString(realDG13)
	d, err := ParseDG13(b)
	if err != nil {
		t.Fatal(err)
	}
	want := Citizen{IDNumber: "001203012345", FullName: "Nguyễn Văn A", DateOfBirth: "2003-05-20", Sex: "Nam",
		Nationality: "Việt Nam", FatherName: "Nguyễn Văn B", MotherName: "Trần Thị C"}
	if d.Citizen != want || len(d.Extra) != 0 {
		t.Fatalf("got %+v %v", d.Citizen, d.Extra)
	}
}

// dg13Fields encodes the given SEQUENCE { INTEGER n, value } entries in the given order.
func dg13Fields(entries ...[]byte) []byte {
	var set []byte
	for _, e := range entries {
		set = append(set, e...)
	}
	seq := append([]byte{0x02, 0x01, 0x01, 0x06, 0x06, 0x28, 0xD3, 0x16, 0x01, 0x00, 0x08}, enc(0x31, set)...)
	return enc(0x6D, enc(0x30, seq))
}

func enc(tag byte, v []byte) []byte {
	var l []byte
	switch {
	case len(v) < 0x80:
		l = []byte{byte(len(v))}
	case len(v) < 0x100:
		l = []byte{0x81, byte(len(v))}
	default:
		l = []byte{0x82, byte(len(v) >> 8), byte(len(v))}
	}
	return append(append([]byte{tag}, l...), v...)
}

func field(n byte, v []byte) []byte { return enc(0x30, append([]byte{0x02, 0x01, n}, v...)) }
func str(s string) []byte           { return enc(0x0C, []byte(s)) }

func TestParseDG13ByNumber(t *testing.T) {
	// Shuffled order, spouse and old ID present, field 16 and an unknown field 20, and a
	// decomposed (NFD) name that must come back NFC.
	b := dg13Fields(
		field(16, str("A1B2C3D4E5F60718")),
		field(12, str("02/03/2029")),
		field(14, enc(0x30, str("Lê Văn Tâm"))),
		field(2, str("Nguye\u0302\u0303n Thị Ngọc Huyền")),
		field(20, []byte{0x02, 0x01, 0x07}),
		field(4, str("Nữ")),
		field(1, str("001189012345")),
		field(3, str("02/03/1989")),
		field(11, str("15/08/2021")),
		field(15, str("012345678")),
		field(13, enc(0x30, append(str("Nguyễn Văn Hùng"), str("")...))),
	)
	d, err := ParseDG13(b)
	if err != nil {
		t.Fatal(err)
	}
	c := d.Citizen
	if c.FullName != "Nguyễn Thị Ngọc Huyền" || c.DateOfBirth != "1989-03-02" || c.ExpiryDate != "2029-03-02" ||
		c.IssueDate != "2021-08-15" || c.SpouseName != "Lê Văn Tâm" || c.OldIDNumber != "012345678" ||
		c.FatherName != "Nguyễn Văn Hùng" || c.MotherName != "" || c.Sex != SexFemale || c.Ethnicity != "" {
		t.Fatalf("%+v", c)
	}
	if len(d.Extra) != 2 || d.Extra[0].Number != 16 || d.Extra[0].String() != "A1B2C3D4E5F60718" || d.Extra[1].Number != 20 {
		t.Fatalf("extra %+v", d.Extra)
	}
	// Minimal: only the ID; everything else absent.
	d, err = ParseDG13(dg13Fields(field(1, str("001189012345"))))
	if err != nil || d.Citizen != (Citizen{IDNumber: "001189012345"}) {
		t.Fatalf("%v %+v", err, d.Citizen)
	}
	// No expiry.
	d, err = ParseDG13(dg13Fields(field(12, str("Không thời hạn"))))
	if err != nil || d.Citizen.ExpiryDate != "" {
		t.Fatalf("%v %+v", err, d.Citizen)
	}
}

func TestParseDG13Errors(t *testing.T) {
	cases := map[string][]byte{
		"dateOfBirth": dg13Fields(field(3, str("31/02/1990"))),
		"fullName":    dg13Fields(field(2, enc(0x0C, []byte{0xC3, 0x28}))),
		"sex":         dg13Fields(field(4, []byte{0x02, 0x01, 0x01})),
	}
	for name, b := range cases {
		_, err := ParseDG13(b)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != name {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, b := range map[string][]byte{
		"duplicate": dg13Fields(field(1, str("1")), field(1, str("2"))),
		"wrong tag": append([]byte{0x6C}, dg13Fields()[1:]...),
		"no set":    enc(0x6D, enc(0x30, []byte{0x02, 0x01, 0x01})),
		"truncated": dg13Fields(field(1, str("001189012345")))[:20],
		"parents":   dg13Fields(field(13, str("x"))),
	} {
		if _, err := ParseDG13(b); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestBuildDG13Golden(t *testing.T) {
	c := sampleCitizen(t)
	b, err := BuildDG13(c)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "dg13.hex")
	if *update {
		os.WriteFile(golden, []byte(strings.ToUpper(hex.EncodeToString(b))+"\n"), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ToUpper(hex.EncodeToString(b)); got != strings.TrimSpace(string(want)) {
		t.Fatalf("DG13 differs from %s:\n%s", golden, got)
	}
	// Structure as on the card: version 1, the OID, fields in number order, no spouse field.
	if !bytes.Contains(b, []byte{0x02, 0x01, 0x01, 0x06, 0x06, 0x28, 0xD3, 0x16, 0x01, 0x00, 0x08, 0x31}) {
		t.Fatal("header")
	}
	if bytes.Contains(b, []byte{0x02, 0x01, 0x0E}) {
		t.Fatal("spouse field present for an unmarried citizen")
	}
	d, err := ParseDG13(b)
	if err != nil {
		t.Fatal(err)
	}
	want2 := c
	want2.Photo = ""
	if d.Citizen != want2 {
		t.Fatalf("round trip\n got %+v\nwant %+v", d.Citizen, want2)
	}
	// Extra fields survive a rebuild.
	d.Extra = []DG13Field{{Number: 16, Value: str("0011223344556677")}}
	b2, _ := d.Bytes()
	d2, err := ParseDG13(b2)
	if err != nil || len(d2.Extra) != 1 || d2.Extra[0].String() != "0011223344556677" {
		t.Fatalf("%v %+v", err, d2.Extra)
	}
}

func TestParseQR(t *testing.T) {
	q, err := ParseQR("001189012345|012345678|Nguyễn Thị Ngọc Huyền|02031989|Nữ|Số 12 Hàng Bạc, Hoàn Kiếm, Hà Nội|15082021\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if q.IDNumber != "001189012345" || q.DateOfBirth != "1989-03-02" || q.IssueDate != "2021-08-15" || q.CAN != "012345" ||
		q.OldIDNumber != "012345678" || len(q.Warnings) != 0 {
		t.Fatalf("%+v", q)
	}
	k, err := q.BACKey()
	if err != nil {
		t.Fatal(err)
	}
	if k.DocumentNumber != "189012345" || k.DateOfBirth != "890302" || k.DateOfExpiry != "290302" {
		t.Fatalf("%+v", k)
	}
	// The BAC key equals what the chip's own MRZ gives.
	mrz, _ := MRZFor(sampleCitizen(t))
	m, _ := lds.ParseMRZ(mrz)
	if k.MRZInformation() != m.MRZInformation() {
		t.Fatalf("BAC %s vs MRZ %s", k.MRZInformation(), m.MRZInformation())
	}
	b, _ := json.Marshal(q)
	if string(b) != `{"idNumber":"001189012345","oldIdNumber":"012345678","fullName":"Nguyễn Thị Ngọc Huyền","dateOfBirth":"1989-03-02","sex":"Nữ","address":"Số 12 Hàng Bạc, Hoàn Kiếm, Hà Nội","issueDate":"2021-08-15","can":"012345","warnings":[]}` {
		t.Fatalf("JSON %s", b)
	}
	// Empty old ID, and the example from idcard.md §5.1.
	q, err = ParseQR("001090123456|012345678|NGUYEN VAN A|01011990|Nam|Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|15042021")
	if err != nil || q.DateOfBirth != "1990-01-01" || len(q.Warnings) != 0 {
		t.Fatalf("%v %+v", err, q)
	}
	q, err = ParseQR("001203012345||Nguyễn Văn A|20052003|Nam|Hà Nội|01062021")
	if err != nil || q.OldIDNumber != "" {
		t.Fatalf("%v %+v", err, q)
	}
	// Century/sex digit inconsistent: warnings, not errors.
	q, err = ParseQR("001389012345||Nguyễn Văn A|02031989|Nam|Hà Nội|15082021")
	if err != nil || len(q.Warnings) != 2 {
		t.Fatalf("%v %v", err, q.Warnings)
	}
	// Year-only date of birth: accepted with a warning; no BAC key.
	q, err = ParseQR("001189012345||Nguyễn Thị A|1989|Nữ|Hà Nội|15082021")
	if err != nil || q.DateOfBirth != "1989" || len(q.Warnings) != 1 {
		t.Fatalf("%v %+v", err, q)
	}
	if _, err := q.BACKey(); err == nil {
		t.Fatal("BAC key from a year-only DOB")
	}
}

func TestParseQRErrorsNameField(t *testing.T) {
	good := []string{"001189012345", "012345678", "Nguyễn Thị Ngọc Huyền", "02031989", "Nữ", "Hà Nội", "15082021"}
	cases := []struct {
		i     int
		v     string
		field string
	}{
		{0, "00118901234", "idNumber"},
		{0, "0011890123456", "idNumber"},
		{1, "12345", "oldIdNumber"},
		{1, "01234567x", "oldIdNumber"},
		{2, "", "fullName"},
		{3, "30021989", "dateOfBirth"},
		{3, "1989-03-02", "dateOfBirth"},
		{4, "Nu", "sex"},
		{4, "M", "sex"},
		{5, " ", "address"},
		{6, "32082021", "issueDate"},
		{6, "15081980", "issueDate"},
	}
	for _, c := range cases {
		f := append([]string(nil), good...)
		f[c.i] = c.v
		_, err := ParseQR(strings.Join(f, "|"))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("field %d=%q: got %v, want error on %s", c.i, c.v, err, c.field)
			continue
		}
		if !strings.Contains(err.Error(), "("+c.field+")") || !strings.Contains(err.Error(), fieldLabels[c.field]) {
			t.Errorf("message %q does not name the field", err)
		}
	}
}

func TestParseQRVariants(t *testing.T) {
	for _, p := range []string{
		"",
		"https://dichvucong.gov.vn/p/home",
		"001189012345|Nguyễn Thị A",
		"001189012345|012345678|Nguyễn Thị A|02031989|Nữ|Hà Nội|15082021|02032029|extra",
		"NGUYEN THI A|001189012345|02031989|Nữ|Hà Nội|15082021|x",
	} {
		if _, err := ParseQR(p); !errors.Is(err, ErrUnknownQRVariant) {
			t.Errorf("%q: %v", p, err)
		}
	}
	// Trailing separators are tolerated; a missing old-ID field too.
	if _, err := ParseQR("001189012345|012345678|Nguyễn Thị A|02031989|Nữ|Hà Nội|15082021||"); err != nil {
		t.Error(err)
	}
	if q, err := ParseQR("001189012345|Nguyễn Thị A|02031989|Nữ|Hà Nội|15082021"); err != nil || q.FullName != "Nguyễn Thị A" {
		t.Error(err)
	}
}

func testPKI(t testing.TB) *TestPKI {
	t.Helper()
	p, err := NewTestPKI("")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func dgsOf(ch *Chip) map[int][]byte {
	m := map[int][]byte{}
	for n := 1; n <= 16; n++ {
		if b, ok := ch.Files[lds.DGFileID(n)]; ok {
			m[n] = b
		}
	}
	return m
}

func TestChipRoundTripAndPassiveAuth(t *testing.T) {
	c := sampleCitizen(t)
	photo, _ := LoadPhoto("testdata/citizen.json", c)
	pki := testPKI(t)
	ch, err := BuildChip(c, photo, pki, ChipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, fid := range []uint16{FileCOM, FileDG1, FileDG2, FileDG13, FileDG14, FileDG15, FileSOD} {
		if len(ch.Files[fid]) == 0 {
			t.Fatalf("file %04X missing", fid)
		}
	}
	if ch.CAN != "012345" || !strings.HasPrefix(ch.MRZ, "IDVNM1890123453001189012345<<4\n") {
		t.Fatalf("CAN %s MRZ %s", ch.CAN, ch.MRZ)
	}
	com, err := lds.ParseCOM(ch.Files[FileCOM])
	if err != nil || len(com.DataGroups()) != 5 {
		t.Fatalf("%v %v", err, com)
	}
	got, mrz, gotPhoto, err := FromChip(ch.Files[FileDG1], ch.Files[FileDG2], ch.Files[FileDG13])
	if err != nil {
		t.Fatal(err)
	}
	want := c
	want.Photo = ""
	if got != want {
		t.Fatalf("round trip\n got %+v\nwant %+v", got, want)
	}
	if !bytes.Equal(gotPhoto, photo) || mrz.DocumentNumber != "189012345" || mrz.PrimaryIdentifier != "NGUYEN" ||
		mrz.SecondaryIdentifier != "THI NGOC HUYEN" || mrz.DateOfExpiry != "290302" {
		t.Fatalf("photo %v mrz %+v", bytes.Equal(gotPhoto, photo), mrz)
	}

	trust := pki.TrustStore()
	if r := lds.VerifySOD(ch.Files[FileSOD], dgsOf(ch), trust); r.Status != lds.StatusValid || len(r.Checked) != 5 {
		t.Fatalf("valid: %v", r)
	}
	if r := lds.VerifySOD(ch.Files[FileSOD], dgsOf(ch), nil); r.Status != lds.StatusUnverified {
		t.Fatalf("no CSCA: %v", r)
	}
	other := testPKI(t)
	if r := lds.VerifySOD(ch.Files[FileSOD], dgsOf(ch), other.TrustStore()); r.Status != lds.StatusInvalid ||
		!strings.Contains(r.Detail, "does not chain to a trusted CSCA") {
		t.Fatalf("wrong DS: %v", r)
	}
	s, _ := lds.ParseSOD(ch.Files[FileSOD])
	badSig := bytes.Replace(ch.Files[FileSOD], s.Signature, flip(s.Signature), 1)
	if r := lds.VerifySOD(badSig, dgsOf(ch), trust); r.Status != lds.StatusInvalid || !strings.Contains(r.Detail, "signature") {
		t.Fatalf("tampered signature: %v", r)
	}

	// --tamper dg13: the chip still parses, passive authentication names DG13.
	tch, err := BuildChip(c, photo, pki, ChipOptions{Tamper: []int{13}})
	if err != nil {
		t.Fatal(err)
	}
	if r := lds.VerifySOD(tch.Files[FileSOD], dgsOf(tch), trust); r.Status != lds.StatusInvalid || !strings.Contains(r.Detail, "DG13 hash mismatch") {
		t.Fatalf("tampered DG13: %v", r)
	}
	if _, _, _, err := FromChip(tch.Files[FileDG1], nil, tch.Files[FileDG13]); err != nil {
		t.Fatalf("tampered DG13 no longer parses: %v", err)
	}
}

func flip(b []byte) []byte {
	c := append([]byte(nil), b...)
	c[len(c)-1] ^= 1
	return c
}

func TestChipActiveAuthentication(t *testing.T) {
	c := sampleCitizen(t)
	photo, _ := LoadPhoto("testdata/citizen.json", c)
	pki := testPKI(t)
	challenge := []byte{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}
	for _, opts := range []ChipOptions{{}, {AARSA: true, NoDG14: true}} {
		ch, err := BuildChip(c, photo, pki, opts)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := lds.ParseDG15(ch.Files[FileDG15])
		if err != nil {
			t.Fatal(err)
		}
		switch pub.(type) {
		case *rsa.PublicKey:
			if !opts.AARSA {
				t.Fatal("RSA key without AARSA")
			}
		case *ecdsa.PublicKey:
			dg14, err := lds.ParseDG14(ch.Files[FileDG14])
			if err != nil || len(dg14.ActiveAuthentication) != 1 || len(dg14.ChipAuthenticationPublicKeys) != 1 {
				t.Fatalf("DG14 %v %+v", err, dg14)
			}
		}
		if opts.NoDG14 && ch.Files[FileDG14] != nil {
			t.Fatal("DG14 present with NoDG14")
		}
		sig, err := lds.SignAA(ch.AAKey, challenge)
		if err != nil {
			t.Fatal(err)
		}
		if err := lds.VerifyAA(pub, challenge, sig); err != nil {
			t.Fatalf("%T: %v", pub, err)
		}
		if lds.VerifyAA(pub, flip(challenge), sig) == nil {
			t.Fatal("AA verified for another challenge")
		}
		if r := lds.VerifySOD(ch.Files[FileSOD], dgsOf(ch), pki.TrustStore()); r.Status != lds.StatusValid {
			t.Fatal(r)
		}
	}
}

func TestNoExpiryCard(t *testing.T) {
	c := sampleCitizen(t)
	c.IDNumber, c.DateOfBirth, c.IssueDate, c.ExpiryDate, c.Sex = "001060012345", "1960-07-01", "2021-03-01", "", SexMale
	photo, _ := LoadPhoto("testdata/citizen.json", c)
	ch, err := BuildChip(c, photo, testPKI(t), ChipOptions{NoDG14: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ch.MRZ, "M<<<<<<0VNM") {
		t.Fatalf("MRZ %q", ch.MRZ)
	}
	if !bytes.Contains(ch.Files[FileDG13], []byte(NoExpiry)) {
		t.Fatal("DG13 lacks Không thời hạn")
	}
	got, mrz, _, err := FromChip(ch.Files[FileDG1], nil, ch.Files[FileDG13])
	if err != nil || got.ExpiryDate != "" || mrz.HasExpiry() {
		t.Fatalf("%v %+v", err, got)
	}
	if len(c.Warnings()) != 0 {
		t.Fatal(c.Warnings())
	}
}

func TestFromChipMismatch(t *testing.T) {
	c := sampleCitizen(t)
	photo, _ := LoadPhoto("testdata/citizen.json", c)
	pki := testPKI(t)
	a, _ := BuildChip(c, photo, pki, ChipOptions{NoDG14: true})
	c2 := c
	c2.IDNumber = "001189054321"
	b, _ := BuildChip(c2, photo, pki, ChipOptions{NoDG14: true})
	if _, _, _, err := FromChip(a.Files[FileDG1], nil, b.Files[FileDG13]); !errors.Is(err, ErrChipMismatch) {
		t.Fatalf("got %v", err)
	}
}

func TestTestPKIFolder(t *testing.T) {
	dir := t.TempDir()
	p1, err := NewTestPKI(dir)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := NewTestPKI(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p1.CSCA.Raw, p2.CSCA.Raw) || !bytes.Equal(p1.DS.Raw, p2.DS.Raw) {
		t.Fatal("reloaded PKI differs")
	}
	st, _ := os.Stat(filepath.Join(dir, "csca-key.pem"))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v", st.Mode())
	}
	// A card signed with the reloaded PKI verifies against the CSCA written as PEM.
	out := filepath.Join(t.TempDir(), "csca")
	os.Mkdir(out, 0o755)
	if err := p1.WriteCSCA(filepath.Join(out, "csca.pem")); err != nil {
		t.Fatal(err)
	}
	trust, err := lds.LoadTrustStore(out)
	if err != nil || trust.Len() != 1 {
		t.Fatal(err)
	}
	c := sampleCitizen(t)
	photo, _ := LoadPhoto("testdata/citizen.json", c)
	ch, err := BuildChip(c, photo, p2, ChipOptions{NoDG14: true, Hash: crypto.SHA512})
	if err != nil {
		t.Fatal(err)
	}
	if r := lds.VerifySOD(ch.Files[FileSOD], dgsOf(ch), trust); r.Status != lds.StatusValid {
		t.Fatal(r)
	}
	if !strings.Contains(string(p1.CSCAPEM()), "BEGIN CERTIFICATE") {
		t.Fatal("CSCA PEM")
	}
}

func FuzzParseDG13(f *testing.F) {
	b, _ := hex.DecodeString(realDG13)
	f.Add(b)
	c, _ := LoadCitizen("testdata/citizen.json")
	if g, err := BuildDG13(c); err == nil {
		f.Add(g)
	}
	f.Add(dg13Fields(field(16, str("A1B2")), field(14, enc(0x30, str("x")))))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDG13(b)
		if err != nil {
			return
		}
		// What parses must rebuild and parse to the same record.
		out, err := d.Bytes()
		if err != nil {
			return // e.g. a field that is not a valid date cannot be re-encoded as one
		}
		d2, err := ParseDG13(out)
		if err != nil || d2.Citizen != d.Citizen {
			t.Fatalf("rebuild: %v\n%+v\n%+v", err, d.Citizen, d2.Citizen)
		}
	})
}

func FuzzParseQR(f *testing.F) {
	f.Add("001189012345|012345678|Nguyễn Thị Ngọc Huyền|02031989|Nữ|Số 12 Hàng Bạc, Hà Nội|15082021")
	f.Add("001203012345||Nguyễn Văn A|2003|Nam|Hà Nội|01062021||")
	f.Add("001189012345|Nguyễn Thị A|02031989|Nữ|Hà Nội|15082021")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQR(s)
		if err != nil {
			return
		}
		if len(q.IDNumber) != 12 || q.CAN != q.IDNumber[6:] || q.Warnings == nil {
			t.Fatalf("%+v", q)
		}
	})
}

func TestQRPayloadRoundTrip(t *testing.T) {
	c, err := LoadCitizen("testdata/citizen.json")
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseQR(QRPayload(c))
	if err != nil {
		t.Fatal(err)
	}
	if q.IDNumber != c.IDNumber || q.FullName != c.FullName || q.DateOfBirth != c.DateOfBirth ||
		q.Sex != c.Sex || q.Address != c.PlaceOfResidence || q.IssueDate != c.IssueDate || q.OldIDNumber != c.OldIDNumber {
		t.Fatalf("%+v", q)
	}
}

// skeleton lists the tags and value lengths of every data object in b, depth first.
func skeleton(b []byte) string {
	var out []string
	var walk func(v []byte)
	walk = func(v []byte) {
		for len(v) > 0 {
			tag, val, rest, err := tlv.Next(v)
			if err != nil {
				out = append(out, "error")
				return
			}
			out = append(out, fmt.Sprintf("%s:%d", tag, len(val)))
			if tag.Constructed() {
				walk(val)
			}
			v = rest
		}
	}
	walk(b)
	return strings.Join(out, " ")
}

// --tamper keeps every data group parseable: one value byte changes, tags and lengths stay, and
// passive authentication is what tells.
func TestTamperKeepsStructure(t *testing.T) {
	c := sampleCitizen(t)
	photo, _ := LoadPhoto("testdata/citizen.json", c)
	pki := testPKI(t)
	good, err := BuildChip(c, photo, pki, ChipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 13, 14, 15} {
		ch, err := BuildChip(c, photo, pki, ChipOptions{Tamper: []int{n}})
		if err != nil {
			t.Fatal(err)
		}
		fid := lds.DGFileID(n)
		was, now := good.Files[fid], ch.Files[fid]
		if bytes.Equal(was, now) || len(was) != len(now) || skeleton(was) != skeleton(now) {
			t.Errorf("DG%d: structure changed or nothing changed", n)
		}
		diff := 0
		for i := range was {
			if was[i] != now[i] {
				diff++
			}
		}
		if diff != 1 && n != 14 && n != 15 { // DG14 and DG15 hold fresh keys on every build
			t.Errorf("DG%d: %d bytes changed", n, diff)
		}
		if r := lds.VerifySOD(ch.Files[FileSOD], dgsOf(ch), pki.TrustStore()); r.Status != lds.StatusInvalid ||
			!strings.Contains(r.Detail, fmt.Sprintf("DG%d hash mismatch", n)) {
			t.Errorf("DG%d: %v", n, r)
		}
		switch n {
		case 1:
			_, err = lds.ParseDG1(now)
		case 2:
			_, err = lds.ParseDG2(now)
		case 13:
			_, err = ParseDG13(now)
		}
		if err != nil {
			t.Errorf("tampered DG%d no longer parses: %v", n, err)
		}
	}
}

// NoDG15 with NoDG14: a chip with neither Active nor Chip Authentication.
func TestChipWithoutAAOrCA(t *testing.T) {
	c := sampleCitizen(t)
	photo, _ := LoadPhoto("testdata/citizen.json", c)
	ch, err := BuildChip(c, photo, testPKI(t), ChipOptions{NoDG14: true, NoDG15: true})
	if err != nil {
		t.Fatal(err)
	}
	if ch.AAKey != nil || ch.CAKey != nil || ch.Files[FileDG14] != nil || ch.Files[FileDG15] != nil {
		t.Fatal("keys or files left")
	}
	com, err := lds.ParseCOM(ch.Files[FileCOM])
	if err != nil || fmt.Sprint(com.DataGroups()) != "[1 2 13]" {
		t.Errorf("EF.COM lists %v (%v)", com.DataGroups(), err)
	}
	s, _ := lds.ParseSOD(ch.Files[FileSOD])
	if _, ok := s.Hashes[15]; ok || len(s.Hashes) != 3 {
		t.Errorf("EF.SOD lists %d groups", len(s.Hashes))
	}
}
