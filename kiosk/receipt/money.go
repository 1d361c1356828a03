package receipt

import (
	"strconv"
	"strings"
)

// maxAmount is the largest amount a slip prints: 13 digits, the most a VietQR amount (tag 54) holds.
const maxAmount = 9_999_999_999_999

// Dong writes an amount in đồng as Vietnamese prices are written, with dots between thousands:
// 1234500 → "1.234.500 đồng". Negative amounts keep their sign.
func Dong(amount int64) string {
	return groupThousands(amount) + " đồng"
}

// groupThousands writes n with a dot between each group of three digits.
func groupThousands(n int64) string {
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if strings.HasPrefix(digits, "-") {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}
