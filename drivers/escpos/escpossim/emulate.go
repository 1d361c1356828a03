package escpossim

import (
	"fmt"
	"image"
	"os"
)

// Result is a recorded byte stream decoded offline.
type Result struct {
	Pages    []*image.Gray // one per cut, then the uncut rest if anything was printed after the last cut
	Receipts []Receipt     // the same pages with their text, QR payloads and how they ended
	Unknown  []Unknown     // unknown and malformed commands
	Text     []string      // every line printed in the ROM font, in order
	Replies  []byte        // what the printer would have sent back (status, ASB, QR size)
}

// Emulate decodes a recorded ESC/POS byte stream into paper images, as a fault-free printer
// with paperDots dots per line (576 or 384) would print it. Nothing is written to disk.
func Emulate(data []byte, paperDots int) (Result, error) {
	if paperDots == 0 {
		return Result{}, fmt.Errorf("%w: paper width 0 dots", ErrBadConfig)
	}
	return EmulateConfig(data, Config{PaperDots: paperDots})
}

// EmulateConfig is Emulate with a full printer configuration (for example shared Fonts, or an
// OutDir to also write the PNG files). Faults configured in cfg apply; PaperDots 0 means 576.
func EmulateConfig(data []byte, cfg Config) (Result, error) {
	if cfg.PaperDots == 0 {
		cfg.PaperDots = Paper80mm
	}
	if cfg.PaperDots < 8 || cfg.PaperDots > 4096 {
		return Result{}, fmt.Errorf("%w: paper width %d dots", ErrBadConfig, cfg.PaperDots)
	}
	if cfg.OutDir != "" {
		if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
			return Result{}, fmt.Errorf("không tạo được thư mục hóa đơn (cannot create receipt folder): %w", err)
		}
	}
	cfg.KeepReceipts = -1
	p := NewPrinter(cfg)
	var res Result
	collect := func() {
		for {
			select {
			case b := <-p.rx.replies:
				res.Replies = append(res.Replies, b)
			default:
				return
			}
		}
	}
	// Feed in slices so that replies never overflow the queue.
	for len(data) > 0 {
		n := min(len(data), 1024)
		p.Write(data[:n])
		data = data[n:]
		collect()
	}
	p.TearOff()
	collect()
	res.Receipts = p.Receipts()
	res.Unknown = p.Unknown()
	for _, r := range res.Receipts {
		res.Pages = append(res.Pages, r.Image)
		res.Text = append(res.Text, r.Text...)
	}
	return res, nil
}
