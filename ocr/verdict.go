package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sort"
	"strings"

	"github.com/tramso/tramso/ocr/engine"
	"github.com/tramso/tramso/ocr/preprocess"
)

// Reading names the image a page's text was read from.
type Reading string

// Readings.
const (
	ReadNone    Reading = "none"    // not read: a blank page
	ReadCleaned Reading = "cleaned" // the cleaned bilevel page
	ReadPlain   Reading = "plain"   // the page as scanned (grey, only turned upright), thresholded by Tesseract
	ReadLayout  Reading = "layout"  // the cleaned page read with Tesseract's layout analysis (tables, columns)
)

// Verdict is how a page's reading was judged.
type Verdict struct {
	Reading  Reading // the reading kept
	Quality  float64 // share of the kept text in Vietnamese syllables, numbers and codes, confidence weighted (0–1)
	Coverage float64 // share of the page's ink inside the first reading's words (0–1)
	Doubtful bool    // the first reading was poor enough for a second one
	OSD      bool    // Tesseract's orientation detection decided the page's up and down
	Dropped  int     // recognised tokens dropped as noise
}

// String is a short summary for logs (no page content).
func (v Verdict) String() string {
	s := fmt.Sprintf("%s q=%.2f cov=%.2f dropped=%d", v.Reading, v.Quality, v.Coverage, v.Dropped)
	if v.Doubtful {
		s += " doubtful"
	}
	if v.OSD {
		s += " osd"
	}
	return s
}

// PageError is the failure of one page of a batch; its message names the page, e.g.
// "trang 3 (page 3): ảnh rỗng (empty image)".
type PageError struct {
	Page int // 1-based
	Err  error
}

func (e *PageError) Error() string {
	return fmt.Sprintf("trang %d (page %d): %v", e.Page, e.Page, e.Err)
}

// Unwrap returns the page's error.
func (e *PageError) Unwrap() error { return e.Err }

// OnPage names the page (1-based) an error happened on; nil stays nil.
func OnPage(page int, err error) error {
	if err == nil {
		return nil
	}
	var pe *PageError
	if errors.As(err, &pe) {
		return err
	}
	return &PageError{Page: page, Err: err}
}

// ErrUnreadable reports a page that could not be prepared for recognition.
var ErrUnreadable = errors.New("không xử lý được ảnh trang (cannot process the page image)")

// pageError words a preprocessing failure for people; a cancelled context passes unchanged.
func pageError(err error) error {
	if errors.Is(err, preprocess.ErrEmptyImage) || errors.Is(err, ErrUnreadable) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnreadable, err)
}

