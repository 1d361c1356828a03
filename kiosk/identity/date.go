package identity

import (
	"errors"
	"fmt"
	"time"
)

// Date is a calendar day as printed on the card: no time of day and no zone. The zero Date is
// an absent date (a card without expiry has a zero ExpiryDate).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ErrDate is matched (errors.Is) by every error ParseDate returns.
var ErrDate = errors.New("ngày không hợp lệ, cần dạng YYYY-MM-DD (invalid date: want YYYY-MM-DD)")

// ParseDate parses YYYY-MM-DD; "" is the zero Date. An impossible day (2021-02-30) is refused.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, ErrDate
	}
	return DateOf(t), nil
}

// DateOf is the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether d is the absent date.
func (d Date) IsZero() bool { return d == Date{} }

// String is d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Time is midnight UTC of d (the zero time.Time for the zero Date).
func (d Date) Time() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}
