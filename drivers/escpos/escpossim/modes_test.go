package escpossim

import (
	"bytes"
	"testing"
)

// A clone that ignores GS r still answers DLE EOT and prints; a one-way printer answers nothing
// at all and still prints.
func TestLessTalkativePrinters(t *testing.T) {
	job := new(job).init().line("Xin chào").qr(testURL, 4, '1').raw('\n').cut().b
	want, err := EmulateConfig(job, Config{Fonts: testFonts(t)})
	if err != nil || len(want.Pages) != 1 {
		t.Fatal(err)
	}
	questions := []byte{0x10, 0x04, 1, 0x10, 0x04, 4, 0x1D, 'r', 1, 0x1D, 'r', 2, 0x1D, 'a', 0x0F, 0x1D, 'a', 0,
		0x10, 0x14, 8, 1, 3, 20, 1, 6, 2, 8}
	for _, c := range []struct {
		name string
		cfg  Config
		want []byte
	}{
		{"answers both", Config{}, []byte{0x12, 0x12, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x37, 0x25, 0x00}},
		{"ignores GS r", Config{IgnoreGSr: true}, []byte{0x12, 0x12, 0x10, 0x00, 0x00, 0x00, 0x37, 0x25, 0x00}},
		{"one-way", Config{OneWay: true}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Fonts = testFonts(t)
			p := NewPrinter(c.cfg)
			p.Write(questions)
			if got := drain(p); !bytes.Equal(got, c.want) {
				t.Fatalf("replies % X, want % X", got, c.want)
			}
			p.Write(job)
			drain(p)
			rs := p.Receipts()
			if len(rs) != 1 || rs[0].Image.Rect != want.Pages[0].Rect || !bytes.Equal(rs[0].Image.Pix, want.Pages[0].Pix) {
				t.Fatalf("%d receipts, or not the job as printed by the full printer", len(rs))
			}
			p.SetPaperOut(true)
			p.Write([]byte{0x10, 0x04, 4, 0x1D, 'r', 1})
			got := drain(p)
			switch {
			case c.cfg.OneWay && len(got) != 0:
				t.Fatalf("a one-way printer answered % X", got)
			case !c.cfg.OneWay && !bytes.Equal(got, []byte{0x72}):
				t.Fatalf("paper out: % X, want 72 (GS r is not answered while stopped)", got)
			}
		})
	}
}

// Each command is in the table once, under a prefix family the dispatcher knows, and asks for at
// least its two prefix bytes: a duplicate would silently replace the first handler.
func TestCommandTable(t *testing.T) {
	seen := map[[2]byte]bool{}
	families := newCommandSet().families
	for _, c := range commandTable() {
		if seen[c.prefix] {
			t.Errorf("% X listed twice", c.prefix)
		}
		seen[c.prefix] = true
		if _, ok := families[c.prefix[0]]; !ok || c.n < 2 || c.run == nil {
			t.Errorf("% X: family known %v, length %d", c.prefix, ok, c.n)
		}
	}
	if len(seen) < 50 {
		t.Errorf("only %d commands", len(seen))
	}
}
