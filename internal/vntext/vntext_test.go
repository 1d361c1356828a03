package vntext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Hoà Bình", "hoa binh"}, {"hòa binh", "hoa binh"}, {"ĐẶNG Văn Đức", "dang van duc"},
		{"Trường", "truong"}, {"Nguyễn", "nguyen"}, {"abc 123", "abc 123"}, {"", ""},
		{norm.NFD.String("Hoà Bình"), "hoa binh"}, {"Müller", "muller"},
		{"  ĐĂNG \t KÝ\n", "dang ky"}, {"GIẤY CHỨNG SINH", "giay chung sinh"},
	} {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Different letters stay different: marks are removed, letters are not merged.
	for _, pair := range [][2]string{{"Đà", "Da Nang"}, {"Hà Nội", "Hà Nam"}, {"lê", "le van"}} {
		if Fold(pair[0]) == Fold(pair[1]) {
			t.Errorf("Fold(%q) == Fold(%q)", pair[0], pair[1])
		}
	}
}

func TestFoldRunesKeepsPositions(t *testing.T) {
	in := norm.NFD.String("Ngày  sinh: Đà Nẵng")
	got := FoldRunes(in)
	if string(got) != "ngay  sinh: da nang" {
		t.Errorf("FoldRunes = %q", string(got))
	}
	if len(got) != utf8.RuneCountInString(norm.NFC.String(in)) {
		t.Errorf("FoldRunes gave %d runes for %d", len(got), utf8.RuneCountInString(norm.NFC.String(in)))
	}
}

func TestASCII(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"Lệ phí đăng ký khai sinh", "Le phi dang ky khai sinh", true},
		{"ĐẶNG  Văn\tĐức", "DANG Van Duc", true},
		{"Phí “khai sinh” – hồ sơ", "Phi \"khai sinh\" - ho so", true},
		{"Phí 50.000₫", "Phi 50.000", false},
		{"hồ sơ 日本", "ho so", false},
		{"", "", true},
	} {
		if got, ok := ASCII(c.in); got != c.want || ok != c.ok {
			t.Errorf("ASCII(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Hoà Bình", "ĐẶNG  Văn Đức", "\xff\xfe", "a\u0301\u0323", "  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := Fold(s)
		if Fold(folded) != folded {
			t.Fatalf("Fold(%q) = %q is not a fixed point", s, folded)
		}
		if strings.Contains(folded, "  ") || strings.TrimSpace(folded) != folded {
			t.Fatalf("Fold(%q) = %q keeps extra spaces", s, folded)
		}
		if len(FoldRunes(s)) != utf8.RuneCountInString(norm.NFC.String(s)) {
			t.Fatalf("FoldRunes(%q) changed the rune count", s)
		}
		a, _ := ASCII(s)
		for i := 0; i < len(a); i++ {
			if a[i] < 0x20 || a[i] > 0x7E {
				t.Fatalf("ASCII(%q) = %q holds byte %#x", s, a, a[i])
			}
		}
	})
}
