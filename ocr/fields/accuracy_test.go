package fields_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"sort"
	"testing"

	"github.com/tramso/tramso/drivers/imagefile"
	"github.com/tramso/tramso/ocr"
	"github.com/tramso/tramso/ocr/cardgen"
	"github.com/tramso/tramso/ocr/fields"
)

var (
	nCards = flag.Int("fields.cards", 3, "generated held-out cards (front and back) read by TestHeldOutCards")
	nForms = flag.Int("fields.forms", 3, "generated held-out forms read by TestHeldOutForms")
	tuning = flag.Bool("fields.tuning", false, "read tuning seeds instead of held-out ones (for working on the code)")
	skip   = flag.Int("fields.skip", 0, "seeds of the range to skip first")
)

// tally counts exact fields, per field name.
type tally struct {
	ok, all map[string]int
	misses  []string
}

func newTally() *tally { return &tally{ok: map[string]int{}, all: map[string]int{}} }

func (t *tally) add(what, key, want string, got fields.Value, found bool) {
	t.all[key]++
	if found && got.Value == want {
		t.ok[key]++
		return
	}
	g := "(absent)"
	if found {
		g = fmt.Sprintf("%q (%.2f)", got.Value, got.Confidence)
	}
	t.misses = append(t.misses, fmt.Sprintf("%s %s: got %s, want %q", what, key, g, want))
}

func (t *tally) total() (ok, all int) {
	for k, n := range t.all {
		ok += t.ok[k]
		all += n
	}
	return
}

func (t *tally) report(tb testing.TB, name string) float64 {
	ok, all := t.total()
	keys := make([]string, 0, len(t.all))
	for k := range t.all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if t.ok[k] < t.all[k] {
			tb.Logf("%s %-22s %d/%d", name, k, t.ok[k], t.all[k])
		}
	}
	for _, m := range t.misses {
		tb.Log(m)
	}
	acc := float64(ok) / float64(max(all, 1))
	tb.Logf("%s: %d/%d fields exact (%.1f %%)", name, ok, all, 100*acc)
	return acc
}

func needTesseract(tb testing.TB) {
	for _, l := range []string{"vie", "eng"} {
		if _, err := os.Stat("/usr/share/tesseract-ocr/5/tessdata/" + l + ".traineddata"); err != nil {
			tb.Skipf("tesseract-ocr-%s not installed", l)
		}
	}
}

func seeds(n int) []uint64 {
	r := cardgen.HeldOutSeeds
	if *tuning {
		r = cardgen.TuningSeeds
	}
	return r.Seeds()[*skip : *skip+n]
}

func readCards(tb testing.TB, n int) *tally {
	needTesseract(tb)
	g, err := cardgen.NewGenerator()
	if err != nil {
		tb.Skip(err)
	}
	p := ocr.New(ocr.Options{})
	defer p.Close()
	rd, closeRd := fields.NewCardReaders()
	defer closeRd()
	ctx := context.Background()
	tl := newTally()
	for _, s := range seeds(n) {
		c := g.Card(s, 300)
		for side, img := range []any{c.Front, c.Back} {
			d := cardgen.RandomDegradation(rand.New(rand.NewPCG(s, uint64(side))))
			file, err := cardgen.Scan(img.(*image.RGBA), c.DPI, d, s)
			if err != nil {
				tb.Fatal(err)
			}
			im, dpi, err := imagefile.Decode(file, imagefile.MaxPixels)
			if err != nil {
				tb.Fatal(err)
			}
			_, card, err := fields.ReadCardImage(ctx, p, rd, im, dpi)
			if err != nil {
				tb.Fatal(err)
			}
			what := fmt.Sprintf("card %d %s (%s, skew %.1f°, JPEG %d)", s, []string{"front", "back"}[side], c.Layout, d.Skew, d.JPEG)
			want := []fields.CardSide{fields.Front, fields.Back}[side]
			if card.Side != want {
				tb.Logf("%s: read as side %q", what, card.Side)
			}
			truth := c.FrontTruth
			if side == 1 {
				truth = c.BackTruth
				for k, v := range c.MRZTruth {
					got, ok := card.MRZ[k]
					tl.add(what, "mrz."+k, v, got, ok)
				}
			}
			for k, v := range truth {
				got, ok := card.Fields[k]
				tl.add(what, k, v, got, ok)
			}
		}
	}
	return tl
}

func readForms(tb testing.TB, n int) *tally {
	needTesseract(tb)
	g, err := cardgen.NewGenerator()
	if err != nil {
		tb.Skip(err)
	}
	b, _ := json.Marshal(cardgen.FormLabels)
	labels, err := fields.ParseLabels(b)
	if err != nil {
		tb.Fatal(err)
	}
	p := ocr.New(ocr.Options{})
	defer p.Close()
	ctx := context.Background()
	tl := newTally()
	for _, s := range seeds(n) {
		f := g.Form(s, 300)
		d := cardgen.RandomDegradation(rand.New(rand.NewPCG(s, 7)))
		file, err := cardgen.Scan(f.Image, f.DPI, d, s)
		if err != nil {
			tb.Fatal(err)
		}
		im, dpi, err := imagefile.Decode(file, imagefile.MaxPixels)
		if err != nil {
			tb.Fatal(err)
		}
		r, err := p.Process(ctx, im, dpi)
		if err != nil {
			tb.Fatal(err)
		}
		got := fields.Extract(fields.LinesFromWords(r.Words), labels)
		what := fmt.Sprintf("form %d (skew %.1f°, JPEG %d)", s, d.Skew, d.JPEG)
		for k, v := range f.Truth {
			fv, ok := got[k]
			tl.add(what, k, v, fields.Value{Value: fv.Value, Confidence: fv.Conf}, ok)
		}
	}
	return tl
}

// TestHeldOutCards reads generated cards the code was not tuned on (front and back, 300 dpi,
// skewed 0.5–3°, noise, JPEG 50–85 on two pages in three) through the real pipeline and Tesseract,
// and holds the extraction to ≥ 95 % of card fields exact. -fields.cards=20 measures more.
func TestHeldOutCards(t *testing.T) {
	if acc := readCards(t, *nCards).report(t, "cards"); acc < 0.95 {
		t.Errorf("card fields exact: %.1f %%, want ≥ 95 %%", 100*acc)
	}
}

// TestHeldOutForms does the same for generated birth registration requests: ≥ 90 % exact.
func TestHeldOutForms(t *testing.T) {
	if acc := readForms(t, *nForms).report(t, "forms"); acc < 0.90 {
		t.Errorf("form fields exact: %.1f %%, want ≥ 90 %%", 100*acc)
	}
}
