package fields

import (
	"errors"
	"image"
	"strconv"
	"strings"
	"testing"

	"github.com/tramso/tramso/ocr/engine"
	"golang.org/x/text/unicode/norm"
)

// The specimen TD1 zone of ICAO 9303 part 5.
const icaoTD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"

// layout builds OCR words for rows of text as they would lie on a page: each row 40 px below the
// previous, each rune 12 px wide, words 8 px apart; a token "@N" moves the next word to x = N.
func layout(rows ...string) []engine.Word {
	var ws []engine.Word
	for i, r := range rows {
		x := 10
		for _, w := range strings.Fields(r) {
			if strings.HasPrefix(w, "@") {
				x, _ = strconv.Atoi(w[1:])
				continue
			}
			n := len([]rune(w))
			ws = append(ws, engine.Word{Text: w, Box: image.Rect(x, 10+40*i, x+12*n, 35+40*i), Conf: 90})
			x += 12*n + 8
		}
	}
	return ws
}

func TestCheckDigitICAO(t *testing.T) {
	for s, want := range map[string]byte{"D23145890": '7', "740812": '2', "120415": '9', "L898902C<": '3', "12a4": 0} {
		if got := checkDigit(s); got != want {
			t.Errorf("checkDigit(%q) = %c, want %c", s, got, want)
		}
	}
}

