package escpossim

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var dleEOT = [][]byte{{0x10, 0x04, 1}, {0x10, 0x04, 2}, {0x10, 0x04, 3}, {0x10, 0x04, 4}}

// statuses asks DLE EOT 1…4 and returns the four replies.
func statuses(t *testing.T, p *Printer) []byte {
	t.Helper()
	drain(p)
	for _, q := range dleEOT {
		p.Write(q)
	}
	return drain(p)
}

func TestRealTimeStatus(t *testing.T) {
	cases := []struct {
		name  string
		fault func(p *Printer)
		want  []byte // DLE EOT 1, 2, 3, 4
	}{
		{"all clear", func(p *Printer) {}, []byte{0x12, 0x12, 0x12, 0x12}},
		{"paper out", func(p *Printer) { p.SetPaperOut(true) }, []byte{0x1A, 0x32, 0x12, 0x72}},
		{"paper out and near end", func(p *Printer) { p.SetNearEnd(true); p.SetPaperOut(true) }, []byte{0x1A, 0x32, 0x12, 0x7E}},
		{"near end", func(p *Printer) { p.SetNearEnd(true) }, []byte{0x12, 0x12, 0x12, 0x1E}},
		{"cover open", func(p *Printer) { p.SetCoverOpen(true) }, []byte{0x1A, 0x16, 0x12, 0x12}},
		{"offline", func(p *Printer) { p.SetOffline(true) }, []byte{0x1A, 0x12, 0x12, 0x12}},
		{"cover closed again", func(p *Printer) { p.SetCoverOpen(true); p.SetCoverOpen(false) }, []byte{0x12, 0x12, 0x12, 0x12}},
		{"paper loaded again", func(p *Printer) { p.SetPaperOut(true); p.SetPaperOut(false) }, []byte{0x12, 0x12, 0x12, 0x12}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newTestPrinter(t, Config{})
			c.fault(p)
			got := statuses(t, p)
			if !bytes.Equal(got, c.want) {
				t.Fatalf("DLE EOT 1–4 = % X, want % X", got, c.want)
			}
			for _, b := range got {
				if b&0x93 != 0x12 {
					t.Errorf("%#02x does not match the fixed bits 0xx1xx10", b)
				}
			}
		})
	}
}

func TestNearEndStopsOnlyWhenAsked(t *testing.T) {
	p := newTestPrinter(t, Config{})
	p.SetNearEnd(true)
	p.Write([]byte{0x1D, 'r', 1})
	if got := drain(p); !bytes.Equal(got, []byte{0x03}) {
		t.Fatalf("GS r 1 with near end = % X, want 03", got)
	}
	// ESC c 4 3: stop printing on near end.
	p.Write([]byte{0x1B, 'c', '4', 3, 0x1D, 'r', 1})
	if got := drain(p); len(got) != 0 {
		t.Fatalf("stopped on near end, yet GS r answered % X", got)
	}
	if got := statuses(t, p); !bytes.Equal(got, []byte{0x1A, 0x12, 0x12, 0x1E}) {
		t.Fatalf("DLE EOT 1–4 = % X", got)
	}
	p.SetNearEnd(false)
	if got := drain(p); !bytes.Equal(got, []byte{0x00}) {
		t.Fatalf("after new paper, queued GS r 1 = % X, want 00", got)
	}
}

