package escpos

import (
	"fmt"
	"strings"
	"time"
)

// TestPage is the technician's test receipt: every text size and weight, the whole Vietnamese
// alphabet with every tone in both cases, a line in the printer's own font, a QR code, the profile
// and the status the printer reported.
func TestPage(p Profile, st *Status, now time.Time) *Document {
	d := new(Document)
	c := Style{Align: Center}
	d.Text("TRANG IN THỬ - TEST PAGE", Style{Size: Large, Bold: true, Align: Center})
	d.Text(fmt.Sprintf("%s (%s)", p.Name, p.Description), Style{Size: Small, Align: Center})
	d.Text(now.Format("02/01/2006 15:04:05"), c)
	d.Rule()
	d.Text("Cỡ nhỏ: Trăm năm trong cõi người ta", Style{Size: Small})
	d.Text("Cỡ thường: Chữ tài chữ mệnh khéo là ghét nhau", Style{})
	d.Text("Chữ đậm: Trải qua một cuộc bể dâu", Style{Bold: true})
	d.Text("Cỡ lớn: Những điều trông thấy", Style{Size: Large})
	d.Text("Rất lớn: ĐAU ĐỚN", Style{Size: Huge, Bold: true})
	d.Text("NỀN ĐEN CHỮ TRẮNG", Style{Bold: true, Reverse: true, Align: Center})
	d.Rule()
	for _, row := range vietnameseAlphabet() {
		d.Text(row, Style{})
	}
	d.Rule()
	d.Text("ASCII ROM FONT: 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ", Style{})
	d.Columns("Cột trái căn lề trái", "phải 1.000 đ", Style{})
	d.QR("https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html")
	d.Text(fmt.Sprintf("%d điểm/dòng, %d dpi, QR %s, dao cắt %s", p.DotsPerLine, p.DPI, yesNo(p.NativeQR), yesNo(p.Cutter)), Style{Size: Small})
	if st != nil {
		d.Text("Trạng thái (status): "+st.String(), Style{Size: Small})
	}
	return d
}

func yesNo(b bool) string {
	if b {
		return "có"
	}
	return "không"
}

// vietnameseAlphabet returns every Vietnamese vowel with each of its tones, lower and upper case, and
// the consonant đ: the 134 letters a receipt may need.
func vietnameseAlphabet() []string {
	rows := []string{
		"a à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ",
		"e è é ẻ ẽ ẹ ê ề ế ể ễ ệ i ì í ỉ ĩ ị",
		"o ò ó ỏ õ ọ ô ồ ố ổ ỗ ộ ơ ờ ớ ở ỡ ợ",
		"u ù ú ủ ũ ụ ư ừ ứ ử ữ ự y ỳ ý ỷ ỹ ỵ đ",
	}
	out := append([]string(nil), rows...)
	for _, r := range rows {
		out = append(out, strings.ToUpper(r))
	}
	return out
}
