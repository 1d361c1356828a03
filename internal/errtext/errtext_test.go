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
