// Package fields extracts typed fields with confidences from OCR words: the front and back of the
// chip ID card (CCCD) with its machine-readable zone (ICAO 9303 TD1), and key–value administrative
// forms described by labels. It reads the page's layout, not only its text: a value is what follows
// its printed label on the same row, or the row below when the label's row holds nothing more, and
// a value that fills its row continues on the rows below until the next label. Labels are matched
// without regard to diacritics and with a few letters wrong, so a label read with wrong tones still
// matches, and the longest matching label wins.
package fields

import (
	"image"
	"sort"
	"strings"
	"unicode"

	"github.com/tramso/tramso/internal/vntext"
	"github.com/tramso/tramso/ocr/engine"
	"golang.org/x/text/unicode/norm"
)

// Line is one row of OCR text. Lines made by LinesFromWords also know where each word lies on
// the page, which lets extraction follow wrapped values and columns; lines made by LinesFromText
// do not.
type Line struct {
	Text string
	Conf float64         // 0–100; 0 when unknown
	Box  image.Rectangle // empty when unknown
	// words are the row's words: their rune ranges in Text and their boxes (nil when unknown).
	words []span
}

// span is one word of a Line: runes [start,end) of Text.
type span struct {
	start, end int
	box        image.Rectangle
	conf       float64
}

// LinesFromWords groups OCR words into rows by their boxes: words whose vertical centres are
// close are one row, read left to right, whatever blocks Tesseract put them in. A row's confidence
// is the mean of its words'. Lines of several pages may be concatenated: extraction never joins a
// row to one above it.
func LinesFromWords(words []engine.Word) []Line {
	var ws []engine.Word
	var hs []int
	for _, w := range words {
		w.Text = strings.TrimSpace(norm.NFC.String(w.Text))
		if w.Text != "" && !w.Box.Empty() {
			ws = append(ws, w)
			hs = append(hs, w.Box.Dy())
		}
	}
	// specks read as words: far smaller than the text, or read with almost no confidence
	if len(hs) > 0 {
		sort.Ints(hs)
		med := hs[len(hs)/2]
		kept := ws[:0]
		for _, w := range ws {
			if w.Box.Dy()*10 < med*4 && w.Conf < 50 || w.Box.Dy()*10 > med*25 && w.Conf < 60 {
				continue // a speck, or a frame or picture read as a glyph
			}
			kept = append(kept, w)
		}
		ws = kept
	}
	if len(ws) == 0 {
		return nil
	}
	cy := func(w engine.Word) int { return (w.Box.Min.Y + w.Box.Max.Y) / 2 }
	sort.SliceStable(ws, func(i, j int) bool { return cy(ws[i]) < cy(ws[j]) })
	// a word joins the recent row its box overlaps most (at least half its own height or the
	// row's), so that rows stay apart on tightly set cards and words a little off the line join it
	type band struct{ top, bottom, n float64 }
	var rows [][]engine.Word
	var bands []band
	for _, w := range ws {
		top, bottom := float64(w.Box.Min.Y), float64(w.Box.Max.Y)
		best, bestOv := -1, 0.0
		for k := len(rows) - 1; k >= 0 && k >= len(rows)-3; k-- {
			b := bands[k]
			ov := min(bottom, b.bottom) - max(top, b.top)
			need := 0.5 * min(bottom-top, b.bottom-b.top)
			if ov >= need && ov > bestOv {
				best, bestOv = k, ov
			}
		}
		if best < 0 {
			rows = append(rows, []engine.Word{w})
			bands = append(bands, band{top, bottom, 1})
			continue
		}
		rows[best] = append(rows[best], w)
		b := &bands[best]
		b.n++
		b.top += (top - b.top) / b.n
		b.bottom += (bottom - b.bottom) / b.n
	}
	out := make([]Line, 0, len(rows))
	for _, r := range rows {
		sure := false
		for _, w := range r {
			sure = sure || w.Conf >= 20 || w.Conf == 0 && w.Text != ""
		}
		if !sure {
			continue // a row of nothing but doubtful readings is noise
		}
		sort.SliceStable(r, func(i, j int) bool { return r[i].Box.Min.X < r[j].Box.Min.X })
		var l Line
		var b strings.Builder
		n := 0
		for i, w := range r {
			if i > 0 {
				b.WriteByte(' ')
				n++
			}
			k := len([]rune(w.Text))
			l.words = append(l.words, span{start: n, end: n + k, box: w.Box, conf: w.Conf})
			b.WriteString(w.Text)
			n += k
			l.Conf += w.Conf
			l.Box = l.Box.Union(w.Box)
		}
		l.Text = b.String()
		l.Conf /= float64(len(r))
		out = append(out, l)
	}
	return out
}

