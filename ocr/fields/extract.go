package fields

import (
	"math"
	"sort"
	"strings"
	"unicode"
)

// Kind is the type of a field's value.
type Kind int

// Kinds of field values.
const (
	Text   Kind = iota // free text: NFC, spaces collapsed, dotted leaders removed; may wrap onto further rows
	Date               // YYYY-MM-DD, from dd/mm/yyyy or "ngày dd tháng mm năm yyyy"
	IDNum              // an identification number, digits only
	Sex                // "Nam" or "Nữ"
	Phone              // a telephone number, digits only
	Number             // a number: its digits, with a decimal point when it has one
	Expiry             // a date, or "" for "Không thời hạn" (valid without limit)
)

// Label describes one field: its key, the printed label variants, and its kind.
type Label struct {
	Key    string
	Labels []string // as printed; matched folded (no diacritics, lower case), a few letters may differ
	Kind   Kind
	// NextLine is kept for callers of the earlier API; every kind now reads the row below when the
	// label's own row holds no value.
	NextLine bool
}

// Field is an extracted value.
type Field struct {
	Key   string  `json:"key"`
	Value string  `json:"value"`
	Raw   string  `json:"raw"`
	Conf  float64 `json:"conf"` // 0–1: OCR confidence × label match × value validity
}

// found is a label occurrence accepted for a key.
type found struct {
	key          string
	kind         Kind
	line         int
	start, end   int // runes of the line's text
	labelLen     int
	edits        int
	quality      float64
	labelLeftPix int // left of the label on the page; -1 when unknown
}

// Extract finds the labelled fields in lines. Each label occurrence is claimed by the longest label
// that matches there (a label with letters wrong loses to one without); a key takes its first
// occurrence in reading order, and keys sharing the same printed label take its occurrences in the
// order they are listed. A field whose value is empty or cannot be read is left out, never guessed.
func Extract(lines []Line, labels []Label) map[string]Field {
	return extract(lines, labels, 0)
}

// extract does Extract; rightEdge is the page's text right edge in pixels (0: from the lines).
func extract(lines []Line, labels []Label, rightEdge int) map[string]Field {
	for i := range lines {
		if lines[i].words == nil {
			lines[i].Text = collapse(lines[i].Text)
		}
	}
	folded := make([][]rune, len(lines))
	for i, l := range lines {
		folded[i] = Fold(l.Text)
	}
	type cand struct {
		found
		keys []string // keys sharing this printed label, in list order
	}
	// one candidate per occurrence of each distinct printed label
	byText := map[string][]int{} // folded label → indices into labels
	var texts []string
	kindOf := map[string]Kind{}
	for i, l := range labels {
		kindOf[l.Key] = l.Kind
		for _, t := range l.Labels {
			f := string(Fold(collapse(t)))
			if f == "" {
				continue
			}
			if _, ok := byText[f]; !ok {
				texts = append(texts, f)
			}
			if n := len(byText[f]); n == 0 || byText[f][n-1] != i {
				byText[f] = append(byText[f], i)
			}
		}
	}
	var cands []cand
	for _, t := range texts {
		lr := []rune(t)
		var keys []string
		for _, i := range byText[t] {
			keys = append(keys, labels[i].Key)
		}
		for li := range lines {
			for _, m := range findLabels(folded[li], lr) {
				c := cand{found: found{line: li, start: m.start, end: m.end, labelLen: len(lr), edits: m.edits,
					quality: 1 - float64(m.edits)/float64(len(lr)), labelLeftPix: -1}, keys: keys}
				cands = append(cands, c)
			}
		}
	}
	// the longest label wins where occurrences overlap; letters wrong count against it
	sort.SliceStable(cands, func(i, j int) bool {
		si, sj := cands[i].labelLen-4*cands[i].edits, cands[j].labelLen-4*cands[j].edits
		if si != sj {
			return si > sj
		}
		return cands[i].edits < cands[j].edits
	})
	var accepted []found
	var acceptedKeys [][]string
	for _, c := range cands {
		overlap := false
		for _, a := range accepted {
			if a.line == c.line && c.start < a.end && a.start < c.end {
				overlap = true
				break
			}
		}
		if !overlap {
			accepted = append(accepted, c.found)
			acceptedKeys = append(acceptedKeys, c.keys)
		}
	}
	// a bilingual label read without some of its English words ("Nơi thường trú / Place of"):
	// the label runs on over the English words of its key's labels and the slashes between
	tails := englishTails(labels)
	for i := range accepted {
		for _, k := range acceptedKeys[i] {
			accepted[i].end = absorbTail(folded[accepted[i].line], accepted[i].end, tails[k])
		}
	}
	// reading order
	idx := make([]int, len(accepted))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := accepted[idx[a]], accepted[idx[b]]
		if x.line != y.line {
			return x.line < y.line
		}
		return x.start < y.start
	})
	// bounds[line] = label spans on that line, for cutting values at the next label
	bounds := map[int][][2]int{}
	for _, a := range accepted {
		bounds[a.line] = append(bounds[a.line], [2]int{a.start, a.end})
	}
	if rightEdge == 0 {
		rightEdge = textRightEdge(lines)
	}
	out := map[string]Field{}
	used := map[string]bool{}
	for _, i := range idx {
		a := accepted[i]
		key := ""
		for _, k := range acceptedKeys[i] {
			if !used[k] {
				key = k
				break
			}
		}
		if key == "" {
			continue
		}
		a.key, a.kind = key, kindOf[key]
		raw, conf := valueOf(lines, bounds, a, rightEdge)
		v, ok := typed(a.kind, raw)
		if a.kind == Text && asksName(labels, key) && v == strings.ToUpper(v) {
			v = FixName(v)
		}
		if !ok && v == "" {
			// a label with nothing readable after it: the key may still be found at a later occurrence
			continue
		}
		used[key] = true
		validity := 1.0
		if !ok {
			validity = 0.4
		}
		out[key] = Field{Key: key, Value: v, Raw: raw, Conf: round2(conf * a.quality * validity)}
	}
	return out
}

