package receipt

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/escpos/escpossim"
)

var update = flag.Bool("update", false, "rewrite the golden receipt pictures (then look at them)")

// TestGoldenReceipts renders the typical receipt for three printer profiles, prints each on the
// simulated printer and compares the paper with the reviewed pictures in testdata/golden.
func TestGoldenReceipts(t *testing.T) {
	data, err := os.ReadFile("testdata/typical.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := escpos.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	provisional := *r
	provisional.Provisional = true
	provisional.DossierCode = "TAM-HN-OCD-02-251124-0003"
	for _, c := range []struct {
		name, profile string
		r             *Receipt
	}{
		{"typical-80", "generic-80", r},
		{"typical-58", "generic-58", r},
		{"typical-tcvn3", "epson-tm-t82", r},
		{"provisional-80", "generic-80", &provisional},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, _ := escpos.LookupProfile(c.profile)
			job, err := escpos.Compile(Layout(c.r, p), p, fonts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := escpossim.Emulate(job.Data, p.DotsPerLine)
			if err != nil || len(res.Pages) != 1 || len(res.Unknown) > 0 {
				t.Fatalf("emulate: %v, %d pages, unknown %v", err, len(res.Pages), res.Unknown)
			}
			got := res.Pages[0]
			path := filepath.Join("testdata", "golden", c.name+".png")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				f, err := os.Create(path)
				if err != nil {
					t.Fatal(err)
				}
				png.Encode(f, got)
				f.Close()
				return
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatalf("%v (run go test -update and look at the picture)", err)
			}
			want, err := png.Decode(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if diff := pixelDiff(got, want); diff != "" {
				t.Fatalf("%s differs from %s: %s", c.name, path, diff)
			}
		})
	}
}

// pixelDiff compares two pictures of paper as black and white dots; a few stray dots are allowed
// (anti-aliasing thresholds may move a dot between font library versions).
func pixelDiff(a, b image.Image) string {
	if a.Bounds().Size() != b.Bounds().Size() {
		return fmt.Sprintf("size %v, want %v", a.Bounds().Size(), b.Bounds().Size())
	}
	ab, bb := a.Bounds(), b.Bounds()
	n := 0
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			r1, _, _, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, _, _, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			if (r1 < 0x8000) != (r2 < 0x8000) {
				n++
			}
		}
	}
	if limit := ab.Dx() * ab.Dy() / 2000; n > limit {
		return fmt.Sprintf("%d dots differ (at most %d allowed)", n, limit)
	}
	return ""
}