func TestParseMRZSpecimen(t *testing.T) {
	m, err := ParseMRZ("noise line\n" + icaoTD1 + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if !m.Valid || m.Corrected || m.Conf != 1 {
		t.Errorf("valid %v corrected %v conf %v", m.Valid, m.Corrected, m.Conf)
	}
	if m.DocNumber != "D23145890" || m.BirthDate != "740812" || m.ExpiryDate != "120415" || m.Sex != "F" ||
		m.Nationality != "UTO" || m.Surname != "ERIKSSON" || m.GivenNames != "ANNA MARIA" {
		t.Errorf("parsed %+v", m)
	}
}

// vnTD1 builds a CCCD zone (idcard.md §4.1) with correct check digits from synthetic values.
func vnTD1(id, birth, sex, expiry string) string {
	doc := id[3:]
	l1 := "IDVNM" + doc + string(checkDigit(doc)) + id + "<<" + string(checkDigit(id))
	l2a := birth + string(checkDigit(birth)) + sex + expiry + string(checkDigit(expiry)) + "VNM" + "<<<<<<<<<<<"
	comp := l1[5:30] + l2a[0:7] + l2a[8:15] + l2a[18:29]
	l2 := l2a + string(checkDigit(comp))
	return l1 + "\n" + l2 + "\nNGUYEN<<VAN<AN<<<<<<<<<<<<<<<<"
}

func TestMRZValuesOfACCCD(t *testing.T) {
	// the published sample of idcard.md §4.1
	m, err := ParseMRZ("IDVNM0910055134051091005513<<0\n9101014M3101012VNM<<<<<<<<<<<8\nDINH<<DUY<TAN<<<<<<<<<<<<<<<<<")
	if err != nil || !m.Valid {
		t.Fatalf("%+v %v", m, err)
	}
	want := map[string]string{"documentNumber": "091005513", "idNumber": "051091005513", "dateOfBirth": "1991-01-01",
		"expiryDate": "2031-01-01", "sex": "M"}
	got := m.Values()
	for k, v := range want {
		if got[k].Value != v || got[k].Confidence != 1 {
			t.Errorf("%s = %+v, want %q", k, got[k], v)
		}
	}
	// born in 2003: the century comes from the ID number, not from a guess on the two digits
	m, _ = ParseMRZ(vnTD1("001203012345", "030520", "M", "280520"))
	if v := m.Values()["dateOfBirth"].Value; v != "2003-05-20" {
		t.Errorf("2003 birth: %q", v)
	}
	// a card valid without limit carries fillers: expiry "" (known to be none), not absent
	m, _ = ParseMRZ(vnTD1("001060012345", "600520", "F", "<<<<<<"))
	if v, ok := m.Values()["expiryDate"]; !ok || v.Value != "" {
		t.Errorf("no-expiry zone: %+v %v", v, ok)
	}
}

func TestParseMRZCorrectsAndRejects(t *testing.T) {
	clean := vnTD1("001203004567", "900115", "M", "350115")
	lines := strings.Split(clean, "\n")
	// OCR confusions: O for 0, Z for 2, I for 1, S for 5, « for <, 4 for A in the name
	bad1 := "IDVNM" + strings.NewReplacer("0", "O", "2", "Z").Replace(lines[0][5:])
	bad2 := strings.NewReplacer("1", "I", "5", "S").Replace(lines[1][:15]) + lines[1][15:]
	bad3 := strings.NewReplacer("<", "«", "A", "4").Replace(lines[2])
	m, err := ParseMRZ(bad1 + "\n" + bad2 + "\n" + bad3)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Valid || !m.Corrected || m.Conf != 0.9 {
		t.Errorf("valid %v corrected %v conf %v: %+v", m.Valid, m.Corrected, m.Conf, m)
	}
	v := m.Values()
	if v["documentNumber"].Value != "203004567" || v["idNumber"].Value != "001203004567" || v["dateOfBirth"].Value != "1990-01-15" ||
		v["expiryDate"].Value != "2035-01-15" || v["documentNumber"].Confidence != 0.9 {
		t.Errorf("values %+v", v)
	}
	if m.Surname != "NGUYEN" || m.GivenNames != "VAN AN" {
		t.Errorf("name %q %q", m.Surname, m.GivenNames)
	}
	// a filler read twice makes line 1 31 long: the check digit finds which character is extra
	m, _ = ParseMRZ(lines[0][:20] + "<" + lines[0][20:] + "\n" + lines[1] + "\n" + lines[2])
	if m.Values()["documentNumber"].Value != "203004567" {
		t.Errorf("31-character line 1: %+v", m.Values())
	}
	// a real digit error cannot be corrected: the birth date is left out, never guessed
	wrong := strings.Replace(clean, "900115", "900116", 1)
	m, err = ParseMRZ(wrong)
	if err != nil || m.Valid || m.Conf != 0.3 {
		t.Errorf("wrong digit accepted: %+v %v", m, err)
	}
	if _, ok := m.Values()["dateOfBirth"]; ok {
		t.Errorf("birth date with a failing check digit was given: %+v", m.Values())
	}
	if _, ok := m.Values()["sex"]; ok {
		t.Errorf("sex given although the composite check fails: %+v", m.Values())
	}
	if _, err := ParseMRZ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"); !errors.Is(err, ErrNoMRZ) {
		t.Errorf("no zone: %v", err)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"15/01/1990": "1990-01-15", "5/3/2024": "2024-03-05", "05-03-2024": "2024-03-05", "05.03.2024": "2024-03-05",
		"ngày 05 tháng 03 năm 2024": "2024-03-05", "Ngày 5 tháng 3 năm 2024": "2024-03-05", "ngay O5 thang O3 nam 2O24": "2024-03-05",
		"29/02/2024": "2024-02-29",
	} {
		if got, ok := ParseDate(in); !ok || got != want {
			t.Errorf("ParseDate(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "45/13/19", "31/04/2020", "29/02/2023", "Không thời hạn", "1990"} {
		if got, ok := ParseDate(in); ok {
			t.Errorf("ParseDate(%q) = %q, want no date", in, got)
		}
	}
}

func TestTypedValues(t *testing.T) {
	for _, c := range []struct {
		k       Kind
		in, out string
		ok      bool
	}{
		{Expiry, "Không thời hạn", "", true},
		{Expiry, "Khong thoi han", "", true},
		{Expiry, "15/01/2035", "2035-01-15", true},
		{IDNum, "0O1 203 OO4 567", "001203004567", true},
		{IDNum, "001-203-004-567", "001203004567", true},
		{Phone, "0912.345.678", "0912345678", true},
		{Phone, "+84 912 345 678", "0912345678", true},
		{Number, "1.250.000 đồng", "1250000", true},
		{Number, "3,5 m", "3.5", true},
		{Number, "năm 1976", "1976", true},
		{Sex, "Nữ", "Nữ", true},
		{Sex, "nư", "Nữ", true},
		{Sex, "khác", "", false},
		{Text, "  Xóm   Bến,  Hà Nội ........ ", "Xóm Bến, Hà Nội", true},
		{Text, "Xóm Bến _ _ _ _", "Xóm Bến", true},
		{Text, ". . . . . . .", "", false},
	} {
		got, ok := typed(c.k, c.in)
		if got != c.out || ok != c.ok {
			t.Errorf("typed(%v, %q) = %q %v, want %q %v", c.k, c.in, got, ok, c.out, c.ok)
		}
	}
	// values come out NFC whatever the OCR gave
	if got, _ := typed(Text, norm.NFD.String("Nguyễn Thị Hà")); got != "Nguyễn Thị Hà" || !norm.NFC.IsNormalString(got) {
		t.Errorf("not NFC: %q", got)
	}
}

var birthForm = []Label{
	{Key: "childName", Labels: []string{"Họ, chữ đệm, tên"}},
	{Key: "motherName", Labels: []string{"Họ, chữ đệm, tên người mẹ"}},
	{Key: "fatherName", Labels: []string{"Họ, chữ đệm, tên người cha"}},
	{Key: "birthDate", Labels: []string{"Ngày, tháng, năm sinh"}, Kind: Date},
	{Key: "motherYear", Labels: []string{"Năm sinh"}, Kind: Number},
	{Key: "residence", Labels: []string{"Nơi cư trú"}},
	{Key: "id", Labels: []string{"Số định danh cá nhân"}, Kind: IDNum},
	{Key: "phone", Labels: []string{"Số điện thoại"}, Kind: Phone},
	{Key: "ethnicity", Labels: []string{"Dân tộc"}},
}

func TestLongestLabelWins(t *testing.T) {
	f := Extract(LinesFromWords(layout(
		"Họ, chữ đệm, tên người mẹ: TRẦN THỊ MAI ........",
		"Năm sinh: 1990 ........",
		"Họ, chữ đệm, tên người cha: LÊ VĂN HÙNG ........",
		"Họ, chữ đệm, tên: LÊ MINH AN ........",
		"Ngày, tháng, năm sinh: 05/03/2024 .......",
	)), birthForm)
	want := map[string]string{"motherName": "TRẦN THỊ MAI", "fatherName": "LÊ VĂN HÙNG", "childName": "LÊ MINH AN",
		"motherYear": "1990", "birthDate": "2024-03-05"}
	for k, v := range want {
		if f[k].Value != v {
			t.Errorf("%s = %q, want %q", k, f[k].Value, v)
		}
	}
}

func TestLabelsSurviveToneErrors(t *testing.T) {
	// labels read with wrong tones, a letter wrong, glued words: the values are still found
	f := Extract(LinesFromWords(layout(
		"Họ, chừ đêm, tên ngưởi mẹ: TRẦN THỊ MAI",
		"Ngảy, thang, năm sinh: 05/O3/1978",
		"Số đinh danh cá nhăn: 0O1203OO4567",
		"Nơicư trù: Số 12 đường Lê Lợi, Phường Hải Châu",
	)), birthForm)
	for k, v := range map[string]string{"motherName": "TRẦN THỊ MAI", "birthDate": "1978-03-05", "id": "001203004567",
		"residence": "Số 12 đường Lê Lợi, Phường Hải Châu"} {
		if f[k].Value != v {
			t.Errorf("%s = %q, want %q", k, f[k].Value, v)
		}
		if f[k].Conf <= 0.5 || f[k].Conf > 1 {
			t.Errorf("%s: confidence %v", k, f[k].Conf)
		}
	}
	// the short label must not claim the mother's row
	if _, ok := f["childName"]; ok {
		t.Errorf("childName taken from the mother's row: %+v", f["childName"])
	}
}

func TestWrappedValue(t *testing.T) {
	rows := []string{
		"Nơi cư trú: Số 12 đường Lê Lợi, Phường Hải Châu, Quận Hải Châu, Thành phố",
		"Đà Nẵng .......................................................",
		"Dân tộc: Kinh",
	}
	f := Extract(LinesFromWords(layout(rows...)), birthForm)
	if want := "Số 12 đường Lê Lợi, Phường Hải Châu, Quận Hải Châu, Thành phố Đà Nẵng"; f["residence"].Value != want {
		t.Errorf("wrapped residence = %q, want %q", f["residence"].Value, want)
	}
	if f["ethnicity"].Value != "Kinh" {
		t.Errorf("ethnicity = %q", f["ethnicity"].Value)
	}
	// a value that ends well before the margin does not run on into the next row
	f = Extract(LinesFromWords(layout(
		"Nơi cư trú: Số 12 đường Lê Lợi ................................................",
		"Tôi cam đoan nội dung khai trên đây là đúng sự thật ..........................",
	)), birthForm)
	if f["residence"].Value != "Số 12 đường Lê Lợi" {
		t.Errorf("unwrapped residence = %q", f["residence"].Value)
	}
	// a value on the row below its label (ID card layout)
	f = Extract(LinesFromWords(layout("Họ, chữ đệm, tên:", "NGUYỄN VĂN AN")), birthForm)
	if f["childName"].Value != "NGUYỄN VĂN AN" {
		t.Errorf("name below its label = %q", f["childName"].Value)
	}
}

func TestAbsentNotGuessed(t *testing.T) {
	f := Extract(LinesFromWords(layout(
		"Ngày, tháng, năm sinh: ....................",
		"Số định danh cá nhân: ......................",
		"Số điện thoại: không có",
		"Dân tộc:",
	)), birthForm)
	for _, k := range []string{"birthDate", "id", "phone", "ethnicity", "childName", "motherName", "residence"} {
		if v, ok := f[k]; ok && v.Value != "" && k != "phone" {
			t.Errorf("%s guessed: %+v", k, v)
		}
	}
	if v, ok := f["phone"]; ok && v.Value != "" {
		t.Errorf("phone without digits: %+v", v)
	}
	if len(Extract(nil, birthForm)) != 0 || len(Extract(LinesFromText("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), birthForm)) != 0 {
		t.Error("fields found on a page without labels")
	}
}

func TestSameLabelTwiceTakesItsOccurrencesInOrder(t *testing.T) {
	labels := []Label{{Key: "motherId", Labels: []string{"Số định danh cá nhân"}, Kind: IDNum}, {Key: "fatherId", Labels: []string{"Số định danh cá nhân"}, Kind: IDNum}}
	f := Extract(LinesFromWords(layout("Số định danh cá nhân: 001203004567", "Số định danh cá nhân: 079090001234")), labels)
	if f["motherId"].Value != "001203004567" || f["fatherId"].Value != "079090001234" {
		t.Errorf("%+v", f)
	}
}

func TestCardFrontLayout(t *testing.T) {
	// the 2021 front: the expiry under the photo shares rows with the residence's second line
	lines := LinesFromWords(layout(
		"@400 Họ và tên / Full name:",
		"@400 NGUYÊN HỮU QUẦN",
		"@400 Ngày sinh / Date of birth: 15/01/1990",
		"@400 Giới tính / Sex: Nam Quốc tịch / Nationality: Việt Nam",
		"@400 Quê quán / Place of origin:",
		"@400 Xã Tam Đảo, Huyện Mỹ Đức, Hà Nội",
		"@400 Nơi thường trú / Place of residence: Thôn Đông, Xã Cần Giờ,",
		"Có giá trị đến: Không thời hạn @400 Huyện Củ Chi, Thành phố Hồ Chí Minh",
		"Date of expiry",
	))
	f := extract(lines, cardLabels, 0)
	for k, v := range map[string]string{"fullName": "NGUYỄN HỮU QUÂN", "dateOfBirth": "1990-01-15", "sex": "Nam", "nationality": "Việt Nam",
		"placeOfOrigin": "Xã Tam Đảo, Huyện Mỹ Đức, Hà Nội", "expiryDate": ""} {
		if got, ok := f[k]; !ok || got.Value != v {
			t.Errorf("%s = %+v, want %q", k, got, v)
		}
	}
	if got := f["placeOfResidence"].Value; got != "Thôn Đông, Xã Cần Giờ, Huyện Củ Chi, Thành phố Hồ Chí Minh" {
		t.Errorf("residence = %q", got)
	}
}

func TestFixNameLeavesKnownSyllables(t *testing.T) {
	for in, want := range map[string]string{
		"nguyên hữu quần":   "NGUYỄN HỮU QUÂN",
		"TRẦN THỊ THU THẢO": "TRẦN THỊ THU THẢO",
		"LÊ THỊ THU":        "LÊ THỊ THU",      // THU and THƯ are both names: left as read
		"ƒ-QUÁCH TRỌNG LỘC": "QUÁCH TRỌNG LỘC", // stray marks around the name go
	} {
		if got := FixName(in); got != want {
			t.Errorf("FixName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseLabels(t *testing.T) {
	ls, err := ParseLabels([]byte(`[{"key":"name","label":"Họ, chữ đệm, tên","kind":"text"},{"key":"dob","label":"Ngày sinh","kind":"date"},
		{"key":"id","label":"Số định danh","kind":"idNumber"},{"key":"tel","label":"Điện thoại","kind":"phone"},{"key":"n","label":"Số con","kind":"number"}]`))
	if err != nil || len(ls) != 5 || ls[2].Kind != IDNum || ls[3].Kind != Phone || ls[4].Kind != Number || ls[1].Labels[0] != "Ngày sinh" {
		t.Fatalf("%+v %v", ls, err)
	}
	for name, in := range map[string]string{
		"not JSON":      `key=name`,
		"an object":     `{"key":"a","label":"b","kind":"text"}`,
		"empty array":   `[]`,
		"null":          `null`,
		"unknown kind":  `[{"key":"a","label":"b","kind":"email"}]`,
		"no kind":       `[{"key":"a","label":"b"}]`,
		"no key":        `[{"label":"b","kind":"text"}]`,
		"blank label":   `[{"key":"a","label":"  ","kind":"text"}]`,
		"extra member":  `[{"key":"a","label":"b","kind":"text","regex":".*"}]`,
		"number label":  `[{"key":"a","label":5,"kind":"text"}]`,
		"repeated key":  `[{"key":"a","label":"b","kind":"text"},{"key":"a","label":"c","kind":"date"}]`,
		"trailing data": `[{"key":"a","label":"b","kind":"text"}] []`,
		"not UTF-8":     "[{\"key\":\"a\",\"label\":\"\xff\",\"kind\":\"text\"}]",
	} {
		_, err := ParseLabels([]byte(in))
		if !errors.Is(err, ErrLabels) {
			t.Errorf("%s: %v, want ErrLabels", name, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "tệp nhãn không hợp lệ") || !strings.Contains(msg, "(invalid labels file") {
			t.Errorf("%s: message not bilingual: %s", name, msg)
		}
	}
}

func FuzzParseLabels(f *testing.F) {
	f.Add([]byte(`[{"key":"name","label":"Họ, chữ đệm, tên","kind":"text"}]`))
	f.Add([]byte(`[{"key":"a","label":"b","kind":"email"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"key":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ls, err := ParseLabels(b)
		if err != nil {
			if !errors.Is(err, ErrLabels) {
				t.Fatalf("error not ErrLabels: %v", err)
			}
			return
		}
		if len(ls) == 0 {
			t.Fatal("no labels without error")
		}
		for _, l := range ls {
			if l.Key == "" || len(l.Labels) != 1 || l.Labels[0] == "" {
				t.Fatalf("bad label %+v", l)
			}
		}
		// whatever the labels, extraction terminates and gives NFC values
		for _, v := range Extract(LinesFromText("Họ, chữ đệm, tên: AN\n"+ls[0].Labels[0]+": 12/03/2020"), ls) {
			if !norm.NFC.IsNormalString(v.Value) {
				t.Fatalf("value not NFC: %q", v.Value)
			}
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"15/01/1990", "ngày 05 tháng 03 năm 2024", "Không thời hạn", "31/02/2020", "O5/O3/2O24"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseDate(s)
		if !ok {
			if v != "" {
				t.Fatalf("no date but %q", v)
			}
			return
		}
		if len(v) != 10 || v[4] != '-' || v[7] != '-' {
			t.Fatalf("malformed %q from %q", v, s)
		}
	})
}

// FuzzExtract feeds OCR-like text (outside bytes) to the layout reader and the typed values.
func FuzzExtract(f *testing.F) {
	f.Add("Họ và tên / Full name:\nNGUYỄN VĂN AN\nCó giá trị đến: Không thời hạn")
	f.Add("Nơi cư trú: Số 12 ....\nĐà Nẵng\nSố điện thoại: 0912.345.678")
	f.Add("::::/ / ///\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows := strings.Split(s, "\n")
		all := append(append([]Label{}, birthForm...), cardLabels...)
		for _, lines := range [][]Line{LinesFromText(s), LinesFromWords(layout(rows...))} {
			for k, v := range Extract(lines, all) {
				if !norm.NFC.IsNormalString(v.Value) || v.Conf < 0 || v.Conf > 1 {
					t.Fatalf("%s: %+v", k, v)
				}
			}
		}
	})
}

func FuzzParseMRZ(f *testing.F) {
	f.Add(icaoTD1)
	f.Add(vnTD1("001203004567", "900115", "M", "350115"))
	f.Add("I<<\n<<\n<<")
	f.Add("IDVNM0910055134051091005513<<<0\n9101014M3101012VNM<<<<<<<<<<<8\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMRZ(s)
		if err == nil && m == nil {
			t.Fatal("nil result without error")
		}
		if err != nil {
			return
		}
		if m.Valid && (len(m.BirthDate) != 6 || len(m.ExpiryDate) != 6) {
			t.Fatalf("valid zone with malformed dates %q %q", m.BirthDate, m.ExpiryDate)
		}
		for k, v := range m.Values() {
			if k != "expiryDate" && v.Value == "" || v.Confidence <= 0 || v.Confidence > 1 {
				t.Fatalf("%s: %+v", k, v)
			}
		}
	})
}

func TestFixIDByProvinceAndBirth(t *testing.T) {
	if got := fixID("640057791250", "1957-08-02", "Nam"); got != "040057791250" {
		t.Errorf("fixID = %q, want 040057791250", got)
	}
	// the serial part cannot be checked: nothing is changed there
	if got := fixID("040057791250", "1957-08-02", "Nam"); got != "" {
		t.Errorf("a valid number was changed to %q", got)
	}
	// without a birth date there is nothing to check against
	if got := fixID("640057791250", "", ""); got != "" {
		t.Errorf("fixed without a birth date: %q", got)
	}
}

func TestMRZLineTwoWithFillersLost(t *testing.T) {
	// a card valid without limit: line 2 is mostly fillers, and OCR drops some of them
	zone := strings.Split(vnTD1("034055289524", "551107", "M", "<<<<<<"), "\n")
	short := strings.Replace(zone[1], "<<<<<<<<<<<", "<<<<<", 1)
	short = strings.Replace(short, "M<<<<<<", "M<<<<", 1)
	m, err := ParseMRZ(zone[0] + "\n" + short + "\n" + zone[2])
	if err != nil {
		t.Fatal(err)
	}
	v := m.Values()
	if v["dateOfBirth"].Value != "1955-11-07" || v["expiryDate"].Value != "" || v["sex"].Value != "M" || v["idNumber"].Value != "034055289524" {
		t.Errorf("%q → %+v", short, v)
	}
	if _, ok := v["expiryDate"]; !ok {
		t.Error("expiry absent")
	}
}

func TestCardResidenceLabelBesideTheExpiry(t *testing.T) {
	// the 2024 front: the expiry under the photo shares its row with the residence label
	f := extract(LinesFromWords(layout(
		"@400 Quê quán / Place of origin:",
		"@400 Xã Tam Đảo, Huyện Mỹ Đức, Hà Nội",
		"Có giá trị đến: 15/01/2035 @400 Nơi thường trú / Place of residence: Số 4 đường Hai Bà",
		"Date of expiry @400 Trưng, Phường Đông Ngạc, Huyện Đông Anh, Hà Nội",
	)), cardLabels, 0)
	if got := f["placeOfResidence"].Value; got != "Số 4 đường Hai Bà Trưng, Phường Đông Ngạc, Huyện Đông Anh, Hà Nội" {
		t.Errorf("residence = %q", got)
	}
	if got := f["expiryDate"].Value; got != "2035-01-15" {
		t.Errorf("expiry = %q", got)
	}
	// a label in mid-row, beside other fields: its value does not run on into the row below
	g := Extract(LinesFromWords(layout(
		"Giới tính: Nam Dân tộc: Kinh @700 Quốc tịch: Việt Nam",
		"Nơi sinh: Bệnh viện Đa khoa Xã Tân Phú, Huyện Mỹ Đức, Tỉnh Nghệ An",
	)), []Label{{Key: "nat", Labels: []string{"Quốc tịch"}}, {Key: "place", Labels: []string{"Nơi sinh"}}})
	if g["nat"].Value != "Việt Nam" || g["place"].Value != "Bệnh viện Đa khoa Xã Tân Phú, Huyện Mỹ Đức, Tỉnh Nghệ An" {
		t.Errorf("%+v", g)
	}
}

// TestFoldKeepsRunePositions: Fold is vntext's fold plus the OCR's slashes, rune for rune, so a
// label found in the folded text points at the same runes of the text (in NFC, even from NFD).
func TestFoldKeepsRunePositions(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Ngày sinh", "ngay sinh"},
		{"Số | No.: 001", "so / no.: 001"},
		{`12\05\1990`, "12/05/1990"},
		{"ĐỖ THỊ HỒNG", "do thi hong"},
		{"Nga\u0300y", "ngay"}, // NFD in, four runes out
	} {
		got := Fold(c.in)
		if string(got) != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, string(got), c.want)
		}
		if n := len([]rune(norm.NFC.String(c.in))); len(got) != n {
			t.Errorf("Fold(%q) has %d runes, the text in NFC %d", c.in, len(got), n)
		}
	}
}
