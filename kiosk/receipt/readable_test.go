package receipt

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/escpos/escpossim"
)

// TestGoldenSlipsReadable runs the real Tesseract (Vietnamese) and zbarimg on each golden picture:
// the headings must be legible and every QR code must decode to what the slip meant.
func TestGoldenSlipsReadable(t *testing.T) {
	for _, tool := range []string{"tesseract", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: make deps installs it", tool)
		}
	}
	for _, c := range slipCases(t) {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join("testdata", "golden", c.name+".png")
			out, err := exec.Command("zbarimg", "-q", "--raw", path).Output()
			if err != nil {
				t.Fatalf("zbarimg %s: %v", path, err)
			}
			var codes []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				codes = append(codes, strings.TrimSpace(l))
			}
			for _, want := range c.qr {
				if !contains(codes, want) {
					t.Errorf("no QR code decodes to %q; zbarimg read %q", want, codes)
				}
			}
			if len(codes) != len(c.qr) {
				t.Errorf("%d QR codes decoded, want %d: %q", len(codes), len(c.qr), codes)
			}
			ocr, err := exec.Command("tesseract", path, "stdout", "-l", "vie").Output()
			if err != nil {
				t.Fatalf("tesseract %s: %v", path, err)
			}
			text := squeeze(string(ocr))
			for _, h := range c.headings {
				if !strings.Contains(text, squeeze(h)) {
					t.Errorf("Tesseract did not read %q\nOCR:\n%s", h, ocr)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(text, squeeze(a)) {
					t.Errorf("Tesseract read %q, which this slip must not print\nOCR:\n%s", a, ocr)
				}
			}
		})
	}
}

// printedText prints a slip on a simulated Epson with TCVN-3 text mode, where Vietnamese is sent as
// text, and returns the text that came out, squeezed.
func printedText(t *testing.T, s Slip) string {
	t.Helper()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := escpos.LookupProfile("epson-tm-t82")
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := escpos.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	job, err := escpos.Compile(s.Layout(p), p, fonts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := escpossim.Emulate(job.Data, p.DotsPerLine)
	if err != nil || len(res.Receipts) != 1 {
		t.Fatalf("emulate: %v, %d receipts", err, len(res.Receipts))
	}
	return squeeze(strings.Join(res.Receipts[0].Text, ""))
}

// squeeze is text for comparison: NFC, lower case, without spaces.
func squeeze(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), ""))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