func TestGSrNotAnsweredWhileStopped(t *testing.T) {
	faults := []struct {
		name      string
		set, undo func(p *Printer)
	}{
		{"paper out", func(p *Printer) { p.SetPaperOut(true) }, func(p *Printer) { p.SetPaperOut(false) }},
		{"cover open", func(p *Printer) { p.SetCoverOpen(true) }, func(p *Printer) { p.SetCoverOpen(false) }},
		{"offline", func(p *Printer) { p.SetOffline(true) }, func(p *Printer) { p.SetOffline(false) }},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			p := newTestPrinter(t, Config{})
			p.Write([]byte{0x1D, 'r', 1})
			if got := drain(p); !bytes.Equal(got, []byte{0x00}) {
				t.Fatalf("running printer: GS r 1 = % X, want 00", got)
			}
			f.set(p)
			p.Write([]byte("text\n"))
			p.Write([]byte{0x1D, 'r', 1})
			if got := drain(p); len(got) != 0 {
				t.Fatalf("stopped printer answered GS r with % X", got)
			}
			p.Write(dleEOT[0])
			if got := drain(p); !bytes.Equal(got, []byte{0x1A}) {
				t.Fatalf("stopped printer: DLE EOT 1 = % X, want 1A", got)
			}
			// "text\n", GS r 1 and the DLE EOT 1, which is also data.
			if st := p.Status(); !st.Stopped || st.Buffered != 11 {
				t.Fatalf("status %+v: want stopped with 11 bytes buffered", st)
			}
			f.undo(p)
			// The queued GS r 1 is answered once the fault clears, after the text before it.
			if got := drain(p); !bytes.Equal(got, []byte{0x00}) {
				t.Fatalf("after recovery: % X, want the queued GS r reply 00", got)
			}
			p.TearOff()
			rs := p.Receipts()
			if len(rs) == 0 || !slices.Contains(rs[len(rs)-1].Text, "text") {
				t.Fatalf("buffered text not printed after recovery: %+v", rs)
			}
		})
	}
}

func TestBufferOverrun(t *testing.T) {
	p := newTestPrinter(t, Config{})
	p.SetOffline(true)
	block := []byte(strings.Repeat("A", 47) + "\n") // one 48-byte line
	var data []byte
	for len(data) < 5000 {
		data = append(data, block...)
	}
	data = data[:5000]
	p.Write(data)
	st := p.Status()
	if st.Buffered != DefaultBufferBytes || st.LostBytes != 5000-DefaultBufferBytes {
		t.Fatalf("buffered %d, lost %d; want %d and %d", st.Buffered, st.LostBytes, DefaultBufferBytes, 5000-DefaultBufferBytes)
	}
	// Real-time status is still answered with the buffer full; its bytes are lost too.
	p.Write(dleEOT[0])
	if got := drain(p); !bytes.Equal(got, []byte{0x1A}) {
		t.Fatalf("DLE EOT 1 with a full buffer = % X", got)
	}
	if st := p.Status(); st.LostBytes != 5000-DefaultBufferBytes+3 {
		t.Fatalf("lost %d", st.LostBytes)
	}
	p.SetOffline(false)
	p.TearOff()
	rs := p.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts", len(rs))
	}
	// 4096 bytes = 85 whole lines + 16 bytes of a line that never got its LF.
	if n := len(rs[0].Text); n != 85 {
		t.Fatalf("%d lines printed, want 85", n)
	}
	if st := p.Status(); st.Buffered != 0 {
		t.Fatalf("%d bytes still buffered", st.Buffered)
	}
}

func TestStatusInsideRasterData(t *testing.T) {
	p := newTestPrinter(t, Config{})
	// 1 byte × 6 rows whose data contains DLE EOT 4 and DLE EOT 1.
	rows := [][]byte{{0x10}, {0x04}, {0x04}, {0x10}, {0x04}, {0x01}}
	j := new(job).init().raster('0', 1, rows).cut()
	p.Write(j.b)
	if got := drain(p); !bytes.Equal(got, []byte{0x12, 0x12}) {
		t.Fatalf("replies % X, want 12 12 (answered inside the image)", got)
	}
	rs := p.Receipts()
	if len(rs) != 1 || len(p.Unknown()) != 0 {
		t.Fatalf("receipts %d, unknown %v", len(rs), p.Unknown())
	}
	img := rs[0].Image
	if img.Rect.Dy() != 6 {
		t.Fatalf("image %d rows, want 6", img.Rect.Dy())
	}
	// The same bytes are also image data: 0x10 sets dot 3, 0x04 dot 5, 0x01 dot 7.
	for y, r := range rows {
		for x := 0; x < 8; x++ {
			want := r[0]&(0x80>>x) != 0
			if got := img.GrayAt(x, y).Y == 0; got != want {
				t.Errorf("dot (%d,%d) black=%v, want %v", x, y, got, want)
			}
		}
	}
}

