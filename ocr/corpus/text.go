package corpus

import "math/rand/v2"

// Word lists for synthetic administrative pages. The names and places are generic and invented
// combinations; they identify nobody.
var (
	familyNames = []string{"NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "HUỲNH", "PHAN", "VŨ", "VÕ", "ĐẶNG", "BÙI", "ĐỖ", "HỒ", "NGÔ", "DƯƠNG", "LÝ"}
	middleNames = []string{"VĂN", "THỊ", "HỮU", "ĐỨC", "MINH", "THANH", "NGỌC", "QUỐC", "XUÂN", "THU", "GIA", "BẢO"}
	givenNames  = []string{"AN", "BÌNH", "CHÂU", "DŨNG", "GIANG", "HẢI", "HẠNH", "HÙNG", "KHÁNH", "LAN", "LINH", "LONG", "MAI", "NAM", "NGA", "PHƯƠNG", "QUÂN", "SƠN", "THẢO", "TRÂM", "TUẤN", "YẾN"}
	communes    = []string{"Phường Hoàn Kiếm", "Phường Ba Đình", "Xã Thanh Trì", "Phường Hải Châu", "Xã Cần Giờ", "Phường Ninh Kiều", "Xã Tam Đảo", "Phường Vĩnh Yên", "Xã Đồng Văn", "Phường Thủy Nguyên"}
	provinces   = []string{"Thành phố Hà Nội", "Thành phố Hồ Chí Minh", "Thành phố Đà Nẵng", "Thành phố Cần Thơ", "Tỉnh Phú Thọ", "Tỉnh Tuyên Quang", "Thành phố Hải Phòng", "Tỉnh Khánh Hòa"}
	streets     = []string{"Số 12 đường Lê Lợi", "Số 45 phố Hàng Bài", "Thôn Đông", "Tổ dân phố 3", "Số 7 ngõ 15 đường Trần Phú", "Ấp Bình Thạnh", "Số 88 đường Nguyễn Huệ"}
	relations   = []string{"Cha", "Mẹ", "Con", "Vợ", "Chồng", "Anh", "Chị", "Em"}
	titles      = []string{
		"TỜ KHAI ĐĂNG KÝ KHAI SINH",
		"TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ",
		"ĐƠN ĐỀ NGHỊ CẤP BẢN SAO TRÍCH LỤC",
		"TỜ KHAI ĐĂNG KÝ KẾT HÔN",
		"GIẤY ĐỀ NGHỊ XÁC NHẬN THÔNG TIN",
	}
	sentences = []string{
		"Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật về cam đoan của mình.",
		"Đề nghị cơ quan có thẩm quyền xem xét, giải quyết theo quy định của pháp luật hiện hành.",
		"Hồ sơ gồm tờ khai theo mẫu, bản chụp giấy tờ tùy thân và các giấy tờ chứng minh nơi cư trú.",
		"Thời hạn giải quyết không quá năm ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
		"Trường hợp hồ sơ chưa đầy đủ, cán bộ tiếp nhận hướng dẫn người nộp bổ sung một lần bằng văn bản.",
		"Kết quả được trả trực tiếp tại bộ phận một cửa hoặc qua dịch vụ bưu chính công ích theo yêu cầu.",
		"Người yêu cầu có trách nhiệm nộp phí, lệ phí theo quy định, trừ trường hợp được miễn.",
		"Thông tin cá nhân được bảo vệ theo quy định về bảo vệ dữ liệu cá nhân và chỉ dùng cho thủ tục này.",
		"Việc đăng ký được thực hiện tại Ủy ban nhân dân cấp xã nơi cư trú của người yêu cầu.",
		"Bản sao trích lục được cấp theo yêu cầu và có giá trị sử dụng thay cho bản chính.",
	}
)

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

func randomName(r *rand.Rand) string {
	return pick(r, familyNames) + " " + pick(r, middleNames) + " " + pick(r, givenNames)
}

func randomDate(r *rand.Rand) string {
	return twoDigits(1+r.IntN(28)) + "/" + twoDigits(1+r.IntN(12)) + "/" + itoa(1950+r.IntN(70))
}

func randomDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
