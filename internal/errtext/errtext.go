// Package errtext checks the wording of error chains against the house rule: one bilingual
// sentence per chain, Vietnamese first with its English in parentheses, written by the layer
// that knows the cause; outer layers add English detail only. Tests call Check on the errors of
// the main chains (card read, scanner, printer, submit, outbox upload).
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
			if vi := strings.TrimSpace(msg[start:i]); vietnamese(vi) {
				out = append(out, vi+" ("+msg[i+1:end]+")")
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
