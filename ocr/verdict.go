package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sort"
	"strings"
	"unicode"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/ocr/engine"
	"github.com/tramso/tramso/ocr/preprocess"
)

// Reading names the image a page's text was read from.
type Reading string

// Readings.
const (
	ReadNone    Reading = "none"    // not read: a blank page
	ReadCleaned Reading = "cleaned" // the cleaned bilevel page
	ReadPlain   Reading = "plain"   // the page as scanned (the decoded input, colour kept, only turned upright), read as raw Tesseract reads it
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

// pageError words a preprocessing failure for people: ErrUnreadable's sentence, the failure's own
// reduced to English (errtext.Wrap); an empty image and a cancelled context pass unchanged.
func pageError(err error) error {
	if errors.Is(err, preprocess.ErrEmptyImage) || errors.Is(err, ErrUnreadable) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errtext.Wrap(ErrUnreadable, err)
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

// outOfOrder is how much of a reading's plausible text (confidence weighted, as judge counts it) is
// out of the page's reading order: the text that would have to move for the reading's lines to
// follow the page from top to bottom, and from left to right along a row. Lines side by side (a
// table's cells, a two-column heading) form one row, read across: that is how a reader takes a
// ruled list, and how the page's text is written down. A reading that takes a table column by
// column, or a heading block by block, holds the same words as one that takes it row by row and
// judge scores them the same; this is the text it misplaces, whether or not any line goes back up
// the page.
func outOfOrder(words []engine.Word, cls *engine.Classifier) float64 {
	units := textLines(words, cls)
	if len(units) < 2 {
		return 0
	}
	// The page's order: lines sorted by their middle; a line whose middle is less than half a line
	// height (the smaller of the two) below the middle of the row's first line joins that row (tall
	// marks over capitals make the boxes of successive lines overlap: overlap alone would join
	// them); a row is read left to right. Lines without plausible text are left out.
	idx := make([]int, len(units))
	for i := range idx {
		idx[i] = i
	}
	mid := func(i int) int { return (units[i].box.Min.Y + units[i].box.Max.Y) / 2 }
	sort.SliceStable(idx, func(a, b int) bool { return mid(idx[a]) < mid(idx[b]) })
	row := make([]int, len(units))
	r, anchor := 0, idx[0]
	for _, i := range idx[1:] {
		if d := mid(i) - mid(anchor); d*2 >= min(units[i].box.Dy(), units[anchor].box.Dy()) {
			r++
			anchor = i
		}
		row[i] = r
	}
	sort.SliceStable(idx, func(a, b int) bool {
		i, j := idx[a], idx[b]
		if row[i] != row[j] {
			return row[i] < row[j]
		}
		return units[i].box.Min.X < units[j].box.Min.X
	})
	rank := make([]int, len(units))
	for r, i := range idx {
		rank[i] = r
	}
	// The text kept in order is the heaviest run of lines whose page ranks increase in the
	// reading's order; the rest is misplaced.
	best := make([]float64, len(units))
	var total, kept float64
	for i, u := range units {
		total += u.weight
		best[i] = u.weight
		for j := 0; j < i; j++ {
			if rank[j] < rank[i] && best[j]+u.weight > best[i] {
				best[i] = best[j] + u.weight
			}
		}
		kept = max(kept, best[i])
	}
	return total - kept
}

// textLine is a line of a reading that holds plausible text: its box and that text's weight
// (characters of syllables, numbers and codes, confidence weighted, as judge counts them).
type textLine struct {
	box        image.Rectangle
	weight     float64
	first, end int // the line's words in the reading: words[first:end]
}

// textLines gathers a reading's words into its lines (Tesseract's block, paragraph and line) and
// keeps the lines with plausible text.
func textLines(words []engine.Word, cls *engine.Classifier) []textLine {
	var units []textLine
	for i, w := range words {
		if i == 0 || words[i-1].Block != w.Block || words[i-1].Par != w.Par || words[i-1].Line != w.Line {
			if len(units) > 0 && units[len(units)-1].weight == 0 {
				units = units[:len(units)-1] // no text: neither counted nor a row's anchor
			}
			units = append(units, textLine{box: w.Box, first: i})
		}
		u := &units[len(units)-1]
		u.box = u.box.Union(w.Box)
		u.end = i + 1
		if k := cls.Kind(w.Text); k == engine.Syllable || k == engine.NumberCode {
			u.weight += float64(textLen(w.Text)) * w.Conf / 100
		}
	}
	if len(units) > 0 && units[len(units)-1].weight == 0 {
		units = units[:len(units)-1]
	}
	return units
}

// missed is the plausible text (weighted as judge counts it) of the lines of other that mine has
// no text for: lines of which less than half the area lies within mine's lines, both in the
// page's geometry. A reading that leaves out a block of the page (a table's last rows, a column)
// may still rank above one that has it, by more confident text elsewhere; judge cannot see what
// a reading left out, another reading of the same page can.
func missed(mine, other []textLine) float64 {
	if len(other) == 0 {
		return 0
	}
	const cell = 8
	area := other[0].box
	for _, l := range other[1:] {
		area = area.Union(l.box)
	}
	gw, gh := (area.Dx()+cell-1)/cell, (area.Dy()+cell-1)/cell
	covered := make([]bool, gw*gh)
	for _, l := range mine {
		r := l.box.Intersect(area)
		if r.Empty() {
			continue
		}
		r = r.Sub(area.Min)
		for y := r.Min.Y / cell; y <= (r.Max.Y-1)/cell && y < gh; y++ {
			for x := r.Min.X / cell; x <= (r.Max.X-1)/cell && x < gw; x++ {
				covered[y*gw+x] = true
			}
		}
	}
	var lost float64
	for _, l := range other {
		r := l.box.Sub(area.Min)
		var in, all int
		for y := r.Min.Y / cell; y <= (r.Max.Y-1)/cell && y < gh; y++ {
			for x := r.Min.X / cell; x <= (r.Max.X-1)/cell && x < gw; x++ {
				all++
				if covered[y*gw+x] {
					in++
				}
			}
		}
		if in*2 < all {
			lost += l.weight
		}
	}
	return lost
}

// minFill is the least plausible text (weighted as judge counts it) of a line another reading has
// for it to be taken into the kept reading where that one has no text.
const minFill = 5

// fillMissed adds to the words of a kept reading the lines other readings of the page found where
// it has none (missed: less than half the line within its lines), each in its place in the page's
// order: a reading of the page as scanned that stops short of a closing paragraph, a cleaned one
// that lost a table's rows. A line of the kept reading lying mostly inside an added line (the
// first words of it) gives way to it, when the added line holds at least twice its text; otherwise
// the line is not added. Each added line is a paragraph of its own. It returns the
// words and how many lines were added; the words of keep and others are not changed.
func fillMissed(keep []engine.Word, others [][]engine.Word, cls *engine.Classifier) ([]engine.Word, int) {
	type seg struct {
		words []engine.Word
		box   image.Rectangle
	}
	var segs []seg
	for i, w := range keep {
		if i == 0 || keep[i-1].Block != w.Block || keep[i-1].Par != w.Par || keep[i-1].Line != w.Line {
			segs = append(segs, seg{box: w.Box})
		}
		s := &segs[len(segs)-1]
		s.words = append(s.words, w)
		s.box = s.box.Union(w.Box)
	}
	have := textLines(keep, cls)
	added := 0
	block := 1 << 9 // above Tesseract's block numbers, under the PDF text layer's 10 bits
	for _, o := range others {
		for _, l := range textLines(o, cls) {
			if l.weight < minFill || missed(have, []textLine{l}) == 0 {
				continue
			}
			ws := append([]engine.Word(nil), o[l.first:l.end]...)
			for i := range ws {
				ws[i].Block, ws[i].Par, ws[i].Line = block+added, 1, 1
			}
			mid := (l.box.Min.Y + l.box.Max.Y) / 2
			at := -1
			kept := segs[:0:0]
			var yields float64
			for _, s := range segs {
				in := s.box.Intersect(l.box)
				if a := s.box.Dx() * s.box.Dy(); a > 0 && in.Dx()*in.Dy()*2 >= a {
					if at < 0 {
						at = len(kept)
					}
					for _, tl := range textLines(s.words, cls) {
						yields += tl.weight
					}
					continue // inside the added line: gives way
				}
				kept = append(kept, s)
			}
			if yields*2 > l.weight {
				continue // the added line must hold clearly more text than the part it replaces
			}
			if at < 0 {
				at = len(kept)
				for i, s := range kept {
					if (s.box.Min.Y+s.box.Max.Y)/2 > mid {
						at = i
						break
					}
				}
			}
			segs = append(kept[:at:at], append([]seg{{words: ws, box: l.box}}, kept[at:]...)...)
			have = append(have, l)
			added++
		}
	}
	if added == 0 {
		return keep, 0
	}
	var out []engine.Word
	for _, s := range segs {
		out = append(out, s.words...)
	}
	return out, added
}

// isRuleMark reports whether r is what Tesseract reads a table's vertical rule as.
func isRuleMark(r rune) bool { return r == '|' || r == '¦' || r == '│' || r == '┃' || r == '｜' }

// splitRules takes the vertical rules of a table out of a reading. A rule touching a cell's text
// is read as "|" glued to it ("|Có", "sinh|", "1|Đỗ"), which turns a real word into junk: dropped
// as noise, or counted against the reading that found it. Words are split where such a mark is
// (the box shared out by the runes on either side), the marks themselves go, and so do underscores
// at the ends of a word that has letters or digits (a horizontal rule under it).
func splitRules(words []engine.Word) []engine.Word {
	out := words[:0:0]
	for _, w := range words {
		if !strings.ContainsFunc(w.Text, isRuleMark) && !strings.HasPrefix(w.Text, "_") && !strings.HasSuffix(w.Text, "_") {
			out = append(out, w)
			continue
		}
		rs := []rune(w.Text)
		n := len(rs)
		for i := 0; i < n; {
			if isRuleMark(rs[i]) {
				i++
				continue
			}
			j := i
			for j < n && !isRuleMark(rs[j]) {
				j++
			}
			a, b := i, j
			if strings.ContainsFunc(string(rs[a:b]), func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
				for a < b && rs[a] == '_' {
					a++
				}
				for b > a && rs[b-1] == '_' {
					b--
				}
			}
			part := w
			part.Text = string(rs[a:b])
			dx := w.Box.Dx()
			part.Box.Min.X = w.Box.Min.X + dx*a/n
			part.Box.Max.X = w.Box.Min.X + dx*b/n
			out = append(out, part)
			i = j
		}
	}
	return out
}
