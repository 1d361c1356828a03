//go:build !nosim

package main

import (
	"errors"
	"testing"
)

// The demo's check of a delivered copy: its first line must be its own paper's title, and a copy of
// another paper (the birth certificate filed as the ID document, issue 13) fails it.
func TestPaperMatches(t *testing.T) {
	for _, c := range []struct {
		docType, first string
		ok             bool
	}{
		{"giay-to-tuy-than", "BẢN SAO CĂN CƯỚC", true},
		{"giay-to-tuy-than", "BAN SAO CAN CUỘC", true}, // a tone mark misread by the OCR
		{"giay-to-tuy-than", "GIẤY CHỨNG SINH", false},
		{"giay-chung-sinh", "GIẤY CHỨNG SINH", true},
		{"giay-chung-sinh", "TỜ KHAI ĐĂNG KÝ KHAI SINH", false},
		{"to-khai-khai-sinh", "TỜ KHAI ĐĂNG KÝ KHAI SINH", true},
		{"to-khai-khai-sinh", "", false},
		{"to-khai-khai-sinh", "Họ, chữ đệm, tên của trẻ: Trần Minh Khang", false},
		// Signature attestation: the paper attested is the declaration, the ID card copy is not it.
		{"van-ban-can-chung-thuc", "TỜ KHAI ĐĂNG KÝ KHAI SINH", true},
		{"van-ban-can-chung-thuc", "BẢN SAO CĂN CƯỚC", false},
		{"van-ban-can-chung-thuc", "GIẤY CHỨNG SINH", false},
	} {
		err := paperMatches(c.docType, c.first)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrWrongPaper)) {
			t.Errorf("%s beginning %q: %v", c.docType, c.first, err)
		}
	}
}
