package fields

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Kind is the type of a field's value.
type Kind int

// Kinds of field values.
const (
	Text  Kind = iota // free text, NFC, dotted leaders removed
	Date              // normalised to YYYY-MM-DD
	IDNum             // 12-digit personal identification number
	Sex               // "Nam" or "Nữ"
)

// Label describes one field of a form: its key, the printed label variants, and its kind.
type Label struct {
	Key    string
	Labels []string // as printed; matched folded (no diacritics, lower case)
	Kind   Kind
	// NextLine says the value may be on the line after the label (ID card layout).
	NextLine bool
}

// Field is an extracted value.
type Field struct {
	Key   string  `json:"key"`
	Value string  `json:"value"`
	Raw   string  `json:"raw"`
	Conf  float64 `json:"conf"` // 0–1: OCR confidence × label match × value validity
}

// FormLabels are the labels of common key–value administrative forms (tờ khai).
var FormLabels = []Label{
	{Key: "full_name", Labels: []string{"Họ, chữ đệm, tên người yêu cầu", "Họ, chữ đệm, tên", "Họ và tên"}},
	{Key: "birth_date", Labels: []string{"Ngày, tháng, năm sinh", "Ngày sinh"}, Kind: Date},
	{Key: "id_number", Labels: []string{"Số định danh cá nhân", "Số CCCD"}, Kind: IDNum},
	{Key: "residence", Labels: []string{"Nơi cư trú", "Nơi thường trú"}},
	{Key: "sex", Labels: []string{"Giới tính"}, Kind: Sex},
	{Key: "ethnicity", Labels: []string{"Dân tộc"}},
	{Key: "nationality", Labels: []string{"Quốc tịch"}},
	{Key: "relation", Labels: []string{"Quan hệ với người được khai"}},
	{Key: "phone", Labels: []string{"Số điện thoại"}},
}

// CCCDFrontLabels are the labels on the front of the chip ID card (bilingual layout).
var CCCDFrontLabels = []Label{
	{Key: "id_number", Labels: []string{"Số định danh cá nhân", "Personal identification number", "Số / No", "Số/No"}, Kind: IDNum},
	{Key: "full_name", Labels: []string{"Họ và tên / Full name", "Họ, chữ đệm và tên khai sinh", "Họ và tên", "Full name"}, NextLine: true},
	{Key: "birth_date", Labels: []string{"Ngày sinh / Date of birth", "Ngày, tháng, năm sinh", "Ngày sinh", "Date of birth"}, Kind: Date},
	{Key: "sex", Labels: []string{"Giới tính / Sex", "Giới tính"}, Kind: Sex},
	{Key: "nationality", Labels: []string{"Quốc tịch / Nationality", "Quốc tịch"}},
	{Key: "place_of_origin", Labels: []string{"Quê quán / Place of origin", "Quê quán"}, NextLine: true},
	{Key: "residence", Labels: []string{"Nơi thường trú / Place of residence", "Nơi cư trú / Place of residence", "Nơi thường trú", "Nơi cư trú"}, NextLine: true},
	{Key: "expiry_date", Labels: []string{"Có giá trị đến / Date of expiry", "Có giá trị đến", "Date of expiry"}, Kind: Date},
}

var (
	dateRe   = regexp.MustCompile(`(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})`)
	leaderRe = regexp.MustCompile(`[.…·_]{2,}`)
	numRunRe = regexp.MustCompile(`[0-9OoIlBSZ]{2,}[0-9OoIlBSZ/.\-]*`)
)

// Extract finds the labelled fields in lines. Each key is taken from its first match.
func Extract(lines []Line, labels []Label) map[string]Field {
	out := map[string]Field{}
	folded := make([][]rune, len(lines))
	for i, l := range lines {
		lines[i].Text = collapse(l.Text)
		folded[i] = Fold(lines[i].Text)
	}
	for _, lab := range labels {
		if _, done := out[lab.Key]; done {
			continue
		}
	search:
		for i := range lines {
			for _, text := range lab.Labels {
				end, q := findLabel(folded[i], Fold(collapse(text)))
				if end < 0 {
					continue
				}
				rs := []rune(lines[i].Text)
				raw := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(string(rs[end:])), ":;.-/ "))
				conf := lineConf(lines[i])
				if lab.NextLine && i+1 < len(lines) && cleanText(raw) == "" {
					raw = lines[i+1].Text
					conf = lineConf(lines[i+1])
				}
				v, ok := typed(lab.Kind, raw)
				if v == "" {
					continue
				}
				validity := 1.0
				if !ok {
					validity = 0.4
				}
				out[lab.Key] = Field{Key: lab.Key, Value: v, Raw: raw, Conf: round2(conf * q * validity)}
				break search
			}
		}
	}
	return out
}

func lineConf(l Line) float64 {
	if l.Conf <= 0 {
		return 0.8
	}
	return l.Conf / 100
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

func cleanText(s string) string {
	s = leaderRe.ReplaceAllString(s, " ")
	return strings.Trim(collapse(s), " :;,.")
}

// typed converts a raw value to its kind; ok is false when it does not look valid.
func typed(k Kind, raw string) (string, bool) {
	switch k {
	case Date:
		m := dateRe.FindStringSubmatch(digitsLoose(raw))
		if m == nil {
			return cleanText(raw), false
		}
		var d, mo, y int
		fmt.Sscan(m[1], &d)
		fmt.Sscan(m[2], &mo)
		fmt.Sscan(m[3], &y)
		if d < 1 || d > 31 || mo < 1 || mo > 12 || y < 1900 || y > 2100 {
			return fmt.Sprintf("%04d-%02d-%02d", y, mo, d), false
		}
		return fmt.Sprintf("%04d-%02d-%02d", y, mo, d), true
	case IDNum:
		d := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, digitsLoose(strings.ReplaceAll(raw, " ", "")))
		return d, len(d) == 12
	case Sex:
		f := string(Fold(raw))
		switch {
		case strings.HasPrefix(f, "nu"):
			return "Nữ", true
		case strings.HasPrefix(f, "nam"):
			return "Nam", true
		}
		return cleanText(raw), false
	}
	v := cleanText(raw)
	return norm.NFC.String(v), v != ""
}

// digitsLoose undoes letter-for-digit confusions inside runs that are mostly digits.
func digitsLoose(s string) string {
	return numRunRe.ReplaceAllStringFunc(s, func(w string) string {
		n := 0
		for _, r := range w {
			if r >= '0' && r <= '9' {
				n++
			}
		}
		if n*2 < len(w) {
			return w
		}
		return strings.NewReplacer("O", "0", "o", "0", "I", "1", "l", "1", "B", "8", "S", "5", "Z", "2").Replace(w)
	})
}
