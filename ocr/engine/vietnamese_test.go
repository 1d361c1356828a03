package engine

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestIsSyllable(t *testing.T) {
	good := []string{"a", "ý", "gì", "giữ", "giếng", "quốc", "quyết", "khuya", "nghiêng", "người", "Hạnh", "phúc",
		"NGHĨA", "Việt", "đường", "xoong", "huỳnh", "rượu", "oanh", "kìa", "thuở", "Đặng", "hộ", "trưởng", "uống", "khuếch", "ke", "ghét", "kha",
		"Vie\u0323\u0302t"} // NFD input
	bad := []string{"", "cv", "nh", "ci", "kă", "ngi", "ngê", "ghá", "cé", "qa", "fax", "abc", "tt", "mạt́", "hoàng8",
		"bả́", "hàt", "sẻp", "kan", "ghô", "ST", "quu", "Wi"}
	for _, s := range good {
		if !IsSyllable(s) {
			t.Errorf("IsSyllable(%q) = false, want true", s)
		}
	}
	for _, s := range bad {
		if IsSyllable(s) {
			t.Errorf("IsSyllable(%q) = true, want false", s)
		}
	}
}

func TestClassifierKinds(t *testing.T) {
	c := NewClassifier()
	cases := map[string]TokenKind{
		"Hạnh":                           Syllable,
		"phúc,":                          Syllable,
		"(Ký,":                           Syllable,
		"Độc-lập":                        Syllable,
		"123/QĐ-UBND":                    NumberCode,
		"01/01/1990":                     NumberCode,
		"CCCD":                           NumberCode,
		"IDVNM0790123456001079012345<<4": NumberCode,
		"12A":                            NumberCode,
		"-":                              Punctuation,
		"........":                       Punctuation,
		`cv"`:                            Junk,
		"_":                              Punctuation,
		"nh.":                            Junk,
		"ci":                             Junk,
		"ǁ|l":                            Junk,
		"Xxqz":                           Junk,
		"HồHữu":                          Syllable,
		"Láixe":                          Syllable,
		"Cậnngho":                        Junk,
		"nea":                            Latin,
		"Nationality":                    Latin,
		"residence:":                     Latin,
		"of":                             Latin,
		"Place":                          Latin,
		"lll":                            Junk,
		"tnnnn":                          Junk,
		"<<<<":                           NumberCode,
		"IDVNM0790":                      NumberCode,
		"NGUYEN<<VAN<AN<<<<<<":           NumberCode,
	}
	for w, want := range cases {
		if got := c.Kind(w); got != want {
			t.Errorf("Kind(%q) = %d, want %d", w, got, want)
		}
	}
}

// The checker takes any text Tesseract may produce: no panic, and the same answer for NFC and NFD.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"Hạnh", "nghiêng", "123/QĐ-UBND", "IDVNM0790123456001079012345<<4", `cv"`, "", "\u0300a", "ó\u0302", "........"} {
		f.Add(s)
	}
	c := NewClassifier()
	f.Fuzz(func(t *testing.T, s string) {
		k := c.Kind(s)
		if k < Junk || k > Latin {
			t.Fatalf("kind %d", k)
		}
		if IsSyllable(s) != IsSyllable(norm.NFD.String(s)) || IsSyllable(s) != IsSyllable(norm.NFC.String(s)) {
			t.Fatalf("NFC/NFD disagree on %q", s)
		}
	})
}
