package fields

import (
	"strings"
	"testing"
)

// The specimen TD1 zone of ICAO 9303 part 5.
const icaoTD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"

func TestCheckDigitICAO(t *testing.T) {
	for s, want := range map[string]byte{"D23145890": '7', "740812": '2', "120415": '9'} {
		if got := CheckDigit(s); got != want {
			t.Errorf("CheckDigit(%q) = %c, want %c", s, got, want)
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

// vnTD1 builds a CCCD-style zone with correct check digits from synthetic values.
func vnTD1(id, birth, expiry string) string {
	doc := id[3:]
	opt := id + "<<<"
	l1 := "IDVNM" + doc + string(CheckDigit(doc)) + opt
	l2a := birth + string(CheckDigit(birth)) + "M" + expiry + string(CheckDigit(expiry)) + "VNM" + "<<<<<<<<<<<"
	comp := l1[5:30] + l2a[0:7] + l2a[8:15] + l2a[18:29]
	l2 := l2a + string(CheckDigit(comp))
	return l1 + "\n" + l2 + "\nNGUYEN<<VAN<AN<<<<<<<<<<<<<<<<"
}

func TestParseMRZCorrectsConfusions(t *testing.T) {
	clean := vnTD1("001203004567", "900115", "350115")
	m, err := ParseMRZ(clean)
	if err != nil || !m.Valid {
		t.Fatalf("clean zone: %+v %v", m, err)
	}
	// OCR confusions: O for 0, I for 1, S for 5, B for 8, Z for 2, « for <, digits in the name.
	lines := strings.Split(clean, "\n")
	bad1 := strings.NewReplacer("0", "O", "2", "Z").Replace(lines[0][5:])
	bad2 := strings.NewReplacer("1", "I", "5", "S").Replace(lines[1][:15]) + lines[1][15:]
	bad3 := strings.NewReplacer("<", "«", "A", "4").Replace(lines[2])
	m, err = ParseMRZ("IDVNM" + bad1 + "\n" + bad2 + "\n" + bad3)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Valid || !m.Corrected || m.Conf != 0.9 {
		t.Errorf("valid %v corrected %v conf %v: %+v", m.Valid, m.Corrected, m.Conf, m)
	}
	if m.DocNumber != "203004567" || m.Optional1 != "001203004567" || m.BirthDate != "900115" || m.ExpiryDate != "350115" {
		t.Errorf("fields %+v", m)
	}
	if m.Surname != "NGUYEN" || m.GivenNames != "VAN AN" {
		t.Errorf("name %q %q", m.Surname, m.GivenNames)
	}
	// A real digit error cannot be corrected and must not pass.
	wrong := strings.Replace(clean, "900115", "900116", 1)
	m, err = ParseMRZ(wrong)
	if err != nil || m.Valid || m.Conf != 0.3 {
		t.Errorf("wrong digit accepted: %+v %v", m, err)
	}
	if _, err := ParseMRZ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"); err != ErrNoMRZ {
		t.Errorf("no zone: %v", err)
	}
}

func TestFormFieldsWrongTones(t *testing.T) {
	text := `TỜ KHAI ĐĂNG KÝ KHAI SINH
Họ, chừ đêm, tên người yêu cầu: TRẦN THỊ MAI ..............
Ngảy, thang, năm sinh: 05/O3/1978 .........
Số đinh danh cá nhăn: 0O1203OO4567
Nơi cư trù: Số 12 đường Lê Lợi, Phường Hải Châu
Giới tinh: Nữ`
	f := Extract(LinesFromText(text), FormLabels)
	want := map[string]string{
		"full_name":  "TRẦN THỊ MAI",
		"birth_date": "1978-03-05",
		"id_number":  "001203004567",
		"residence":  "Số 12 đường Lê Lợi, Phường Hải Châu",
		"sex":        "Nữ",
	}
	for k, v := range want {
		if f[k].Value != v {
			t.Errorf("%s = %q, want %q", k, f[k].Value, v)
		}
		if f[k].Conf <= 0.5 {
			t.Errorf("%s: confidence %v", k, f[k].Conf)
		}
	}
}

func TestCCCDFront(t *testing.T) {
	text := `CĂN CƯỚC CÔNG DÂN
Số định danh cá nhân / Personal identification number: 001203004567
Họ và tên / Full name:
LÊ VĂN HÙNG
Ngày sinh / Date of birth: 15/01/1990
Giới tính / Sex: Nam Quốc tịch / Nationality: Việt Nam
Quê quán / Place of origin:
Xã Tam Đảo, Tỉnh Phú Thọ
Nơi thường trú / Place of residence:
Thôn Đông, Xã Cần Giờ
Có giá trị đến / Date of expiry: 15/01/2035`
	f := Extract(LinesFromText(text), CCCDFrontLabels)
	for k, v := range map[string]string{
		"id_number": "001203004567", "full_name": "LÊ VĂN HÙNG", "birth_date": "1990-01-15", "sex": "Nam",
		"nationality": "Việt Nam", "place_of_origin": "Xã Tam Đảo, Tỉnh Phú Thọ", "residence": "Thôn Đông, Xã Cần Giờ",
		"expiry_date": "2035-01-15",
	} {
		if f[k].Value != v {
			t.Errorf("%s = %q, want %q", k, f[k].Value, v)
		}
	}
	// A date that does not parse gets low confidence.
	f = Extract(LinesFromText("Ngày sinh: 45/13/19"), FormLabels)
	if f["birth_date"].Conf >= 0.5 {
		t.Errorf("invalid date confidence %v", f["birth_date"].Conf)
	}
}

func FuzzParseMRZ(f *testing.F) {
	f.Add(icaoTD1)
	f.Add(vnTD1("001203004567", "900115", "350115"))
	f.Add("I<<\n<<\n<<")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMRZ(s)
		if err == nil && m == nil {
			t.Fatal("nil result without error")
		}
		if err == nil && m.Valid && (len(m.BirthDate) != 6 || len(m.ExpiryDate) != 6 || strings.Trim(m.BirthDate+m.ExpiryDate, "0123456789") != "") {
			t.Fatalf("valid zone with malformed dates %q %q", m.BirthDate, m.ExpiryDate)
		}
	})
}
