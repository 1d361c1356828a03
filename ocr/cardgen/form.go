package cardgen

import (
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"strings"
)

// LabelSpec is one entry of a labels file (the --labels FILE of kioskctl ocr --fields form).
type LabelSpec struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Kind  string `json:"kind"`
}

// FormLabels are the labels of the generated birth registration request. Several share a
// beginning ("Họ, chữ đệm, tên" and "Họ, chữ đệm, tên người mẹ"; "Số định danh cá nhân" and
// "Số định danh cá nhân của cha"; "Năm sinh" inside "Ngày, tháng, năm sinh"), so that the longest
// matching label must win.
var FormLabels = []LabelSpec{
	{"requesterName", "Họ, chữ đệm, tên người yêu cầu", "text"},
	{"requesterId", "Số định danh cá nhân", "idNumber"},
	{"requesterResidence", "Nơi cư trú", "text"},
	{"phone", "Số điện thoại", "phone"},
	{"relation", "Quan hệ với người được khai sinh", "text"},
	{"childName", "Họ, chữ đệm, tên", "text"},
	{"childBirthDate", "Ngày, tháng, năm sinh", "date"},
	{"childSex", "Giới tính", "text"},
	{"childEthnicity", "Dân tộc", "text"},
	{"childNationality", "Quốc tịch", "text"},
	{"birthPlace", "Nơi sinh", "text"},
	{"motherName", "Họ, chữ đệm, tên người mẹ", "text"},
	{"motherBirthYear", "Năm sinh", "number"},
	{"fatherName", "Họ, chữ đệm, tên người cha", "text"},
	{"fatherId", "Số định danh cá nhân của cha", "idNumber"},
}

// Form is one generated, filled form with the values extraction should find, by FormLabels key.
type Form struct {
	Seed  uint64
	Image *image.RGBA
	DPI   float64
	Truth map[string]string
}

