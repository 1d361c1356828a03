package catalog

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/api/wire"
)

func TestFieldCheck(t *testing.T) {
	for _, c := range []struct {
		f   Field
		v   string
		bad string // the Vietnamese reason, "" when the value is good
	}{
		{Field{Kind: wire.FieldText, Required: true}, "", "bắt buộc"},
		{Field{Kind: wire.FieldText, Required: true}, "   ", "bắt buộc"},
		{Field{Kind: wire.FieldText}, "", ""},
		{Field{Kind: wire.FieldDate, Required: true}, "", "bắt buộc"},
		{Field{Kind: wire.FieldDate}, "", ""},
		{Field{Kind: wire.FieldDate}, "10/11/2026", ""},
		{Field{Kind: wire.FieldDate}, " 10/11/2026 ", ""},
		{Field{Kind: wire.FieldDate}, "2026-11-10", ""},
		{Field{Kind: wire.FieldDate}, "31/02/2026", "ngày dạng dd/mm/yyyy"},
		{Field{Kind: wire.FieldDate}, "11/10/26", "ngày dạng dd/mm/yyyy"},
		{Field{Kind: wire.FieldDate}, "hôm qua", "ngày dạng dd/mm/yyyy"},
		{Field{Kind: wire.FieldNumber}, "079092001234", ""},
		{Field{Kind: wire.FieldNumber}, "0912 345 678", ""},
		{Field{Kind: wire.FieldNumber}, "+84 912 345 678", ""},
		{Field{Kind: wire.FieldNumber}, "12a", "chỉ gồm chữ số"},
		{Field{Kind: wire.FieldNumber}, "0912-345-678", "chỉ gồm chữ số"},
		{Field{Kind: wire.FieldChoice, Choices: []string{"Cha", "Mẹ"}}, "Mẹ", ""},
		{Field{Kind: wire.FieldChoice, Choices: []string{"Cha", "Mẹ"}}, "mẹ", "chọn một trong danh sách"},
		{Field{Kind: wire.FieldSex, Choices: []string{SexMale, SexFemale}}, "Nữ", ""},
		{Field{Kind: wire.FieldSex, Choices: []string{SexMale, SexFemale}}, "Khác", "chọn một trong danh sách"},
		{Field{Kind: wire.FieldProvince}, "Thành phố Hà Nội", "chọn một trong danh sách"}, // unresolved: no list to pick from
		{Field{Kind: wire.FieldCommune}, "Phường An Xuyên", ""},                           // no list: typed
		{Field{Kind: wire.FieldCommune, Choices: []string{"Phường Ba Đình"}}, "Phường An Xuyên", "chọn một trong danh sách"},
	} {
		err := c.f.Check(c.v)
		var ve *ValueError
		switch {
		case c.bad == "" && err != nil:
			t.Errorf("%s %q refused: %v", c.f.Kind, c.v, err)
		case c.bad != "" && !errors.As(err, &ve):
			t.Errorf("%s %q: %v, want a ValueError", c.f.Kind, c.v, err)
		case c.bad != "" && (ve.Vi != c.bad || ve.En == "" || err.Error() != ve.Vi+" ("+ve.En+")"):
			t.Errorf("%s %q: %q, want %q (English)", c.f.Kind, c.v, err, c.bad)
		}
	}
}

func TestFieldDisplay(t *testing.T) {
	if got := (Field{Kind: wire.FieldDate}).Display("2026-11-10"); got != "10/11/2026" {
		t.Errorf("date: %q", got)
	}
	if got := (Field{Kind: wire.FieldDate}).Display("10/11/2026"); got != "10/11/2026" {
		t.Errorf("a date already as citizens write it: %q", got)
	}
	if got := (Field{Kind: wire.FieldText}).Display("2026-11-10"); got != "2026-11-10" {
		t.Errorf("text: %q", got)
	}
}

