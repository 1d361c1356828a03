package main

import (
	"context"
	"encoding/json"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/ocr/cardgen"
)

// fieldsOutput is the --json output with --fields, read loosely so that the shape is checked.
type fieldsOutput struct {
	Pages []struct {
		Input    string
		CardSide string `json:"card_side"`
		Fields   map[string]json.RawMessage
		Error    string
	}
	Failed int
}

type fieldValue struct {
	Value      *string  `json:"value"`
	Confidence *float64 `json:"confidence"`
}

// value decodes one {"value", "confidence"} member, failing the test on any other shape.
func value(t *testing.T, raw json.RawMessage) (string, float64) {
	t.Helper()
	var v fieldValue
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil || v.Value == nil || v.Confidence == nil {
		t.Fatalf("field %s is not {\"value\", \"confidence\"}: %v", raw, err)
	}
	if *v.Confidence < 0 || *v.Confidence > 1 {
		t.Errorf("confidence %v outside 0–1", *v.Confidence)
	}
	return *v.Value, *v.Confidence
}

func needOCR(t *testing.T) *cardgen.Generator {
	for _, l := range []string{"vie", "eng"} {
		if _, err := os.Stat("/usr/share/tesseract-ocr/5/tessdata/" + l + ".traineddata"); err != nil {
			t.Skipf("tesseract-ocr-%s not installed", l)
		}
	}
	g, err := cardgen.NewGenerator()
	if err != nil {
		t.Skip(err)
	}
	return g
}

