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
