package ocr

import (
	"context"
	"errors"
	"image"
	"sort"
	"strings"
	"testing"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/ocr/engine"
	"github.com/tramso/tramso/ocr/preprocess"
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

// A table's vertical rules read as "|" glued to its cells come out; the cells' words stay whole
// and keep their place.
func TestSplitRules(t *testing.T) {
	w := func(text string, x0, x1 int) engine.Word {
		return engine.Word{Text: text, Conf: 70, Box: image.Rect(x0, 100, x1, 140), Block: 1, Par: 1, Line: 1}
	}
	in := []engine.Word{w("1|Đỗ", 0, 80), w("Xuân", 90, 170), w("Khánh|", 180, 300), w("|", 310, 315), w("|Có", 320, 380), w("2_", 400, 420), w("___", 430, 500), w("a¦b", 510, 540)}
	got := splitRules(in)
	var texts []string
	for _, g := range got {
		texts = append(texts, g.Text)
		if g.Box.Dy() != 40 || g.Box.Dx() <= 0 || g.Line != 1 {
			t.Errorf("word %+v", g)
		}
	}
	if s := strings.Join(texts, " "); s != "1 Đỗ Xuân Khánh Có 2 ___ a b" {
		t.Errorf("split %q", s)
	}
	if got[0].Box.Max.X > got[1].Box.Min.X || got[1].Box.Min.X < 40 || got[1].Box.Max.X != 80 {
		t.Errorf("boxes of 1|Đỗ: %v %v", got[0].Box, got[1].Box)
	}
	// The input is not changed (a reading may be judged again).
	if in[0].Text != "1|Đỗ" {
		t.Errorf("input changed: %q", in[0].Text)
	}
	cls := engine.NewClassifier()
	for _, g := range got[:5] {
		if k := cls.Kind(g.Text); k != engine.Syllable && k != engine.NumberCode {
			t.Errorf("%q is %v after the split", g.Text, k)
		}
	}
}

// The text a reading takes out of the page's order: none for rows read across, most of a table
// read column by column, a heading read block by block, and cells of one row read right to left
// (no line goes back up the page there: counting lines that go back up does not see it).
func TestOutOfOrder(t *testing.T) {
	cls := engine.NewClassifier()
	// A ruled list of 4 rows of 3 cells, each cell a line of its own (Tesseract's layout
	// analysis makes blocks of cells), and a heading of two blocks side by side above it.
	cell := func(row, col int) engine.Word {
		texts := [3]string{"Số", "Nguyễn Văn", "Giáo viên"}
		return engine.Word{Text: strings.Fields(texts[col])[0], Conf: 90, Box: image.Rect(300+col*600, 800+row*80, 300+col*600+200, 840+row*80)}
	}
	number := func(ws []engine.Word) []engine.Word {
		for i := range ws {
			ws[i].Block, ws[i].Par, ws[i].Line = 1, 1, i+1
		}
		return ws
	}
	var rows, cols, rtl []engine.Word
	for r := 0; r < 4; r++ {
		for c := 0; c < 3; c++ {
			rows = append(rows, cell(r, c))
			rtl = append(rtl, cell(r, 2-c))
		}
	}
	for c := 0; c < 3; c++ {
		for r := 0; r < 4; r++ {
			cols = append(cols, cell(r, c))
		}
	}
	total := 0.0
	for _, w := range rows {
		total += float64(textLen(w.Text)) * w.Conf / 100
	}
	if m := outOfOrder(number(rows), cls); m != 0 {
		t.Errorf("rows read across: %.1f out of order", m)
	}
	if m := outOfOrder(number(cols), cls); m < total/3 {
		t.Errorf("columns read down: %.1f of %.1f out of order", m, total)
	}
	rtl = number(rtl)
	if m := outOfOrder(rtl, cls); m < total/3 {
		t.Errorf("cells read right to left: %.1f of %.1f out of order", m, total)
	}
	// A heading: "ỦY BAN NHÂN DÂN / XÃ AN BÌNH" on the left, "CỘNG HÒA … / Độc lập …" on the right.
	head := func(text string, x, y int) engine.Word {
		return engine.Word{Text: text, Conf: 90, Box: image.Rect(x, y, x+400, y+60)}
	}
	byRow := number([]engine.Word{head("UBND", 200, 200), head("CỘNG", 1300, 205), head("XÃ", 200, 270), head("Độc", 1300, 268)})
	byBlock := number([]engine.Word{head("UBND", 200, 200), head("XÃ", 200, 270), head("CỘNG", 1300, 205), head("Độc", 1300, 268)})
	if m := outOfOrder(byRow, cls); m != 0 {
		t.Errorf("heading read across: %.1f out of order", m)
	}
	if m := outOfOrder(byBlock, cls); m == 0 {
		t.Error("heading read block by block: nothing out of order")
	}
	// Lines of prose close together (tall marks over capitals make their boxes overlap) stay
	// separate rows: read in order they are in order.
	prose := number([]engine.Word{{Text: "BẢO", Conf: 90, Box: image.Rect(400, 213, 2200, 317)}, {Text: "PHƯỜNG", Conf: 90, Box: image.Rect(405, 282, 1980, 348)}, {Text: "Số", Conf: 90, Box: image.Rect(440, 368, 2050, 436)}})
	if m := outOfOrder(prose, cls); m != 0 {
		t.Errorf("prose read in order: %.1f out of order", m)
	}
}

// coverageReading is a reading of lines from..to of a page (20 px of page per 60 px line pitch),
// each line "Độc lập Tự do hạnh phúc" read with confidence conf, judged as assess judges it.
func coverageReading(t *testing.T, kind Reading, from, to int, conf float64, dy int) *reading {
	t.Helper()
	cls := engine.NewClassifier()
	var words []engine.Word
	for l := from; l <= to; l++ {
		x := 300
		for _, s := range []string{"Độc", "lập", "Tự", "do", "hạnh", "phúc"} {
			w := 22 * len([]rune(s))
			words = append(words, engine.Word{Text: s, Conf: conf, Box: image.Rect(x, 300+l*60+dy, x+w, 340+l*60+dy), Block: 1, Par: 1, Line: l})
			x += w + 15
		}
	}
	rd := &reading{reading: kind, words: words}
	rd.conf, rd.quality, rd.score, rd.good = judge(words, cls)
	rd.moved = outOfOrder(words, cls)
	rd.lines = textLines(words, cls)
	return rd
}

// A reading that leaves out lines another reading of the page has ranks below it, even when its
// own text is more confident and it would have been kept by its plausible text alone.
func TestChooseCountsMissedLines(t *testing.T) {
	layout := coverageReading(t, ReadLayout, 1, 12, 70, 0)
	plain := coverageReading(t, ReadPlain, 1, 8, 96, 7) // the last four lines missing; boxes a little off
	if plain.ranked()*plainMargin < layout.ranked() {
		t.Fatalf("setup: the plain reading should win on its own text (%.1f×%.2f against %.1f)", plain.ranked(), plainMargin, layout.ranked())
	}
	if m := missed(layout.lines, plain.lines); m != 0 {
		t.Errorf("the full reading misses %.1f of the plain reading's text, want 0", m)
	}
	want := 4 * 18 * 0.70 // four lines of 18 characters at 70 %
	if m := missed(plain.lines, layout.lines); m < want-0.01 || m > want+0.01 {
		t.Errorf("the plain reading misses %.1f, want %.1f (its last four lines)", m, want)
	}
	if got := choose(layout, nil, plain, engine.NewClassifier()); got != layout {
		t.Errorf("kept the %s reading, which misses four of twelve lines; want the layout reading", got.reading)
	}
	cleaned := coverageReading(t, ReadCleaned, 1, 8, 96, 0)
	if got := choose(cleaned, layout, nil, engine.NewClassifier()); got != layout {
		t.Errorf("kept the %s reading over the layout reading that has four more lines", got.reading)
	}
}

// Readings with the same lines cost each other nothing: the choice is the plain ranking, and the
// reading of the page as scanned keeps its margin. Lines without plausible text (junk, a stamp's
// rim) are not text another reading missed.
func TestChooseSameLines(t *testing.T) {
	layout := coverageReading(t, ReadLayout, 1, 10, 90, 0)
	plain := coverageReading(t, ReadPlain, 1, 10, 86, 5)
	if plain.ranked()*plainMargin < layout.ranked() || plain.ranked() >= layout.ranked() {
		t.Fatalf("setup: the plain reading should rank below the layout reading, within the margin")
	}
	if got := choose(layout, nil, plain, engine.NewClassifier()); got != plain {
		t.Errorf("kept the %s reading; want the page as scanned, inside the margin", got.reading)
	}
	cls := engine.NewClassifier()
	junk := []engine.Word{{Text: "Xxqz", Conf: 30, Box: image.Rect(300, 1200, 400, 1240), Block: 2, Par: 1, Line: 1}, {Text: `cv"`, Conf: 40, Box: image.Rect(420, 1200, 480, 1240), Block: 2, Par: 1, Line: 1}}
	if lines := textLines(junk, cls); len(lines) != 0 {
		t.Errorf("a line of junk is %d text lines, want 0", len(lines))
	}
	withJunk := append(append([]engine.Word(nil), layout.words...), junk...)
	if m := missed(plain.lines, textLines(withJunk, cls)); m != 0 {
		t.Errorf("a junk line counted as missed text: %.1f", m)
	}
}

// The kept reading gets the lines another reading found where it has none, in the page's order;
// its partial line inside an added one gives way, its own lines are not doubled, and junk lines of
// the other reading are not taken.
func TestFillMissed(t *testing.T) {
	cls := engine.NewClassifier()
	full := coverageReading(t, ReadCleaned, 1, 12, 80, 0)
	short := coverageReading(t, ReadPlain, 1, 8, 95, 6)
	// the plain reading has the start of line 9 only, then stops
	partial := engine.Word{Text: "Độc", Conf: 95, Box: image.Rect(300, 300+9*60+6, 366, 340+9*60+6), Block: 1, Par: 1, Line: 9}
	keep := append(append([]engine.Word(nil), short.words...), partial)
	junk := engine.Word{Text: "Xxqz", Conf: 30, Box: image.Rect(300, 300+14*60, 400, 340+14*60), Block: 3, Par: 1, Line: 1}
	other := append(append([]engine.Word(nil), full.words...), junk)

	got, n := fillMissed(keep, [][]engine.Word{other}, cls)
	if n != 4 {
		t.Errorf("added %d lines, want 4 (lines 9–12)", n)
	}
	text := engine.WordsText(got)
	line := "Độc lập Tự do hạnh phúc"
	if c := strings.Count(text, line); c != 12 {
		t.Errorf("%d whole lines, want 12:\n%s", c, text)
	}
	if strings.Contains(text, "Xxqz") {
		t.Errorf("a junk line was taken:\n%s", text)
	}
	if strings.Contains(text, "Độc\n") || strings.HasSuffix(text, "Độc") {
		t.Errorf("the partial line stayed next to the added one:\n%s", text)
	}
	// in the page's order: the added lines come after the kept reading's eight
	for i, w := range got {
		if i > 0 && w.Box.Min.Y < got[i-1].Box.Min.Y-20 {
			t.Fatalf("word %d (%q) goes back up the page:\n%s", i, w.Text, text)
		}
	}
	if keep[len(keep)-1].Text != "Độc" || len(keep) != 8*6+1 {
		t.Error("the kept reading's words were changed")
	}
	// nothing to add: the same slice back
	same, n := fillMissed(full.words, [][]engine.Word{short.words}, cls)
	if n != 0 || len(same) != len(full.words) {
		t.Errorf("added %d lines to a reading that has them all", n)
	}
	// through choose: the reading kept (the plain one, by its margin) is filled
	layout := coverageReading(t, ReadLayout, 1, 12, 80, 0)
	plain := coverageReading(t, ReadPlain, 1, 11, 92, 6)
	rd := choose(layout, nil, plain, cls)
	if rd.reading != ReadPlain || strings.Count(engine.WordsText(rd.words), line) != 12 {
		t.Errorf("kept %s with %d lines, want the plain reading with the twelfth line filled in", rd.reading, len(rd.lines))
	}
}

// A line of the kept reading does not give way to a weak reading of the same line that holds less
// than twice its text (the other reading's line would only replace good text with doubtful).
func TestFillMissedKeepsStrongerPart(t *testing.T) {
	cls := engine.NewClassifier()
	keep := []engine.Word{
		{Text: "Độc", Conf: 95, Box: image.Rect(300, 360, 366, 400), Block: 1, Par: 1, Line: 1},
		{Text: "lập", Conf: 95, Box: image.Rect(381, 360, 447, 400), Block: 1, Par: 1, Line: 1},
	}
	weak := coverageReading(t, ReadCleaned, 1, 1, 50, 0) // the whole line, read at 50 %
	got, n := fillMissed(keep, [][]engine.Word{weak.words}, cls)
	if n != 0 || engine.WordsText(got) != "Độc lập" {
		t.Errorf("added %d lines: %q", n, engine.WordsText(got))
	}
	strong := coverageReading(t, ReadCleaned, 1, 1, 90, 0) // the whole line, read at 90 %
	got, n = fillMissed(keep, [][]engine.Word{strong.words}, cls)
	if n != 1 || engine.WordsText(got) != "Độc lập Tự do hạnh phúc" {
		t.Errorf("added %d lines: %q, want the whole line in place of its start", n, engine.WordsText(got))
	}
}

// A page that cannot be prepared reads as one sentence, ErrUnreadable's, whatever its cause says:
// a cause with its own sentence is reduced to English; an empty image and a cancelled context pass
// as they are; naming the page adds no sentence.
func TestPageErrorIsOneSentence(t *testing.T) {
	lower := errors.New("ảnh quá lớn (image too large): 30000x30000")
	for name, c := range map[string]struct {
		in   error
		want error
	}{
		"bilingual cause": {lower, ErrUnreadable},
		"English cause":   {errors.New("decode: bad huffman code"), ErrUnreadable},
		"empty image":     {preprocess.ErrEmptyImage, preprocess.ErrEmptyImage},
	} {
		err := OnPage(3, pageError(c.in))
		if !errors.Is(err, c.want) || !errors.Is(err, c.in) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
		if werr := errtext.Check(err); werr != nil {
			t.Errorf("%s: %v", name, werr)
		}
	}
	if err := pageError(context.Canceled); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
	if got := pageError(lower).Error(); got != ErrUnreadable.Error()+": image too large: 30000x30000" {
		t.Errorf("bilingual cause: %q", got)
	}
}
