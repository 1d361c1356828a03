package corpus

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/ocr/internal/editdist"
)

// NormalizeText prepares text for a CER comparison: Unicode NFC, runs of three or more dots or an
// ellipsis (the dotted leaders of forms, which carry no content) removed, and all whitespace
// collapsed to single spaces.
func NormalizeText(s string) string {
	s = norm.NFC.String(s)
	s = strings.ReplaceAll(s, "…", "...")
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if rs[i] == '.' {
			j := i
			for j < len(rs) && rs[j] == '.' {
				j++
			}
			if j-i >= 3 {
				b.WriteRune(' ')
			} else {
				b.WriteString(string(rs[i:j]))
			}
			i = j
			continue
		}
		b.WriteRune(rs[i])
		i++
	}
	return strings.Join(strings.FieldsFunc(b.String(), unicode.IsSpace), " ")
}

// CER is the character error rate of got against the ground truth want: the Levenshtein distance
// between the NFC-normalised texts (see NormalizeText) divided by the length of want in runes.
// An empty truth gives 0 for an empty result and 1 otherwise.
func CER(want, got string) float64 {
	w := []rune(NormalizeText(want))
	g := []rune(NormalizeText(got))
	if len(w) == 0 {
		if len(g) == 0 {
			return 0
		}
		return 1
	}
	return float64(editdist.Runes(w, g)) / float64(len(w))
}