// TestOCRFieldsCCCD runs kioskctl ocr --fields cccd on the front and back of a generated held-out
// card, scanned at 300 dpi, skewed and saved as JPEG, and a form page offered by mistake.
func TestOCRFieldsCCCD(t *testing.T) {
	g := needOCR(t)
	dir := t.TempDir()
	seed := cardgen.HeldOutSeeds.First + 500
	c := g.Card(seed, 300)
	var files []string
	for i, img := range [][2]any{{"front", c.Front}, {"back", c.Back}} {
		d := cardgen.RandomDegradation(rand.New(rand.NewPCG(seed, uint64(i))))
		d.JPEG = 70
		if d.Skew > -1 && d.Skew < 1 {
			d.Skew = 1.5
		}
		b, err := cardgen.Scan(img[1].(*image.RGBA), c.DPI, d, seed)
		if err != nil {
			t.Fatal(err)
		}
		// the back first: the side is told from the page, not from the order
		name := filepath.Join(dir, img[0].(string)+".jpg")
		os.WriteFile(name, b, 0o644)
		files = append([]string{name}, files...)
	}
	// a blank card-sized page: nothing is guessed
	blank := image.NewRGBA(c.Front.Rect)
	for i := range blank.Pix {
		blank.Pix[i] = 250
	}
	bb, _ := cardgen.Scan(blank, 300, cardgen.Degradation{Noise: 3, JPEG: 80}, seed)
	os.WriteFile(filepath.Join(dir, "blank.jpg"), bb, 0o644)
	files = append(files, filepath.Join(dir, "blank.jpg"))
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	code, stdout, stderr := kioskctl(t, ctx, nil, append([]string{"ocr", "--json", "--fields", "cccd"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out fieldsOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out.Pages) != 3 {
		t.Fatalf("json: %v\n%s", err, stdout)
	}
	if p := out.Pages[2]; p.CardSide != "" || len(p.Fields) != 0 || !strings.Contains(stdout, `"fields": {}`) {
		t.Errorf("blank page: side %q fields %v", p.CardSide, p.Fields)
	}
	back, front := out.Pages[0], out.Pages[1]
	if front.CardSide != "front" || back.CardSide != "back" {
		t.Fatalf("sides %q %q", front.CardSide, back.CardSide)
	}
	exact, all := 0, 0
	for k, want := range c.FrontTruth {
		all++
		if raw, ok := front.Fields[k]; ok {
			if got, _ := value(t, raw); got == want {
				exact++
			} else {
				t.Logf("front %s = %q, want %q", k, got, want)
			}
		} else {
			t.Logf("front %s absent, want %q", k, want)
		}
	}
	for k, want := range c.BackTruth {
		all++
		if raw, ok := back.Fields[k]; ok {
			if got, _ := value(t, raw); got == want {
				exact++
			} else {
				t.Logf("back %s = %q, want %q", k, got, want)
			}
		}
	}
	var mrz map[string]json.RawMessage
	if err := json.Unmarshal(back.Fields["mrz"], &mrz); err != nil {
		t.Fatalf(`back has no "mrz" object: %v (%s)`, err, back.Fields["mrz"])
	}
	for k, want := range c.MRZTruth {
		all++
		if raw, ok := mrz[k]; ok {
			if got, _ := value(t, raw); got == want {
				exact++
			} else {
				t.Logf("mrz %s = %q, want %q", k, got, want)
			}
		}
	}
	// the sides do not leak into each other
	for _, k := range []string{"issueDate", "identifyingMarks", "mrz"} {
		if _, ok := front.Fields[k]; ok {
			t.Errorf("front has %s", k)
		}
	}
	for _, k := range []string{"fullName", "placeOfResidence"} {
		if _, ok := back.Fields[k]; ok {
			t.Errorf("back has %s", k)
		}
	}
	// one card: the ≥ 95 % target over several held-out cards is held by ocr/fields TestHeldOutCards
	if exact*100 < 80*all {
		t.Errorf("%d of %d card fields exact, want ≥ 80 %% on this card", exact, all)
	}
}

// TestOCRFieldsForm reads a generated held-out form with its labels file.
func TestOCRFieldsForm(t *testing.T) {
	g := needOCR(t)
	dir := t.TempDir()
	seed := cardgen.HeldOutSeeds.First + 501
	f := g.Form(seed, 300)
	d := cardgen.RandomDegradation(rand.New(rand.NewPCG(seed, 7)))
	d.JPEG = 60
	b, err := cardgen.Scan(f.Image, f.DPI, d, seed)
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "form.jpg")
	os.WriteFile(page, b, 0o644)
	lb, _ := json.Marshal(cardgen.FormLabels)
	labels := filepath.Join(dir, "labels.json")
	os.WriteFile(labels, lb, 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	code, stdout, stderr := kioskctl(t, ctx, nil, "ocr", "--json", "--fields", "form", "--labels", labels, page)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out fieldsOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out.Pages) != 1 {
		t.Fatalf("json: %v\n%s", err, stdout)
	}
	exact := 0
	for k, want := range f.Truth {
		if raw, ok := out.Pages[0].Fields[k]; ok {
			if got, _ := value(t, raw); got == want {
				exact++
			} else {
				t.Logf("%s = %q, want %q", k, got, want)
			}
		} else {
			t.Logf("%s absent, want %q", k, want)
		}
	}
	for k := range out.Pages[0].Fields {
		if _, ok := f.Truth[k]; !ok {
			t.Errorf("key %q not in the labels file", k)
		}
	}
	// one form: the ≥ 90 % target over several held-out forms is held by ocr/fields TestHeldOutForms
	if exact*100 < 80*len(f.Truth) {
		t.Errorf("%d of %d form fields exact, want ≥ 80 %% on this form", exact, len(f.Truth))
	}
	// without --fields the output has no "fields"
	_, stdout, _ = kioskctl(t, ctx, nil, "ocr", "--json", page)
	if strings.Contains(stdout, `"fields"`) {
		t.Error(`"fields" in the output without --fields`)
	}
}

func TestOCRFieldsUsage(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	img := write("x.png", "not read: the flags are refused first")
	for name, c := range map[string]struct {
		args []string
		says string
	}{
		"unknown --fields":    {[]string{"--json", "--fields", "passport", img}, "passport"},
		"form without labels": {[]string{"--json", "--fields", "form", img}, "--labels"},
		"labels not an array": {[]string{"--json", "--fields", "form", "--labels", write("o.json", `{"key":"a","label":"b","kind":"text"}`), img}, "invalid labels file"},
		"unknown kind":        {[]string{"--json", "--fields", "form", "--labels", write("k.json", `[{"key":"a","label":"b","kind":"email"}]`), img}, `unknown kind "email"`},
		"missing labels file": {[]string{"--json", "--fields", "form", "--labels", filepath.Join(dir, "none.json"), img}, "cannot read labels file"},
		"labels with cccd":    {[]string{"--json", "--fields", "cccd", "--labels", write("l.json", `[]`), img}, "--labels"},
		"fields without json": {[]string{"--fields", "cccd", img}, "--json"},
	} {
		code, stdout, stderr := kioskctl(t, context.Background(), nil, append([]string{"ocr"}, c.args...)...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2", name, code)
		}
		if !strings.Contains(stderr, c.says) || stdout != "" {
			t.Errorf("%s: stderr does not say %q (stdout %q): %s", name, c.says, stdout, stderr)
		}
	}
}
