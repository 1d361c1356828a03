package cardgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Fictional material: names are random combinations of syllables, addresses random combinations
// of place-like words. Some given names are rare on purpose, so that extraction is not helped by
// a dictionary that happens to hold every name the generator can draw.
var (
	surnames   = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Lương", "Tạ", "Quách", "Kiều"}
	middleM    = []string{"Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Đình", "Ngọc", "Bảo", "Trọng"}
	middleF    = []string{"Thị", "Ngọc", "Thu", "Thanh", "Kim", "Phương", "Mỹ", "Bích", "Diệu", "Hồng", "Khánh"}
	givenM     = []string{"An", "Bình", "Cường", "Dũng", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Thắng", "Tuấn", "Việt", "Vinh", "Hiếu", "Khải", "Lộc", "Nghĩa", "Toàn", "Trường", "Duy", "Hải", "Khôi", "Đạt", "Thịnh", "Tường", "Luân", "Triết"}
	givenF     = []string{"Anh", "Chi", "Dung", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Trang", "Tuyết", "Vân", "Yến", "Xuyến", "Diễm", "Loan", "Huyền", "Ngọc", "Thư", "Uyên", "Nguyệt", "Thoa"}
	streets    = []string{"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Phan Chu Trinh", "Quang Trung", "Bạch Đằng", "Hùng Vương", "Lạc Long Quân", "Tô Hiến Thành", "Hoàng Diệu"}
	villages   = []string{"Thôn Đông", "Thôn Trung", "Xóm Bến", "Ấp Mỹ Lợi", "Thôn Phú Hậu", "Bản Nà Lừa", "Xóm Giữa", "Ấp Tân Thạnh", "Tổ 7", "Khu phố 3"}
	wards      = []string{"Phường Hải Châu", "Phường Bến Thành", "Xã Tam Đảo", "Xã Cần Giờ", "Phường Quang Trung", "Xã Hòa Vang", "Phường Đông Ngạc", "Xã Tân Phú", "Phường Vĩnh Ninh", "Xã Nghĩa Đàn", "Thị trấn Phong Điền", "Xã Ea Kar"}
	districts  = []string{"Quận Ba Đình", "Huyện Sóc Sơn", "Quận Hải Châu", "Thành phố Thủ Đức", "Huyện Mỹ Đức", "Thị xã Sơn Tây", "Huyện Củ Chi", "Quận Ninh Kiều", "Huyện Đông Anh", "Thành phố Huế"}
	provinces  = []string{"Hà Nội", "Tỉnh Phú Thọ", "Thành phố Đà Nẵng", "Thành phố Hồ Chí Minh", "Tỉnh Nghệ An", "Tỉnh Thừa Thiên Huế", "Tỉnh Quảng Ngãi", "Thành phố Cần Thơ", "Tỉnh Đắk Lắk", "Tỉnh Lào Cai", "Tỉnh Bình Định", "Tỉnh Thái Bình"}
	provCodes  = []string{"001", "025", "048", "079", "040", "046", "051", "092", "066", "010", "052", "034"}
	marks      = []string{"Nốt ruồi C:1cm dưới trước cánh mũi trái", "Sẹo chấm C:2cm trên sau đuôi mắt phải", "Nốt ruồi C:1,5cm trên trước đầu lông mày trái", "Sẹo chấm C:1cm dưới sau mép phải", "Nốt ruồi C:2cm dưới sau dái tai trái", "Sẹo dài 2cm trên trán phải"}
	hospitals  = []string{"Bệnh viện Phụ sản", "Trạm y tế", "Bệnh viện Đa khoa", "Trung tâm Y tế", "Bệnh viện Nhi"}
	ethnicitys = []string{"Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Ê Đê"}
)

func pick(r *rand.Rand, l []string) string { return l[r.IntN(len(l))] }

// person is one fictional citizen.
type person struct {
	name     string // "Nguyễn Văn An"
	male     bool
	birth    [3]int // day, month, year
	province int
	id       string // 12 digits
}

func randomPerson(r *rand.Rand, fromYear, toYear int) person {
	p := person{male: r.IntN(2) == 0, province: r.IntN(len(provinces))}
	mid, giv := middleF, givenF
	if p.male {
		mid, giv = middleM, givenM
	}
	parts := []string{pick(r, surnames), pick(r, mid)}
	if r.IntN(3) == 0 {
		parts = append(parts, pick(r, giv))
	}
	parts = append(parts, pick(r, giv))
	p.name = strings.Join(parts, " ")
	p.birth = [3]int{1 + r.IntN(28), 1 + r.IntN(12), fromYear + r.IntN(toYear-fromYear+1)}
	g := 2 * ((p.birth[2] - 1900) / 100)
	if !p.male {
		g++
	}
	p.id = fmt.Sprintf("%s%d%02d%06d", provCodes[p.province], g, p.birth[2]%100, r.IntN(1000000))
	return p
}

func randomAddress(r *rand.Rand) string {
	var first string
	if r.IntN(2) == 0 {
		first = fmt.Sprintf("Số %d đường %s", 1+r.IntN(250), pick(r, streets))
	} else {
		first = pick(r, villages)
	}
	return strings.Join([]string{first, pick(r, wards), pick(r, districts), pick(r, provinces)}, ", ")
}

func randomOrigin(r *rand.Rand) string {
	return strings.Join([]string{pick(r, wards), pick(r, districts), pick(r, provinces)}, ", ")
}

func dmy(d [3]int) string { return fmt.Sprintf("%02d/%02d/%04d", d[0], d[1], d[2]) }
func iso(d [3]int) string { return fmt.Sprintf("%04d-%02d-%02d", d[2], d[1], d[0]) }
func yymmdd(d [3]int) string {
	return fmt.Sprintf("%02d%02d%02d", d[2]%100, d[1], d[0])
}

// foldASCII writes a Vietnamese name as the MRZ does: capitals without diacritics, Đ as D.
func foldASCII(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		b.WriteRune(baseLetter(r))
	}
	return b.String()
}

// baseLetter removes Vietnamese diacritics from an upper-case letter.
func baseLetter(r rune) rune {
	groups := []struct {
		base rune
		set  string
	}{
		{'A', "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"}, {'E', "ÈÉẺẼẸÊỀẾỂỄỆ"}, {'I', "ÌÍỈĨỊ"}, {'O', "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
		{'U', "ÙÚỦŨỤƯỪỨỬỮỰ"}, {'Y', "ỲÝỶỸỴ"}, {'D', "Đ"},
	}
	for _, g := range groups {
		if strings.ContainsRune(g.set, r) {
			return g.base
		}
	}
	return r
}

// wrap splits s into lines no wider than width (as measured by w), at spaces.
func wrap(s string, width float64, w func(string) float64) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		try := word
		if cur != "" {
			try = cur + " " + word
		}
		if cur != "" && w(try) > width {
			lines = append(lines, cur)
			cur = word
			continue
		}
		cur = try
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
