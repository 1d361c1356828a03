package pdf

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if served, code := ServeChild(); served {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func renderer(t testing.TB) *Renderer {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &Renderer{Command: []string{exe}, Limits: Limits{Timeout: 20 * time.Second}}
}

func TestRenderOwnPDF(t *testing.T) {
	img := testBitmap(300, 200)
	var buf bytes.Buffer
	words := []Word{{Text: "Việt", Box: image.Rect(10, 10, 80, 40), Line: 1}}
	if err := Write(&buf, []Page{{Image: img, Encoding: G4, DPI: 100, Words: words}, {Image: img, Encoding: JPEG, DPI: 100}}, Info{}); err != nil {
		t.Fatal(err)
	}
	pages, err := renderer(t).Render(context.Background(), buf.Bytes(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 {
		t.Fatalf("%d pages", len(pages))
	}
	for i, p := range pages {
		if p.Err != nil || p.Image == nil {
			t.Fatalf("page %d: %v", i+1, p.Err)
		}
		if d := p.Image.Rect.Dx(); d < 298 || d > 302 {
			t.Errorf("page %d: width %d, want 300", i+1, d)
		}
	}
	if got := pages[0].Text; !bytes.Contains([]byte(got), []byte("Việt")) {
		t.Errorf("page text %q", got)
	}
}

func TestRenderCorrupt(t *testing.T) {
	r := renderer(t)
	for name, data := range map[string][]byte{
		"not a pdf": []byte("hello"),
		"garbage":   append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0xde, 0xad}, 500)...),
		"truncated": func() []byte {
			var buf bytes.Buffer
			Write(&buf, []Page{{Image: testBitmap(64, 64), DPI: 72}}, Info{})
			return buf.Bytes()[:buf.Len()/3]
		}(),
	} {
		pages, err := r.Render(context.Background(), data, 72)
		if name == "truncated" && err == nil {
			// MuPDF repairs some truncated files; a page that fails must say so.
			for _, p := range pages {
				if p.Image == nil && p.Err == nil {
					t.Errorf("%s: page without image or error", name)
				}
			}
			continue
		}
		if !errors.Is(err, ErrBadPDF) {
			t.Errorf("%s: err = %v, want ErrBadPDF", name, err)
		}
	}
}

func TestRenderTimeout(t *testing.T) {
	r := &Renderer{Command: []string{"sleep", "5"}, Limits: Limits{Timeout: 200 * time.Millisecond}}
	start := time.Now()
	_, err := r.Render(context.Background(), []byte("%PDF-1.4\n"), 72)
	if !errors.Is(err, ErrPDFTimeout) {
		t.Errorf("err = %v, want ErrPDFTimeout", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Error("timeout not enforced")
	}
}

func frames(pages ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString(frameMagic)
	binary.Write(&b, binary.BigEndian, uint32(len(pages)))
	for _, p := range pages {
		b.Write(p)
	}
	return b.Bytes()
}

func okFrame(w, h int) []byte { return frame(w, h, true) }

func frame(w, h int, pixels bool) []byte {
	var b bytes.Buffer
	b.WriteByte(0)
	binary.Write(&b, binary.BigEndian, uint32(2))
	b.WriteString("hi")
	binary.Write(&b, binary.BigEndian, uint32(w))
	binary.Write(&b, binary.BigEndian, uint32(h))
	binary.Write(&b, binary.BigEndian, uint32(7200))
	if pixels {
		b.Write(make([]byte, 3*w*h))
	}
	return b.Bytes()
}

func TestParseFrames(t *testing.T) {
	pages, err := ParseFrames(bytes.NewReader(frames(okFrame(3, 2), []byte{1, 0, 0, 0, 0})), Limits{})
	if err != nil || len(pages) != 2 || pages[0].Image.Rect.Dx() != 3 || pages[0].DPI != 72 || pages[1].Err == nil {
		t.Fatalf("pages %+v err %v", pages, err)
	}
	if _, err := ParseFrames(bytes.NewReader(frames(frame(100000, 100000, false))), Limits{}); err == nil {
		t.Error("huge page accepted")
	}
	if _, err := ParseFrames(bytes.NewReader(frames(okFrame(3, 2))[:20]), Limits{}); err == nil {
		t.Error("truncated stream accepted")
	}
}

func FuzzParseFrames(f *testing.F) {
	f.Add(frames(okFrame(3, 2)))
	f.Add(frames(okFrame(1, 1), []byte{1, 0, 0, 0, 0}))
	f.Add([]byte(frameMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		pages, err := ParseFrames(bytes.NewReader(b), Limits{MaxPixels: 1 << 16, MaxPages: 16})
		if err == nil {
			for _, p := range pages {
				if p.Err == nil && (p.Image == nil || p.Image.Rect.Dx()*p.Image.Rect.Dy() > 1<<16) {
					t.Fatal("page without image or over limit")
				}
			}
		}
	})
}

// A 500-page PDF is read without holding every page: past the pixel budget the pages come back
// with ErrTooLarge naming each page, those before it are whole, and nothing hangs. One page over
// MaxPages fails the document with ErrTooLarge before any page is rendered.
func TestRenderManyPagesBounded(t *testing.T) {
	img := testBitmap(40, 40)
	pages := make([]Page, 500)
	for i := range pages {
		pages[i] = Page{Image: img, Encoding: G4, DPI: 72}
	}
	var buf bytes.Buffer
	if err := Write(&buf, pages, Info{}); err != nil {
		t.Fatal(err)
	}
	r := renderer(t)
	r.Limits.MaxTotalPixels = 40 * 40 * 100 // 100 pages' worth at 72 dpi
	got, err := r.Render(context.Background(), buf.Bytes(), 72)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 500 {
		t.Fatalf("%d pages, want 500", len(got))
	}
	for i, p := range got {
		switch {
		case i < 100 && (p.Image == nil || p.Err != nil):
			t.Fatalf("page %d within the budget: %v", i+1, p.Err)
		case i >= 100 && (p.Image != nil || !errors.Is(p.Err, ErrTooLarge)):
			t.Fatalf("page %d past the budget: image %v, err %v", i+1, p.Image != nil, p.Err)
		}
	}
	if msg := got[499].Err.Error(); !strings.Contains(msg, "trang 500") {
		t.Errorf("message does not name the page: %s", msg)
	}
	r.Limits.MaxPages = 499
	if _, err := r.Render(context.Background(), buf.Bytes(), 72); !errors.Is(err, ErrTooLarge) {
		t.Errorf("500 pages over MaxPages 499: err = %v, want ErrTooLarge", err)
	}
}