func TestRasterSplitAcrossWrites(t *testing.T) {
	// An image bigger than the receive buffer, written one byte at a time, prints whole.
	pat := testPattern(576, 200) // 72 × 200 = 14,400 bytes
	j := new(job).init().raster('0', 72, pat).cut()
	p := newTestPrinter(t, Config{})
	for i := range j.b {
		p.Write(j.b[i : i+1])
	}
	whole, err := EmulateConfig(j.b, Config{Fonts: testFonts(t)})
	if err != nil {
		t.Fatal(err)
	}
	rs := p.Receipts()
	if len(rs) != 1 || len(whole.Pages) != 1 {
		t.Fatalf("receipts %d / %d", len(rs), len(whole.Pages))
	}
	if !bytes.Equal(rs[0].Image.Pix, whole.Pages[0].Pix) {
		t.Fatal("byte-by-byte and whole writes printed different images")
	}
	for y, row := range pat {
		for x := 0; x < 576; x++ {
			if want, got := row[x/8]&(0x80>>(x%8)) != 0, rs[0].Image.GrayAt(x, y).Y == 0; want != got {
				t.Fatalf("dot (%d,%d) black=%v, want %v", x, y, got, want)
			}
		}
	}
}

func TestRasterScales(t *testing.T) {
	for m, want := range map[byte][2]int{0: {16, 4}, 1: {32, 4}, 2: {16, 8}, 3: {32, 8}, '3': {32, 8}} {
		rows := [][]byte{{0xFF, 0xFF}, {0x80, 0x01}, {0x80, 0x01}, {0xFF, 0xFF}}
		res, err := EmulateConfig(new(job).init().raster(m, 2, rows).cut().b, Config{Fonts: testFonts(t)})
		if err != nil {
			t.Fatal(err)
		}
		img := res.Pages[0]
		w := 0
		for x := 0; x < img.Rect.Dx(); x++ {
			if img.GrayAt(x, 0).Y == 0 {
				w++
			}
		}
		if w != want[0] || img.Rect.Dy() != want[1] {
			t.Errorf("GS v 0 m=%d: %d dots wide, %d rows; want %v", m, w, img.Rect.Dy(), want)
		}
	}
}

func TestPaperRunsOutMidReceipt(t *testing.T) {
	dir := t.TempDir()
	p := newTestPrinter(t, Config{PaperOutAfterDots: 100, OutDir: dir})
	j := new(job).init()
	for i := 1; i <= 8; i++ {
		j.line(fmt.Sprintf("line %d", i))
	}
	j.cut()
	p.Write(j.b)
	if got := statuses(t, p); !bytes.Equal(got, []byte{0x1A, 0x32, 0x12, 0x72}) {
		t.Fatalf("DLE EOT 1–4 = % X after the paper ran out", got)
	}
	st := p.Status()
	if !st.PaperOut || !st.Stopped || st.Buffered == 0 || st.FedDots != 100 {
		t.Fatalf("status %+v", st)
	}
	if len(p.Receipts()) != 0 {
		t.Fatal("a receipt left the printer before anyone tore it off")
	}
	p.SetPaperOut(false) // the technician tears off the stub and loads a new roll
	rs := p.Receipts()
	if len(rs) != 2 {
		t.Fatalf("%d receipts, want the partial stub and the rest", len(rs))
	}
	stub, rest := rs[0], rs[1]
	if !stub.Partial || stub.Reason != "paper end" || stub.Image.Rect.Dy() != 100 {
		t.Errorf("stub: partial %v, %q, %d rows", stub.Partial, stub.Reason, stub.Image.Rect.Dy())
	}
	// Lines 1–3 fill 90 rows; line 4 was being printed when the paper ended (10 rows of it).
	if want := []string{"line 1", "line 2", "line 3", "line 4"}; !slices.Equal(stub.Text, want) {
		t.Errorf("stub text %q, want %q", stub.Text, want)
	}
	if filepath.Base(stub.Path) != "receipt-0001-partial.png" {
		t.Errorf("stub written to %q", stub.Path)
	}
	if rest.Partial || rest.Reason != "full cut" || rest.Text[0] != "line 5" || len(rest.Text) != 4 {
		t.Errorf("rest: partial %v, %q, text %q", rest.Partial, rest.Reason, rest.Text)
	}
	if filepath.Base(rest.Path) != "receipt-0002.png" {
		t.Errorf("rest written to %q", rest.Path)
	}
	for _, r := range rs {
		if _, err := os.Stat(r.Path); err != nil {
			t.Error(err)
		}
	}
	checkGolden(t, "paper_end_stub", stub.Image)
}