// Form renders the filled birth registration request of a seed at dpi.
func (g *Generator) Form(seed uint64, dpi float64) *Form {
	r := rand.New(rand.NewPCG(seed, 0xf0f0))
	cv := newCanvas(210, 297, dpi, color.RGBA{252, 252, 250, 255})
	fam := g.serif[r.IntN(len(g.serif))]
	// values: typed in a sans face, or hand-like in a slanted face with blue ink and a wobbly baseline
	vfam := g.sans[r.IntN(len(g.sans))]
	vfont, vcol, hand := vfam.regular, ink, r.IntN(2) == 0
	if hand {
		vfont, vcol = vfam.italic, color.RGBA{30, 45, 150, 255}
	}
	pt, vpt := 12.5, 12.5
	left, right := 20.0, 195.0
	pitch := 8.5

	mother := randomPerson(r, 1975, 2004)
	for mother.male {
		mother = randomPerson(r, 1975, 2004)
	}
	father := randomPerson(r, 1970, 2003)
	for !father.male {
		father = randomPerson(r, 1970, 2003)
	}
	child := randomPerson(r, 2023, 2025)
	requester := mother
	relation := "Mẹ"
	if r.IntN(3) == 0 {
		requester, relation = father, "Cha"
	}
	mName := strings.ToUpper(mother.name)
	fName := strings.ToUpper(father.name)
	cName := strings.ToUpper(child.name)
	phone := fmt.Sprintf("09%d%07d", 1+r.IntN(8), r.IntN(10000000))
	phoneText := phone
	switch r.IntN(3) {
	case 0:
		phoneText = phone[:4] + " " + phone[4:7] + " " + phone[7:]
	case 1:
		phoneText = phone[:4] + "." + phone[4:7] + "." + phone[7:]
	}
	birthText := dmy(child.birth)
	if r.IntN(2) == 0 {
		birthText = fmt.Sprintf("ngày %02d tháng %02d năm %04d", child.birth[0], child.birth[1], child.birth[2])
	}
	sex := "Nữ"
	if child.male {
		sex = "Nam"
	}
	residence := randomAddress(r)
	birthPlace := pick(r, hospitals) + " " + randomOrigin(r)
	ethnicity := pick(r, ethnicitys)
	reqName := mName
	if relation == "Cha" {
		reqName = fName
	}
	f := &Form{Seed: seed, DPI: dpi, Truth: map[string]string{
		"requesterName": reqName, "requesterId": requester.id, "requesterResidence": residence, "phone": phone,
		"relation": relation, "childName": cName, "childBirthDate": iso(child.birth), "childSex": sex,
		"childEthnicity": ethnicity, "childNationality": "Việt Nam", "birthPlace": birthPlace,
		"motherName": mName, "motherBirthYear": fmt.Sprint(mother.birth[2]), "fatherName": fName, "fatherId": father.id,
	}}

	center := func(bold bool, size, y float64, s string) {
		ft := fam.regular
		if bold {
			ft = fam.bold
		}
		cv.text(ft, size, ink, 105-cv.width(ft, size, s)/2, y, s)
	}
	center(true, 12.5, 20, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	center(true, 12.5, 26, "Độc lập - Tự do - Hạnh phúc")
	center(true, 14.5, 40, "TỜ KHAI ĐĂNG KÝ KHAI SINH")
	y := 52.0
	cv.text(fam.regular, pt, ink, 45, y, "Kính gửi: Ủy ban nhân dân "+strings.SplitN(randomOrigin(r), ",", 2)[0])
	y += pitch + 2

	leader := func(x0, x1, y float64) {
		for x := x0 + 0.8; x < x1-0.5; x += 1.6 {
			cv.rect(x, y-0.25, x+0.35, y+0.1, ink)
		}
	}
	// value draws v from x at baseline y and returns where it ends
	value := func(x, y float64, v string) float64 {
		if !hand {
			return cv.text(vfont, vpt, vcol, x, y, v)
		}
		for i, w := range strings.Fields(v) {
			if i > 0 {
				x += cv.width(vfont, vpt, " ")
			}
			x = cv.text(vfont, vpt, vcol, x, y+0.5*(r.Float64()-0.5), w)
		}
		return x
	}
	vw := func(s string) float64 { return cv.width(vfont, vpt, s) }
	// row writes "label: value ....." and wraps the value onto further lines
	row := func(label, v string) {
		e := cv.text(fam.regular, pt, ink, left, y, label+":")
		first := wrap(v, right-e-3, vw)
		rest := strings.TrimSpace(strings.TrimPrefix(v, first[0]))
		end := value(e+2, y, first[0])
		for _, l := range wrap(rest, right-left, vw) {
			leader(end, right, y)
			y += pitch
			end = value(left, y, l)
		}
		leader(end, right, y)
		y += pitch
	}
	// several short fields on one line
	multi := func(pairs ...[2]string) {
		x := left
		for i, p := range pairs {
			e := cv.text(fam.regular, pt, ink, x, y, p[0]+":")
			end := value(e+2, y, p[1])
			next := right
			if i+1 < len(pairs) {
				next = left + (right-left)*float64(i+1)/float64(len(pairs))
			}
			leader(end, next-1, y)
			x = next
		}
		y += pitch
	}
	row("Họ, chữ đệm, tên người yêu cầu", reqName)
	row("Số định danh cá nhân", requester.id)
	row("Nơi cư trú", residence)
	multi([2]string{"Số điện thoại", phoneText}, [2]string{"Quan hệ với người được khai sinh", relation})
	y += 2
	cv.text(fam.bold, pt, ink, left, y, "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:")
	y += pitch
	row("Họ, chữ đệm, tên", cName)
	row("Ngày, tháng, năm sinh", birthText)
	multi([2]string{"Giới tính", sex}, [2]string{"Dân tộc", ethnicity}, [2]string{"Quốc tịch", "Việt Nam"})
	row("Nơi sinh", birthPlace)
	row("Họ, chữ đệm, tên người mẹ", mName)
	row("Năm sinh", fmt.Sprint(mother.birth[2]))
	row("Họ, chữ đệm, tên người cha", fName)
	row("Số định danh cá nhân của cha", father.id)
	y += 2
	for _, l := range wrap("Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa thuận nhất trí của các bên liên quan theo quy định pháp luật.", right-left-10, func(s string) float64 { return cv.width(fam.regular, pt, s) }) {
		cv.text(fam.regular, pt, ink, left+10, y, l)
		y += pitch - 1.5
	}
	y += pitch
	cv.text(fam.italic, pt, ink, 110, y, fmt.Sprintf("Làm tại: %s, ngày %d tháng %d năm %d", pick(r, []string{"Hà Nội", "Huế", "Đà Nẵng", "Vinh", "Cần Thơ"}), 1+r.IntN(28), 1+r.IntN(12), 2025))
	y += pitch
	cv.text(fam.bold, pt, ink, 135, y, "Người yêu cầu")
	cv.text(fam.italic, pt-1, ink, 130, y+5, "(Ký, ghi rõ họ, chữ đệm, tên)")
	f.Image = cv.img
	return f
}
