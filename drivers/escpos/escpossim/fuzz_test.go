package escpossim

import (
	"testing"
)

func FuzzInterpreter(f *testing.F) {
	f.Add(textJob())
	f.Add(narrowJob())
	f.Add(graphicsJob())
	f.Add(qrJob())
	f.Add([]byte{0x1D, 'v', '0', 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3})
	f.Add([]byte{0x1D, '8', 'L', 0xFF, 0xFF, 0xFF, 0xFF, 48, 112, 48, 1, 1, 49, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0x1D, '(', 'k', 0xFF, 0xFF, 49, 80, 48, 'x'})
	f.Add([]byte{0x1D, 'k', 2, '1', '2', '3'})
	f.Add([]byte{0x1B, 'D', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34})
	f.Add([]byte{0x1B, '*', 33, 0xFF, 0xFF, 0x10, 0x04, 0x04})
	f.Add([]byte{0x10, 0x14, 8, 1, 3, 20, 1, 6, 2, 8, 0x10, 0x05, 2, 0x10, 0x04, 9})
	f.Add([]byte{0x1C, '&', 0x80, 0x80, 0xFF, 0x1D, '!', 0x77, 'A', 0x1D, 'V', 66, 255})
	f.Add([]byte{0x1D, 'I', 66, 0x1D, 'I', 67, 0x1D, 'I', 9, 0x1C, '(', 'A', 2, 0, 48, 1, 0x1C, '(', 'A', 0xFF, 0xFF, 49})
	f.Add([]byte{0x1B, 0x06, 0x01, 0x1B, '@', 0x1D, 'a', 0xFF, 0x1C, '(', 'e', 2, 0, 51, 0})
	fonts := testFonts(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Config{Fonts: fonts, MaxPaperDots: 3000, BufferBytes: 256, KeepReceipts: 4}
		if len(data) > 0 && data[0]&1 == 1 {
			cfg.PaperDots = Paper58mm
			cfg.PaperOutAfterDots = 500
		}
		p := NewPrinter(cfg)
		half := len(data) / 2
		p.Write(data[:half])
		if len(data) > 0 && data[0]&2 == 2 {
			p.SetCoverOpen(true)
			p.Write(data[half:])
			p.SetCoverOpen(false)
		} else {
			p.Write(data[half:])
		}
		p.SetPaperOut(false)
		p.TearOff()
		drain(p)
		st := p.Status()
		if st.Buffered > 256 {
			t.Fatalf("buffer holds %d bytes, more than its 256", st.Buffered)
		}
		if st.ReceivedBytes != int64(len(data)) {
			t.Fatalf("received %d of %d bytes", st.ReceivedBytes, len(data))
		}
		for _, r := range p.Receipts() {
			if r.Image.Rect.Dx() != cfg.PaperDots && !(cfg.PaperDots == 0 && r.Image.Rect.Dx() == Paper80mm) {
				t.Fatalf("receipt %d dots wide", r.Image.Rect.Dx())
			}
			if r.Image.Rect.Dy() > 3000 || r.Image.Rect.Dy() == 0 {
				t.Fatalf("receipt %d rows long", r.Image.Rect.Dy())
			}
		}
	})
}

// receiptJob is a typical kiosk receipt: a raster header, text, QR code and cut.
func receiptJob() []byte {
	j := new(job).init()
	j.raw(0x1B, 'a', 1).raster('0', 72, testPattern(576, 240))
	j.raw('\n').raw(0x1B, 'E', 1).line("PHIẾU TIẾP NHẬN HỒ SƠ").raw(0x1B, 'E', 0, 0x1B, 'a', 0)
	for i := 0; i < 20; i++ {
		j.line("Thủ tục: Đăng ký khai sinh — Mã hồ sơ 000.00.00.H12-240101-0001")
	}
	j.raw(0x1B, 'a', 1).qr(testURL, 6, '1').raw('\n')
	return j.cut().b
}

func BenchmarkInterpreter(b *testing.B) {
	data := receiptJob()
	fonts := testFonts(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p := NewPrinter(Config{Fonts: fonts})
		p.Write(data)
		if len(p.Receipts()) != 1 {
			b.Fatal("no receipt")
		}
	}
}
