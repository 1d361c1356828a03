package cardgen

import (
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"strings"

	"github.com/tramso/tramso/drivers/mrtd/lds"
)

// Card is one generated ID card, both sides, with what extraction should find on each.
type Card struct {
	Seed        uint64
	Layout      string // "2021" (Căn cước công dân) or "2024" (Căn cước)
	Front, Back *image.RGBA
	DPI         float64
	// FrontTruth holds the front's fields by their contract keys (idNumber, fullName, …);
	// expiryDate is "" on a card valid without limit ("Không thời hạn").
	FrontTruth map[string]string
	// BackTruth holds issueDate and identifyingMarks.
	BackTruth map[string]string
	// MRZTruth holds the zone's documentNumber, idNumber, dateOfBirth, expiryDate (YYYY-MM-DD) and
	// sex (M or F).
	MRZTruth map[string]string
	MRZ      [3]string
}

var (
	ink     = color.RGBA{25, 25, 35, 255}
	idRed   = color.RGBA{200, 25, 30, 255}
	sealRed = color.RGBA{215, 60, 60, 255}
)

// cardW and cardH are the ID-1 card size in millimetres.
const cardW, cardH = 85.6, 53.98

// Card renders the card of a seed at dpi (300 for the tests).
func (g *Generator) Card(seed uint64, dpi float64) *Card {
	r := rand.New(rand.NewPCG(seed, 0xcccd))
	p := randomPerson(r, 1950, 2005)
	issue := [3]int{1 + r.IntN(28), 1 + r.IntN(12), 2021 + r.IntN(4)}
	age := issue[2] - p.birth[2]
	expiry := [3]int{p.birth[0], p.birth[1], 0}
	switch {
	case age < 25:
		expiry[2] = p.birth[2] + 25
	case age < 40:
		expiry[2] = p.birth[2] + 40
	case age < 58:
		expiry[2] = p.birth[2] + 60
	}
	c := &Card{Seed: seed, Layout: "2021", DPI: dpi}
	if r.IntN(3) == 0 {
		c.Layout = "2024"
	}
	sex := "Nữ"
	if p.male {
		sex = "Nam"
	}
	expiryText, expiryISO := "Không thời hạn", ""
	if expiry[2] != 0 {
		expiryText, expiryISO = dmy(expiry), iso(expiry)
	}
	origin, residence := randomOrigin(r), randomAddress(r)
	c.FrontTruth = map[string]string{
		"idNumber": p.id, "fullName": strings.ToUpper(p.name), "dateOfBirth": iso(p.birth), "sex": sex,
		"nationality": "Việt Nam", "placeOfOrigin": origin, "placeOfResidence": residence, "expiryDate": expiryISO,
	}
	mark := pick(r, marks)
	c.BackTruth = map[string]string{"issueDate": iso(issue), "identifyingMarks": mark}
	c.MRZ = td1(p, expiry)
	c.MRZTruth = map[string]string{"documentNumber": p.id[3:], "idNumber": p.id, "dateOfBirth": iso(p.birth), "sex": "F"}
	if p.male {
		c.MRZTruth["sex"] = "M"
	}
	c.MRZTruth["expiryDate"] = expiryISO
	fam := g.sans[r.IntN(len(g.sans))]
	c.Front = g.front(r, c, fam, expiryText)
	c.Back = g.back(r, c, fam, issue)
	return c
}

// checkDigit is the ICAO 9303 check digit of s, as a string.
func checkDigit(s string) string {
	c, _ := lds.CheckDigit(s)
	return string(c)
}

// td1 writes the card's machine-readable zone as the CCCD does (idcard.md §4.1). A card valid
// without limit carries fillers as its expiry.
func td1(p person, expiry [3]int) [3]string {
	doc := p.id[3:]
	l1 := "IDVNM" + doc + checkDigit(doc) + p.id + "<<" + checkDigit(p.id)
	exp := "<<<<<<"
	if expiry[2] != 0 {
		exp = yymmdd(expiry)
	}
	sex := "F"
	if p.male {
		sex = "M"
	}
	b := yymmdd(p.birth)
	l2 := b + checkDigit(b) + sex + exp + checkDigit(exp) + "VNM" + strings.Repeat("<", 11)
	comp := l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
	l2 += checkDigit(comp)
	name := strings.Fields(foldASCII(p.name))
	l3 := name[0] + "<<" + strings.Join(name[1:], "<")
	l3 = (l3 + strings.Repeat("<", 30))[:30]
	return [3]string{l1, l2, l3}
}

