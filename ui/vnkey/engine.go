package vnkey

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Options are the settings of an Engine.
type Options struct {
	// OldStyle puts the tone of oa, oe, uy without a final consonant on the
	// first vowel (hòa, hòe, thủy: kiểu cũ) instead of the second (hoà,
	// hoè, thuỷ: kiểu mới). With a final consonant both styles mark the
	// second vowel (hoàn).
	OldStyle bool
}

// Type returns the text that typing s key by key in method m gives, in NFC,
// with the default Options: Type(Telex, "Tieesng Vieejt") == "Tiếng Việt".
func Type(m Method, s string) string {
	e := New(m, Options{})
	for _, r := range s {
		e.Key(r)
	}
	e.Commit()
	return e.Text()
}

// Engine turns keys into Vietnamese text for an on-screen keyboard.
//
// The text is a run of committed words and separators followed by the word
// being composed. Letters (and, inside a word, VNI digits and VIQR marks)
// build the current word; any other rune ends it and is typed as itself.
// Mark and tone keys may come anywhere in the word ("Vieetj" → Việt); the
// tone moves to its place as the word grows ("hoaf" → hoà, then "n" →
// hoàn). Pressing a mark or tone key a second time removes it and types
// the key ("ass" → as, "aaa" → aa, "ddd" → dd). Keys that cannot apply
// (no vowel, not a Vietnamese syllable) are typed as letters, and a word
// that ends as something other than a Vietnamese syllable goes back to the
// keys as typed ("user" stays "user"); see rules.go for the spelling check.
//
// An Engine is not safe for concurrent use.
type Engine struct {
	method  Method
	opt     Options
	segs    []segment // committed words and separators
	keys    []key     // keys of the current word
	st      state     // the current word
	escaped bool      // VIQR: the last segment is a backslash that escapes the next key
}

// segment is a committed word (with its keys, so that Backspace can reopen
// it) or a separator rune.
type segment struct {
	text string
	keys []key // nil for a separator
}

type opKind uint8

const (
	opKey  opKind = iota // a key typed
	opTone               // the on-screen tone key
	opMark               // the on-screen mark key
)

// key is one entry of the current word's history.
type key struct {
	r    rune // the key as typed
	lit  bool // typed as itself, never interpreted
	op   opKind
	tone Tone
	mark Mark
}

const (
	noTarget   = -1
	toneTarget = -2
)

// keyInfo records what a key did, for Undo and Backspace.
type keyInfo struct {
	target    int  // index of the letter the key typed or marked; toneTarget; noTarget
	change    bool // the key put or removed a mark or a tone
	cancelled bool // a later key undid or replaced what this key did
}

// state is a word being composed.
type state struct {
	letters []letter
	tone    Tone
	toneBy  int // 1 + index of the key that set the tone, 0 when none
	info    []keyInfo
	undone  bool // a key was pressed twice to undo its mark or tone ("ass" → as)
}

func (s *state) clone() state {
	c := *s
	c.letters = append([]letter(nil), s.letters...)
	c.info = append([]keyInfo(nil), s.info...)
	return c
}

func (s *state) cancel(by int) {
	if by > 0 {
		s.info[by-1].cancelled = true
	}
}

// transformed reports whether the word carries a mark or a tone.
func (s *state) transformed() bool {
	if s.tone != NoTone {
		return true
	}
	for _, l := range s.letters {
		if l.mark != NoMark && !l.opaque {
			return true
		}
	}
	return false
}

// New returns an Engine for method m with an empty text.
func New(m Method, o Options) *Engine {
	return &Engine{method: m, opt: o}
}

