package receipt

import (
	"os"
	"testing"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/escpos/escpossim"
)

// naiveBytes is what the same paper costs sent the naive way: one full-width GS v 0 raster of the
// whole receipt in strips of at most 256 rows, plus the cut.
func naiveBytes(rows, dots int) int {
	strips := (rows + 255) / 256
	return rows*dots/8 + strips*8 + 4
}

// lineSeconds is the time n bytes take on a serial line at baud (8N1: 10 bits a byte).
func lineSeconds(n, baud int) float64 { return float64(n*10) / float64(baud) }

// BenchmarkReceiptWire reports bytes on the wire and transmission time for the typical receipt
// (6 documents, 80 mm) against a naive full-width raster of the same paper.
func BenchmarkReceiptWire(b *testing.B) {
	data, err := os.ReadFile("testdata/typical.json")
	if err != nil {
		b.Fatal(err)
	}
	r, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	fonts, err := escpos.LoadFonts()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"generic-80", "generic-80-noqr", "epson-tm-t82", "generic-58"} {
		p, _ := escpos.LookupProfile(name)
		b.Run(name, func(b *testing.B) {
			var job *escpos.Compiled
			for i := 0; i < b.N; i++ {
				job, err = escpos.Compile(Layout(r, p), p, fonts)
				if err != nil {
					b.Fatal(err)
				}
			}
			res, err := escpossim.Emulate(job.Data, p.DotsPerLine)
			if err != nil || len(res.Pages) != 1 || len(res.Unknown) > 0 {
				b.Fatalf("emulation: %v, %d pages, %d unknown", err, len(res.Pages), len(res.Unknown))
			}
			rows := res.Pages[0].Bounds().Dy()
			naive := naiveBytes(rows, p.DotsPerLine)
			b.ReportMetric(float64(len(job.Data)), "bytes")
			b.ReportMetric(float64(naive), "naive-bytes")
			b.ReportMetric(float64(len(job.Data))/float64(naive), "ratio")
			b.ReportMetric(lineSeconds(len(job.Data), 9600), "s@9600")
			b.ReportMetric(lineSeconds(len(job.Data), 115200), "s@115200")
			b.ReportMetric(lineSeconds(naive, 9600), "naive-s@9600")
			b.ReportMetric(lineSeconds(naive, 115200), "naive-s@115200")
			b.ReportMetric(float64(rows)/8, "paper-mm")
		})
	}
}