// textRightEdge is the right edge of the text on the page: the 90th percentile of the rows'
// right ends (dotted leaders included: they run to the margin).
func textRightEdge(lines []Line) int {
	var rights []int
	for _, l := range lines {
		if l.words != nil {
			rights = append(rights, l.Box.Max.X)
		}
	}
	if len(rights) == 0 {
		return 0
	}
	sort.Ints(rights)
	return rights[int(float64(len(rights)-1)*0.9)]
}

func hasAlnum(rs []rune) bool {
	for _, r := range rs {
		if isWordRune(r) {
			return true
		}
	}
	return false
}

// valueOf gathers the raw value of an accepted label occurrence and its confidence (0–1).
func valueOf(lines []Line, bounds map[int][][2]int, a found, rightEdge int) (string, float64) {
	l := lines[a.line]
	rs := []rune(l.Text)
	end := len(rs)
	for _, b := range bounds[a.line] {
		if b[0] >= a.end && b[0] < end {
			end = b[0]
		}
	}
	var parts []string
	var confs []float64
	// the label's own row
	text, conf, lastRight, h := rowPart(l, a.end, end, true)
	labelLeft := -1
	if l.words != nil {
		for _, w := range l.words {
			if w.end > a.start {
				// where the label starts inside the word ("“Nơi"), by its share of the word's runes
				labelLeft = w.box.Min.X
				if a.start > w.start && w.end > w.start {
					labelLeft += w.box.Dx() * (a.start - w.start) / (w.end - w.start)
				}
				break
			}
		}
	}
	if t := strings.Trim(cleanText(text), " :;.-/"); t != "" && alnumCount(t) >= 2 {
		parts, confs = append(parts, text), append(confs, conf)
	} else if l.words == nil {
		// text without positions: the next line, when it carries no label
		if a.line+1 < len(lines) && len(bounds[a.line+1]) == 0 && (a.kind == Text || a.kind == IDNum) {
			return lines[a.line+1].Text, lineConf(lines[a.line+1])
		}
		return "", 0
	} else {
		lastRight = -1 // the value starts on the next row
	}
	if l.words == nil {
		return strings.Join(parts, " "), mean(confs)
	}
	// only a label that leads its row has a value that wraps or lies on the row below: what
	// follows a label in mid-row ends on that row ("Quốc tịch: Việt Nam" beside other fields)
	leading := true
	for _, w := range l.words {
		if w.box.Max.X < labelLeft-h/2 && w.conf >= 50 && hasAlnumRun(string(rs[w.start:w.end])) {
			leading = false
		}
	}
	if !leading {
		// text on its left may be another column (the expiry under a card's photo): the label
		// still leads when a label in a nearby row starts where it does
		for k := max(0, a.line-3); k < len(lines) && k <= a.line+3; k++ {
			if k == a.line {
				continue
			}
			for _, b := range bounds[k] {
				if x := runeX(lines[k], b[0]); x >= 0 && abs(x-labelLeft) <= 2*h {
					leading = true
				}
			}
		}
	}
	if !leading && len(parts) == 0 {
		return "", 0
	}
	// rows below: the value's first row when the label's row had none, then wrapped continuations
	cur := a.line
	for next := a.line + 1; next < len(lines) && next <= a.line+4; next++ {
		if lastRight >= 0 && (!continues(a.kind) || !leading || rightEdge-lastRight > 4*h) {
			break // the value did not fill its row: it does not wrap
		}
		nl := lines[next]
		if nl.words == nil || nl.Box.Min.Y < lines[cur].Box.Min.Y {
			break // another page
		}
		gap := nl.Box.Min.Y - lines[cur].Box.Max.Y
		if float64(gap) > 1.3*float64(max(h, lines[cur].Box.Dy()/2)) {
			break
		}
		// only the words in the label's column, up to the next label
		from := 0
		nrs := []rune(nl.Text)
		straddles := false // a word runs across the column's left edge: one running line
		if labelLeft >= 0 {
			for _, w := range nl.words {
				switch {
				case w.box.Max.X <= labelLeft+h/4:
					from = w.end + 1
				case w.box.Min.X < labelLeft-h/2:
					straddles = true
				}
			}
		}
		to := len(nrs)
		for _, b := range bounds[next] {
			if b[1] > from && b[0] < to {
				to = max(b[0], from)
			}
		}
		if lastRight >= 0 && labelLeft >= 0 {
			// a wrapped line starts back at the left of the label's column
			first := -1
			for _, w := range nl.words {
				if w.end > from && w.start < to {
					first = w.box.Min.X
					break
				}
			}
			if first < 0 || first > labelLeft+2*h || straddles {
				break
			}
		}
		t, c, lr, hh := rowPart(nl, from, to, lastRight < 0)
		if strings.Trim(cleanText(t), " :;.-/") == "" {
			break
		}
		parts, confs = append(parts, t), append(confs, c)
		lastRight, cur = lr, next
		if hh > 0 {
			h = hh
		}
		if to < len(nrs) {
			break // a label follows on that row: the value ends there
		}
	}
	return strings.Join(parts, " "), mean(confs)
}

