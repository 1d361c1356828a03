package catalog

import (
	"errors"
	"testing"
)

func TestStarter(t *testing.T) {
	c := Starter()
	if len(c.Procedures) < 7 {
		t.Fatalf("%d procedures", len(c.Procedures))
	}
	p, err := c.Get("1.001193")
	if err != nil || p.Name != "Đăng ký khai sinh" || len(p.Documents) < 3 {
		t.Fatalf("%v %+v", err, p)
	}
	if _, err := c.Get("9.999999"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	b := c.Browse()
	if b[0].Code != "1.001193" || b[0].Popular != 1 || b[1].Popular != 2 {
		t.Fatalf("popular first: %s %s", b[0].Name, b[1].Name)
	}
}

func TestSearchIgnoresDiacriticsAndTonePlacement(t *testing.T) {
	c := Starter()
	for q, want := range map[string]string{
		"khai sinh":          "1.001193",
		"KHAI SINH":          "1.001193",
		"đăng ký khai sinh":  "1.001193",
		"dang ky khai sinh":  "1.001193",
		"ket hon":            "1.000894",
		"chứng thực chữ ký":  "2.000884",
		"chung thuc ban sao": "2.000815",
		"thuong tru":         "1.004194",
		"hôn nhân":           "1.004873",
		"marriage":           "1.000894",
		"1.004194":           "1.004194",
	} {
		got := c.Search(q)
		if len(got) == 0 || got[0].Code != want {
			t.Errorf("%q: got %v", q, codes(got))
		}
	}
	if got := c.Search("xyz không có"); len(got) != 0 {
		t.Errorf("nonsense query matched %v", codes(got))
	}
}

func codes(ps []Procedure) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func TestParseRejectsBadCatalogues(t *testing.T) {
	for name, s := range map[string]string{
		"not json":                `{`,
		"empty":                   `{"procedures":[]}`,
		"no code":                 `{"procedures":[{"name":"x","documents":[{"type":"a","name":"a"}]}]}`,
		"duplicate":               `{"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}]},{"code":"1","name":"y","documents":[{"type":"a","name":"a"}]}]}`,
		"no documents":            `{"procedures":[{"code":"1","name":"x","documents":[]}]}`,
		"bad kind":                `{"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}],"fields":[{"key":"k","label":"l","kind":"photo"}]}]}`,
		"choice empty":            `{"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}],"fields":[{"key":"k","label":"l","kind":"choice"}]}]}`,
		"province without places": `{"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}],"fields":[{"key":"p","label":"l","kind":"province"}]}]}`,
		"commune of nothing":      `{"places":[{"name":"A"}],"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}],"fields":[{"key":"c","label":"l","kind":"commune","of":"p"}]}]}`,
		"commune before province": `{"places":[{"name":"A"}],"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}],"fields":[{"key":"c","label":"l","kind":"commune","of":"p"},{"key":"p","label":"l","kind":"province"}]}]}`,
		"duplicate province":      `{"places":[{"name":"A"},{"name":"A"}],"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}]}]}`,
		"duplicate commune":       `{"places":[{"name":"A","communes":["X","X"]}],"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}]}]}`,
	} {
		if _, err := Parse([]byte(s)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPlaces(t *testing.T) {
	c := Starter()
	if n := len(c.Provinces()); n != 34 {
		t.Errorf("%d provinces, want the 34 of the two-level government", n)
	}
	if ws := c.Communes("Thành phố Hà Nội"); len(ws) == 0 {
		t.Error("no sample wards for Hanoi")
	}
	if ws := c.Communes("Tha\u0300nh pho\u0302\u0301 Ha\u0300 No\u0323\u0302i"); len(ws) == 0 {
		t.Error("a province name in NFD is not found")
	}
	if ws := c.Communes("Tỉnh Cà Mau"); ws != nil {
		t.Errorf("communes for a province the starter does not list: %q", ws)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(starter)
	f.Add([]byte(`{"procedures":[{"code":"1","name":"x","fee":"w","feePages":{"document":"a","firstPages":2,"firstVnd":2000,"nextVnd":1000,"maxPerCopyVnd":3000},"documents":[{"type":"a","name":"a"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err != nil {
			return
		}
		for _, p := range c.Procedures {
			if v, _ := p.Assess([]PagedDocument{{Type: "a", Pages: 1 << 30}}, map[string]string{"n": "99999999"}); v < 0 {
				t.Fatalf("%s: negative fee %d", p.Code, v)
			}
		}
		c.Browse()
		c.Search("khai sinh")
	})
}

func TestRecognise(t *testing.T) {
	c := Starter()
	for head, want := range map[string]string{
		"GIẤY CHỨNG SINH\nBệnh viện Phụ sản Hà Nội": "giay-chung-sinh",
		"giay chung sinh.": "giay-chung-sinh",
		"GIÂY CHỨNG SINH":  "giay-chung-sinh", // a tone misread by the OCR
		"BẢN SAO CĂN CƯỚC\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM":              "giay-to-tuy-than",
		"TỜ KHAI ĐĂNG KÝ KHAI SINH\nSố định danh cá nhân ghi trên căn cước": "to-khai-khai-sinh", // the longest title wins
		"Tha\u0300nh pho\u0302\u0301 — GIẤY BÁO TỬ":                         "giay-bao-tu",
	} {
		if got := c.Recognise(head, false); got.Type != want {
			t.Errorf("%q: recognised as %q, want %q", head, got.Type, want)
		}
	}
	// Nothing that identifies a paper: nothing is claimed.
	for _, head := range []string{"", "Kính gửi: Ủy ban nhân dân phường", "SINH", "chứng sinh viên"} {
		if got := c.Recognise(head, false); got.Type != "" {
			t.Errorf("%q recognised as %q", head, got.Type)
		}
	}
	if got := c.Recognise("", true); got.Type != "giay-to-tuy-than" {
		t.Errorf("a page with an MRZ: %q", got.Type)
	}
	if !c.Identifies("giay-chung-sinh") || c.Identifies("ban-sao") {
		t.Error("Identifies")
	}
}

func TestParseRejectsBadIdentify(t *testing.T) {
	proc := `"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"},{"type":"b","name":"b"}]}]`
	for name, s := range map[string]string{
		"unused type":     `{"identify":{"z":{"titles":["GIẤY Z"]}},` + proc + `}`,
		"empty spec":      `{"identify":{"a":{}},` + proc + `}`,
		"short title":     `{"identify":{"a":{"titles":["Ả"]}},` + proc + `}`,
		"shared title":    `{"identify":{"a":{"titles":["GIẤY CHỨNG SINH"]},"b":{"titles":["giay chung sinh"]}},` + proc + `}`,
		"blank title":     `{"identify":{"a":{"titles":["  "]}},` + proc + `}`,
		"titles not list": `{"identify":{"a":{"titles":"GIẤY"}},` + proc + `}`,
	} {
		if _, err := Parse([]byte(s)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	c, err := Parse([]byte(`{"identify":{"a":{"titles":["Gia\u0301y a\u0300"]},"b":{"mrz":true}},` + proc + `}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Identify["a"].Titles[0] != "Giáy à" {
		t.Errorf("title not NFC: %q", c.Identify["a"].Titles[0])
	}
}

func FuzzRecognise(f *testing.F) {
	for _, s := range []string{"GIẤY CHỨNG SINH", "BẢN SAO CĂN CƯỚC", "IDVNM0920012345<<<<", "", "\xff\xfe", "TỜ KHAI ĐĂNG KÝ KHAI SINH căn cước"} {
		f.Add(s, false)
	}
	c := Starter()
	f.Fuzz(func(t *testing.T, head string, mrz bool) {
		r := c.Recognise(head, mrz)
		if r.Type != "" && !c.Identifies(r.Type) {
			t.Fatalf("recognised an unknown type %q", r.Type)
		}
		if r2 := c.Recognise(head, mrz); r2 != r {
			t.Fatalf("not deterministic: %v then %v", r, r2)
		}
	})
}
