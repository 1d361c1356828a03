package ocr

import (
	"image"
	"sort"
	"strings"
	"testing"

	"github.com/tramso/tramso/ocr/engine"
)

// Junk read from speckle and borders goes; the text, numbers and codes stay.
func TestDropJunk(t *testing.T) {
	cls := engine.NewClassifier()
	page := image.Rect(0, 0, 2480, 3508)
	var words []engine.Word
	add := func(text string, conf float64, x, line int) {
		words = append(words, engine.Word{Text: text, Conf: conf, Box: image.Rect(x, 300+line*60, x+20*len([]rune(text)), 340+line*60), Block: 1, Par: 1, Line: line})
	}
	// ten good lines of text in the middle of the page
	for l := 1; l <= 10; l++ {
		add("Độc", 93, 400, l)
		add("lập", 95, 500, l)
		add("-", 90, 580, l)
		add("Tự", 94, 620, l)
		add("do", 96, 700, l)
		add("123/QĐ-UBND", 91, 800, l)
	}
	add(`cv"`, 40, 1100, 3) // junk at a line end
	add("_", 30, 300, 4)    // stray punctuation at a line start
	add("ci", 50, 1100, 5)  // not a syllable
	add("sàn", 55, 2400, 6) // a syllable, but weak and out in the border
	add("Xxqz", 90, 350, 7) // confident junk inside the text: kept (it may be a name)
	// a line that is all junk: a fold read as letters
	add("~ra—", 30, 400, 11)
	add("An.", 40, 500, 11)
	add("Q.02", 20, 600, 11)
	// Tesseract gives the words line by line, left to right.
	sort.SliceStable(words, func(i, j int) bool {
		if words[i].Line != words[j].Line {
			return words[i].Line < words[j].Line
		}
		return words[i].Box.Min.X < words[j].Box.Min.X
	})
	got, dropped := dropJunk(words, cls, page)
	text := engine.WordsText(got)
	for _, gone := range []string{`cv"`, "_", "ci", "sàn", "~ra—", "Q.02"} {
		if strings.Contains(text, gone) {
			t.Errorf("%q kept:\n%s", gone, text)
		}
	}
	for _, kept := range []string{"Độc lập - Tự do 123/QĐ-UBND", "Xxqz"} {
		if !strings.Contains(text, kept) {
			t.Errorf("%q dropped:\n%s", kept, text)
		}
	}
	if dropped != 7 {
		t.Errorf("dropped %d, want 7", dropped)
	}
	_, quality, score, _ := judge(got, cls)
	_, q0, s0, _ := judge(words, cls)
	if quality <= q0 || score <= s0 {
		t.Errorf("dropping junk did not improve the verdict: quality %.2f → %.2f, score %.0f → %.0f", q0, quality, s0, score)
	}
}

// A bilingual card keeps its English labels and its MRZ: they are not Vietnamese syllables, but
// they are words and codes, not noise. Noise beside them still goes.
func TestDropJunkKeepsEnglishAndMRZ(t *testing.T) {
	cls := engine.NewClassifier()
	page := image.Rect(0, 0, 1012, 638) // a card at 300 dpi
	var words []engine.Word
	x := 0
	add := func(text string, conf float64, line int) {
		if len(words) == 0 || words[len(words)-1].Line != line {
			x = 40
		}
		w := 16 * len([]rune(text))
		words = append(words, engine.Word{Text: text, Conf: conf, Box: image.Rect(x, 60+line*45, x+w, 90+line*45), Block: 1, Par: 1, Line: line})
		x += w + 12
	}
	for l, s := range []string{"Họ và tên / Full name: NGUYỄN VĂN AN", "Ngày sinh / Date of birth: 01/02/1990"} {
		for _, f := range strings.Fields(s) {
			add(f, 91, l)
		}
	}
	// English labels read with middling confidence
	for _, f := range []struct {
		s string
		c float64
	}{{"Quốc", 90}, {"tịch", 88}, {"/", 80}, {"Nationality:", 52}, {"Việt", 92}, {"Nam", 93}} {
		add(f.s, f.c, 2)
	}
	for _, f := range []struct {
		s string
		c float64
	}{{"Place", 55}, {"of", 48}, {"residence:", 45}} {
		add(f.s, f.c, 3)
	}
	add("ci", 40, 3) // noise after the label: goes
	// the MRZ at the bottom of the card, below the text block, read weakly
	add("IDVNM0790123456001079012345<<4", 45, 11)
	add("9001011M3001012VNM<<<<<<<<<<<6", 38, 12)
	add("NGUYEN<<VAN<AN", 42, 13)
	add("<<", 25, 13)
	add("<<<<<<<<<", 30, 13)
	got, _ := dropJunk(words, cls, page)
	text := engine.WordsText(got)
	for _, kept := range []string{"Nationality:", "Place of residence:", "IDVNM0790123456001079012345<<4",
		"9001011M3001012VNM<<<<<<<<<<<6", "NGUYEN<<VAN<AN << <<<<<<<<<", "Full name: NGUYỄN VĂN AN", "Date of birth: 01/02/1990"} {
		if !strings.Contains(text, kept) {
			t.Errorf("%q dropped:\n%s", kept, text)
		}
	}
	if strings.Contains(text, "ci") {
		t.Errorf("noise %q kept:\n%s", "ci", text)
	}
}