// The starter's sex field is one by its kind, not by its choices, and the citizen picks it from
// the card's two words.
func TestSexField(t *testing.T) {
	p, err := Starter().Get("1.001193")
	if err != nil {
		t.Fatal(err)
	}
	var sex *Field
	for i := range p.Fields {
		if p.Fields[i].Key == "childSex" {
			sex = &p.Fields[i]
		}
	}
	if sex == nil || sex.Kind != wire.FieldSex || !slices.Equal(sex.Choices, []string{"Nam", "Nữ"}) {
		t.Fatalf("childSex: %+v", sex)
	}
	r := Starter().Resolve(*sex, func(string) string { return "" })
	if r.Kind != wire.FieldChoice || !slices.Equal(r.Choices, []string{"Nam", "Nữ"}) {
		t.Errorf("resolved: %+v", r)
	}
	// A choice of Nam and Nữ is an ordinary choice: only the kind says sex.
	c, err := Parse([]byte(`{"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}],
		"fields":[{"key":"k","label":"l","kind":"choice","choices":["Nam","Nữ"]},{"key":"s","label":"l","kind":"sex","choices":["Nam","Nu\u031b\u0303"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if f := c.Procedures[0].Fields; f[0].Kind != wire.FieldChoice || f[1].Kind != wire.FieldSex || f[1].Choices[1] != "Nữ" {
		t.Errorf("fields %+v", f)
	}
}

// A field filled from card data the kiosk does not read is refused when the catalogue is parsed,
// with the procedure and the field named, instead of staying empty at every citizen's review.
func TestParseRejectsUnknownFrom(t *testing.T) {
	for _, from := range []string{"citizen.fullname", "citizen.phone", "fullName", "citizen."} {
		s := `{"procedures":[{"code":"1.001193","name":"x","documents":[{"type":"a","name":"a"}],
			"fields":[{"key":"applicantFullName","label":"l","kind":"text","from":"` + from + `"}]}]}`
		_, err := Parse([]byte(s))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("from %q: %v", from, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "1.001193") || !strings.Contains(msg, "applicantFullName") || !strings.Contains(msg, from) {
			t.Errorf("from %q: %q does not name the procedure, the field and the source", from, msg)
		}
	}
	for _, f := range []From{FromFullName, FromIDNumber, FromDateOfBirth, FromSex, FromPlaceOfResidence,
		FromPlaceOfOrigin, FromNationality, FromEthnicity} {
		s := `{"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}],
			"fields":[{"key":"k","label":"l","kind":"text","from":"` + string(f) + `"}]}]}`
		if _, err := Parse([]byte(s)); err != nil {
			t.Errorf("from %q refused: %v", f, err)
		}
	}
}

func TestParseRejectsBadSexField(t *testing.T) {
	for name, choices := range map[string]string{
		"other words": `["Nam","Nữ","Khác"]`,
		"reordered":   `["Nữ","Nam"]`,
		"english":     `["Male","Female"]`,
	} {
		s := `{"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}],
			"fields":[{"key":"s","label":"l","kind":"sex","choices":` + choices + `}]}]}`
		if _, err := Parse([]byte(s)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Field.Check reads what the citizen typed: it never panics, and whatever it accepts is not blank
// when the field is required.
func FuzzFieldCheck(f *testing.F) {
	for _, s := range []string{"", " ", "10/11/2026", "2026-11-10", "31/02/2026", "0912 345 678", "12a", "Nữ", "Nu\u031b\u0303", "\xff"} {
		f.Add(s)
	}
	var fields []Field
	for _, p := range Starter().Procedures {
		fields = append(fields, p.Fields...)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, fd := range fields {
			if fd.Check(v) == nil && fd.Required && strings.TrimSpace(v) == "" {
				t.Fatalf("%s: blank accepted", fd.Key)
			}
			fd.Display(v)
		}
	})
}

// The catalogue takes the field kinds the central system's description lists, and no other.
func TestKindsMatchCentralOpenAPI(t *testing.T) {
	b, err := os.ReadFile("../central/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s+kind: \{type: string, enum: \[([^\]]*)\]`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no field kinds in kiosk/central/openapi.yaml")
	}
	listed := strings.Split(string(m[1]), ", ")
	for _, k := range listed {
		if !knownKind(wire.FieldKind(k)) {
			t.Errorf("the central description lists kind %q, which the catalogue refuses", k)
		}
	}
	for _, k := range []wire.FieldKind{wire.FieldText, wire.FieldDate, wire.FieldNumber, wire.FieldChoice,
		wire.FieldProvince, wire.FieldCommune, wire.FieldSex} {
		if !slices.Contains(listed, string(k)) {
			t.Errorf("kind %q is not in the central description", k)
		}
	}
	if knownKind("photo") {
		t.Error("an unlisted kind is known")
	}
}
