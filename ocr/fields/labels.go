package fields

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// LabelSpec is one entry of a labels file: a JSON array of {"key", "label", "kind"}, kind one of
// text, date, idNumber, phone, number.
type LabelSpec struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Kind  string `json:"kind"`
}

// ErrLabels is matched (errors.Is) by every error of ParseLabels.
var ErrLabels = errors.New("tệp nhãn không hợp lệ (invalid labels file)")

// labelsError is one worded reason a labels file is refused.
type labelsError struct {
	vi, en string
	err    error
}

func (e *labelsError) Error() string {
	return "tệp nhãn không hợp lệ: " + e.vi + " (invalid labels file: " + e.en + ")"
}
func (e *labelsError) Is(target error) bool { return target == ErrLabels }
func (e *labelsError) Unwrap() error        { return e.err }

// kinds are the kinds a labels file may name.
var kinds = map[string]Kind{"text": Text, "date": Date, "idNumber": IDNum, "phone": Phone, "number": Number}

// maxLabels bounds a labels file (a form has tens of fields, not thousands).
const maxLabels = 500

// ParseLabels reads a labels file. It refuses anything but a non-empty JSON array of objects with
// exactly the members key, label and kind, a known kind, non-empty key and label, and distinct keys.
func ParseLabels(b []byte) ([]Label, error) {
	if !utf8.Valid(b) {
		return nil, &labelsError{vi: "không phải văn bản UTF-8", en: "not UTF-8 text"}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var specs []LabelSpec
	if err := dec.Decode(&specs); err != nil {
		return nil, &labelsError{vi: "cần một mảng JSON các mục {\"key\", \"label\", \"kind\"}",
			en: `expected a JSON array of {"key", "label", "kind"} entries`, err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &labelsError{vi: "có dữ liệu thừa sau mảng", en: "trailing data after the array"}
	}
	if len(specs) == 0 {
		return nil, &labelsError{vi: "không có nhãn nào", en: "no labels"}
	}
	if len(specs) > maxLabels {
		return nil, &labelsError{vi: fmt.Sprintf("quá %d nhãn", maxLabels), en: fmt.Sprintf("more than %d labels", maxLabels)}
	}
	seen := map[string]bool{}
	out := make([]Label, 0, len(specs))
	for i, s := range specs {
		n := i + 1
		key, label := strings.TrimSpace(s.Key), collapse(s.Label)
		switch {
		case key == "":
			return nil, &labelsError{vi: fmt.Sprintf("mục %d thiếu \"key\"", n), en: fmt.Sprintf(`entry %d has no "key"`, n)}
		case label == "" || len(Fold(label)) == 0:
			return nil, &labelsError{vi: fmt.Sprintf("mục %d (%s) thiếu \"label\"", n, key), en: fmt.Sprintf(`entry %d (%s) has no "label"`, n, key)}
		case seen[key]:
			return nil, &labelsError{vi: fmt.Sprintf("khoá %q lặp lại", key), en: fmt.Sprintf("key %q repeated", key)}
		}
		k, ok := kinds[s.Kind]
		if !ok {
			return nil, &labelsError{vi: fmt.Sprintf("mục %d (%s) có loại %q không biết, cần text, date, idNumber, phone hoặc number", n, key, s.Kind),
				en: fmt.Sprintf("entry %d (%s) has unknown kind %q; use text, date, idNumber, phone or number", n, key, s.Kind)}
		}
		seen[key] = true
		out = append(out, Label{Key: key, Labels: []string{label}, Kind: k})
	}
	return out, nil
}
