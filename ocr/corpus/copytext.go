package corpus

import (
	"math/rand/v2"
	"strings"
)

// Text of the ModelCopy pages: other documents than ModelScan's requests (decisions with their
// legal bases and articles, declarations with numbered items, ruled lists), other words. Names and
// places are invented combinations; they identify nobody.
var (
	copyAgencies = []string{"ỦY BAN NHÂN DÂN", "CÔNG AN", "SỞ TƯ PHÁP", "BẢO HIỂM XÃ HỘI", "TRƯỜNG TRUNG HỌC CƠ SỞ"}
	copyPlaces   = []string{"XÃ HÒA BÌNH", "PHƯỜNG TÂN ĐỊNH", "XÃ KIM SƠN", "PHƯỜNG LONG BIÊN", "XÃ PHÚ LỘC", "PHƯỜNG MỸ THỚI", "XÃ ĐẠI LỘC", "PHƯỜNG HÒA KHÁNH"}
	copyTowns    = []string{"Hòa Bình", "Tân Định", "Kim Sơn", "Long Biên", "Phú Lộc", "Mỹ Thới", "Đại Lộc", "Hòa Khánh"}
	copyTopics   = []string{
		"công nhận kết quả hòa giải thành ở cơ sở",
		"phê duyệt danh sách hộ nghèo, hộ cận nghèo năm 2025",
		"cấp giấy chứng nhận quyền sử dụng đất lần đầu",
		"thành lập tổ công tác rà soát dữ liệu dân cư",
		"hỗ trợ kinh phí sửa chữa nhà ở cho người có công",
		"điều chỉnh thông tin trong sổ hộ tịch",
	}
	copyBases = []string{
		"Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025;",
		"Căn cứ Luật Hộ tịch ngày 20 tháng 11 năm 2014;",
		"Căn cứ Nghị định số 123/2015/NĐ-CP ngày 15 tháng 11 năm 2015 của Chính phủ quy định chi tiết một số điều;",
		"Căn cứ Luật Cư trú ngày 13 tháng 11 năm 2020;",
		"Xét đề nghị của công chức Tư pháp - Hộ tịch và biên bản họp xét duyệt ngày 05 tháng 3 năm 2025;",
		"Căn cứ Thông tư số 04/2020/TT-BTP ngày 28 tháng 5 năm 2020 của Bộ Tư pháp;",
	}
	copyArticles = []string{
		"Giao Văn phòng Ủy ban nhân dân chủ trì, phối hợp với các đơn vị liên quan tổ chức thực hiện Quyết định này.",
		"Quyết định này có hiệu lực kể từ ngày ký và thay thế các văn bản trước đây trái với nội dung trên.",
		"Kinh phí thực hiện được bố trí từ nguồn ngân sách địa phương năm 2025 theo phân cấp hiện hành.",
		"Trưởng các thôn, tổ dân phố có trách nhiệm niêm yết công khai danh sách tại nhà văn hóa trong mười ngày.",
		"Các hộ gia đình có tên trong danh sách được hưởng chính sách hỗ trợ theo quy định của Nhà nước.",
		"Công chức Địa chính - Xây dựng kiểm tra hiện trạng, lập biên bản và báo cáo kết quả trước ngày 30 tháng 6.",
		"Mọi khiếu nại về nội dung quyết định được gửi bằng văn bản đến bộ phận tiếp nhận và trả kết quả.",
	}
	copyItems = []string{
		"Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Quốc tịch", "Số điện thoại", "Nghề nghiệp", "Nơi làm việc",
		"Địa chỉ thường trú", "Số thẻ bảo hiểm y tế", "Trình độ học vấn", "Tôn giáo",
	}
	copyJobs    = []string{"Nông dân", "Công nhân", "Giáo viên", "Buôn bán nhỏ", "Kỹ sư xây dựng", "Y tá", "Lái xe", "Thợ may"}
	copyNotes   = []string{"Hộ nghèo", "Cận nghèo", "Người cao tuổi", "Khuyết tật", "Có công", "", "", "Mới chuyển đến"}
	copyPhrases = []string{
		"Tôi xin cam kết chấp hành đầy đủ các quy định về quản lý cư trú và phòng cháy chữa cháy tại nơi ở.",
		"Người khai đã được cán bộ hướng dẫn đọc lại toàn bộ nội dung và đồng ý ký tên dưới đây.",
		"Bản khai này được lập thành hai bản có giá trị như nhau, mỗi bên giữ một bản để theo dõi.",
		"Đề nghị cơ quan bảo hiểm xã hội xác nhận quá trình đóng bảo hiểm để làm thủ tục hưởng chế độ.",
	}
)

// copyBlock is one block of a ModelCopy page, laid out by Pango.
type copyBlock struct {
	text    string  // plain text, NFC (also the ground truth)
	bold    bool    // whole block bold
	italic  bool    // whole block italic
	size    float64 // points
	align   string  // left, center, right
	justify bool
	x, w    float64 // left edge and width, points
	gap     float64 // space before, points
	indent  float64 // first-line indent, points
	side    int     // 0 full width; 1 left header column; 2 right header column
}

// copyTable is a ruled list.
type copyTable struct {
	cols []float64 // column edges, points
	rows [][]string
}

func titleWords(s string) string { return titleCase(s) }

func commaDate(r *rand.Rand) string {
	return "ngày " + twoDigits(1+r.IntN(28)) + " tháng " + twoDigits(1+r.IntN(12)) + " năm 2025"
}

