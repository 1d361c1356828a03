// Package errtext checks and builds the wording of error chains against the house rule: one
// bilingual sentence per chain, Vietnamese first with its English in parentheses, written by the
// layer that knows the cause; outer layers add English detail only. Tests call Check on the
// errors of the main chains (card read, scanner, printer, submit, outbox upload).
//
// How a chain gets its one sentence:
//
//   - The layer that knows the cause writes the sentence, usually as a sentinel error
//     ("máy in chưa sẵn sàng (printer not ready)") that callers test with errors.Is.
//   - A layer above wraps with English only: fmt.Errorf("print receipt: %w", err).
//   - A layer that knows the cause better than the error it got, and so has its own sentence for
//     it, wraps the lower error with Wrap(sentence, lower): the lower error stays reachable with
//     errors.Is and errors.As, but its text is reduced to English (English) after the new
//     sentence. "xác thực với thẻ không thành công (…): thẻ trả lời 6300 (card answered 6300: …)"
//     becomes "xác thực với thẻ không thành công (…): card answered 6300: …". An error that stands
//     alone keeps its own bilingual text.
//   - Detail that the sentence-bearing layer adds itself (a status list, a field name, a reason)
//     is English: fmt.Errorf("%w: paper out", ErrNotReady).
//
// Sentences, English and Check read the text the same way, so whatever Check counts as a
// sentence is what English reduces.
package errtext

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Sentences returns the bilingual sentences of msg, Vietnamese part first: each parenthesised
// English translation of two words or more (ASCII letters, no Vietnamese) together with the
// Vietnamese text before it, back to the previous separator (": ", "; ", " — ") or the previous
// translation. A Vietnamese text needs a letter only Vietnamese writes (đ, ư, ơ, ă, â, ê, ô or a
// tone mark). A one-word gloss such as "máy in (printer)" or "ngày sinh (dateOfBirth)" names a
// thing and is not a sentence.
func Sentences(msg string) []string {
	var out []string
	for _, sp := range spans(msg) {
		out = append(out, strings.TrimSpace(msg[sp.vi:sp.open])+" ("+msg[sp.open+1:sp.close]+")")
	}
	return out
}

// English returns msg with each of its bilingual sentences (see Sentences) replaced by its
// English: "máy in chưa sẵn sàng (printer not ready): hết giấy (paper out)" reads
// "printer not ready: paper out". Text that holds no sentence is returned as it is.
func English(msg string) string {
	sps := spans(msg)
	if len(sps) == 0 {
		return msg
	}
	var b strings.Builder
	last := 0
	for _, sp := range sps {
		b.WriteString(msg[last:sp.vi])
		b.WriteString(msg[sp.open+1 : sp.close])
		last = sp.close + 1
	}
	b.WriteString(msg[last:])
	return b.String()
}

// Wrap returns an error whose text is sentence's followed by cause's reduced to English: the
// error of a layer that knows the cause better than the lower error it got. errors.Is and
// errors.As see both sentence and cause.
func Wrap(sentence, cause error) error {
	if cause == nil {
		return sentence
	}
	return &wrapped{sentence, cause}
}

// wrapped is Wrap's error.
type wrapped struct{ sentence, cause error }

func (w *wrapped) Error() string   { return w.sentence.Error() + ": " + English(w.cause.Error()) }
func (w *wrapped) Unwrap() []error { return []error{w.sentence, w.cause} }

// span locates one bilingual sentence in a message: the Vietnamese text starts at vi (leading
// space skipped), the English is between the parentheses at open and close.
type span struct{ vi, open, close int }

// spans finds the bilingual sentences of msg, in order.
func spans(msg string) []span {
	var out []span
	start := 0 // where the current Vietnamese text begins
	for i := 0; i < len(msg); {
		if sep := separatorAt(msg, i); sep > 0 {
			i += sep
			start = i
			continue
		}
		if msg[i] != '(' {
			i++
			continue
		}
		end := closing(msg, i)
		if end < 0 {
			break
		}
		if english(msg[i+1 : end]) {
			vi := msg[start:i]
			if t := strings.TrimSpace(vi); vietnamese(t) {
				from := start + len(vi) - len(strings.TrimLeft(vi, " \t\n"))
				out = append(out, span{vi: from, open: i, close: end})
			}
			start = end + 1
		}
		i = end + 1
	}
	return out
}

// Check reports what is wrong with err's wording: no bilingual sentence at all, more than one in
// the chain, or the same one twice. nil means err reads as one bilingual sentence.
func Check(err error) error {
	if err == nil {
		return errors.New("no error to check")
	}
	s := Sentences(err.Error())
	switch {
	case len(s) == 0:
		return fmt.Errorf("no Vietnamese sentence with its English in %q", err.Error())
	case len(s) > 1:
		seen := map[string]bool{}
		for _, x := range s {
			if seen[x] {
				return fmt.Errorf("the sentence %q is repeated in %q", x, err.Error())
			}
			seen[x] = true
		}
		return fmt.Errorf("%d Vietnamese sentences in one chain, want 1: %q", len(s), s)
	}
	return nil
}

// NoRepeat reports a Vietnamese sentence that err's text holds twice (a chain whose layers
// each wrote the same sentence); nil when none is. It is the weaker check, for chains still
// known to hold more than one sentence.
func NoRepeat(err error) error {
	if err == nil {
		return errors.New("no error to check")
	}
	seen := map[string]bool{}
	for _, x := range Sentences(err.Error()) {
		if seen[x] {
			return fmt.Errorf("the sentence %q is repeated in %q", x, err.Error())
		}
		seen[x] = true
	}
	return nil
}

// separatorAt is the length of the clause separator at msg[i:], or 0.
func separatorAt(msg string, i int) int {
	for _, sep := range []string{": ", "; ", " — ", ". "} {
		if strings.HasPrefix(msg[i:], sep) {
			return len(sep)
		}
	}
	return 0
}

// closing is the index of the parenthesis closing the one at msg[open], or -1.
func closing(msg string, open int) int {
	depth := 0
	for j := open; j < len(msg); j++ {
		switch msg[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// english reports whether s is an English gloss of at least two words: ASCII only, two runs of
// letters or more.
func english(s string) bool {
	words := 0
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		for _, r := range f {
			if r > unicode.MaxASCII {
				return false
			}
		}
		words++
	}
	for _, r := range s {
		if r > unicode.MaxASCII && r != '—' && r != '…' {
			return false
		}
	}
	return words >= 2
}

// vietnamese reports whether s holds a letter only Vietnamese writes.
func vietnamese(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return r > unicode.MaxASCII && unicode.IsLetter(r)
	})
}
