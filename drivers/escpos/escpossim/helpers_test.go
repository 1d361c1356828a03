package escpossim

import (
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/escpos/codepage"
	"golang.org/x/text/unicode/norm"
)

var update = flag.Bool("update", false, "rewrite the golden PNG files in testdata")

// sharedFonts loads the printer font once for the whole test binary.
var sharedFonts = sync.OnceValues(func() (*Fonts, error) { return LoadFonts("") })

func testFonts(tb testing.TB) *Fonts {
	tb.Helper()
	f, err := sharedFonts()
	if err != nil {
		tb.Fatalf("printer font (Debian fonts-dejavu-core) missing: %v", err)
	}
	return f
}

func newTestPrinter(tb testing.TB, cfg Config) *Printer {
	tb.Helper()
	cfg.Fonts = testFonts(tb)
	return NewPrinter(cfg)
}

// drain returns the replies waiting now.
func drain(p *Printer) []byte {
	var out []byte
	for {
		select {
		case b := <-p.Replies():
			out = append(out, b)
		default:
			return out
		}
	}
}

// job builds ESC/POS byte streams for tests.
type job struct {
	b     []byte
	table codepage.Table
}

func (j *job) raw(b ...byte) *job { j.b = append(j.b, b...); return j }

func (j *job) init() *job {
	j.table = codepage.PC437
	return j.raw(0x1B, '@', 0x1C, '.', 0x1B, '=', 1)
}

// text appends s in the ROM font, switching between the TCVN-3 tables per character as a host
// encoder would. Characters no table holds become '?'.
func (j *job) text(s string) *job {
	for _, r := range norm.NFC.String(s) {
		if r < 0x80 {
			j.b = append(j.b, byte(r))
			continue
		}
		if c, ok := codepage.Encode(j.table, r); ok {
			j.b = append(j.b, c)
			continue
		}
		ts := codepage.TablesFor(r, []codepage.Table{codepage.TCVN3Lower, codepage.TCVN3Upper, codepage.WPC1252})
		if len(ts) == 0 {
			j.b = append(j.b, '?')
			continue
		}
		j.table = ts[0]
		c, _ := codepage.Encode(j.table, r)
		j.b = append(j.b, 0x1B, 't', byte(j.table), c)
	}
	return j
}

func (j *job) line(s string) *job { return j.text(s).raw('\n') }

// raster appends GS v 0 for img (rows of bytes, MSB leftmost) with scale mode m.
func (j *job) raster(m byte, rowBytes int, rows [][]byte) *job {
	j.raw(0x1D, 'v', '0', m, byte(rowBytes), byte(rowBytes>>8), byte(len(rows)), byte(len(rows)>>8))
	for _, r := range rows {
		j.raw(r...)
	}
	return j
}

// qr appends the GS ( k sequence that prints data at module size and EC level ec ('0'…'3').
func (j *job) qr(data string, module, ec byte) *job {
	j.raw(0x1D, '(', 'k', 4, 0, 49, 65, 50, 0)
	j.raw(0x1D, '(', 'k', 3, 0, 49, 67, module)
	j.raw(0x1D, '(', 'k', 3, 0, 49, 69, ec)
	n := len(data) + 3
	j.raw(0x1D, '(', 'k', byte(n), byte(n>>8), 49, 80, 48)
	j.raw([]byte(data)...)
	return j.raw(0x1D, '(', 'k', 3, 0, 49, 81, 48)
}

func (j *job) cut() *job { return j.raw(0x1D, 'V', 65, 0) }

// testPattern is a w×h image (w a multiple of 8) with a frame, a diagonal and a filled corner.
func testPattern(w, h int) [][]byte {
	rows := make([][]byte, h)
	for y := range rows {
		rows[y] = make([]byte, w/8)
		for x := 0; x < w; x++ {
			on := x == 0 || y == 0 || x == w-1 || y == h-1 || x*h/w == y || (x < w/4 && y < h/4)
			if on {
				rows[y][x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return rows
}

// checkGolden compares img with testdata/name.png (rewritten with -update).
func checkGolden(t *testing.T, name string, img *image.Gray) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	if *update {
		data, err := encodePNG(img)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test -update to create it)", path, err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	if want.Bounds() != img.Bounds() {
		t.Fatalf("%s: size %v, golden %v", name, img.Bounds(), want.Bounds())
	}
	diff := 0
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			r, _, _, _ := want.At(x, y).RGBA()
			if (r < 0x8000) != (img.GrayAt(x, y).Y < 0x80) {
				diff++
			}
		}
	}
	if diff > 0 {
		got := filepath.Join(t.TempDir(), name+".png")
		data, _ := encodePNG(img)
		os.WriteFile(got, data, 0o644)
		t.Fatalf("%s: %d dots differ from the golden file; got %s", name, diff, got)
	}
}

// waitFor polls cond for up to 3 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
