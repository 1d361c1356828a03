package vnkey

import "testing"

type typeCase struct {
	in, want string
}

func runType(t *testing.T, m Method, o Options, cases []typeCase) {
	t.Helper()
	for _, c := range cases {
		e := New(m, o)
		for _, r := range c.in {
			e.Key(r)
		}
		e.Commit()
		if got := e.Text(); got != c.want {
			t.Errorf("%v %+v: %q → %q, want %q", m, o, c.in, got, c.want)
		}
	}
}

func TestContract(t *testing.T) {
	if got := Type(Telex, "Tieesng Vieejt"); got != "Tiếng Việt" {
		t.Errorf("Telex: got %q", got)
	}
	if got := Type(VNI, "Tie61ng Vie65t"); got != "Tiếng Việt" {
		t.Errorf("VNI: got %q", got)
	}
	if got := Type(VIQR, "Tie^'ng Vie^.t"); got != "Tiếng Việt" {
		t.Errorf("VIQR: got %q", got)
	}
}

func TestTelexMarks(t *testing.T) {
	runType(t, Telex, Options{}, []typeCase{
		{"aa", "â"}, {"ee", "ê"}, {"oo", "ô"}, {"aw", "ă"}, {"ow", "ơ"}, {"uw", "ư"}, {"dd", "đ"},
		{"caan", "cân"}, {"beenh", "bênh"}, {"tooi", "tôi"}, {"awn", "ăn"}, {"mow", "mơ"},
		{"uow", "uơ"}, {"thuow", "thuơ"}, {"huouw", "hươu"}, {"ddi", "đi"},
		{"truwowng", "trương"}, {"truowng", "trương"}, {"truongw", "trương"}, {"truwong", "trương"},
		{"nguwowif", "người"}, {"nguoiwf", "người"}, {"dduwowcj", "được"},
		{"hoawcj", "hoặc"}, {"muwa", "mưa"}, {"cuwus", "cứu"}, {"quaw", "quaw"}, {"quawn", "quăn"},
		// free marking: the mark key after the final consonant
		{"tieng", "tieng"}, {"tienge", "tiêng"}, {"tiengee", "tienge"}, {"ddc", "đc"}, {"caan", "cân"}, {"cana", "cân"},
		{"dadf", "đà"}, {"nguyeenx", "nguyễn"}, {"nguyenxe", "nguyễn"},
		// lone w → ư
		{"w", "ư"}, {"nhwng", "nhưng"}, {"tw", "tư"}, {"W", "Ư"}, {"ww", "w"}, {"www", "ww"},
		{"wa", "ưa"}, {"dwa", "dưa"},
		// ươ + o gives uô
		{"uowon", "uôn"}, {"uowo", "uowo"}, {"muowon", "muôn"},
	})
}

