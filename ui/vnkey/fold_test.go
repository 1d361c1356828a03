package vnkey

import (
	"errors"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		in   string
		old  bool
		want string
	}{
		{"hòa", false, "hoà"}, {"hoà", true, "hòa"}, {"hoà", false, "hoà"},
		{"Hòa Bình, thủy khỏe", false, "Hoà Bình, thuỷ khoẻ"},
		{"Hoà Bình, thuỷ khoẻ", true, "Hòa Bình, thủy khỏe"},
		{"hoàn", true, "hoàn"}, {"hòan", false, "hòan"}, // with a final: left alone
		{"mía", false, "mía"}, {"quý", true, "quý"}, {"HÒA", false, "HOÀ"},
		{norm.NFD.String("hòa"), false, "hoà"}, {"hoá học", true, "hóa học"},
		{"xyz", false, "xyz"}, {"", false, ""}, {"Б", false, "Б"},
	} {
		check(t, "Normalize("+c.in+")", Normalize(c.in, Options{OldStyle: c.old}), c.want)
	}
}

func TestSameWord(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"hòa", "hoà", true}, {"thủy", "thuỷ", true}, {"Khỏe", "Khoẻ", true},
		{norm.NFD.String("hòa"), "hoà", true}, {"Hòa Bình", "Hoà Bình", true},
		{"hòa", "hóa", false}, {"hòa", "hoa", false}, {"Hòa", "hoà", false}, {"hoàn", "hòan", false},
	} {
		if got := SameWord(c.a, c.b); got != c.same {
			t.Errorf("SameWord(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