// LinesFromText splits text into lines of unknown confidence and position.
func LinesFromText(s string) []Line {
	var out []Line
	for _, l := range strings.Split(s, "\n") {
		if l = collapse(l); l != "" {
			out = append(out, Line{Text: l})
		}
	}
	return out
}

// Fold maps s rune for rune to lower case without diacritics (đ → d), so "Ngày sinh", "Ngay sinh"
// and "Ngáy sinh" fold alike (vntext.FoldRunes), and reads '|' and '\\' as '/' (how Tesseract reads
// the slash of "Số / No." and of dates). The result has as many runes as norm.NFC.String(s).
func Fold(s string) []rune {
	rs := vntext.FoldRunes(s)
	for i, r := range rs {
		if r == '|' || r == '\\' {
			rs[i] = '/'
		}
	}
	return rs
}

// collapse makes s NFC, trims it and reduces whitespace runs to one space.
func collapse(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), " ") }

// labelMatch is where a label was found in a row: runes [start,end) of the row's text, with the
// number of edits between the folded label and the folded text.
type labelMatch struct {
	start, end, edits int
}

// maxEdits is how many letters of a folded label of n runes may differ: none for short labels.
func maxEdits(n int) int {
	if n >= 7 && n < 20 {
		return 1
	}
	return n / 10
}

// findLabels finds every occurrence of label (folded) in line (folded) that starts at a word
// boundary, ends before a letter-free rune or the end, and differs by at most maxEdits. It is a
// semi-global alignment (the label aligned to any substring of the line), in O(len(label)·len(line)).
func findLabels(line, label []rune) []labelMatch {
	n, m := len(label), len(line)
	if n == 0 || m == 0 {
		return nil
	}
	k := maxEdits(n)
	const inf = 1 << 20
	// d[j] = edits aligning label[:i] to a substring of line ending at j; s[j] = its start
	prev, cur := make([]int, m+1), make([]int, m+1)
	ps, cs := make([]int, m+1), make([]int, m+1)
	for j := 0; j <= m; j++ {
		if j == 0 || !isWordRune(line[j-1]) || (j < m && !isWordRune(line[j])) {
			prev[j] = 0
		} else {
			prev[j] = inf
		}
		ps[j] = j
	}
	for i := 1; i <= n; i++ {
		cur[0], cs[0] = prev[0]+1, ps[0]
		for j := 1; j <= m; j++ {
			c := 1
			if label[i-1] == line[j-1] {
				c = 0
			}
			best, bs := prev[j-1]+c, ps[j-1]
			// spaces are optional on either side: OCR glues and splits words ("Giớitính/Sex")
			del, ins := 1, 1
			if label[i-1] == ' ' {
				del = 0
			}
			if line[j-1] == ' ' {
				ins = 0
			}
			if v := prev[j] + del; v < best {
				best, bs = v, ps[j]
			}
			if v := cur[j-1] + ins; v < best {
				best, bs = v, cs[j-1]
			}
			cur[j], cs[j] = best, bs
		}
		prev, cur = cur, prev
		ps, cs = cs, ps
	}
	var out []labelMatch
	for j := 1; j <= m; j++ {
		if prev[j] > k {
			continue
		}
		// end at a word end (a label's last letter is not followed by more letters)
		if j < m && isWordRune(line[j]) && isWordRune(line[j-1]) {
			continue
		}
		// a local minimum: the next position is not better
		if j < m && prev[j+1] < prev[j] {
			continue
		}
		if len(out) > 0 && out[len(out)-1].start == ps[j] {
			if prev[j] < out[len(out)-1].edits {
				out[len(out)-1] = labelMatch{ps[j], j, prev[j]}
			}
			continue
		}
		out = append(out, labelMatch{ps[j], j, prev[j]})
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// vietLetter says r is a letter of the Vietnamese alphabet (with or without its marks).
func vietLetter(r rune) bool {
	f := vntext.FoldRune(r)
	return f >= 'a' && f <= 'z' && (r < 0x80 || strings.ContainsRune(vietMarked, unicode.ToLower(r)))
}

// vietMarked are the lower-case letters with marks used in Vietnamese.
const vietMarked = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