func TestTearOffWhenStopping(t *testing.T) {
	p := newTestPrinter(t, Config{PaperOutAfterDots: 45})
	p.Write(new(job).init().line("one").line("two").b)
	if !p.TearOff() {
		t.Fatal("nothing torn off")
	}
	rs := p.Receipts()
	if len(rs) != 1 || !rs[0].Partial || rs[0].Reason != "paper end" || rs[0].Image.Rect.Dy() != 45 {
		t.Fatalf("receipts %+v", rs)
	}
	if p.TearOff() {
		t.Fatal("torn off twice")
	}
}

func TestASB(t *testing.T) {
	p := newTestPrinter(t, Config{})
	p.Write([]byte{0x1D, 'a', 0x0E}) // everything but the drawer
	if got := drain(p); !bytes.Equal(got, []byte{0x10, 0, 0, 0}) {
		t.Fatalf("ASB on enabling = % X, want 10 00 00 00", got)
	}
	p.SetNearEnd(true)
	if got := drain(p); !bytes.Equal(got, []byte{0x10, 0, 0x03, 0}) {
		t.Fatalf("ASB on near end = % X", got)
	}
	p.SetPaperOut(true)
	if got := drain(p); !bytes.Equal(got, []byte{0x18, 0, 0x0F, 0}) {
		t.Fatalf("ASB on paper out = % X", got)
	}
	p.SetCoverOpen(true)
	if got := drain(p); !bytes.Equal(got, []byte{0x38, 0, 0x0F, 0}) {
		t.Fatalf("ASB on cover open = % X", got)
	}
	p.SetCoverOpen(true) // no change, no message
	if got := drain(p); len(got) != 0 {
		t.Fatalf("ASB without a change: % X", got)
	}
	p.Write([]byte{0x1D, 'a', 0}) // not processed: the printer is stopped
	p.SetCoverOpen(false)
	p.SetPaperOut(false) // now GS a 0 is processed
	drain(p)
	p.SetNearEnd(false)
	if got := drain(p); len(got) != 0 {
		t.Fatalf("ASB after GS a 0: % X", got)
	}
	// Only the paper sensor enabled: cover changes are not sent.
	p.Write([]byte{0x1D, 'a', 0x08})
	drain(p)
	p.SetOffline(true)
	p.SetOffline(false)
	if got := drain(p); len(got) != 0 {
		t.Fatalf("ASB for a disabled category: % X", got)
	}
	for _, b := range []byte{0x10, 0x18, 0x38} {
		if b&0x93 != 0x10 {
			t.Errorf("ASB first byte %#02x does not match 0xx1xx00", b)
		}
	}
}