// copyContent makes the blocks (and the table, for a list) of a ModelCopy page of kind 0 (decision),
// 1 (declaration) or 2 (list).
func copyContent(r *rand.Rand, kind int) (blocks []copyBlock, table *copyTable, tableAfter int) {
	const left, right = 70.0, 540.0
	place := r.IntN(len(copyPlaces))
	agency := pick(r, copyAgencies)
	full := func(b copyBlock) {
		if b.w == 0 {
			b.x, b.w = left, right-left
		}
		if b.align == "" {
			b.align = "left"
		}
		blocks = append(blocks, b)
	}
	// The header of Vietnamese administrative documents: agency on the left, national motto on the
	// right, side by side.
	full(copyBlock{text: agency + "\n" + copyPlaces[place], bold: true, size: 12, align: "center", x: left - 20, w: 210, side: 1})
	full(copyBlock{text: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", bold: true, size: 12, align: "center", x: 250, w: 310, side: 2})
	num := itoa(10+r.IntN(480)) + "/"
	switch kind {
	case 0:
		num += "QĐ-UBND"
	case 1:
		num += "TK-CA"
	default:
		num += "DS-UBND"
	}
	full(copyBlock{text: "Số: " + num, size: 12, align: "center", x: left - 20, w: 210, gap: 6, side: 1})
	full(copyBlock{text: copyTowns[place] + ", " + commaDate(r), italic: true, size: 12, align: "center", x: 250, w: 310, gap: 6, side: 2})
	switch kind {
	case 0:
		full(copyBlock{text: "QUYẾT ĐỊNH", bold: true, size: 14, align: "center", gap: 22})
		full(copyBlock{text: "Về việc " + pick(r, copyTopics), bold: true, size: 13, align: "center", gap: 2})
		full(copyBlock{text: "CHỦ TỊCH " + agency + " " + copyPlaces[place], bold: true, size: 13, align: "center", gap: 14})
		perm := r.Perm(len(copyBases))
		for _, i := range perm[:2+r.IntN(2)] {
			full(copyBlock{text: copyBases[i], italic: true, size: 13, justify: true, indent: 28, gap: 4})
		}
		full(copyBlock{text: "QUYẾT ĐỊNH:", bold: true, size: 13, align: "center", gap: 10})
		perm = r.Perm(len(copyArticles))
		for k, i := range perm[:3] {
			full(copyBlock{text: "Điều " + itoa(k+1) + ". " + copyArticles[i], size: 13, justify: true, indent: 28, gap: 6})
		}
		full(copyBlock{text: "TM. " + agency + "\nCHỦ TỊCH", bold: true, size: 13, align: "center", x: 320, w: 220, gap: 20})
		full(copyBlock{text: titleWords(randomName(r)), bold: true, size: 13, align: "center", x: 320, w: 220, gap: 50})
	case 1:
		full(copyBlock{text: "BẢN KHAI THÔNG TIN NHÂN KHẨU", bold: true, size: 14, align: "center", gap: 22})
		perm := r.Perm(len(copyItems))
		for k, i := range perm[:6+r.IntN(3)] {
			val := ""
			switch copyItems[i] {
			case "Họ và tên":
				val = randomName(r)
			case "Ngày sinh":
				val = randomDate(r)
			case "Giới tính":
				val = []string{"Nam", "Nữ"}[r.IntN(2)]
			case "Dân tộc":
				val = []string{"Kinh", "Tày", "Mường", "Khmer"}[r.IntN(4)]
			case "Quốc tịch":
				val = "Việt Nam"
			case "Số điện thoại":
				val = "09" + randomDigits(r, 8)
			case "Nghề nghiệp":
				val = pick(r, copyJobs)
			case "Số thẻ bảo hiểm y tế":
				val = "GD4" + randomDigits(r, 12)
			case "Trình độ học vấn":
				val = []string{"12/12", "Đại học", "9/12", "Cao đẳng"}[r.IntN(4)]
			case "Tôn giáo":
				val = []string{"Không", "Phật giáo", "Công giáo"}[r.IntN(3)]
			default:
				val = "Thôn " + itoa(1+r.IntN(9)) + ", " + titleWords(copyPlaces[place])
			}
			full(copyBlock{text: itoa(k+1) + ". " + copyItems[i] + ": " + val, size: 13, gap: 5})
		}
		full(copyBlock{text: pick(r, copyPhrases) + " " + pick(r, copyPhrases), size: 13, justify: true, indent: 28, gap: 10})
		full(copyBlock{text: "NGƯỜI KHAI\n(Ký và ghi rõ họ tên)", bold: true, size: 13, align: "center", x: 320, w: 220, gap: 18})
	default:
		full(copyBlock{text: "DANH SÁCH HỘ GIA ĐÌNH ĐƯỢC HỖ TRỢ", bold: true, size: 14, align: "center", gap: 22})
		full(copyBlock{text: "(Kèm theo Quyết định số " + num + ")", italic: true, size: 12, align: "center", gap: 2})
		t := &copyTable{cols: []float64{left, left + 38, left + 200, left + 268, left + 380, right}}
		t.rows = append(t.rows, []string{"STT", "Họ và tên", "Năm sinh", "Nghề nghiệp", "Ghi chú"})
		for i := 1; i <= 5+r.IntN(3); i++ {
			t.rows = append(t.rows, []string{itoa(i), titleWords(randomName(r)), itoa(1940 + r.IntN(60)), pick(r, copyJobs), pick(r, copyNotes)})
		}
		table, tableAfter = t, len(blocks)
		full(copyBlock{text: "Danh sách gồm " + itoa(len(t.rows)-1) + " hộ. " + pick(r, copyPhrases), size: 13, justify: true, gap: 14})
		full(copyBlock{text: "NGƯỜI LẬP BIỂU", bold: true, size: 13, align: "center", x: 320, w: 220, gap: 18})
	}
	return blocks, table, tableAfter
}

// truthOf is the ground truth of a block: its lines joined by newlines.
func truthOf(s string) string { return strings.TrimSpace(s) }