func TestTelexTones(t *testing.T) {
	runType(t, Telex, Options{}, []typeCase{
		{"as", "á"}, {"af", "à"}, {"ar", "ả"}, {"ax", "ã"}, {"aj", "ạ"},
		{"asf", "à"}, {"asz", "a"}, {"az", "az"}, {"aszz", "az"},
		// free tone marking
		{"tiengs", "tiếng"}, {"tieesng", "tiếng"}, {"tieengs", "tiếng"},
		{"Vieetj", "Việt"}, {"Vieejt", "Việt"}, {"vieejt", "việt"}, {"Vietj", "Việt"},
		{"yeeu", "yêu"}, {"yeus", "yếu"}, {"tieuf", "tiều"}, {"tieu", "tieu"},
		// the tone moves as the word grows
		{"hoaf", "hoà"}, {"hoafn", "hoàn"}, {"hoafng", "hoàng"}, {"hoanf", "hoàn"},
		{"ngoaif", "ngoài"}, {"ngoafi", "ngoài"}, {"tuyeetj", "tuyệt"},
		// qu, gi
		{"quas", "quá"}, {"quyr", "quỷ"}, {"quyeets", "quyết"}, {"giaf", "già"}, {"gif", "gì"},
		{"gifn", "gìn"}, {"giuwx", "giữ"}, {"gieengs", "giếng"}, {"quoocs", "quốc"},
		// ươ, uơ
		{"ruouwj", "rượu"}, {"thuowr", "thuở"}, {"muwowns", "mướn"}, {"tuwowir", "tưởi"},
		// marked vowel first
		{"cuwar", "cửa"}, {"gwir", "gửi"}, {"taanf", "tần"}, {"khuaays", "khuấy"},
		// oa oe uy without a final (new style) and with one
		{"hoaf", "hoà"}, {"khoer", "khoẻ"}, {"thuyr", "thuỷ"}, {"hoanf", "hoàn"},
		{"loets", "loét"}, {"huyts", "huýt"}, {"khoangr", "khoảng"}, {"huynhf", "huỳnh"},
		// the second-to-last vowel otherwise
		{"mias", "mía"}, {"muas", "múa"}, {"tuis", "túi"}, {"mayf", "mày"}, {"caos", "cáo"},
		{"khuyur", "khuỷu"}, {"ngoeoj", "ngoẹo"},
		// double key undoes
		{"ass", "as"}, {"asss", "ass"}, {"aaa", "aa"}, {"aaaa", "aaa"}, {"ddd", "dd"}, {"dddd", "ddd"},
		{"aww", "aw"}, {"uww", "uw"}, {"uoww", "uow"}, {"booong", "boong"}, {"booongf", "boòng"},
		{"tieesngs", "tiêngs"},
		// capitals
		{"VIEEJT", "VIỆT"}, {"Ddaf", "Đà"}, {"DDaf", "Đà"}, {"NGUYEENX", "NGUYỄN"},
		{"TRUWOWNGF", "TRƯỜNG"}, {"HoAF", "HoÀ"}, {"ASS", "AS"}, {"AAA", "AA"},
	})
}

func TestOldStyle(t *testing.T) {
	runType(t, Telex, Options{OldStyle: true}, []typeCase{
		{"hoaf", "hòa"}, {"hoafn", "hoàn"}, {"khoer", "khỏe"}, {"thuyr", "thủy"},
		{"hoanf", "hoàn"}, {"loets", "loét"}, {"huyts", "huýt"}, {"quyr", "quỷ"},
		{"ngoaif", "ngoài"}, {"tuyeetj", "tuyệt"}, {"mias", "mía"},
	})
}

func TestNotVietnamese(t *testing.T) {
	runType(t, Telex, Options{}, []typeCase{
		{"https", "https"}, {"xyz", "xyz"}, {"ns", "ns"}, {"s", "s"}, {"f", "f"}, {"z", "z"},
		{"user@example.com", "user@example.com"}, {"nguyen.van.a@gmail.com", "nguyen.van.a@gmail.com"},
		{"https://dichvucong.gov.vn", "https://dichvucong.gov.vn"},
		{"Google", "Google"}, {"Facebook", "Facebook"}, {"iPhone", "iPhone"}, {"Zoom", "Zoom"},
		{"Hanna", "Hanna"}, {"email", "email"}, {"fans", "fans"}, {"dead", "dead"}, {"add", "add"},
		{"hello world", "hello world"}, {"class", "class"}, {"pass", "pas"}, {"passs", "pass"},
		{"we", "we"}, {"Windows", "Windows"},
	})
}

func TestSeparators(t *testing.T) {
	runType(t, Telex, Options{}, []typeCase{
		{"Tieesng Vieejt", "Tiếng Việt"},
		{"xin chaof, tooi teen Nam.", "xin chào, tôi tên Nam."},
		{"as-bs", "á-bs"}, {"a1s", "a1s"}, {"(hoaf)", "(hoà)"}, {"as\nas", "á\ná"},
		{"Hà Nội", "Hà Nội"}, {"Tiếng Việt có dấu", "Tiếng Việt có dấu"},
		{"ơs", "ớ"}, {"Đaf", "Đà"}, {"tieeng", "tiêng"},
		{"số 12a", "số 12a"}, {"2024", "2024"}, {"  ", "  "},
	})
}
