package receipt

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/internal/errtext"
)

func typical(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/typical.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseTypical(t *testing.T) {
	b, _ := os.ReadFile("testdata/typical.json")
	r, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Applicant.Name != "Nguyễn Thị Ngọc Huyền" || len(r.Documents) != 6 || r.Documents[5].CertifiedCopies != 1 {
		t.Fatalf("%+v", r)
	}
}

func TestValidationNamesTheField(t *testing.T) {
	for _, c := range []struct {
		field string
		edit  func(m map[string]any)
	}{
		{"unit", func(m map[string]any) { delete(m, "unit") }},
		{"dossierCode", func(m map[string]any) { m["dossierCode"] = "  " }},
		{"dossierCode", func(m map[string]any) { m["dossierCode"] = "Mã hồ sơ 1" }},
		{"applicant.name", func(m map[string]any) { m["applicant"].(map[string]any)["name"] = "" }},
		{"procedure.name", func(m map[string]any) { delete(m["procedure"].(map[string]any), "name") }},
		{"documents", func(m map[string]any) { m["documents"] = []any{} }},
		{"documents[1].name", func(m map[string]any) { m["documents"].([]any)[1].(map[string]any)["name"] = "" }},
		{"documents[0]", func(m map[string]any) { m["documents"].([]any)[0].(map[string]any)["copies"] = -1 }},
		{"receivedAt", func(m map[string]any) { m["receivedAt"] = "24/11/2026 09:15" }},
		{"appointmentAt", func(m map[string]any) { m["appointmentAt"] = "2026-11-20T15:00:00+07:00" }},
		{"appointmentAt", func(m map[string]any) { m["appointmentAt"] = "25/11/2026 15:00" }},
		{"receivedAt", func(m map[string]any) { delete(m, "receivedAt") }},
		{"feeOwed", func(m map[string]any) { m["feeOwed"] = map[string]any{"amount": 50000, "vietqr": ""} }},
		{"feeOwed", func(m map[string]any) { m["feeOwed"] = map[string]any{"amount": -1, "vietqr": "000201"} }},
		{"lookupUrl", func(m map[string]any) { m["lookupUrl"] = "dichvucong.gov.vn/tra-cuu" }},
		{"lookupUrl", func(m map[string]any) { delete(m, "lookupUrl") }},
		{"sets", func(m map[string]any) { m["sets"] = 100 }},
		{"applicant.idNumber", func(m map[string]any) { m["applicant"].(map[string]any)["idNumber"] = "00118901234X" }},
		{"applicant.phone", func(m map[string]any) { m["applicant"].(map[string]any)["phone"] = "call me" }},
		{"documents.originals", func(m map[string]any) { m["documents"].([]any)[0].(map[string]any)["originals"] = "one" }},
	} {
		m := typical(t)
		c.edit(m)
		b, _ := json.Marshal(m)
		_, err := Parse(b)
		var fe *FieldError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: got %v", c.field, err)
		}
		// One sentence, the field's reason: not also ErrInvalid's.
		if werr := errtext.Check(err); werr != nil {
			t.Errorf("%s: %v", c.field, werr)
		}
	}
	for name, b := range map[string]string{"truncated JSON": `{"unit":`, "trailing data": `{} {}`} {
		_, err := Parse([]byte(b))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
		if werr := errtext.Check(err); werr != nil {
			t.Errorf("%s: %v", name, werr)
		}
	}
}

func TestUnknownFieldsAreKeptCompatible(t *testing.T) {
	m := typical(t)
	m["someFutureField"] = "x"
	b, _ := json.Marshal(m)
	if _, err := Parse(b); err != nil {
		t.Fatalf("an extended receipt must still parse: %v", err)
	}
}

func TestTextIsNFC(t *testing.T) {
	m := typical(t)
	m["applicant"].(map[string]any)["name"] = norm.NFD.String("Nguyễn Thị Ngọc Huyền")
	b, _ := json.Marshal(m)
	r, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if !norm.NFC.IsNormalString(r.Applicant.Name) || r.Applicant.Name != "Nguyễn Thị Ngọc Huyền" {
		t.Fatalf("%q not NFC", r.Applicant.Name)
	}
}

// TestTimesKeepTheirZone: times are read once, as given, and written in their own zone; the JSON
// written back reads the same.
func TestTimesKeepTheirZone(t *testing.T) {
	b, _ := os.ReadFile("testdata/typical.json")
	r, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, off := r.ReceivedAt.Zone(); off != 7*3600 || r.ReceivedAt.Hour() != 9 || r.AppointmentAt.Day() != 25 {
		t.Fatalf("received %v, appointment %v", r.ReceivedAt, r.AppointmentAt)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(out)
	if err != nil || !back.ReceivedAt.Equal(r.ReceivedAt) || !back.AppointmentAt.Equal(r.AppointmentAt) {
		t.Fatalf("%v: %s", err, out)
	}
	m := typical(t)
	delete(m, "appointmentAt")
	b, _ = json.Marshal(m)
	none, err := Parse(b)
	if err != nil || !none.AppointmentAt.IsZero() {
		t.Fatalf("no appointment: %v %v", err, none)
	}
	if out, _ := json.Marshal(none); strings.Contains(string(out), "appointmentAt") {
		t.Fatalf("a zero appointment is written: %s", out)
	}
}

func TestMaskedID(t *testing.T) {
	if got := MaskedID("001189012345"); got != "********2345" {
		t.Fatal(got)
	}
	if strings.Contains(MaskedID("001189012345"), "0011890") {
		t.Fatal("masked ID leaks leading digits")
	}
}

func TestVNTime(t *testing.T) {
	b, _ := os.ReadFile("testdata/typical.json")
	r, _ := Parse(b)
	if got := vnTime(r.ReceivedAt); got != "09 giờ 15 phút, ngày 24/11/2026" {
		t.Fatal(got)
	}
}

func FuzzParse(f *testing.F) {
	b, _ := os.ReadFile("testdata/typical.json")
	f.Add(b)
	f.Add([]byte(`{"unit":"x","documents":[{"name":"a","originals":-1}]}`))
	var m map[string]any
	json.Unmarshal(b, &m)
	m["feeOwed"] = map[string]any{"amount": 50000, "vietqr": "00020101021238560010A000000727"}
	owed, _ := json.Marshal(m)
	f.Add(owed)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			return
		}
		if r.Unit == "" || r.DossierCode == "" || r.Applicant.Name == "" || len(r.Documents) == 0 || r.LookupURL == "" || r.ReceivedAt.IsZero() {
			t.Fatal("a receipt missing a required field was accepted")
		}
		if r.FeeOwed != nil && (r.FeeOwed.Amount <= 0 || r.FeeOwed.VietQR == "") {
			t.Fatal("an empty fee owed was accepted")
		}
	})
}