func continues(k Kind) bool { return k == Text }

// rowPart is the text of runes [from,to) of a row, cut at a wide gap between words (another
// column), with its words' mean confidence (0–1), the right end of its last word with letters or
// digits, and the median word height. first says the part starts right after a label, where a
// wide gap to the first word is allowed.
func rowPart(l Line, from, to int, first bool) (string, float64, int, int) {
	rs := []rune(l.Text)
	if l.words == nil {
		if from > len(rs) {
			from = len(rs)
		}
		return string(rs[from:to]), lineConf(l), -1, 0
	}
	var hs []int
	for _, w := range l.words {
		hs = append(hs, w.box.Dy())
	}
	sort.Ints(hs)
	h := hs[len(hs)/2]
	var b strings.Builder
	var confs []float64
	right, prevRight := -1, -1
	startX := -1 // right end of the label, when the part starts inside the row
	for _, w := range l.words {
		if w.start < from {
			startX = w.box.Max.X
		}
	}
	for _, w := range l.words {
		if w.end <= from || w.start >= to {
			continue
		}
		s, e := max(w.start, from), min(w.end, to)
		if isJunk(string(rs[s:e])) || (w.conf < 10 && !hasVietLetter(rs[s:e])) {
			continue
		}
		if prevRight >= 0 && w.box.Min.X-prevRight > 4*h {
			break
		}
		if prevRight < 0 && w.conf < 35 && e-s <= 4 {
			continue // a short, doubtful word before the value: noise beside the label
		}
		if prevRight < 0 && first && startX >= 0 && w.box.Min.X-startX > 6*h {
			break // nothing near the label: what lies far to its right is another column
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(rs[s:e]))
		confs = append(confs, w.conf/100)
		if hasAlnum(rs[s:e]) && strings.Count(string(rs[s:e]), ".")*2 < e-s {
			right = w.box.Max.X
			prevRight = w.box.Max.X
		} else if prevRight >= 0 {
			prevRight = w.box.Max.X
		}
	}
	return b.String(), mean(confs), right, h
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func lineConf(l Line) float64 {
	if l.Conf <= 0 {
		return 0.8
	}
	return l.Conf / 100
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// isJunk says a word is OCR noise rather than text: symbols that do not occur in Vietnamese text.
func isJunk(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(",.:;/-()'\"%&+", r) {
			continue
		}
		return true
	}
	return false
}

// englishTails gives, for each key, the folded words printed after a " / " in its labels (the
// English half of a bilingual label).
func englishTails(labels []Label) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, l := range labels {
		for _, t := range l.Labels {
			i := strings.Index(t, " / ")
			if i < 0 {
				continue
			}
			if out[l.Key] == nil {
				out[l.Key] = map[string]bool{}
			}
			for _, w := range strings.Fields(string(Fold(t[i+3:]))) {
				if w = strings.Trim(w, trimPunct); w != "" {
					out[l.Key][w] = true
				}
			}
		}
	}
	return out
}

