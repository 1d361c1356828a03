package vnkey

import "testing"

// A paragraph of the kind typed at the kiosk (about 400 keys).
const (
	benchTelex = "Tooi teen laf Nguyeenx Vawn Awn, sinh ngayf 12 thasng 3 nawm 1985, " +
		"thuwowngf trus taji phuwowngf Hoaf Binhf, thanhf phoos Haf Nooij. " +
		"Tooi ddeef nghij ddwowcj caaps laij giaays khai sinh vif bij maats, " +
		"xin chaan thanhf camr own quys cow quan ddax giups ddowx."
	benchVNI = "To6i te6n la2 Nguye6n4 Va8n A8n, sinh nga2y 12 tha1ng 3 na8m 1985, " +
		"thu7o7ng2 tru1 ta5i phu7o7ng2 Hoa2 Bi2nh, tha2nh pho61 Ha2 No65i. " +
		"To6i d9e62 nghi5 d9u7o7c5 ca61p la5i gia61y khai sinh vi2 bi5 ma61t, " +
		"xin cha6n tha2nh ca3m o7n quy1 co7 quan d9a4 giu1p d9o74."
)

func BenchmarkType(b *testing.B) {
	for _, c := range []struct {
		name string
		m    Method
		s    string
	}{{"Telex", Telex, benchTelex}, {"VNI", VNI, benchVNI}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.s)))
			b.ReportAllocs()
			for b.Loop() {
				Type(c.m, c.s)
			}
		})
	}
}

func TestBenchText(t *testing.T) {
	want := "Tôi tên là Nguyễn Văn Ăn, sinh ngày 12 tháng 3 năm 1985, " +
		"thường trú tại phường Hoà Bình, thành phố Hà Nội. " +
		"Tôi đề nghị được cấp lại giấy khai sinh vì bị mất, " +
		"xin chân thành cảm ơn quý cơ quan đã giúp đỡ."
	check(t, "Telex", Type(Telex, benchTelex), want)
	check(t, "VNI", Type(VNI, benchVNI), want)
}
