package vnkey

import "testing"

func TestVNI(t *testing.T) {
	runType(t, VNI, Options{}, []typeCase{
		{"a6", "â"}, {"e6", "ê"}, {"o6", "ô"}, {"a8", "ă"}, {"o7", "ơ"}, {"u7", "ư"}, {"d9", "đ"},
		{"a1", "á"}, {"a2", "à"}, {"a3", "ả"}, {"a4", "ã"}, {"a5", "ạ"}, {"a10", "a"}, {"a0", "a0"},
		{"Tie61ng Vie65t", "Tiếng Việt"}, {"tie6ng1", "tiếng"}, {"tieng1", "tiếng"},
		{"Vie6t5", "Việt"}, {"VIE65T", "VIỆT"}, {"D9a2", "Đà"}, {"d9uo7c5", "được"},
		{"nguo7i2", "người"}, {"ngu7o7i2", "người"}, {"ruou75", "rượu"}, {"thuo73", "thuở"},
		{"hoa2", "hoà"}, {"hoa2n", "hoàn"}, {"quy3", "quỷ"}, {"gi2", "gì"}, {"gia2", "già"},
		{"hoa8c5", "hoặc"}, {"cu7u1", "cứu"}, {"Nguye6n4", "Nguyễn"},
		// double key undoes
		{"a11", "a1"}, {"a66", "a6"}, {"d99", "d9"}, {"u77", "u7"}, {"uo77", "uo7"},
		// digits that cannot apply stay digits
		{"2024", "2024"}, {"so61 12a", "số 12a"}, {"Q1", "Q1"}, {"phong2 12", "phòng 12"},
		{"b1", "b1"}, {"0123456789", "0123456789"}, {"x1y", "x1y"},
		// not Vietnamese
		{"https1", "https1"}, {"user1@example.com", "user1@example.com"},
	})
	runType(t, VNI, Options{OldStyle: true}, []typeCase{
		{"hoa2", "hòa"}, {"hoa2n", "hoàn"}, {"thuy3", "thủy"}, {"khoe3", "khỏe"},
	})
}

func TestVIQR(t *testing.T) {
	runType(t, VIQR, Options{}, []typeCase{
		{"a^", "â"}, {"e^", "ê"}, {"o^", "ô"}, {"a(", "ă"}, {"o+", "ơ"}, {"u+", "ư"}, {"dd", "đ"},
		{"a'", "á"}, {"a`", "à"}, {"a?", "ả"}, {"a~", "ã"}, {"a.", "ạ"}, {"a'`", "á`"},
		{"Tie^'ng Vie^.t", "Tiếng Việt"}, {"DDa`", "Đà"}, {"Ddu+o+.c", "Được"},
		{"u+o+`ng", "ường"}, {"uo+`ng", "ường"}, {"ngu+o+`i", "người"}, {"hoa(.c", "hoặc"},
		{"hoa`", "hoà"}, {"hoa`n", "hoàn"}, {"ho`a", "hoà"}, {"hoa`ng", "hoàng"},
		// marks that cannot apply are punctuation
		{"xin cha`o.", "xin chào."}, {"Ba.n khoe? kho^ng?", "Bạn khoẻ không?"},
		{"Vie^t.", "Viêt."}, {"Ha`-No^.i", "Hà-Nội"}, {"dd.", "đ."}, {"ad^", "ad^"},
		{"a-b", "a-b"}, {"(a)", "(a)"}, {"b.", "b."}, {"?", "?"}, {"1+1", "1+1"}, {"ho(", "ho("},
		// a backslash escapes the mark key after a word
		{`Viet\.`, "Viet."}, {`to^i\?`, "tôi?"}, {`a\b`, `a\b`}, {`\.`, `\.`}, {`a\\`, `a\\`},
		// double key undoes
		{"a''", "a'"}, {"a^^", "a^"},
	})
}
