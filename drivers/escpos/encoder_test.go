package escpos

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The expected bytes are written out from the command tables (Epson ESC/POS reference as quoted in
// the project's printing notes), not produced by the encoder.
func TestEncoderGoldenBytes(t *testing.T) {
	for _, c := range []struct {
		name string
		enc  func(e *Encoder)
		want string
	}{
		{"init", func(e *Encoder) { e.Init() }, "1B40 1C2E 1B3D01"},
		{"lock feed button", func(e *Encoder) { e.PanelButtons(false) }, "1B633501"},
		{"unlock feed button", func(e *Encoder) { e.PanelButtons(true) }, "1B633500"},
		{"code table 30", func(e *Encoder) { e.CodeTable(30) }, "1B741E"},
		{"centre", func(e *Encoder) { e.Align(Center) }, "1B6101"},
		{"right", func(e *Encoder) { e.Align(Right) }, "1B6102"},
		{"bold on/off", func(e *Encoder) { e.Bold(true).Bold(false) }, "1B4501 1B4500"},
		{"reverse", func(e *Encoder) { e.Reverse(true) }, "1D4201"},
		{"size 1x1", func(e *Encoder) { e.Size(1, 1) }, "1D2100"},
		{"size 2x2", func(e *Encoder) { e.Size(2, 2) }, "1D2111"},
		{"size 1x2", func(e *Encoder) { e.Size(1, 2) }, "1D2101"},
		{"size clamp 9x9", func(e *Encoder) { e.Size(9, 9) }, "1D2177"},
		{"line spacing 30", func(e *Encoder) { e.LineSpacing(30) }, "1B331E"},
		{"feed 300 dots", func(e *Encoder) { e.FeedDots(300) }, "1B4AFF 1B4A2D"},
		{"feed 3 lines", func(e *Encoder) { e.FeedLines(3) }, "1B6403"},
		{"full cut function B", func(e *Encoder) { e.Cut(false, 0) }, "1D564100"},
		{"partial cut function B + 16", func(e *Encoder) { e.Cut(true, 16) }, "1D564210"},
		{"legacy cuts", func(e *Encoder) { e.LegacyCut(false).LegacyCut(true) }, "1B69 1B6D"},
		{"GS ( D", func(e *Encoder) { e.DisableRealtimeInData() }, "1D284405001401000200"},
		{"DLE EOT 4", func(e *Encoder) { e.StatusRequest(4) }, "100404"},
		{"GS r 1", func(e *Encoder) { e.PaperSensorStatus() }, "1D7201"},
		{"clear buffers", func(e *Encoder) { e.ClearBuffer() }, "10140801031401060208"},
		{"text control bytes neutralised", func(e *Encoder) { e.Text([]byte("A\x1b@\nB")) }, "413F403F42"},
		{"raster 2x3", func(e *Encoder) { e.Raster(2, 3, []byte{0x80, 0x01, 0xFF, 0x00, 0x00, 0x01}) },
			"1D763000 0200 0300 8001FF000001"},
		{"QR", func(e *Encoder) { e.QR([]byte("https://a.vn"), 6, QRLevelM) },
			"1D286B0400314132 00" + // fn 165 model 2
				"1D286B0300314306" + // fn 167 module 6
				"1D286B0300314531" + // fn 169 level M
				"1D286B0F00315030" + hex.EncodeToString([]byte("https://a.vn")) + // fn 180 store, pL = 12+3
				"1D286B0300315130"}, // fn 181 print
	} {
		var e Encoder
		c.enc(&e)
		if want := unhex(t, c.want); !bytes.Equal(e.Bytes(), want) {
			t.Errorf("%s:\n got % X\nwant % X", c.name, e.Bytes(), want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, c := range []struct {
		name           string
		r              [4]byte
		ok             bool
		offline, cover bool
		paperEnd, near bool
		cutter         bool
	}{
		{"all clear", [4]byte{0x12, 0x12, 0x12, 0x12}, true, false, false, false, false, false},
		{"near end only", [4]byte{0x12, 0x12, 0x12, 0x1E}, true, false, false, false, true, false},
		{"paper out (python-escpos 114)", [4]byte{0x1A, 0x32, 0x12, 0x72}, false, true, false, true, false, false},
		{"paper out and near end (Epson 0x7E)", [4]byte{0x1A, 0x32, 0x12, 0x7E}, false, true, false, true, true, false},
		{"cover open", [4]byte{0x1A, 0x16, 0x12, 0x12}, false, true, true, false, false, false},
		{"cutter error", [4]byte{0x1A, 0x52, 0x1A, 0x12}, false, true, false, false, false, true},
	} {
		st, err := ParseStatus(c.r[0], c.r[1], c.r[2], c.r[3])
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if st.OK() != c.ok || st.Online == c.offline || st.CoverOpen != c.cover ||
			(st.PaperEnd || st.StoppedByEnd) != c.paperEnd || st.PaperNearEnd != c.near || st.CutterError != c.cutter {
			t.Errorf("%s: %+v", c.name, st)
		}
		if !c.ok && len(st.Problems()) == 0 {
			t.Errorf("%s: not OK but no problem worded", c.name)
		}
	}
	// Bytes that are not DLE EOT replies: a GS r reply, XOFF, garbage.
	for _, b := range []byte{0x00, 0x0F, 0x13, 0xFF, 0x10} {
		if _, err := ParseStatus(0x12, b, 0x12, 0x12); err == nil {
			t.Errorf("%#02x accepted as a status reply", b)
		}
	}
}

func TestReplyClassification(t *testing.T) {
	if !IsRealtimeReply(0x12) || !IsRealtimeReply(0x7E) || IsRealtimeReply(0x00) || IsRealtimeReply(xoff) || IsRealtimeReply(xon) {
		t.Fatal("DLE EOT reply pattern 0xx1xx10")
	}
	if !IsInOrderReply(0x00) || !IsInOrderReply(0x0F) || IsInOrderReply(0x12) || IsInOrderReply(xon) || IsInOrderReply(xoff) {
		t.Fatal("GS r reply pattern 0xx0xxxx")
	}
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte{0x12, 0x12, 0x12, 0x12})
	f.Add([]byte{0x1A, 0x32, 0x12, 0x7E})
	f.Add([]byte{0xFF, 0x00, 0x13, 0x11})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 4 {
			return
		}
		st, err := ParseStatus(b[0], b[1], b[2], b[3])
		if err != nil {
			return
		}
		// A printer is never both ready and reporting a problem that stops printing.
		if st.OK() && (st.PaperEnd || st.CoverOpen || !st.Online) {
			t.Fatalf("%x: OK with a blocking problem: %+v", b[:4], st)
		}
		_ = st.String()
	})
}

func TestBreaks(t *testing.T) {
	var e Encoder
	e.Init().Align(Center).Text([]byte("ABC")).LF()
	afterLine := e.Len()
	e.Raster(1, 2, []byte{0x10, 0x04}) // raster data containing DLE EOT-like bytes
	afterRaster := e.Len()
	e.FeedDots(10)
	afterFeed := e.Len()
	e.QR([]byte("x"), 4, QRLevelM)
	afterQR := e.Len()
	e.Cut(true, 0)
	got := Breaks(e.Bytes())
	want := []int{afterLine, afterRaster, afterFeed, afterQR, e.Len()}
	if len(got) != len(want) {
		t.Fatalf("breaks %v want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("breaks %v want %v", got, want)
		}
	}
	// An unknown command stops the splitting: nothing after it is ever split.
	job := append(unhex(t, "41 0A 1B FF 01 02 0A 42 0A"), 0x0A)
	if b := Breaks(job); len(b) != 2 || b[0] != 2 || b[1] != len(job) {
		t.Fatalf("unknown command: %v", b)
	}
}

func FuzzBreaks(f *testing.F) {
	var e Encoder
	e.Init().Text([]byte("xin chao")).LF().Raster(1, 1, []byte{0xFF}).QR([]byte("u"), 3, QRLevelL).Cut(false, 0)
	f.Add(e.Bytes())
	f.Add([]byte{0x1D, 0x76, 0x30, 0, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, job []byte) {
		b := Breaks(job)
		if len(b) == 0 || b[len(b)-1] != len(job) {
			t.Fatalf("last break must be the end: %v", b)
		}
		prev := 0
		for _, x := range b {
			if x <= prev && x != len(job) || x > len(job) {
				t.Fatalf("breaks not increasing within the job: %v", b)
			}
			prev = x
		}
		for _, c := range chunk(job, b, 64) {
			if c <= 0 || c > len(job) {
				t.Fatalf("chunk end %d outside the job", c)
			}
		}
	})
}

func TestChunk(t *testing.T) {
	breaks := []int{100, 5000, 5100, 5200, 9000}
	got := chunk(make([]byte, 9000), breaks, 2048)
	want := []int{100, 5000, 5200, 9000}
	if len(got) != len(want) {
		t.Fatalf("%v want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%v want %v", got, want)
		}
	}
}

func TestProfiles(t *testing.T) {
	for _, n := range ProfileNames() {
		p, err := LookupProfile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if p, _ := LookupProfile("58"); p.DotsPerLine != 384 || p.Columns() != 32 {
		t.Errorf("58 mm: %+v", p)
	}
	if p, _ := LookupProfile("80"); p.DotsPerLine != 576 || p.Columns() != 48 {
		t.Errorf("80 mm: %+v", p)
	}
	if _, err := LookupProfile("nope"); err == nil || !strings.Contains(err.Error(), "generic-80") {
		t.Errorf("unknown profile error should list the known ones: %v", err)
	}
}