// background paints the card's light guilloche-like ground.
func background(c *canvas, r *rand.Rand) {
	base := color.RGBA{uint8(228 + r.IntN(20)), uint8(236 + r.IntN(16)), uint8(232 + r.IntN(20)), 255}
	for i := range len(c.img.Pix) / 4 {
		c.img.Pix[4*i], c.img.Pix[4*i+1], c.img.Pix[4*i+2], c.img.Pix[4*i+3] = base.R, base.G, base.B, 255
	}
	wave := color.RGBA{base.R - 18, base.G - 10, base.B - 4, 255}
	for k := 0; k < 9; k++ {
		cx, cy := 60+20*r.Float64(), 25+10*r.Float64()
		c.ring(cx, cy, 8+4*float64(k), 0.12, wave)
	}
}

func (g *Generator) front(r *rand.Rand, c *Card, fam family, expiryText string) *image.RGBA {
	cv := newCanvas(cardW, cardH, c.DPI, color.RGBA{255, 255, 255, 255})
	background(cv, r)
	t := c.FrontTruth
	// national emblem
	cv.disc(11, 10, 6.2, color.RGBA{200, 30, 30, 255})
	cv.disc(11, 10, 2.5, color.RGBA{250, 210, 40, 255})
	cx := 46.0
	center := func(f family, bold bool, pt float64, y float64, s string, col color.RGBA) {
		ft := f.regular
		if bold {
			ft = f.bold
		}
		cv.text(ft, pt, col, cx-cv.width(ft, pt, s)/2, y, s)
	}
	center(fam, true, 6.2, 4.8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", ink)
	center(fam, false, 4.8, 7.2, "SOCIALIST REPUBLIC OF VIET NAM", ink)
	center(fam, true, 6.2, 9.9, "Độc lập - Tự do - Hạnh phúc", ink)
	center(fam, false, 4.8, 12.2, "Independence - Freedom - Happiness", ink)
	if c.Layout == "2021" {
		center(fam, true, 9.5, 16.6, "CĂN CƯỚC CÔNG DÂN", idRed)
		center(fam, false, 5.5, 19.2, "Citizen Identity Card", ink)
		// QR code
		for i := 0; i < 12; i++ {
			for j := 0; j < 12; j++ {
				if r.IntN(2) == 0 || (i < 3 && j < 3) {
					cv.rect(73+float64(i), 2.5+float64(j), 74+float64(i), 3.5+float64(j), ink)
				}
			}
		}
	} else {
		center(fam, true, 10, 16.6, "CĂN CƯỚC", idRed)
		center(fam, false, 5.5, 19.2, "IDENTITY CARD", ink)
	}
	// photo
	cv.rect(3.5, 24, 22.5, 46, color.RGBA{170, 185, 200, 255})
	cv.disc(13, 31, 4.5, color.RGBA{120, 110, 105, 255})
	cv.rect(6.5, 37, 19.5, 46, color.RGBA{90, 95, 110, 255})

	lab, val, bold := 5.8, 7.4, fam.bold
	x0 := 25.0
	y := 23.5
	if c.Layout == "2021" {
		e := cv.text(fam.regular, lab, ink, x0, y, "Số / No.:")
		cv.text(bold, 9.5, idRed, e+1.5, y+0.2, t["idNumber"])
		y += 4
	} else {
		cv.text(fam.regular, lab-0.6, ink, x0, y-1, "Số định danh cá nhân / Personal identification number:")
		cv.text(bold, 9.5, idRed, x0+12, y+2.8, t["idNumber"])
		y += 6.4
	}
	cv.text(fam.regular, lab, ink, x0, y, "Họ và tên / Full name:")
	y += 3.3
	cv.text(bold, val, ink, x0, y, t["fullName"])
	y += 3.2
	e := cv.text(fam.regular, lab, ink, x0, y, "Ngày sinh / Date of birth:")
	cv.text(fam.regular, lab+0.4, ink, e+1.2, y, dmy(parseISO(t["dateOfBirth"])))
	y += 2.95
	e = cv.text(fam.regular, lab, ink, x0, y, "Giới tính / Sex:")
	e = cv.text(fam.regular, lab+0.4, ink, e+1.2, y, t["sex"])
	e = cv.text(fam.regular, lab, ink, e+5, y, "Quốc tịch / Nationality:")
	cv.text(fam.regular, lab+0.4, ink, e+1.2, y, t["nationality"])
	y += 2.95
	right := cardW - 2.5
	// place of origin: on the label's line when it fits, else on the next line
	e = cv.text(fam.regular, lab, ink, x0, y, "Quê quán / Place of origin:")
	w := func(s string) float64 { return cv.width(fam.regular, lab+0.4, s) }
	if c.Layout == "2021" || w(t["placeOfOrigin"]) > right-e-1.2 {
		for _, l := range wrap(t["placeOfOrigin"], right-x0, w) {
			y += 2.95
			cv.text(fam.regular, lab+0.4, ink, x0, y, l)
		}
	} else {
		cv.text(fam.regular, lab+0.4, ink, e+1.2, y, t["placeOfOrigin"])
	}
	y += 2.95
	e = cv.text(fam.regular, lab, ink, x0, y, "Nơi thường trú / Place of residence:")
	// the residence starts after the label and wraps under it, in a smaller size when it would
	// otherwise run off the card
	vpt := lab + 0.4
	var first, rest []string
	for {
		w := func(s string) float64 { return cv.width(fam.regular, vpt, s) }
		first = wrap(t["placeOfResidence"], right-e-1.2, w)
		rest = wrap(strings.TrimSpace(strings.TrimPrefix(t["placeOfResidence"], first[0])), right-x0, w)
		if y+2.95*float64(len(rest)) < cardH-1.5 || vpt < 4.6 {
			break
		}
		vpt -= 0.3
	}
	cv.text(fam.regular, vpt, ink, e+1.2, y, first[0])
	for _, l := range rest {
		y += 2.95
		cv.text(fam.regular, vpt, ink, x0, y, l)
	}
	// expiry under the photo, small enough to end before the text column
	ept := 4.6
	for ept > 3.4 && 2.5+cv.width(fam.regular, ept, "Có giá trị đến: "+expiryText) > x0-1.5 {
		ept -= 0.2
	}
	cv.text(fam.regular, ept, ink, 2.5, 48.8, "Có giá trị đến: "+expiryText)
	cv.text(fam.regular, 4.2, ink, 2.5, 51.2, "Date of expiry")
	return cv.img
}

func parseISO(s string) [3]int {
	var d [3]int
	fmt.Sscanf(s, "%04d-%02d-%02d", &d[2], &d[1], &d[0])
	return d
}

func (g *Generator) back(r *rand.Rand, c *Card, fam family, issue [3]int) *image.RGBA {
	cv := newCanvas(cardW, cardH, c.DPI, color.RGBA{255, 255, 255, 255})
	background(cv, r)
	// fingerprint boxes on the right
	for i, lbl := range [][2]string{{"Ngón trỏ trái", "Left index finger"}, {"Ngón trỏ phải", "Right index finger"}} {
		x := 55 + 15.5*float64(i)
		cv.frame(x, 3, x+14, 21, 0.25, ink)
		for k := 0; k < 6; k++ {
			cv.ring(x+7, 11, 1+float64(k)*0.9, 0.15, color.RGBA{120, 120, 130, 255})
		}
		cv.text(fam.regular, 4, ink, x+0.5, 24, lbl[0])
		cv.text(fam.regular, 3.6, ink, x+0.5, 26.2, lbl[1])
	}
	lab := 5.6
	x0, right := 3.0, 53.0
	y := 5.5
	if c.Layout == "2021" {
		cv.rect(3, 2.5, 13, 10, color.RGBA{205, 175, 90, 255}) // chip
		y = 13.5
	}
	e := cv.text(fam.regular, lab, ink, x0, y, "Đặc điểm nhân dạng / Personal identification:")
	w := func(s string) float64 { return cv.width(fam.regular, lab+0.4, s) }
	mark := c.BackTruth["identifyingMarks"]
	if e < right-20 {
		first := wrap(mark, right-e-1.2, w)
		cv.text(fam.regular, lab+0.4, ink, e+1.2, y, first[0])
		mark = strings.TrimSpace(strings.TrimPrefix(mark, first[0]))
	}
	for _, l := range wrap(mark, right-x0, w) {
		y += 3
		cv.text(fam.regular, lab+0.4, ink, x0, y, l)
	}
	y += 3.6
	e = cv.text(fam.regular, lab, ink, x0, y, "Ngày, tháng, năm / Date, month, year:")
	cv.text(fam.regular, lab+0.4, ink, e+1.2, y, dmy(issue))
	y += 3.4
	cv.text(fam.bold, 5, ink, x0+3, y, "CỤC TRƯỞNG CỤC CẢNH SÁT")
	cv.text(fam.bold, 5, ink, x0+1, y+2.4, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI")
	// seal and signature
	cv.ring(20, y+6.5, 4.5, 0.5, sealRed)
	cv.ring(20, y+6.5, 3.2, 0.2, sealRed)
	for k := 0; k < 30; k++ {
		cv.rect(14+float64(k)*0.45, y+6+1.5*float64(k%5)/5, 14.5+float64(k)*0.45, y+6.4+1.5*float64(k%5)/5, ink)
	}
	// machine-readable zone
	mono := g.mono[r.IntN(len(g.mono))]
	pt := 9.0
	for cv.width(mono, pt, c.MRZ[0]) > 79 {
		pt -= 0.2
	}
	for i, l := range c.MRZ {
		cv.text(mono, pt, ink, 3.5, 42.5+4.3*float64(i), l)
	}
	return cv.img
}