// Key processes one key: a letter, a mark or tone key of the method, or any
// other rune (space, punctuation, digits in Telex…), which ends the current
// word and is typed as itself. In VIQR a backslash in a word escapes the
// next mark key ("Viet\." → "Viet.").
func (e *Engine) Key(r rune) {
	if e.escaped {
		e.escaped = false
		if e.method.symbol(r) {
			e.segs[len(e.segs)-1].text = string(r)
			return
		}
	}
	inWord := len(e.keys) > 0
	if e.method == VIQR && r == '\\' && inWord {
		e.Commit()
		e.segs = append(e.segs, segment{text: `\`})
		e.escaped = true
		return
	}
	wordKey := unicode.IsLetter(r) || (inWord && e.method.symbol(r))
	if wordKey && e.method == VIQR && !unicode.IsLetter(r) {
		// VIQR mark keys are punctuation too: one that cannot apply
		// ends the word. (A VNI digit that cannot apply stays in it.)
		c := e.st.clone()
		wordKey = e.step(&c, key{r: r}, len(e.keys)) != resNone
	}
	if !wordKey {
		e.Commit()
		e.segs = append(e.segs, segment{text: string(r)})
		return
	}
	k := key{r: r}
	e.keys = append(e.keys, k)
	e.step(&e.st, k, len(e.keys)-1)
}

// Tone puts tone t on the current word (the on-screen tone keys, for those
// who do not know Telex or VNI). NoTone removes the tone; the tone the word
// already has is removed too. It reports false, changing nothing, when the
// tone cannot apply (no current word, no vowel, not a Vietnamese syllable).
func (e *Engine) Tone(t Tone) bool {
	if t < NoTone || t > Nang {
		return false
	}
	return e.op(key{op: opTone, tone: t})
}

// Mark puts mark m on the current word: Circumflex on its a, e or o (â ê ô),
// Breve on a (ă), Horn on o, u or uo (ơ ư ươ), Stroke on its initial d (đ).
// The mark a letter already has is removed. It reports false, changing
// nothing, when the mark cannot apply.
func (e *Engine) Mark(m Mark) bool {
	if markAction(m).kind == actNone {
		return false
	}
	return e.op(key{op: opMark, mark: m})
}

func (e *Engine) op(k key) bool {
	if len(e.keys) == 0 {
		return false
	}
	c := e.st.clone()
	if e.step(&c, k, len(e.keys)) == resNone {
		return false
	}
	e.keys = append(e.keys, k)
	e.st = c
	return true
}

// Word returns the word being composed (NFC), "" between words.
func (e *Engine) Word() string {
	return e.render(&e.st)
}

// Text returns the whole text: the committed words and separators, then
// the word being composed, in NFC.
func (e *Engine) Text() string {
	var b strings.Builder
	for _, s := range e.segs {
		b.WriteString(s.text)
	}
	b.WriteString(e.Word())
	return norm.NFC.String(b.String())
}

// Commit ends the current word as a space would, without typing anything.
// A word that carries a mark or a tone but is not a Vietnamese syllable
// (nor a single letter, nor an abbreviation without vowels such as đc) goes
// back to the keys as typed: "user" shows ủe while typed and ends as user.
// A word in which a key was pressed twice to undo its mark or tone is left
// as shown ("ass" → as). Call Commit when the field loses focus.
func (e *Engine) Commit() {
	if len(e.keys) == 0 {
		return
	}
	if e.st.transformed() && !e.st.undone && !complete(corrected(e.st.letters, e.st.tone)) {
		e.keys = literal(e.keys)
		e.st = e.replay(e.keys)
	}
	e.segs = append(e.segs, segment{text: e.Word(), keys: e.keys})
	e.keys, e.st = nil, state{}
}

// Insert types s as it is, no key interpreted: a value filled in before (read from the card or
// the scanned papers) that the citizen now corrects. Letters form words as typed ones do, so
// Backspace goes on through them, and the last word stays open with its tone taken apart: the tone
// and mark keys change it ("Nguyen", then the ngã key, gives Nguyễn; "hoà", then the sắc key, hoá).
func (e *Engine) Insert(s string) {
	e.escaped = false
	for _, r := range norm.NFC.String(s) {
		if !unicode.IsLetter(r) {
			e.Commit()
			e.segs = append(e.segs, segment{text: string(r)})
			continue
		}
		k := key{r: r, lit: true}
		e.keys = append(e.keys, k)
		e.step(&e.st, k, len(e.keys)-1)
	}
	e.retone()
}

// retone rewrites the current word's keys so that its tone, typed as part of a letter, becomes a
// tone key on the bare letter: the same word, whose tone can now be changed. A word that does not
// come out exactly the same (two tones, not a syllable, its tone placed in the other style) is left
// as it is.
func (e *Engine) retone() {
	was := e.Word()
	keys := make([]key, 0, len(e.keys)+1)
	tone := NoTone
	for _, k := range e.keys {
		if l, t, ok := decode(k.r); k.lit && ok && t != NoTone {
			if tone != NoTone {
				return
			}
			tone, k.r = t, l.rune()
		}
		keys = append(keys, k)
	}
	if tone == NoTone {
		return
	}
	keys = append(keys, key{op: opTone, tone: tone})
	st := e.replay(keys)
	if e.render(&st) != was { // not even a change of style: the value stays as it came
		return
	}
	e.keys, e.st = keys, st
}

// Reset clears the whole text.
func (e *Engine) Reset() {
	e.segs, e.keys, e.st, e.escaped = nil, nil, state{}, false
}

// Undo undoes the last transformation still showing in the current word:
// the key that did it is typed as itself instead ("aa" → â, Undo → aa;
// "as" → á, Undo → as). A mark or tone from Tone or Mark is taken away. It
// reports false when the current word has nothing to undo.
func (e *Engine) Undo() bool {
	for i := len(e.keys) - 1; i >= 0; i-- {
		in := e.st.info[i]
		if !in.change || in.cancelled {
			continue
		}
		if e.keys[i].op != opKey {
			e.keys = append(e.keys[:i:i], e.keys[i+1:]...)
		} else {
			e.keys[i].lit = true
		}
		e.st = e.replay(e.keys)
		return true
	}
	return false
}

// RestoreWord turns the current word back into the keys as typed, without
// any mark or tone ("Vieejt" shows Việt; RestoreWord gives "Vieejt"), and
// returns it. Marks and tones from Tone and Mark are dropped. It returns ""
// between words.
func (e *Engine) RestoreWord() string {
	if len(e.keys) == 0 {
		return ""
	}
	e.keys = literal(e.keys)
	e.st = e.replay(e.keys)
	return e.Word()
}

// Backspace deletes the last character of the text. In the current word the
// keys are adjusted so that typing goes on from what is shown ("tiếng" →
// tiến; a following "g" gives tiếng again). Deleting the separator after a
// word reopens that word for editing. It reports false when the text is
// empty.
func (e *Engine) Backspace() bool {
	if len(e.keys) == 0 {
		if len(e.segs) == 0 {
			return false
		}
		last := e.segs[len(e.segs)-1]
		e.segs = e.segs[:len(e.segs)-1]
		e.escaped = false
		if last.keys == nil {
			// A separator: reopen the word before it.
			if n := len(e.segs); n > 0 && e.segs[n-1].keys != nil {
				e.keys = e.segs[n-1].keys
				e.st = e.replay(e.keys)
				e.segs = e.segs[:n-1]
			}
			return true
		}
		e.keys = last.keys
		e.st = e.replay(e.keys)
		if len(e.keys) == 0 {
			return true
		}
	}
	e.keys = e.withoutLast()
	e.st = e.replay(e.keys)
	return true
}

// withoutLast returns keys that compose the current word minus its last
// letter: the keys as typed without those of that letter when that works,
// else the word typed again in the plain order (letter, its mark key, …,
// tone key last), else the letters as they are.
func (e *Engine) withoutLast() []key {
	ls := corrected(e.st.letters, e.st.tone)
	last := len(ls) - 1
	if last <= 0 {
		return nil
	}
	tone := e.st.tone
	if tone != NoTone {
		if vs, ve := split(ls[:last]); vs == ve || toneIndex(ls, e.opt.OldStyle) == last {
			tone = NoTone
		}
	}
	want := renderLetters(corrected(ls[:last], tone), tone, e.opt.OldStyle)
	works := func(keys []key) bool {
		st := e.replay(keys)
		return e.render(&st) == want && len(st.letters) == last
	}

	var typed []key
	for i, k := range e.keys {
		t := e.st.info[i].target
		if t == last || (t == toneTarget && tone == NoTone) {
			continue
		}
		typed = append(typed, k)
	}
	if works(typed) {
		return typed
	}

	var plain []key
	for _, l := range ls[:last] {
		if l.opaque || l.mark == NoMark {
			plain = append(plain, key{r: l.rune(), lit: true})
			continue
		}
		b := l.base
		if l.upper {
			b = unicode.ToUpper(b)
		}
		plain = append(plain, key{r: b, lit: true}, key{r: e.method.encodeMark(l.base, l.mark)})
	}
	if tone != NoTone {
		plain = append(plain, key{r: e.method.encodeTone(tone)})
	}
	if works(plain) {
		return plain
	}

	// Give up composing: keep the characters as they are.
	var kept []key
	for _, r := range want {
		kept = append(kept, key{r: r, lit: true})
	}
	return kept
}

// literal returns the keys as typed, each typed as itself; the on-screen
// mark and tone keys are dropped.
func literal(keys []key) []key {
	out := make([]key, 0, len(keys))
	for _, k := range keys {
		if k.op == opKey {
			out = append(out, key{r: k.r, lit: true})
		}
	}
	return out
}

// replay composes a word from its keys.
func (e *Engine) replay(keys []key) state {
	var s state
	for i, k := range keys {
		e.step(&s, k, i)
	}
	return s
}

func (e *Engine) render(s *state) string {
	return renderLetters(corrected(s.letters, s.tone), s.tone, e.opt.OldStyle)
}

// renderLetters returns the text of ls (already corrected) with tone on its
// place, in NFC.
func renderLetters(ls []letter, tone Tone, old bool) string {
	if len(ls) == 0 {
		return ""
	}
	at := -1
	if tone != NoTone {
		at = toneIndex(ls, old)
	}
	buf := make([]byte, 0, 3*len(ls)+2)
	for j, l := range ls {
		buf = utf8.AppendRune(buf, l.rune())
		if j == at {
			buf = utf8.AppendRune(buf, toneMark[tone])
		}
	}
	if at < 0 && norm.NFC.IsNormal(buf) {
		return string(buf)
	}
	return string(norm.NFC.Bytes(buf))
}

// result is the outcome of a key.
type result uint8

const (
	resNone     result = iota // nothing applied: the key is typed as itself
	resApplied                // the mark or tone was put (or the tone removed)
	resUndone                 // the key repeated what is there: that is removed and the key typed
	resReplaced               // "ww": the ư of the first w became w
)

// step applies key k (the i-th of the word) to s.
func (e *Engine) step(s *state, k key, i int) result {
	s.info = append(s.info[:i], keyInfo{target: noTarget})
	var res result
	switch {
	case k.lit:
		s.add(k.r, i)
		return resNone
	case k.op == opTone:
		res = applyTone(s, k.tone, i, false)
	case k.op == opMark:
		res = applyMark(s, markAction(k.mark), i, 0, false)
	default:
		a := e.method.action(k.r)
		if e.method == VIQR && !a.follows(s) {
			a.kind = actNone
		}
		switch a.kind {
		case actTone:
			res = applyTone(s, a.tone, i, true)
		case actMark:
			res = applyMark(s, a, i, k.r, true)
		}
		if res == resNone || res == resUndone {
			s.add(k.r, i)
		}
		if res == resUndone || res == resReplaced {
			s.undone = true
		}
	}
	return res
}

// add appends the letter typed by key i.
func (s *state) add(r rune, i int) {
	l, t, ok := decode(r)
	switch {
	case !ok || t != NoTone:
		l = letter{base: r, opaque: true}
	case l.mark != NoMark:
		l.markBy = i + 1
	}
	s.letters = append(s.letters, l)
	s.info[i].target = len(s.letters) - 1
}

// applyTone puts tone t (NoTone: removes the tone) on s for key i. A key
// repeating the tone there undoes it; an on-screen key (byKey false) just
// removes it.
func applyTone(s *state, t Tone, i int, byKey bool) result {
	if t == NoTone || t == s.tone {
		if s.tone == NoTone {
			return resNone
		}
		s.cancel(s.toneBy)
		s.tone, s.toneBy = NoTone, 0
		if t != NoTone && byKey {
			return resUndone
		}
		s.info[i] = keyInfo{target: toneTarget, change: true}
		return resApplied
	}
	if !plausible(s.letters, t) {
		return resNone
	}
	s.cancel(s.toneBy)
	s.tone, s.toneBy = t, i+1
	s.info[i] = keyInfo{target: toneTarget, change: true}
	return resApplied
}

// applyMark puts the mark of action a on s for key i (typed as r).
func applyMark(s *state, a action, i int, r rune, byKey bool) result {
	ls := s.letters
	if len(ls) >= maxSyllable {
		return resNone
	}
	saved := append([]letter(nil), ls...)
	done := func(j int) result {
		for n := range saved {
			if saved[n].markBy != ls[n].markBy {
				s.cancel(saved[n].markBy)
			}
		}
		s.info[i] = keyInfo{target: j, change: true}
		return resApplied
	}
	try := func(j int) result {
		if plausible(ls, s.tone) {
			return done(j)
		}
		copy(ls, saved)
		return resNone
	}
	undo := func(j int) result {
		if !byKey {
			ls[j].mark, ls[j].markBy = NoMark, 0
			return done(j)
		}
		s.cancel(ls[j].markBy)
		ls[j].mark, ls[j].markBy = NoMark, 0
		return resUndone
	}
	if a.mark == Stroke {
		if len(ls) == 0 || ls[0].opaque || ls[0].base != 'd' {
			return resNone
		}
		if ls[0].mark == Stroke {
			return undo(0)
		}
		ls[0].mark, ls[0].markBy = Stroke, i+1
		return try(0)
	}
	vs, ve := split(ls)
	if a.pair {
		for j := vs; j+1 < ve; j++ {
			if ls[j].base != 'u' || ls[j+1].base != 'o' {
				continue
			}
			if ls[j].mark == Horn && ls[j+1].mark == Horn {
				s.cancel(ls[j].markBy)
				ls[j].mark, ls[j].markBy = NoMark, 0
				return undo(j + 1)
			}
			ls[j].mark, ls[j+1].mark = Horn, Horn
			ls[j].markBy, ls[j+1].markBy = i+1, i+1
			if res := try(j + 1); res != resNone {
				return res
			}
			break
		}
	}
	for j := ve - 1; j >= vs; j-- {
		l := ls[j]
		if !strings.ContainsRune(a.bases, l.base) {
			continue
		}
		want := a.mark
		if a.breveA && l.base == 'a' {
			want = Breve
		}
		if withMark(l.base, want) == l.base {
			continue
		}
		// In ươ the ư goes with the ơ: removing or changing the mark of
		// the ơ takes the horn off the u too.
		pairU := l.base == 'o' && l.mark == Horn && j > vs && ls[j-1].base == 'u' && ls[j-1].mark == Horn
		if l.mark == want {
			if l.fromW && byKey {
				if j != len(ls)-1 {
					// Only "ww" gives w: a later w is a letter ("Windows").
					return resNone
				}
				s.cancel(l.markBy)
				ls[j] = letter{base: 'w', upper: l.upper}
				s.info[i] = keyInfo{target: j}
				return resReplaced
			}
			if pairU && a.pair {
				s.cancel(ls[j-1].markBy)
				ls[j-1].mark, ls[j-1].markBy = NoMark, 0
			}
			return undo(j)
		}
		ls[j].mark, ls[j].markBy = want, i+1
		if pairU {
			ls[j-1].mark, ls[j-1].markBy = NoMark, 0
		}
		if res := try(j); res != resNone {
			return res
		}
	}
	if a.loneW && vs == ve {
		ls = append(ls, letter{base: 'u', mark: Horn, upper: unicode.IsUpper(r), fromW: true, markBy: i + 1})
		if plausible(ls, s.tone) {
			s.letters = ls
			s.info[i] = keyInfo{target: len(ls) - 1, change: true}
			return resApplied
		}
	}
	return resNone
}
