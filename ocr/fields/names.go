package fields

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Common Vietnamese surnames and name syllables (public knowledge of naming, not a list of
// people). A syllable of a name read with a wrong tone or mark ("NGUYÊN" for NGUYỄN, "QUẦN" for
// QUÂN) that is not itself a name syllable is replaced by the only name syllable that differs from
// it by marks alone.
var (
	commonSurnames = strings.Fields(`Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn
		Lâm Mai Trịnh Trương Cao Lưu Tạ Hà Tô Kiều Châu Quách Thái La Lương Phùng Đào Văn Tăng Vương Mạc Hứa Triệu
		Đàm Lạc Khúc Nghiêm Tôn Lò Hầu Giang Chu Khổng Thân Âu Diệp Doãn Lục Ninh Ông Quan Thạch Tống Từ Ung Viên`)
	commonNameSyllables = strings.Fields(`Văn Thị Hữu Đức Minh Quốc Thanh Công Xuân Đình Ngọc Bảo Trọng Thu Kim Phương Mỹ
		Bích Diệu Hồng Khánh Gia Hoài Thùy Thúy Quang Mạnh Tiến Trung Anh An Ân Bình Cường Chiến Dũng Dương Duy Đạt Định Đông
		Giang Hà Hải Hạnh Hào Hiền Hiếu Hiệp Hòa Hoa Hùng Hưng Hương Huy Huyền Khang Khoa Khôi Kiên Lan Linh Loan
		Long Lộc Lợi Lực Mai Nam Ngân Nghĩa Nhân Nhung Oanh Phát Phong Phúc Phụng Phượng Quân Quý Quyên Quỳnh Sang
		Sơn Tài Tâm Tân Thái Thảo Thắng Thành Thịnh Thông Thủy Tín Toàn Trang Trí Trinh Trúc Tú Tuấn Tùng Tuyết
		Uyên Vân Việt Vinh Vũ Vy Yến Chi Dung Diễm Giao Hằng Hậu Khải Lâm Liên Ly My Nga Nguyệt Nhi Như Phú Sinh Tiên
		Trâm Trường Tường Tuệ Ánh Đào Hân Hậu Kiều Lệ Thư Thoa Xuyến Luân Triết`)
	surnameByFold  = byFold(commonSurnames)
	syllableByFold = byFold(commonNameSyllables)
)

func byFold(words []string) map[string][]string {
	m := map[string][]string{}
	for _, w := range words {
		u := strings.ToUpper(w)
		f := string(Fold(u))
		for _, have := range m[f] {
			if have == u {
				u = ""
			}
		}
		if u != "" {
			m[f] = append(m[f], u)
		}
	}
	return m
}

// markWords are the words identifying marks are described with (police vocabulary).
var markWordsByFold = byFold(strings.Fields(`Nốt ruồi Sẹo chấm dài ngang cách trên dưới trước sau cánh mũi mắt đuôi
	đầu lông mày mép trái phải dái tai trán cằm má môi cổ gò phía giữa`))

// FixMarks corrects the marks of words of an identifying-marks text that are not words of that
// vocabulary but have exactly one such word with the same letters ("Seo chấm" → "Sẹo chấm").
func FixMarks(s string) string {
	words := strings.Fields(strings.ReplaceAll(s, "C;", "C:"))
	// noise read before the description: it starts with a word of the vocabulary
	for k := 1; k <= 2 && k < len(words); k++ {
		if markWordsByFold[string(Fold(strings.ToUpper(words[k])))] != nil && markWordsByFold[string(Fold(strings.ToUpper(words[0])))] == nil {
			words = words[k:]
			break
		}
	}
	for i, w := range words {
		core := strings.TrimRight(w, ",.;:")
		cands := markWordsByFold[string(Fold(strings.ToUpper(core)))]
		if len(cands) != 1 || strings.EqualFold(cands[0], core) {
			continue
		}
		fixed := []rune(strings.ToLower(cands[0]))
		if r := []rune(core); len(r) > 0 && r[0] != []rune(strings.ToLower(string(r[0])))[0] {
			fixed[0] = []rune(strings.ToUpper(string(fixed[0])))[0]
		}
		words[i] = string(fixed) + w[len(core):]
	}
	return strings.Join(words, " ")
}

// FixName corrects the marks of a full name read in capitals: the first word against common
// surnames, the others against common name syllables, each only where the reading is not a name
// syllable itself and exactly one name syllable has the same letters.
func FixName(name string) string {
	var words []string
	for _, w := range strings.Fields(norm.NFC.String(name)) {
		w = strings.TrimFunc(w, func(r rune) bool { return !vietLetter(r) })
		ok := w != ""
		for _, r := range w {
			ok = ok && vietLetter(r)
		}
		if ok {
			words = append(words, w)
		}
	}
	for i, w := range words {
		u := strings.ToUpper(w)
		dict := syllableByFold
		if i == 0 {
			dict = surnameByFold
		}
		cands := dict[string(Fold(u))]
		known := false
		for _, c := range cands {
			if c == u {
				known = true
			}
		}
		if !known && i > 0 {
			// a surname-looking syllable inside a name is fine too ("LÊ" as a middle name)
			for _, c := range surnameByFold[string(Fold(u))] {
				if c == u {
					known = true
				}
			}
		}
		if !known && len(cands) == 0 && i == 0 && len(words) > 1 && syllableByFold[string(Fold(u))] == nil {
			// surnames are a closed set: one letter read wrong ("KÝ" for LÝ) is put right when
			// exactly one surname is that close
			cands = nearSurnames(u)
		}
		if !known && len(cands) == 1 {
			words[i] = cands[0]
		} else {
			words[i] = u
		}
	}
	return strings.Join(words, " ")
}

// nearSurnames lists the common surnames one letter away from u, marks aside.
func nearSurnames(u string) []string {
	f := Fold(u)
	var out []string
	for _, s := range commonSurnames {
		g := Fold(s)
		if len(g) != len(f) {
			continue
		}
		d := 0
		for i := range g {
			if g[i] != f[i] {
				d++
			}
		}
		if d == 1 {
			out = append(out, strings.ToUpper(s))
		}
	}
	return out
}
