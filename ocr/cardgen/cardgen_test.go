package cardgen

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tramso/tramso/drivers/imagefile"
	"github.com/tramso/tramso/ocr/fields"
)

func TestSeedsDisjoint(t *testing.T) {
	tu, ho := TuningSeeds, HeldOutSeeds
	if tu.First+tu.N > ho.First && ho.First+ho.N > tu.First {
		t.Fatalf("tuning %+v and held-out %+v seeds overlap", tu, ho)
	}
}

func TestCardTruthAndZone(t *testing.T) {
	g, err := NewGenerator()
	if err != nil {
		t.Skip(err)
	}
	sawNoExpiry, saw2024 := false, false
	for _, s := range TuningSeeds.Seeds()[:40] {
		c := g.Card(s, 300)
		if c.Front.Rect.Dx() != 1011 || c.Front.Rect.Dy() != 638 {
			t.Fatalf("card %d: %v, want ID-1 size at 300 dpi", s, c.Front.Rect)
		}
		id := c.FrontTruth["idNumber"]
		if len(id) != 12 || strings.Trim(id, "0123456789") != "" || id[4:6] != c.FrontTruth["dateOfBirth"][2:4] {
			t.Errorf("card %d: ID %q does not code the birth year %q", s, id, c.FrontTruth["dateOfBirth"])
		}
		// the zone drawn on the back parses to the truth, check digits and all
		m, err := fields.ParseMRZ(strings.Join(c.MRZ[:], "\n"))
		if err != nil || !m.Valid || m.Corrected {
			t.Fatalf("card %d: zone %q: %+v %v", s, c.MRZ, m, err)
		}
		for k, v := range c.MRZTruth {
			if got := m.Values()[k]; got.Value != v {
				t.Errorf("card %d: zone %s = %q, truth %q", s, k, got.Value, v)
			}
		}
		if c.FrontTruth["expiryDate"] != c.MRZTruth["expiryDate"] {
			t.Errorf("card %d: expiry front %q, zone %q", s, c.FrontTruth["expiryDate"], c.MRZTruth["expiryDate"])
		}
		sawNoExpiry = sawNoExpiry || c.FrontTruth["expiryDate"] == ""
		saw2024 = saw2024 || c.Layout == "2024"
	}
	if !sawNoExpiry || !saw2024 {
		t.Errorf("40 cards without a card valid without limit (%v) or a 2024 card (%v)", sawNoExpiry, saw2024)
	}
}

func TestDeterministicAndDegraded(t *testing.T) {
	g, err := NewGenerator()
	if err != nil {
		t.Skip(err)
	}
	a, b := g.Form(3, 150), g.Form(3, 150)
	if !bytes.Equal(a.Image.Pix, b.Image.Pix) || a.Truth["childName"] != b.Truth["childName"] {
		t.Fatal("same seed, different form")
	}
	if g.Form(4, 150).Truth["childName"] == a.Truth["childName"] && g.Form(5, 150).Truth["childName"] == a.Truth["childName"] {
		t.Error("different seeds give the same child")
	}
	for i := 0; i < 50; i++ {
		d := RandomDegradation(rand.New(rand.NewPCG(uint64(i), 1)))
		if s := max(d.Skew, -d.Skew); s < 0.5 || s > 3 || (d.JPEG != 0 && (d.JPEG < 50 || d.JPEG > 85)) {
			t.Fatalf("degradation out of range: %+v", d)
		}
	}
	c := g.Card(9, 300)
	file, err := Scan(c.Front, c.DPI, Degradation{Skew: 2, Noise: 8, JPEG: 60}, 9)
	if err != nil {
		t.Fatal(err)
	}
	img, dpi, err := imagefile.Decode(file, imagefile.MaxPixels)
	if err != nil || dpi != 300 || img.Bounds().Dx() <= c.Front.Rect.Dx() {
		t.Errorf("scan: %v dpi %v bounds %v", err, dpi, img.Bounds())
	}
}