// dropJunk removes from a reading what is noise read as text: tokens that are neither Vietnamese
// syllables, plausible Latin words (the English labels of bilingual papers), numbers or codes and
// were read with low confidence, stray punctuation at the start or end of a line, and weak tokens
// lying outside the page's main text block (lid borders, speckle in the margins). MRZ runs stay
// wherever they are. It returns the words kept and how many were dropped.
func dropJunk(words []engine.Word, cls *engine.Classifier, page image.Rectangle) ([]engine.Word, int) {
	if len(words) == 0 {
		return words, 0
	}
	kinds := make([]engine.TokenKind, len(words))
	for i, w := range words {
		kinds[i] = cls.Kind(w.Text)
	}
	// The main text block: the box around the confident plausible words, trimmed of outliers.
	var xs0, xs1, ys0, ys1 []int
	for i, w := range words {
		if (kinds[i] == engine.Syllable || kinds[i] == engine.NumberCode || kinds[i] == engine.Latin) && w.Conf >= 80 && len([]rune(w.Text)) >= 2 {
			xs0 = append(xs0, w.Box.Min.X)
			xs1 = append(xs1, w.Box.Max.X)
			ys0 = append(ys0, w.Box.Min.Y)
			ys1 = append(ys1, w.Box.Max.Y)
		}
	}
	block := page
	if len(xs0) >= 8 {
		q := func(v []int, f float64) int {
			sort.Ints(v)
			return v[int(f*float64(len(v)-1))]
		}
		m := page.Dx() / 25
		block = image.Rect(q(xs0, 0.02)-m, q(ys0, 0.02)-m, q(xs1, 0.98)+m, q(ys1, 0.98)+m)
	}
	line := func(i int) [3]int { return [3]int{words[i].Block, words[i].Par, words[i].Line} }
	keep := make([]bool, len(words))
	for i, w := range words {
		k := kinds[i]
		first := i == 0 || line(i-1) != line(i)
		last := i == len(words)-1 || line(i+1) != line(i)
		inside := w.Box.In(block) || w.Box.Overlaps(block) && w.Box.Intersect(block).Dx()*2 > w.Box.Dx()
		plausible := k == engine.Syllable || k == engine.NumberCode || k == engine.Latin
		long := (k == engine.Syllable || k == engine.NumberCode) && textLen(w.Text) >= 12 && w.Conf >= 30 // an MRZ line, a long code
		switch {
		case long, mrz(w.Text, k):
			keep[i] = true
		case w.Conf < 20 && !(plausible && strings.HasSuffix(w.Text, "...")):
			// Tesseract's guess at a dotted leader or a smudge; a value run into its form's leader
			// ("Mẹ.........") has as low a confidence and stays.
		case k == engine.Junk && w.Conf < 60:
		case k == engine.Punctuation && (first || last) && w.Conf < 85 && len([]rune(w.Text)) <= 3:
		case !inside && (k == engine.Junk || k == engine.Punctuation || w.Conf < 80):
		default:
			keep[i] = true
		}
	}
	// A line that is three quarters junk (a fold, a stamp's rim, a border read as letters) goes whole.
	for i := 0; i < len(words); {
		j := i
		var good, all int
		mrzLine := false
		for ; j < len(words) && line(j) == line(i); j++ {
			n := textLen(words[j].Text)
			if kinds[j] != engine.Punctuation {
				all += n
			}
			// English labels are printed small, in italics, and read with less confidence.
			if keep[j] && (kinds[j] == engine.Syllable || kinds[j] == engine.NumberCode) && (words[j].Conf >= 60 || n >= 12 && words[j].Conf >= 30) ||
				keep[j] && kinds[j] == engine.Latin && words[j].Conf >= 40 {
				good += n
			}
			mrzLine = mrzLine || mrz(words[j].Text, kinds[j])
		}
		switch {
		case mrzLine:
			// A line of the MRZ stays whole: its short pieces ("<<", "VNM") are read weakly.
			for k := i; k < j; k++ {
				keep[k] = keep[k] || mrzAlphabet(words[k].Text)
			}
		case all > 0 && good*4 < all:
			for k := i; k < j; k++ {
				keep[k] = false
			}
		}
		i = j
	}
	out := make([]engine.Word, 0, len(words))
	for i, w := range words {
		if keep[i] {
			out = append(out, w)
		}
	}
	return out, len(words) - len(out)
}

// mrz reports whether a token of kind k is (part of) a machine-readable zone: capitals, digits
// and the filler '<', with at least one filler.
func mrz(text string, k engine.TokenKind) bool {
	return k == engine.NumberCode && strings.Contains(text, "<")
}

// mrzAlphabet reports whether s is written in the MRZ's alphabet only (A–Z, 0–9, '<').
func mrzAlphabet(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '<') {
			return false
		}
	}
	return s != ""
}

// judge weighs a reading: its mean confidence (by characters), the share of its characters in
// plausible tokens weighted by confidence (quality), and a score that grows with the plausible
// text read and falls with junk, by which two readings of a page are compared.
func judge(words []engine.Word, cls *engine.Classifier) (conf, quality, score, good float64) {
	var sum, n, bad float64
	for _, w := range words {
		c := float64(textLen(w.Text))
		sum += w.Conf * c
		n += c
		switch cls.Kind(w.Text) {
		case engine.Syllable, engine.NumberCode:
			good += c * w.Conf / 100
			bad += c * (1 - w.Conf/100) * 0.5
		case engine.Junk:
			bad += c
		}
	}
	if n == 0 {
		return 0, 0, 0, 0
	}
	return sum / n, good / (good + bad + 1e-9), good - 0.5*bad, good
}

// textLen is the length of a token in runes, without the dots of a dotted leader.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		if r != '.' && r != '…' {
			n++
		}
	}
	return n
}
