//go:build !nosim

package daemon

import (
	"fmt"
	"image"
	"image/draw"
	"os"
	"path/filepath"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/tramso/tramso/drivers/scanner"
)

// sampleSheet is one paper on the simulated scanner's glass.
type sampleSheet struct {
	Title string
	Lines []string
}

// sampleSheets are the papers of the simulated citizen's birth registration, in the order the
// journey asks for them: the declaration form (its labels are the catalogue's, so the OCR fills the
// review form), the birth certificate and the parent's ID card copy.
func sampleSheets() []sampleSheet {
	return []sampleSheet{
		{"TỜ KHAI ĐĂNG KÝ KHAI SINH", []string{
			"Kính gửi: Ủy ban nhân dân phường Ô Chợ Dừa",
			"Họ, chữ đệm, tên của trẻ: Trần Minh Khang",
			"Ngày, tháng, năm sinh của trẻ: 10/11/2026",
			"Giới tính của trẻ: Nam",
			"Nơi sinh: Bệnh viện Phụ sản Hà Nội",
			"Quan hệ với trẻ: Cha",
			"Tôi cam đoan nội dung khai trên đây là đúng sự thật.",
		}},
		{"GIẤY CHỨNG SINH", []string{
			"Bệnh viện Phụ sản Hà Nội",
			"Họ và tên mẹ: Lê Thị Hoa",
			"Đã sinh con lúc: 08 giờ 20 phút, ngày 10/11/2026",
			"Giới tính của con: Nam. Cân nặng: 3.200 gam",
			"Dự định đặt tên con: Trần Minh Khang",
		}},
		{"BẢN SAO CĂN CƯỚC", []string{
			"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
			"CĂN CƯỚC CÔNG DÂN",
			"Số định danh cá nhân: 079092001234",
			"Họ và tên: Trần Văn Ẩn",
			"Ngày sinh: 15/06/1992",
		}},
	}
}

// writeSampleSheets renders the sheets as 200 dpi A4 greyscale scans into dir (sheet-01.png, …),
// with the resolution recorded in the files.
func writeSampleSheets(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	reg, bold, err := loadSerif()
	if err != nil {
		return err
	}
	const dpi = 200
	for i, s := range sampleSheets() {
		img := renderSheet(s, dpi, reg, bold)
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("sheet-%02d.png", i+1)))
		if err != nil {
			return err
		}
		err = scanner.EncodePNG(f, img, dpi)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func loadSerif() (reg, bold *opentype.Font, err error) {
	for _, pair := range [][2]string{
		{"/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf"},
		{"/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"},
	} {
		r, e1 := os.ReadFile(pair[0])
		b, e2 := os.ReadFile(pair[1])
		if e1 != nil || e2 != nil {
			continue
		}
		if reg, err = opentype.Parse(r); err != nil {
			return nil, nil, err
		}
		if bold, err = opentype.Parse(b); err != nil {
			return nil, nil, err
		}
		return reg, bold, nil
	}
	return nil, nil, fmt.Errorf("không có phông chữ có chân tiếng Việt; cài fonts-noto-core (no Vietnamese serif font)")
}

// renderSheet draws an A4 page: a bold centred title, then the lines at 13 pt.
func renderSheet(s sampleSheet, dpi int, reg, bold *opentype.Font) *image.Gray {
	w, h := 827*dpi/100, 1169*dpi/100 // A4 in 1/100 inch
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	face := func(f *opentype.Font, pt float64) font.Face {
		fc, _ := opentype.NewFace(f, &opentype.FaceOptions{Size: pt, DPI: float64(dpi), Hinting: font.HintingFull})
		return fc
	}
	title, body := face(bold, 15), face(reg, 13)
	margin := dpi * 3 / 4
	y := dpi
	tw := font.MeasureString(title, s.Title).Ceil()
	(&font.Drawer{Dst: img, Src: image.Black, Face: title, Dot: fixed.P((w-tw)/2, y)}).DrawString(s.Title)
	y += dpi / 2
	for _, l := range s.Lines {
		(&font.Drawer{Dst: img, Src: image.Black, Face: body, Dot: fixed.P(margin, y)}).DrawString(l)
		y += dpi * 2 / 5
	}
	return img
}
