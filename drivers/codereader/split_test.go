package codereader

import (
	"bytes"
	"strings"
	"testing"
)

// collect renders lines as text: a too-long line shows as <long>.
func collect(ls []line) []string {
	var out []string
	for _, l := range ls {
		if l.tooLong {
			out = append(out, "<long>")
		} else {
			out = append(out, string(l.b))
		}
	}
	return out
}

// reference splits the whole input at once, the plain way.
func reference(b []byte, max int) []string {
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	parts := strings.Split(s, "\n")
	parts = parts[:len(parts)-1] // the last part has no terminator yet
	var out []string
	for _, p := range parts {
		switch {
		case p == "":
		case len(p) > max:
			out = append(out, "<long>")
		default:
			out = append(out, p)
		}
	}
	return out
}

func TestSplitter(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   []string
	}{
		{"CR LF", []string{"abc\r\ndef\r\n"}, []string{"abc", "def"}},
		{"CR only", []string{"abc\rdef\r"}, []string{"abc", "def"}},
		{"LF only", []string{"abc\ndef\n"}, []string{"abc", "def"}},
		{"CR LF split between reads", []string{"abc\r", "\ndef\r", "\n"}, []string{"abc", "def"}},
		{"line split across reads", []string{"001090", "123456|", "|NGUYỄN\r\n"}, []string{"001090123456||NGUYỄN"}},
		{"UTF-8 split mid-rune", []string{"Ph\xc6", "\xb0\xe1\xbb", "\x9dng\n"}, []string{"Phường"}},
		{"blank lines skipped", []string{"\r\n\r\n\n\rabc\n\n"}, []string{"abc"}},
		{"no terminator yet", []string{"abc"}, nil},
		{"too long then fine", []string{strings.Repeat("x", 9), "\r\nok\r\n"}, []string{"<long>", "ok"}},
		{"exactly max", []string{strings.Repeat("y", 8) + "\n"}, []string{strings.Repeat("y", 8)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := splitter{max: 8 * 4}
			if strings.HasPrefix(tt.name, "too long") || strings.HasPrefix(tt.name, "exactly") {
				s.max = 8
			}
			var got []line
			for _, c := range tt.chunks {
				got = append(got, s.feed([]byte(c))...)
			}
			if g := collect(got); strings.Join(g, "|") != strings.Join(tt.want, "|") || len(g) != len(tt.want) {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
}

// FuzzSplitter checks that cutting the input into reads anywhere gives the same lines as reading it
// whole, and that those are what a plain split gives.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte("001090123456|012345678|NGUYỄN VĂN A|01011990|Nam|Phường Bến Nghé|15042021\r\n"), uint8(3))
	f.Add([]byte("a\rb\nc\r\n\r\nd"), uint8(1))
	f.Add([]byte(strings.Repeat("z", 40)+"\r\nq\r"), uint8(7))
	f.Fuzz(func(t *testing.T, b []byte, step uint8) {
		const max = 16
		whole := splitter{max: max}
		all := collect(whole.feed(b))
		want := reference(b, max)
		if strings.Join(all, "\x00") != strings.Join(want, "\x00") || len(all) != len(want) {
			t.Fatalf("whole: %q, reference %q", all, want)
		}
		n := int(step%13) + 1
		parts := splitter{max: max}
		var got []line
		for i := 0; i < len(b); i += n {
			got = append(got, parts.feed(b[i:min(i+n, len(b))])...)
		}
		if g := collect(got); strings.Join(g, "\x00") != strings.Join(all, "\x00") || len(g) != len(all) {
			t.Fatalf("in reads of %d: %q, whole %q", n, g, all)
		}
		for _, l := range got {
			if len(l.b) > max || bytes.ContainsAny(l.b, "\r\n") {
				t.Fatalf("bad line %q", l.b)
			}
		}
	})
}

func BenchmarkSplitter(b *testing.B) {
	in := bytes.Repeat([]byte("001090123456|012345678|NGUYỄN VĂN A|01011990|Nam|Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|15042021\r\n"), 20)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		s := splitter{max: DefaultMaxLine}
		s.feed(in)
	}
}
