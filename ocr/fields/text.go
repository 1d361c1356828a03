// Package fields extracts typed fields with confidences from OCR text: the front of the chip ID card
// (CCCD), its machine-readable zone (ICAO 9303 TD1) and key–value administrative forms. Labels are
// matched without regard to diacritics, so a label read with wrong tones still matches.
package fields

import (
	"strings"
	"unicode"

	"github.com/tramso/tramso/ocr/engine"
	"github.com/tramso/tramso/ocr/internal/editdist"
	"golang.org/x/text/unicode/norm"
)

// Line is one line of OCR text with its confidence (0–100; 0 when unknown).
type Line struct {
	Text string
	Conf float64
}

// LinesFromWords groups OCR words into lines; a line's confidence is the mean of its words'.
func LinesFromWords(words []engine.Word) []Line {
	var lines []Line
	var n int
	for i, w := range words {
		if i == 0 || w.Block != words[i-1].Block || w.Par != words[i-1].Par || w.Line != words[i-1].Line {
			if n > 0 {
				lines[len(lines)-1].Conf /= float64(n)
			}
			lines = append(lines, Line{})
			n = 0
		}
		l := &lines[len(lines)-1]
		if l.Text != "" {
			l.Text += " "
		}
		l.Text += w.Text
		l.Conf += w.Conf
		n++
	}
	if n > 0 {
		lines[len(lines)-1].Conf /= float64(n)
	}
	return lines
}

// LinesFromText splits text into lines of unknown confidence.
func LinesFromText(s string) []Line {
	var out []Line
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, Line{Text: l})
		}
	}
	return out
}

// Fold maps s rune for rune to lower case without diacritics (đ → d), so "Ngày sinh", "Ngay sinh"
// and "Ngáy sinh" fold alike. The result has as many runes as norm.NFC.String(s).
func Fold(s string) []rune {
	rs := []rune(norm.NFC.String(s))
	out := make([]rune, len(rs))
	for i, r := range rs {
		out[i] = foldRune(r)
	}
	return out
}

func foldRune(r rune) rune {
	switch r {
	case 'đ', 'Đ':
		return 'd'
	}
	d := norm.NFD.String(string(r))
	for _, b := range d {
		if !unicode.Is(unicode.Mn, b) {
			return unicode.ToLower(b)
		}
	}
	return unicode.ToLower(r)
}

// collapse trims s and reduces whitespace runs to one space.
func collapse(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), " ") }

// findLabel looks for label (folded) in line and returns the rune index just after it and a match
// quality in (0,1]: 1 for an exact folded match, less when a few characters differ.
func findLabel(line []rune, label []rune) (end int, quality float64) {
	if i := indexRunes(line, label); i >= 0 {
		return i + len(label), 1
	}
	// approximate: the best window starting at a word boundary, at most len/8 edits
	maxEd := len(label) / 8
	if maxEd == 0 {
		return -1, 0
	}
	best, bestEnd := maxEd+1, -1
	for s := 0; s < len(line); s++ {
		if s > 0 && line[s-1] != ' ' {
			continue
		}
		for l := len(label) - maxEd; l <= len(label)+maxEd; l++ {
			if l <= 0 || s+l > len(line) {
				continue
			}
			if d := editdist.Runes(line[s:s+l], label); d < best {
				best, bestEnd = d, s+l
			}
		}
		if s > 0 {
			break // only the line start and the first word boundary
		}
	}
	if bestEnd < 0 {
		return -1, 0
	}
	return bestEnd, 1 - float64(best)/float64(len(label))
}

func indexRunes(s, sub []rune) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		ok := true
		for j := range sub {
			if s[i+j] != sub[j] {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}
