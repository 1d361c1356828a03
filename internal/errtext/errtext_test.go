package errtext

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func TestSentences(t *testing.T) {
	for msg, want := range map[string][]string{
		"hết giấy (paper out)": {"hết giấy (paper out)"},
		"ngày sinh (dateOfBirth): ngày không hợp lệ (invalid date)":                 {"ngày không hợp lệ (invalid date)"},
		"máy in (printer): chưa sẵn sàng (printer not ready): hết giấy (paper out)": {"chưa sẵn sàng (printer not ready)", "hết giấy (paper out)"},
		"submit: dial tcp 127.0.0.1:1: connection refused":                          nil,
		"thẻ bị nhấc ra (card removed) (after 12 APDUs)":                            {"thẻ bị nhấc ra (card removed)"},
		"giấy tờ 1 (document 1): bộ nhớ đầy (storage full)":                         {"bộ nhớ đầy (storage full)"},
	} {
		if got := Sentences(msg); !reflect.DeepEqual(got, want) {
			t.Errorf("Sentences(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	base := errors.New("hết giấy (paper out)")
	if err := Check(fmt.Errorf("print receipt: %w", base)); err != nil {
		t.Errorf("English detail outside: %v", err)
	}
	for _, bad := range []error{
		fmt.Errorf("hết giấy (paper out): %w", base),         // repeated
		fmt.Errorf("không in được (cannot print): %w", base), // two sentences
		errors.New("connection refused"),                     // none
		errors.New("Chưa lưu được hồ sơ: lỗi. Hãy thử lại."), // Vietnamese without English
		nil,
	} {
		if Check(bad) == nil {
			t.Errorf("Check accepted %v", bad)
		}
	}
	if NoRepeat(fmt.Errorf("không in được (cannot print): %w", base)) != nil || NoRepeat(fmt.Errorf("hết giấy (paper out): %w", base)) == nil {
		t.Error("NoRepeat")
	}
}

func TestEnglish(t *testing.T) {
	for msg, want := range map[string]string{
		"máy in chưa sẵn sàng (printer not ready): hết giấy (paper out)": "printer not ready: paper out",
		"PN532 lost the card: thẻ đã bị rút ra (card removed)":           "PN532 lost the card: card removed",
		"thẻ trả lời 6300 cho PACE (card answered 6300: auth failed)":    "card answered 6300: auth failed",
		"submit: dial tcp 127.0.0.1:1: connection refused":               "submit: dial tcp 127.0.0.1:1: connection refused",
		"ngày sinh (dateOfBirth): bad":                                   "ngày sinh (dateOfBirth): bad", // a gloss, not a sentence
		"biên nhận in dở (40% đã xác nhận), cần in lại (partly printed)": "partly printed",
	} {
		if got := English(msg); got != want {
			t.Errorf("English(%q) = %q, want %q", msg, got, want)
		}
		if s := Sentences(English(msg)); len(s) != 0 {
			t.Errorf("English(%q) still holds %q", msg, s)
		}
	}
}

type codeError struct{ code int }

func (e *codeError) Error() string {
	return fmt.Sprintf("thẻ trả lời %d (card answered %d)", e.code, e.code)
}

func TestWrap(t *testing.T) {
	sentence := errors.New("xác thực không thành công (authentication failed)")
	lower := &codeError{6300}
	err := fmt.Errorf("PACE: %w", Wrap(sentence, fmt.Errorf("GENERAL AUTHENTICATE: %w", lower)))
	if got, want := err.Error(), "PACE: xác thực không thành công (authentication failed): GENERAL AUTHENTICATE: card answered 6300"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if Check(err) != nil {
		t.Error(Check(err))
	}
	if Check(fmt.Errorf("%w: %w", sentence, lower)) == nil {
		t.Error("the same chain with %w: %w has two sentences, Check must say so")
	}
	var ce *codeError
	if !errors.Is(err, sentence) || !errors.As(err, &ce) || ce.code != 6300 {
		t.Error("errors.Is/As lost a link of the chain")
	}
	if Wrap(sentence, nil) != sentence {
		t.Error("Wrap with no cause is the sentence itself")
	}
}