// absorbTail moves end over the words of line (folded) that follow it and are English label words
// of the key or bare punctuation, at most six of them.
func absorbTail(line []rune, end int, vocab map[string]bool) int {
	if len(vocab) == 0 {
		return end
	}
	pos := end
	for n := 0; n < 6; n++ {
		i := pos
		for i < len(line) && line[i] == ' ' {
			i++
		}
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		if i == j {
			break
		}
		w := strings.Trim(string(line[i:j]), trimPunct+"¿")
		if w != "" && !vocab[w] {
			break
		}
		pos = j
		if strings.HasSuffix(string(line[i:j]), ":") {
			break
		}
	}
	return pos
}

// hasAlnumRun says s has two letters or digits in a row.
func hasAlnumRun(s string) bool {
	prev := false
	for _, r := range s {
		cur := isWordRune(r)
		if cur && prev {
			return true
		}
		prev = cur
	}
	return false
}

func hasVietLetter(rs []rune) bool {
	for _, r := range rs {
		if vietLetter(r) {
			return true
		}
	}
	return false
}

// asksName says the key's labels ask for a person's name ("Họ và tên", "Họ, chữ đệm, tên…").
func asksName(labels []Label, key string) bool {
	for _, l := range labels {
		if l.Key != key {
			continue
		}
		for _, t := range l.Labels {
			f := strings.ReplaceAll(string(Fold(t)), " ", "")
			if strings.HasPrefix(f, "hovaten") || strings.HasPrefix(f, "ho,chudem") || strings.HasPrefix(f, "hoten") || strings.HasPrefix(f, "hovachudem") {
				return true
			}
		}
	}
	return false
}

func alnumCount(s string) int {
	n := 0
	for _, r := range s {
		if isWordRune(r) {
			n++
		}
	}
	return n
}

// runeX is where rune i of a line lies on the page, by its word's box; -1 when unknown.
func runeX(l Line, i int) int {
	for _, w := range l.words {
		if w.end > i {
			x := w.box.Min.X
			if i > w.start && w.end > w.start {
				x += w.box.Dx() * (i - w.start) / (w.end - w.start)
			}
			return x
		}
	}
	return -1
}
