//go:build !nosim

package daemon

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/session"
)

// benchPage is sample paper n of the simulated kiosk, decoded as the scanner hands it over.
func benchPage(b *testing.B, n int) session.Page {
	b.Helper()
	dir := b.TempDir()
	if err := writeSampleSheets(dir); err != nil {
		b.Skip(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "sheet-0"+string(rune('0'+n))+".png"))
	if err != nil {
		b.Fatal(err)
	}
	img, dpi, err := scanner.DecodePage(raw, 200, 1<<26)
	if err != nil {
		b.Fatal(err)
	}
	return session.Page{Image: img, DPI: dpi}
}

// BenchmarkPrepare is the work done on a page at scan time, once: preprocessing (the quality
// checks), the preview and, on a document's first page ("first"), the quick look at what paper it
// is (the OCR of the top band); "other" pages skip the look. "ocr" is the background OCR of the
// kept page afterwards (no second preprocessing).
func BenchmarkPrepare(b *testing.B) {
	p := benchPage(b, 2)
	d := newDigitizer()
	defer d.Close()
	ctx := context.Background()
	for _, first := range []bool{true, false} {
		name := "other"
		if first {
			name = "first"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := d.prepare(ctx, p, first); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("ocr", func(b *testing.B) {
		pp, err := d.prepare(ctx, p, false)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, _, err := d.read(ctx, pp.Work.(*keptPage)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
