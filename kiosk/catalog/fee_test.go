package catalog

import (
	"errors"
	"strings"
	"testing"
)

func TestStarterFees(t *testing.T) {
	c := Starter()
	sig, _ := c.Get("2.000884")
	if sig.FeeVND != 10000 || sig.FeePages != nil || sig.Fee != "10.000 đồng/trường hợp" {
		t.Fatalf("signature attestation: %d %+v %q", sig.FeeVND, sig.FeePages, sig.Fee)
	}
	if v, ok := sig.Assess(nil, nil); !ok || v != 10000 {
		t.Fatalf("fixed fee assessed %d %v", v, ok)
	}
	cp, _ := c.Get("2.000815")
	if cp.FeeVND != 0 || cp.FeePages == nil || !strings.HasPrefix(cp.Fee, "2.000 đồng/trang") {
		t.Fatalf("certified copy: %d %+v %q", cp.FeeVND, cp.FeePages, cp.Fee)
	}
	// The free procedures, and those whose fee the province sets, carry no number: central decides.
	for _, code := range []string{"1.001193", "1.000656", "1.000894", "1.004194", "1.004873"} {
		p, _ := c.Get(code)
		if p.Fee == "" {
			t.Errorf("%s lost the words of its fee", code)
		}
		if v, ok := p.Assess([]PagedDocument{{Type: p.Documents[0].Type, Pages: 3}}, nil); ok || v != 0 {
			t.Errorf("%s (%q) assessed %d %v: the catalogue puts no number on it", code, p.Fee, v, ok)
		}
	}
}

func TestCertifiedCopyFeeByThePage(t *testing.T) {
	cp, _ := Starter().Get("2.000815")
	for _, c := range []struct {
		pages  int
		copies string
		want   int64
	}{
		{1, "1", 2000},
		{2, "1", 4000},
		{3, "1", 5000}, // 2 × 2.000 + 1.000
		{10, "1", 12000},
		{3, "2", 10000}, // per copy, times the copies asked for
		{300, "1", 200000},
		{1000, "3", 600000}, // capped per copy
		{3, "", 5000},       // no number: one copy
		{3, "0", 5000},
		{3, "hai", 5000},
		{0, "4", 0},
	} {
		got, ok := cp.Assess([]PagedDocument{{Type: "ban-chinh", Pages: 99}, {Type: "ban-sao", Pages: c.pages}},
			map[string]string{"copies": c.copies})
		if !ok || got != c.want {
			t.Errorf("%d pages × %q copies: %d %v, want %d", c.pages, c.copies, got, ok, c.want)
		}
	}
	// Only the counted document's pages count: a dossier without it owes nothing by the page.
	if got, ok := cp.Assess([]PagedDocument{{Type: "ban-chinh", Pages: 5}}, nil); !ok || got != 0 {
		t.Fatalf("original only: %d %v", got, ok)
	}
}

func TestParseRejectsBadFees(t *testing.T) {
	const head = `{"procedures":[{"code":"1","name":"x","documents":[{"type":"a","name":"a"}],"fields":[{"key":"n","label":"n","kind":"number"},{"key":"t","label":"t","kind":"text"}],`
	good := head + `"fee":"words","feePages":{"document":"a","firstPages":2,"firstVnd":2000,"nextVnd":1000,"maxPerCopyVnd":200000,"copiesField":"n"}}]}`
	if _, err := Parse([]byte(good)); err != nil {
		t.Fatalf("the good rule was refused: %v", err)
	}
	for name, tail := range map[string]string{
		"negative fixed":       `"fee":"w","feeVnd":-1}]}`,
		"huge fixed":           `"fee":"w","feeVnd":99000000000}]}`,
		"fixed without words":  `"feeVnd":10000}]}`,
		"pages without words":  `"feePages":{"document":"a","firstPages":1,"firstVnd":1000,"nextVnd":1000}}]}`,
		"both":                 `"fee":"w","feeVnd":10000,"feePages":{"document":"a","firstPages":1,"firstVnd":1000,"nextVnd":1000}}]}`,
		"negative page price":  `"fee":"w","feePages":{"document":"a","firstPages":1,"firstVnd":-1000,"nextVnd":1000}}]}`,
		"negative next price":  `"fee":"w","feePages":{"document":"a","firstPages":1,"firstVnd":1000,"nextVnd":-1}}]}`,
		"negative first pages": `"fee":"w","feePages":{"document":"a","firstPages":-1,"firstVnd":1000,"nextVnd":1000}}]}`,
		"negative cap":         `"fee":"w","feePages":{"document":"a","firstPages":1,"firstVnd":1000,"nextVnd":1000,"maxPerCopyVnd":-5}}]}`,
		"cap below price":      `"fee":"w","feePages":{"document":"a","firstPages":2,"firstVnd":2000,"nextVnd":1000,"maxPerCopyVnd":1500}}]}`,
		"cap below next price": `"fee":"w","feePages":{"document":"a","firstPages":2,"firstVnd":2000,"nextVnd":3000,"maxPerCopyVnd":2500}}]}`,
		"no price at all":      `"fee":"w","feePages":{"document":"a","firstPages":2,"firstVnd":0,"nextVnd":0}}]}`,
		"first price no pages": `"fee":"w","feePages":{"document":"a","firstPages":0,"firstVnd":2000,"nextVnd":1000}}]}`,
		"unknown document":     `"fee":"w","feePages":{"document":"b","firstPages":1,"firstVnd":1000,"nextVnd":1000}}]}`,
		"copies not a field":   `"fee":"w","feePages":{"document":"a","firstPages":1,"firstVnd":1000,"nextVnd":1000,"copiesField":"z"}}]}`,
		"copies a text field":  `"fee":"w","feePages":{"document":"a","firstPages":1,"firstVnd":1000,"nextVnd":1000,"copiesField":"t"}}]}`,
		"page price as text":   `"fee":"w","feePages":{"document":"a","firstPages":1,"firstVnd":"1000","nextVnd":1000}}]}`,
	} {
		if _, err := Parse([]byte(head + tail)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
