package outbox

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// An error kept for staff is cut without cutting a Vietnamese letter in half.
func TestTruncateRunes(t *testing.T) {
	s := strings.Repeat("Ễ", 150) // 3 bytes each
	for _, n := range []int{0, 1, 2, 3, 299, 300, 301, 449, 450, 1000} {
		got := truncateRunes(s, n)
		if !utf8.ValidString(got) || len(got) > max(n, len(s)) || (n >= len(s) && got != s) || (n < len(s) && n-len(got) > 2) {
			t.Errorf("truncateRunes(%d): %d bytes, valid %v", n, len(got), utf8.ValidString(got))
		}
	}
}

// Local receipt numbers carry the day in Vietnam: 17:30 UTC is already the next day there.
func TestVietnamDay(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2026, 12, 6, 17, 30, 0, 0, time.UTC): "261207",
		time.Date(2026, 12, 6, 16, 59, 0, 0, time.UTC): "261206",
		time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC): "270101",
	} {
		if got := vietnamDay(in); got != want {
			t.Errorf("vietnamDay(%v) = %s, want %s", in, got, want)
		}
	}
}