func TestUnknownCommands(t *testing.T) {
	j := new(job).init().text("ab")
	off := len(j.b)
	j.raw(0x1B, 'z').text("cd\n")
	off2 := len(j.b)
	j.raw(0x1D, 'V', 0x65, 3) // the Ruby driver's hex-for-decimal slip
	res, err := EmulateConfig(j.b, Config{Fonts: testFonts(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unknown) != 3 {
		t.Fatalf("unknown %v, want 3", res.Unknown)
	}
	u := res.Unknown[0]
	if u.Offset != int64(off) || !bytes.HasPrefix(u.Bytes, []byte{0x1B, 'z'}) || !strings.Contains(u.Reason, "ESC") {
		t.Errorf("first unknown %v, want ESC z at %d", u, off)
	}
	if u := res.Unknown[1]; u.Offset != int64(off2) || !strings.Contains(u.Reason, "GS V") {
		t.Errorf("second unknown %v, want GS V at %d", u, off2)
	}
	if u := res.Unknown[2]; u.Offset != int64(off2+3) || !strings.Contains(u.Reason, "control") {
		t.Errorf("third unknown %v, want the 0x03 left over", u)
	}
	// The printer skipped only the prefix bytes: the rest printed as text, and nothing was cut.
	if len(res.Receipts) != 1 || !res.Receipts[0].Partial {
		t.Fatalf("receipts %+v", res.Receipts)
	}
	if !slices.Equal(res.Text, []string{"abzcd"}) {
		t.Errorf("text %q", res.Text)
	}
}

func TestCommandsOnlyAtLineStart(t *testing.T) {
	j := new(job).init().text("pending").raw(0x1D, 'V', 65, 0)
	j.raster('0', 1, [][]byte{{0xFF}}).raw('\n').cut()
	res, err := EmulateConfig(j.b, Config{Fonts: testFonts(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unknown) != 2 || !strings.Contains(res.Unknown[0].Reason, "beginning of a line") {
		t.Fatalf("unknown %v", res.Unknown)
	}
	if len(res.Receipts) != 1 || res.Receipts[0].Image.Rect.Dy() != 30 {
		t.Fatalf("want one receipt of one text line, got %d", len(res.Receipts))
	}
}

func TestCutterOffset(t *testing.T) {
	three := new(job).init().line("1").line("2").line("3")
	// GS V 0 with no feed cuts 60 dots above the print line: line 2 and 3 stay on the printer.
	b := slices.Clone(three.b)
	b = append(b, 0x1D, 'V', 0)
	p := newTestPrinter(t, Config{CutterOffsetDots: 60})
	p.Write(b)
	rs := p.Receipts()
	if len(rs) != 1 || rs[0].Image.Rect.Dy() != 30 {
		t.Fatalf("GS V 0: receipt of %d rows, want 30", rs[0].Image.Rect.Dy())
	}
	p.Write([]byte{0x1D, 'V', 65, 0})
	rs = p.Receipts()
	if len(rs) != 2 || rs[1].Image.Rect.Dy() != 60 {
		t.Fatalf("GS V 65 0 next: %d receipts, last %d rows; want the 60 carried rows", len(rs), rs[len(rs)-1].Image.Rect.Dy())
	}
	// GS V 65 n feeds to the cut position + n first: everything printed is on the receipt.
	p = newTestPrinter(t, Config{CutterOffsetDots: 60})
	p.Write(append(slices.Clone(three.b), 0x1D, 'V', 65, 10))
	rs = p.Receipts()
	if len(rs) != 1 || rs[0].Image.Rect.Dy() != 100 {
		t.Fatalf("GS V 65 10: receipt of %d rows, want 90 + 10", rs[0].Image.Rect.Dy())
	}
}

func TestKanjiMode(t *testing.T) {
	p := newTestPrinter(t, Config{KanjiAtReset: true})
	// After ESC @ a Chinese-firmware printer pairs bytes ≥ 0x80 into one double-width character.
	p.Write([]byte{0x1B, '@', 0x1B, 't', 30, 'T', 'i', 0xD5, 'p', '\n'})
	if !p.Status().KanjiMode {
		t.Fatal("not in Kanji mode after ESC @")
	}
	p.Write([]byte{0x1C, '.', 'T', 'i', 0xD5, 'p', '\n'})
	p.TearOff()
	rs := p.Receipts()
	if len(rs) != 1 || len(rs[0].Text) != 2 {
		t.Fatalf("receipts %+v", rs)
	}
	if rs[0].Text[1] != "Tiếp" {
		t.Errorf("after FS .: %q", rs[0].Text[1])
	}
	if rs[0].Text[0] == "Tiếp" || len([]rune(rs[0].Text[0])) != 3 {
		t.Errorf("in Kanji mode: %q, want 3 characters (T, i, one double-byte)", rs[0].Text[0])
	}
}

func TestBufferClearCommands(t *testing.T) {
	p := newTestPrinter(t, Config{})
	p.SetCoverOpen(true)
	p.Write([]byte("lost text\n"))
	p.Write([]byte{0x10, 0x05, 2}) // DLE ENQ 2
	if st := p.Status(); st.Buffered != 0 {
		t.Fatalf("DLE ENQ 2 left %d bytes", st.Buffered)
	}
	p.Write([]byte("more\n"))
	p.Write([]byte{0x10, 0x14, 8, 1, 3, 20, 1, 6, 2, 8}) // DLE DC4 8
	if got := drain(p); !bytes.Equal(got, []byte{0x37, 0x25, 0x00}) {
		t.Fatalf("DLE DC4 8 reply % X", got)
	}
	p.SetCoverOpen(false)
	if p.TearOff() {
		t.Fatalf("cleared data printed: %+v", p.Receipts())
	}
}

func TestQRSizeInformation(t *testing.T) {
	p := newTestPrinter(t, Config{})
	p.Write([]byte{0x1D, '(', 'k', 3, 0, 49, 67, 4})
	p.Write([]byte{0x1D, '(', 'k', 8, 0, 49, 80, 48, 'H', 'E', 'L', 'L', 'O'})
	p.Write([]byte{0x1D, '(', 'k', 3, 0, 49, 82, 48})
	// "HELLO" is a version 1 symbol: 21 modules × 4 dots.
	want := []byte{0x37, 0x36, '8', '4', 0x1F, '8', '4', 0x1F, 0x31, 0x1F, '0', 0x00}
	if got := drain(p); !bytes.Equal(got, want) {
		t.Fatalf("size information % X, want % X", got, want)
	}
	p.Write([]byte{0x1D, '(', 'k', 3, 0, 49, 81, 48, 0x1D, 'V', 65, 0})
	rs := p.Receipts()
	if len(rs) != 1 || rs[0].Image.Rect.Dy() != 84 || !slices.Equal(rs[0].QR, []string{"HELLO"}) {
		t.Fatalf("QR receipt %+v", rs)
	}
}

func TestEmulatePages(t *testing.T) {
	j := new(job).init().line("first").cut().line("second").raw(0x1D, 'V', 1).line("rest")
	res, err := Emulate(j.b, Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pages) != 3 {
		t.Fatalf("%d pages, want 3", len(res.Pages))
	}
	reasons := []string{res.Receipts[0].Reason, res.Receipts[1].Reason, res.Receipts[2].Reason}
	if !slices.Equal(reasons, []string{"full cut", "partial cut", "torn off"}) || !res.Receipts[2].Partial {
		t.Errorf("reasons %q", reasons)
	}
	if !slices.Equal(res.Text, []string{"first", "second", "rest"}) {
		t.Errorf("text %q", res.Text)
	}
	for _, pg := range res.Pages {
		if pg.Rect.Dx() != Paper58mm {
			t.Errorf("page %d dots wide", pg.Rect.Dx())
		}
	}
	if _, err := Emulate(nil, 0); err == nil {
		t.Error("paper width 0 accepted")
	}
}

func TestDeselected(t *testing.T) {
	j := new(job).init().raw(0x1B, '=', 0).line("for the display").raw(0x1B, '=', 1).line("for paper")
	res, err := EmulateConfig(j.b, Config{Fonts: testFonts(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Text, []string{"for paper"}) {
		t.Fatalf("text %q", res.Text)
	}
}

func TestPaperLengthCap(t *testing.T) {
	p := newTestPrinter(t, Config{MaxPaperDots: 1000})
	for i := 0; i < 10; i++ {
		p.Write([]byte{0x1B, 'd', 10}) // 300 dots each
	}
	p.Write([]byte{0x1D, 'V', 0})
	rs := p.Receipts()
	if len(rs) != 1 || rs[0].Image.Rect.Dy() != 1000 {
		t.Fatalf("receipts %d", len(rs))
	}
	if u := p.Unknown(); len(u) != 1 || !strings.Contains(u[0].Reason, "paper longer") {
		t.Fatalf("unknown %v", u)
	}
}
